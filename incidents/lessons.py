"""What earlier incidents taught us: the lessons page, which searches the submitted post-mortems,
and the incident page's panel that brings back the lessons of earlier incidents of its kind.

The follow-up prevention items still not done are responses' part of the same suggestion (see
responses.panels.unfinished_prevention_panel): incidents does not know of action items.
"""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from crisis.converters import whole_number
from crisis.fields import DayField
from crisis.panels import Panel
from crisis.replica import reading_database
from crisis.search import text_search
from incidents.models import Incident, PostMortem

PAGE_SIZE = 20
# The incident page brings back this many lessons, the most recent first.
SUGGESTED_LESSONS = 3
# What the words are searched in.
LESSON_FIELDS = ("lessons_learned", "root_cause", "follow_up")
SEARCH_MAX_LENGTH = 200


def lessons():
    """Post-mortems that were submitted (drafts teach nothing yet), with their incidents, the
    most recent incident first."""
    return (
        PostMortem.objects.filter(completed_at__isnull=False)
        .select_related("incident")
        .order_by("-incident__detected_at", "-pk")
    )


class LessonSearchForm(forms.Form):
    q = forms.CharField(
        label="Words",
        required=False,
        max_length=SEARCH_MAX_LENGTH,
        help_text="Searched in the lessons, root causes and follow-ups. "
        'Use "quotes" for a phrase and -word to leave a word out.',
    )
    category = forms.ChoiceField(
        choices=[("", "Any category"), *Incident.Category.choices], required=False
    )
    severity = forms.TypedChoiceField(
        choices=[("", "Any severity"), *Incident.Severity.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    start = DayField(
        label="Detected from", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = DayField(
        label="Detected until", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", "The period cannot end before it starts.")
        return data

    def search(self, queryset):
        """``queryset`` narrowed by the fields that are valid (an invalid one is left out: its
        message shows by it)."""
        data = {name: value for name, value in self.cleaned_data.items() if name not in self.errors}
        if data.get("category"):
            queryset = queryset.filter(incident__category=data["category"])
        if data.get("severity"):
            queryset = queryset.filter(incident__severity=data["severity"])
        if data.get("start") and "end" not in self.errors:
            queryset = queryset.filter(incident__detected_at__date__gte=data["start"])
        if data.get("end"):
            queryset = queryset.filter(incident__detected_at__date__lte=data["end"])
        return text_search(queryset, data.get("q", ""), LESSON_FIELDS)


def lessons_url(**filters):
    query = QueryDict(mutable=True)
    query.update(filters)
    return reverse("incidents:lessons") + ("?" + query.urlencode() if filters else "")


@login_required
@require_safe
def lesson_list(request):
    form = LessonSearchForm(request.GET)
    form.is_valid()
    page = Paginator(form.search(lessons().using(reading_database())), PAGE_SIZE).get_page(
        whole_number(request.GET.get("page"))
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "is_filtered": any(value for value in query.values()),
    }
    return render(request, "incidents/lesson_list.html", context)


def lessons_panel(request, incident):
    """On a new or open incident, the lessons of earlier incidents of its category, the most
    recent first (one query; none on an incident that is over)."""
    if not incident.is_open:
        return None
    earlier = list(
        lessons()
        .filter(
            incident__category=incident.category, incident__declared_at__lt=incident.declared_at
        )
        .exclude(incident=incident)[:SUGGESTED_LESSONS]
    )
    if not earlier:
        return None
    return Panel(
        "incidents/_incident_lessons.html",
        {
            "incident": incident,
            "lessons": earlier,
            "more_url": lessons_url(category=incident.category),
        },
    )
