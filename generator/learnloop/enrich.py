"""Derived per-incident facts: timestamps completed from the timeline, and durations."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from learnloop.memo import PerIncident
from learnloop.model import Incident, whole_days

FRONT_MATTER = "front matter"
TIMELINE = "timeline"


@dataclass(frozen=True)
class Timings:
    """An incident's milestones, where each came from, and the durations between them."""

    started_at: datetime
    detected_at: datetime | None
    acknowledged_at: datetime | None
    mitigated_at: datetime | None
    resolved_at: datetime | None
    sources: tuple[tuple[str, str], ...]  # milestone -> "front matter" | "timeline"
    # The milestones known to the day only (a timeline entry that gives no time of day).
    day_only: tuple[str, ...] = ()
    # The durations, in minutes (None where a milestone is missing or out of order): worked
    # out once, as every figure over a corpus reads them again and again.
    ttd: float | None = field(init=False)  # time to detect: start to detection
    tta: float | None = field(init=False)  # time to acknowledge: detection to acknowledgement
    ttm: float | None = field(init=False)  # time to mitigate: start to mitigation
    ttr: float | None = field(init=False)  # time to resolve: start to resolution

    def __post_init__(self) -> None:
        for name, first, then in (
            ("ttd", "started_at", "detected_at"),
            ("tta", "detected_at", "acknowledged_at"),
            ("ttm", "started_at", "mitigated_at"),
            ("ttr", "started_at", "resolved_at"),
        ):
            start, end = getattr(self, first), getattr(self, then)
            if first in self.day_only or then in self.day_only:
                value = whole_days(start, end) if start and end else None
            else:
                value = _minutes(start, end)
            object.__setattr__(self, name, value)

    def source(self, milestone: str) -> str | None:
        return dict(self.sources).get(milestone)


def _minutes(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None or end < start:
        return None
    return round((end - start).total_seconds() / 60, 1)


def timings(incident: Incident) -> Timings:
    """The incident's milestones: front matter first, timeline bullets where it is silent."""
    return _kept(incident)


def preload(incidents: Iterable[Incident], known: Callable[[Incident], Timings]) -> None:
    """Take each incident's timings from `known`, a store of earlier `timings` results."""
    for incident in incidents:
        _kept.preload(incident, known)


def _timings(incident: Incident) -> Timings:
    # The reader placed each moment (read/__init__._milestones): front matter first, the
    # timeline where it is silent. An incident never read has its front matter only.
    found = {m.name: m for m in incident.milestones}
    started = found["started_at"].at if "started_at" in found else incident.started_at
    values = {
        name: (found[name].at if name in found else getattr(incident, name))
        for name in ("detected_at", "acknowledged_at", "mitigated_at", "resolved_at")
    }
    sources = {name: m.source for name, m in found.items()}
    for name, value in values.items():
        if value is not None and name not in sources:
            sources[name] = FRONT_MATTER
    if "started_at" not in sources and not incident.started_date_only:
        sources["started_at"] = FRONT_MATTER
    return Timings(
        started_at=started,
        detected_at=values["detected_at"],
        acknowledged_at=values["acknowledged_at"],
        mitigated_at=values["mitigated_at"],
        resolved_at=values["resolved_at"],
        sources=tuple(sorted(sources.items())),
        day_only=tuple(sorted(m.name for m in found.values() if m.day_only)),
    )


_kept = PerIncident(_timings)  # many writers ask for the same incident's timings
