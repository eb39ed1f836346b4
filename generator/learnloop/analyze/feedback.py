"""The learning loop's own scorecard: did completed action items make patterns recur less?

For each completed action item on an incident of a recurring pattern, the pattern's rate of
incidents (per month) is measured before and after the item's `done_at`. Before runs from the
pattern's first incident to `done_at`; that first incident only marks when the pattern began to
be seen, so the rate counts the incidents after it (counting it would overstate the rate
before). After runs from `done_at` to today. A fall (or rise) is claimed only when a one-sided
exact test of the two Poisson rates gives p below 5% (the question asked of a fix is
directional: did it lower recurrence?). With under MIN_MONTHS months on either side, or under
MIN_INCIDENTS incidents counted in all, the answer is "not enough data to tell".
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from learnloop.analyze.actions import ItemRow
from learnloop.analyze.metrics import (
    ALPHA,
    DAYS_PER_MONTH,
    MIN_N,
    Summary,
    compare,
    monitored,
    p_text,
    rate_verdict,
    summarize,
)
from learnloop.enrich import timings
from learnloop.model import Incident

MIN_MONTHS = 3.0
MIN_INCIDENTS = 3
NOT_ENOUGH = "not enough data"


@dataclass(frozen=True)
class Recurrence:
    """A pattern's rate of incidents before and after one completed action item."""

    pattern: str
    incident: str
    item: str
    title: str
    kind: str | None
    done_at: date
    first_seen: date  # the pattern's first incident: where "before" starts
    before: int  # incidents up to done_at, the first included
    months_before: float
    after: int
    months_after: float
    rate_before: float | None  # incidents after the first, per month; None with no time
    rate_after: float | None  # None when no time has passed since done_at
    ratio: float | None  # rate after / rate before, when both are known and before is not 0
    verdict: str  # fell | rose | no detectable change | not enough data
    p_value: float | None
    statement: str

    def as_dict(self) -> dict[str, Any]:
        """Plain values, dates as ISO strings."""
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out["done_at"] = self.done_at.isoformat()
        out["first_seen"] = self.first_seen.isoformat()
        return out


def recurrence_counts(
    days: Sequence[date], done_at: date, end: date
) -> tuple[int, float, int, float]:
    """(incidents, months) before and after done_at; the done_at day counts as before.

    `days` are sorted; before starts at the first of them, after ends at `end`.
    """
    before = bisect_right(days, done_at)
    after = bisect_right(days, end) - before
    months_before = max(0, (done_at - days[0]).days) / DAYS_PER_MONTH
    months_after = max(0, (end - done_at).days) / DAYS_PER_MONTH
    return before, months_before, after, months_after


def _ratio(counted: int, months_before: float, after: int, months_after: float) -> float | None:
    if counted <= 0 or months_before <= 0 or months_after <= 0:
        return None
    return round((after / months_after) / (counted / months_before), 3)


def _per_month(count: int, months: float) -> str:
    return f"{count / months:.2f}/month" if months > 0 else "no time"


def judge(
    before: int, months_before: float, after: int, months_after: float
) -> tuple[str, float | None, str]:
    """(verdict, p-value, plain statement) for a pattern's counts around a completed item.

    `before` includes the pattern's first incident, which the rate leaves out.
    """
    counted = max(0, before - 1)
    spans = (
        f"{before} incident{'s' if before != 1 else ''} up to the fix, {counted} after the "
        f"first in {months_before:.1f} months ({_per_month(counted, months_before)}); "
        f"{after} in {months_after:.1f} months after ({_per_month(after, months_after)})"
    )
    short = [
        f"{side} ({months:.1f} months; {MIN_MONTHS:g} needed)"
        for side, months in (("before", months_before), ("after", months_after))
        if months < MIN_MONTHS
    ]
    if short or counted + after < MIN_INCIDENTS:
        why = (
            "too little time observed " + " and ".join(short)
            if short
            else f"only {counted + after} incidents to compare ({MIN_INCIDENTS} needed)"
        )
        return NOT_ENOUGH, None, f"Not enough data to tell: {why}. {spans}."
    verdict, p = rate_verdict(counted, months_before, after, months_after, ALPHA)
    if verdict != "no detectable change":
        return verdict, p, f"Recurrence {verdict} (one-sided exact test, {p_text(p)}): {spans}."
    ratio = _ratio(counted, months_before, after, months_after)
    looks = ""
    if ratio is not None and abs(ratio - 1) >= 0.25:
        direction = "lower" if ratio < 1 else "higher"
        looks = (
            f" The rate looks {abs(1 - ratio):.0%} {direction}, but {counted + after} "
            "incidents cannot tell that from chance."
        )
    return verdict, p, f"No detectable change in recurrence ({p_text(p)}): {spans}.{looks}"


