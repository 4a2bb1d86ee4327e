"""Who may open and post to every address of the site, in one table.

Every URL pattern of the URLconf (the app's, the admin site's, and any added later) is filled with
real objects of one fixture world and requested with GET and with an empty POST by each role. The
answers must be the ones :data:`POLICY` declares; a pattern the table does not name fails the
suite, so each new page states who may use it. Every request runs in a savepoint that is rolled
back, so one role's permitted POST does not change what the next role sees; a refused POST must
change nothing at all.
"""

from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

from crisis.models import SecurityEvent
from incidents.models import ApiToken, Incident, SpikeThreshold
from responses.models import Statement
from tests import factories

ROLES = ("anonymous", "viewer", "comms", "manager", "admin")

# What a request may answer besides a plain status code.
LOGIN = "sign-in"  # 302 to the app's sign-in page
ADMIN_LOGIN = "admin sign-in"  # 302 to the admin site's sign-in page
REFUSED = {LOGIN, ADMIN_LOGIN, 401, 403, 404, 405}


# Small policies. Each gives {role: (GET, POST)}.


def same_for_all(get, post):
    return {role: (get, post) for role in ROLES}


def public(get=200, post=405):
    """Anyone, signed in or not."""
    return same_for_all(get, post)


def signed_in(get=200, post=405):
    """Any signed-in user (a Viewer reads everything internal)."""
    return {"anonymous": (LOGIN, LOGIN), **{role: (get, post) for role in ROLES[1:]}}


def comms_write(get=200, post=200):
    """Comms and above; a Viewer is refused."""
    return {
        "anonymous": (LOGIN, LOGIN),
        "viewer": (403, 403),
        **{role: (get, post) for role in ("comms", "manager", "admin")},
    }


def manager_write(get=405, post=302):
    """Managers (and admins, who hold every permission); Comms and Viewers are refused."""
    return {
        "anonymous": (LOGIN, LOGIN),
        "viewer": (403, 403),
        "comms": (403, 403),
        "manager": (get, post),
        "admin": (get, post),
    }


def admin_only(get=200, post=200):
    """The admin site: staff only; everyone else is sent to the admin's sign-in page."""
    return {
        **{role: (ADMIN_LOGIN, ADMIN_LOGIN) for role in ROLES[:4]},
        "admin": (get, post),
    }


