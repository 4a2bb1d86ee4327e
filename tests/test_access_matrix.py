"""Who may open and post to every address of the site, in one table.

Every URL pattern of the URLconf (the app's, the admin site's, and any added later) is filled with
real objects of one fixture world (tests/access_world.py) and requested with GET and with an empty
POST by each role. The answers must be the ones the table (tests/access_policy.py) declares; a
pattern the table does not name fails the suite, so each new page states who may use it. Every
request runs in a savepoint that is rolled back, so one role's permitted POST does not change what
the next role sees; a refused POST must change nothing at all.
"""

from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.urls import resolve, reverse

from incidents.models import Incident
from tests import factories
from tests.access_policy import (
    ADMIN_MODELS,
    POLICY,
    REFUSED,
    ROLES,
    url_patterns,
)
from tests.access_world import ask, url_for, world  # noqa: F401 - world is a fixture

# The tests


def test_every_url_pattern_declares_who_may_use_it():
    keys = [key for key, _route, _pattern in url_patterns()]
    missing = [key for key in keys if key not in POLICY]
    assert not missing, (
        "These URL patterns have no line in the access policy (tests/access_policy.py); "
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
def test_each_role_gets_exactly_the_declared_answer_on_every_url(client, world, role):  # noqa: F811 - the fixture
    user = world["users"][role]
    wrong = []
    for key, route, _pattern in url_patterns():
        if key not in POLICY:
            continue  # named by the test above
        url = url_for(key, route, world)
        expected_get, expected_post = POLICY[key][role]
        got_get, _changed, _response = ask(client, user, "get", url)
        # Whether the database changed matters only where the POST must be refused.
        watch = expected_post in REFUSED
        got_post, changed, _response = ask(client, user, "post", url, watch=watch)
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
def test_no_record_is_reached_or_changed_through_another_incidents_address(client, world, role):  # noqa: F811 - the fixture
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
def test_no_one_is_shown_a_form_their_role_may_not_submit(client, world, role):  # noqa: F811 - the fixture
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
