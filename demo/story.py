"""The demo's story: each incident of :mod:`demo.data` told through the models' own verbs, step
by step at the moments the data gives, so every timestamp, reference and history row reads as if
the desk had lived through it."""

import io
from datetime import timedelta

from django.utils import timezone
from PIL import Image, ImageDraw

from crisis import timekeeper
from demo.data.incidents import DEMO_USERS, MOVE_REASONS, PARTY_AFTER
from demo.data.responses import (
    DEMO_ACTION_ITEMS,
    DEMO_PLANS,
    DEMO_POSTMORTEMS,
    DEMO_PROFILE,
    DEMO_STATEMENTS,
    DEMO_UPDATES,
    PUBLIC_DEMO_PAGE,
    PUBLISH_AFTER_DRAFT,
    STATEMENT_STEPS,
)
from incidents.models import AffectedParty, Incident, PostMortem
from responses import plans
from responses.models import ActionItem, PlanTemplate, ProgressUpdate, PublicProfile, Statement


def tell(spec, users, now):
    """Tell one incident's story at the times it happened; return the incident.

    The steps run in time order, each told at its moment (:func:`crisis.timekeeper.telling_at`),
    so every timestamp, reference and history row reads as if the desk had lived through it.
    """
    comms, manager = users["comms"], users["manager"]
    detected_at = now - spec["detected_ago"]
    declared_at = detected_at + spec["declared_after"]
    fields = {
        name: spec[name]
        for name in (
            "title",
            "public_title",
            "summary",
            "category",
            "severity",
            "platforms",
            "tracking_terms",
        )
    }
    fields["is_drill"] = spec.get("is_drill", False)
    with timekeeper.telling_at(declared_at):
        incident = Incident.declare(by=comms, lead=comms, detected_at=detected_at, **fields)

    steps = []
    for party in spec["parties"]:
        steps.append(
            (declared_at + PARTY_AFTER, lambda party=party: _add_party(incident, comms, *party))
        )
    for after, action in spec["moves"]:
        actor = manager if action in ("cancel", "resolve") else comms
        steps.append(
            (
                declared_at + after,
                lambda action=action, actor=actor: incident.move(
                    action, by=actor, reason=MOVE_REASONS[action]
                ),
            )
        )
    # What the playbook made, for the statement steps that write over its draft.
    made = {}
    if spec["title"] in DEMO_PLANS:
        steps += _plan_steps(
            incident, declared_at, comms, manager, made, *DEMO_PLANS[spec["title"]]
        )
    for kind, body, platforms, status, after in DEMO_STATEMENTS.get(spec["title"], []):
        steps += _statement_steps(
            incident, declared_at + after, comms, manager, kind, body, platforms, status, made
        )
    for after, kind, body, promise in DEMO_UPDATES.get(spec["title"], []):
        steps += _update_steps(
            incident, declared_at + after, now, comms, manager, kind, body, promise
        )
    for item in DEMO_ACTION_ITEMS.get(spec["title"], []):
        steps += _action_item_steps(incident, declared_at, now, users, *item)
    if spec["title"] in DEMO_POSTMORTEMS:
        steps += _postmortem_steps(
            incident, declared_at, comms, manager, *DEMO_POSTMORTEMS[spec["title"]]
        )
    for at, step in sorted(steps, key=lambda step: step[0]):
        with timekeeper.telling_at(at):
            step()
    return incident


def _add_party(incident, by, kind, description, count, impact, outreach, channel):
    party = AffectedParty(
        incident=incident,
        kind=kind,
        description=description,
        estimated_count=count,
        impact=impact,
        outreach_status=outreach,
        outreach_channel=channel,
        # Reached out to when recorded: the demo's clock stands at that moment.
        outreach_at=None if outreach == "not_contacted" else timekeeper.now(),
    )
    party.add(by=by)


def _plan_steps(incident, declared_at, comms, manager, plan, after, status, done):
    """Apply the playbook of the incident's category, walk its draft holding statement to
    ``status`` and complete ``done`` = (how many items or None for all, when), as (time, step)
    pairs. Nothing when no active template fits (an admin retired them all)."""
    templates = PlanTemplate.objects.for_category(incident.category).order_by("category", "name")
    # The playbook written for the category before a general one.
    template = max(templates, key=lambda t: not t.is_general, default=None)
    if template is None:
        return []
    applied_at = declared_at + after
    count, done_after = done

    def apply():
        applied = plans.apply_template(template, incident, comms)
        plan["statement"], plan["items"] = applied.statement, applied.items

    def complete():
        for item in plan["items"][:count]:
            item.complete(by=comms)

    steps = [(applied_at, apply), (declared_at + done_after, complete)]
    if template.holding_statement.strip():
        steps += _walk(lambda: plan["statement"], applied_at, comms, manager, status, incident)
    return steps


