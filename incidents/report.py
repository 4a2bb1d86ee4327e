"""The printable report of an incident's post-mortem as Markdown, the twin of the report page.

Everything a person typed (the post-mortem, statements, notes in the timeline) is escaped, so a
report opened in a Markdown viewer shows the words as written: no link, image, heading or HTML
can be smuggled in through them.
"""

import string
from urllib.parse import quote, urlsplit

from crisis.history import display_user
from crisis.templatetags.crisis_tags import absolute_time

# CommonMark lets any ASCII punctuation be escaped with a backslash, and then shows it as is.
_PUNCTUATION = frozenset(string.punctuation)


def escape_line(text):
    """One line of someone's text, safe in Markdown: every ASCII punctuation character
    escaped (no link, emphasis, heading, list, table or HTML can start), leading spaces dropped
    (no code block), control characters removed."""
    text = "".join(ch for ch in str(text) if ch == "\t" or ch >= " ")
    return "".join(f"\\{ch}" if ch in _PUNCTUATION else ch for ch in text).strip()


def escape(text):
    """Someone's text, maybe several lines, as one Markdown paragraph whose line breaks stay
    (a backslash at the end of a line is a hard break)."""
    lines = [escape_line(line) for line in str(text or "").splitlines()]
    lines = [line for line in lines if line]
    return "\\\n".join(lines)


def link(label, url):
    """A link to a post, only for an http(s) address, with characters that could end the
    address early percent-encoded; anything else is shown as text."""
    if urlsplit(url).scheme.lower() not in ("http", "https"):
        return escape_line(f"{label}: {url}") if url else escape_line(label)
    safe_url = quote(url, safe="/:?#[]@!$&*+,;=%~-._")
    return f"[{escape_line(label)}]({safe_url})"


def render(report):
    """The report (see :func:`incidents.postmortem_views._report`) as a Markdown document."""
    incident, postmortem = report["incident"], report["postmortem"]
    out = [f"# Post-mortem: {escape_line(str(incident))}", ""]
    if not report["is_final"]:
        out += ["**Draft: the incident is not closed; this post-mortem may still change.**", ""]
    facts = [
        f"Category: {escape_line(incident.get_category_display())}",
        f"Severity: {escape_line(incident.get_severity_display())}",
        f"Status: {escape_line(incident.get_status_display())}",
        f"Detected: {escape_line(absolute_time(incident.detected_at))}",
    ]
    for label, at in (("Resolved", incident.resolved_at), ("Closed", incident.closed_at)):
        if at:
            facts.append(f"{label}: {escape_line(absolute_time(at))}")
    if postmortem.completed_at:
        facts.append(
            f"Completed by {escape_line(display_user(postmortem.completed_by))}, "
            f"{escape_line(absolute_time(postmortem.completed_at))}"
        )
    if postmortem.needs_review:
        facts.append("Needs review: the incident was reopened after this was submitted")
    out += [f"- {line}" for line in facts] + [""]
    for label, text in report["fields"]:
        out += [f"## {escape_line(label)}", "", escape(text) or "_Not written._", ""]
    if report["figures"]:
        out += ["## What the app recorded", ""]
        out += [f"- {escape_line(f.label)}: {escape_line(f.value)}" for f in report["figures"]]
        out.append("")
    out += ["## Timeline", ""]
    for entry in report["timeline"]:
        line = f"{absolute_time(entry.at)} · {entry.reason or entry.action} · {entry.subject}"
        line += f" · {display_user(entry.by)}"
        out.append(f"- {escape_line(line)}")
    out.append("")
    for section in report["sections"]:
        out += [f"## {escape_line(section.title)}", ""]
        if not section.entries:
            out += [escape_line(section.empty), ""]
        for entry in section.entries:
            heading = entry.heading
            if entry.at:
                heading += f" · {absolute_time(entry.at)}"
            out += [f"### {escape_line(heading)}", ""]
            for text in entry.lines:
                if text:
                    out += [escape(text), ""]
            for label, url in entry.links:
                out.append(f"- {link(label, url)}")
            if entry.links:
                out.append("")
    return "\n".join(out).rstrip() + "\n"
