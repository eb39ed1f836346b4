"""Plain, frozen data passed between the pipeline's stages."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

Level = Literal["error", "warning"]

SEVERITIES = ("P0", "P1", "P2", "P3", "P4")
TRIGGERS = (
    "deploy",
    "config-change",
    "traffic-spike",
    "dependency",
    "capacity",
    "expiry",
    "hardware",
    "unknown",
)
ACTION_KINDS = ("prevent", "detect", "mitigate", "process")
ACTION_STATUSES = ("open", "done", "wontfix")
VISIBILITIES = ("internal", "restricted")


@dataclass(frozen=True, order=True)
class Problem:
    """One finding about an input file: `path:line: level: message`."""

    path: str
    line: int  # 1-based; 0 when the problem concerns the whole file
    level: Level
    message: str
    hint: str | None = None
    code: str = "invalid"

    def format(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        text = f"{where}: {self.level}: {self.message}"
        if self.hint:
            text += f"\n  Hint: {self.hint}"
        return text

    def as_json(self) -> dict[str, object]:
        """The problem as the JSON outputs (`check --json`, `import --json`) list it."""
        return {
            "path": self.path,
            "line": self.line,
            "level": self.level,
            "code": self.code,
            "message": self.message,
            "hint": self.hint,
        }


@dataclass(frozen=True)
class TimelineEvent:
    """A timeline entry; `at` is None when its time could not be read."""

    at: datetime | None
    text: str
    line: int
    # What the entry does, as the reader's cues tell: detection, acknowledgement, diagnosis,
    # mitigation, recovery, resolved. Empty until the post-mortem is read.
    kinds: tuple[str, ...] = ()
    end: int | None = None  # the last line its words are on, where they run past `line`
    # Told by its day alone ("01-16-2024 - Chia detected …"): `at` is that day's noon, and a
    # duration to or from it counts in days, never in minutes.
    day_only: bool = False


@dataclass(frozen=True)
class Statement:
    """A piece of a post-mortem that says one part of the story, with where it is written."""

    text: str
    line: int  # 1-based file line where it starts
    end: int  # 1-based file line where it ends
    how: str = "section"  # section | label | timeline | inferred | factor | front matter
    at: datetime | None = None  # for a timeline entry, its time
    effect_minutes: float | None = None  # for a mitigation, how soon impact eased after it


# A contributing factor read as part of the root cause too: its `how` there.
FACTOR = "factor"


def whole_days(start: datetime, end: datetime) -> float | None:
    """Minutes between two moments one of which a timeline gives by its day alone: whole
    days, and none within one day ("01-16-2024 - detected" tells no time to detect)."""
    days = (end.date() - start.date()).days
    return float(days * 24 * 60) if days > 0 else None


def said_once(part: Callable[[str], Sequence[Statement]], names: Sequence[str]) -> list[Statement]:
    """The statements of the named parts, in order. A contributing factor read as part of the
    cause too is said once, as a factor, where the factors are among them: its words would
    otherwise count twice. (A trigger that is the cause is both, and counts so.)"""
    factors = "contributing_factors" in names
    return [
        s
        for name in names
        for s in part(name)
        if not (factors and name == "root_cause" and s.how == FACTOR)
    ]


@dataclass(frozen=True)
class FailureMode:
    """A way of failing an incident shows, with the words that betrayed it."""

    id: str
    family: str
    matched: tuple[str, ...]  # as written in the catalogue; empty when the author named it
    given: bool = False  # named by the author (front matter `failure_mode:`)


@dataclass(frozen=True)
class Milestone:
    """When a moment of the incident happened, and where that was read."""

    name: str  # started_at, detected_at, acknowledged_at, mitigated_at, resolved_at
    at: datetime
    source: str  # "front matter" | "timeline" | "impact statement" | "stated duration"
    line: int
    day_only: bool = False  # read from a timeline entry that gives its day alone


@dataclass(frozen=True)
class Impact:
    customers_affected: int | None = None
    revenue_usd: float | None = None
    sla_breached: bool | None = None
    summary: str | None = None


@dataclass(frozen=True)
class RootCause:
    category: str | None = None
    summary: str | None = None


@dataclass(frozen=True)
class Detection:
    method: str | None = None
    source: str | None = None


@dataclass(frozen=True)
class Responder:
    name: str
    role: str | None = None


@dataclass(frozen=True)
class ActionItem:
    id: str
    title: str
    kind: str | None = None
    owner: str | None = None
    status: str = "open"
    due: date | None = None
    done_at: date | None = None
    effort: float | None = None
    extra: tuple[tuple[str, Any], ...] = ()


def line_key(key: str) -> str:
    """A dotted key as `Incident.lines` holds it (a tab or line break in it read as a space)."""
    return key.replace("\t", " ").replace("\n", " ")


def key_lines(lines: dict[str, int]) -> str:
    """`Incident.lines` for each key's line."""
    return "".join(f"\n{line_key(k)}\t{v}" for k, v in sorted(lines.items()))


