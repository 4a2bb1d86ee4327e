"""The rules every record shares: long reasons kept whole, the frozen guard, no hard delete,
and the platforms list stored one way whichever path writes it."""

import pytest
from django.db import connection

from crisis.lifecycle import REASON_MAX_LENGTH, FrozenRecord, TransitionRefused
from incidents.models import AffectedParty, Incident
from responses.models import Publication, Review, Statement
from tests import factories

S = Incident.Status
LONG = "Because " + "the parody account kept posting, " * 60  # about 2,000 characters
LONG = LONG[: REASON_MAX_LENGTH - 1] + "."


# Defect 1: reasons longer than 100 characters ended in a 500 on PostgreSQL.


def test_a_cancel_reason_of_the_full_length_is_kept_whole_in_history(comms, manager):
    incident = factories.make_incident(comms)

    incident.cancel(by=manager, reason=LONG)

    row = incident.history.first()
    assert row.history_change_reason == f"Cancelled: {LONG}"
    assert factories.reload(incident).cancel_reason == LONG


def test_a_review_comment_and_a_withdraw_reason_of_the_full_length_are_kept(comms, manager):
    statement = factories.make_statement(factories.make_incident(comms), comms)
    statement.submit(by=comms)

    statement.request_changes(by=manager, comment=LONG)
    statement.withdraw(by=comms, reason=LONG)

    reasons = list(statement.history.values_list("history_change_reason", flat=True)[:2])
    assert reasons == [f"Withdrawn: {LONG}", f"Changes requested: {LONG}"]
    assert Review.objects.get(statement=statement).comment == LONG


def test_a_reason_over_the_limit_is_refused_with_a_message_and_nothing_changes(comms, manager):
    incident = factories.make_incident(comms)

    with pytest.raises(TransitionRefused, match="2,000 characters"):
        incident.cancel(by=manager, reason="x" * (REASON_MAX_LENGTH + 1))

    assert factories.reload(incident).status == S.TRIAGE


def test_the_cancel_page_keeps_a_long_reason(client_as, comms, manager):
    incident = factories.make_incident(comms)

    response = client_as(manager).post(
        f"/incidents/{incident.reference}/move/cancel/", {"reason": LONG}
    )

    assert response.status_code == 302
    assert factories.reload(incident).cancel_reason == LONG


def test_the_cancel_page_says_when_a_reason_is_too_long(client_as, comms, manager):
    incident = factories.make_incident(comms)

    response = client_as(manager).post(
        f"/incidents/{incident.reference}/move/cancel/",
        {"reason": "x" * (REASON_MAX_LENGTH + 1)},
        follow=True,
    )

    assert factories.messages_shown(response) == [
        ("danger", "Nothing moved: The note is too long: at most 2000 characters (it has 2001).")
    ]
    assert factories.reload(incident).status == S.TRIAGE


# Defect 2: a closed or cancelled incident and everything under it refuse changes.


@pytest.fixture(params=[S.CLOSED, S.CANCELLED])
def frozen_statement(request, comms):
    """A statement in review and a published one on an incident that is then frozen."""
    incident = factories.make_incident(comms)
    in_review = factories.make_statement(incident, comms)
    in_review.submit(by=comms)
    published = factories.make_statement(incident, comms, status=Statement.Status.PUBLISHED)
    party = factories.make_party(incident)
    factories.walk_to(incident, request.param)
    return factories.reload(in_review), factories.reload(published), party


def test_a_frozen_incidents_statements_refuse_every_move(frozen_statement, comms, manager):
    in_review, published, _party = frozen_statement
    before = factories.snapshot(in_review)

    with pytest.raises(FrozenRecord):
        in_review.request_changes(by=manager, comment="Too late to change")
    with pytest.raises(FrozenRecord):
        in_review.approve(by=manager)
    with pytest.raises(FrozenRecord):
        in_review.withdraw(by=comms)

    assert factories.snapshot(in_review) == before
    assert not Review.objects.filter(statement=in_review).exists()


def test_a_frozen_incidents_publication_links_and_parties_refuse_changes(frozen_statement, comms):
    _in_review, published, party = frozen_statement
    publication = published.publications.first()

    with pytest.raises(FrozenRecord):
        publication.set_link("https://x.com/acme/status/1", by=comms)
    party.description = "Changed from the shell"
    with pytest.raises(FrozenRecord):
        party.save()
    with pytest.raises(FrozenRecord):
        AffectedParty(incident_id=party.incident_id, kind="media", description="Press").save()

    assert Publication.objects.get(pk=publication.pk).url == ""
    assert factories.reload(party).description != "Changed from the shell"


def test_a_frozen_incident_refuses_a_plain_save_and_offers_a_form_error(frozen_statement):
    incident = frozen_statement[0].incident
    incident.title = "Rewritten after the fact"

    with pytest.raises(FrozenRecord):
        incident.save()
    with pytest.raises(Exception, match="frozen"):
        incident.full_clean()


def test_a_frozen_statement_page_offers_no_action(frozen_statement, client_as, manager):
    in_review, published, _party = frozen_statement

    review_page = factories.page_text(client_as(manager).get(in_review.get_absolute_url()))
    published_page = factories.page_text(client_as(manager).get(published.get_absolute_url()))

    assert ">Approve" not in review_page
    assert "Request changes" not in review_page
    assert ">Withdraw" not in review_page
    assert "Save link" not in published_page


