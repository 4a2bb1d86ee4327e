"""The demo's open media inquiry (:mod:`demo.data.press`), logged on its open incident unless
it is there already."""

from crisis import timekeeper
from demo.data.press import DEMO_INQUIRY
from incidents.models import Incident
from press.models import MediaInquiry


def log_inquiry(users, now):
    """Log the demo's inquiry, received a while ago and due soon, as the comms person, with its
    answer worded and waiting for the manager's approval. Returns how many were logged (0 when
    it exists, or when its incident is gone or no longer open). Queries the database."""
    spec = DEMO_INQUIRY
    incident = Incident.objects.open().filter(title=spec["incident"]).first()
    if (
        incident is None
        or MediaInquiry.objects.filter(
            incident=incident, outlet=spec["outlet"], journalist=spec["journalist"]
        ).exists()
    ):
        return 0
    received_at = now - spec["received_ago"]
    comms = users["comms"]
    with timekeeper.telling_at(received_at):
        inquiry = MediaInquiry.log(
            incident=incident,
            by=comms,
            outlet=spec["outlet"],
            journalist=spec["journalist"],
            contact=spec["contact"],
            question=spec["question"],
            received_at=received_at,
            deadline=now + spec["deadline_in"],
            spokesperson=users[spec["spokesperson"]],
        )
    inquiry.answer = spec["answer"]
    inquiry.save_answer(by=comms, expected_version=inquiry.version, fields=["answer"])
    return 1
