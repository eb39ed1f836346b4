"""cState (Hugo) status-page entries: YAML front matter with title, date, severity
(down/disrupted/notice), affected and resolvedWhen, and a short body of updates.

A status page announces planned work too; a notice of maintenance is not an incident and is
skipped, with the words that show it was planned.
"""

from __future__ import annotations

import re
from typing import Any

from learnloop.importers.markdown import read, split_front_matter
from learnloop.importers.records import Document, Record, Skipped

# Phrases that announce planned work, not report a failure.
_PLANNED = re.compile(
    r"\b(?:maintenance (?:window|mode|operation)|(?:a|the) maintenance (?:on|of|to)|"
    r"perform(?:ing)? (?:a|the) maintenance|is planned|are planned|planned (?:today|on|for)|"
    r"scheduled (?:for|on|at)|"
    r"we(?:'ll| will) (?:do|perform|migrate|update|upgrade|restart|proceed|"
    r"be (?:doing|performing))|"
    r"we(?:'re| are) (?:doing|performing) (?:an?|the) (?:\w+ )?"
    r"(?:upgrade|update|migration|operation)|"
    r"will (?:be )?(?:stopped and restarted|restarted|migrated|upgraded)|"
    r"no (?:outage|downtime|disruption|service interruption) is expected|"
    r"needs to be restarted|brownout|we will start|we expect|will be down for|"
    r"can be (?:upgraded|migrated|restarted)|(?:temporary|expected) disruptions?)\b",
    re.IGNORECASE,
)
# Words of a failure being reported: an announcement of planned work does not use them.
_FAILURE = re.compile(
    r"\b(?:detected|timeouts?|failing|failed|failures?|broken|unreachable|errors?|"
    r"investigating|degraded|outage (?:of|on|in)|is down|are down)\b",
    re.IGNORECASE,
)
# Titles that name planned work, when the first message reports no failure.
_PLANNED_TITLE = re.compile(
    r"\b(?:upgrades?|upgraded|version update|update .*\bto \d|migrat\w*|brownout|restart)\b",
    re.IGNORECASE,
)
_MARKER = re.compile(r"^\s*\[([^\]\n]{3,40})\]\s*$", re.MULTILINE)


def first_message(body: str) -> str:
    """The oldest message of an entry: cState entries add updates on top, under [markers]."""
    markers = list(_MARKER.finditer(body))
    return body[markers[-1].end() :] if markers else body


def notice_reason(front: dict[str, Any], body: str, name: str = "") -> str | None:
    """Why an entry is a maintenance notice rather than an incident, or None."""
    title = str(front.get("title", ""))
    if re.search(r"\bmaintenance\b", title, re.IGNORECASE):
        return f"a maintenance notice (title {title!r}), not an incident"
    if re.search(r"(?:^|[-_.])maintenance(?:$|[-_.])", name, re.IGNORECASE):
        return f"a maintenance notice (file {name!r}), not an incident"
    if front.get("informational") is True:
        return "an informational notice (informational: true), not an incident"
    section = str(front.get("section", "issue")).lower()
    if section not in ("issue", "issues", ""):
        return f"a {section} entry, not an incident"
    first = first_message(body)
    announced = _PLANNED.search(first)
    failure = _FAILURE.search(first)
    if announced and not failure:
        return f"planned work ({announced.group(0)!r} in its first message), not an incident"
    planned = _PLANNED_TITLE.search(title)
    if planned and not failure:
        return (
            f"planned work ({planned.group(0)!r} in its title, no failure reported), "
            "not an incident"
        )
    return None


def records(doc: Document) -> list[Record]:
    """The incident an entry reports, or a skip for a notice of planned work."""
    text = doc.data if isinstance(doc.data, str) else ""
    front, body, error = split_front_matter(text.replace("\r\n", "\n"))
    if error:
        return [Skipped(doc.shown, error)]
    if not front:
        return [Skipped(doc.shown, "no front matter: not a cState entry")]
    reason = notice_reason(front, body, doc.name)
    if reason:
        return [Skipped(doc.shown, reason, error=False)]
    return [read(doc, front, body, "cstate")]
