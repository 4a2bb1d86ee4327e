"""The navigation bar composed from the links each app registers (crisis/navigation.py), and the
desk's home that the brand and the error pages link to. That the kernel's templates name no app's
page: test_kernel_boundary.py."""

import re

import pytest
from django.template import loader
from django.urls import reverse

from crisis import navigation

MENU = [
    "Dashboard",
    "Incidents",
    "Reports",
    "Lessons",
    "Inbox",
    "Playbooks",
    "Rumours",
    "Media inquiries",
    "Lines",
    "Sources",
    "Contacts",
]


def bar(response):
    """The bar's menu as (label, href, current) and its buttons as (label, href)."""
    html = response.content.decode()
    nav = re.search(r'<nav class="navbar[^"]*" aria-label="Main">.*?</nav>', html, re.S).group(0)
    menu = re.findall(
        r'<a class="(?:nav-link|dropdown-item)( active" aria-current="page)?" data-nav '
        r'href="([^"]*)">([^<]*)',
        nav,
    )
    buttons = re.findall(r'<a class="btn btn-danger[^"]*" href="([^"]*)">([^<]*)</a>', nav)
    return [(label, href, bool(current)) for current, href, label in menu], buttons


def test_each_app_registers_its_links_once():
    assert [(link.label, link.url_name, link.place) for link in navigation.links] == [
        ("Dashboard", "incidents:dashboard", "menu"),
        ("Incidents", "incidents:list", "menu"),
        ("Lessons", "incidents:lessons", "menu"),
        ("Declare incident", "incidents:create", "action"),
        ("Inbox", "monitoring:inbox", "menu"),
        ("Reports", "responses:report", "menu"),
        ("Playbooks", "responses:playbooks", "more"),
        ("Contacts", "team:contacts", "more"),
        ("Lines", "lines:list", "more"),
        ("Rumours", "rumours:log", "more"),
        ("Sources", "sources:list", "more"),
        ("Media inquiries", "press:list", "more"),
    ]


def test_registering_again_keeps_one_and_a_place_must_be_known(monkeypatch):
    monkeypatch.setattr(navigation, "links", [])
    link = navigation.Link("Elsewhere", "account")
    navigation.register(link)
    navigation.register(navigation.Link("Elsewhere", "account"))
    assert navigation.links == [link]
    with pytest.raises(ValueError, match="menu"):
        navigation.register(navigation.Link("Odd", "account", place="footer"))


def test_links_are_shown_by_order_then_as_registered(monkeypatch, comms):
    monkeypatch.setattr(navigation, "links", [])
    for link in (
        navigation.Link("Third", "account", order=30),
        navigation.Link("First", "login", order=10),
        navigation.Link("Also third", "logout", order=30),
        navigation.Link("A button", "password_change", place="action"),
    ):
        navigation.register(link)

    shown = navigation.links_for(comms, reverse("login"), "menu")

    assert [(s.label, s.url, s.active) for s in shown] == [
        ("First", reverse("login"), True),
        ("Third", reverse("account"), False),
        ("Also third", reverse("logout"), False),
    ]
    assert [s.label for s in navigation.links_for(comms, None, "action")] == ["A button"]


def test_a_link_with_a_permission_is_shown_only_to_who_holds_it(monkeypatch, comms, viewer):
    monkeypatch.setattr(navigation, "links", [])
    navigation.register(navigation.Link("Declare", "account", permission="incidents.add_incident"))

    assert [s.label for s in navigation.links_for(comms, "/", "menu")] == ["Declare"]
    assert navigation.links_for(viewer, "/", "menu") == []


@pytest.mark.parametrize(
    "name, label",
    [
        ("incidents:dashboard", "Dashboard"),
        ("incidents:list", "Incidents"),
        ("responses:report", "Reports"),
        ("monitoring:inbox", "Inbox"),
        ("responses:playbooks", "Playbooks"),
        ("team:contacts", "Contacts"),
        ("lines:list", "Lines"),
        ("rumours:log", "Rumours"),
        ("sources:list", "Sources"),
        ("press:list", "Media inquiries"),
    ],
)
def test_the_bar_marks_the_page_shown(client_as, comms, name, label):
    menu, _buttons = bar(client_as(comms).get(reverse(name)))

    assert [shown for shown, _href, _current in menu] == MENU
    assert [(shown, href) for shown, href, current in menu if current] == [(label, reverse(name))]


def test_the_bar_for_each_role(client_as, comms, viewer, admin):
    declare = [(reverse("incidents:create"), "Declare incident")]

    menu, buttons = bar(client_as(viewer).get(reverse("incidents:lessons")))
    assert ([m[0] for m in menu], buttons) == (MENU, [])
    menu, buttons = bar(client_as(comms).get(reverse("incidents:lessons")))
    assert ([m[0] for m in menu], buttons) == (MENU, declare)
    menu, buttons = bar(client_as(admin).get(reverse("incidents:lessons")))
    assert ([m[0] for m in menu], buttons) == ([*MENU, "Admin"], declare)


def test_the_brand_and_the_way_back_lead_to_the_desks_home(client_as, viewer, settings):
    home = reverse("incidents:dashboard")
    assert navigation.home_url() == home

    page = client_as(viewer).get("/no-such-page/").content.decode()
    assert f'<a class="navbar-brand fw-semibold" href="{home}">Crisis Desk</a>' in page
    assert f'<a href="{home}">Back to the dashboard</a>' in page
    # The pages rendered without the request, when the database may be what failed.
    for template in ("400.html", "500.html", "503.html"):
        assert f'href="{home}">Crisis Desk</a>' in loader.render_to_string(template)

    settings.LOGIN_REDIRECT_URL = "account"
    page = client_as(viewer).get(reverse("password_change")).content.decode()
    assert f'<a class="btn btn-link" href="{reverse("account")}">Cancel</a>' in page
