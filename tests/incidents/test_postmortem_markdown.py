"""Someone's words in the Markdown report stay words: no link, image, heading or HTML."""

import pytest

from incidents import report


@pytest.mark.parametrize(
    ("typed", "escaped"),
    [
        ("[x](https://evil.example)", "\\[x\\]\\(https\\:\\/\\/evil\\.example\\)"),
        ("![img](a.png)", "\\!\\[img\\]\\(a\\.png\\)"),
        ("<img src=x onerror=alert(1)>", "\\<img src\\=x onerror\\=alert\\(1\\)\\>"),
        ("# Heading", "\\# Heading"),
        ("1. Not a list", "1\\. Not a list"),
        ("- not a list", "\\- not a list"),
        ("    code block", "code block"),
        ("*bold* _em_ `code` | table", "\\*bold\\* \\_em\\_ \\`code\\` \\| table"),
        ("&amp; \\ escaped", "\\&amp\\; \\\\ escaped"),
        ("Zürich — 50 % «ok»", "Zürich — 50 \\% «ok»"),
        ("bell\x07 and \x1b[31m", "bell and \\[31m"),
    ],
)
def test_escape_line(typed, escaped):
    assert report.escape_line(typed) == escaped


def test_several_lines_keep_their_breaks_and_lose_blank_ones():
    assert report.escape("First.\r\n\r\n- Second\nThird") == "First\\.\\\n\\- Second\\\nThird"


@pytest.mark.parametrize(
    ("url", "markdown"),
    [
        ("https://x.com/acme/status/1", "[X](https://x.com/acme/status/1)"),
        ("https://e.example/a) [b](c", "[X](https://e.example/a%29%20[b]%28c)"),
        ("javascript:alert(1)", "X\\: javascript\\:alert\\(1\\)"),
        ("", "X"),
    ],
)
def test_links_only_for_web_addresses_that_cannot_end_early(url, markdown):
    assert report.link("X", url) == markdown
