"""The small readers every importer shares: a source's text, times, lists and mappings read
leniently, its digest, and the timeline bullets built from them."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from learnloop.importers.records import Document, Record


def digest_of(data: Any) -> str:
    """sha256 of a source record: its text, or its canonical JSON."""
    raw = data if isinstance(data, str) else json.dumps(data, sort_keys=True, default=str)
    return "sha256:" + hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


_FRACTION = re.compile(r"(\.\d{6})\d+")
_COMPACT_OFFSET = re.compile(r"([+-]\d{2})(\d{2})$")
# Go's zero time: Alertmanager's endsAt for an alert still firing.
_ZERO_YEAR = 1


def parse_time(value: object) -> datetime | None:
    """A zone-aware time from ISO 8601 text or epoch seconds/milliseconds; None otherwise.

    A time without a zone is read as UTC; nanoseconds are cut to microseconds; Go's zero
    time and out-of-range numbers are None.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, date):
        return datetime.combine(value, time(0, 0), UTC)
    elif isinstance(value, int | float):
        seconds = float(value)
        while seconds > 1e11:  # milliseconds, microseconds or nanoseconds
            seconds /= 1000
        if not 0 < seconds < 7e9:
            return None
        parsed = datetime.fromtimestamp(seconds, UTC)
    elif isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"\d{9,19}(\.\d+)?", text):
            return parse_time(float(text))
        text = _FRACTION.sub(r"\1", text.replace("Z", "+00:00").replace("z", "+00:00"))
        text = _COMPACT_OFFSET.sub(r"\1:\2", text)
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            return None
    else:
        return None
    if parsed.year <= _ZERO_YEAR:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def iso(value: datetime | date) -> str:
    """ISO 8601 as the front matter holds it: seconds, and Z for UTC."""
    if not isinstance(value, datetime):
        return value.isoformat()
    value = value.replace(microsecond=0)
    if value.utcoffset() == timedelta(0):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return value.isoformat()


def clock(value: datetime) -> str:
    """A timeline stamp in UTC: 2024-03-05 10:02."""
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M")


def text_of(value: object) -> str:
    """A scalar as text ('' for None, containers and booleans)."""
    if value is None or isinstance(value, bool | dict | list):
        return ""
    return str(value).strip()


def mapping(value: object) -> dict[str, Any]:
    """The value when it is a mapping, else an empty one: sources leave fields out or null."""
    return value if isinstance(value, dict) else {}


def items(value: object) -> list[Any]:
    """The value when it is a list, else an empty one."""
    return value if isinstance(value, list) else []


def body_of(parts: list[str]) -> str:
    """An imported file's body: its non-empty parts, a blank line apart, ending in a newline."""
    return "\n\n".join(p for p in parts if p).strip() + "\n"


def indent(text: str, prefix: str = "  ") -> str:
    """Continuation lines of a list item: every line after the first, indented."""
    lines = text.strip("\n").split("\n")
    return "\n".join([lines[0], *(prefix + line if line.strip() else "" for line in lines[1:])])


def bullet(at: datetime | None, text: str) -> str:
    """One timeline bullet, its continuation lines indented under it."""
    stamp = f"{clock(at)} — " if at is not None else ""
    return f"- {stamp}{indent(text.strip()) or '(no text)'}"


@dataclass
class Timeline:
    """Timeline bullets collected from a log, kept in time order when rendered."""

    events: list[tuple[datetime, int, str]] = field(default_factory=list)

    def add(self, at: datetime | None, text: str) -> None:
        if at is not None and text.strip():
            self.events.append((at, len(self.events), text))

    def render(self) -> str:
        if not self.events:
            return ""
        lines = ["## Timeline", "", "All times UTC.", ""]
        lines += [bullet(at, text) for at, _, text in sorted(self.events)]
        return "\n".join(lines)


def each_incident(
    doc: Document, found: Sequence[Any], read: Callable[[Any, str, str], Record]
) -> list[Record]:
    """`read(incident, shown, origin)` for each incident object a document holds: where it
    holds several, each is shown and recorded as the document's path with its id after "#"."""
    out: list[Record] = []
    for index, incident in enumerate(found):
        ident = text_of(mapping(incident).get("id")) or f"{index + 1}"
        several = len(found) > 1
        shown = f"{doc.shown}#{ident}" if several else doc.shown
        origin = f"{doc.source}#{ident}" if several else doc.source
        out.append(read(incident, shown, origin))
    return out