# The app's pages. An action (POST only) answers 302 whatever its outcome, with a message; a form
# page re-renders an empty POST with its errors (200), or redirects when the record is frozen.
APP_POLICY = {
    # Signing in and out
    "login": {
        "anonymous": (200, 200),
        # Someone signed in is sent on to the dashboard.
        **{role: (302, 302) for role in ROLES[1:]},
    },
    "logout": public(get=405, post=302),
    "password_change": signed_in(get=200, post=200),
    # One's own account and two-factor sign-in (none of these users has it on: see
    # tests/crisis/test_two_factor.py for the ones who must).
    "account": signed_in(),
    "two-factor-setup": signed_in(get=200, post=200),
    # Nothing to verify, and no recovery codes just made: sent on.
    "two-factor-verify": signed_in(get=302, post=302),
    "two-factor-recovery-codes": signed_in(get=302, post=302),
    "two-factor-remove": signed_in(get=405, post=302),
    # For load balancers: anyone, revealing nothing (tests/crisis/test_operations.py).
    "healthz": public(get=200, post=405),
    # Incidents
    "incidents:dashboard": signed_in(),
    "incidents:dashboard-clocks": signed_in(),
    "incidents:list": signed_in(),
    "incidents:export": signed_in(),
    "incidents:lessons": signed_in(),
    "incidents:create": comms_write(),
    "incidents:detail": signed_in(),
    "incidents:edit": comms_write(),
    "incidents:move": comms_write(get=405, post=302),
    "incidents:history": signed_in(),
    "incidents:timeline": signed_in(),
    "incidents:party-create": comms_write(),
    "incidents:party-edit": comms_write(),
    "incidents:party-history": signed_in(),
    # The post-mortem: Comms and Managers write it (an empty POST lacks the form's version, so
    # the form comes back with its message); everyone signed in reads its report.
    "incidents:postmortem": comms_write(),
    "incidents:postmortem-report": signed_in(),
    "incidents:postmortem-markdown": signed_in(),
    "incidents:postmortem-history": signed_in(),
    # Mentions: everyone signed in reads them; Comms and above act on them and import them.
    "incidents:dashboard-spikes": signed_in(),
    "incidents:inbox": signed_in(),
    # Nothing selected: sent back to the inbox with a message.
    "incidents:inbox-act": comms_write(get=405, post=302),
    "incidents:import": comms_write(),
    # An empty mapping shows its errors by the fields, with the preview.
    "incidents:import-detail": comms_write(),
    "incidents:import-progress": comms_write(post=405),
    # The import waits for its columns, neither failed nor stalled: sent back with a message.
    "incidents:import-retry": comms_write(get=405, post=302),
    "incidents:mentions": signed_in(),
    "incidents:mentions-panel": signed_in(),
    "incidents:mentions-link-matching": comms_write(get=405, post=302),
    "incidents:mentions-unlink": comms_write(get=405, post=302),
    # Statements
    "responses:statement-create": comms_write(),
    "responses:statement-detail": signed_in(),
    "responses:statement-edit": comms_write(),
    "responses:statement-history": signed_in(),
    "responses:statement-submit": comms_write(get=405, post=302),
    "responses:statement-approve": manager_write(),
    "responses:statement-request-changes": manager_write(),
    # An empty publishing form is valid (links are optional): the draft is refused, with a message.
    "responses:statement-publish": manager_write(),
    "responses:statement-approve-publish": manager_write(),
    "responses:statement-withdraw": comms_write(get=405, post=302),
    "responses:publication-link": comms_write(get=405, post=302),
    # The public page
    "responses:public-page-open": manager_write(),
    "responses:public-page-close": manager_write(),
    "responses:public-page": public(),
    # The action plan
    "responses:action-item-create": comms_write(),
    "responses:action-item-edit": comms_write(),
    "responses:action-item-history": signed_in(),
    "responses:action-item-move": comms_write(get=405, post=302),
    "responses:action-item-up": comms_write(get=405, post=302),
    "responses:action-item-down": comms_write(get=405, post=302),
    "responses:plan-apply": comms_write(get=405, post=302),
    # Progress updates
    "responses:update-post": comms_write(),
    "responses:update-draft": comms_write(),
    "responses:update-edit": comms_write(),
    # A publication without its promise of the next update is shown again with the message (400).
    "responses:update-publish": manager_write(post=400),
    "responses:update-withdraw": comms_write(get=405, post=302),
    # Reports
    "responses:report": signed_in(),
    "responses:report-export": signed_in(),
    # The mentions API: a bearer token or nothing (401), whoever is signed in; its schema is
    # public (it describes the API, no data).
    "api:openapi-json": public(),
    "api:api-root": public(get=404, post=404),
    "api:mentions": same_for_all(405, 401),
    "api:incident-mentions": same_for_all(401, 405),
}

# The admin site's own pages, beside the ones of each registered model.
ADMIN_SITE_POLICY = {
    # The admin's pages answer an empty POST as they answer a GET, unless noted.
    "admin:index": admin_only(),
    "admin:login": {
        # Anyone not staff gets the form (told they may not use the admin if signed in).
        **{role: (200, 200) for role in ROLES[:4]},
        # Staff are sent on to the admin's index; an empty POST is a failed sign-in.
        "admin": (302, 200),
    },
    # Django's admin signs out by POST only; someone not staff is sent to the admin's index.
    "admin:logout": {**{role: (302, 302) for role in ROLES[:4]}, "admin": (405, 302)},
    "admin:password_change": admin_only(post=200),
    "admin:password_change_done": admin_only(post=405),
    # Without its query the autocomplete refuses even staff.
    "admin:autocomplete": admin_only(get=403, post=405),
    "admin:jsi18n": admin_only(post=405),
    "admin:view_on_site": admin_only(get=302, post=302),
    "admin:app_list": admin_only(),
    "admin/(?P<url>.*)$": admin_only(get=404, post=404),
}


