"""The demo's library of approved lines: what the team may say for the demo's kinds of incident,
owned by the demo's people. One is past its review date, and one still waits for a manager."""

from incidents.models import Incident

C = Incident.Category

# Each line: its category, the likely question it answers ("" for a line to say), its wording,
# its owner and who approves it (None: a draft), and its review date in days from today.
DEMO_LINES = [
    {
        "category": C.DATA_BREACH,
        "question": "",
        "text": "We are investigating and have secured the affected system. We will tell you "
        "what happened and what it means for you as soon as we know.",
        "owner": "comms",
        "approved_by": "manager",
        "review_in_days": 60,
    },
    {
        "category": C.DATA_BREACH,
        "question": "Were passwords or card numbers exposed?",
        "text": "We never store card numbers, and passwords are kept only in a form that cannot "
        "be read back. We will confirm what else was involved once the investigation ends.",
        "owner": "comms",
        "approved_by": "manager",
        # Past its date: the owner should check it still holds.
        "review_in_days": -10,
    },
    {
        "category": C.NEGATIVE_COMMENTS,
        "question": "",
        "text": "You are right to be frustrated, and we are sorry. Here is what we are doing "
        "about it.",
        "owner": "comms",
        "approved_by": "manager",
        "review_in_days": 90,
    },
    {
        "category": C.MISINFORMATION,
        "question": "Is the giveaway real?",
        "text": "No. We are not running a giveaway. Please do not share your details with the "
        "account that claims it; report it instead.",
        "owner": "comms",
        "approved_by": "manager",
        "review_in_days": 30,
    },
    {
        "category": "any",
        "question": "",
        "text": "Thank you for telling us. We are looking into it and will reply here.",
        "owner": "comms",
        "approved_by": "manager",
        "review_in_days": 120,
    },
    {
        "category": "any",
        "question": "",
        "text": "We will post our next update here by {next_update}.",
        "owner": "manager",
        # Worded by comms and owned by the manager: another manager approves it.
        "approved_by": None,
        "review_in_days": 45,
    },
]
