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

Providers must not run a query per row: the pages pin their query counts.

The Declare incident form is extended the same way (see :class:`DeclareExtension`): responses
adds its plan-template choice, so that declaring and applying a playbook are one step.

The timeline
------------
The incident page shows the latest entries of one chronological list, and the timeline page
shows all of them, filtered by kind. Each entry carries a ``kind`` (``"status"``,
``"statement"``, ``"action_item"``…) that the filter offers by its label. A provider of one kind
says so when it registers, and its entries without a kind get it:

    panels.register(panels.timeline_providers, item_entries, kind="action_item",
                    label="Action items", order=40)

A provider whose entries are of several kinds names them all, and sets ``entry.kind`` itself:

    panels.register(panels.timeline_providers, statement_entries, order=30,
                    kinds={"statement": "Statements", "review": "Reviews"})

Kinds are listed in the order they were first registered; registering a kind again keeps its
first label. A provider may also accept a keyword ``limit``: the incident page then asks for
only the newest ``limit`` entries (it must return at least those, and may return more), so a
long history is not read in full for a preview. ``crisis.history.timeline_entries`` does both:

    def item_entries(request, incident, *, limit=None):
        def describe(entry, record, before):  # before: the item's previous history row
            entry.kind = "action_item"
            entry.url = ...

        records = ActionItem.history.filter(incident_id=incident.pk).select_related(
            "history_user")
        return timeline_entries(ActionItem, records, limit=limit, describe=describe,
                                subject=lambda record: f"Action item: {record.title}")

