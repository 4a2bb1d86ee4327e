"""The benchmark's store reads like a real desk's where its pages show it."""

import pytest
from django.apps import apps

from bench.build import build
from crisis.roles import ROLE_PERMISSIONS, sync_roles
from incidents.models import Incident

pytestmark = pytest.mark.django_db


def test_the_busy_incident_has_a_public_title_for_its_public_page():
    # The roles come from a data migration, which a flushed database (live_server tests) lost.
    sync_roles(apps, ROLE_PERMISSIONS)
    store = build(incidents=12, open_incidents=2, years=1, log=lambda _line: None)

    busy = Incident.objects.get(pk=store["busy"].pk)
    assert busy.has_public_title
    assert busy.shown_public_title == "Late deliveries in the north"
    # The edits the store writes into its history carry it too.
    assert busy.history.latest().public_title == "Late deliveries in the north"
