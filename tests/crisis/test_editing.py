"""``crisis.editing``: the one flow of every versioned record's edit page (saved, stale,
refused, not yet sent) and of every creating page guarded against a second sending (created,
sent again, refused, not yet sent), with stand-in forms and records so that only the flows are
under test."""

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.http import HttpResponse
from django.test import RequestFactory

from crisis import editing
from crisis.forms import OnceForm
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


class OnceStandInForm(OnceForm, forms.Form):
    title = forms.CharField()

    def edited_fields(self):
        return ["title"]


class Made:
    def __init__(self, number):
        self.number = number

    def get_absolute_url(self):
        return f"/made/{self.number}/"


class Refused(TransitionRefused):
    pass


def create_answer(request, form, create, **overrides):
    options = {
        "create": create,
        "done": "Made.",
        "template": "create.html",
        "context": {"incident": "the incident"},
    }
    options.update(overrides)
    return editing.create_once(request, form, **options)


def posted_form(token="one-form-token-0001", **data):
    return OnceStandInForm({"title": "Claim", "once_token": token, **data})


def maker(calls):
    def create(**fields):
        calls.append(fields)
        return Made(len(calls))

    return create


def test_a_valid_creating_post_creates_with_the_fields_and_goes_to_the_record(comms):
    calls = []
    request = request_as(comms)

    response = create_answer(request, posted_form(), maker(calls))

    assert calls == [{"title": "Claim"}]
    assert (response.status_code, response["Location"]) == (302, "/made/1/")
    assert [str(m) for m in get_messages(request)] == ["Made."]


def test_a_form_sent_again_creates_nothing_and_goes_to_the_first_record(comms, rendered):
    calls = []
    create_answer(request_as(comms), posted_form(), maker(calls))
    again = request_as(comms)

    response = create_answer(again, posted_form(), maker(calls))

    assert len(calls) == 1
    assert (response.status_code, response["Location"]) == (302, "/made/1/")
    assert [str(m) for m in get_messages(again)] == ["This was already saved: here it is."]
    assert rendered == []


def test_the_same_token_from_another_person_is_another_form(comms, manager):
    calls = []
    create_answer(request_as(comms), posted_form(), maker(calls))

    response = create_answer(request_as(manager), posted_form(), maker(calls))

    assert (len(calls), response["Location"]) == (2, "/made/2/")


def test_a_refused_creation_is_said_above_the_form_and_may_be_sent_again(comms, rendered):
    form = posted_form()

    def refuse(**fields):
        raise TransitionRefused("The incident is closed.")

    create_answer(request_as(comms), form, refuse)

    ((template, context),) = rendered
    assert (template, context["form"], context["incident"]) == ("create.html", form, "the incident")
    assert form.errors == {"__all__": ["The incident is closed."]}
    # The refusal undid the token: the same form creates when sent again.
    response = create_answer(request_as(comms), posted_form(), maker([]))
    assert response["Location"] == "/made/1/"


def test_a_refusal_named_for_a_field_is_said_by_that_field(comms, rendered):
    form = posted_form()

    def refuse(**fields):
        raise Refused("Taken.")

    create_answer(request_as(comms), form, refuse, refusal_fields={Refused: "title"})

    assert form.errors == {"title": ["Taken."]}


def test_a_get_or_an_invalid_creating_form_creates_nothing(comms, rendered):
    def create(**fields):
        pytest.fail("created")

    create_answer(request_as(comms, "get"), OnceStandInForm(), create)
    invalid = posted_form(title="")
    create_answer(request_as(comms), invalid, create)

    assert [context["form"].is_bound for _, context in rendered] == [False, True]
    assert "title" in invalid.errors
