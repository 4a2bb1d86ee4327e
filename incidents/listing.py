"""The labels of an incident's status and category by stored value, for writers that loop over
many rows outside a template (the CSV export). The list and the incident page write them with
``get_status_display``/``get_category_display`` in templates/incidents/."""

from incidents.models import Incident

STATUS_LABELS = dict(Incident.Status.choices)
CATEGORY_LABELS = dict(Incident.Category.choices)