def recurrences(
    incidents: Sequence[Incident],
    pattern_of: Mapping[str, str],
    items: Sequence[ItemRow],
    end: date,
) -> list[Recurrence]:
    """For each completed item on a pattern's incident: the pattern before and after it."""
    days: dict[str, list[date]] = defaultdict(list)
    for incident in incidents:
        if incident.id in pattern_of and incident.started_at.date() <= end:
            days[pattern_of[incident.id]].append(incident.started_at.date())
    for listed in days.values():
        listed.sort()
    out = []
    judged: dict[tuple[int, float, int, float], tuple[str, float | None, str]] = {}
    for row in items:
        pattern = pattern_of.get(row.incident)
        if row.status != "done" or row.done_at is None or pattern not in days:
            continue
        counts = recurrence_counts(days[pattern], row.done_at, end)
        if counts not in judged:  # items done on one day share their pattern's verdict
            judged[counts] = judge(*counts)
        verdict, p, statement = judged[counts]
        before, months_before, after, months_after = counts
        out.append(
            Recurrence(
                pattern=pattern,
                incident=row.incident,
                item=row.id,
                title=row.title,
                kind=row.kind,
                done_at=row.done_at,
                first_seen=min(days[pattern]),
                before=before,
                months_before=round(months_before, 2),
                after=after,
                months_after=round(months_after, 2),
                rate_before=(round((before - 1) / months_before, 3) if months_before > 0 else None),
                rate_after=round(after / months_after, 3) if months_after > 0 else None,
                ratio=_ratio(before - 1, months_before, after, months_after),
                verdict=verdict,
                p_value=p,
                statement=statement,
            )
        )
    return sorted(out, key=lambda r: (r.pattern, r.done_at, r.incident, r.item))


def fixes(found: Sequence[Recurrence]) -> dict[str, Recurrence]:
    """Per pattern, its first completed `prevent` item: the fix whose effect is judged."""
    first: dict[str, Recurrence] = {}
    for r in found:  # sorted by pattern, then done_at
        if r.kind == "prevent" and r.pattern not in first:
            first[r.pattern] = r
    return first


def failed(fix: Recurrence) -> bool:
    """Whether a judged fix failed: recurrence rose, or did not even look lower.

    A fall the test cannot confirm yet (the rate looks over 25% lower) is not called a
    failure: it needs more time, not a second fix.
    """
    if fix.verdict == "rose":
        return True
    return fix.verdict == "no detectable change" and (fix.ratio is None or fix.ratio >= 0.75)


def accuracy(fixed: Mapping[str, Recurrence]) -> dict[str, Any]:
    """Share of implemented fixes whose pattern then recurred less, among those judged."""
    judged = [r for r in fixed.values() if r.verdict != NOT_ENOUGH]
    fell = sorted(r.pattern for r in judged if r.verdict == "fell")
    share = len(fell) / len(judged) if judged else None
    return {
        "implemented": len(fixed),
        "judged": len(judged),
        "recurred_less": len(fell),
        "share": round(share, 3) if share is not None else None,
        "worked": fell,
        "unconfirmed": sorted(r.pattern for r in judged if r.verdict != "fell" and not failed(r)),
        "did_not_work": sorted(r.pattern for r in judged if failed(r)),
        "too_early": sorted(r.pattern for r in fixed.values() if r.verdict == NOT_ENOUGH),
    }


def _versus(used: Summary, unused: Summary) -> str:
    change = compare("ttr", unused, used)
    return {
        "fell": "faster with a runbook",
        "rose": "slower with a runbook",
        "no detectable change": "no detectable difference",
    }.get(change.verdict, NOT_ENOUGH)


