"""What we do about it: statements, their reviews and publications, one module per record."""

from responses.models.publication import Publication
from responses.models.review import Review
from responses.models.statement import NextStep, Statement, StatementQuerySet

__all__ = [
    "NextStep",
    "Publication",
    "Review",
    "Statement",
    "StatementQuerySet",
]
