"""Every verb that may win only once, or must not lose an edit, run by two people at the same
moment with real threads and database connections (tests/races.py). Each ends with exactly one
winner and a record that shows one decision; the loser is told, nothing is overwritten. The same
tests run on SQLite and on PostgreSQL.
"""

import pytest

from incidents.models import AffectedParty, Incident
from responses.models import ActionItem, PlanApplication, ProgressUpdate, Statement
from responses.plans import AlreadyApplied, TemplateRefused, apply_template
from tests import factories
from tests.races import REFUSALS, race

pytestmark = pytest.mark.django_db(transaction=True)

STATUS = Incident.Status


def two(make, prefix):
    return [make(f"{prefix}-{n}") for n in range(2)]


def history_reasons(record, text):
    return record.history.filter(history_change_reason__startswith=text).count()


# Incidents


def test_two_people_resolving_one_incident_at_once_resolve_it_once():
    people = two(factories.make_comms, "comms")
    incident = factories.make_incident(people[0], status=STATUS.MONITORING)

    successes, refusals = race(
        people, lambda user: Incident.objects.get(pk=incident.pk).resolve(by=user)
    )

    assert (len(successes), len(refusals)) == (1, 1)
    stored = factories.reload(incident)
    assert stored.status == STATUS.RESOLVED
    assert history_reasons(stored, "Mark resolved") == 1
    assert stored.history.first().history_user == successes[0]


def test_two_different_moves_at_once_leave_the_incident_in_one_of_them():
    comms, manager = factories.make_comms("comms-a"), factories.make_manager("manager-a")
    incident = factories.make_incident(comms, status=STATUS.RESPONDING)
    moves = {
        comms: lambda: Incident.objects.get(pk=incident.pk).monitor(by=comms),
        manager: lambda: Incident.objects.get(pk=incident.pk).cancel(
            by=manager, reason="A false alarm after all"
        ),
    }

    successes, refusals = race([comms, manager], lambda user: moves[user]())

    assert (len(successes), len(refusals)) == (1, 1)
    stored = factories.reload(incident)
    assert stored.status == (STATUS.MONITORING if successes[0] == comms else STATUS.CANCELLED)
    # One move recorded after the declaration and the walk to Responding, not two.
    assert stored.history.filter(status__in=[STATUS.MONITORING, STATUS.CANCELLED]).count() == 1


def test_two_people_editing_one_incident_at_once_keep_one_edit_and_refuse_the_other():
    people = two(factories.make_comms, "editor")
    incident = factories.make_incident(people[0])

    def edit(user):
        copy = Incident.objects.get(pk=incident.pk)
        copy.summary = f"What {user.username} knows"
        copy.save_edit(by=user, expected_version=incident.version, fields=["summary"])

    successes, refusals = race(people, edit)

    assert (len(successes), len(refusals)) == (1, 1)
    stored = factories.reload(incident)
    assert stored.summary == f"What {successes[0].username} knows"
    assert stored.version == incident.version + 1


def test_two_declarations_at_once_get_two_references():
    people = two(factories.make_comms, "declarer")

    successes, refusals = race(
        people,
        lambda user: Incident.declare(
            by=user, title=f"Storm seen by {user.username}", category="other", platforms=["x"]
        ),
    )

    references = list(Incident.objects.values_list("reference", flat=True))
    # SQLite may give up waiting on its lock: then one declared, and nothing half-made remains.
    assert len(references) == len(successes) == 2 - len(refusals)
    assert len(set(references)) == len(references)


def test_two_managers_opening_the_public_page_at_once_open_it_once():
    comms = factories.make_comms()
    managers = two(factories.make_manager, "manager")
    incident = factories.make_incident(comms, status=STATUS.RESPONDING)

    successes, refusals = race(
        managers, lambda user: Incident.objects.get(pk=incident.pk).open_public_page(by=user)
    )

    assert (len(successes), len(refusals)) == (1, 1)
    stored = factories.reload(incident)
    assert stored.is_public_page_open
    assert history_reasons(stored, "Public page opened") == 1


# Records under an incident


def test_two_people_editing_one_party_at_once_keep_one_edit():
    people = two(factories.make_comms, "editor")
    party = factories.make_party(factories.make_incident(people[0]))

    def edit(user):
        copy = AffectedParty.objects.get(pk=party.pk)
        copy.description = f"As {user.username} counts them"
        copy.save_edit(by=user, expected_version=party.version, fields=["description"])

    successes, refusals = race(people, edit)

    assert (len(successes), len(refusals)) == (1, 1)
    assert factories.reload(party).description == f"As {successes[0].username} counts them"


def test_two_people_completing_one_action_item_at_once_complete_it_once():
    people = two(factories.make_comms, "owner")
    item = factories.make_action_item(factories.make_incident(people[0]))

    successes, refusals = race(
        people, lambda user: ActionItem.objects.get(pk=item.pk).complete(by=user)
    )

    assert (len(successes), len(refusals)) == (1, 1)
    stored = factories.reload(item)
    assert stored.status == ActionItem.Status.DONE
    assert stored.history.filter(status=ActionItem.Status.DONE).count() == 1


def test_two_managers_publishing_one_public_update_at_once_publish_it_once():
    comms = factories.make_comms()
    managers = two(factories.make_manager, "manager")
    incident = factories.make_incident(comms, status=STATUS.RESPONDING)
    update = factories.make_update(incident, comms, kind=ProgressUpdate.Kind.PUBLIC)

    successes, refusals = race(
        managers, lambda user: ProgressUpdate.objects.get(pk=update.pk).publish(by=user)
    )

    assert (len(successes), len(refusals)) == (1, 1)
    stored = factories.reload(update)
    assert stored.status == ProgressUpdate.Status.PUBLISHED
    assert stored.published_by == successes[0]
    assert stored.history.filter(status=ProgressUpdate.Status.PUBLISHED).count() == 1


def test_two_people_applying_one_template_at_once_apply_it_once():
    people = two(factories.make_comms, "comms")
    incident = factories.make_incident(people[0])
    template = factories.make_plan_template()
    items = template.items.count()

    successes, refusals = race(
        people,
        lambda user: apply_template(template, Incident.objects.get(pk=incident.pk), user),
        refusals=(*REFUSALS, AlreadyApplied, TemplateRefused),
    )

    assert (len(successes), len(refusals)) == (1, 1)
    assert PlanApplication.objects.filter(incident=incident).count() == 1
    assert ActionItem.objects.filter(incident=incident).count() == items
    drafts = Statement.objects.filter(incident=incident).count()
    assert drafts == (1 if template.holding_statement else 0)
