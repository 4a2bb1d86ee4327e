"""The statement's side of posting for real: the connectors app posts a published statement to
the Mastodon and Bluesky accounts admins connected. The one place responses names it, so the
publish verb and the statement page stay as they were but for one call each."""


def queue_posts(statement):
    """Record and queue a post of ``statement`` to each connected account on its platforms
    (connectors.posting.queue_for_statement). Inside the publish transaction. Queries."""
    from connectors import posting

    posting.queue_for_statement(statement)


def posts_of(statement):
    """The statement's posts by Crisis Desk with their accounts, as a list. One query."""
    from connectors.models import PostAttempt

    return list(PostAttempt.objects.for_statement(statement))
