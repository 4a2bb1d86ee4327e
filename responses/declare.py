"""Declaring an incident with a plan template: the declare form's extra field, its check and
what happens once the incident is declared (see crisis.panels.DeclareExtension)."""

from crisis.panels import DeclareExtension
from responses import plans
from responses.forms import PlanTemplateField
from responses.models import PlanTemplate


def _template_field(user):
    if not plans.may_apply(user):
        return {}
    field = PlanTemplateField(
        templates=list(PlanTemplate.objects.active()),
        empty_label="None: plan later",
        required=False,
        help_text="Its action items and a draft holding statement are made with the incident. "
        "It must be written for the category chosen above, or be general.",
    )
    return {"plan_template": field}


def _template_fits(cleaned_data):
    template, category = cleaned_data.get("plan_template"), cleaned_data.get("category")
    if template is None or not category:
        return {}
    if not template.is_active:
        return {"plan_template": f"“{template}” is retired: choose another template."}
    if not template.fits(category):
        return {
            "plan_template": f"“{template}” is written for "
            f"{template.get_category_display().lower()} incidents: choose one for the category "
            "above, or a general one."
        }
    if plans.names_public_title(template) and not (cleaned_data.get("public_title") or "").strip():
        return {"public_title": f"The plan template “{template}”: {plans.PUBLIC_TITLE_FIRST}"}
    return {}


def _apply_chosen_template(incident, cleaned_data, by):
    template = cleaned_data.get("plan_template")
    if template is None:
        return []
    return [plans.apply_template(template, incident, by).summary()]


declare_with_template = DeclareExtension(
    fields=_template_field,
    clean=_template_fits,
    after_declare=_apply_chosen_template,
    after="category",
)
