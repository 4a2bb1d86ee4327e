from datetime import date, datetime

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.functional import lazy

# The days a person may type into any date or time field: the calendar less a day at each end.
# Python holds nothing before 1 Jan 0001 or after 31 Dec 9999, and a local day's bounds (its
# midnight, the next day's midnight) move by up to a day once turned into UTC for the
# database, so a day at the calendar's edge would fail the request instead of the field.
EARLIEST_DAY = date(1, 1, 2)
LATEST_DAY = date(9999, 12, 30)
OUT_OF_CALENDAR = (
    f"Choose a date from {EARLIEST_DAY:%d %b} {EARLIEST_DAY.year:04d} "
    f"until {LATEST_DAY:%d %b} {LATEST_DAY.year:04d}."
)


def within_calendar(value):
    """Refuse a date or a moment (read as its own wall-clock day) at the calendar's edges."""
    day = value.date() if isinstance(value, datetime) else value
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise ValidationError(OUT_OF_CALENDAR, code="out_of_calendar")


class DayField(forms.DateField):
    """A date from a form or a filter: every date field of the site, so that each refuses the
    calendar's edges with a message by the field rather than failing the request."""

    default_validators = [within_calendar]


def _with_time_zone(help_text):
    """``help_text`` followed by the time zone a typed moment is read in: the one active when the
    form is shown (a browser's date-time input says nothing of zones)."""
    note = f"Times are in {timezone.get_current_timezone_name()}."
    return f"{help_text} {note}" if help_text else note


class MomentField(forms.DateTimeField):
    """A date and time from a form (in the desk's time zone, which its help text names),
    refused at the calendar's edges like :class:`DayField`."""

    default_validators = [within_calendar]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Lazy: the zone is the one active when the form is shown, not when it was defined.
        self.help_text = lazy(_with_time_zone, str)(self.help_text)


class ChoiceListField(models.CharField):
    """A list of choice codes, stored as text like ``,x,facebook,``.

    The surrounding commas let ``field__contains=",x,"`` find one code with the same query on
    SQLite and PostgreSQL (JSONField's ``contains`` does not exist on SQLite), and the column stays
    a plain string that history tables copy as they are.
    """

    description = "A list of choices"

    def __init__(self, *args, item_choices=(), **kwargs):
        self.item_choices = list(item_choices)
        kwargs.setdefault("max_length", 255)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", list)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["item_choices"] = self.item_choices
        if kwargs.get("max_length") == 255:
            del kwargs["max_length"]
        if kwargs.get("blank") is True:
            del kwargs["blank"]
        if kwargs.get("default") is list:
            del kwargs["default"]
        return name, path, args, kwargs

    @staticmethod
    def lookup_value(code):
        """The string to pass to ``__contains`` to find rows holding ``code``."""
        return f",{code},"

    def from_db_value(self, value, expression, connection):
        return self.to_python(value)

    @staticmethod
    def codes(value):
        """The codes in ``value`` (a list, or text such as ``x,facebook`` or ``,x,``), each once,
        in their first order, without blanks: the one normalisation every path goes through."""
        if value is None:
            return []
        items = value.split(",") if isinstance(value, str) else value
        seen = []
        for item in items:
            code = str(item).strip()
            if code and code not in seen:
                seen.append(code)
        return seen

    def to_python(self, value):
        if value is None:
            return value
        return self.codes(value)

    def get_prep_value(self, value):
        # Every write (save, update(), bulk_create, the admin) stores ",x,facebook,", whatever
        # shape it was given in, so that the ``__contains`` lookup finds each code. Lookups do not
        # come through here: ``contains`` passes its value as it is.
        if value is None:
            return None
        codes = self.codes(value)
        return f",{','.join(codes)}," if codes else ""

    def value_to_string(self, obj):
        return self.get_prep_value(self.value_from_object(obj))

    def validate(self, value, model_instance):
        if not self.blank and not value:
            raise ValidationError(self.error_messages["blank"], code="blank")
        known = {code for code, _label in self.item_choices}
        for code in value or []:
            if code not in known:
                raise ValidationError(f"“{code}” is not one of the choices.", code="invalid_choice")

    def run_validators(self, value):
        # CharField's MaxLengthValidator would measure the list, not the stored text.
        stored = self.get_prep_value(value) or ""
        if self.max_length is not None and len(stored) > self.max_length:
            raise ValidationError("Too many choices.", code="max_length")

    def formfield(self, **kwargs):
        defaults = {
            "form_class": forms.TypedMultipleChoiceField,
            "choices": self.item_choices,
            "widget": forms.CheckboxSelectMultiple,
            "required": not self.blank,
            "label": self.verbose_name[:1].upper() + self.verbose_name[1:],
            "help_text": self.help_text,
        }
        defaults.update(kwargs)
        form_class = defaults.pop("form_class")
        return form_class(**defaults)

    def labels(self, value):
        names = dict(self.item_choices)
        return [names.get(code, code) for code in value or []]


def actor_field(verbose_name=None):
    """Who made a move on a record (``approved_by``, ``published_by``…): set by the move's verb,
    never by a form, kept as None when the person's account goes."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
