"""The responses' side of posting for real: the connectors app posts a published statement or
public update to the Mastodon and Bluesky accounts admins connected. The one place responses
names it, so the publish verbs and the pages stay as they were but for one call each."""

from incidents.models import Platform


def queue_posts(publication):
    """Record and queue a post of ``publication`` (a statement or a public update) to each
    connected account on its platforms (connectors.posting). Inside the publish transaction.
    Queries."""
    from connectors import posting
    from responses.models import Statement

    if isinstance(publication, Statement):
        posting.queue_for_statement(publication)
    else:
        posting.queue_for_update(publication)


def posts_of(statement):
    """The statement's posts by Crisis Desk with their accounts, as a list. One query."""
    from connectors.models import PostAttempt

    return list(PostAttempt.objects.for_statement(statement))


def posts_by_update(updates):
    """Each published update's posts by Crisis Desk, by the update's pk. One query, none when no
    update in ``updates`` was published to a platform."""
    from connectors.models import PostAttempt

    ids = [u.pk for u in updates if u.is_published and u.target_platforms]
    posts = {pk: [] for pk in ids}
    if ids:
        for post in PostAttempt.objects.for_updates(ids):
            posts[post.update_id].append(post)
    return posts


def connected_accounts():
    """The accounts Crisis Desk posts to itself, for the publish forms' hints. One query."""
    from connectors import posting

    return posting.accounts_for(list(Platform.values))


def accounts_on(code, accounts):
    """The accounts of ``accounts`` on the platform ``code``. No queries."""
    return [account for account in accounts if account.platform == code]


def posting_hint(platforms, accounts, *, paste_link):
    """What publishing to ``platforms`` will do, in words: the connected ``accounts`` Crisis Desk
    posts to itself, and the platforms a person posts to by hand (then pastes the link, when
    ``paste_link``). ``""`` without platforms. No queries."""
    automatic = [a for a in accounts if a.platform in platforms]
    connected = {account.platform for account in automatic}
    by_hand = [Platform(code).label for code in platforms if code not in connected]
    parts = []
    if automatic:
        names = ", ".join(str(account) for account in automatic)
        parts.append(f"Crisis Desk posts it itself to {names}.")
    if by_hand:
        then = ", then paste the link" if paste_link else ""
        parts.append(f"Post it by hand on {', '.join(by_hand)}{then}.")
    return " ".join(parts)
