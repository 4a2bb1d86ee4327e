"""The team's contact sheet: every active person with their role, phone number, deputy and time
zone (kept on their account: crisis.models.Profile), readable offline (docs/offline.md)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from crisis import roles


@login_required
@require_safe
def contacts(request):
    """Active people by name: role, phone (a tel: link), deputy, time zone. Two queries."""
    people = list(
        get_user_model()
        .objects.filter(is_active=True)
        .select_related("profile__deputy")
        .prefetch_related(Prefetch("groups"))
        .order_by("first_name", "last_name", "username")
    )
    rows = []
    for person in people:
        profile = getattr(person, "profile", None)
        deputy = profile.deputy if profile else None
        rows.append(
            {
                "person": person,
                "role": roles.role_name_from_groups(person),
                "phone": profile.phone if profile else "",
                "tel": "".join(ch for ch in profile.phone if ch.isdigit() or ch == "+")
                if profile
                else "",
                "deputy": deputy if deputy and deputy.is_active else None,
                "time_zone": (profile.time_zone if profile else "") or "",
            }
        )
    return render(request, "team/contacts.html", {"rows": rows})


def kept_offline(user):
    """Everyone keeps the contact sheet offline (crisis.offline)."""
    return [reverse("team:contacts")]
