"""Mail, as the apps send it: the subject on one line, whatever text from outside it quotes.

A title typed with a line break (pasted from a post, or sent by a form that is not ours) would
make Django refuse the whole mail (``BadHeaderError``), and a reminder refused that way would be
tried again on every run and never arrive.
"""


def subject_line(text):
    """``text`` with every run of whitespace (line breaks included) made one space."""
    return " ".join(str(text).split())
