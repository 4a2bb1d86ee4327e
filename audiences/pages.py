"""What this app adds to other apps' pages: the statement page's list of variants, and the
public page's texts in the reader's language (crisis.panels)."""

from functools import cache

from audiences import languages
from audiences.models import Audience, Variant
from crisis.panels import PageTranslation, Panel
from responses.models import Statement


def variants_panel(request, statement):
    """The core's variants, each with its audience, language, status and whether it is stale,
    and a way to write one when the core's approval holds. One query, none for a statement
    never approved (it has no variants)."""
    never_approved = statement.approved_version is None
    variants = [] if never_approved else list(Variant.objects.of_core(statement))
    for variant in variants:
        variant.core = statement  # the page's own statement: stale is read from it
    context = {
        "statement": statement,
        "rows": [(variant, variant.stale_reason()) for variant in variants],
        "can_add": statement.approval_holds
        and statement.incident.is_editable
        and request.user.has_perm("audiences.add_variant"),
    }
    return Panel("audiences/_statement_variants.html", context)


def page_languages():
    return languages.choices()


@cache
def _changes_sql():
    history = Variant.history.model._meta.db_table
    statement = Statement._meta.db_table
    audience = Audience._meta.db_table
    sql = (
        f"SELECT history_date, history_id FROM {history} WHERE status = %s "
        f"AND core_id IN (SELECT id FROM {statement} WHERE incident_id IN (SELECT id FROM page)) "
        f"AND audience_id IN (SELECT id FROM {audience} WHERE way_out = %s)"
    )
    return sql, [Variant.Status.PUBLISHED, Audience.WayOut.PUBLIC_PAGE]


def page_changes():
    """The published public-page variants' history rows, for the public page's validators."""
    return _changes_sql()


def page_texts(incident_id, language):
    """The published public-page variants of the incident's statements: their texts in
    ``language`` by core statement id, and the languages there are texts in. One query."""
    rows = (
        Variant.objects.filter(
            core__incident_id=incident_id,
            status=Variant.Status.PUBLISHED,
            audience__way_out=Audience.WayOut.PUBLIC_PAGE,
        )
        .order_by("pk")
        .values_list("core_id", "language", "body")
    )
    texts, codes = {}, set()
    for core_id, code, body in rows:
        codes.add(code)
        if code == language:
            texts.setdefault(core_id, body)
    shown = [(code, name) for code, name in languages.choices() if code in codes]
    return texts, shown


PAGE_TRANSLATION = PageTranslation(languages=page_languages, changes=page_changes, texts=page_texts)
