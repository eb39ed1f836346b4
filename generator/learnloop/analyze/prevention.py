"""Prevention recommendations ranked by what they are expected to save against what they cost.

Candidates come from four places: recurring patterns (their open `prevent` items; with no
fix done yet, the cause to find; with a fix that failed, the fix to revisit), open `mitigate`
items and detection gaps of patterns (incidents people noticed before monitoring did, or open
`detect` items), one-off incidents with open `prevent` items, and systemic issues.

Each gets, with its assumptions spelled out:
- expected yearly saving = incidents a year × cost per incident × expected reduction, where
  incidents a year come from the rate since the pattern's last fix (when at least three months
  have passed) or else over all the months observed, and the reduction is the cost model's
  `expected_reduction` for the kind of work;
- effort = the `effort` (days) of the action items it names, or a stated default; its cost is
  effort days × `hours_per_day` × `engineer_hourly_usd`;
- ROI = (yearly saving − effort cost) / effort cost; payback = effort cost / monthly saving;
- priority by yearly saving against `priority_saving_usd` (CRITICAL / HIGH / MEDIUM, else LOW),
  one level lower when payback takes over six months, LOW beyond twelve;
- a place in the impact-vs-effort matrix: high impact at or above the median saving of all
  candidates, low effort at or under `quick_win_effort_days`; high impact for low effort is a
  quick win.

Systemic issues are computed elsewhere; pass them as `systemic`: any objects with `id`,
`title`, `incidents` (ids) and `architectural` (bool), as `SystemicLike` describes.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from datetime import date
from typing import Any, Protocol

from learnloop.analyze.actions import ItemRow
from learnloop.analyze.cost import IncidentCost, usd
from learnloop.analyze.feedback import MIN_MONTHS, Recurrence, failed
from learnloop.analyze.metrics import monitored, months_between
from learnloop.enrich import timings
from learnloop.model import Incident
from learnloop.settings import Settings

TOP = 30
PRIORITIES = ("CRITICAL", "HIGH", "MEDIUM", "LOW")
QUADRANTS = ("quick wins", "big bets", "fill-ins", "money pits")
DETECTION_GAP_SHARE = 0.25  # this share of a pattern noticed by people is a detection gap


class SystemicLike(Protocol):
    """A systemic issue as the systemic-issue analysis reports it."""

    @property
    def id(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def incidents(self) -> tuple[str, ...]: ...
    @property
    def architectural(self) -> bool: ...


@dataclass(frozen=True)
class Recommendation:
    """One piece of prevention work with its expected saving, effort, ROI and priority."""

    id: str
    title: str
    kind: str  # prevent | mitigate | detect | systemic
    source: str  # pattern:<id> | systemic:<id> | incident:<id>
    incidents: tuple[str, ...]
    actions: tuple[str, ...]
    annual_frequency: float
    frequency_basis: str
    cost_per_incident_usd: float
    cost_basis: str
    expected_reduction: float
    annual_saving_usd: float
    effort_days: float
    effort_basis: str
    effort_cost_usd: float
    roi: float | None
    payback_months: float | None
    priority: str = "LOW"
    quadrant: str = "fill-ins"
    quick_win: bool = False

    def as_dict(self) -> dict[str, Any]:
        """Plain values, lists for tuples."""
        # Every field is a plain value or a tuple of strings: `asdict`'s deep copy, item by item
        # through tuples of thousands of incident ids, would only rebuild the same values.
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out["incidents"] = list(self.incidents)
        out["actions"] = list(self.actions)
        return out

    def assumptions(self) -> str:
        """Saving and effort in one line of arithmetic."""
        return (
            f"{self.annual_frequency:.2f}/year ({self.frequency_basis}) × "
            f"{usd(self.cost_per_incident_usd)} ({self.cost_basis}) × "
            f"{self.expected_reduction:.0%} expected reduction = {usd(self.annual_saving_usd)}"
            f"/year; effort {self.effort_days:g} d ({self.effort_basis}) = "
            f"{usd(self.effort_cost_usd)}"
        )


@dataclass(frozen=True)
class _Target:
    """What a candidate acts on: its incidents, how often they happen and what they cost."""

    source: str
    name: str
    incidents: tuple[Incident, ...]
    per_year: float
    basis: str


def _mean(values: Sequence[float]) -> float:
    return round(statistics.fmean(values), 2) if values else 0.0


def _open_items(
    by_incident: Mapping[str, Sequence[ItemRow]], ids: Iterable[str], kind: str
) -> list[ItemRow]:
    """Open items of a kind on these incidents, one per title (the first raised)."""
    seen: dict[str, ItemRow] = {}
    rows = (r for i in ids for r in by_incident.get(i, ()) if r.kind == kind)
    for row in sorted(rows, key=lambda r: (r.opened, r.incident, r.id)):
        seen.setdefault(" ".join(row.title.casefold().split()), row)
    return list(seen.values())


def open_by_incident(items: Sequence[ItemRow]) -> dict[str, list[ItemRow]]:
    """Open items per incident id."""
    out: dict[str, list[ItemRow]] = {}
    for row in items:
        if row.status == "open":
            out.setdefault(row.incident, []).append(row)
    return out


def _effort(rows: Sequence[ItemRow], default: float) -> tuple[float, str]:
    if not rows:
        return default, f"no open action item: default {default:g} d"
    parts, total = [], 0.0
    for row in rows:
        days = row.effort if row.effort is not None else default
        total += days
        stated = "" if row.effort is not None else " default"
        parts.append(f"{row.incident} {row.id} {days:g} d{stated}")
    return round(total, 2), " + ".join(parts)


def _candidate(
    rec_id: str,
    title: str,
    kind: str,
    target: _Target,
    actions: Sequence[str],
    cost_per_incident: float,
    cost_basis: str,
    effort: tuple[float, str],
    settings: Settings,
) -> Recommendation:
    model = settings.cost
    reduction = model.expected_reduction[kind]
    saving = round(target.per_year * cost_per_incident * reduction, 2)
    effort_cost = round(effort[0] * model.hours_per_day * model.engineer_hourly_usd, 2)
    roi = round((saving - effort_cost) / effort_cost, 2) if effort_cost else None
    payback = round(effort_cost / (saving / 12), 2) if saving > 0 else None
    return Recommendation(
        id=rec_id,
        title=title,
        kind=kind,
        source=target.source,
        incidents=tuple(sorted(i.id for i in target.incidents)),
        actions=tuple(actions),
        annual_frequency=round(target.per_year, 3),
        frequency_basis=target.basis,
        cost_per_incident_usd=cost_per_incident,
        cost_basis=cost_basis,
        expected_reduction=reduction,
        annual_saving_usd=saving,
        effort_days=effort[0],
        effort_basis=effort[1],
        effort_cost_usd=effort_cost,
        roi=roi,
        payback_months=payback,
    )


def _rate(
    members: Sequence[Incident], fix: Recurrence | None, start: date, as_of: date
) -> tuple[float, str]:
    if fix is not None and fix.months_after >= MIN_MONTHS:
        return (
            fix.after / fix.months_after * 12,
            f"{fix.after} in {fix.months_after:.1f} months since {fix.item} of {fix.incident} "
            f"was done on {fix.done_at.isoformat()}",
        )
    months = months_between(start, as_of)
    return len(members) / months * 12, f"{len(members)} in {months:.1f} months observed"


def pattern_candidates(
    pattern: str,
    title: str,
    members: Sequence[Incident],
    costs: Mapping[str, IncidentCost],
    items: Mapping[str, Sequence[ItemRow]],
    fix: Recurrence | None,
    settings: Settings,
    start: date,
    as_of: date,
) -> list[Recommendation]:
    """A recurring pattern's candidates: a function of its members, their open items (`items`,
    by incident id) and costs, its fix, the settings and the period observed."""
    per_year, basis = _rate(members, fix, start, as_of)
    target = _Target(f"pattern:{pattern}", title, tuple(members), per_year, basis)
    ids = {m.id for m in members}
    totals = [costs[m.id].total_usd for m in members]
    mean_total = _mean(totals)
    cost_basis = (
        f"mean total cost of its {len(totals)} incidents; median {usd(statistics.median(totals))}"
    )
    costliest = max(members, key=lambda m: (costs[m.id].total_usd, m.id))
    share = costs[costliest.id].total_usd / sum(totals) if sum(totals) else 0.0
    if len(members) > 2 and share >= 0.5:  # say so when one incident sets the mean
        cost_basis += f"; {costliest.id} alone is {share:.0%} of the total"
    default = settings.cost.default_effort_days
    out = []
    rows = _open_items(items, ids, "prevent")
    more = f" (+{len(rows) - 1} more)" if len(rows) > 1 else ""
    head = None
    if fix is not None and failed(fix):
        head = (
            f"Revisit the fix for {title}: recurrence did not fall after "
            f"{fix.item} of {fix.incident} ({fix.done_at.isoformat()})"
        )
    elif fix is None:
        head = f"Prevent {title}: {rows[0].title}{more}" if rows else None
        head = head or f"Find and remove the cause of {title}"
    elif rows:  # the fix helps (or may): what is still open can lower the rest
        head = f"Prevent more of {title}: {rows[0].title}{more}"
    if head is not None:
        actions = [f"{r.incident} {r.id}: {r.title}" for r in rows]
        out.append(
            _candidate(
                f"prevent-{pattern}",
                head,
                "prevent",
                target,
                actions,
                mean_total,
                cost_basis,
                _effort(rows, default),
                settings,
            )
        )
    mitigate = _open_items(items, ids, "mitigate")
    if mitigate:
        out.append(
            _candidate(
                f"mitigate-{pattern}",
                f"Shorten {title}: {mitigate[0].title}"
                + (f" (+{len(mitigate) - 1} more)" if len(mitigate) > 1 else ""),
                "mitigate",
                target,
                [f"{r.incident} {r.id}: {r.title}" for r in mitigate],
                mean_total,
                cost_basis,
                _effort(mitigate, default),
                settings,
            )
        )
    detect = _open_items(items, ids, "detect")
    unnoticed = [m for m in members if not monitored(m)]
    if detect or len(unnoticed) >= DETECTION_GAP_SHARE * len(members):
        late = _mean([(timings(m).ttd or 0.0) * costs[m.id].downtime_rate_usd for m in members])
        head = (
            f"Detect {title} sooner: {detect[0].title}"
            if detect
            else f"Add monitoring for {title}: {len(unnoticed)} of {len(members)} noticed by people"
        )
        if late > 0:
            out.append(
                _candidate(
                    f"detect-{pattern}",
                    head,
                    "detect",
                    target,
                    [f"{r.incident} {r.id}: {r.title}" for r in detect],
                    late,
                    "mean downtime cost before detection",
                    _effort(detect, default),
                    settings,
                )
            )
    return out


def _level(rec: Recommendation, settings: Settings) -> str:
    thresholds = settings.cost.priority_saving_usd
    saving = rec.annual_saving_usd
    index = next(
        (n for n, key in enumerate(("critical", "high", "medium")) if saving >= thresholds[key]),
        3,
    )
    if rec.payback_months is None or rec.payback_months > 12:
        return "LOW"
    if rec.payback_months > 6:
        index = min(3, index + 1)
    return PRIORITIES[index]


def recommend(
    incidents: Sequence[Incident],
    pattern_of: Mapping[str, str],
    titles: Mapping[str, str],
    costs: Mapping[str, IncidentCost],
    items: Sequence[ItemRow],
    fixed: Mapping[str, Recurrence],
    settings: Settings,
    start: date,
    as_of: date,
    systemic: Sequence[SystemicLike] = (),
    per_pattern: Callable[[str, Sequence[Incident]], list[Recommendation]] | None = None,
) -> list[Recommendation]:
    """Every candidate scored, placed in the matrix and ranked; the caller keeps the TOP.

    `per_pattern(pattern, members)` gives a pattern's `pattern_candidates` from the same
    arguments: a caller may take them from a cache, as most patterns are as they were.
    """
    by_pattern: dict[str, list[Incident]] = {}
    for incident in incidents:
        if incident.id in pattern_of:
            by_pattern.setdefault(pattern_of[incident.id], []).append(incident)
    open_items = open_by_incident(items)
    found: list[Recommendation] = []
    for pattern in sorted(by_pattern):
        if per_pattern is not None:
            found += per_pattern(pattern, by_pattern[pattern])
            continue
        found += pattern_candidates(
            pattern,
            titles.get(pattern, pattern),
            by_pattern[pattern],
            costs,
            open_items,
            fixed.get(pattern),
            settings,
            start,
            as_of,
        )
    months = months_between(start, as_of)
    default = settings.cost.default_effort_days
    for incident in incidents:
        if incident.id in pattern_of:
            continue
        rows = _open_items(open_items, [incident.id], "prevent")
        if not rows:
            continue
        target = _Target(
            f"incident:{incident.id}",
            incident.title,
            (incident,),
            12 / months,
            f"seen once in {months:.1f} months; assumed to recur at that rate",
        )
        found.append(
            _candidate(
                f"prevent-{incident.id}",
                f"Prevent a repeat of {incident.id}: {rows[0].title}",
                "prevent",
                target,
                [f"{r.incident} {r.id}: {r.title}" for r in rows],
                costs[incident.id].total_usd,
                "its total cost",
                _effort(rows, default),
                settings,
            )
        )
    known = {i.id: i for i in incidents}
    for issue in sorted(systemic, key=lambda s: s.id):
        members = tuple(known[i] for i in sorted(issue.incidents) if i in known)
        if not members:
            continue
        target = _Target(
            f"systemic:{issue.id}",
            issue.title,
            members,
            len(members) / months * 12,
            f"{len(members)} in {months:.1f} months observed",
        )
        days = settings.cost.architectural_effort_days if issue.architectural else default
        why = "architectural change: default" if issue.architectural else "default"
        found.append(
            _candidate(
                f"systemic-{issue.id}",
                f"Address the systemic issue: {issue.title}",
                "systemic",
                target,
                [issue.title],
                _mean([costs[m.id].total_usd for m in members]),
                "mean total cost of its incidents",
                (days, f"{why} {days:g} d"),
                settings,
            )
        )
    return rank(found, settings)


def rank(found: Sequence[Recommendation], settings: Settings) -> list[Recommendation]:
    """Priorities and matrix places set; ordered by priority, saving, then id."""
    middle = statistics.median(r.annual_saving_usd for r in found) if found else 0.0
    placed = []
    for rec in found:
        high = rec.annual_saving_usd >= middle and rec.annual_saving_usd > 0
        low_effort = rec.effort_days <= settings.cost.quick_win_effort_days
        quadrant = QUADRANTS[(0 if low_effort else 1) if high else (2 if low_effort else 3)]
        placed.append(
            replace(
                rec,
                priority=_level(rec, settings),
                quadrant=quadrant,
                quick_win=quadrant == "quick wins",
            )
        )
    return sorted(placed, key=lambda r: (PRIORITIES.index(r.priority), -r.annual_saving_usd, r.id))


def matrix(recs: Sequence[Recommendation]) -> dict[str, list[str]]:
    """Recommendation ids per quadrant of impact against effort, in rank order."""
    return {q: [r.id for r in recs if r.quadrant == q] for q in QUADRANTS}


def risks(
    incidents: Sequence[Incident],
    pattern_of: Mapping[str, str],
    titles: Mapping[str, str],
    costs: Mapping[str, IncidentCost],
    fixed: Mapping[str, Recurrence],
    start: date,
    as_of: date,
) -> list[dict[str, Any]]:
    """Per pattern: how often it happens, what each costs and the expected cost of a year."""
    by_pattern: dict[str, list[Incident]] = {}
    for incident in incidents:
        if incident.id in pattern_of:
            by_pattern.setdefault(pattern_of[incident.id], []).append(incident)
    out = []
    for pattern, members in by_pattern.items():
        fix = fixed.get(pattern)
        per_year, basis = _rate(members, fix, start, as_of)
        mean_cost = _mean([costs[m.id].total_usd for m in members])
        out.append(
            {
                "pattern": pattern,
                "title": titles.get(pattern, pattern),
                "incidents": len(members),
                "per_year": round(per_year, 3),
                "frequency_basis": basis,
                "mean_cost_usd": mean_cost,
                "annual_cost_usd": round(per_year * mean_cost, 2),
                "fix": fix.as_dict() if fix is not None else None,
                "fix_worked": fix is not None and fix.verdict == "fell",
            }
        )
    return sorted(out, key=lambda r: (-r["annual_cost_usd"], r["pattern"]))


def systemic_summary(
    systemic: Sequence[SystemicLike],
    incidents: Sequence[Incident],
    costs: Mapping[str, IncidentCost],
) -> list[dict[str, Any]]:
    """Each systemic issue with its known incidents and what they cost in all."""
    known = {i.id for i in incidents}
    out = []
    for issue in sorted(systemic, key=lambda s: s.id):
        members = sorted(i for i in issue.incidents if i in known)
        out.append(
            {
                "id": issue.id,
                "title": issue.title,
                "architectural": bool(issue.architectural),
                "incidents": members,
                "total_cost_usd": round(sum(costs[m].total_usd for m in members), 2),
            }
        )
    return out
