"""Incident durations and impact as statistics that admit their uncertainty.

Incident durations are heavily skewed: one long outage moves a mean over a few hundred
incidents more than a real improvement would. So every summary gives n, the median and the
90th percentile (the mean only beside them) with bootstrap confidence intervals, and a change
between two periods is called a trend only when the intervals do not overlap.

Quantiles interpolate linearly between order statistics (numpy's default, the same as
`statistics.quantiles(..., method="inclusive")`), so any figure can be recomputed by hand.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import bdtr, bdtrc

from learnloop.enrich import timings
from learnloop.model import Incident
from learnloop.settings import Settings

SEED = 20240501  # fixed: the same incidents always give the same intervals
RESAMPLES = 1000
CONFIDENCE = 0.95
MIN_N = 5  # below this many values an interval means nothing: none is given
ALPHA = 0.05  # two-sided, for comparing incident rates
DAYS_PER_MONTH = 365.25 / 12

METRICS = ("ttd", "tta", "ttm", "ttr")
LABELS = {
    "ttd": "time to detect",
    "tta": "time to acknowledge",
    "ttm": "time to mitigate",
    "ttr": "time to resolve",
}
GROUPINGS = ("severity", "service", "pattern", "team", "month")
ONE_OFF = "(one-off)"
NO_TEAM = "(no owner in catalog)"
# Detection methods that mean monitoring caught it; anything else means people did, or nobody.
MONITORED = ("alert", "synthetic", "monitor", "anomaly", "slo", "probe")


@dataclass(frozen=True)
class Summary:
    """n, median, p90 and mean of some values, with bootstrap intervals (None below MIN_N)."""

    n: int
    median: float | None = None
    p90: float | None = None
    mean: float | None = None
    median_ci: tuple[float, float] | None = None
    p90_ci: tuple[float, float] | None = None

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-ready values, rounded to a tenth."""
        return {
            "n": self.n,
            "median": _r(self.median),
            "p90": _r(self.p90),
            "mean": _r(self.mean),
            "median_ci": [_r(v) for v in self.median_ci] if self.median_ci else None,
            "p90_ci": [_r(v) for v in self.p90_ci] if self.p90_ci else None,
        }


