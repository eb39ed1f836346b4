"""When incidents happen: hour-of-week and month counts, and bursts within a pattern."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from learnloop.model import Incident

DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
BURST_WINDOW_DAYS = 30
BURST_P_VALUE = 0.01


@dataclass(frozen=True)
class Burst:
    """Incidents of one pattern bunched in a window far beyond what their rate predicts."""

    start: str  # ISO date of the window's first incident
    end: str
    count: int
    expected: float
    p_value: float


@dataclass(frozen=True)
class Temporal:
    hour_of_week: tuple[tuple[int, ...], ...]  # 7 rows (Mon..Sun) x 24 hours, UTC
    months: tuple[tuple[str, int], ...]  # YYYY-MM -> count, every month in the span


def temporal(incidents: Sequence[Incident]) -> Temporal:
    """Counts by weekday and hour (UTC, date-only starts left out) and by month."""
    grid = [[0] * 24 for _ in range(7)]
    for incident in incidents:
        if not incident.started_date_only:
            at = incident.started_at.astimezone(UTC)
            grid[at.weekday()][at.hour] += 1
    return Temporal(tuple(tuple(row) for row in grid), tuple(month_counts(incidents)))


def month_counts(incidents: Sequence[Incident]) -> list[tuple[str, int]]:
    """Incidents per month, with zero months inside the span kept (gaps are information)."""
    if not incidents:
        return []
    counts = Counter(i.started_at.strftime("%Y-%m") for i in incidents)
    first, last = min(counts), max(counts)
    out = []
    year, month = int(first[:4]), int(first[5:])
    while f"{year:04d}-{month:02d}" <= last:
        key = f"{year:04d}-{month:02d}"
        out.append((key, counts.get(key, 0)))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def _poisson_tail(k: int, mean: float) -> float:
    """P(X >= k) for X ~ Poisson(mean)."""
    if mean <= 0:
        return 0.0 if k > 0 else 1.0
    term = math.exp(-mean)
    below = 0.0
    for i in range(k):
        below += term
        term *= mean / (i + 1)
    return max(0.0, 1.0 - below)


def burst(
    starts: Sequence[datetime],
    span: tuple[datetime, datetime],
    window_days: int = BURST_WINDOW_DAYS,
) -> Burst | None:
    """The densest window of a pattern's incidents, if chance is an unlikely explanation.

    The expected count in a window comes from the pattern's overall rate over the corpus
    span; a window is a burst when a Poisson count that high has p < BURST_P_VALUE (with a
    crude correction for scanning every window) and holds at least three incidents.
    """
    times = sorted(starts)
    total_days = max((span[1] - span[0]).days, window_days)
    if len(times) < 3:
        return None
    expected = len(times) * window_days / total_days
    best: Burst | None = None
    window = timedelta(days=window_days)
    for i, start in enumerate(times):
        j = i
        while j + 1 < len(times) and times[j + 1] - start <= window:
            j += 1
        count = j - i + 1
        if count < 3:
            continue
        windows_scanned = max(1.0, total_days / window_days)
        p = min(1.0, _poisson_tail(count, expected) * windows_scanned)
        if p < BURST_P_VALUE and (best is None or (count, -p) > (best.count, -best.p_value)):
            best = Burst(
                start.date().isoformat(),
                times[j].date().isoformat(),
                count,
                round(expected, 2),
                round(p, 5),
            )
    return best
