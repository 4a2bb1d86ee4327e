"""One world with a record of every kind, every address filled with its records
(:func:`url_for`), and requests asked in it inside a savepoint that is rolled back
(:func:`ask`), so one role's permitted POST does not change what the next role sees.
"""

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.test import Client
from django.urls import reverse

from crisis import timekeeper
from crisis.models import SecurityEvent
from incidents.models import Incident
from monitoring.models import ApiToken, SpikeThreshold
from responses.models import Statement
from tests import factories
from tests.access_policy import ADMIN_LOGIN, LOGIN, admin_model_of

# One world with a record of every kind


@pytest.fixture
def world(comms, manager, viewer, admin, settings, tmp_path):
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django.core.files.uploadedfile import SimpleUploadedFile

    from monitoring import imports
    from monitoring.tasks import import_mentions

    factories.default_targets()
    incident = factories.make_incident(comms, status=Incident.Status.RESPONDING)
    other = factories.make_incident(comms, title="Misleading post about refunds")
    party = factories.make_party(incident)
    # A draft post-mortem (one field still empty), for its form, report and history.
    factories.make_postmortem(incident, by=comms, went_well="")
    factories.make_party(other, description="Customers in the south")
    statement = factories.make_statement(incident, comms)
    published = factories.make_statement(
        incident, comms, status=Statement.Status.PUBLISHED, kind=Statement.Kind.ACKNOWLEDGEMENT
    )
    item = factories.make_action_item(incident)
    factories.make_action_item(incident, title="Call the biggest customers back")
    factories.make_action_item(other)
    update = factories.make_update(incident, kind="public")
    factories.make_update(other, kind="public")
    incident.open_public_page(by=manager)
    template = factories.make_plan_template()
    # An approval chain (for another category than the world's statements'), for its admin.
    factories.make_chain()
    target = factories.default_targets()[incident.severity]
    target.save()  # a version in its history, for the admin's page of a past version
    when = {"ip_address": "192.0.2.1", "user_agent": "test", "username": "comms"}
    AccessAttempt.objects.create(failures_since_start=1, **when)
    AccessLog.objects.create(**when)
    AccessFailureLog.objects.create(locked_out=False, **when)
    factories.make_mention(incident)
    factories.make_mention(text="Is #late a thing?")
    settings.MENTION_IMPORT_DIR = tmp_path
    upload = SimpleUploadedFile(
        "export.csv", b"id,text,date\n1,Late again,2026-03-14T10:00:00+00:00\n"
    )
    mention_import = imports.save_upload(upload, source_name="Brandwatch", by=comms)
    # A queued background task, for the admin's pages of task results (the import is not
    # queued, so the task finds nothing to do if ever run).
    import_mentions.using(backend="default").enqueue(mention_import.pk)
    ApiToken.issue("Listening tool", by=admin)
    # A chat channel and a delivery in the outbox, for their admin pages.
    from crisis.outbound import Event, EventKind, raise_event
    from crisis.outbound.models import ChatChannel

    ChatChannel.objects.create(
        kind=ChatChannel.Kind.SLACK,
        name="Comms room",
        url="https://chat.invalid/hook",
        events=[EventKind.INCIDENT_DECLARED],
        severities=["1"],
        is_active=False,
    )
    raise_event(
        Event(
            EventKind.REVIEW_REQUESTED,
            "world",
            "Review please",
            "Text",
            "https://desk.invalid/",
            recipients=("manager@example.com",),
        )
    )
    SpikeThreshold.objects.create()
    profile = factories.make_public_profile()
    # A connected account and a post that failed, for the Retry button and the admin's pages.
    from connectors.models import PostAttempt

    # A public update published (before the account: nothing queued) whose post failed too.
    published_update = factories.make_update(
        other, kind="public", status="published", target_platforms=["mastodon"]
    )
    account = factories.make_platform_account()
    post = PostAttempt.objects.create(
        account=account, statement=published, status=PostAttempt.Status.FAILED, attempts=1
    )
    # A call-out to the incident, answered by the comms person only (team:answer).
    from team.models import CallOut

    callout = CallOut.call(incident=incident, by=manager, people=[comms], message="Bridge now")
    update_post = PostAttempt.objects.create(
        account=account, update=published_update, status=PostAttempt.Status.FAILED, attempts=1
    )
    # Someone with two-factor sign-in on (none of the five roles, whose pages it would change).
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    careful = factories.make_user("careful")
    TOTPDevice.objects.create(user=careful, name="Authenticator app")
    StaticDevice.objects.create(user=careful, name="Recovery codes")
    SecurityEvent.objects.create(kind=SecurityEvent.Kind.SIGN_IN_FAILED, username="careful")
    # A reader who subscribed to the public page, and one waiting to confirm (its link's secret).
    from subscriptions.models import Subscription

    subscription = Subscription.objects.create(
        email="reader@example.org", incident=incident, confirmed_at=timekeeper.now()
    )
    pending = Subscription(email="pending@example.org", incident=None)
    secret = pending.new_link()
    pending.save()
    # A line of the library, written by the comms person (so the manager may approve it).
    line = factories.make_line(comms, category=incident.category)
    # And an approved one, which the statement form offers.
    factories.make_line(comms, category="any", approved_by=manager, text="We are on it.")
    # A variant of the published statement for customers in French, written by the comms
    # person (so the manager may approve it), and a version of an audience in its history.
    factories.audience("Customers", order=10)
    variant = factories.make_variant(published, comms)
    # A media inquiry with an answer in new wording by the comms person (a manager may approve
    # it), on the incident.
    inquiry = factories.make_inquiry(incident, comms, answer="We are counting; more by noon.")
    # A rumour seen in the incident's mention, answered by its published statement.
    rumour = factories.make_rumour(
        incident,
        comms,
        mentions=list(incident.mentions.all()),
        response=published,
        verification="false",
        correction="Nothing leaked.",
        is_public=True,
    )
    # A feed source, for the Sources page's actions and the admin's pages.
    from sources.models import AllowedHost, Source

    source = Source.objects.create(
        name="Alerts: Acme", url="https://feeds.invalid/alerts", created_by=comms
    )
    source.set_active(True, by=comms)  # a version in its history
    AllowedHost.objects.create(host="feeds.intranet.invalid")
    return {
        "source": source,
        "users": {
            "anonymous": None,
            "viewer": viewer,
            "comms": comms,
            "manager": manager,
            "admin": admin,
        },
        "incident": factories.reload(incident),
        "other": other,
        "party": party,
        "statement": statement,
        "published": published,
        "publication": published.publications.first(),
        "item": item,
        "update": update,
        "template": template,
        "target": target,
        "import": mention_import,
        "profile": profile,
        "post": post,
        "answer": callout.answers.get(),
        "subscription": subscription,
        "confirm_secret": secret,
        "published_update": published_update,
        "update_post": update_post,
        "line": line,
        "variant": variant,
        "inquiry": inquiry,
        "rumour": rumour,
    }


