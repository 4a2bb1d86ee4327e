"""The demo desk has a rumour found false, corrected on the checkout outage's public page, and
one still waiting for its statement; seeding again adds none."""

from io import StringIO

import pytest
from django.core.management import call_command

from incidents.models import Incident
from responses.public import public_page_url
from rumours.models import Rumour
from tests import factories

pytestmark = pytest.mark.django_db


def seed():
    out = StringIO()
    call_command("seed_demo", "--password", "demo-password-for-tests", stdout=out)
    return out.getvalue()


def test_the_demo_corrects_a_false_rumour_on_its_public_page(client):
    output = seed()

    assert "Rumours: 2 new." in output
    checkout = Incident.objects.get(title="Checkout outage during the autumn sale")
    shown = Rumour.objects.select_related("response").get(incident=checkout)
    assert shown.verification == Rumour.Verification.FALSE and shown.is_shown_publicly
    page = factories.page_text(client.get(public_page_url(checkout)))
    what_is_true = page.split("What is true", 1)[1]
    assert "Card numbers were stolen during the checkout outage." in what_is_true
    assert "No card details were exposed." in what_is_true
    # The giveaway's is seen in its mentions, and waits for its statement to be published.
    waiting = Rumour.objects.select_related("response").get(incident__title__startswith="Fake")
    assert waiting.mentions.count() == 3 and waiting.reach > 0
    assert waiting.public_refusal() == "Shown once its response statement is published."


def test_seeding_again_adds_no_rumour():
    seed()

    output = seed()

    assert Rumour.objects.count() == 2
    assert "Rumours: 0 new." in output
