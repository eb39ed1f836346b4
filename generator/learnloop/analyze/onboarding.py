"""Which recurring failures are most likely to page someone new to on-call, and what to read.

A failure's score is its recent frequency, each incident weighed by how recent it is: the sum,
over its incidents in the WINDOW_DAYS up to `today`, of ½^(age in days ÷ HALF_LIFE_DAYS).
An incident from this week counts about 1, one from HALF_LIFE_DAYS ago ½, one older than the
window nothing. For a team only the incidents that name one of its services count. Scores are
compared as shown (two decimals); ties go to more incidents, then the most recent, then the
pattern's id. Everything here is a function of the incidents, the patterns and `today`.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from learnloop.analyze import rootcause
from learnloop.analyze.patterns import Pattern
from learnloop.model import SEVERITIES, Incident

WINDOW_DAYS = 365
HALF_LIFE_DAYS = 90
LIMIT = 8  # failures on a page: what a first week can take in
SEVERE = ("P0", "P1")  # the incidents that have a case study


@dataclass(frozen=True)
class Ranked:
    """One failure on an onboarding page: its score and the incidents that make it."""

    pattern: str
    title: str
    score: float  # rounded as shown
    incidents: tuple[str, ...]  # counted: in the window (and on the team's services), newest first
    last: date  # the newest of them


def window_start(today: date) -> date:
    """The day before the window: incidents on later days, up to `today`, count."""
    return today - timedelta(days=WINDOW_DAYS)


def weight(day: date, today: date) -> float:
    """How much one incident on `day` counts: ½ per HALF_LIFE_DAYS of age, 0 outside the window."""
    age = (today - day).days
    if age < 0 or day <= window_start(today):
        return 0.0
    return float(0.5 ** (age / HALF_LIFE_DAYS))


def rank(
    patterns: Sequence[Pattern],
    by_id: Mapping[str, Incident],
    today: date,
    services: Collection[str] | None = None,
    limit: int = LIMIT,
) -> list[Ranked]:
    """The failures to learn first, best first; with `services`, only incidents naming one."""
    wanted = set(services) if services is not None else None
    found = []
    for pattern in patterns:
        counted = [
            m
            for i in pattern.incidents
            if (m := by_id.get(i)) is not None
            and weight(m.started_at.date(), today) > 0
            and (wanted is None or wanted.intersection(m.services))
        ]
        if not counted:
            continue
        counted.sort(key=lambda m: (m.started_at, m.id), reverse=True)
        score = round(sum(weight(m.started_at.date(), today) for m in counted), 2)
        found.append(
            Ranked(
                pattern.id,
                pattern.title,
                score,
                tuple(m.id for m in counted),
                counted[0].started_at.date(),
            )
        )
    found.sort(key=lambda r: (-r.score, -len(r.incidents), -r.last.toordinal(), r.pattern))
    return found[:limit]


def recorded(incident: Incident) -> int:
    """How much of the story a post-mortem records: timeline entries, whys, contributing
    factors and action items, counted."""
    timeline = sum(1 for e in incident.timeline if e.text.strip())
    return (
        timeline
        + len(rootcause.whys(incident))
        + len(rootcause.factors(incident))
        + len(incident.action_items)
    )


def case_to_read(
    members: Sequence[Incident], services: Collection[str] | None = None
) -> Incident | None:
    """The most instructive severe incident: of the P0/P1 ones (those naming one of `services`
    first, when given), the post-mortem that records the most, then the most severe, then the
    newest; None when none is P0 or P1."""
    severe = [m for m in members if m.severity in SEVERE and m.visibility != "restricted"]
    if not severe:
        return None
    wanted = set(services or ())
    return max(
        severe,
        key=lambda m: (
            bool(wanted.intersection(m.services)),
            recorded(m),
            -SEVERITIES.index(m.severity),
            m.started_at,
            m.id,
        ),
    )
