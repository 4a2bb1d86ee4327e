"""Two managers submitting the same post-mortem at once, with real threads and connections: the
incident closes once, and the other manager is told it is already closed (see
tests/responses/test_concurrency.py for how each database queues the second)."""

import pytest

from incidents.models import Incident, PostMortem
from incidents.models.postmortem import SUBMITTED
from tests import factories
from tests.responses.test_concurrency import race


@pytest.mark.django_db(transaction=True)
def test_two_managers_submitting_at_once_close_the_incident_once():
    comms = factories.make_comms("author")
    managers = [factories.make_manager(f"manager-{n}") for n in range(2)]
    incident = factories.make_incident(comms, status=Incident.Status.RESOLVED)
    factories.make_postmortem(incident, by=comms)

    def submit(user):
        postmortem = PostMortem.objects.get(incident=incident)
        postmortem.lessons_learned = f"Written by {user.username}"
        postmortem.submit(by=user, expected_version=1)

    successes, refusals = race(managers, submit)

    assert len(successes) == 1
    assert len(refusals) == 1
    assert "already closed" in refusals[0] or "locked" in refusals[0]
    closed = factories.reload(incident)
    assert closed.status == Incident.Status.CLOSED
    assert closed.history.filter(status=Incident.Status.CLOSED).count() == 1
    stored = PostMortem.objects.get(incident=incident)
    assert stored.completed_by == successes[0]
    assert stored.lessons_learned == f"Written by {successes[0].username}"
    assert stored.history.filter(history_change_reason=SUBMITTED).count() == 1
