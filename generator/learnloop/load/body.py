"""The Markdown body of a post-mortem: sections found by heading, timeline bullets read."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from learnloop.model import TimelineEvent

# Canonical section -> headings teams actually write for it (compared lower-case, no punctuation).
SECTION_SYNONYMS: dict[str, tuple[str, ...]] = {
    "summary": (
        "summary",
        "overview",
        "what happened",
        "tldr",
        "tl dr",
        "description",
        "incident summary",
        "executive summary",
        "background",
    ),
    "impact": ("impact", "customer impact", "user impact", "business impact", "blast radius"),
    "timeline": (
        "timeline",
        "sequence of events",
        "chronology",
        "timeline of events",
        "events",
        "incident timeline",
    ),
    "detection": (
        "detection",
        "how we found out",
        "how it was detected",
        "discovery",
        "how we noticed",
    ),
    "symptoms": ("symptoms", "what we saw", "signals", "observed symptoms"),
    "root_cause": (
        "root cause",
        "root causes",
        "why it happened",
        "cause",
        "causes",
        "root cause analysis",
        "what went wrong",
        "technical details",
    ),
    "whys": ("five whys", "5 whys", "whys", "the five whys"),
    "contributing_factors": (
        "contributing factors",
        "contributing causes",
        "what made it worse",
        "contributors",
    ),
    "diagnosis": (
        "diagnosis",
        "investigation",
        "debugging",
        "troubleshooting",
        "what we checked",
        "how we diagnosed it",
    ),
    "mitigation": ("mitigation", "immediate actions", "stopping the bleeding", "workaround"),
    "resolution": (
        "resolution",
        "how we fixed it",
        "fix",
        "the fix",
        "remediation",
        "recovery",
        "resolution and recovery",
        "mitigation and resolution",
    ),
    "lessons": (
        "lessons learned",
        "lessons",
        "what we learned",
        "learnings",
        "takeaways",
        "what went well",
        "what went wrong and what went well",
    ),
    "action_items": (
        "action items",
        "follow ups",
        "follow up actions",
        "followups",
        "next steps",
        "corrective actions",
        "remediation items",
    ),
}
_HEADING_TO_SECTION = {
    heading: name for name, headings in SECTION_SYNONYMS.items() for heading in headings
}

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)  # writing guidance from the template


def section_key(heading: str) -> str | None:
    """The canonical section a heading names, or None for a heading we do not know."""
    words = re.sub(r"[^a-z0-9]+", " ", heading.lower()).strip()
    words = re.sub(r"^\d+\s+", "", words)  # "3. Root cause"
    found = _HEADING_TO_SECTION.get(words)
    if found is None and "(" in heading:  # "Timeline (all times UTC)", "Impact (customers)"
        found = section_key(re.sub(r"\([^)]*\)?", " ", heading))
    if found is None and words.startswith("timeline "):  # "Timeline 4/21/23, times approximate"
        found = "timeline"
    return found


def split_sections(body: str) -> list[tuple[str, str, int, int]]:
    """(canonical name, text, heading line, end line) per known section; lines 0-based.

    A section runs to the next heading of the same or a higher level; unknown headings of
    a deeper level stay inside it. Headings inside code fences are ignored.
    """
    lines = body.splitlines()
    headings: list[tuple[int, int, str | None]] = []  # (line, level, key)
    in_fence = False
    for number, line in enumerate(lines):
        if _FENCE.match(line):
            in_fence = not in_fence
            continue
        match = None if in_fence else _HEADING.match(line)
        if match:
            headings.append((number, len(match.group(1)), section_key(match.group(2))))
    found: list[tuple[str, str, int, int]] = []
    for index, (start, level, key) in enumerate(headings):
        if key is None:
            continue
        end = len(lines)
        for later, later_level, _ in headings[index + 1 :]:
            if later_level <= level:
                end = later
                break
        text = _COMMENT.sub("", "\n".join(lines[start + 1 : end])).strip()
        found.append((key, text, start, end))
    return found


_DATE = r"(?P<date>\d{4}-\d{2}-\d{2})[T ]?"
_TIME = (
    r"(?P<h>[01]?\d|2[0-3])[:.h](?P<m>[0-5]\d)(?::(?P<s>[0-5]\d))?"
    r"(?:\s?(?P<ampm>[AaPp])\.?[Mm]\.?(?![A-Za-z]))?"  # 04:49 PM, 11:12 a.m.
)
# Zone abbreviations post-mortems use: (the region's zone, the abbreviation's own offset). A
# standard-time name is often written all year for the local time, so it means the region's
# zone where the system knows it; a daylight-time name is exact. Ambiguous ones (CST, IST) are
# left out: the incident's own zone is a better guess than a wrong one.
_NAMED_ZONES: dict[str, tuple[str | None, str]] = {
    "CET": ("Europe/Paris", "+01:00"),
    "CEST": (None, "+02:00"),
    "BST": (None, "+01:00"),
    "EST": ("America/New_York", "-05:00"),
    "EDT": (None, "-04:00"),
    "MST": ("America/Denver", "-07:00"),
    "MDT": (None, "-06:00"),
    "PST": ("America/Los_Angeles", "-08:00"),
    "PDT": (None, "-07:00"),
    "JST": (None, "+09:00"),
    "AEST": ("Australia/Sydney", "+10:00"),
    "AEDT": (None, "+11:00"),
}
_ZONE_NAMES = "|".join(sorted(_NAMED_ZONES, key=lambda z: (-len(z), z)))
# A zone is a whole word: "10:00 Zookeeper restarted" names no zone.
_ZONE = r"\s*(?P<zone>(?:Z|UTC|GMT|" + _ZONE_NAMES + r")(?![A-Za-z])|[+-]\d{2}:?\d{2})?"
# A bullet, or a row of a Markdown table (the form many teams' timelines take).
_BULLET = re.compile(
    r"^\s*(?:(?:[-*+]|\d+[.)])\s+|(?P<row>\|)\s*)(?:\*\*|__)?\s*(?:"
    + _DATE
    + r")?"
    + _TIME
    + _ZONE
    + r"\s*(?:\*\*|__)?\s*(?:[—–:|-]+\s*)?(?P<text>.*)$"
)
_ALL_TIMES = re.compile(
    r"times?\b.*?(?P<zone>\b(?:UTC|GMT|" + _ZONE_NAMES + r")\b|[+-]\d{2}:?\d{2})", re.IGNORECASE
)


def _zone(text: str | None, default: tzinfo) -> tzinfo:
    if not text or text.upper() in ("Z", "UTC", "GMT"):
        return UTC if text else default
    region, offset = _NAMED_ZONES.get(text.upper(), (None, text))
    if region is not None:
        try:
            return ZoneInfo(region)
        except ZoneInfoNotFoundError:  # a system without the time-zone database
            pass
    sign = 1 if offset[0] == "+" else -1
    digits = offset[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))


def stated_zone(text: str, default: tzinfo = UTC) -> tzinfo:
    """The zone a text states for its times ("All times in CET", "Times are UTC"), or default."""
    for line in text.splitlines():
        stated = _ALL_TIMES.search(line)
        if stated and not _BULLET.match(line):
            return _zone(stated.group("zone"), default)
    return default


def parse_timeline(
    lines: list[str], started_at: datetime | None, first_line: int
) -> list[TimelineEvent]:
    """Timeline bullets with their times, dated from the incident's start when they omit a date.

    A time earlier than the previous bullet's means the clock passed midnight. `first_line`
    is the 1-based file line of `lines[0]`.
    """
    default_zone: tzinfo = started_at.tzinfo if started_at and started_at.tzinfo else UTC
    for line in lines[:3]:
        stated = _ALL_TIMES.search(line)
        if stated and not _BULLET.match(line):
            default_zone = _zone(stated.group("zone"), default_zone)
    events: list[TimelineEvent] = []
    day: date | None = started_at.astimezone(default_zone).date() if started_at else None
    previous: datetime | None = None
    for offset, line in enumerate(lines):
        match = _BULLET.match(line)
        if not match:
            continue
        text = match.group("text").strip()
        if match.group("row"):  # a table row: its other cells, joined
            text = " — ".join(cell.strip() for cell in text.strip("|").split("|") if cell.strip())
        zone = _zone(match.group("zone"), default_zone)
        try:
            hour = int(match.group("h"))
            if match.group("ampm"):
                hour = hour % 12 + (12 if match.group("ampm") in "Pp" else 0)
            clock = time(hour, int(match.group("m")), int(match.group("s") or 0))
            if match.group("date"):
                day = date.fromisoformat(match.group("date"))
                at: datetime | None = datetime.combine(day, clock, zone)
            elif day is not None:
                at = datetime.combine(day, clock, zone)
                if previous is not None and at < previous - timedelta(minutes=1):
                    day = day + timedelta(days=1)
                    at = datetime.combine(day, clock, zone)
            else:
                at = None
        except ValueError:
            at = None
        if at is not None:
            previous = at
        events.append(TimelineEvent(at=at, text=text, line=first_line + offset))
    return events


# How far a timeline may run from the start before its dates are more likely wrong (a year
# or month mistyped, a template's dates left in) than a long incident: a warning, not an error.
FAR_AFTER = timedelta(days=30)
FAR_BEFORE = timedelta(days=2)


def far_from_start(events: list[TimelineEvent], started_at: datetime) -> TimelineEvent | None:
    """The first dated event too far after or before the start, if any."""
    for event in events:
        if event.at is not None and not (
            started_at - FAR_BEFORE <= event.at <= started_at + FAR_AFTER
        ):
            return event
    return None
