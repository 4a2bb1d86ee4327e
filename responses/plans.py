"""Applying a plan template to an incident, and the placeholders of its holding statement.

The one home of both rules: which placeholders a holding statement may use (checked when an admin
saves the template, filled when someone applies it), and what applying does (items with owners
and due times, a draft holding statement, a record of the application), refused for a retired
template, one written for another kind of incident, or a frozen incident.
"""

import string
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format

from crisis import clocks
from crisis.history import display_user
from crisis.lifecycle import TransitionRefused
from incidents.models import Incident
from responses import promise
from responses.models import (
    ActionItem,
    PlanApplication,
    PlanTemplate,
    PlanTemplateItem,
    PublicProfile,
    Statement,
)

# Every placeholder a holding statement may use, with what it becomes (shown in the admin site).
PLACEHOLDERS = {
    "public_title": "the incident's public title (“Service notice” until it has one; never its "
    "internal title)",
    "title": "the incident's internal title",
    "platforms": "the incident's platforms by name, for example “X and Instagram”",
    "next_update": "when the next update is due, for example “11:00 UTC on 14 March”: filled in "
    "when the statement is published, from that moment and the incident's cadence",
    "company": "the company's public name (the public profile's, else the COMPANY_NAME setting; "
    "“our company” when neither is set)",
    "detected": "when the first signal appeared, for example “09:00 UTC on 14 March”",
    "reference": "the incident's reference, for example CR-2026-014",
}
# What a person may apply a template with: it creates action items and a statement.
APPLY_PERMISSIONS = ("responses.add_actionitem", "responses.add_statement")


class TemplateRefused(TransitionRefused):
    """A template that may not be applied here; views show the message."""


class AlreadyApplied(Exception):
    """The template was applied to the incident before: ask before applying it again."""

    def __init__(self, previous):
        self.previous = previous
        when = date_format(timezone.localtime(previous.applied_at), "j M Y, H:i T")
        super().__init__(
            f"“{previous.template}” was already applied on {when} by "
            f"{display_user(previous.applied_by)}: apply it again?"
        )


@dataclass(frozen=True)
class Applied:
    application: PlanApplication
    items: list
    statement: Statement | None

    def summary(self):
        """What applying made, in words, for the message after it."""
        count = len(self.items)
        made = f"{count} action item{'s' if count != 1 else ''}"
        if self.statement is not None:
            made += " and a draft holding statement"
        return f"Plan template “{self.application.template}” applied: {made}."


def placeholder_list():
    return ", ".join("{" + name + "}" for name in PLACEHOLDERS)


def placeholder_errors(text):
    """Why ``text`` cannot be a holding statement's template, as messages (empty if it can).

    Braces hold a known placeholder name and nothing else (no format spec, no attribute); a
    literal brace is written twice, ``{{`` or ``}}``.
    """
    try:
        fields = [name for _literal, name, spec, conv in _parse(text) if name is not None]
    except _Unbalanced as error:
        return [str(error)]
    errors = []
    for name in dict.fromkeys(fields):
        if name not in PLACEHOLDERS:
            shown = "{" + name + "}" if name else "{}"
            errors.append(
                f"Unknown placeholder {shown}. Use one of {placeholder_list()}, or write a "
                "brace twice ({{ or }}) to show it as it is."
            )
    return errors


class _Unbalanced(ValueError):
    pass


def _parse(text):
    """``string.Formatter().parse`` that also refuses a conversion or format spec (``{title!r}``,
    ``{title:>9}``) and says which brace is unbalanced."""
    try:
        parts = list(string.Formatter().parse(text or ""))
    except ValueError as error:
        raise _Unbalanced(
            "The braces do not pair up: each placeholder is a name between { and }, and a brace "
            "meant as text is written twice ({{ or }})."
        ) from error
    for _literal, name, spec, conversion in parts:
        if name is not None and (spec or conversion):
            whole = (
                "{"
                + name
                + (f"!{conversion}" if conversion else "")
                + (f":{spec}" if spec else "")
                + "}"
            )
            raise _Unbalanced(
                f"Write {whole} as a plain placeholder, without “!” or “:” after its name."
            )
    return parts


def placeholder_values(incident):
    """Each placeholder's text for ``incident``. One query: the public profile, whose company
    name is the one the audience reads on the public pages too."""
    return {
        "public_title": incident.shown_public_title,
        "title": incident.title,
        "platforms": _in_words(incident.platform_labels) or "social media",
        # Kept as written: the time is filled in at publication (responses.promise).
        "next_update": promise.PROMISE,
        "company": PublicProfile.current().shown_company_name or "our company",
        "detected": promise.public_time(incident.detected_at),
        "reference": incident.reference,
    }


def fill(text, incident):
    """The holding statement ``text`` with its placeholders filled for ``incident``."""
    return text.format_map(placeholder_values(incident))


def _in_words(labels):
    labels = list(labels)
    if len(labels) < 2:
        return "".join(labels)
    return ", ".join(labels[:-1]) + " and " + labels[-1]


