"""Load the playbooks that come with Crisis Desk: one plan template per kind of crisis, and a
general one.

Each is created only when no template of its name exists, so running this again (or after an
admin edited, renamed or retired one) changes nothing. The text is copied here, not imported,
so that this migration keeps loading what it was written with. Admins change them in the admin
site; they are never deleted here, not even when migrating backwards.
"""

from django.db import migrations
from django.utils import timezone

REASON = "Playbook that comes with Crisis Desk"


def item(kind, title, hours, details, *, public=False, owner="lead"):
    return {
        "kind": kind,
        "title": title,
        "due_after_hours": hours,
        "details": details,
        "is_public": public,
        "default_owner": owner,
    }


def rectify(*args, **kwargs):
    return item("rectify", *args, **kwargs)


def prevent(*args, **kwargs):
    return item("prevent", *args, **kwargs)


PAUSE_POSTS = (
    "Stop the publishing queue on every platform: a cheerful scheduled post in the middle of a "
    "crisis reads as indifference. Resume only when the lead agrees."
)
BRIEF_SUPPORT = (
    "Give support and community managers the approved lines, what not to say, and where to send "
    "what they cannot answer. Update them each time a statement is published."
)

PLAYBOOKS = [
    {
        "name": "Comment storm",
        "category": "negative_comments",
        "description": "Many angry comments or replies at once, on one post or across our "
        "accounts: a decision, a product or a post that upset people.",
        "holding_statement": "We see your comments about {public_title} and we are listening. "
        "We are looking into it now and will update you here by {next_update}.",
        "items": [
            rectify("Pause scheduled posts", 1, PAUSE_POSTS),
            rectify(
                "Find what triggered the storm",
                1,
                "Name the post, product or decision people are reacting to, and the three or "
                "four complaints that come up most. Separate real customers from pile-ons.",
            ),
            rectify("Brief support with approved lines", 2, BRIEF_SUPPORT, owner="applier"),
            rectify(
                "Reply to the most-seen comments",
                3,
                "Answer once, calmly, in the words of the approved statement; move individual "
                "cases to direct messages or support. Do not delete criticism: hide only abuse, "
                "spam and personal data.",
            ),
            rectify(
                "Say what we will change",
                24,
                "A fuller update that answers the main complaint with a concrete step and a date.",
                public=True,
            ),
            prevent(
                "Review moderation and escalation thresholds",
                168,
                "At how many comments, and how fast, should the team have been alerted? Write the "
                "thresholds into the monitoring setup.",
            ),
            prevent(
                "Add the trigger to the pre-publication checklist",
                336,
                "So that the next post or decision of this kind is read with this reaction in mind.",
            ),
        ],
    },
    {
        "name": "Misinformation or rumour",
        "category": "misinformation",
        "description": "A false or misleading claim about us is spreading, or one of our own "
        "messages was misunderstood; includes fake accounts that impersonate the brand.",
        "holding_statement": "We have seen posts about {public_title}. We are checking the facts "
        "and will share what we know here by {next_update}. Please rely on our official "
        "accounts for updates.",
        "items": [
            rectify(
                "Establish the facts with the owning team",
                1,
                "Get written confirmation of what is true from the team that owns the subject "
                "(product, quality, legal, HR). No correction goes out on a guess.",
            ),
            rectify(
                "Collect the main false claims and where they spread",
                2,
                "The exact wording, the accounts that started and amplified it, and the reach so "
                "far. Keep links and screenshots.",
            ),
            rectify(
                "Report impersonating or fraudulent accounts",
                2,
                "Use each platform's impersonation or fraud report; ask partners and employees to "
                "report too. Note the report numbers here.",
            ),
            rectify("Brief support with approved lines", 3, BRIEF_SUPPORT, owner="applier"),
            rectify(
                "Publish a correction with evidence",
                4,
                "Short and factual, with a source people can check. State what is true; do not "
                "repeat the false claim in the first line. Pin it where the rumour spreads.",
                public=True,
            ),
            prevent(
                "Monitor the claim's keywords",
                48,
                "Add the rumour's phrases and hashtags to the tracking terms so that a return is "
                "seen early.",
            ),
            prevent(
                "Prepare a fact sheet for this subject",
                336,
                "Pre-approved facts and answers, so that the next correction takes minutes.",
            ),
        ],
    },
    {
        "name": "Inappropriate post by an employee or a brand account",
        "category": "inappropriate_content",
        "description": "An offensive, careless or unauthorised post: on a brand account, or by "
        "an employee in a way that is linked to us.",
        "holding_statement": "We are aware of a post that does not reflect our values, and we are "
        "sorry to everyone it hurt. It has been taken down and we are looking into how it "
        "happened. We will update you here by {next_update}.",
        "items": [
            rectify(
                "Remove or hide the post",
                1,
                "Keep a screenshot and the link for the record first. On a brand account, remove "
                "it; on a personal account, ask the author to.",
            ),
            rectify(
                "Secure the brand accounts",
                1,
                "Check who has access; change passwords and revoke sessions if the post came from "
                "a shared or compromised login.",
            ),
            rectify("Brief support with approved lines", 3, BRIEF_SUPPORT, owner="applier"),
            rectify(
                "Talk to the employee",
                24,
                "With HR: hear their side before any decision, and offer support if they are "
                "being harassed. Nothing about them is said in public.",
            ),
            rectify(
                "Reach out to the people the post targeted",
                24,
                "A direct, personal apology where a person or a community was hurt.",
            ),
            prevent(
                "Review the social media policy",
                336,
                "Check that it says what staff may post about the company and who may post on "
                "brand accounts; brief everyone again.",
            ),
            prevent(
                "Require a second pair of eyes on brand accounts",
                336,
                "Separate personal and brand apps on work phones, and have a second person "
                "approve scheduled posts.",
            ),
        ],
    },
    {
        "name": "Data breach",
        "category": "data_breach",
        "description": "Personal or confidential data was exposed, stolen or lost. The legal "
        "clock starts when we become aware of the breach.",
        "holding_statement": "We are investigating a security incident that may affect some of "
        "our customers' information. We will update you here by {next_update}. We will never "
        "ask for your password by email or phone.",
        "items": [
            rectify("Pause scheduled posts", 1, PAUSE_POSTS),
            rectify(
                "Confirm scope with security",
                4,
                "What data, whose, how many people, since when, and is it contained? Write down "
                "what is confirmed and what is not known yet; say only the confirmed part.",
            ),
            rectify("Brief support with approved lines", 8, BRIEF_SUPPORT, owner="applier"),
            rectify(
                "Prepare customer notice",
                24,
                "GDPR article 34: people at high risk are told without undue delay, in plain "
                "words: what happened, the likely consequences, what we are doing, what they can "
                "do, and whom to contact.",
            ),
            rectify(
                "Set up a help page and FAQ",
                24,
                "One page with the facts, the steps people should take and the contact point; "
                "link it from every statement and update it as the facts change.",
                public=True,
            ),
            rectify(
                "Notify the supervisory authority",
                72,
                "GDPR article 33: within 72 hours of becoming aware of the breach, unless it is "
                "unlikely to put people's rights at risk. The data protection officer or legal "
                "submits; send what is known now and the rest as it comes.",
            ),
            prevent(
                "Review access controls and logging",
                336,
                "Who could reach the data, how the exposure went unseen, and which alert would "
                "have caught it.",
            ),
            prevent(
                "Record the breach in the breach register",
                336,
                "GDPR article 33(5): facts, effects and remedial action, kept even when the "
                "authority was not notified.",
            ),
        ],
    },
    {
        "name": "Product or service failure",
        "category": "service_failure",
        "description": "An outage, a defect or a failed delivery that customers feel and talk "
        "about.",
        "holding_statement": "We know about {public_title} and we are sorry for the trouble. Our "
        "teams are working on a fix. Next update here by {next_update}.",
        "items": [
            rectify("Pause scheduled posts", 1, PAUSE_POSTS),
            rectify(
                "Confirm impact and workaround with engineering",
                1,
                "Who is affected, since when, and what people can do meanwhile. No time for the "
                "fix is promised until engineering gives one.",
            ),
            rectify(
                "Update the status page",
                1,
                "Say what is down and link to it from every reply; update it with each statement.",
                public=True,
            ),
            rectify("Brief support with approved lines", 2, BRIEF_SUPPORT, owner="applier"),
            rectify(
                "Announce the fix",
                None,
                "When service is back, say so everywhere we said it was down, with an apology.",
                public=True,
            ),
            rectify(
                "Decide on goodwill for affected customers",
                48,
                "A refund, credit or discount, decided with finance, and how people receive it.",
            ),
            prevent(
                "Publish what we changed to prevent a repeat",
                336,
                "A short, honest account of the cause and the fix, once the review is done.",
                public=True,
            ),
            prevent(
                "Add monitoring for this failure",
                336,
                "So that we see it before customers do next time.",
            ),
        ],
    },
    {
        "name": "General first response",
        "category": "",
        "description": "The first hour of any crisis, whatever its kind: use it when no other "
        "playbook fits, or beside one.",
        "holding_statement": "We are aware of {public_title} and we are looking into it. We will "
        "share more here by {next_update}.",
        "items": [
            rectify(
                "Gather the facts",
                1,
                "What happened, where it is discussed, who is affected and what is not known yet. "
                "Record affected parties on the incident.",
            ),
            rectify(
                "Name the spokesperson and the approvers",
                1,
                "One voice in public, and who signs off each statement, reachable for the next "
                "hours.",
            ),
            rectify("Pause scheduled posts", 1, PAUSE_POSTS),
            rectify("Brief support with approved lines", 4, BRIEF_SUPPORT, owner="applier"),
            prevent(
                "Write the lessons into a playbook",
                336,
                "If this kind of crisis had no playbook, ask an admin to add one from this "
                "incident's action plan.",
            ),
        ],
    },
]


def _record(apps, model_name, obj, when):
    """The history row a creation in the app would have written."""
    Historical = apps.get_model("responses", f"Historical{model_name}")
    values = {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}
    Historical.objects.create(
        **values, history_date=when, history_type="+", history_change_reason=REASON
    )


def load(apps, schema_editor):
    PlanTemplate = apps.get_model("responses", "PlanTemplate")
    PlanTemplateItem = apps.get_model("responses", "PlanTemplateItem")
    now = timezone.now()
    for spec in PLAYBOOKS:
        fields = {name: value for name, value in spec.items() if name not in ("name", "items")}
        template, created = PlanTemplate.objects.get_or_create(name=spec["name"], defaults=fields)
        if not created:
            # It exists, maybe edited by an admin: theirs is the one that counts.
            continue
        _record(apps, "PlanTemplate", template, now)
        for position, values in enumerate(spec["items"], start=1):
            step = PlanTemplateItem.objects.create(template=template, position=position, **values)
            _record(apps, "PlanTemplateItem", step, now)


class Migration(migrations.Migration):
    dependencies = [
        ("responses", "0006_templates_items_in_use_and_limits"),
    ]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
