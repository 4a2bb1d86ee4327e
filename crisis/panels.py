"""The incident page and the dashboard are composed from what each app contributes.

An app registers its providers in its ``AppConfig.ready()``, so a new record (action items,
updates, mentions) adds its panel and its timeline entries without touching another app:

    from crisis import panels

    panels.register(panels.incident_panels, statements_panel, slot="main", order=20)
    panels.register(panels.timeline_providers, statement_entries)

- An incident panel provider is ``provider(request, incident)`` and returns a :class:`Panel`
  (its template and that template's context) or None to show nothing.
- A dashboard panel provider is ``provider(request)``, likewise.
- A timeline provider is ``provider(request, incident)`` and returns a list of
  :class:`crisis.history.Entry` (``entries_for`` makes them from history rows).
- An incident annotation is ``annotator(queryset)`` and returns the queryset of incidents with
  what the app knows of each added as annotations in the same query: the response clocks read
  the latest public word that way (``Incident.objects.with_clocks()``, see crisis.clocks).

Providers must not run a query per row: the pages pin their query counts.

The Declare incident form is extended the same way (see :class:`DeclareExtension`): responses
adds its plan-template choice, so that declaring and applying a playbook are one step.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.template.loader import render_to_string

# Where a panel goes on the page: the wide main column, or the narrow column of facts and
# clocks (which a phone shows first).
SLOTS = ("main", "aside")


@dataclass(frozen=True)
class Panel:
    template: str
    context: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Provider:
    func: Callable
    slot: str = "main"
    order: int = 100


incident_panels: list[Provider] = []
dashboard_panels: list[Provider] = []
timeline_providers: list[Provider] = []
incident_annotations: list[Provider] = []


def register(registry, func, *, slot="main", order=100):
    """Add ``func`` to ``registry`` once (``ready()`` may run more than once)."""
    if slot not in SLOTS:
        raise ValueError(f"A panel goes in one of {SLOTS}, not {slot!r}.")
    if all(provider.func is not func for provider in registry):
        registry.append(Provider(func, slot, order))
    return func


def annotate(registry, queryset):
    """``queryset`` passed through every annotator of ``registry``, in order."""
    for provider in sorted(registry, key=lambda p: p.order):
        queryset = provider.func(queryset)
    return queryset


def render_panels(registry, request, *args):
    """Each slot's panels as HTML, in order: ``{"main": [html, …], "aside": [...]}``."""
    rendered = {slot: [] for slot in SLOTS}
    for provider in sorted(registry, key=lambda p: p.order):
        panel = provider.func(request, *args)
        if panel is not None:
            html = render_to_string(panel.template, panel.context, request=request)
            rendered[provider.slot].append(html)
    return rendered


def timeline(request, incident):
    """Every provider's entries for ``incident``, oldest first."""
    entries = []
    for provider in sorted(timeline_providers, key=lambda p: p.order):
        entries += provider.func(request, incident)
    # Stable: entries at the same moment keep their providers' order.
    entries.sort(key=lambda e: e.at)
    return entries


@dataclass(frozen=True)
class DeclareExtension:
    """An app's optional fields on the Declare incident form, and what it does with them.

    - ``fields(user)`` returns ``{name: form field}`` to add, placed after the form's field named
      ``after`` (an empty dict for a user who may not use them);
    - ``clean(cleaned_data)`` returns ``{field name: message}`` for values that do not fit the
      rest of the form (the message shows by that field, and what was typed stays);
    - ``after_declare(incident, cleaned_data, by)`` runs inside the declaration's transaction and
      returns messages for the person; raising ``TransitionRefused`` undoes the declaration.
    """

    fields: Callable
    clean: Callable
    after_declare: Callable
    after: str = ""


declare_extensions: list[DeclareExtension] = []


def register_declare_extension(extension):
    """Add ``extension`` once (``ready()`` may run more than once)."""
    if extension not in declare_extensions:
        declare_extensions.append(extension)
    return extension


def after_declare(incident, cleaned_data, by):
    """Run every extension's ``after_declare``; their messages, in order."""
    notes = []
    for extension in declare_extensions:
        notes += extension.after_declare(incident, cleaned_data, by) or []
    return notes
