"""Post-mortems written in any Markdown template: what can be derived, and the text kept.

The helpers are small pure functions over text: the title from the first heading, the date
from front matter, the text or the file name, fields written as bold bullets, inline labels,
tables or headings, and the times a "Key events" list gives.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import Any

import yaml

from learnloop import gitfacts
from learnloop.importers import asciidoc, dates, mediawiki, rst
from learnloop.importers.adf import wiki_to_markdown
from learnloop.importers.fields import digest_of, parse_time, text_of
from learnloop.importers.records import Document, Imported, Record, Skipped
from learnloop.read import lexicon as lexicon_mod
from learnloop.read import timeline as timeline_mod
from learnloop.read import times as times_mod
from learnloop.read.infer import timeline_of
from learnloop.read.markdown import blocks
from learnloop.read.record import SPAN_PARTS, assign

# Field names as teams write them (compared lower-case, punctuation dropped) -> what they give.
FIELD_NAMES: dict[str, tuple[str, ...]] = {
    "title": ("title", "incident title", "subject"),
    "date": ("date", "incident date", "date of incident", "date and time", "day"),
    "started_at": (
        "start",
        "started",
        "start time",
        "started at",
        "incident start",
        "impact start",
        "impact started",
        "began",
        "outage start",
    ),
    "detected_at": (
        "detected",
        "detected at",
        "first detected",
        "detection time",
        "time detected",
        "reported",
        "first reported",
    ),
    "acknowledged_at": ("acknowledged", "incident declared", "declared", "responded"),
    "mitigated_at": (
        "mitigated",
        "mitigated at",
        "impact ended",
        "impact mitigated",
        "impact mitigation",
        "service restored",
        "restored",
    ),
    "resolved_at": ("resolved", "resolved at", "end time", "ended", "end", "fixed", "closed"),
    "duration": (
        "duration",
        "time to resolve",
        "time to resolution",
        "time to recovery",
        "time to recover",
        "outage duration",
        "total duration",
        "ttr",
    ),
    "severity": ("severity", "priority", "sev", "incident severity", "severity level", "level"),
    "services": (
        "services",
        "service",
        "services affected",
        "affected services",
        "affected service",
        "systems affected",
        "affected systems",
        "components",
        "affected components",
        "affected",
        "impacted services",
        "services impacted",
        "impacted systems",
        "impacted components",
        # ServiceNow's: the configuration item or business service an incident is raised on.
        "configuration item",
        "cmdb ci",
        "business service",
    ),
    "status": ("status", "incident status", "state", "incident state"),
    # What it cost, as a table of figures gives it ("| Customers affected | 3,400 |").
    "customers_affected": (
        "customers affected",
        "affected customers",
        "customers impacted",
        "impacted customers",
        "users affected",
        "affected users",
        "users impacted",
        "impacted users",
        "number of customers affected",
        "number of users affected",
    ),
    "revenue_usd": (
        "revenue lost",
        "lost revenue",
        "revenue impact",
        "revenue delayed",
        "revenue lost or delayed",
        "revenue at risk",
        "financial impact",
    ),
    "sla_breached": ("sla breached", "sla breach", "sla violated"),
}
_FIELD = {name: key for key, names in FIELD_NAMES.items() for name in names}
# Front-matter keys of other tools (Hugo, Jekyll, cState, incident templates) -> ours.
FRONT_KEYS: dict[str, tuple[str, ...]] = {
    "title": ("title", "name", "incident", "summary_title"),
    "date": ("started_at", "start", "started", "date", "created", "created_at", "published"),
    "detected_at": ("detected_at", "detected"),
    "acknowledged_at": ("acknowledged_at", "acknowledged"),
    "mitigated_at": ("mitigated_at", "mitigated"),
    "resolved_at": ("resolved_at", "resolvedwhen", "resolved_when", "end", "ended", "resolved"),
    "severity": ("severity", "priority", "sev", "impact"),
    "services": ("services", "service", "affected", "components", "systems", "affected_services"),
    "tags": ("tags", "categories", "labels"),
    "id": ("id", "incident_id", "key"),
    "summary": ("summary", "description"),
}
_ASCIIDOC = (".adoc", ".asciidoc")
_RST = (".rst", ".rest")
_MEDIAWIKI = (".wiki", ".mediawiki")
_PLACEHOLDER_TITLE = re.compile(
    r"^\s*[\[{<(]?\s*(issue name|incident name|title|incident title|your title|name)"
    r"\s*[\]}>)]?\s*$",
    re.IGNORECASE,
)
_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_LICENSE = re.compile(
    r"Permission is hereby granted, free of charge|Apache License,?\s+Version 2\.0|"
    r"Mozilla Public License,? (?:Version|v\.) 2\.0|GNU (?:AFFERO |LESSER )?GENERAL PUBLIC LICENSE|"
    r"Redistribution and use in source and binary forms|This is free and unencumbered software"
)
_ERB = re.compile(r"<%.*?%>", re.DOTALL)
_INLINE_MARKUP = re.compile(r"(\*\*|__|`|~~)")
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")


def split_front_matter(text: str) -> tuple[dict[str, Any] | None, str, str | None]:
    """(front matter, body, error): YAML between '---' lines or TOML between '+++' lines."""
    lines = text.split("\n")
    fence = lines[0].strip() if lines else ""
    if fence not in ("---", "+++"):
        return None, text, None
    end = next((i for i, line in enumerate(lines[1:], 1) if line.strip() in (fence, "...")), None)
    if end is None:
        return None, text, "front matter is not terminated: no closing line"
    block = "\n".join(lines[1:end])
    body = "\n".join(lines[end + 1 :])
    if fence == "+++":
        return _toml(block), body, None
    try:
        data = yaml.safe_load(block)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 2}: " if mark is not None else ""
        problem = f"front matter is not valid YAML ({where}{getattr(exc, 'problem', exc)})"
        return _plain_keys(block), body, problem
    if data is None:
        return {}, body, None
    if not isinstance(data, dict):
        return None, body, "front matter is not a mapping of keys"
    return {str(k).lower(): v for k, v in data.items()}, body, None


def _plain_keys(block: str) -> dict[str, Any] | None:
    """Front matter that is not YAML read as `key: value` lines, as its author meant them
    ("title: [Incident] Login errors"); None where no line is one."""
    out: dict[str, Any] = {}
    for line in block.split("\n"):
        said = _KEY_LINE.match(line)
        if said and (said["value"] or "").strip():
            out.setdefault(said["key"].strip().lower(), _scalar(said["value"].strip()))
    return out or None


def _scalar(value: str) -> Any:
    """A value as YAML reads it alone (a date, a number), else its words."""
    try:
        read = yaml.safe_load(value)
    except yaml.YAMLError:
        return value
    return read if isinstance(read, (str, int, float, date, datetime)) else value


_KEY_LINE = re.compile(r"^(?P<key>[A-Za-z_][\w -]{0,40}):(?:\s+(?P<value>.*))?$")


def _toml(block: str) -> dict[str, Any]:
    import tomllib

    try:
        return {str(k).lower(): v for k, v in tomllib.loads(block).items()}
    except tomllib.TOMLDecodeError:
        return {}


def strip_erb(text: str) -> str:
    """A Middleman/Rails page without its template tags (`<%= … %>`): they are not prose.
    A heading that held only a tag goes with it."""
    return re.sub(r"(?m)^#{1,6}[ \t]*\n", "", _ERB.sub("", text))


def plain(text: str) -> str:
    """Inline Markdown dropped from a short text (a title, a field): links keep their words."""
    return _INLINE_MARKUP.sub("", _LINK.sub(r"\1", text)).strip()


def headings(body: str) -> list[tuple[int, int, str]]:
    """(line, level, text) of each heading outside code fences: `# Title`, and a line of text
    underlined with `===` (level 1) or `---` (level 2)."""
    out, fenced = [], False
    lines = body.split("\n")
    for number, line in enumerate(lines):
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        elif fenced:
            continue
        elif match := _HEADING.match(line):
            out.append((number, len(match.group(1)), match.group(2)))
        elif (
            number + 1 < len(lines)
            and (under := _UNDERLINE.match(lines[number + 1]))
            and line.strip()
            and not _NOT_SETEXT.match(line)
            and (number == 0 or not lines[number - 1].strip())
        ):
            out.append((number, 1 if under.group(1)[0] == "=" else 2, line.strip()))
    return out


_UNDERLINE = re.compile(r"^ {0,3}(=+|-{2,})\s*$")
_NOT_SETEXT = re.compile(r"^\s*(?:[-*+>|]|\d+[.)]\s|#|---)")
# A first line that names the incident: short, no sentence, no label ("Summary of impact: …").
_KIND_OF_DOCUMENT = re.compile(
    r"^(?:(?:major\s+|security\s+|post-?\s?)?incident\s+)?(?:retrospective|post-?\s?mortem|review|report)\b"
    # A provider's name for it: "Reason for Outage: VPN connectivity loss", "RFO - …".
    r"|^(?:reason\s+for\s+outage|rfo)\b",
    re.IGNORECASE,
)
_SEPARATOR = re.compile(r"^\s*(?::|[-–—]\s)\s*")


def _without_kind(title: str) -> str:
    """A title without what kind of document it is, and the date said with that ("Incident
    report July 11 2025 - CloudBank health check fail": the name is after the dash)."""
    kind = _KIND_OF_DOCUMENT.match(title)
    if kind is None:
        return title
    rest = title[kind.end() :].strip()
    dated = times_mod.leading_date(rest)
    if dated is not None:
        rest = dated[1]
    told = _SEPARATOR.match(rest)
    if told is not None:
        rest = rest[told.end() :]
    # Only a kind, a date and a separator come off: "Report of missing payments" stays.
    return rest.strip() if (told or dated) and rest.strip() else title


_TITLE_LINE = re.compile(r"^(?![-*+>|#]|\d+[.)]\s)(?![^:]{1,40}:\s)[^\n]{8,150}(?<![.:;,])$")


def title_from(front: dict[str, Any], body: str, name: str) -> str:
    """The front matter's title, else the first top heading (a template's placeholder heading
    gives way to the line under it), else the file's name in words; without the pictures
    around it ("Payment webhooks dropped 🔥")."""
    return _undecorated(_title_from(front, body, name)) or "Untitled incident"


def _undecorated(title: str) -> str:
    start, end = 0, len(title)
    while start < end and (title[start].isspace() or _decoration(title[start])):
        start += 1
    while end > start and (title[end - 1].isspace() or _decoration(title[end - 1])):
        end -= 1
    return title[start:end]


def _decoration(char: str) -> bool:
    # Emoji and other pictures, their variation selectors and the joiner between them.
    return unicodedata.category(char) == "So" or char in "\ufe0e\ufe0f\u200d"


def _title_from(front: dict[str, Any], body: str, name: str) -> str:
    for key in FRONT_KEYS["title"]:
        if text_of(front.get(key)):
            return plain(text_of(front[key]))[:300]
    # A metadata block of plain fields over the text ("Title: Cache outage" / "Date: …", as
    # MultiMarkdown and static-site generators write one) names it as front matter would.
    head = body.lstrip().split("\n\n", 1)[0]
    if (named := fields(head).get("title")) and not _PLACEHOLDER_TITLE.match(named):
        return _without_kind(named)[:300]  # "Subject: Post-incident report: EU login outage"
    found = headings(body)
    top = min((level for _, level, _ in found), default=0)
    alone_at_top = sum(1 for _, level, _ in found if level == top) == 1
    lines = body.split("\n")
    words = lexicon_mod.shipped()
    for number, level, text in found:
        # "## Summary" names a part, not the incident; the one top heading names the incident
        # unless it is a part's name said whole ("# Retrospective: Search indexing stalled").
        names_a_part = (
            words.named(plain(text)) is not None
            if alone_at_top
            else words.heading(plain(text)) is not None
        )
        if level != top or not plain(text) or names_a_part:
            continue
        if _PLACEHOLDER_TITLE.match(plain(text)):
            following = next((ln for ln in lines[number + 1 :] if ln.strip()), "")
            if following and not following.lstrip().startswith("#"):
                return plain(following)[:300]
            continue
        return _without_kind(plain(text))[:300]
    # No heading names it: a short first line on its own, as an RCA opens ("RCA - Front Door -
    # Connectivity issues in West Europe").
    start = next((n for n, ln in enumerate(lines) if ln.strip()), -1)
    alone = start >= 0 and (start + 1 >= len(lines) or not lines[start + 1].strip())
    # Not a part's name on a line of its own ("ISSUE SUMMARY"), as a report opens its first part.
    first = plain(lines[start].strip()) if start >= 0 else ""
    if alone and not found and _TITLE_LINE.match(first) and words.named(first) is None:
        return first[:300]
    stem = re.sub(r"(\.[A-Za-z]{1,4})+$", "", name)
    said = re.sub(r"[-_]+", " ", re.sub(r"^\d{4}-\d\d-\d\d[-_ ]*", "", stem)).strip()
    return (said[:1].upper() + said[1:]) if said else stem or "Untitled incident"


def field_key(label: str) -> str | None:
    """The field a label names ('Time to resolve' -> duration, 'Impact started at' ->
    started_at), or None."""
    # "Service(s) affected" names the services.
    # "Start time (UTC)": the zone in brackets is said of the value, not part of the name.
    said = re.sub(r"\s*\((?!s\))[^)]*\)", " ", plain(label).lower())
    words = re.sub(r"[^a-z0-9]+", " ", said.replace("(s)", "s")).strip()
    return _FIELD.get(words) or _FIELD.get(
        re.sub(r" (?:at|on|time|timestamp|date time|date and time|datetime|date)$", "", words)
    )


_BOLD_FIELD = re.compile(
    r"^\s*(?:[-*+]\s+)?(?:\*\*|__)(?P<label>[^*_:\n]{1,40}?):?(?:\*\*|__):?\s*(?P<value>.*)$"
)
_PLAIN_FIELD = re.compile(
    r"^\s*(?:(?:[-*+]|\d{1,2}[.)])\s+)?(?P<label>[A-Za-z][A-Za-z ()]{1,30}):\s+(?P<value>\S.*)$"
)
# A bold label inside a line, its colon inside or after the bold: "**Status:**", "**Lead**:".
_NEXT_BOLD = re.compile(r"(?:\*\*|__)([^*_:\n]{1,40}?)(?::(?:\*\*|__)|(?:\*\*|__):)")
_MOMENTS = ("detected_at", "acknowledged_at", "mitigated_at", "resolved_at")
# The fields that give a moment or a span, which a number always tells.
_WHEN = frozenset(
    {"date", "started_at", "detected_at", "acknowledged_at", "mitigated_at", "resolved_at"}
)
_TABLE_FIELD = re.compile(r"^\s*\|\s*(?P<label>[^|]{1,40}?)\s*\|\s*(?P<value>[^|]+?)\s*\|\s*$")


def fields(body: str) -> dict[str, str]:
    """Labelled values: bold bullets (`- **Severity**: SEV-2`), bold or plain labels opening a
    line, two-column table rows, and headings that name a field with the value under them.
    The first of each field wins; a label with no value (`- **Key events**`) is left out."""
    out: dict[str, str] = {}
    lines = body.split("\n")
    heading_at = {number: text for number, _, text in headings(body)}
    for number, line in enumerate(lines):
        if len(_NEXT_BOLD.findall(line)) > 1:
            # "**Severity:** Major · **Status:** Closed": fields run along one line.
            parts = _NEXT_BOLD.split(line)
            for label, value in zip(parts[1::2], parts[2::2], strict=True):
                value = value.strip().strip("·|;,–—-").strip()
                if (key := field_key(label)) and plain(value):
                    out.setdefault(key, plain(value))
            continue
        if number in heading_at:
            key = field_key(heading_at[number])
            following = next((ln for ln in lines[number + 1 : number + 4] if ln.strip()), "")
            if key and following and not following.lstrip().startswith(("#", "|")):
                out.setdefault(key, plain(following.lstrip("-*+ ")))
            continue
        for pattern in (_BOLD_FIELD, _TABLE_FIELD, _PLAIN_FIELD):
            match = pattern.match(line)
            if match and (key := field_key(match.group("label"))) and plain(match.group("value")):
                if key in _WHEN and not re.search(r"\d", match.group("value")):
                    break  # "| Date/Time | Event |": a table's column names, no date
                out.setdefault(key, plain(match.group("value")))
                break
    return out


_KEY_EVENTS = re.compile(r"^(\s*)[-*+]\s+(?:\*\*|__)?\s*key (?:events|dates|times)\b", re.I)
_NESTED = re.compile(r"^(\s+)[-*+]\s+(?P<text>.+)$")


def _at_clock(day: date, clock: re.Match[str], zone: tzinfo) -> datetime:
    """A clock alone ("13:02", matched by `_CLOCK_ONLY`) on a day known from elsewhere."""
    return datetime.combine(day, time(int(clock[1]), int(clock[2])), zone)


_CLOCK_ONLY = re.compile(r"(?<![\d:])([01]?\d|2[0-3])[:.]([0-5]\d)(?![\d:])")


def key_events(body: str, zone: tzinfo, day: date | None = None) -> dict[str, datetime]:
    """Times from a "Key events" list: `First detected 2021-07-12 15:44` -> detected_at; a
    time alone (`Resolved 15:51`) is on `day`, when it is known."""
    out: dict[str, datetime] = {}
    lines = body.split("\n")
    for number, line in enumerate(lines):
        opened = _KEY_EVENTS.match(line)
        if not opened:
            continue
        for nested in lines[number + 1 :]:
            match = _NESTED.match(nested)
            if not match or len(match.group(1)) <= len(opened.group(1)):
                break
            text = plain(match.group("text"))
            found = dates.dates_in(text, zone)
            clock = _CLOCK_ONLY.search(text) if day is not None and not found else None
            if clock and day is not None:
                found = [(clock.start(), day, _at_clock(day, clock, zone))]
            if not found or found[0][2] is None:
                continue
            label = text[: found[0][0]].strip(" :-—")
            key = field_key(label)
            if key in (
                "started_at",
                "detected_at",
                "acknowledged_at",
                "mitigated_at",
                "resolved_at",
            ):
                out.setdefault(key, found[0][2])
            elif key == "date":
                out.setdefault("started_at", found[0][2])
    return out


def list_of(value: object) -> tuple[str, ...]:
    """Names from a list or a comma-separated text."""
    if isinstance(value, list):
        raw = [text_of(v) for v in value]
    else:
        raw = re.split(r"\s*[,;]\s*|\s+and\s+", text_of(value))
    return tuple(dict.fromkeys(plain(r) for r in raw if plain(r)))


def pick_date(text_date: date | None, name_date: date | None) -> tuple[date | None, str | None]:
    """The incident's day: the text's, unless a dated file name says otherwise by more than
    a day (a day either way is a time zone's difference)."""
    if text_date and name_date and abs((text_date - name_date).days) > 1:
        return name_date, (
            f"the text's first date {text_date} is far from the file name's {name_date}; "
            "the file name's was used"
        )
    return text_date or name_date, None


def records(doc: Document, fmt: str = "markdown") -> list[Record]:
    """One incident from a post-mortem's text (a template is skipped, with the reason)."""
    text = doc.data if isinstance(doc.data, str) else ""
    if doc.name.endswith(".erb"):
        text = strip_erb(text)
    front, body, error = split_front_matter(text.replace("\r\n", "\n"))
    if error and front is None:
        return [Skipped(doc.shown, error)]
    named = doc.name.lower()
    if named.endswith(_RST) or (
        not named.endswith(_ASCIIDOC + _MEDIAWIKI)
        and rst.looks_like_rst(body)
        and not asciidoc.looks_like_asciidoc(body)
    ):
        # The title over- or underlined, then its field list (":Date: 2023-03-14"); its
        # runs of "=" are no wiki's headings.
        body, title, fields = rst.to_markdown(body)
        said = {k: _scalar(v) for k, v in fields.items()}
        front = {**({"title": title} if title else {}), **said, **(front or {})}
    elif _looks_like_wiki(body):
        body = wiki_to_markdown(body)  # a Jira or Confluence page pasted as text
    elif mediawiki.looks_like_mediawiki(body):
        # A wiki's incident report ("== Summary =="): its page's name is its title.
        body = mediawiki.to_markdown(body)
        front = {"title": title_from({}, "", doc.name), **(front or {})}
    elif doc.name.lower().endswith(_ASCIIDOC) or asciidoc.looks_like_asciidoc(body):
        # "= Title", then ":revdate:" and the team's own attributes: its front matter.
        body, title, attributes = asciidoc.to_markdown(body)
        said = {("date" if k == "revdate" else k): _scalar(v) for k, v in attributes.items()}
        front = {**({"title": title} if title else {}), **said, **(front or {})}
    front = front or {}
    if not body.strip() and not front:
        return [Skipped(doc.shown, "the file is empty")]
    if _LICENSE.search(body[:1500]):
        return [Skipped(doc.shown, "a license text, not an incident", error=False)]
    record = read(doc, front, body, fmt)
    if error and isinstance(record, Imported):
        # The author's keys are still theirs: read as plain lines, and said so.
        record = replace(record, notes=(f"{error}: read as 'key: value' lines", *record.notes))
    return [record]


def read(doc: Document, front: dict[str, Any], body: str, fmt: str) -> Record:
    """The record for a post-mortem already split into front matter and body."""
    title = title_from(front, body, doc.name)
    if _PLACEHOLDER_TITLE.match(title) or re.search(r"\bYYYY\b|\[date\]|\{\{", title, re.I):
        return Skipped(doc.shown, f"a template, not an incident (title {title!r})", error=False)
    stated = times_mod.stated_zone(body)
    zone = times_mod.zone_named(stated, UTC) if stated else UTC
    found = fields(body)
    events = key_events(body, zone)
    notes: list[str] = []
    times: dict[str, datetime] = {}
    for key in _MOMENTS:
        value = _front(front, key, zone) or events.get(key) or _field_time(found.get(key), zone)
        if value is not None:
            times[key] = value
    start = (
        _front(front, "date", zone)
        or events.get("started_at")
        or _field_time(found.get("started_at"), zone)
    )
    day, note = _day(front, found, title, body, doc.source, zone, start)
    if day is None:
        day, note = _file_day(doc)
    elif start is None and day == dates.date_from_path(doc.source):
        # A file named for the day it was written ("2024-03-07-…" over a timeline of
        # "01-16-2024 …" to "02-28-2024 …"): its timeline says when the incident began.
        ran = _timeline_days(body, day, zone)
        if ran is not None:
            day, note = (
                ran[0],
                (
                    f"the file name's date {day} is after every day of its timeline "
                    f"({ran[0]} to {ran[1]}): dated by the timeline's first"
                ),
            )
    if note:
        notes.append(note)
    if day is None:
        return Skipped(doc.shown, "no date found in the text or the file name")
    for key, value in key_events(body, zone, day).items():  # times given without a date
        if key == "started_at":
            start = start or value
        elif key not in times:
            times[key] = value
    for key in ("started_at", *_MOMENTS):
        # "### Start time (UTC)" over "13:02", as an issue form asks it: a clock on that day.
        clock = _CLOCK_ONLY.fullmatch((found.get(key) or "").strip())
        if clock is None or (times.get(key) if key != "started_at" else start) is not None:
            continue
        value = _at_clock(day, clock, zone)
        if key == "started_at":
            start = value
        else:
            times[key] = value
    started: datetime | date = start if start is not None and start.date() == day else day
    if not isinstance(started, datetime):
        started = _impact_start(body, day, zone) or _first_event(body, day, zone) or day
    if "resolved_at" not in times and isinstance(started, datetime) and found.get("duration"):
        span = times_mod.duration(found["duration"])
        ended = (times.get("detected_at") or started) + span if span else None
        eased = _first_eased(body, started, zone)
        # "Time to recovery: 15 minutes" counts from a moment the text may not give (the
        # impact's start, not the maintenance's that opens the timeline): an end it puts
        # before the timeline's first entry that says impact eased is left to the timeline.
        if ended is not None and (eased is None or ended >= eased):
            times["resolved_at"] = ended
    cost = impact_of(found)
    severity = text_of(_front_value(front, "severity")) or found.get("severity")
    services = list_of(_front_value(front, "services")) or list_of(found.get("services", ""))
    ident = text_of(_front_value(front, "id"))
    summary = text_of(_front_value(front, "summary"))
    text = body.strip("\n")
    if summary and summary not in text:
        text = f"{summary}\n\n{text}" if text else summary
    return Imported(
        source=doc.shown,
        format=fmt,
        source_id=ident or source_id(doc.name),
        title=title,
        started_at=started,
        body=text + "\n",
        origin=doc.source,
        digest=digest_of(doc.data if isinstance(doc.data, str) else text),
        severity=severity or None,
        services=services,
        status=text_of(front.get("status")) or found.get("status") or None,
        tags=list_of(_front_value(front, "tags")),
        notes=tuple(notes),
        extra=(("impact", cost),) if cost else (),
        **times,  # type: ignore[arg-type]
    )


# "3,400", "about 3.4k", "$212,000", "USD 1.2M": a figure and what it is counted in.
_FIGURE = re.compile(
    r"^\W*?(?:about|around|approx\.?|approximately|~|>|over)?\s*(?P<usd>\$|US\$|USD\s*)?"
    r"(?P<number>\d[\d,]*(?:\.\d+)?)\s*(?P<scale>k|thousand|m|million)?\b\s*(?P<usd2>USD|dollars)?",
    re.IGNORECASE,
)
_SCALE = {"k": 1_000, "thousand": 1_000, "m": 1_000_000, "million": 1_000_000}


def impact_of(found: dict[str, str]) -> dict[str, Any]:
    """The impact's figures its fields give: customers affected, revenue in dollars (a sum
    in another currency is left for the author: no rate is guessed), whether the SLA broke."""
    out: dict[str, Any] = {}
    for key in ("customers_affected", "revenue_usd"):
        figure = _FIGURE.match(found.get(key) or "")
        if figure is None or (key == "revenue_usd" and not (figure["usd"] or figure["usd2"])):
            continue
        amount = float(figure["number"].replace(",", ""))
        amount *= _SCALE.get((figure["scale"] or "").lower(), 1)
        out[key] = round(amount)
    said = (found.get("sla_breached") or "").strip().lower()
    if said in ("yes", "true", "breached", "y"):
        out["sla_breached"] = True
    elif said in ("no", "false", "not breached", "n"):
        out["sla_breached"] = False
    return out


_WIKI_HEADING = re.compile(r"^h[1-6]\.\s+\S", re.MULTILINE)


def _looks_like_wiki(body: str) -> bool:
    """Whether a text is written in Jira's wiki markup (h2. headings), not Markdown."""
    return len(_WIKI_HEADING.findall(body)) >= 2 and not _HEADING.search(body)


def source_id(name: str) -> str:
    """An id from a file's name: a leading ticket id (PM2021-005 - …) or the whole stem."""
    stem = re.sub(
        r"(\.(md|markdown|mdx|txt|erb|html?|wiki|mediawiki|docx|adoc|asciidoc|rst|rest))+$",
        "",
        name,
        flags=re.I,
    )
    ticket = re.match(r"^([A-Za-z]{1,10}[-_]?\d[\d-]*\d)(?=[\s_-]+\D)", stem)
    return ticket.group(1) if ticket else stem


def _front_value(front: dict[str, Any], key: str) -> Any:
    for name in FRONT_KEYS[key]:
        if front.get(name) not in (None, "", []):
            return front[name]
    return None


def _front(front: dict[str, Any], key: str, zone: tzinfo = UTC) -> datetime | None:
    value = _front_value(front, key)
    if isinstance(value, date) and not isinstance(value, datetime):
        return None  # a day alone: _day reads it
    if value is None or isinstance(value, bool):
        return None
    # Not ISO 8601: a time as people type it ("02/09/2021 08:21", "Sep 2, 2021 at 8:21 AM").
    return parse_time(value) or (_field_time(value, zone) if isinstance(value, str) else None)


def _field_time(value: str | None, zone: tzinfo) -> datetime | None:
    if not value:
        return None
    found = dates.dates_in(value, zone)
    return found[0][2] if found else None


def _day(
    front: dict[str, Any],
    found: dict[str, str],
    title: str,
    body: str,
    path: str,
    zone: tzinfo,
    start: datetime | None,
) -> tuple[date | None, str | None]:
    name_date = dates.date_from_path(path)
    raw = _front_value(front, "date")
    if isinstance(raw, date):
        return pick_date(raw.date() if isinstance(raw, datetime) else raw, name_date)
    if start is not None:
        return pick_date(start.date(), name_date)
    said = raw if isinstance(raw, str) else ""  # "Sep 2, 2021": a day as people type it
    candidates = []
    for text in (said, found.get("date", ""), title, body):
        days = {at for at, _, _ in dates.dates_in(text, zone, months=False)}
        for at, day, _ in dates.dates_in(text, zone):
            if at not in days:
                # A month said with its year ("Replication lag (March 2025)") is no day: the
                # day the text gives in that month ("Tuesday, March 4") is, else its first.
                given = dates.date_without_year(title + "\n" + body[:4000], day.year)
                day = given if given is not None and given.month == day.month else day
            candidates.append(day)
    year = dates.year_from_path(path) if name_date is None else None
    text_date = candidates[0] if candidates else None
    if year is not None and text_date is not None and text_date.year != year:
        # The file's name dates the incident to a year; the text's first date in it wins
        # over an earlier date the text gives as background.
        text_date = next((d for d in candidates if d.year == year), text_date)
    if text_date is None and (name_date or year):
        text_date = dates.date_without_year(
            title + "\n" + body[:2000], (name_date.year if name_date else year) or 0
        )
    return pick_date(text_date, name_date)


def _file_day(doc: Document) -> tuple[date | None, str | None]:
    """For a post-mortem whose text and name give no date: the day its file last changed (its
    last commit, else its modified time), said in a warning so the author can correct it."""
    if not doc.origin:
        return None, None
    path = Path(doc.origin)
    committed = gitfacts.last_change(path)
    if committed is not None:
        day, how = committed.date(), "last commit"
    else:
        try:
            day = datetime.fromtimestamp(path.stat().st_mtime, UTC).date()
        except OSError:
            return None, None
        how = "modified time"
    return day, (
        f"no date in the text or the file's name: dated {day} by the file's {how}; "
        "set started_at to when it happened"
    )


def _impact_start(body: str, day: date, zone: tzinfo) -> datetime | None:
    """When the impact began, where the summary or impact states its span ("Between 14:05
    and 15:20 CET on 14 March") or its start ("starting at 14:51 UTC"): the timeline may open
    earlier, with what set it off."""
    told = [
        block
        for part, _, block in assign(blocks(body), lexicon_mod.shipped())
        if part in SPAN_PARTS and block.kind in ("paragraph", "item")
    ]
    midnight = datetime.combine(day, datetime.min.time(), zone)
    span = timeline_mod.impact_window(told, midnight, zone, None)
    # Else a start said without its end: "starting at 14:51 UTC, …".
    began = span[0] if span else timeline_mod.impact_began(told, midnight, zone, None)
    return began if began is not None and began.astimezone(zone).date() == day else None


def _first_eased(body: str, start: datetime, zone: tzinfo) -> datetime | None:
    """When the timeline first says impact eased or ended ("12:35 Issue mitigated …")."""
    words = lexicon_mod.shipped()
    eased = [
        e.at
        for e in timeline_of(body, start, zone)
        if e.at is not None and (words.cue("recovery", e.text) or words.cue("resolved", e.text))
    ]
    return min(eased, default=None)


def _timeline_days(body: str, day: date, zone: tzinfo) -> tuple[date, date] | None:
    """The first and last days of a timeline that ends before `day`, or None where the
    timeline has no dated entry, or one on that day or after it."""
    start = datetime.combine(day, datetime.min.time(), zone)
    found = timeline_of(body, start, zone, day=day)
    days = sorted({e.at.date() for e in found if e.at is not None})
    if not days or days[-1] >= day:
        return None
    return days[0], days[-1]


def _first_event(body: str, day: date, zone: tzinfo) -> datetime | date | None:
    """The first timed timeline event on the incident's day, or on the days running up to it
    with none between: a post-mortem is often named for the day it ended or was written
    ("…/04-25-compromise.md" over "_4/21/23_ … _4/25/23_"), its timeline's days leading there.
    An entry that marks the impact's start ("OUTAGE BEGINS") is the start where there is one."""
    start = datetime.combine(day, datetime.min.time(), zone)
    events = timeline_of(body, start, zone, day=day)
    dated = [e.at for e in events if e.at is not None]
    days = {at.date() for at in dated}
    if day not in days:
        return None
    first = day
    while first - timedelta(days=1) in days:
        first -= timedelta(days=1)
    # Entries that give their day alone tell no time of day: the start is that day.
    timed = [e.at for e in events if e.at is not None and not e.day_only]
    on_first = [at for at in timed if at.date() == first]
    # Where an entry marks the impact's start ("14:54 OUTAGE BEGINS"), the entries before it
    # tell what set it off.
    words = lexicon_mod.shipped()
    marked = [
        e.at
        for e in events
        if e.at is not None
        and not e.day_only
        and first <= e.at.date() <= day
        and words.cue("began", e.text)
    ]
    return min(marked or on_first, default=first)
