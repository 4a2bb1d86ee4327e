import django_filters
from django import forms

from incidents.forms import UserChoiceField, user_choices
from incidents.models import Incident, Platform


class UserFilter(django_filters.ModelChoiceFilter):
    field_class = UserChoiceField


class IncidentFilter(django_filters.FilterSet):
    """The incident list's search and filters. An unknown value shows an error by its field
    and that filter is left out, rather than failing the page."""

    q = django_filters.CharFilter(method="filter_search", label="Search")
    status = django_filters.ChoiceFilter(choices=Incident.Status.choices, empty_label="Any status")
    severity = django_filters.ChoiceFilter(
        choices=Incident.Severity.choices, empty_label="Any severity"
    )
    category = django_filters.ChoiceFilter(
        choices=Incident.Category.choices, empty_label="Any category"
    )
    platform = django_filters.ChoiceFilter(
        choices=Platform.choices,
        method="filter_platform",
        label="Platform",
        empty_label="Any platform",
    )
    lead = UserFilter(queryset=lambda request: user_choices(), empty_label="Any lead")
    detected_after = django_filters.DateFilter(
        field_name="detected_at",
        lookup_expr="date__gte",
        label="Detected from",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    detected_before = django_filters.DateFilter(
        field_name="detected_at",
        lookup_expr="date__lte",
        label="Detected until",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    # The reports page links here with drills left out, as its figures are.
    drill = django_filters.ChoiceFilter(
        choices=[("exclude", "Real incidents only"), ("only", "Drills only")],
        method="filter_drill",
        label="Drills",
        empty_label="Drills and real incidents",
    )
    # The list's two tabs. A chosen status wins over the "open" tab, so that asking for
    # resolved incidents finds them wherever the person started.
    show = django_filters.ChoiceFilter(
        choices=[("open", "Open incidents"), ("all", "All incidents")],
        method="filter_show",
        empty_label=None,
        widget=forms.HiddenInput,
    )

    class Meta:
        model = Incident
        fields = []

    def filter_search(self, queryset, name, value):
        return queryset.search(value)

    def filter_platform(self, queryset, name, value):
        return queryset.on_platform(value)

    def filter_drill(self, queryset, name, value):
        return queryset.filter(is_drill=value == "only")

    def filter_show(self, queryset, name, value):
        if value == "open" and not self.form.cleaned_data.get("status"):
            return queryset.open()
        return queryset
