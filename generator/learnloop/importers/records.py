"""The neutral records every importer returns; the readers they share are in `fields`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

FORMATS = (
    "markdown",
    "html",
    "statuspage",
    "gcp",
    "cstate",
    "pagerduty",
    "opsgenie",
    "jira",
    "slack",
    "alertmanager",
    "table",
    "docx",
)


@dataclass(frozen=True)
class Document:
    """One input as read from disk: its parsed content and where it came from.

    `shown` is the path as the user can find it; `source` is the same path relative to the
    argument it was found under (stable wherever the import is run from).
    """

    shown: str
    source: str
    data: Any  # str for text formats, parsed JSON, or a mapping of member name -> data
    name: str = ""  # the file's name, for formats that read dates or ids from it
    fmt: str = ""  # the format it was recognised as
    origin: str = ""  # the file on disk, for a date when its text and name give none
    notes: tuple[str, ...] = ()  # how it was read, where that was a guess: shown as warnings


@dataclass(frozen=True)
class AlertRef:
    """One alert as detection evidence: enough for a runbook index and a precursor analysis."""

    name: str
    starts_at: datetime
    ends_at: datetime | None = None
    fingerprint: str | None = None
    labels: tuple[tuple[str, str], ...] = ()
    source: str = "alertmanager"


@dataclass(frozen=True)
class Imported:
    """One incident read from a source, in nobody's template yet: what the file plan writes."""

    source: str  # shown to the user: the path, with "#id" when the file held several
    format: str
    source_id: str  # the source's own id, or its path: the incident's identity
    title: str
    started_at: datetime | date
    body: str  # the author's words, as Markdown
    origin: str = ""  # the stable source path recorded in imported_from
    digest: str = ""  # of the source record, so a changed source is known
    severity: str | None = None  # the source's own label: "major", "SEV-2", "high", "down"
    services: tuple[str, ...] = ()
    detected_at: datetime | None = None
    acknowledged_at: datetime | None = None
    mitigated_at: datetime | None = None
    resolved_at: datetime | None = None
    status: str | None = None
    responders: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    alerts: tuple[AlertRef, ...] = ()
    url: str | None = None
    extra: tuple[tuple[str, Any], ...] = ()  # more derived front matter, e.g. detection
    notes: tuple[str, ...] = ()  # what the reader had to guess, shown as warnings


@dataclass(frozen=True)
class Skipped:
    """An input that is not imported, and why; `error` when the input is broken."""

    source: str
    reason: str
    error: bool = True


Record = Imported | Skipped
