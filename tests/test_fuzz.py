"""Every form of the site, fed awkward input by hypothesis: no server error, ever.

The forms are found, not listed: each page the access matrix's world lets a role open is read for
its ``<form method="post">`` elements, their fields and their choices. Each form's address is then
posted values built from what the page offered and from text that breaks careless code: NUL, lone
surrogates (sent as the bytes a broken client would send), right-to-left marks, 100 kB strings,
numbers as superscripts, dates out of range, markup. A page, an admin form or an API endpoint
added later is covered without touching this file.

Every answer must be a deliberate one (a re-rendered form that names what is wrong, a redirect
with a message, a refusal code), markup sent in must come back escaped, and each request is
rolled back so examples do not see each other. The number of examples per form comes from the
hypothesis profile (tests/conftest.py): 1,000 in CI, 30 by default.
"""

import copy
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import quote_from_bytes

import pytest
from django.db import transaction
from django.template.base import Template
from django.test import Client
from django.test.utils import _TestState
from django.urls import Resolver404, resolve
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crisis.auth import RENEW_EVERY, RENEWED_AT
from tests.access_policy import POLICY, REFUSED, url_patterns
from tests.access_world import outcome, url_for, world  # noqa: F401 - world is a fixture

MARKER = "<fz-marker>"

AWKWARD = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\ud800",  # a lone surrogate: sent as the bytes ED A0 80, which are not UTF-8
    "\udfff tail",
    "\u202eevil\u202c",  # right-to-left override
    "\u200f\u200e",
    "x" * 100_000,
    "\u00b2\u00b3",  # superscript digits
    "\u0661\u0662",  # Arabic-Indic digits
    "-1",
    "0",
    "1e309",
    "NaN",
    "9" * 40,
    "0001-01-01",
    "9999-12-31",
    "9999-12-31T23:59",
    "10000-01-01T00:00",
    "2026-02-30",
    "2026-13-01 25:61",
    '=HYPERLINK("http://evil.example")',
    MARKER,
    f'"><{MARKER[1:]}',
    "'; DROP TABLE incidents_incident; --",
    "%00%",
    "\\",
    "😀" * 300,
    "Line\r\nBcc: evil@example.com",  # a header after a line break, for mail subjects
]

text = st.one_of(st.sampled_from(AWKWARD), st.text(max_size=60))


@dataclass
class Field:
    name: str
    kind: str  # text, textarea, select, checkbox, hidden, ...
    value: str = ""
    choices: list = field(default_factory=list)


@dataclass
class Form:
    action: str
    fields: dict = field(default_factory=dict)
    page: str = ""


