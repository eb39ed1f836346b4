"""Derived per-incident facts: timestamps completed from the timeline, and durations."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from learnloop.memo import PerIncident
from learnloop.model import Incident, TimelineEvent

# Words responders use in timeline bullets for each milestone. Checked in this order per
# milestone, first matching bullet at or after the start wins (the last one for "resolved").
_MILESTONES: dict[str, re.Pattern[str]] = {
    "detected_at": re.compile(
        r"\b(alerts?|alarms?|fires|fired|firing|paged|pages|pager|detected|noticed|reported|"
        r"triggered|synthetic check|customers? (report|complain))",
        re.IGNORECASE,
    ),
    "acknowledged_at": re.compile(
        r"\b(ack(nowledge[sd]?|ed|s)?\b|incident (declared|opened)|declares? (an )?incident|"
        r"on-?call (engineer )?(joins|joined|responds|responded|picks up)|takes command)",
        re.IGNORECASE,
    ),
    "mitigated_at": re.compile(
        r"\b(mitigat\w*|errors? (fall|fell|drop|dropped|subside)|recover(ed|s|ing)|rolled back|"
        r"rollback (complete|finished|done)|restored|back to normal|stabili[sz]ed|"
        r"failover complete)",
        re.IGNORECASE,
    ),
    "resolved_at": re.compile(
        r"\b(resolved|all[- ]clear|incident (closed|over)|closed the incident|fully recovered|"
        r"at baseline)",
        re.IGNORECASE,
    ),
}

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
    # The durations, in minutes (None where a milestone is missing or out of order): worked
    # out once, as every figure over a corpus reads them again and again.
    ttd: float | None = field(init=False)  # time to detect: start to detection
    tta: float | None = field(init=False)  # time to acknowledge: detection to acknowledgement
    ttm: float | None = field(init=False)  # time to mitigate: start to mitigation
    ttr: float | None = field(init=False)  # time to resolve: start to resolution

    def __post_init__(self) -> None:
        started = self.started_at
        object.__setattr__(self, "ttd", _minutes(started, self.detected_at))
        object.__setattr__(self, "tta", _minutes(self.detected_at, self.acknowledged_at))
        object.__setattr__(self, "ttm", _minutes(started, self.mitigated_at))
        object.__setattr__(self, "ttr", _minutes(started, self.resolved_at))

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
    sources: dict[str, str] = {}
    events = [e for e in incident.timeline if e.at is not None]
    started = incident.started_at
    if incident.started_date_only:
        same_day = [e for e in events if e.at and e.at.date() == started.date()]
        if same_day:
            started = min(e.at for e in same_day if e.at)
            sources["started_at"] = TIMELINE
    else:
        sources["started_at"] = FRONT_MATTER
    values: dict[str, datetime | None] = {}
    floor = started
    for milestone, pattern in _MILESTONES.items():
        given: datetime | None = getattr(incident, milestone)
        if given is not None:
            values[milestone] = given
            sources[milestone] = FRONT_MATTER
        else:
            found = _find(events, pattern, floor, last=milestone == "resolved_at")
            values[milestone] = found
            if found is not None:
                sources[milestone] = TIMELINE
        floor = values[milestone] or floor
    return Timings(
        started_at=started,
        detected_at=values["detected_at"],
        acknowledged_at=values["acknowledged_at"],
        mitigated_at=values["mitigated_at"],
        resolved_at=values["resolved_at"],
        sources=tuple(sorted(sources.items())),
    )


def _find(
    events: list[TimelineEvent], pattern: re.Pattern[str], floor: datetime, *, last: bool
) -> datetime | None:
    hits = [e.at for e in events if e.at is not None and e.at >= floor and pattern.search(e.text)]
    if not hits:
        return None
    return hits[-1] if last else hits[0]


_kept = PerIncident(_timings)  # many writers ask for the same incident's timings