def may_apply(user):
    return user is not None and user.has_perms(APPLY_PERMISSIONS)


# A holding statement made with the neutral "Service notice" would publish that as the
# incident's name: the playbook waits for the title the audience will read.
PUBLIC_TITLE_FIRST = (
    "Its holding statement names the incident by its public title: give the public title the "
    "audience will read (never the internal title)."
)


def names_public_title(template):
    """Whether ``template``'s holding statement names the incident by its public title."""
    try:
        parts = _parse(template.holding_statement)
    except _Unbalanced:
        return False  # refused when it is saved; nothing to fill
    return any(name == "public_title" for _literal, name, _spec, _conversion in parts)


def refusal(template, incident):
    """Why ``template`` may not be applied to ``incident`` (as loaded), or ``""``. No queries."""
    if not template.is_active:
        return f"“{template}” is retired: choose another template."
    if not template.fits(incident.category):
        return (
            f"“{template}” is written for {template.get_category_display().lower()} incidents, "
            f"and this one is about {incident.get_category_display().lower()}. Choose a template "
            "for its category or a general one."
        )
    if not incident.is_editable:
        return (
            f"The incident is {incident.get_status_display().lower()}: it and everything under "
            "it are frozen. A manager may reopen it."
        )
    if names_public_title(template) and not incident.has_public_title:
        return f"“{template}”: {PUBLIC_TITLE_FIRST[0].lower()}{PUBLIC_TITLE_FIRST[1:]}"
    return ""


def apply_template(template, incident, by, *, again=False):
    """Apply ``template`` to ``incident`` as ``by``, in one transaction, and return
    :class:`Applied`.

    Queries and locks the incident, re-reads the template (it may have been retired meanwhile),
    then creates the template's items in use (due ``due_after_hours`` after detection, owned by
    the lead or by ``by`` as the item says), a draft holding statement when the template has one,
    and a :class:`PlanApplication`. Raises :class:`TemplateRefused` when it may not, and
    :class:`AlreadyApplied` when the template was applied to the incident before, unless
    ``again``.
    """
    if not may_apply(by):
        raise TemplateRefused("Only Comms and managers may apply a plan template.")
    with transaction.atomic():
        incident = Incident.objects.select_for_update().get(pk=incident.pk)
        template = PlanTemplate.objects.get(pk=template.pk)
        reason = refusal(template, incident)
        if not reason and placeholder_errors(template.holding_statement):
            reason = (
                f"The holding statement of “{template}” has a placeholder this desk does not "
                "know: an admin must correct it in the admin site first."
            )
        if reason:
            raise TemplateRefused(reason)
        previous = (
            PlanApplication.objects.filter(incident=incident, template=template)
            .select_related("applied_by", "template")
            .order_by("-applied_at", "-pk")
            .first()
        )
        if previous is not None and not again:
            raise AlreadyApplied(previous)
        note = f"From plan template “{template}”"
        items = [
            _item_from(spec, incident, by, template).add(by=by, reason=note)
            for spec in template.items.filter(is_active=True)
        ]
        statement = None
        if template.holding_statement.strip():
            statement = Statement.draft(
                incident=incident,
                by=by,
                reason=f"Drafted from plan template “{template}”",
                kind=Statement.Kind.HOLDING,
                body=fill(template.holding_statement, incident).strip(),
                target_platforms=list(incident.platforms) or ["other"],
            )
        application = PlanApplication(incident=incident, template=template, applied_by=by)
        application._history_user = by
        application._change_reason = note
        application.save()
    return Applied(application, items, statement)


def _item_from(spec, incident, by, template):
    owners = {
        # Without a lead, whoever applies the plan holds the lead's items until one is named.
        PlanTemplateItem.OwnerRole.LEAD: incident.lead or by,
        PlanTemplateItem.OwnerRole.APPLIER: by,
    }
    due_at = None
    if spec.due_after_hours is not None:
        due_at = clocks.due_after_detection(incident, spec.due_after_hours)
    return ActionItem(
        incident=incident,
        title=spec.title,
        details=spec.details,
        kind=spec.kind,
        owner=owners.get(spec.default_owner),
        due_at=due_at,
        is_public=spec.is_public,
        plan_template=template,
    )


def grouped_choices(templates, category=None):
    """Choices for a select of ``templates``, in option groups.

    With ``category`` (the incident's page): “For <category>” first, then “General”. Without
    (declaring, where the category is chosen in the same form): one group per category, then
    “General”. No queries: ``templates`` is a list.
    """
    labels = dict(Incident.Category.choices)
    groups = {}
    for template in sorted(templates, key=lambda t: (t.is_general, t.name.lower())):
        if template.is_general:
            group = "General"
        elif category is not None:
            group = f"For {labels[template.category].lower()}"
        else:
            group = labels[template.category]
        groups.setdefault(group, []).append((str(template.pk), template.name))
    if category is None:
        order = [*labels.values(), "General"]
        return sorted(groups.items(), key=lambda g: order.index(g[0]))
    return list(groups.items())
