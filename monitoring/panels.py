"""What the monitoring app contributes to the incident page, the dashboard and the post-mortem
(see crisis.panels; registered in monitoring.apps)."""

from django.conf import settings
from django.contrib.humanize.templatetags.humanize import intcomma
from django.db.models import Subquery, Sum

from crisis import panels
from crisis.panels import Fact, Panel
from crisis.roles import ACT_ON_MENTIONS
from crisis.templatetags.crisis_tags import absolute_time
from incidents.models import Incident
from monitoring import spike_reasons, spikes, triage
from monitoring.models import Mention, MentionCount, Sentiment
from monitoring.triage import OFFER_KEY


def mention_facts(incident):
    """How loud the conversation was, when mentions were linked to the incident: how many, by
    sentiment (from the mention counts), from the first to the last post (the two ends of the
    incident's (incident, posted time) index). One query; nothing without mentions."""
    labels = dict(Sentiment.choices)
    linked = Mention.objects.filter(incident=incident).order_by()
    per_label = MentionCount.objects.filter(incident=incident).order_by().values("incident")
    counts = (
        Incident.objects.filter(pk=incident.pk)
        .annotate(
            first=Subquery(linked.order_by("posted_at", "pk").values("posted_at")[:1]),
            last=Subquery(linked.order_by("-posted_at", "-pk").values("posted_at")[:1]),
            **{
                code: Subquery(
                    per_label.filter(sentiment_label=code).annotate(s=Sum("n")).values("s")
                )
                for code in labels
            },
        )
        .values("first", "last", *labels)
        .get()
    )
    counts = {name: value or 0 for name, value in counts.items()}
    counts["total"] = sum(counts[code] for code in labels)
    if not counts["total"]:
        return []
    split = ", ".join(
        f"{intcomma(counts[code])} {label.lower()}"
        for code, label in labels.items()
        if counts[code]
    )
    return [
        Fact(
            "mentions",
            "Mentions linked",
            f"{intcomma(counts['total'])} ({split})" if split else intcomma(counts["total"]),
            field="impact",
        ),
        Fact(
            "mentions",
            "Conversation",
            f"from {absolute_time(counts['first'])} to {absolute_time(counts['last'])}",
        ),
    ]


# How many of the top mentions by reach, and of the latest, the incident page shows.
TOP_MENTIONS = 5
LATEST_MENTIONS = 5


def mentions_panel(request, incident):
    """Mentions per hour by sentiment (a chart made here from the mention counts, with its
    table), the top ones by reach and the latest (two queries, however many mentions; a fourth
    reading the inbox only just after the tracking terms changed, to offer linking its
    matches)."""

    linked = incident.mentions.all()
    # The top and the latest in one query (each the first entries of its index).
    both = panels.read_together(
        linked.order_by("-reach", "-pk")[:TOP_MENTIONS],
        linked.newest_first()[:LATEST_MENTIONS],
    )
    series = triage.hourly_counts(incident)
    offer = None
    if incident.reference in request.session.get(OFFER_KEY, []) and incident.may_edit(
        request.user, ACT_ON_MENTIONS
    ):
        offer = triage.in_inbox_matching_count(incident)
    return Panel(
        "monitoring/_incident_mentions.html",
        {
            "incident": incident,
            "chart": triage.chart(series),
            # Over every linked mention: the first entries of the (incident, reach, id) index.
            "top": sorted(both, key=lambda m: (m.reach, m.pk), reverse=True)[:TOP_MENTIONS],
            "latest": sorted(both, key=lambda m: (m.posted_at, m.pk), reverse=True)[
                :LATEST_MENTIONS
            ],
            "offer": offer,
            "refresh_seconds": settings.CLOCK_REFRESH_SECONDS,
        },
    )


# How many spiking conversations the dashboard explains (the first shown, the most severe
# first), in one query of bounded samples (monitoring.spike_reasons).
EXPLAINED_SPIKES = 5


def spikes_panel(request):
    """The dashboard's mention spikes: the open incidents, and the inbox, whose last hour exceeds
    the spike rule of crisis.clocks (two queries however many incidents are open: the
    thresholds, one aggregate over the mention counts; a third loads the spiking incidents, if
    any), each with why (monitoring.spike_reasons: the terms that grew, the posts with the most
    reach, of the first EXPLAINED_SPIKES: one more query, however many mentions)."""

    volumes = spikes.spiking(Incident.objects.open())
    inbox = volumes.pop(None, None)
    incidents = (
        Incident.objects.filter(pk__in=volumes).order_by("severity", "detected_at")
        if volumes
        else []
    )
    shown = [(i.pk, i, volumes[i.pk], i.tracking_terms) for i in incidents]
    if inbox is not None:
        shown.append((None, None, inbox, ""))
    reasons = spike_reasons.explain_all(
        [(pk, volume, terms) for pk, _incident, volume, terms in shown[:EXPLAINED_SPIKES]]
    )
    shown = [
        {
            "incident": incident,
            "count": volume.count,
            "usual": volume.usual,
            "reason": reasons.get(pk) if n < EXPLAINED_SPIKES else None,
        }
        for n, (pk, incident, volume, _terms) in enumerate(shown)
    ]
    return Panel(
        "monitoring/_dashboard_spikes.html",
        {"spikes": shown, "refresh_seconds": settings.CLOCK_REFRESH_SECONDS},
    )
