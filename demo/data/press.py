"""The demo's open media inquiry: a journalist's question on the comment storm, due within the
next two hours, assigned to the manager, with an answer in new wording waiting for approval."""

from datetime import timedelta

DEMO_INQUIRY = {
    # The open incident it is about (demo.data.incidents).
    "incident": "Delivery delays spark a storm of angry replies",
    "outlet": "The Morning Ledger",
    "journalist": "Priya Nair",
    "contact": "p.nair@ledger.example",
    "question": "How many orders are delayed, and when will customers get them? Is the north "
    "warehouse closing?",
    "received_ago": timedelta(minutes=40),
    "deadline_in": timedelta(hours=1, minutes=20),
    "spokesperson": "manager",
    # Worded by the comms person in new wording: the manager approves it before it goes out.
    "answer": "Orders from our north warehouse are running two to three days late after a "
    "systems fault; every affected customer will have a new delivery date by mail today. The "
    "warehouse is not closing.",
}
