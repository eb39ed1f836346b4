"""Change-induced incidents and the change failure rate per service.

Pure: a deploy log (deploys and config changes), the incidents and a window in, the report
out. An incident is change-induced when it began within the window after a change to one of
its services; it is put down to the latest such change. A change failed when at least one
incident is put down to it, and a service's change failure rate is failed changes over all
its changes (the DORA measure).
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from learnloop.load.yamlsafe import YamlError, parse
from learnloop.model import Incident, Problem

DEPLOY = "deploy"
CONFIG_CHANGE = "config-change"
KINDS = (DEPLOY, CONFIG_CHANGE)
DEPLOYS_FILE = "deploys.yaml"
DEFAULT_WINDOW = timedelta(hours=2)
_KEYS = ("at", "service", "kind", "ref", "by")
_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*(min|d|h|m|s)", re.IGNORECASE)
_UNIT = {"d": 86400, "h": 3600, "m": 60, "min": 60, "s": 1}


@dataclass(frozen=True)
class Change:
    """One deploy or config change of a service."""

    at: datetime
    service: str
    kind: str  # deploy | config-change
    ref: str | None = None
    by: str | None = None


@dataclass(frozen=True)
class Induced:
    """An incident that began within the window after a change to one of its services."""

    incident: str
    service: str
    change: Change
    minutes_after: float


@dataclass(frozen=True)
class ServiceChanges:
    """A service's changes, how many were followed by an incident, and the rate."""

    service: str
    deploys: int
    config_changes: int
    failed_changes: int
    incidents_after_change: int

    @property
    def changes(self) -> int:
        return self.deploys + self.config_changes

    @property
    def change_failure_rate(self) -> float | None:
        return self.failed_changes / self.changes if self.changes else None


@dataclass(frozen=True)
class ChangeReport:
    window: timedelta
    services: tuple[ServiceChanges, ...]  # by service name
    induced: tuple[Induced, ...]  # by incident start, then id
    # Post-mortems that say a deploy or config change triggered them, with no change in the
    # log to match: the log is incomplete, or the trigger is wrong.
    declared_unmatched: tuple[str, ...]
    # Incidents with a start date but no time cannot be placed within a window of hours.
    undated: tuple[str, ...]


@dataclass(frozen=True)
class PostMortemDelay:
    """How long after an incident began its post-mortem was first committed."""

    incident: str
    path: str
    hours: float | None  # None while the file is not committed
    authors: tuple[str, ...]
    first_committed: datetime | None
    last_changed: datetime | None


def parse_duration(text: str) -> timedelta:
    """'2h', '90m', '1h30m', '1d' -> a timedelta; ValueError for anything else."""
    cleaned = text.strip().replace(" ", "")
    parts = list(_DURATION.finditer(cleaned))
    if not parts or "".join(m.group(0) for m in parts) != cleaned:
        raise ValueError(f"expected a duration like 2h, 90m or 1h30m, got {text!r}")
    seconds = sum(float(m.group(1)) * _UNIT[m.group(2).lower()] for m in parts)
    if seconds <= 0:
        raise ValueError(f"expected a duration above zero, got {text!r}")
    return timedelta(seconds=seconds)


def parse_deploys(text: str, path: str = DEPLOYS_FILE) -> tuple[list[Change], list[Problem]]:
    """The deploy log's entries and every problem in it, each as `path:line`."""
    try:
        parsed = parse(text)
    except YamlError as exc:
        return [], [Problem(path, exc.line, "error", exc.message)]
    data, lines = parsed.data, parsed.lines
    if data is None:
        return [], []
    if not isinstance(data, list):
        return [], [
            Problem(
                path,
                1,
                "error",
                "expected a list of changes",
                "- {at: 2025-03-14T09:00:00Z, service: orders-api, kind: deploy, ref: v1.2.3}",
            )
        ]
    changes: list[Change] = []
    problems: list[Problem] = []
    for index, entry in enumerate(data):
        change, found = _entry(entry, index, lines, path)
        problems.extend(found)
        if change is not None:
            changes.append(change)
    return sorted(changes, key=_key), problems


def _entry(
    entry: Any, index: int, lines: Mapping[str, int], path: str
) -> tuple[Change | None, list[Problem]]:
    problems: list[Problem] = []

    def line(key: str = "") -> int:
        return lines.get(f"{index}.{key}" if key else str(index), lines.get(str(index), 1))

    def error(key: str, message: str, hint: str | None = None) -> None:
        problems.append(Problem(path, line(key), "error", message, hint))

    if not isinstance(entry, dict):
        error("", f"[{index}]: expected a mapping with at, service and kind")
        return None, problems
    for key in sorted(set(map(str, entry)) - set(_KEYS)):
        problems.append(
            Problem(
                path,
                line(key),
                "warning",
                f"[{index}].{key}: unknown key; expected one of {', '.join(_KEYS)}",
            )
        )
    at = _timestamp(entry.get("at"))
    if entry.get("at") is None:
        error("", f"[{index}].at: required key is missing")
    elif at is None:
        error(
            "at",
            f"[{index}].at: cannot read {entry.get('at')!r} as a timestamp with a zone",
            "use ISO 8601 with a zone, e.g. 2025-03-14T09:12:00Z",
        )
    service = entry.get("service")
    if service is None or service == "":
        error("", f"[{index}].service: required key is missing")
        service = None
    elif not isinstance(service, str):
        error("service", f"[{index}].service: expected a service name, got {service!r}")
        service = None
    kind = entry.get("kind", DEPLOY)
    if kind not in KINDS:
        error("kind", f"[{index}].kind: expected one of {', '.join(KINDS)}, got {kind!r}")
    texts = {}
    for key in ("ref", "by"):
        value = entry.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, str | int)):
            error(key, f"[{index}].{key}: expected text, got {value!r}")
            value = None
        texts[key] = str(value) if value is not None else None
    if at is None or service is None or any(p.level == "error" for p in problems):
        return None, problems
    return Change(at, service.strip(), str(kind), texts["ref"], texts["by"]), problems