class _FormReader(HTMLParser):
    """Every POST form of a page, with its fields, their current values and their choices."""

    def __init__(self, page_url):
        super().__init__()
        self.page_url = page_url
        self.forms = []
        self._form = None
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            if (attrs.get("method") or "get").lower() == "post":
                self._form = Form(action=attrs.get("action") or self.page_url)
                self.forms.append(self._form)
            return
        if self._form is None or "name" not in attrs:
            return
        name = attrs["name"]
        if tag == "input":
            kind = (attrs.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset"):
                return
            known = self._form.fields.get(name)
            if known and kind in ("checkbox", "radio"):
                known.choices.append(attrs.get("value") or "on")
                return
            self._form.fields[name] = Field(
                name, kind, attrs.get("value") or "", [attrs.get("value") or "on"]
            )
        elif tag == "textarea":
            self._textarea = self._form.fields[name] = Field(name, "textarea")
        elif tag == "select":
            self._select = self._form.fields[name] = Field(name, "select")
        if tag == "option" and self._select is not None:
            self._select.choices.append(attrs.get("value", ""))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.value += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def view_name(url):
    try:
        return resolve(url.split("?")[0].split("#")[0]).view_name
    except Resolver404:
        return None


def forms_of_the_site(client, world, role, pages=None):  # noqa: F811 - the fixture's value
    """Each address a POST form of the site sends to, with the fields of one such form, as
    ``role`` sees the pages it may open (or only the pages keyed in ``pages``). Keyed by the
    address's URL pattern; ``found[name].page`` is the key of the page the form was read on."""
    found = {}
    for key, route, _pattern in url_patterns():
        if POLICY.get(key, {}).get(role, (None,))[0] != 200:
            continue
        if pages is not None and key not in pages:
            continue
        url = url_for(key, route, world)
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        reader = _FormReader(url)
        reader.feed(response.content.decode())
        for form in reader.forms:
            name = view_name(form.action)
            if name is None or name in ("logout", "admin:logout"):
                continue  # signing out is not input
            # The form with the most fields stands for its address (an edit page over a button).
            if name not in found or len(form.fields) > len(found[name].fields):
                form.page = key
                found[name] = form
    return found


# Which page shows the form each address is fuzzed with, by role: found by reading every page
# once per process; a later part reads only the pages of its own addresses (the world is built
# the same way each time, so the same page shows the same form).
_FORM_PAGES = {}


def forms_to_fuzz(client, world, role, keys):  # noqa: F811 - the fixture's value
    if role not in _FORM_PAGES:
        forms = forms_of_the_site(client, world, role)
        _FORM_PAGES[role] = {name: form.page for name, form in forms.items()}
        return forms
    pages = {_FORM_PAGES[role][key] for key in keys if key in _FORM_PAGES[role]}
    return forms_of_the_site(client, world, role, pages)


def value_for(spec):
    """A strategy for one field: what the page offered, one of its choices, or awkward text."""
    offered = [spec.value, *spec.choices]
    return st.one_of(st.sampled_from(offered), text)


def body(values):
    """A form body as a broken client could send it: lone surrogates become bytes that are not
    UTF-8, which the test client alone would refuse to encode."""
    pairs = []
    for name, value in values:
        raw = value.encode("utf-8", "surrogatepass")
        pairs.append(f"{quote_from_bytes(name.encode())}={quote_from_bytes(raw)}")
    return "&".join(pairs)


def keep_session_fresh(client):
    """Renew the client's session outside the rolled-back savepoints, as a real session is
    renewed (crisis.middleware.SessionLimitMiddleware, at most once a minute): otherwise every
    renewal is rolled back with its example, and after the first minute each POST would write
    the session again, work no real request does."""
    now = time.time()
    if now - getattr(client, "fuzz_renewed_at", 0) < RENEW_EVERY / 2:
        return
    session = client.session
    session[RENEWED_AT] = now
    session.save()
    client.fuzz_renewed_at = now


def post(client, url, values):
    """POST ``values`` with ``client`` in a rolled-back savepoint; returns (outcome, response).
    The client's cookies are put back too: a changed password cycles the session key, and the
    new session's row is rolled back with the rest."""
    keep_session_fresh(client)
    cookies = copy.deepcopy(client.cookies)
    with transaction.atomic():
        try:
            response = client.post(
                url, body(values), content_type="application/x-www-form-urlencoded"
            )
        except Exception as error:  # noqa: BLE001 - a server error is what we hunt
            transaction.set_rollback(True)
            client.cookies = cookies
            return f"500 ({type(error).__name__}: {error})", None
        transaction.set_rollback(True)
    client.cookies = cookies
    return outcome(response), response


def queued_messages(response):
    storage = getattr(response.wsgi_request, "_messages", None)
    return list(getattr(storage, "_queued_messages", []))


# Buttons whose outcome shows itself on the page they return to: the plan in its new order, the
# offer to link an incident's matching mentions put away ("Not now").
SILENT = {
    "responses:action-item-up",
    "responses:action-item-down",
    "monitoring:mentions-link-matching",
}

# Secret links whose POST is the action and whose answer is its outcome, not a form again: a
# reader's confirmation, and unsubscribing (RFC 8058's one-click POST is answered, not redirected).
OUTCOME_PAGES = {"subscriptions:confirm", "subscriptions:unsubscribe"}

EXPLAINED = (b"invalid-feedback", b"errorlist", b"alert-danger", b"alert-warning", b"errornote")


def check(key, got, response, sent=()):
    """The answer to one fuzzed POST is a deliberate one, and markup sent in comes back escaped."""
    shown = [(name, value[:80]) for name, value in sent]
    assert not str(got).startswith("500"), f"POST {key} {shown}: {got}"
    # 429: the subscribe form's limit per client (fuzzing sends it many valid addresses).
    assert got in (200, 302, 400, 403, 404, 409, 413, 429) or got in REFUSED, f"POST {key}: {got}"
    content = response.content
    assert MARKER.encode() not in content, f"POST {key} echoed markup unescaped"
    is_html = "text/html" in response.get("Content-Type", "")
    if got in (200, 400) and is_html and not key.startswith("admin:") and key not in OUTCOME_PAGES:
        # A form shown again says what is wrong next to the field or above the form.
        assert any(sign in content for sign in EXPLAINED), (
            f"POST {key} {shown} refused without a word"
        )
    if got == 302 and key.split(":")[0] in ("incidents", "responses") and key not in SILENT:
        # An action tells the person what happened, done or refused.
        assert queued_messages(response), f"POST {key} {shown} answered without a message"


FUZZ = settings(
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)


def form_keys(role):
    """The addresses whose POST the role may use, by the access matrix (known before the world
    exists, so each gets a test of its own): a manager reaches every form of the app, the admin
    every form of the admin site."""
    keys = []
    for key, _route, _pattern in url_patterns():
        expected_post = POLICY.get(key, {}).get(role, (None, None))[1]
        if expected_post is None or expected_post in REFUSED or expected_post == 405:
            continue
        if key in ("logout", "admin:logout", "login", "admin:login"):
            continue
        if role == "admin" and not key.startswith("admin:"):
            continue
        if role == "manager" and key.startswith("admin:"):
            continue
        keys.append(key)
    return keys


# The forms measured slowest per example at 1,000 examples on PostgreSQL, slowest first (a plan
# template with its steps, 50 fields; the account page's 600 time zones and the user's and group's
# permission lists, all rendered again with each refusal) run first, so that none of them starts
# last and ends the parallel run alone. A form not listed is still fuzzed, after these.
SLOWEST = (
    "admin:responses_plantemplate_change",
    "account-contact",
    "account-time-zone",
    "admin:auth_user_change",
    "admin:responses_plantemplate_add",
    "admin:auth_group_add",
    "admin:auth_group_change",
)
CASES = sorted(
    ((role, key) for role in ("manager", "admin") for key in form_keys(role)),
    key=lambda case: SLOWEST.index(case[1]) if case[1] in SLOWEST else len(SLOWEST),
)


def test_the_fuzzed_addresses_cover_the_apps_forms():
    manager_keys = {key for role, key in CASES if role == "manager"}
    assert {"incidents:create", "incidents:edit", "responses:statement-create"} <= manager_keys
    assert any(key.startswith("admin:incidents_incident") for _role, key in CASES)
    assert len(set(CASES)) == len(CASES), "each form is fuzzed once"
    assert {key for _role, key in CASES} >= set(SLOWEST), "the slowest forms are fuzzed too"


@pytest.fixture
def production_rendering(monkeypatch):
    """Templates render as in production while the fuzz runs. The test environment makes every
    template render (each option of a select is one) signal the test client, which keeps a copy of
    its context: on a page with a 600-option select that doubled each example's time, for
    ``response.context`` and ``response.templates``, which the fuzz does not read."""
    monkeypatch.setattr(Template, "_render", _TestState.saved_data.template_render)


def fuzz_form(client, key, url, form):
    """Send hypothesis' examples for one form's address and check every answer."""
    specs = list(form.fields.values())
    # An address no page shows a form for (a button on a page this world lacks) still gets
    # the usual names, so its refusals are exercised too.
    extra = ["reason", "note", "comment", "body", "version", "next_update_at"]
    names = [spec.name for spec in specs] + [name for name in extra if name not in form.fields]
    strategies = [value_for(spec) for spec in specs] + [text for _name in names[len(specs) :]]

    @FUZZ
    @given(values=st.tuples(*[st.one_of(st.none(), strategy) for strategy in strategies]))
    def fuzz(values):
        sent = [
            (name, value) for name, value in zip(names, values, strict=True) if value is not None
        ]
        # A browser always sends the CSRF token (the test client does not check its value).
        sent = [(name, value) for name, value in sent if name != "csrfmiddlewaretoken"]
        sent.append(("csrfmiddlewaretoken", "token"))
        got, response = post(client, url, sent)
        check(key, got, response, sent)

    fuzz()


# One test per address: at 1,000 examples per form on PostgreSQL the fuzz is the suite's longest
# work, and the parallel run (pytest-xdist, --dist worksteal) can share out small, even parts
# between its workers only if no part holds several forms (a part of a few long forms was a tail
# that one worker ran alone at the end).
@pytest.mark.parametrize(("role", "key"), CASES, ids=[f"{role}-{key}" for role, key in CASES])
def test_no_input_makes_a_form_fail(world, role, key, production_rendering):  # noqa: F811
    """One world and one signed-in client for one of a role's forms."""
    client = Client()
    client.force_login(world["users"][role])
    forms = forms_to_fuzz(client, world, role, [key])
    route = next(route for name, route, _pattern in url_patterns() if name == key)
    url = url_for(key, route, world)
    fuzz_form(client, key, url, forms.get(key, Form(action=url)))
