"""What the audience reads on an incident's public page, in the audience's words.

The rules of the public page live here: which status words the audience sees, which
statements a later correction supersedes, which updates it shows and when it last changed.
Nothing in here may reveal anything internal.
"""

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache

from django.conf import settings
from django.db import connection
from django.db.models import Prefetch
from django.templatetags.static import static
from django.urls import reverse
from django.utils.dateparse import parse_datetime

from crisis import panels
from incidents.models import Incident
from responses.models import ActionItem, ProgressUpdate, Publication, PublicProfile, Statement

S = Incident.Status

# The incident's status as the audience should read it: a short heading and one sentence.
PUBLIC_STATUS = {
    S.TRIAGE: ("We are working on it", "We know about the problem and are looking into it."),
    S.RESPONDING: ("We are working on it", "We know about the problem and are working on it."),
    S.MONITORING: ("Monitoring", "A fix is in place and we are watching closely."),
    S.RESOLVED: ("Resolved", "The problem is resolved."),
    S.CLOSED: ("Resolved", "The problem is resolved."),
    S.CANCELLED: ("Closed", "There is nothing more to report."),
}


def public_page_url(incident):
    """The incident's public page's path, or None before a manager first opened it. Here, not on
    the incident: the public page is this app's, and incidents never depend on responses."""
    if not incident.public_token:
        return None
    return reverse("responses:public-page", args=[incident.public_token])


def public_status(incident):
    """``(heading, sentence)`` for the incident's status, as the audience reads it."""
    return PUBLIC_STATUS[incident.status]


# What the pages draw from the public profile, read with the page's state (not the logo's bytes).
BRANDING = ("company_name", "accent_colour", "logo_sha", "logo_alt")


@dataclass(frozen=True)
class PageState:
    """What the public page needs before it decides to answer at all: the incident's public
    facts and the page's validators (``etag``, ``last_modified``)."""

    pk: int
    token: str
    title: str
    status: str
    last_modified: datetime | None
    etag: str
    # A drill's page offers no mail subscription (a drill never reaches anyone outside).
    is_drill: bool
    # The company's name, logo and colour (an unsaved PublicProfile without the logo's bytes).
    profile: PublicProfile


def page_state(token):
    """The open public page of ``token``, or None: the incident's public facts, and when anything
    the page shows last changed. One query.

    Everything the page shows is history-tracked (and the house rule forbids changing tracked
    state behind simple-history's back), so the page last changed at its records' latest
    history row: the incident's (title, public title, status), its published statements' and
    their publications' (a link added later), its published public updates' and its action
    items' (any of them, so that one made internal since counts). Drafts and internal updates,
    written all day during a crisis, are left out: they change nothing the audience sees.

    ``etag`` also sums the history rows' ids, so a change committed after a later one (whose
    time is then not the latest) still changes it, and it carries what the page is made with
    (``release``). The public profile's history (the company's name, logo and colour) counts
    too, and so do the changes the sections of other apps report (crisis.panels.PublicSection:
    rumours corrected). The internal title is not read at all: the page never shows it.
    """
    sql, params = _page_state_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql, [token, *params])
        row = cursor.fetchone()
    if row is None:
        return None
    pk, public_title, status, is_drill, changed_at, stamp, *branding = row
    changed_at = as_moment(changed_at)
    profile = PublicProfile(
        **{name: value or "" for name, value in zip(BRANDING, branding, strict=True)}
    )
    seen = f"{pk}:{changed_at.isoformat() if changed_at else ''}:{stamp or 0}:{release()}"
    etag = '"' + hashlib.blake2b(seen.encode(), digest_size=12).hexdigest() + '"'
    title = Incident.public_heading(public_title)
    return PageState(pk, token, title, status, changed_at, etag, bool(is_drill), profile)


def as_moment(value):
    """A MAX() of datetimes as a datetime: SQLite hands it back as text, in UTC."""
    if isinstance(value, str):
        return parse_datetime(value).replace(tzinfo=UTC)
    return value


