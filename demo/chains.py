"""The demo's approval chain: a data breach from severity 2 is signed off by Comms lead → Legal
→ Executive (groups of the demo's people, Legal with a backup), and the drill's notice to the
affected customers waits at the second stage, past its time, so the statement page shows the
chain, its clock and the escalation to the backup."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from crisis import timekeeper
from incidents.models import Incident
from responses.models import ApprovalChain, ChainStage, Statement

CHAIN_NAME = "Data breach sign-off"
# Stage, its group, its members and backups (demo usernames), minutes to decide.
STAGES = [
    ("Comms lead", "Comms leads", ["manager"], [], 30),
    ("Legal", "Legal", ["viewer"], ["admin"], 30),
    ("Executive", "Executives", ["admin"], [], 60),
]
DRILL = "Drill: customer data exposed in a shared spreadsheet"
NOTICE = (
    "Drill: we are writing to the customers whose details were in the shared file. Tell us "
    "if you notice anything unusual: we will answer within a day."
)


def join_groups(users):
    """The chain's groups (when missing) with the demo's people in them: before the stories,
    so that a chain already on the desk with these groups is followed by them."""
    groups = []
    for _name, group_name, members, _backups, _minutes in STAGES:
        group, _ = Group.objects.get_or_create(name=group_name)
        group.user_set.add(*[users[member] for member in members])
        groups.append(group)
    return groups


def seed_chain(users, now):
    """The chain (when missing) and the drill's statement at its second stage (when missing).
    Returns whether the statement was made now."""
    chain, created = ApprovalChain.objects.get_or_create(
        name=CHAIN_NAME,
        defaults={"category": Incident.Category.DATA_BREACH, "min_severity": 2},
    )
    groups = join_groups(users)
    for position, (name, _group_name, _members, backups, minutes) in enumerate(STAGES, 1):
        group = groups[position - 1]
        if created:
            stage = ChainStage.objects.create(
                chain=chain, position=position, name=name, group=group, minutes_to_decide=minutes
            )
            stage.backups.set([users[backup] for backup in backups])
    incident = Incident.objects.filter(title=DRILL).first()
    if incident is None or not incident.is_editable:
        return False
    if incident.statements.filter(body=NOTICE).exists():
        return False
    comms = users["comms"]
    # Read again: the story's decisions cached the manager's groups of before.
    manager = get_user_model().objects.get(pk=users["manager"].pk)
    with timekeeper.telling_at(now - timedelta(minutes=55)):
        statement = Statement.draft(
            incident=incident,
            by=comms,
            kind=Statement.Kind.ACKNOWLEDGEMENT,
            body=NOTICE,
            target_platforms=["x", "linkedin"],
        )
    with timekeeper.telling_at(now - timedelta(minutes=50)):
        statement.submit(by=comms)
    # Its first stage approved by the manager, when the chain in force lets them decide it (a
    # chain of the desk's own may apply instead of the demo's).
    stage = statement.current_stage()
    if manager.pk in {user.pk for user in statement.eligible_deciders(stage)}:
        with timekeeper.telling_at(now - timedelta(minutes=42)):
            statement.approve(by=manager, comment="Clear, and it says what to do.", stage=stage.pk)
    return True
