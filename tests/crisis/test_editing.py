"""``crisis.editing.versioned_edit``: the one flow of every versioned record's edit page (saved,
stale, refused, not yet sent), with a stand-in form so that only the flow is under test."""

import pytest
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.http import HttpResponse
from django.test import RequestFactory

from crisis import editing
from crisis.lifecycle import StaleEdit, TransitionRefused
from tests import factories


class StandInForm:
    def __init__(self, valid=True):
        self.valid = valid
        self.cleaned_data = {"version": 3}
        self.caught_up_with = None

    def is_valid(self):
        return self.valid

    def edited_fields(self):
        return ["description"]

    def stale_message(self, current, *, noun=None):
        self.caught_up_with = current
        return f"stale {noun}"


@pytest.fixture
def rendered(monkeypatch):
    """What the page would render: the template and its context."""
    pages = []

    def render(request, template, context):
        pages.append((template, context))
        return HttpResponse("page")

    monkeypatch.setattr(editing, "render", render)
    return pages


def request_as(user, method="post"):
    request = getattr(RequestFactory(), method)("/edit/")
    request.user = user
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def answer(request, form, save, **overrides):
    options = {
        "template": "edit.html",
        "context": {"incident": "the incident"},
        "saved": lambda: HttpResponse("saved"),
        "refused_to": "/incident/",
        "save": save,
        "stale_noun": "party",
    }
    options.update(overrides)
    return editing.versioned_edit(request, form, **options)


def test_a_valid_post_is_saved_by_the_user_on_the_version_read(comms):
    calls = []

    response = answer(request_as(comms), StandInForm(), lambda **kw: calls.append(kw))

    assert response.content == b"saved"
    assert calls == [{"by": comms, "expected_version": 3, "fields": ["description"]}]


def test_a_get_renders_the_form_without_saving(comms, rendered):
    form = StandInForm()

    answer(request_as(comms, "get"), form, lambda **kw: pytest.fail("saved on a GET"))

    assert rendered == [
        (
            "edit.html",
            {"incident": "the incident", "form": form, "current": None, "current_by": None},
        )
    ]


def test_a_stale_save_shows_the_newer_version_and_who_saved_it(comms, manager, rendered, party):
    party.save_edit(by=manager, expected_version=party.version, fields=["impact"])
    current = factories.reload(party)
    form = StandInForm()
    request = request_as(comms)

    def save(**kw):
        raise StaleEdit(current=current)

    answer(request, form, save)

    ((template, context),) = rendered
    assert (context["current"], context["current_by"]) == (current, manager)
    assert form.caught_up_with == current
    assert [str(m) for m in get_messages(request)] == ["stale party"]


def test_a_refused_save_says_why_and_goes_back(comms, rendered):
    request = request_as(comms)

    def save(**kw):
        raise TransitionRefused("The incident is closed.")

    response = answer(request, StandInForm(), save)

    assert (response.status_code, response["Location"]) == (302, "/incident/")
    assert [str(m) for m in get_messages(request)] == ["The incident is closed."]
    assert rendered == []


def test_an_invalid_form_is_shown_again_unsaved(comms, rendered):
    form = StandInForm(valid=False)

    answer(request_as(comms), form, lambda **kw: pytest.fail("saved an invalid form"))

    assert rendered[0][1]["form"] is form
