"""What we do about it: statements and their reviews and publications, the action plan, progress
updates, plan templates, response targets and reminders; one module per record."""

from responses.models.action_item import ActionItem, ActionItemQuerySet
from responses.models.chain import ApprovalChain, ChainStage
from responses.models.plan_template import PlanApplication, PlanTemplate, PlanTemplateItem
from responses.models.progress_update import ProgressUpdate, ProgressUpdateQuerySet
from responses.models.public_profile import PublicProfile
from responses.models.publication import Publication
from responses.models.reminder import SentReminder
from responses.models.response_target import DEFAULT_TARGETS, ResponseTarget
from responses.models.review import Review
from responses.models.review_round import ReviewRound, RoundStage
from responses.models.statement import Statement, StatementQuerySet
from responses.models.statement_review import NextStep

__all__ = [
    "DEFAULT_TARGETS",
    "ActionItem",
    "ActionItemQuerySet",
    "ApprovalChain",
    "ChainStage",
    "NextStep",
    "PlanApplication",
    "PlanTemplate",
    "PlanTemplateItem",
    "ProgressUpdate",
    "ProgressUpdateQuerySet",
    "PublicProfile",
    "Publication",
    "ResponseTarget",
    "Review",
    "ReviewRound",
    "RoundStage",
    "SentReminder",
    "Statement",
    "StatementQuerySet",
]
