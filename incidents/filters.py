import copy
from datetime import datetime, time, timedelta
from functools import cached_property

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import ModelChoiceIterator
from django.http import QueryDict
from django.utils import timezone

from crisis.fields import DayField
from incidents.forms import UserChoiceField, user_choices
from incidents.models import Incident, Platform


class _ReadOnce(ModelChoiceIterator):
    """A ModelChoiceIterator over the users its field read once (UserReadOnceField.users)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for user in self.field.users:
            yield self.choice(user)

    def __len__(self):
        return len(self.field.users) + (self.field.empty_label is not None)

    def __bool__(self):
        return self.field.empty_label is not None or bool(self.field.users)


class UserReadOnceField(UserChoiceField):
    """A user select whose options and whose check of the chosen user come from one query a
    form (Django's field asks the database again to check the value, then once more to render
    the options)."""

    iterator = _ReadOnce

    @cached_property
    def users(self):
        return list(self.queryset)

    def __deepcopy__(self, memo):
        copied = super().__deepcopy__(memo)
        copied.__dict__.pop("users", None)  # each form reads its own
        return copied

    def to_python(self, value):
        if value in self.empty_values:
            return None
        self.validate_no_null_characters(value)
        try:
            pk = self.queryset.model._meta.pk.to_python(value)
        except ValidationError:
            pk = None
        for user in self.users:
            if user.pk == pk:
                return user
        raise ValidationError(
            self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value}
        )


class UserFilter(django_filters.ModelChoiceFilter):
    field_class = UserReadOnceField


class DayFilter(django_filters.DateFilter):
    field_class = DayField


class IncidentFilter(django_filters.FilterSet):
    """The incident list's search and filters. An unknown value shows an error by its field
    and that filter is left out, rather than failing the page."""

    q = django_filters.CharFilter(method="filter_search", label="Search", widget=forms.TextInput)
    status = django_filters.ChoiceFilter(
        choices=Incident.Status.choices, empty_label="Any status", widget=forms.Select
    )
    severity = django_filters.ChoiceFilter(
        choices=Incident.Severity.choices, empty_label="Any severity", widget=forms.Select
    )
    category = django_filters.ChoiceFilter(
        choices=Incident.Category.choices, empty_label="Any category", widget=forms.Select
    )
    platform = django_filters.ChoiceFilter(
        choices=Platform.choices,
        method="filter_platform",
        label="Platform",
        empty_label="Any platform",
        widget=forms.Select,
    )
    # Only what an option shows: the list renders every active user on every request.
    lead = UserFilter(
        queryset=lambda request: user_choices().only("first_name", "last_name", "username"),
        empty_label="Any lead",
        widget=forms.Select,
    )
    # Whole local days, compared as times so that the index on detected_at serves them.
    detected_after = DayFilter(
        method="filter_detected_after",
        label="Detected from",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    detected_before = DayFilter(
        method="filter_detected_before",
        label="Detected until",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    # The reports page links here with drills left out, as its figures are.
    drill = django_filters.ChoiceFilter(
        choices=[("exclude", "Real incidents only"), ("only", "Drills only")],
        method="filter_drill",
        label="Drills",
        empty_label="Drills and real incidents",
        widget=forms.Select,
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

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        # What django-filter's __init__ does, less its deep copy of every filter with its
        # choices (a third of the list's filtering time): a filter keeps no state of a request
        # but its parent, and the form is built from a class made once (get_form_class).
        self.is_bound = data is not None
        self.data = data or QueryDict()
        self.queryset = queryset if queryset is not None else Incident.objects.all()
        self.request = request
        self.form_prefix = prefix
        self.filters = {}
        for name, base in self.base_filters.items():
            filter_ = copy.copy(base)
            filter_.model, filter_.parent = Incident, self
            filter_.method = base.method  # binds its method to this copy, found on this parent
            self.filters[name] = filter_

    @classmethod
    def _form_class(cls):
        """The filters' form class, made once: its fields hold no request's data (the leads'
        queryset is read afresh by each form), and each form copies them as forms do."""
        if "_made_form_class" not in cls.__dict__:
            form_class = type(
                f"{cls.__name__}Form",
                (cls._meta.form,),
                {name: filter_.field for name, filter_ in copy.deepcopy(cls.base_filters).items()},
            )
            # Bootstrap's look, set once here rather than by a template per field.
            for field in form_class.base_fields.values():
                css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
                field.widget.attrs["class"] = css
            cls._made_form_class = form_class
        return cls._made_form_class

    def get_form_class(self):
        return self._form_class()

    def mark_errors(self):
        """Flag the fields whose value was left out (after the filters ran), for the page."""
        for name in self.form.errors:
            if name in self.form.fields:
                widget = self.form.fields[name].widget
                widget.attrs["class"] += " is-invalid"
                widget.attrs["aria-invalid"] = "true"
                widget.attrs["aria-describedby"] = f"id_{name}_error"

    def filter_detected_after(self, queryset, name, value):
        return queryset.filter(detected_at__gte=_start_of(value))

    def filter_detected_before(self, queryset, name, value):
        return queryset.filter(detected_at__lt=_start_of(value + timedelta(days=1)))

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


def _start_of(day):
    """Midnight at the start of ``day`` in the current time zone."""
    return timezone.make_aware(datetime.combine(day, time.min))
