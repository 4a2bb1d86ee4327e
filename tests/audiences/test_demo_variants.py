"""The demo shows a published variant: the checkout outage's apology in French on its public
page, and a press release waiting for approval; seeding again adds none."""

from io import StringIO

import pytest
from django.core.management import call_command

from audiences.models import Variant
from responses.public import public_page_url

pytestmark = pytest.mark.django_db


def seed():
    out = StringIO()
    call_command("seed_demo", "--password", "demo-password-for-tests", stdout=out)
    return out.getvalue()


def test_the_demo_has_a_published_french_variant_on_its_public_page(client):
    output = seed()

    assert "Variants for audiences: 2 new." in output
    french = Variant.objects.select_related("core__incident", "author", "approved_by").get(
        language="fr"
    )
    assert french.is_published and french.audience.name == "Customers"
    assert (french.author.username, french.approved_by.username) == ("comms", "manager")
    assert Variant.objects.get(language="en").status == Variant.Status.DRAFT
    page = client.get(public_page_url(french.core.incident) + "?lang=fr")
    assert "Le paiement fonctionne de nouveau." in page.content.decode()


def test_seeding_again_adds_no_variant():
    seed()

    output = seed()

    assert "Variants for audiences: 0 new." in output
    assert Variant.objects.count() == 2
