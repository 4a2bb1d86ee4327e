"""The Atom feeds of the public pages, drawn with Django's own feed generator.

A feed holds only what its page shows (published statements, published public updates, the
status page's list), in the same words; the views apply the pages' caching rules to it.
"""

from django.http import HttpResponse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import linebreaks

from responses.public import PUBLIC_STATUS, public_rows

CONTENT_TYPE = "application/atom+xml; charset=utf-8"


def _answer(feed):
    response = HttpResponse(content_type=CONTENT_TYPE)
    feed.write(response, "utf-8")
    return response


def _feed(title, page_url, feed_url, profile, updated):
    company = profile.shown_company_name
    return Atom1Feed(
        title=f"{title} · {company}" if company else title,
        link=page_url,
        description="",
        feed_url=feed_url,
        feed_guid=page_url,
        author_name=company or None,
        language="en",
        updateddate=updated,
    )


def page_feed(state, statements, updates, page_url, profile, request):
    """An incident's public page as an Atom feed: each published statement and public update,
    newest first, linking to its place on the page. No queries."""
    feed = _feed(state.title, page_url, request.build_absolute_uri(), profile, state.last_modified)
    entries = []
    for row in public_rows(statements):
        statement = row["statement"]
        title = statement.get_kind_display()
        if row["superseded_by"]:
            title += " (superseded by a correction)"
        entries.append((statement.published_at, title, row["anchor"], statement.body))
    for index, update in enumerate(updates):
        entries.append(
            (update.published_at, "Update", f"progress-{len(updates) - index}", update.body)
        )
    for published_at, title, anchor, body in sorted(entries, key=lambda e: e[0], reverse=True):
        feed.add_item(
            title=title,
            link=f"{page_url}#{anchor}",
            unique_id=f"{page_url}#{anchor}",
            description=linebreaks(body, autoescape=True),
            pubdate=published_at,
            updateddate=published_at,
        )
    return _answer(feed)


def status_feed(listing, status_url, profile, request):
    """The status page as an Atom feed: one entry per listed incident, updated whenever what the
    page says of it changes (its title, its status, a new public word). No queries."""
    feed = _feed(
        "Service notices", status_url, request.build_absolute_uri(), profile, listing.last_modified
    )
    for row in listing.rows:
        page_url = request.build_absolute_uri(row.url)
        heading, sentence = PUBLIC_STATUS[row.status]
        feed.add_item(
            title=f"{row.title}: {heading}",
            link=page_url,
            unique_id=page_url,
            description=linebreaks(sentence, autoescape=True),
            pubdate=row.declared_at,
            updateddate=row.changed_at,
        )
    return _answer(feed)