# Which record each app route's ``pk`` names, by URL name prefix.
PK_OF = {
    "incidents:party-": "party",
    "monitoring:import-": "import",
    "responses:statement-": "statement",
    "responses:publication-": "published",
    "responses:action-item-": "item",
    "responses:update-": "update",
    "connectors:post-": "published",
    "team:answer": "answer",
    "connectors:update-post-": "published_update",
    "lines:": "line",
    "sources:": "source",
    "audiences:create": "published",
    "audiences:": "variant",
    "press:": "inquiry",
    "rumours:": "rumour",
}
ACTION_OF = {"incidents:move": "monitor", "responses:action-item-move": "start"}


def admin_object(world, model):
    if model is Incident:
        return world["incident"]
    if model is Statement:
        return world["statement"]
    if model._meta.label_lower == "auth.user":
        return world["users"]["comms"]
    if model._meta.label_lower == "responses.plantemplate":
        return world["template"]
    if model._meta.label_lower == "responses.responsetarget":
        return world["target"]
    return model._default_manager.order_by("pk").first()


def url_for(key, route, world):
    """The pattern's address with every argument filled from ``world``."""
    model, view = admin_model_of(key)
    if model is not None:
        obj = admin_object(world, model)
        if view in ("changelist", "add"):
            return reverse(key)
        if view == "(object)":
            return f"/admin/{model._meta.app_label}/{model._meta.model_name}/{obj.pk}/"
        if view == "simple_history":
            history_id = obj.history.order_by("history_id").first().history_id
            return reverse(key, args=[obj.pk, history_id])
        if view == "password_change":
            return reverse(key, args=[obj.pk])
        return reverse(key, kwargs={"object_id": obj.pk})
    if key == "admin:view_on_site":
        incident = world["incident"]
        content_type = ContentType.objects.get_for_model(Incident)
        return reverse(key, args=[content_type.pk, incident.pk])
    if key == "admin:app_list":
        return reverse(key, kwargs={"app_label": "incidents"})
    if key == "admin/(?P<url>.*)$":
        return "/admin/no-such-page/"
    kwargs = {}
    if "<reference:reference>" in route:
        kwargs["reference"] = world["incident"].reference
    if "<int:pk>" in route:
        kwargs["pk"] = next(
            world[name] for prefix, name in PK_OF.items() if key.startswith(prefix)
        ).pk
    if "<int:publication_pk>" in route:
        kwargs["publication_pk"] = world["publication"].pk
    if "<int:attempt_pk>" in route:
        kwargs["attempt_pk"] = world[
            "update_post" if key.startswith("connectors:update-") else "post"
        ].pk
    if "<slug:action>" in route:
        kwargs["action"] = ACTION_OF[key]
    if "<token:token>" in route:
        kwargs["token"] = world["incident"].public_token
    if "<slug:stamp>" in route:
        kwargs["stamp"] = world["profile"].stamp
    if "<str:secret>" in route:
        kwargs["secret"] = world["confirm_secret"]
    if "<str:key>" in route:
        kwargs["key"] = world["subscription"].key
    if "<slug:sha>" in route:
        kwargs["sha"] = world["profile"].logo_sha
    return reverse(key, kwargs=kwargs)