@dataclass(frozen=True)
class Incident:
    """One post-mortem as written; derived figures live in `enrich`."""

    id: str
    title: str
    path: str  # relative to the learning repo, POSIX separators
    severity: str  # normalized: P0…P4
    services: tuple[str, ...]
    started_at: datetime
    started_date_only: bool = False
    detected_at: datetime | None = None
    acknowledged_at: datetime | None = None
    mitigated_at: datetime | None = None
    resolved_at: datetime | None = None
    status: str | None = None
    impact: Impact = field(default_factory=Impact)
    trigger: str | None = None
    root_cause: RootCause = field(default_factory=RootCause)
    contributing_factors: tuple[str, ...] = ()
    whys: tuple[str, ...] = ()
    detection: Detection = field(default_factory=Detection)
    responders: tuple[Responder, ...] = ()
    runbook_used: str | None = None
    runbook_helpful: bool | None = None
    action_items: tuple[ActionItem, ...] = ()
    tags: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    visibility: str = "internal"
    pattern: str | None = None  # a reviewer's pin to a pattern, if any
    not_pattern: tuple[str, ...] = ()  # patterns a reviewer kept it out of
    alerts: tuple[str, ...] = ()  # names of the alerts that detected it (front matter `alerts`)
    extra: tuple[tuple[str, Any], ...] = ()  # unknown keys, kept as written
    sections: tuple[tuple[str, str], ...] = ()  # canonical section name -> text
    timeline: tuple[TimelineEvent, ...] = ()
    body: str = ""
    body_line: int = 1  # the file line the body starts on
    # The story told in front-matter keys (a .yaml incident's summary, timeline, …):
    # (key, text, line) per text, read as a body is.
    narrative: tuple[tuple[str, str, int], ...] = ()
    # What the reader found (read/): each part's statements, the failure modes, the moments.
    parts: tuple[tuple[str, tuple[Statement, ...]], ...] = ()
    failure_modes: tuple[FailureMode, ...] = ()
    milestones: tuple[Milestone, ...] = ()
    failure_mode_given: tuple[str, ...] = ()  # front matter `failure_mode:`, as written
    digest: str = ""  # sha256 of the file's bytes
    # Each front-matter key's line, one "\n<dotted key>\t<line>" row per key: one string
    # rather than a pair per key, as a corpus holds (and its parse cache loads) ten thousand.
    lines: str = ""

    def section(self, name: str) -> str:
        """The text of a canonical body section, or '' when absent."""
        for key, text in self.sections:
            if key == name:
                return text
        return ""

    def part(self, name: str) -> tuple[Statement, ...]:
        """The statements the reader found for a part (read/lexicon.PARTS), or ()."""
        for key, statements in self.parts:
            if key == name:
                return statements
        return ()

    def line_of(self, key: str) -> int:
        """The line of a front-matter key (dotted path), or 1."""
        at = self.lines.find(f"\n{line_key(key)}\t")
        if at < 0:
            return 1
        start = self.lines.index("\t", at + 1) + 1
        end = self.lines.find("\n", start)
        return int(self.lines[start : end if end >= 0 else None])


@dataclass(frozen=True)
class Corpus:
    """Everything loaded from a learning repo: the incidents and what was wrong."""

    incidents: tuple[Incident, ...]
    problems: tuple[Problem, ...]
    files: int = 0
    # Decoded text of every readable file, loaded or not: a secret in a broken file still leaks.
    # None for a file a run did not need to read (unchanged since the last): `load.texts`.
    sources: tuple[tuple[str, str | None], ...] = ()
    # Files under incidents/ not read as incidents, each with why: nothing goes unsaid.
    skipped: tuple[tuple[str, str], ...] = ()

    def by_id(self) -> dict[str, Incident]:
        return {i.id: i for i in self.incidents}