def _r(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(float(value), digits)


def clean(values: Iterable[float | None]) -> list[float]:
    """The known values, as floats, in ascending order."""
    return sorted(float(v) for v in values if v is not None and not math.isnan(float(v)))


def p90(values: Iterable[float | None]) -> float | None:
    """The 90th percentile, as every summary computes it; None for no values."""
    return summarize(values, intervals=False).p90


def summarize(values: Iterable[float | None], *, intervals: bool = True) -> Summary:
    """n, median, p90, mean and, from MIN_N values on, 95% bootstrap intervals."""
    data = clean(values)
    if not data:
        return Summary(0)
    arr = np.asarray(data, dtype=np.float64)
    median, p90 = (float(q) for q in np.quantile(arr, [0.5, 0.9]))
    mean = float(arr.mean())
    if len(data) < MIN_N or not intervals:
        return Summary(len(data), median, p90, mean)
    median_ci, p90_ci = bootstrap(arr)
    return Summary(len(data), median, p90, mean, median_ci, p90_ci)


def bootstrap(arr: np.ndarray) -> tuple[tuple[float, float], tuple[float, float]]:
    """Percentile bootstrap intervals of the median and the p90, from a fixed seed.

    A pure function of the values, in any order: reports ask for the same group's intervals
    several times (the whole history in each latest report), so results are kept by the
    sorted values' bytes.
    """
    return _bootstrap(np.sort(np.asarray(arr, dtype=np.float64)).tobytes())


@lru_cache(maxsize=512)
def _bootstrap(data: bytes) -> tuple[tuple[float, float], tuple[float, float]]:
    """`bootstrap` of the float64 values in data.

    A resample is drawn as multinomial counts over the distinct values, the same distribution
    as drawing n values with replacement; each quantile is then read off the cumulative
    counts, so the cost grows with the number of distinct values, not with n.
    """
    arr = np.frombuffer(data, dtype=np.float64)
    rng = np.random.default_rng(SEED)
    values, counts = np.unique(arr, return_counts=True)
    n = len(arr)
    draws = rng.multinomial(n, counts / n, size=RESAMPLES)
    cumulative = np.cumsum(draws, axis=1)

    def order_statistic(rank: int) -> np.ndarray:
        # The value at 0-based sorted position `rank` of each resample.
        return values[np.count_nonzero(cumulative <= rank, axis=1)]

    tail = (1 - CONFIDENCE) / 2
    out = []
    for q in (0.5, 0.9):
        position = (n - 1) * q
        low, high = math.floor(position), math.ceil(position)
        below, above = order_statistic(low), order_statistic(high)
        estimates = below + (position - low) * (above - below)
        lo, hi = np.quantile(estimates, [tail, 1 - tail])
        out.append((float(lo), float(hi)))
    return out[0], out[1]


@dataclass(frozen=True)
class Change:
    """A figure in two periods and whether it moved more than noise would."""

    metric: str
    before: Summary
    after: Summary
    verdict: str  # fell | rose | no detectable change | not enough data
    statement: str


def compare(metric: str, before: Summary, after: Summary) -> Change:
    """A trend only when the medians' intervals separate; otherwise say so plainly."""
    label = LABELS.get(metric, metric)
    if before.median_ci is None or after.median_ci is None:
        need = f"at least {MIN_N} incidents with a known {label} in each period"
        return Change(
            metric, before, after, "not enough data", f"Median {label}: not enough data ({need})."
        )
    b, a = before.median_ci, after.median_ci
    figures = (
        f"median {label} {_r(before.median)} min (95% CI {_r(b[0])}–{_r(b[1])}, "
        f"n={before.n}) then {_r(after.median)} min (95% CI {_r(a[0])}–{_r(a[1])}, n={after.n})"
    )
    if a[1] < b[0]:
        verdict = "fell"
    elif a[0] > b[1]:
        verdict = "rose"
    else:
        return Change(
            metric,
            before,
            after,
            "no detectable change",
            f"No detectable change: {figures}; the intervals overlap.",
        )
    return Change(
        metric,
        before,
        after,
        verdict,
        f"Trend: the {label} {verdict}: {figures}; the intervals do not overlap.",
    )


def binomial_tail(k: int, n: int, p: float, *, upper: bool) -> float:
    """P(X <= k), or P(X >= k) when upper, for X ~ Binomial(n, p)."""
    if upper:
        return 1.0 if k <= 0 else float(min(1.0, bdtrc(k - 1, n, p)))
    return float(min(1.0, bdtr(k, n, p)))


def rate_verdict(
    count_before: int,
    months_before: float,
    count_after: int,
    months_after: float,
    alpha_each_side: float = ALPHA / 2,
) -> tuple[str, float | None]:
    """('fell' | 'rose' | 'no detectable change', p) from an exact conditional Poisson test.

    Given the total count, the number falling in the second period is binomial with the
    second period's share of the time, if the rate did not change; each tail is tested at
    `alpha_each_side` (two-sided 5% by default).
    """
    total = count_before + count_after
    if total == 0 or months_before <= 0 or months_after <= 0:
        return "no detectable change", None
    share = months_after / (months_before + months_after)
    lower = binomial_tail(count_after, total, share, upper=False)
    upper = binomial_tail(count_after, total, share, upper=True)
    if lower < alpha_each_side:
        return "fell", round(lower, 4)
    if upper < alpha_each_side:
        return "rose", round(upper, 4)
    return "no detectable change", round(min(lower, upper), 4)


def p_text(p: float | None) -> str:
    """'p=0.031', or 'p<0.0001' for what rounds to zero."""
    if p is None:
        return "p unknown"
    return "p<0.0001" if p < 0.0001 else f"p={p:.4g}"


def months_between(start: date, end: date) -> float:
    """Length of [start, end] in average months; at least one day."""
    return max(1, (end - start).days + 1) / DAYS_PER_MONTH


# --- selecting incidents -----------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """What a report covers: a period of start dates (inclusive), services and severities."""

    start: date | None = None
    end: date | None = None
    services: tuple[str, ...] = ()
    severities: tuple[str, ...] = ()  # normalized P0…P4

    def matches(self, incident: Incident) -> bool:
        """Whether the incident passes the service and severity filters (not the period)."""
        if self.severities and incident.severity not in self.severities:
            return False
        return not self.services or bool(set(self.services) & set(incident.services))

    def in_period(self, incident: Incident) -> bool:
        """Whether the incident started within the period."""
        day = incident.started_at.date()
        return (self.start is None or day >= self.start) and (self.end is None or day <= self.end)


def by_start(incidents: Iterable[Incident]) -> list[Incident]:
    """Incidents by start time, then id."""
    return sorted(incidents, key=lambda i: (i.started_at, i.id))


def select(incidents: Iterable[Incident], filters: Filters) -> list[Incident]:
    """The incidents a report is about: filters and period both apply."""
    return by_start(i for i in incidents if filters.matches(i) and filters.in_period(i))


def history(incidents: Iterable[Incident], filters: Filters) -> list[Incident]:
    """Everything up to the period's end within the filters: what rates and trends need."""
    end = filters.end
    return by_start(
        i for i in incidents if filters.matches(i) and (end is None or i.started_at.date() <= end)
    )


def default_today(incidents: Iterable[Incident]) -> date | None:
    """The newest incident's start date: the 'today' of an analysis when none is given."""
    return max((i.started_at.date() for i in incidents), default=None)


def previous_period(
    filters: Filters, first: date | None, last: date | None
) -> tuple[Filters, Filters] | None:
    """(earlier, later) periods to compare: the one before the period, of equal length.

    Without a start, the data from `first` to the end is split into two equal halves.
    """
    end = filters.end or last
    if end is None or first is None:
        return None
    if filters.start is None:
        if end <= first:
            return None
        middle = first + (end - first) // 2
        earlier = Filters(first, middle, filters.services, filters.severities)
        later = Filters(middle + timedelta(days=1), end, filters.services, filters.severities)
        return earlier, later
    length = (end - filters.start).days + 1
    before_end = filters.start - timedelta(days=1)
    earlier = Filters(
        before_end - timedelta(days=length - 1), before_end, filters.services, filters.severities
    )
    return earlier, Filters(filters.start, end, filters.services, filters.severities)


# --- the per-incident table --------------------------------------------------------------


def team_of(incident: Incident, settings: Settings) -> str:
    """The owner of the incident's first service in the catalog."""
    service = settings.services.get(incident.services[0]) if incident.services else None
    return service.owner if service is not None and service.owner else NO_TEAM


def monitored(incident: Incident) -> bool:
    """Whether monitoring, not a person, noticed the incident first."""
    method = (incident.detection.method or "").lower()
    return any(word in method for word in MONITORED)


def affected_customers(incident: Incident) -> bool:
    """Whether the incident records any customer impact."""
    i = incident.impact
    return bool((i.customers_affected or 0) > 0 or (i.revenue_usd or 0) > 0 or i.sla_breached)


def incident_frame(
    incidents: Sequence[Incident], settings: Settings, pattern_of: Mapping[str, str]
) -> pd.DataFrame:
    """One row per incident: durations (minutes), coordination and customer impact.

    impact_minutes is the time customers were affected (start to mitigation, else to
    resolution) for incidents recording customer impact; customer_minutes multiplies it by
    the customers affected. coordination_hours is responders listed × time to resolve.
    """
    rows = []
    for incident in by_start(incidents):
        t = timings(incident)
        downtime = t.ttm if t.ttm is not None else t.ttr
        impact = downtime if downtime is not None and affected_customers(incident) else None
        customers = incident.impact.customers_affected
        responders = len(incident.responders)
        rows.append(
            {
                "id": incident.id,
                "date": incident.started_at.date(),
                "month": incident.started_at.date().isoformat()[:7],
                "severity": incident.severity,
                "services": incident.services,
                "team": team_of(incident, settings),
                "pattern": pattern_of.get(incident.id, ONE_OFF),
                "ttd": t.ttd,
                "tta": t.tta,
                "ttm": t.ttm,
                "ttr": t.ttr,
                "responders": responders,
                "coordination_hours": (
                    responders * t.ttr / 60 if t.ttr is not None and responders else None
                ),
                "impact_minutes": impact if impact is not None else 0.0,
                "customers": customers or 0,
                "customer_minutes": (customers or 0) * (impact or 0.0),
                "monitored": monitored(incident),
            }
        )
    columns = [
        "id",
        "date",
        "month",
        "severity",
        "services",
        "team",
        "pattern",
        *METRICS,
        "responders",
        "coordination_hours",
        "impact_minutes",
        "customers",
        "customer_minutes",
        "monitored",
    ]
    return pd.DataFrame(rows, columns=columns)


def group_row(key: str, group: pd.DataFrame, ci: Sequence[str] = METRICS) -> dict[str, Any]:
    """Figures of one group of incidents: every duration summarized, impact summed."""
    row: dict[str, Any] = {"key": key, "incidents": len(group)}
    for metric in METRICS:
        # Intervals cost a bootstrap each: the tables show them for time to resolve only.
        row[metric] = summarize(group[metric].tolist(), intervals=metric in ci).as_dict()
    row["coordination_hours"] = _r(float(group["coordination_hours"].fillna(0).sum()))
    row["impact_minutes"] = _r(float(group["impact_minutes"].sum()))
    row["customer_minutes"] = _r(float(group["customer_minutes"].sum()))
    return row


def breakdown(df: pd.DataFrame, by: str, ci: Sequence[str] = ("ttr",)) -> list[dict[str, Any]]:
    """Figures per severity, service, pattern, team or month; an incident counts under each
    of its services."""
    if by not in GROUPINGS:
        raise ValueError(f"unknown grouping {by!r}")
    if df.empty:
        return []
    frame = (
        df.explode("services").rename(columns={"services": "service"}) if by == "service" else df
    )
    return [group_row(str(key), group, ci) for key, group in frame.groupby(by, sort=True)]


def overview(df: pd.DataFrame) -> dict[str, Any]:
    """Every duration, coordination and customer impact over all the incidents given."""
    row = group_row("all", df)
    row.pop("key")
    row["responders_listed"] = int((df["responders"] > 0).sum()) if not df.empty else 0
    return row


def detection(
    incidents: Sequence[Incident], per_service: Sequence[dict[str, Any]]
) -> dict[str, Any]:
    """How incidents were noticed: by method, those people noticed, and TTD per service."""
    methods: dict[str, int] = {}
    for incident in incidents:
        key = incident.detection.method or "(not recorded)"
        methods[key] = methods.get(key, 0) + 1
    people = [
        {"id": i.id, "title": i.title, "method": i.detection.method, "ttd": timings(i).ttd}
        for i in incidents
        if not monitored(i)
    ]
    return {
        "monitored": sum(monitored(i) for i in incidents),
        "of": len(incidents),
        "methods": dict(sorted(methods.items())),
        "noticed_by_people": people,
        "ttd_by_service": [{"service": row["key"], **row["ttd"]} for row in per_service],
    }
