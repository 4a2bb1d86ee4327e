"""The languages a variant may be written in: a short list the desk offers, not Django's every
language (``VARIANT_LANGUAGES`` in the settings replaces it). The core statement is written in
the desk's own language (``LANGUAGE_CODE``)."""

from django.conf import settings

DEFAULT_LANGUAGES = [
    ("en", "English"),
    ("fr", "Français"),
    ("de", "Deutsch"),
    ("es", "Español"),
    ("it", "Italiano"),
    ("nl", "Nederlands"),
    ("pt", "Português"),
    ("pl", "Polski"),
    ("sv", "Svenska"),
    ("ar", "العربية"),
    ("ja", "日本語"),
    ("zh-hans", "简体中文"),
]


def choices():
    """``[(code, name)]`` of the languages a variant may be written in, each named in itself."""
    return list(getattr(settings, "VARIANT_LANGUAGES", DEFAULT_LANGUAGES))


def core_language():
    """The code of the desk's own language, the core statement's (``en`` for ``en-gb``)."""
    return settings.LANGUAGE_CODE.split("-")[0].lower()


def name_of(code):
    return dict(choices()).get(code, code)
