"""A session ends after a spell without any request, and in any case some hours after signing in."""

from datetime import datetime, timedelta

import time_machine
from django.urls import reverse

from tests import factories

DASHBOARD = reverse("incidents:dashboard")
LOGIN = reverse("login")
SIGNED_IN = datetime(2026, 3, 14, 8, 0).astimezone()


def sign_in(client, comms):
    with time_machine.travel(SIGNED_IN, tick=False):
        response = client.post(LOGIN, {"username": "comms", "password": factories.PASSWORD})
    assert response.url == DASHBOARD
    return client


def visit_at(client, later, url=DASHBOARD):
    with time_machine.travel(SIGNED_IN + later, tick=False):
        return client.get(url)


def test_a_session_survives_hours_of_regular_use(client, comms):
    sign_in(client, comms)

    visits = [visit_at(client, timedelta(hours=hours)) for hours in (1, 7, 14, 21)]

    assert [v.status_code for v in visits] == [200, 200, 200, 200]


def test_a_session_ends_after_eight_hours_without_a_request(client, comms):
    sign_in(client, comms)
    visit_at(client, timedelta(hours=2))

    still_in = visit_at(client, timedelta(hours=9, minutes=59))
    signed_out = visit_at(client, timedelta(hours=18))

    assert still_in.status_code == 200
    assert signed_out.url == f"{LOGIN}?next={DASHBOARD}"


def test_the_idle_time_is_a_setting(client, comms, settings):
    settings.SESSION_COOKIE_AGE = 30 * 60
    sign_in(client, comms)

    response = visit_at(client, timedelta(minutes=31))

    assert response.url == f"{LOGIN}?next={DASHBOARD}"


def test_a_session_ends_a_day_after_signing_in_however_active(client, comms):
    sign_in(client, comms)
    for hours in (6, 12, 18, 23):
        assert visit_at(client, timedelta(hours=hours)).status_code == 200

    signed_out = visit_at(client, timedelta(hours=24, minutes=1))
    login_page = visit_at(client, timedelta(hours=24, minutes=1), signed_out.url)

    assert signed_out.url == f"{LOGIN}?next={DASHBOARD}"
    assert "_auth_user_id" not in client.session
    assert factories.messages_shown(login_page) == [
        (
            "info",
            "You were signed out: a session lasts at most 24 hours after signing in. "
            "Sign in again to go on.",
        )
    ]


def test_signing_in_again_starts_a_new_day(client, comms):
    sign_in(client, comms)
    visit_at(client, timedelta(hours=23))
    visit_at(client, timedelta(hours=24, minutes=1))

    with time_machine.travel(SIGNED_IN + timedelta(hours=24, minutes=2), tick=False):
        client.post(LOGIN, {"username": "comms", "password": factories.PASSWORD})

    assert visit_at(client, timedelta(hours=30)).status_code == 200


def test_the_absolute_limit_is_a_setting(client, comms, settings):
    settings.SESSION_ABSOLUTE_TIMEOUT = 2 * 60 * 60
    sign_in(client, comms)
    visit_at(client, timedelta(hours=1))

    response = visit_at(client, timedelta(hours=2, minutes=1))

    assert response.url == f"{LOGIN}?next={DASHBOARD}"


def test_a_session_from_before_the_limit_existed_is_signed_out(client, comms):
    sign_in(client, comms)
    with time_machine.travel(SIGNED_IN, tick=False):
        session = client.session
        del session["crisis_signed_in_at"]
        session.save()

    response = visit_at(client, timedelta(minutes=5))

    assert response.url == f"{LOGIN}?next={DASHBOARD}"