def stock_admin(*, add=(200, 200), change=(200, 200), delete=(200, 200)):
    """One registered model's admin pages, keyed by the part of the URL name after the model.
    An empty POST re-renders a form with its errors (200); the delete page asks again (200)."""
    return {
        "changelist": admin_only(),
        "add": admin_only(*add),
        "change": admin_only(*change),
        "history": admin_only(),
        "delete": admin_only(*delete),
        # ``admin/<app>/<model>/<id>/`` sends on to the change page.
        "(object)": admin_only(get=302, post=302),
    }


def record_admin(*, add=(200, 200), change=(200, 200)):
    """A history-tracked record's admin pages: never deleted (403), and a past version is read,
    never reverted (403)."""
    return {
        **stock_admin(add=add, change=change, delete=(403, 403)),
        "simple_history": admin_only(post=403),
    }


# Each model the admin site registers, by ``app_label.model_name``. A model registered later must
# be added here, with its own policy.
ADMIN_MODELS = {
    # Sign-in attempts and lockouts (django-axes): read only (a POST is sent back to the list),
    # and cleared by deleting.
    "axes.accessattempt": stock_admin(add=(403, 403), change=(200, 302)),
    "axes.accesslog": stock_admin(add=(403, 403), change=(200, 302)),
    "axes.accessfailurelog": stock_admin(add=(403, 403), change=(200, 302)),
    # The sign-in audit: read only, never deleted.
    "crisis.securityevent": stock_admin(add=(403, 403), change=(200, 403), delete=(403, 403)),
    # People's authenticator apps and recovery codes: seen and removed (a lost phone), never
    # added or edited here.
    "otp_totp.totpdevice": stock_admin(add=(403, 403), change=(200, 403)),
    "otp_static.staticdevice": stock_admin(add=(403, 403), change=(200, 403)),
    # The role groups are never deleted (the world's first group is Comms).
    "auth.group": stock_admin(delete=(403, 403)),
    # People are deactivated, never deleted.
    "auth.user": stock_admin(delete=(403, 403)),
    "incidents.incident": record_admin(add=(403, 403)),
    "incidents.affectedparty": record_admin(add=(403, 403)),
    # Statements change only in the app, where the approval rules apply: read only here.
    "responses.statement": record_admin(add=(403, 403), change=(200, 403)),
    "responses.plantemplate": record_admin(),
    "responses.responsetarget": record_admin(add=(403, 403)),
    # Background tasks (django-tasks-db): read only, never added, changed or deleted by hand.
    "django_tasks_database.dbtaskresult": stock_admin(
        add=(403, 403), change=(200, 403), delete=(403, 403)
    ),
    # API tokens are revoked, never deleted; an empty form is shown again with its errors.
    "incidents.apitoken": stock_admin(delete=(403, 403)),
    # One row of thresholds: added once (the world has it), never deleted.
    "incidents.spikethreshold": stock_admin(add=(403, 403), delete=(403, 403)),
}
# The user admin's own page for setting a password.
ADMIN_SITE_POLICY["admin:auth_user_password_change"] = admin_only(post=200)


def admin_model_policy():
    policy = {}
    for model in admin.site._registry:
        opts = model._meta
        label = f"{opts.app_label}.{opts.model_name}"
        for view, expected in ADMIN_MODELS.get(label, {}).items():
            if view == "(object)":
                key = f"admin/{opts.app_label}/{opts.model_name}/<path:object_id>/"
            else:
                key = f"admin:{opts.app_label}_{opts.model_name}_{view}"
            policy[key] = expected
    return policy


POLICY = {**APP_POLICY, **ADMIN_SITE_POLICY, **admin_model_policy()}


# The URLconf, walked


