"""A word-level diff of two texts, for reviewers who must see exactly what changed."""

import re
from difflib import SequenceMatcher
from typing import NamedTuple

# A token is a word with the whitespace after it, so line breaks survive and a change reads as
# whole words ("truly " inserted), not as words and spaces shuffled apart.
_TOKENS = re.compile(r"\S+\s*|\s+")


class Segment(NamedTuple):
    op: str  # "equal", "delete" or "insert"
    text: str


def _tokens(text):
    return _TOKENS.findall(text or "")


def word_diff(old, new):
    """Segments that turn ``old`` into ``new``: deletions come before the insertions that
    replace them, and neighbouring segments of the same kind are merged."""
    before, after = _tokens(old), _tokens(new)
    matcher = SequenceMatcher(None, before, after, autojunk=False)
    segments = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            _append(segments, "equal", before[i1:i2])
            continue
        if op in ("delete", "replace"):
            _append(segments, "delete", before[i1:i2])
        if op in ("insert", "replace"):
            _append(segments, "insert", after[j1:j2])
    return segments


def _append(segments, op, tokens):
    text = "".join(tokens)
    if not text:
        return
    if segments and segments[-1].op == op:
        segments[-1] = Segment(op, segments[-1].text + text)
    else:
        segments.append(Segment(op, text))


def has_changes(segments):
    return any(segment.op != "equal" for segment in segments)