def runbook_figures(members: Sequence[Incident]) -> dict[str, Any]:
    """TTR with and without a runbook among some incidents, and the helpfulness ratings."""
    used = [m for m in members if m.runbook_used]
    unused = [m for m in members if not m.runbook_used]
    s_used = summarize(timings(m).ttr for m in used)
    s_unused = summarize(timings(m).ttr for m in unused)
    return {
        "used": s_used.as_dict(),
        "not_used": s_unused.as_dict(),
        "helpful": sum(m.runbook_helpful is True for m in used),
        "not_helpful": sum(m.runbook_helpful is False for m in used),
        "unrated": sum(m.runbook_helpful is None for m in used),
        "verdict": _versus(s_used, s_unused),
    }


def runbooks(
    incidents: Sequence[Incident],
    pattern_of: Mapping[str, str],
    per_pattern: Callable[[str, Sequence[Incident]], dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """TTR with and without a runbook, overall and per pattern, and the helpfulness ratings.

    `per_pattern(pattern, members)` gives one pattern's `runbook_figures`: a caller may take
    them from a cache, since each is a function of its members alone (two bootstraps each).
    """
    groups: dict[str, list[Incident]] = defaultdict(list)
    for incident in incidents:
        if incident.id in pattern_of:
            groups[pattern_of[incident.id]].append(incident)
    figures = per_pattern or (lambda _, members: runbook_figures(members))
    everyone = [m for members in groups.values() for m in members]
    rows = []
    for pattern in sorted(groups):
        members = groups[pattern]
        names = sorted({m.runbook_used for m in members if m.runbook_used})
        rows.append({"pattern": pattern, "runbooks": names, **figures(pattern, members)})
    return {"overall": runbook_figures(everyone), "per_pattern": rows, "min_n": MIN_N}


WEIGHTS = {
    "follow_through": 25,
    "fixes_worked": 25,
    "monitoring_detection": 20,
    "runbook_use": 15,
    "complete_postmortems": 15,
}
COMPONENT_LABELS = {
    "follow_through": "action items due that were done (or declined with a reason)",
    "fixes_worked": "patterns whose fix made them recur less, of those that can be judged",
    "monitoring_detection": "incidents detected by monitoring rather than by people",
    "runbook_use": "repeat incidents of a pattern where a runbook was used",
    "complete_postmortems": "post-mortems with a root cause, a resolution time and an action item",
}


def maturity(
    incidents: Sequence[Incident],
    pattern_of: Mapping[str, str],
    items: Sequence[ItemRow],
    fixed: Mapping[str, Recurrence],
    as_of: date,
) -> dict[str, Any]:
    """A 0–100 score: weighted shares, renormalized over the components that have data."""
    due = [r for r in items if r.due is not None and r.due <= as_of]
    closed = [r for r in due if r.status == "done" or (r.status == "wontfix" and r.reason)]
    patterns = sorted({pattern_of[i.id] for i in incidents if i.id in pattern_of})
    judged = [p for p in patterns if not (p in fixed and fixed[p].verdict == NOT_ENOUGH)]
    worked = [p for p in judged if p in fixed and fixed[p].verdict == "fell"]
    seen: set[str] = set()
    repeats = []
    for incident in sorted(incidents, key=lambda i: (i.started_at, i.id)):
        pattern = pattern_of.get(incident.id)
        if pattern is None:
            continue
        if pattern in seen:
            repeats.append(incident)
        seen.add(pattern)
    complete = [
        i
        for i in incidents
        if (i.root_cause.category or i.root_cause.summary)
        and timings(i).ttr is not None
        and i.action_items
    ]
    parts = {
        "follow_through": (len(closed), len(due)),
        "fixes_worked": (len(worked), len(judged)),
        "monitoring_detection": (sum(monitored(i) for i in incidents), len(incidents)),
        "runbook_use": (sum(bool(i.runbook_used) for i in repeats), len(repeats)),
        "complete_postmortems": (len(complete), len(incidents)),
    }
    components = []
    earned = possible = 0.0
    for name, (hits, total) in parts.items():
        share = hits / total if total else None
        points = WEIGHTS[name] * share if share is not None else None
        if points is not None:
            earned += points
            possible += WEIGHTS[name]
        components.append(
            {
                "name": name,
                "label": COMPONENT_LABELS[name],
                "weight": WEIGHTS[name],
                "count": hits,
                "of": total,
                "share": round(share, 3) if share is not None else None,
                "points": round(points, 1) if points is not None else None,
            }
        )
    score = round(100 * earned / possible) if possible else None
    return {"score": score, "components": components}
