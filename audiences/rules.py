"""Who approves what is said to an audience: the rule each audience names (its admin chooses).

- The chain's last stage (the default): whoever may give the core statement its final approval
  (:func:`final_stage_refusal`), and never someone who wrote the variant.
- A lighter rule: any manager who did not write the variant (the four-eyes rule of
  ``responses.models.four_eyes``, applied to the variant's words).
"""


def final_stage_refusal(statement_or_variant, user):
    """Why ``user`` may not decide at the last stage of the approval chain of the core statement
    (of a statement, or of a variant's core), or ``""`` if they may: the core's own rule,
    ``Statement.final_stage_refusal`` (they wrote none of the core, and decide its chain's last
    stage: its group or its backups; where no chain applies, a manager)."""
    core = getattr(statement_or_variant, "core", statement_or_variant)
    return core.final_stage_refusal(user) or ""


def approval_refusal(variant, user, writers=None):
    """Why ``user`` may not approve ``variant`` by its audience's rule, or ``""``. The variant's
    own author and anyone who changed its words never approve it, whatever the rule. Queries
    the variant's history once (unless ``writers`` is given), and the core's for the last
    stage."""
    from audiences.models import Audience

    refusal = variant.four_eyes_refusal(user, writers)
    if refusal:
        return refusal
    if variant.audience.approval_rule == Audience.Rule.LAST_STAGE:
        return final_stage_refusal(variant, user)
    return ""