def _timestamp(value: Any) -> datetime | None:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            return None
    # A date alone or a time without a zone cannot be compared with incident starts safely.
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value
    return None


def _key(change: Change) -> tuple[Any, ...]:
    return (change.at, change.service, change.kind, change.ref or "", change.by or "")


def analyze(
    changes: Iterable[Change], incidents: Iterable[Incident], window: timedelta = DEFAULT_WINDOW
) -> ChangeReport:
    """Change-induced incidents and, per service with changes, the change failure rate."""
    log = sorted(changes, key=_key)
    by_service: dict[str, list[Change]] = {}
    for change in log:
        by_service.setdefault(change.service, []).append(change)
    induced: list[Induced] = []
    undated: list[str] = []
    declared_unmatched: list[str] = []
    failed: set[Change] = set()
    incident_services: dict[str, set[str]] = {}
    for incident in sorted(incidents, key=lambda i: (i.started_at, i.id)):
        if incident.started_date_only:
            undated.append(incident.id)
            continue
        best = _latest_change(incident, by_service, window)
        if best is None:
            if incident.trigger in KINDS:
                declared_unmatched.append(incident.id)
            continue
        minutes = (incident.started_at - best.at).total_seconds() / 60
        induced.append(Induced(incident.id, best.service, best, round(minutes, 1)))
        failed.add(best)
        incident_services.setdefault(best.service, set()).add(incident.id)
    services = tuple(
        ServiceChanges(
            service=name,
            deploys=sum(1 for c in items if c.kind == DEPLOY),
            config_changes=sum(1 for c in items if c.kind == CONFIG_CHANGE),
            failed_changes=sum(1 for c in items if c in failed),
            incidents_after_change=len(incident_services.get(name, ())),
        )
        for name, items in sorted(by_service.items())
    )
    return ChangeReport(
        window=window,
        services=services,
        induced=tuple(induced),
        declared_unmatched=tuple(sorted(declared_unmatched)),
        undated=tuple(sorted(undated)),
    )


def _latest_change(
    incident: Incident, by_service: Mapping[str, Sequence[Change]], window: timedelta
) -> Change | None:
    """The latest change to one of the incident's services within the window before it."""
    start = incident.started_at
    candidates = [
        change
        for service in incident.services
        for change in by_service.get(service, ())
        if change.at <= start <= change.at + window
    ]
    # Latest first; on equal times the service name and ref decide, never input order.
    return max(candidates, key=_key, default=None)


def time_to_postmortem(
    incidents: Iterable[Incident],
    first_commits: Mapping[str, datetime | None],
    authors: Mapping[str, tuple[str, ...]] | None = None,
    last_changes: Mapping[str, datetime | None] | None = None,
) -> list[PostMortemDelay]:
    """Per incident, by id: hours from its start to its file's first commit (None if none)."""
    out = []
    for incident in sorted(incidents, key=lambda i: i.id):
        first = first_commits.get(incident.path)
        hours = (first - incident.started_at).total_seconds() / 3600 if first else None
        out.append(
            PostMortemDelay(
                incident=incident.id,
                path=incident.path,
                hours=round(hours, 2) if hours is not None else None,
                authors=(authors or {}).get(incident.path, ()),
                first_committed=first,
                last_changed=(last_changes or {}).get(incident.path),
            )
        )
    return out


def median_hours(delays: Iterable[PostMortemDelay]) -> float | None:
    """The median time to post-mortem over the committed ones, in hours."""
    values = [d.hours for d in delays if d.hours is not None]
    return round(statistics.median(values), 2) if values else None


def as_dict(report: ChangeReport) -> dict[str, Any]:
    """The report as JSON-ready data."""
    return {
        "window_minutes": report.window.total_seconds() / 60,
        "services": [
            {
                "service": s.service,
                "deploys": s.deploys,
                "config_changes": s.config_changes,
                "changes": s.changes,
                "failed_changes": s.failed_changes,
                "incidents_after_change": s.incidents_after_change,
                "change_failure_rate": (
                    round(s.change_failure_rate, 4) if s.change_failure_rate is not None else None
                ),
            }
            for s in report.services
        ],
        "change_induced": [
            {
                "incident": i.incident,
                "service": i.service,
                "minutes_after": i.minutes_after,
                "change": change_dict(i.change),
            }
            for i in report.induced
        ],
        "declared_unmatched": list(report.declared_unmatched),
        "undated": list(report.undated),
    }


def change_dict(change: Change) -> dict[str, Any]:
    """One change as JSON-ready data."""
    return {
        "at": change.at.isoformat(),
        "service": change.service,
        "kind": change.kind,
        "ref": change.ref,
        "by": change.by,
    }
