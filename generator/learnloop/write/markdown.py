"""Plain Markdown shared by the writers: quoted incident text, links, figures in words.

Generated files are committed and read on the forge as plain Markdown, so they quote incident
text as it is; the site escapes every generated page when it publishes it (publish/), which
is where raw HTML must be shown as text.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable
from urllib.parse import quote

from learnloop.model import Incident


def one_line(text: str) -> str:
    """Text on one line."""
    return " ".join(str(text).split())


def table_cell(text: str) -> str:
    """Text for a Markdown table cell: one line, `|` escaped."""
    return one_line(text).replace("|", "\\|")


def heading_text(text: str) -> str:
    """Text for a heading: one line, a trailing `#` kept as text."""
    line = one_line(text)
    return line[:-1] + "\\#" if line.endswith("#") else line


def href(at: str, target: str) -> str:
    """A relative link from the document at `at` to a repository path."""
    return quote(_relative(target, posixpath.dirname(at)))


def _relative(target: str, start: str) -> str:
    """`posixpath.relpath(target, start or ".")` for plain repository paths.

    Documents link to thousands of incidents; relpath makes both paths absolute (asking the
    working directory each time) to handle what repository paths never hold. Paths that do
    hold it (`.`, `..`, empty parts, a leading `/`) are left to relpath.
    """
    ends = target.split("/")
    base = start.split("/") if start else []
    if any(p in ("", ".", "..") for p in (*ends, *base)):
        return posixpath.relpath(target, start or ".")
    same = 0
    for a, b in zip(ends, base, strict=False):
        if a != b:
            break
        same += 1
    return "/".join([".."] * (len(base) - same) + ends[same:]) or "."


def link(incident: Incident, at: str) -> str:
    """A link to the post-mortem itself."""
    return f"[{incident.id}]({href(at, incident.path)})"


def cite(incidents: Iterable[Incident], at: str, limit: int = 4) -> str:
    """Links to incidents, newest first; '+N more' past the limit."""
    ordered = sorted(incidents, key=lambda i: (i.started_at, i.id), reverse=True)
    out = [link(i, at) for i in ordered[:limit]]
    if len(ordered) > limit:
        out.append(f"+{len(ordered) - limit} more")
    return ", ".join(out)


def from_start(minutes: float) -> str:
    """How long after the incident's start something came ("7 min after the start"), or
    before it, where a signal came before the start its post-mortem gives."""
    if minutes < -0.5:
        return f"{duration(-minutes)} before the start"
    return f"{duration(minutes)} after the start"


def eased(minutes: float) -> str:
    """How soon the impact eased after a step, as its median: under a minute is "right after",
    which "within 0 min" would only say less plainly."""
    return (
        "impact eased right after"
        if minutes < 1
        else f"impact eased within {duration(minutes)} (median)"
    )


def duration(minutes: float | None, missing: str = "unknown") -> str:
    """Minutes as "7 min", "1 h 05 min" or "2 d 03 h 10 min"; `missing` when unknown."""
    if minutes is None:
        return missing
    if minutes < -0.5:
        return "-" + duration(-minutes)  # a time told before its start, not a day and more
    days, rest = divmod(int(max(minutes, 0) + 0.5), 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} d {hours:02d} h {mins:02d} min"
    return f"{hours} h {mins:02d} min" if hours else f"{mins} min"
