"""The public page in the reader's language: a published customers variant shown in place of its
core to readers of its language (``?lang=``; a browser preferring it is sent there by
static/js/public-language.js: tests/e2e/test_public_language.py), a switch of links between the
languages, and validators that tell the languages apart, with no Vary (issue 19)."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from responses.models import Statement
from responses.public import public_page_url
from tests import factories

START = datetime(2031, 5, 2, 9, 0, tzinfo=UTC)
CORE = "We know some orders are late. We are on it."
FRENCH = "Nous savons que certaines commandes sont en retard."


def at(minutes):
    return time_machine.travel(START + timedelta(minutes=minutes), tick=False)


def get(client, incident, minutes=1, query="", **headers):
    """The page ``minutes`` after the start; ``headers`` as the test client's META names."""
    with at(minutes):
        return client.get(public_page_url(incident) + query, **headers)


def publish_variant(core, comms, manager, **fields):
    variant = factories.make_variant(core, comms, **fields)
    variant.approve(by=manager)
    return variant.publish(by=manager)


@pytest.fixture
def french(comms, manager):
    with at(0):
        incident = factories.make_incident(comms, public_title="Delayed orders")
        core = factories.make_statement(
            incident, comms, status=Statement.Status.PUBLISHED, body=CORE
        )
        incident.open_public_page(by=manager)
        publish_variant(core, comms, manager, language="fr", body=FRENCH)
    return incident


def test_a_reader_asking_for_french_reads_the_french_variant(client, french):
    response = get(client, french, query="?lang=fr")

    text = factories.page_text(response)
    assert FRENCH in text and CORE not in text
    assert '<html lang="fr">' in response.content.decode()


def test_the_address_alone_chooses_so_that_proxies_need_no_vary(client, french):
    response = get(client, french, HTTP_ACCEPT_LANGUAGE="fr-CH, fr;q=0.9, en;q=0.8")

    assert CORE in factories.page_text(response)
    assert not response.has_header("Vary")
    # The browser's script is offered only where there is a language to switch to.
    assert "js/public-language" in response.content.decode()


def test_other_readers_read_the_core(client, french):
    for response in (
        get(client, french),
        get(client, french, HTTP_ACCEPT_LANGUAGE="de-DE, en;q=0.5"),
        get(client, french, query="?lang=en", HTTP_ACCEPT_LANGUAGE="fr"),
        get(client, french, query="?lang=xx"),
    ):
        text = factories.page_text(response)
        assert CORE in text and FRENCH not in text


def test_the_switch_links_the_languages_the_page_has(client, french):
    html = get(client, french, query="?lang=fr").content.decode()

    base = public_page_url(french)
    assert f'href="{base}?lang=en"' in html and f'href="{base}?lang=fr"' in html
    assert 'aria-current="page" class="fw-semibold">Français' in html
    assert "?lang=de" not in html


def test_a_page_without_variants_has_no_switch(client, comms, manager):
    incident = factories.make_incident(comms)
    factories.make_statement(incident, comms, status=Statement.Status.PUBLISHED)
    incident.open_public_page(by=manager)

    response = client.get(public_page_url(incident))

    assert 'data-testid="language-switch"' not in response.content.decode()
    assert "js/public-language" not in response.content.decode()


def test_variants_not_published_or_for_other_audiences_stay_off_the_page(client, comms, manager):
    incident = factories.make_incident(comms)
    core = factories.make_statement(incident, comms, status=Statement.Status.PUBLISHED, body=CORE)
    incident.open_public_page(by=manager)
    factories.make_variant(core, comms, language="fr", body="Brouillon")
    approved = factories.make_variant(core, comms, language="de", body="Genehmigt")
    approved.approve(by=manager)
    publish_variant(core, comms, manager, audience_name="Press", language="es", body="Prensa")

    for lang in ("fr", "de", "es"):
        text = factories.page_text(client.get(public_page_url(incident) + f"?lang={lang}"))
        assert CORE in text
        assert not {"Brouillon", "Genehmigt", "Prensa"} & set(text.split())


def test_each_language_has_its_own_validators(client, french):
    in_english, in_french = get(client, french), get(client, french, query="?lang=fr")

    assert in_english["ETag"] != in_french["ETag"]
    again = get(client, french, 5, query="?lang=fr", HTTP_IF_NONE_MATCH=in_french["ETag"])
    assert again.status_code == 304
    assert not again.has_header("Vary")
    # A French reader's copy is no good to another reader, even if a proxy mixed them up.
    other = get(client, french, 5, HTTP_IF_NONE_MATCH=in_french["ETag"])
    assert other.status_code == 200


def test_a_variant_published_later_changes_every_language_of_the_page(
    client, french, comms, manager
):
    core = french.statements.get()
    in_english, in_french = get(client, french), get(client, french, query="?lang=fr")
    with at(10):
        publish_variant(core, comms, manager, language="de", body="Wir wissen es.")

    for first, query in ((in_english, ""), (in_french, "?lang=fr")):
        again = get(client, french, 11, query=query, HTTP_IF_NONE_MATCH=first["ETag"])
        assert again.status_code == 200
        assert again["Last-Modified"] == "Fri, 02 May 2031 09:10:00 GMT"
    german = get(client, french, 11, query="?lang=de")
    assert "Wir wissen es." in factories.page_text(german)


def test_hostile_text_in_a_variant_is_shown_as_text(client, comms, manager):
    incident = factories.make_incident(comms)
    core = factories.make_statement(incident, comms, status=Statement.Status.PUBLISHED)
    incident.open_public_page(by=manager)
    publish_variant(core, comms, manager, language="fr", body='<script>alert("x")</script>')

    html = client.get(public_page_url(incident) + "?lang=fr").content.decode()

    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


@pytest.mark.parametrize("count", [1, 10])
def test_the_page_in_a_language_costs_seven_queries_however_many_variants(
    count, client, comms, manager, django_assert_num_queries
):
    incident = factories.make_incident(comms)
    incident.open_public_page(by=manager)
    for n in range(count):
        core = factories.make_statement(incident, comms, status=Statement.Status.PUBLISHED)
        publish_variant(core, comms, manager, language="fr", body=f"Mise à jour {n}.")
        publish_variant(core, comms, manager, language="de", body=f"Neuigkeit {n}.")

    with django_assert_num_queries(7):
        response = client.get(public_page_url(incident) + "?lang=fr")

    assert factories.page_text(response).count("Mise à jour") == count
