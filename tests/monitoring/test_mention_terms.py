"""Tracking terms: which texts a term finds, and which incident wins a mention."""

from datetime import UTC, datetime, timedelta

import pytest

from incidents.models import Incident
from monitoring.mentions import TermMatcher, ingest_mentions, split_terms, terms_match
from monitoring.models import Mention
from tests import factories


@pytest.mark.parametrize(
    ("terms", "text"),
    [
        ("acme", "ACME is down again"),
        ("acme", "Why, Acme?"),
        ("acme", "Acme's refund policy"),
        ("acme", "so tired of #acme"),
        ("acme", "cc @acme"),
        ("#acmefail", "another #AcmeFail."),
        ("@acme", "hey @Acme, answer me"),
        ("acme bank", "the Acme\n  Bank outage"),
        ("c++", "learning C++ today"),
        ("acme.com", "visit acme.com now"),
        ("o'neil", "Mr O'Neil said"),
        ("yahoo!", "yahoo! again"),
        ("straße", "STRASSE gesperrt"),
        # Cyrillic and Greek on word boundaries, any case.
        ("сбой", "Опять СБОЙ в приложении"),
        ("οδυσσέας", "ΟΔΥΣΣΈΑΣ ξανά"),
        # Arabic: on word boundaries, as written.
        ("الشركة", "مشكلة مع الشركة اليوم"),
        # Scripts written without spaces: found inside a run of text.
        ("银行", "某银行数据泄露了"),
        ("データ漏洩", "大規模なデータ漏洩が発生"),
        ("택배", "택배가 안 와요"),
        # Several terms, as the incident's field holds them.
        ("#late, delivery", "my DELIVERY is late"),
    ],
)
def test_a_term_finds_the_text(terms, text):
    assert terms_match(text, terms)


@pytest.mark.parametrize(
    ("terms", "text"),
    [
        ("acme", "acmes everywhere"),
        ("acme", "pacme"),
        ("acme", "@acme_support"),
        ("#acme", "acme is down"),
        ("#acme", "#acmefail"),
        ("@acme", "write to support@acme.com"),
        ("acme bank", "acme banking"),
        ("c++", "c++11 is old"),
        ("сбой", "сбойный"),
        ("οδυσσέας", "οδυσσέαςκαι"),
        ("الشركة", "الشركات"),
        ("", "anything"),
        (" , ", "anything"),
    ],
)
def test_a_term_does_not_find_the_text(terms, text):
    assert not terms_match(text, terms)


def test_terms_are_split_trimmed_folded_and_unique():
    assert split_terms(" #Late ,delivery,, DELIVERY , acme   bank ") == [
        "#late",
        "delivery",
        "acme bank",
    ]


def test_a_regex_character_in_a_term_is_taken_literally():
    assert terms_match("price (eur)", "(eur)")
    assert not terms_match("a.b", "axb")
    assert not terms_match("anything at all", ".*")


def test_the_matcher_gives_the_first_incident_in_its_order():
    matcher = TermMatcher([(1, "outage"), (2, "acme, outage"), (3, "")])

    assert matcher.match("Acme outage") == 1
    assert matcher.match("acme again") == 2
    assert matcher.match("nothing here") is None
    assert matcher.match("") is None


def test_a_phrase_of_a_lower_incident_does_not_hide_a_term_of_a_higher_one():
    # "acme bank" (incident 2) overlaps "bank outage" (incident 1): incident 1 still wins.
    matcher = TermMatcher([(1, "bank outage"), (2, "acme bank")])

    assert matcher.match("acme bank outage") == 1


@pytest.mark.django_db
def test_a_mention_matching_several_incidents_goes_to_the_most_severe_then_first_detected(comms):
    now = datetime(2026, 3, 14, 12, 0, tzinfo=UTC)
    minor = factories.make_incident(comms, severity=4, tracking_terms="outage")
    later = factories.make_incident(
        comms, severity=2, tracking_terms="outage", detected_at=now - timedelta(hours=1)
    )
    earlier = factories.make_incident(
        comms, severity=2, tracking_terms="outage", detected_at=now - timedelta(hours=2)
    )
    drill = factories.make_incident(comms, severity=1, tracking_terms="outage", is_drill=True)
    resolved = factories.make_incident(
        comms, severity=1, tracking_terms="outage", status=Incident.Status.RESOLVED
    )

    ingest_mentions([factories.mention_item(1, text="big outage")], source="t", now=now)
    ingest_mentions([factories.mention_item(2, text="drill outage")], source="t", now=now)

    assert set(Mention.objects.values_list("incident_id", flat=True)) == {earlier.pk}
    for other in (minor, later, drill, resolved):
        assert other.mentions.count() == 0


@pytest.mark.django_db
def test_a_drill_gets_mentions_no_real_incident_tracks(comms):
    drill = factories.make_incident(comms, tracking_terms="practice", is_drill=True)
    factories.make_incident(comms, tracking_terms="outage")

    ingest_mentions([factories.mention_item(1, text="a practice run")], source="t")

    assert Mention.objects.get().incident == drill