def test_the_request_changes_page_refuses_on_a_frozen_incident(
    frozen_statement, client_as, manager
):
    in_review, _published, _party = frozen_statement

    response = client_as(manager).post(
        f"/statements/{in_review.pk}/request-changes/",
        {"version": in_review.version, "comment": "Please change"},
        follow=True,
    )

    assert any("frozen" in text for _level, text in factories.messages_shown(response))
    assert factories.reload(in_review).status == Statement.Status.IN_REVIEW


def test_a_manager_may_take_the_public_page_down_after_closing_but_not_reopen_it(comms, manager):
    incident = factories.make_incident(comms)
    incident.open_public_page(by=manager)
    factories.walk_to(incident, S.CLOSED)
    incident = factories.reload(incident)

    incident.close_public_page(by=manager)

    assert factories.reload(incident).is_public_page_open is False
    assert incident.history.first().history_change_reason == "Public page closed"
    with pytest.raises(FrozenRecord):
        incident.open_public_page(by=manager)
    assert factories.reload(incident).is_public_page_open is False


@pytest.mark.parametrize("status", [S.CLOSED, S.CANCELLED])
def test_only_a_manager_reopens_a_frozen_incident_and_only_with_a_reason(status, comms, manager):
    incident = factories.make_incident(comms, status=status)

    with pytest.raises(TransitionRefused, match="You may not reopen"):
        incident.reopen(by=comms, reason="Comms cannot")
    with pytest.raises(TransitionRefused, match="Say why"):
        incident.reopen(by=manager, reason="  ")
    incident.reopen(by=manager, reason="The story came back")

    reopened = factories.reload(incident)
    assert reopened.status == S.RESPONDING
    assert reopened.closed_at is None and reopened.cancelled_at is None
    assert incident.history.first().history_change_reason == "Reopened: The story came back"
    factories.make_party(reopened)  # and its records take changes again


# No hard delete: the history would lose its subject and its actors.


def test_no_record_of_an_incident_can_be_deleted(comms):
    statement = factories.make_statement(factories.make_incident(comms), comms)
    party = factories.make_party(statement.incident)

    for record in (statement.incident, party, statement):
        with pytest.raises(TransitionRefused, match="never deleted"):
            record.delete()

    assert Incident.objects.count() == 1
    assert AffectedParty.objects.count() == 1
    assert Statement.objects.count() == 1


# Defect 4: the platforms list is stored ",x,facebook," whatever path writes it.


def _stored_platforms(incident):
    with connection.cursor() as cursor:
        cursor.execute("SELECT platforms FROM incidents_incident WHERE id = %s", [incident.pk])
        return cursor.fetchone()[0]


@pytest.mark.parametrize(
    "given",
    [["x", "facebook"], "x,facebook", ",x,facebook,", " x , facebook ,x", ("x", "facebook")],
)
def test_platforms_are_stored_the_same_way_from_every_shape(given, comms):
    incident = factories.make_incident(comms, platforms=["reddit"])

    incident.platforms = given
    incident.save()

    assert _stored_platforms(incident) == ",x,facebook,"
    assert list(Incident.objects.on_platform("facebook")) == [incident]
    assert list(Incident.objects.on_platform("x")) == [incident]


def test_platforms_written_by_a_queryset_update_are_normalised_too(comms):
    incident = factories.make_incident(comms, platforms=["reddit"])

    # The shell path that skips save(): still normalised by the field.
    Incident.objects.filter(pk=incident.pk).update(platforms="x,facebook")

    assert _stored_platforms(incident) == ",x,facebook,"
    assert list(Incident.objects.on_platform("facebook")) == [incident]
    assert factories.reload(incident).platforms == ["x", "facebook"]


def test_no_platforms_are_stored_as_empty_text(comms):
    incident = factories.make_incident(comms, platforms=[])

    assert _stored_platforms(incident) == ""
    assert not Incident.objects.on_platform("x").exists()


def test_a_withdraw_reason_with_a_nul_byte_is_refused_with_a_message(client_as, comms):
    statement = factories.make_statement(factories.make_incident(comms), comms)

    response = client_as(comms).post(
        f"/statements/{statement.pk}/withdraw/", {"reason": "Out\x00dated"}, follow=True
    )

    assert any("NUL" in text for _level, text in factories.messages_shown(response))
    assert factories.reload(statement).status == Statement.Status.DRAFT


@pytest.mark.parametrize("status", [S.CLOSED, S.CANCELLED])
def test_the_incident_page_says_a_frozen_incident_is_frozen(status, client_as, comms, manager):
    incident = factories.make_incident(comms, status=status)

    as_comms = factories.page_text(client_as(comms).get(incident.get_absolute_url()))
    as_manager = factories.page_text(client_as(manager).get(incident.get_absolute_url()))

    assert f"This incident is {status.label.lower()}:" in as_comms
    assert "A manager may reopen it." in as_comms
    assert "You may reopen it with a reason." in as_manager


def test_an_open_incident_page_has_no_frozen_notice(client_as, comms):
    incident = factories.make_incident(comms)

    assert 'data-testid="frozen-notice"' not in factories.page_text(
        client_as(comms).get(incident.get_absolute_url())
    )


def test_a_page_refusing_a_cancelled_incident_says_cancelled_not_closed(client_as, comms):
    incident = factories.make_incident(comms, status=S.CANCELLED)

    response = client_as(comms).get(f"/incidents/{incident.reference}/parties/new/", follow=True)

    assert factories.messages_shown(response) == [
        (
            "danger",
            "The incident is cancelled: it and everything under it are frozen. "
            "A manager may reopen it.",
        )
    ]