def url_patterns(resolver=None, prefix="", namespace=None):
    """Every URL pattern as ``(key, route, pattern)``: the key is its namespaced name, or its
    full route when it has none."""
    resolver = resolver or get_resolver()
    found = []
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            found.extend(url_patterns(pattern, route, inner))
        else:
            assert isinstance(pattern, URLPattern)
            name = pattern.name and (f"{namespace}:{pattern.name}" if namespace else pattern.name)
            found.append((name or route, route, pattern))
    return found


def admin_model_of(key):
    """The model an admin URL is about, and which of its views, or (None, None)."""
    for model in admin.site._registry:
        opts = model._meta
        name = f"admin:{opts.app_label}_{opts.model_name}_"
        if key.startswith(name):
            return model, key.removeprefix(name)
        if key == f"admin/{opts.app_label}/{opts.model_name}/<path:object_id>/":
            return model, "(object)"
    return None, None


# One world with a record of every kind


@pytest.fixture
def world(comms, manager, viewer, admin, settings, tmp_path):
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django.core.files.uploadedfile import SimpleUploadedFile

    from incidents import imports
    from incidents.tasks import import_mentions

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
    SpikeThreshold.objects.create()
    # Someone with two-factor sign-in on (none of the five roles, whose pages it would change).
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    careful = factories.make_user("careful")
    TOTPDevice.objects.create(user=careful, name="Authenticator app")
    StaticDevice.objects.create(user=careful, name="Recovery codes")
    SecurityEvent.objects.create(kind=SecurityEvent.Kind.SIGN_IN_FAILED, username="careful")
    return {
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
    }


# Which record each app route's ``pk`` names, by URL name prefix.
PK_OF = {
    "incidents:party-": "party",
    "incidents:import-": "import",
    "responses:statement-": "statement",
    "responses:publication-": "published",
    "responses:action-item-": "item",
    "responses:update-": "update",
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
    if "<slug:action>" in route:
        kwargs["action"] = ACTION_OF[key]
    if "<token:token>" in route:
        kwargs["token"] = world["incident"].public_token
    return reverse(key, kwargs=kwargs)


# Requests, rolled back


TRACKED_APPS = ("auth", "incidents", "responses")


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


def ask(client, user, method, url, data=None):
    """Send one request as ``user`` inside a rolled-back savepoint; returns (what it answered,
    whether the database changed, the response)."""
    client = Client()
    if user is not None:
        client.force_login(user)
    with transaction.atomic():
        before = state() if method == "post" else None
        try:
            response = getattr(client, method)(url, data or {})
        except Exception as error:  # noqa: BLE001 - a server error is one more wrong answer
            transaction.set_rollback(True)
            return f"500 ({type(error).__name__}: {error})", False, None
        changed = method == "post" and state() != before
        transaction.set_rollback(True)
    return outcome(response), changed, response


# The tests


def test_every_url_pattern_declares_who_may_use_it():
    keys = [key for key, _route, _pattern in url_patterns()]
    missing = [key for key in keys if key not in POLICY]
    assert not missing, (
        "These URL patterns have no line in the access matrix (tests/test_access_matrix.py); "
        f"declare who may GET and POST each: {missing}"
    )
    unknown = sorted(set(POLICY) - set(keys))
    assert not unknown, f"The access matrix names URL patterns that no longer exist: {unknown}"


def test_every_registered_admin_model_declares_its_policy():
    registered = {model._meta.label_lower for model in admin.site._registry}
    assert registered == set(ADMIN_MODELS), (
        f"Admin models without a policy: {sorted(registered - set(ADMIN_MODELS))}; "
        f"policies without a model: {sorted(set(ADMIN_MODELS) - registered)}"
    )


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_exactly_the_declared_answer_on_every_url(client, world, role):
    user = world["users"][role]
    wrong = []
    for key, route, _pattern in url_patterns():
        if key not in POLICY:
            continue  # named by the test above
        url = url_for(key, route, world)
        expected_get, expected_post = POLICY[key][role]
        got_get, _changed, _response = ask(client, user, "get", url)
        got_post, changed, _response = ask(client, user, "post", url)
        if got_get != expected_get:
            wrong.append(f"GET {url} ({key}): expected {expected_get}, got {got_get}")
        if got_post != expected_post:
            wrong.append(f"POST {url} ({key}): expected {expected_post}, got {got_post}")
        if changed and expected_post in REFUSED:
            wrong.append(f"POST {url} ({key}) was refused but changed the database")
    assert not wrong, f"As {role}:\n" + "\n".join(wrong)


def nested_routes():
    """The app's routes that name a record inside an incident: a reference and a pk."""
    return [
        (key, route)
        for key, route, _pattern in url_patterns()
        if "<reference:reference>" in route and "<int:pk>" in route
    ]


def test_the_nested_routes_are_the_ones_the_cross_incident_check_covers():
    # If this list grows, the next test covers the new route automatically.
    assert len(nested_routes()) >= 10


@pytest.mark.parametrize("role", ["manager", "admin"])
def test_no_record_is_reached_or_changed_through_another_incidents_address(client, world, role):
    user = world["users"][role]
    wrong = []
    for key, route in nested_routes():
        url = url_for(key, route, world)
        # The same record, under the other incident's reference.
        foreign = url.replace(world["incident"].reference, world["other"].reference, 1)
        assert foreign != url
        for method, declared in zip(("get", "post"), POLICY[key][role], strict=True):
            got, changed, _response = ask(client, user, method, foreign)
            # A method the route never takes is refused before the record is looked up.
            expected = 405 if declared == 405 else 404
            if got != expected:
                wrong.append(f"{method.upper()} {foreign} ({key}): expected {expected}, got {got}")
            if changed:
                wrong.append(f"{method.upper()} {foreign} ({key}) changed the database")
    # A publication reached through a statement it does not belong to.
    url = reverse(
        "responses:publication-link",
        kwargs={"pk": world["statement"].pk, "publication_pk": world["publication"].pk},
    )
    got, changed, _response = ask(client, user, "post", url, {"url": "https://x.com/a/1"})
    if got != 404 or changed:
        wrong.append(f"POST {url}: expected 404 and no change, got {got} (changed: {changed})")
    assert not wrong, "\n".join(wrong)


class _PostForms(HTMLParser):
    """The action and fields of each ``<form method="post">`` of a page."""

    def __init__(self):
        super().__init__()
        self.forms = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "get").lower() == "post":
            self.forms.append(attrs.get("action"))


