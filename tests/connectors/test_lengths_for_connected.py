"""The platform length rules (responses.lengths) stand before approval, so nothing too long for a
connected account is ever queued: Mastodon counts 500 graphemes."""

import pytest

from crisis.lifecycle import TransitionRefused
from responses.lengths import length_errors
from responses.models import Statement
from tests import factories

pytestmark = pytest.mark.django_db


def test_mastodon_counts_500_as_a_reader_sees_them():
    assert length_errors("a" * 500, ["mastodon"]) == []
    assert length_errors("👨‍👩‍👧" * 500, ["mastodon"]) == []  # one family emoji counts 1
    assert length_errors("a" * 501, ["mastodon"]) == [
        "Too long for Mastodon by 1 character (501 of 500)."
    ]


def test_a_text_too_long_for_a_connected_account_is_refused_at_approval(
    incident, comms, manager, mastodon_account
):
    statement = factories.make_statement(
        incident, comms, status=Statement.Status.IN_REVIEW, target_platforms=["mastodon"]
    )
    # Lengthened past the form and the verbs (a shell, a script): the approval still refuses.
    row = factories.reload(statement)
    row.body = "We are sorry. " * 40  # 560 characters
    row.save()

    with pytest.raises(TransitionRefused, match="Too long for Mastodon by 60 characters"):
        row.approve(by=manager)

    row.refresh_from_db()
    assert row.status == Statement.Status.IN_REVIEW
    assert not row.post_attempts.exists()


def test_the_form_refuses_it_before_it_goes_to_review(client_as, comms, incident, mastodon_account):
    response = client_as(comms).post(
        f"/incidents/{incident.reference}/statements/new/",
        {"kind": "holding", "body": "a" * 501, "target_platforms": ["mastodon"]},
    )

    assert response.status_code == 200
    assert "Too long for Mastodon by 1 character" in factories.page_text(response)
    assert not Statement.objects.filter(incident=incident).exists()