@cache
def _page_state_sql():
    """The statement of :func:`page_state`, made once from the models' tables."""
    incident = Incident._meta.db_table
    # What the other apps' sections show, and when it changed (their params follow ours).
    section_changes = [
        section.changes()
        for section in sorted(panels.public_sections, key=lambda section: section.order)
    ]
    histories = {m: m.history.model._meta.db_table for m in (Incident, Statement, Publication)}
    histories[ProgressUpdate] = ProgressUpdate.history.model._meta.db_table
    histories[ActionItem] = ActionItem.history.model._meta.db_table
    profile_history = PublicProfile.history.model._meta.db_table
    statement = Statement._meta.db_table
    translated = [translation.changes() for translation in panels.page_translations]
    changes = " UNION ALL ".join(
        [
            f"SELECT history_date AS at, history_id AS n FROM {histories[Incident]} "
            "WHERE id IN (SELECT id FROM page)",
            f"SELECT history_date, history_id FROM {histories[Statement]} "
            "WHERE incident_id IN (SELECT id FROM page) AND status = %s",
            f"SELECT history_date, history_id FROM {histories[Publication]} "
            f"WHERE statement_id IN (SELECT id FROM {statement} "
            "WHERE incident_id IN (SELECT id FROM page) AND status = %s)",
            f"SELECT history_date, history_id FROM {histories[ProgressUpdate]} "
            "WHERE incident_id IN (SELECT id FROM page) AND kind = %s AND status = %s",
            f"SELECT history_date, history_id FROM {histories[ActionItem]} "
            "WHERE incident_id IN (SELECT id FROM page)",
            # The company's name, logo and colour (one row, edited now and then).
            f"SELECT history_date, history_id FROM {profile_history}",
            # What the page shows in other languages (crisis.panels.PageTranslation).
            *(sql for sql, _params in translated),
        ]
        + [sql for sql, _params in section_changes]
    )
    sql = (
        f"WITH page AS (SELECT id, public_title, status, is_drill FROM {incident} "
        "WHERE public_token = %s AND is_public_page_open = %s), "
        f"changes AS ({changes}) "
        "SELECT page.id, page.public_title, page.status, page.is_drill, c.at, c.n, "
        + ", ".join(f"b.{name}" for name in BRANDING)
        + " FROM page CROSS JOIN (SELECT MAX(at) AS at, SUM(n) AS n FROM changes) c "
        f"LEFT JOIN {PublicProfile._meta.db_table} b ON b.slot = 1"
    )
    published = Statement.Status.PUBLISHED
    params = [
        True,
        published,
        published,
        ProgressUpdate.Kind.PUBLIC,
        ProgressUpdate.Status.PUBLISHED,
        *(param for _sql, params in translated for param in params),
    ]
    for _sql, section_params in section_changes:
        params += list(section_params)
    return sql, params


@cache
def release():
    """What the page is made with, besides its records: the company's name, the page's
    templates and the addresses of its style sheets (hashed by collectstatic), so that a deploy
    that changes them changes every page's ``ETag``. Read once per process."""
    from django.template import engines

    engine = engines["django"].engine
    sources = [
        engine.find_template(name)[0].source
        for name in (
            "responses/public_page.html",
            "responses/_public_action_items.html",
            "responses/_public_updates.html",
            "responses/_public_head.html",
            "responses/_public_brand.html",
            "responses/status_page.html",
            "responses/_status_row.html",
            *(name for section in panels.public_sections for name in section.templates),
        )
    ]
    styles = [static("bootstrap/css/bootstrap.min.css"), static("css/app.css")]
    seen = "\n".join([settings.COMPANY_NAME or "", *sources, *styles])
    return hashlib.blake2b(seen.encode(), digest_size=8).hexdigest()


def page_language(request):
    """The language the reader chose among those the page may be read in (``?lang=``), or ``""``
    when no translation is installed or none is chosen. Only the address decides, never
    ``Accept-Language``: the page stays one answer per address, which a proxy keeps without a
    ``Vary`` (issue 19). A browser preferring another language is sent to its address by
    static/js/public-language.js. No queries."""
    offered = {code for t in panels.page_translations for code, _name in t.languages()}
    asked = request.GET.get("lang", "").strip().lower()
    return asked if asked in offered else ""


