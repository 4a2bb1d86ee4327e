"""The incidents a person keeps offline (crisis.offline, docs/offline.md)."""

from incidents.models import Incident

# Enough for anyone: a person leads a handful of open incidents at once.
MOST_INCIDENTS_KEPT = 20


def led_incidents(user):
    """The open incidents ``user`` leads, while they may work on incidents: someone moved out of
    the Comms group loses them at their next sync. One query, besides their permissions."""
    if not user.has_perm("incidents.change_incident"):
        return []
    led = Incident.objects.open().filter(lead=user).only("pk", "reference").order_by("-pk")
    return [incident.get_absolute_url() for incident in led[:MOST_INCIDENTS_KEPT]]