@pytest.mark.parametrize("role", ["viewer", "comms", "manager"])
def test_no_one_is_shown_a_form_their_role_may_not_submit(client, world, role):
    """A Viewer sees no form but signing out; Comms see no manager's button. Each POST form on
    a page the role may open must post to an address the table lets that role POST to."""
    user = world["users"][role]
    wrong = []
    pages = 0
    for key, route, _pattern in url_patterns():
        if POLICY.get(key, {}).get(role, (None,))[0] != 200:
            continue
        url = url_for(key, route, world)
        _got, _changed, response = ask(client, user, "get", url)
        if response is None or "text/html" not in response.get("Content-Type", ""):
            continue
        pages += 1
        reader = _PostForms()
        reader.feed(response.content.decode())
        for action in reader.forms:
            target = action or url
            name = resolve(target.split("?")[0].split("#")[0]).view_name
            expected = POLICY.get(name, {}).get(role, (None, None))[1]
            if expected in REFUSED:
                wrong.append(f"{url} ({key}) shows a form posting to {target}, refused: {expected}")
    assert pages >= 10
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize(
    "action",
    [a for a, move in Incident.MOVES.items() if move.permission != "incidents.change_incident"],
)
def test_comms_cannot_make_a_managers_move_through_the_move_address(client, comms, action):
    # The move address lets Comms in (most moves are theirs); cancelling, closing and reopening
    # a frozen incident are a manager's, and the model must refuse them.
    move = Incident.MOVES[action]
    incident = factories.make_incident(comms, status=sorted(move.sources)[0])
    url = reverse("incidents:move", kwargs={"reference": incident.reference, "action": action})

    got, changed, _response = ask(client, comms, "post", url, {"reason": "Trying anyway"})

    assert got == 302
    assert not changed
    assert factories.reload(incident).status == incident.status
