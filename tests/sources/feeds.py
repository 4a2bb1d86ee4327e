"""Written feeds, shaped as the alert services and news sites send them, and broken ones."""

import gzip


def rss(*items, encoding="utf-8", declared="utf-8"):
    body = "".join(
        f"<item><title>{title}</title><link>https://news.example/{guid}</link>"
        f"<guid>https://news.example/{guid}</guid><pubDate>{date}</pubDate>"
        f"<description>{text}</description></item>"
        for guid, title, text, date in items
    )
    document = (
        f'<?xml version="1.0" encoding="{declared}"?>\n<rss version="2.0"><channel>'
        f"<title>Alerts</title><link>https://news.example/</link>"
        f"<description>Google Alerts for acme</description>{body}</channel></rss>"
    )
    return document.encode(encoding)


def item(
    guid,
    title="Acme orders late again",
    text="Customers say orders are late.",
    date="Mon, 07 Dec 2026 09:00:00 GMT",
):
    return (guid, title, text, date)


ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Talkwalker Alerts</title><id>urn:alerts</id><updated>2026-12-07T09:00:00Z</updated>
  <entry><id>urn:alert:1</id><title>Acme recalls a batch</title>
    <link href="https://blog.example/recall"/><updated>2026-12-07T08:00:00Z</updated>
    <summary>A blog reports the recall.</summary><author><name>Blogger</name></author></entry>
</feed>"""

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE rss [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><title>Alerts</title><item><title>&lol9;</title>
<guid>laugh</guid></item></channel></rss>"""

MALFORMED = (
    b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Alerts</title>'
    b"<item><title>Acme one</title><guid>ok-1</guid></item>"
    b"<item><title>Acme two</guid></item></channel></rss>"
)

HTML_ERROR = (
    b"<!DOCTYPE html><html><head><title>Service unavailable</title></head>"
    b"<body><h1>Something went wrong</h1><p>Try again later.</p></body></html>"
)


def gzip_bomb(size):
    """A gzip stream of ``size`` zero bytes: a few KB that decompress to ``size``."""
    return gzip.compress(b"\0" * size, compresslevel=9)
