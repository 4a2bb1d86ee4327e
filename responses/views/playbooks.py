"""The playbooks (plan templates, kept by admins in the admin site), read-only, readable offline
(docs/offline.md)."""

from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from responses.models import PlanTemplate, PlanTemplateItem


@login_required
@require_safe
def playbooks(request):
    """Every active playbook with its items and holding statement. Two queries."""
    in_use = PlanTemplateItem.objects.filter(is_active=True)
    templates = PlanTemplate.objects.active().prefetch_related(
        Prefetch("items", queryset=in_use, to_attr="items_in_use")
    )
    return render(request, "responses/playbooks.html", {"templates": templates})


def kept_offline(user):
    """Everyone keeps the playbooks offline (crisis.offline)."""
    return [reverse("responses:playbooks")]