def _statement_steps(incident, drafted_at, comms, manager, kind, body, platforms, status, plan):
    """The steps of one demo statement, from its draft to ``status``, as (time, step) pairs. A
    holding statement is written over the playbook's draft when there is one."""
    made = {}

    def draft():
        playbook_draft = plan.pop("statement", None) if kind == "holding" else None
        if playbook_draft is None:
            made["statement"] = Statement.draft(
                incident=incident,
                by=comms,
                kind=kind,
                body=body,
                target_platforms=platforms,
            )
            return
        playbook_draft.body, playbook_draft.target_platforms = body, platforms
        playbook_draft.save_wording(
            by=comms,
            expected_version=playbook_draft.version,
            fields=["body", "target_platforms"],
        )
        made["statement"] = playbook_draft

    return [(drafted_at, draft)] + _walk(
        lambda: made["statement"], drafted_at, comms, manager, status, incident
    )


def _walk(statement, drafted_at, comms, manager, status, incident):
    """The steps that take ``statement()`` from Draft to ``status``, as (time, step) pairs."""

    def publish():
        if statement().status != Statement.Status.APPROVED:
            return  # a stage no demo person decides keeps it in review (approve_through)
        statement().publish(by=manager)
        if incident.title == PUBLIC_DEMO_PAGE and not incident.is_public_page_open:
            incident.open_public_page(by=manager)

    steps = []
    order = ["in_review", "approved", "published"]
    actions = {
        "in_review": lambda: statement().submit(by=comms),
        "approved": lambda: approve_through(statement(), manager, "Clear and kind. Go."),
        "published": publish,
    }
    if status in order:
        for reached in order[: order.index(status) + 1]:
            steps.append((drafted_at + STATEMENT_STEPS[reached], actions[reached]))
    return steps


def approve_through(statement, manager, comment):
    """Approve ``statement`` at every stage of its round, each by a demo person who may decide
    it (the manager first; eligible_deciders says who else), as the desk's rules ask. A desk
    whose approval chain applies to a demo incident (an admin made one before the demo was
    seeded, or the tests' world did) is followed, not refused; a stage that no demo person may
    decide leaves the statement in review rather than approve it in a real person's name."""
    from django.contrib.auth import get_user_model

    demo = set(
        get_user_model()
        .objects.filter(username__in=[row[0] for row in DEMO_USERS])
        .values_list("pk", flat=True)
    )
    while statement.status == Statement.Status.IN_REVIEW:
        stage = statement.current_stage()
        deciders = [user for user in statement.eligible_deciders(stage) if user.pk in demo]
        if not deciders:
            return
        by = next((user for user in deciders if user.pk == manager.pk), deciders[0])
        statement.approve(by=by, comment=comment, stage=stage.pk)
        statement = Statement.objects.get(pk=statement.pk)


def _update_steps(incident, posted_at, now, comms, manager, kind, body, promise):
    """The steps of one demo progress update: posted to the log, or drafted and published."""
    if kind == "internal":
        return [
            (
                posted_at,
                lambda: ProgressUpdate.post_internal(incident=incident, by=comms, body=body),
            )
        ]
    made = {}
    next_update_at = now + promise

    def draft():
        made["update"] = ProgressUpdate.draft_public(
            incident=incident, by=comms, body=body, next_update_at=next_update_at
        )

    def publish():
        made["update"].publish(by=manager)

    return [(posted_at, draft), (posted_at + PUBLISH_AFTER_DRAFT, publish)]


def _action_item_steps(incident, declared_at, now, users, kind, title, owner, after, due, done):
    """The steps of one hand-written action item: added by Comms, and done by its owner when
    ``done`` says when. Added before the incident closes: a closed incident's items are frozen."""
    made = {}
    due_at = now + due[1] if isinstance(due, tuple) else declared_at + due

    def add():
        made["item"] = ActionItem(
            incident=incident, kind=kind, title=title, owner=users[owner], due_at=due_at
        ).add(by=users["comms"])

    steps = [(declared_at + after, add)]
    if done is not None:
        steps.append((declared_at + done, lambda: made["item"].complete(by=users[owner])))
    return steps


