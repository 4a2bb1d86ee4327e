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
    open_only = django_filters.BooleanFilter(
        method="filter_open", label="Open only", widget=forms.CheckboxInput
    )

    class Meta:
        model = Incident
        fields = []

    def filter_search(self, queryset, name, value):
        return queryset.search(value)

    def filter_platform(self, queryset, name, value):
        return queryset.on_platform(value)

    def filter_open(self, queryset, name, value):
        return queryset.open() if value else queryset