# Requests, rolled back


TRACKED_APPS = (
    "auth",
    "incidents",
    "responses",
    "connectors",
    "subscriptions",
    "lines",
    "sources",
    "audiences",
    "press",
    "rumours",
)


def state():
    """How many rows each of our tables holds (history included), every record's version, and
    every user's password and flags: a refused POST must leave all of it as it was."""
    seen = {}
    for app_label in TRACKED_APPS:
        for model in apps.get_app_config(app_label).get_models():
            rows = model._default_manager
            seen[model._meta.label] = rows.count()
            if "version" in {f.name for f in model._meta.concrete_fields}:
                seen[f"{model._meta.label} versions"] = sorted(rows.values_list("pk", "version"))
    seen["users"] = sorted(
        get_user_model().objects.values_list("pk", "password", "is_active", "is_staff")
    )
    return seen


def outcome(response):
    if response.status_code == 302:
        target = response["Location"]
        if target.startswith(reverse("admin:login") + "?"):
            return ADMIN_LOGIN
        if target.startswith(reverse("login") + "?"):
            return LOGIN
    return response.status_code


def ask(client, user, method, url, data=None, *, watch=True):
    """Send one request as ``user`` inside a rolled-back savepoint; returns (what it answered,
    whether the database changed, the response). With ``watch=False`` the database is not
    compared (``changed`` is False): for a POST whose change nobody reads, a permitted one."""
    client = Client()
    if user is not None:
        client.force_login(user)
    with transaction.atomic():
        watched = watch and method == "post"
        before = state() if watched else None
        try:
            response = getattr(client, method)(url, data or {})
        except Exception as error:  # noqa: BLE001 - a server error is one more wrong answer
            transaction.set_rollback(True)
            return f"500 ({type(error).__name__}: {error})", False, None
        changed = watched and state() != before
        transaction.set_rollback(True)
    return outcome(response), changed, response