def language_etag(etag, language):
    """The page's ``etag`` for readers of ``language`` (its texts differ)."""
    if not language:
        return etag
    seen = f"{etag}:{language}"
    return '"' + hashlib.blake2b(seen.encode(), digest_size=12).hexdigest() + '"'


def translated(incident_id, language):
    """``(texts by statement id, [(code, name)] the page has texts in)`` from the installed
    translations (one query each; none without any)."""
    texts, shown = {}, []
    for translation in panels.page_translations:
        found, languages = translation.texts(incident_id, language)
        texts.update(found)
        shown += [pair for pair in languages if pair not in shown]
    return texts, shown


def public_rows(statements, texts=None):
    """The published ``statements`` for the page, newest first, as dicts with the statement,
    the text to show (its translation from ``texts`` by statement id, else its body), its
    anchor and the correction that supersedes it (or None).

    The rule, kept simple and honest: a correction supersedes every statement published before
    it; each such statement points to the first correction published after it. No queries.
    """
    newest_first = sorted(statements, key=lambda s: (s.published_at, s.pk), reverse=True)
    count = len(newest_first)
    rows = []
    nearest_correction = None
    for index, statement in enumerate(newest_first):
        # Numbered from the oldest, so an anchor keeps pointing at the same statement.
        row = {"statement": statement, "anchor": f"update-{count - index}"}
        row["text"] = (texts or {}).get(statement.pk, statement.body)
        row["is_translated"] = statement.pk in (texts or {})
        row["superseded_by"] = nearest_correction
        if statement.kind == Statement.Kind.CORRECTION:
            nearest_correction = row
        rows.append(row)
    return rows


# The public action plan: each item's kind and status in the audience's words.
PUBLIC_ITEM_KIND = {
    ActionItem.Kind.RECTIFY: "Fixing the problem",
    ActionItem.Kind.PREVENT: "Preventing a repeat",
}
PUBLIC_ITEM_STATUS = {
    ActionItem.Status.OPEN: "Planned",
    ActionItem.Status.IN_PROGRESS: "Under way",
    ActionItem.Status.DONE: "Done",
    # Said plainly rather than hidden: the audience saw it promised. The reason stays internal.
    ActionItem.Status.DROPPED: "No longer planned",
}


def public_action_items(incident_id):
    """The incident's public action items in the plan's order, as dicts holding only what the
    audience may read: title, kind and status in plain words, and when it is expected or was
    done. Never the owner, the details or a reason. One query."""
    items = ActionItem.objects.filter(incident_id=incident_id).public()
    return [
        {
            "title": item.title,
            "kind": PUBLIC_ITEM_KIND[item.kind],
            "status": PUBLIC_ITEM_STATUS[item.status],
            "expected_at": item.due_at if item.is_unfinished else None,
            "done_at": item.completed_at if item.status == ActionItem.Status.DONE else None,
        }
        for item in items.only("title", "kind", "status", "due_at", "completed_at")
    ]


def public_statements(incident_id):
    """The incident's published statements with their publications, as a list (two queries)."""
    return list(
        Statement.objects.filter(incident_id=incident_id)
        .published()
        .only("kind", "body", "published_at")
        .prefetch_related(
            Prefetch(
                "publications",
                Publication.objects.only("statement_id", "platform", "url").order_by("pk"),
            )
        )
    )


def public_updates(incident_id):
    """The incident's published public updates, newest first, as a list (one query). Internal
    updates and drafts never reach the page."""
    return list(
        ProgressUpdate.objects.filter(incident_id=incident_id)
        .published_public()
        .only("body", "published_at", "next_update_at")
        .order_by("-published_at", "-pk")
    )


def last_updated(statements, updates):
    """When the audience last heard from us: the latest published statement or public update,
    or None before either. No queries."""
    return max(
        [s.published_at for s in statements] + [u.published_at for u in updates], default=None
    )
