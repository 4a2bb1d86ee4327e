"""The navigation bar is composed from what each app contributes, like the incident page's panels
(crisis.panels): the kernel's templates name no app's page.

An app registers its links in its ``AppConfig.ready()``:

    from crisis import navigation

    navigation.register(navigation.Link("Incidents", "incidents:list", order=20))
    navigation.register(
        navigation.Link("Declare incident", "incidents:create", place="action",
                        permission="incidents.add_incident")
    )

- ``place`` says where the link goes: ``"menu"``, the bar's list of pages (the one being shown
  is marked active, with ``aria-current="page"``); ``"more"``, the pages read less often, in the
  bar's "More" menu (so the bar fits a laptop); or ``"action"``, the button beside it.
- ``permission`` shows the link only to people holding that permission ("" for everyone).
- Links of a place are shown by their ``order``, then in the order they were registered.

The desk's home (the bar's brand, and the error pages' way back) is ``settings.LOGIN_REDIRECT_URL``,
where signing in lands. Nothing here queries the database but the person's permissions, which
Django reads once per request (the same cache a template's ``perms`` reads).
"""

from dataclasses import dataclass

from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import reverse

PLACES = ("menu", "more", "action")


@dataclass(frozen=True)
class Link:
    label: str
    url_name: str
    order: int = 100
    place: str = "menu"
    permission: str = ""


@dataclass(frozen=True)
class Shown:
    """A link as the bar shows it to one person on one page."""

    label: str
    url: str
    active: bool


links: list[Link] = []


def register(link):
    """Add ``link`` once (``ready()`` may run more than once)."""
    if link.place not in PLACES:
        raise ValueError(f"A link goes in one of {PLACES}, not {link.place!r}.")
    if link not in links:
        links.append(link)
    return link


def links_for(user, path, place):
    """The links of ``place`` that ``user`` may follow, in order; the one at ``path`` active."""
    shown = []
    placed = [link for link in links if link.place == place]
    for link in sorted(placed, key=lambda link: link.order):
        if link.permission and not user.has_perm(link.permission):
            continue
        url = reverse(link.url_name)
        shown.append(Shown(link.label, url, url == path))
    return shown


def home_url():
    """Where the desk starts: the bar's brand and the error pages' way back link there."""
    return resolve_url(settings.LOGIN_REDIRECT_URL)