An entry reads as its ``reason`` (the headline, from history: "Start responding: Facts
gathered"), its ``subject`` ("Statement: Holding statement", linked to ``url``), an optional
``detail`` line, and who and when. Entries of the same moment keep their providers' order.
``describe`` runs when a field of its entry is first read, so only the entries a page shows
are described (see :func:`timeline`).
"""

import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from django.db import connections
from django.db.models import Q
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
    # The timeline kinds its entries are of (empty: not said, so it is always asked).
    kinds: tuple = ()
    # Whether it takes the keyword ``limit`` (newest entries only).
    takes_limit: bool = False


incident_panels: list[Provider] = []
dashboard_panels: list[Provider] = []
timeline_providers: list[Provider] = []
# Every timeline kind and its label for the filter ("status": "Status moves"), in order.
timeline_kinds: dict[str, str] = {}


def register_kind(kind, label=None):
    """Name a timeline kind for the filter; the first label given wins."""
    timeline_kinds.setdefault(kind, label or kind.replace("_", " ").capitalize())


def register(registry, func, *, slot="main", order=100, kind=None, label=None, kinds=None):
    """Add ``func`` to ``registry`` once (``ready()`` may run more than once).

    For a timeline provider, ``kind`` and ``label`` name the one kind of its entries, or
    ``kinds`` maps each of several kinds to its label (see the module's docstring); a label of
    None says the provider makes entries of a kind that another app names.
    """
    if slot not in SLOTS:
        raise ValueError(f"A panel goes in one of {SLOTS}, not {slot!r}.")
    kinds = dict(kinds or {})
    if kind:
        register_kind(kind, label)
        kinds[kind] = label
    for name, name_label in kinds.items():
        if name_label is not None:
            register_kind(name, name_label)
    if all(provider.func is not func for provider in registry):
        takes_limit = "limit" in inspect.signature(func).parameters
        registry.append(Provider(func, slot, order, tuple(kinds), takes_limit))
    return func


# Reads that several providers of one page share (the answers of the latest call-outs, for the
# roll call and the timeline's call-outs): ``shared(request, key, load)`` runs ``load()`` once
# per request and hands every caller its result. A provider that reads a table another
# provider of the page reads asks for one read that serves both, under a key of its own app.
_SHARED = "_crisis_shared_reads"


def shared(request, key, load):
    """``load()``'s result, computed once per ``request`` for ``key`` (a hashable that names the
    read and what it depends on, e.g. ``("callouts", incident.pk, limit)``)."""
    reads = request.__dict__.setdefault(_SHARED, {})
    if key not in reads:
        reads[key] = load()
    return reads[key]


def read_together(*querysets):
    """The rows of several sliced querysets of one model (``[:5]``) in one query, each row once
    (in no particular order: the caller sorts). PostgreSQL reads their UNION, each part through
    its own index; SQLite, which cannot slice the parts of a compound query, reads ``pk IN
    (first) OR pk IN (second)…``, each IN answered from its index."""
    first = querysets[0]
    if connections[first.db].features.supports_slicing_ordering_in_compound:
        rows = first.union(*querysets[1:], all=True)
    else:
        either = Q()
        for queryset in querysets:
            either |= Q(pk__in=queryset.values("pk"))
        rows = first.model._default_manager.using(first.db).filter(either)
        rows.query.select_related = first.query.select_related
    return list({row.pk: row for row in rows}.values())


def render_panels(registry, request, *args):
    """Each slot's panels as HTML, in order: ``{"main": [html, …], "aside": [...]}``."""
    rendered = {slot: [] for slot in SLOTS}
    for provider in sorted(registry, key=lambda p: p.order):
        panel = provider.func(request, *args)
        if panel is not None:
            html = render_to_string(panel.template, panel.context, request=request)
            rendered[provider.slot].append(html)
    return rendered


def timeline(request, incident, *, kinds=None, limit=None):
    """Every provider's entries for ``incident``, oldest first: only those of ``kinds`` (a set
    of kind names) when given; at least the newest ``limit`` when given (take them from the
    end). Providers whose kinds are all left out are not asked.

    Entries from history (``crisis.history.entries_for``) are described when first read, so a
    page describes only the entries it shows. A provider of one kind makes entries of that
    kind: a filter keeps them without describing them; the entries of a provider of several
    kinds are described to learn theirs."""
    entries = []
    for provider in sorted(timeline_providers, key=lambda p: p.order):
        if kinds is not None and provider.kinds and not kinds & set(provider.kinds):
            continue
        if limit is not None and provider.takes_limit:
            found = provider.func(request, incident, limit=limit)
        else:
            found = provider.func(request, incident)
        if len(provider.kinds) == 1:
            stamp = partial(_default_kind, provider.kinds[0])
            for entry in found:
                entry.then(stamp)
        elif kinds is not None:
            found = [entry for entry in found if entry.kind in kinds]
        entries += found
    # Stable: entries at the same moment keep their providers' order.
    entries.sort(key=lambda e: e.at)
    return entries


def _default_kind(kind, entry):
    if not entry.kind:
        entry.kind = kind


# ---------------------------------------------------------------------------------------------
# Aids beside a form's text
# ---------------------------------------------------------------------------------------------
#
# A form where someone writes for the public (a statement, and later a media answer) may show
# what other apps offer to help write it: the app that owns the form names it (``"statement"``)
# and renders ``render_form_aids(name, request, incident, field)``, where ``field`` is the bound
# text field the aid writes into; an app that helps registers its provider for that name:
#
#     panels.register(panels.form_aid_registry("statement"), lines_aid, order=10)
#
# A provider is ``provider(request, incident, field)`` and returns a :class:`Panel` or None, like
# an incident panel, and runs a fixed number of queries.

form_aids: dict[str, list[Provider]] = {}


def form_aid_registry(name):
    """The providers of aids for the form named ``name`` (made on first use)."""
    return form_aids.setdefault(name, [])


def render_form_aids(name, request, *args):
    """The aids registered for the form ``name``, as HTML, in order."""
    rendered = render_panels(form_aid_registry(name), request, *args)
    return rendered["main"] + rendered["aside"]


@dataclass(frozen=True)
class DeclareExtension:
    """An app's optional fields on the Declare incident form, and what it does with them.

    - ``fields(user)`` returns ``{name: form field}`` to add, placed after the form's field named
      ``after`` (an empty dict for a user who may not use them);
    - ``clean(cleaned_data)`` returns ``{field name: message}`` for values that do not fit the
      rest of the form (the message shows by that field, and what was typed stays);
    - ``after_declare(incident, cleaned_data, by)`` runs inside the declaration's transaction and
      returns messages for the person; raising ``TransitionRefused`` undoes the declaration;
    - ``initial(request)``, if given, returns first values for the empty form from the request
      (the mentions selected in the inbox fill in a title and the tracking terms).
    """

    fields: Callable
    clean: Callable
    after_declare: Callable
    after: str = ""
    initial: Callable | None = None


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


def declare_initial(request):
    """The extensions' first values for the empty Declare incident form."""
    initial = {}
    for extension in declare_extensions:
        if extension.initial is not None:
            initial.update(extension.initial(request) or {})
    return initial


# Told after an incident's edit is saved: ``listener(request, before, incident)``, ``before``
# a copy of the incident as it was read (an app offers what the change makes possible).
edit_listeners: list[Callable] = []


def register_edit_listener(listener):
    """Add ``listener`` once (``ready()`` may run more than once)."""
    if listener not in edit_listeners:
        edit_listeners.append(listener)
    return listener


def after_edit(request, before, incident):
    for listener in edit_listeners:
        listener(request, before, incident)


# ---------------------------------------------------------------------------------------------
# Closing an incident with its post-mortem (incidents.PostMortem)
# ---------------------------------------------------------------------------------------------
#
# Three registries let the apps that own the records say what the post-mortem needs from them,
# so that incidents never imports responses:
#
# - a close gate is ``gate(incident)`` and returns a list of :class:`Refusal`: every reason the
#   incident may not close now (a Rectify item still open, a statement waiting in review), each
#   with the address where it can be dealt with. An empty list lets the incident close. A gate
#   runs inside the closing transaction, after the incident's row is locked.
# - a post-mortem fact provider is ``provider(incident)`` and returns a list of :class:`Fact`:
#   what the app knows (key moments, promises kept, items done late) for the post-mortem form;
#   its figures come from crisis.clocks. Mentions will add their volume here.
# - a report section provider is ``provider(incident)`` and returns a list of
#   :class:`ReportSection` for the printable report and its Markdown twin.
#
# Register them with ``register(panels.close_gates, gate, order=…)`` like any provider. Each
# provider runs a fixed number of queries, whatever the incident holds.


@dataclass(frozen=True)
class Refusal:
    """One unmet condition for closing: what to do, and where (a path, or "" for none);
    ``field`` names the post-mortem's own field when that is what is missing."""

    message: str
    url: str = ""
    field: str = ""


@dataclass(frozen=True)
class Fact:
    """One thing the app knows about an incident, shown on its post-mortem form.

    ``section`` groups facts on the form: ``moments`` (key moments of the timeline; ``at`` is
    set), ``figures`` (durations and counts), ``plan`` (the action plan), ``parties``,
    ``mentions``, ``press`` (journalists' inquiries). ``field`` names the post-mortem field
    whose empty text starts with this fact
    (``went_well``, ``went_wrong``, ``impact``, ``follow_up``…), or "" for a fact shown only.
    """

    section: str
    label: str
    value: str = ""
    at: object = None
    field: str = ""


FACT_SECTIONS = {
    "moments": "Key moments",
    "figures": "Figures",
    "plan": "Action plan",
    "parties": "Affected parties",
    "mentions": "Mentions",
    "press": "Media inquiries",
}


@dataclass(frozen=True)
class ReportEntry:
    """One item of a report section: a heading, when, its lines of text (the person's words,
    escaped by whoever renders them), and where it was published (``links``: (label, url))."""

    heading: str
    at: object = None
    lines: tuple = ()
    links: tuple = ()


@dataclass(frozen=True)
class ReportSection:
    title: str
    entries: tuple = ()
    empty: str = "None."
    order: int = 100


close_gates: list[Provider] = []
postmortem_facts: list[Provider] = []
report_sections: list[Provider] = []


def close_refusals(incident):
    """Every gate's refusals for closing ``incident``, in the gates' order."""
    refusals = []
    for provider in sorted(close_gates, key=lambda p: p.order):
        refusals += provider.func(incident)
    return refusals


def facts_for(incident):
    """Every provider's facts about ``incident``, in the providers' order; key moments by time."""
    facts = []
    for provider in sorted(postmortem_facts, key=lambda p: p.order):
        facts += provider.func(incident)
    moments = sorted((f for f in facts if f.section == "moments"), key=lambda f: f.at)
    return moments + [f for f in facts if f.section != "moments"]


def sections_for(incident):
    """Every provider's report sections about ``incident``, by their ``order``."""
    sections = []
    for provider in sorted(report_sections, key=lambda p: p.order):
        sections += provider.func(incident)
    return sorted(sections, key=lambda s: s.order)


# ---------------------------------------------------------------------------------------------
# The statement page, and the public page in the reader's language
# ---------------------------------------------------------------------------------------------
#
# A statement page provider is ``provider(request, statement)`` and returns a :class:`Panel` or
# None, shown in the page's main column below the text (audiences lists a core's variants):
#
#     panels.register(panels.statement_panels, variants_panel, order=10)
#
# An app that words published statements for readers of other languages registers one
# :class:`PageTranslation` (audiences: the customers' variants). The public page then takes the
# language the address asks for (``?lang=``, never ``Accept-Language``, so that the page needs no
# ``Vary``) among ``languages()``, counts the translation's changes in its validators, and shows
# the texts of that language in place of the statements' own.

statement_panels: list[Provider] = []


@dataclass(frozen=True)
class PageTranslation:
    """Other languages of the public page.

    - ``languages()``: ``[(code, name)]``, every language a reader may ask for (no queries);
    - ``changes()``: ``(sql, params)``, a ``SELECT`` of ``(history_date, history_id)`` rows of
      everything the translation shows, reading the public page's incident as
      ``(SELECT id FROM page)``: part of the page's one query for its validators;
    - ``texts(incident_id, language)``: ``(texts, shown)``, the texts to show in ``language``
      by statement id, and ``[(code, name)]`` of the languages the page has texts in. One
      query.
    """

    languages: Callable
    changes: Callable
    texts: Callable


page_translations: list[PageTranslation] = []


def register_page_translation(translation):
    """Add ``translation`` once (``ready()`` may run more than once)."""
    if translation not in page_translations:
        page_translations.append(translation)
    return translation


# Sections of the public page
# ---------------------------------------------------------------------------------------------
#
# The public page (read by the audience, without signing in, and kept by proxies) shows what
# its own app knows, and the sections other apps add (a "What is true" list of corrected
# rumours): an app registers a :class:`PublicSection` with ``register_public_section``. The page
# stays correct under caching because each section also says, in SQL, when what it shows last
# changed: the page's validators (ETag, Last-Modified) are computed in the page's one query, so
# a 304 still costs one query whatever the sections.


@dataclass(frozen=True)
class PublicSection:
    """A section of an incident's public page.

    - ``render(incident_id)`` returns a :class:`Panel` (its template is rendered without a
      request: nothing but the context) or None to show nothing; a fixed number of queries.
    - ``changes()`` returns ``(sql, params)``: a ``SELECT`` of two columns, a moment and a
      number (a history row's date and id), one row per change of what the section may show;
      the page's incident is ``(SELECT id FROM page)``. The page last changed at the latest of
      every section's moments, and its ETag sums their numbers.
    - ``templates`` are the section's templates, so a deploy that changes them changes the ETag.
    """

    render: Callable
    changes: Callable
    templates: tuple = ()
    order: int = 100


public_sections: list[PublicSection] = []


def register_public_section(section):
    """Add ``section`` once (``ready()`` may run more than once)."""
    if section not in public_sections:
        public_sections.append(section)
    return section


def render_public_sections(incident_id):
    """Every section's HTML for the public page of ``incident_id``, in order."""
    rendered = []
    for section in sorted(public_sections, key=lambda s: s.order):
        panel = section.render(incident_id)
        if panel is not None:
            rendered.append(render_to_string(panel.template, panel.context))
    return rendered