def _postmortem_steps(incident, declared_at, comms, manager, drafted_after, submitted_after, text):
    """Comms drafts the post-mortem; the manager submits it, which closes the resolved incident
    (PostMortem.submit refuses while a close gate holds: the demo's incident passes them)."""
    postmortem = PostMortem(incident=incident, **text)
    return [
        (declared_at + drafted_after, lambda: postmortem.save_draft(by=comms)),
        (
            declared_at + submitted_after,
            lambda: postmortem.submit(by=manager, expected_version=postmortem.version),
        ),
    ]


def brand():
    """The demo company's public profile, with a logo drawn here (no file to ship), unless an
    admin already set one. Queries the database."""
    if PublicProfile.objects.exists():
        return
    image = Image.new("RGBA", (96, 96), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((4, 4, 92, 92), fill="#ffffff")
    draw.polygon([(48, 16), (76, 72), (48, 58), (20, 72)], fill=DEMO_PROFILE["accent_colour"])
    png = io.BytesIO()
    image.save(png, format="PNG")
    profile = PublicProfile(**DEMO_PROFILE)
    profile.set_logo(png.getvalue())
    profile._change_reason = "Demo data"
    profile.save()


def write_lines(users, now):
    """The demo's library of approved lines (:mod:`demo.data.lines`), each worded by the comms
    person and approved by the manager where the data says so, unless a line of the same wording
    exists. Queries the database."""
    from demo.data.lines import DEMO_LINES
    from lines.models import ApprovedLine

    today = timezone.localdate(now)
    written = 0
    for spec in DEMO_LINES:
        if ApprovedLine.objects.filter(text=spec["text"]).exists():
            continue
        line = ApprovedLine.draft(
            by=users["comms"],
            category=spec["category"],
            kind=ApprovedLine.Kind.ANSWER if spec["question"] else ApprovedLine.Kind.LINE,
            question=spec["question"],
            text=spec["text"],
            owner=users[spec["owner"]],
            review_by=today + timedelta(days=spec["review_in_days"]),
        )
        if spec["approved_by"]:
            line.approve(by=users[spec["approved_by"]], version=line.version)
        written += 1
    return written


def write_variants(users):
    """The demo's variants (:mod:`demo.data.audiences`): written by the comms person, and approved
    and published by the manager where the data says so, unless the statement has one for that
    audience and language already (or the audience was renamed away). Queries the database."""
    from audiences.models import Audience, Variant
    from demo.data.audiences import DEMO_VARIANTS
    from responses.models import Statement

    written = 0
    for title, kind, audience_name, language, body, publish in DEMO_VARIANTS:
        core = Statement.objects.filter(incident__title=title, kind=kind).first()
        audience = Audience.objects.filter(name=audience_name).first()
        if core is None or audience is None or Variant.existing(core, audience, language):
            continue
        variant = Variant.draft(
            core=core, audience=audience, language=language, body=body, by=users["comms"]
        )
        if publish:
            variant.approve(by=users["manager"], version=variant.version)
            variant.publish(by=users["manager"])
        written += 1
    return written


def write_rumours(users):
    """The demo's rumours (:mod:`demo.data.rumours`), logged by the comms person and checked by
    the manager, unless the incident is missing or already holds the same claim. Queries the
    database; returns how many were logged."""
    from demo.data.rumours import DEMO_RUMOURS
    from rumours.models import Rumour

    logged = 0
    for spec in DEMO_RUMOURS:
        incident = Incident.objects.filter(title=spec["incident"]).first()
        if incident is None or incident.rumours.filter(claim=spec["claim"]).exists():
            continue
        mentions = list(incident.mentions.order_by("-reach", "-pk")[: spec["mentions"]])
        rumour = Rumour.log(
            incident=incident,
            by=users["comms"],
            mentions=mentions,
            claim=spec["claim"],
            risk=spec["risk"],
            owner=users["comms"],
            first_seen_at=None if mentions else incident.declared_at + spec["first_seen_after"],
            reach=spec["reach"],
        )
        rumour.verification = spec["verification"]
        rumour.correction = spec["correction"]
        rumour.response = incident.statements.filter(kind=spec["response_kind"]).first()
        rumour.is_public = spec["is_public"]
        rumour.save_changes(
            by=users["manager"],
            expected_version=rumour.version,
            fields=["verification", "correction", "response", "is_public"],
            mentions=mentions,
        )
        logged += 1
    return logged
