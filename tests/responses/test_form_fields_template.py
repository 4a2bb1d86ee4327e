"""templates/_form_fields.html: the incident page's forms written without crispy's templates per
field, with each field labelled, its help text and its errors next to it."""

import re

import pytest
from django.template.loader import render_to_string

from responses.forms import (
    InternalUpdateForm,
    PlanApplyForm,
    PublicUpdateForm,
    UpdatePublishForm,
)
from tests.factories import make_incident, make_plan_template

pytestmark = pytest.mark.django_db


def _ids_labelled(html):
    return set(re.findall(r'<label for="([^"]+)"', html))


def test_every_visible_field_has_its_label_and_help_text():
    incident = make_incident(platforms=["x"])
    html = render_to_string(
        "_form_fields.html",
        {"form": PublicUpdateForm(auto_id="public-update-%s", incident=incident)},
    )
    labelled = _ids_labelled(html)
    assert {"public-update-body", "public-update-next_update_at"} <= labelled
    assert '<legend class="form-label fs-6">Target platforms</legend>' in html
    # Each platform's box has its own label, and the incident's own platform is ticked.
    assert 'value="x" id="public-update-target_platforms_0" checked>' in html
    assert 'for="public-update-target_platforms_0" class="form-check-label">X</label>' in html
    assert {f"public-update-target_platforms_{n}" for n in range(3)} <= labelled
    assert 'id="public-update-body_helptext" class="form-text">The words the audience' in html
    assert 'aria-describedby="public-update-body_helptext"' in html
    assert 'Public update<span class="asteriskField">*</span>' in html
    # The one-time key travels hidden, unlabelled.
    assert 'type="hidden" name="once_token"' in html
    assert 'for="public-update-once_token"' not in html


def _refused(data, auto_id):
    """A public update form refusing ``data``, written by the template."""
    form = PublicUpdateForm(data, auto_id=auto_id, incident=make_incident())
    assert not form.is_valid()
    return render_to_string("_form_fields.html", {"form": form})


def test_errors_stand_next_to_their_field_and_the_forms_own_above():
    html = _refused({"body": "", "next_update_at": "", "once_token": "bad"}, "public-update-%s")
    body = html.index('id="public-update-body"')
    error = html.index('id="public-update-body_error" class="invalid-feedback"')
    promise = html.index('id="div_public-update-next_update_at"')
    assert body < error < promise
    assert "Write the update first" in html[error:promise]
    assert "Say when the next update will come." in html[promise:]
    assert 'class="textarea form-control is-invalid"' in html
    assert 'aria-invalid="true"' in html
    assert (
        html.index('class="alert alert-block alert-danger"') < html.index("This form lost") < body
    )


def test_a_checkbox_lists_error_is_shown_under_its_boxes():
    html = _refused(
        {"body": "Hello", "next_update_at": "2001-01-01T00:00", "target_platforms": ["nowhere"]},
        "p-%s",
    )
    boxes_end = html.index("</fieldset>")
    error = html.index('id="p-target_platforms_error" class="invalid-feedback d-block"')
    assert html.index('id="p-target_platforms_0"') < error < boxes_end
    assert 'class="form-check-input is-invalid"' in html


def test_a_select_is_written_with_its_option_groups():
    template = make_plan_template()
    form = PlanApplyForm(templates=[template], category=template.category)
    html = render_to_string("_form_fields.html", {"form": form})
    assert '<label for="id_template" class="form-label requiredField">Plan template' in html
    assert re.search(
        r'<select name="template" class="select form-select"[^>]*id="id_template"', html
    )
    assert "<optgroup" in html
    assert f">{template.name}</option>" in html


def test_the_forms_it_writes_hold_only_the_fields_it_knows():
    """A single checkbox or a radio list would be written as a text box: such a form keeps
    crispy (see the template's comment)."""
    incident = make_incident()
    known = {"textarea", "text", "datetime", "select", "checkboxselectmultiple"}
    for form in (
        InternalUpdateForm(),
        PublicUpdateForm(incident=incident),
        PlanApplyForm(templates=[make_plan_template()]),
        UpdatePublishForm(),
    ):
        for field in form.visible_fields():
            assert field.widget_type in known, (type(form).__name__, field.name)
