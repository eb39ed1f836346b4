"""Plan a corpus: which failure happens when, how long it lasts, who responds, what follows.

Planning depends on the seed only, never on the writing style, so the `main` and `alt`
corpora for one seed describe the same incidents in different words.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from learnloop.simulate import catalog
from learnloop.simulate.catalog import Action, Pattern, fill, usable

ONE_OFF_SHARE = 0.12
RESTRICTED_SHARE = 0.015
DATE_ONLY_SHARE = 0.02
FIX_EFFECT = 0.18  # recurrence rate after a working fix, relative to before
MIN_GAP_DAYS = 21  # a fix lands at least this long after the incident that asked for it

_SEV_FACTOR = {"P0": 1.4, "P1": 1.2, "P2": 1.0, "P3": 0.9, "P4": 0.8}
_TTD_MEDIAN = {
    "alert": 5.0,
    "synthetic-check": 4.0,
    "customer-report": 20.0,
    "internal-report": 14.0,
    "none": 30.0,
}
_CUSTOMERS_PER_MINUTE = {"P0": 600, "P1": 250, "P2": 60, "P3": 12, "P4": 2}
_ERROR_PCT = {"P0": (40, 90), "P1": (15, 50), "P2": (5, 25), "P3": (1, 8), "P4": (1, 3)}
# Office hours (UTC) are when most changes ship and most people notice things.
_HOUR_WEIGHTS = tuple(3.0 if 8 <= h <= 17 else (1.5 if 6 <= h <= 21 else 0.6) for h in range(24))
_ITEM_COUNTS = (0, 1, 2, 3, 4)
_ITEM_WEIGHTS = (0.06, 0.22, 0.37, 0.25, 0.10)
_DUE_DAYS = (7, 14, 14, 21, 30, 30, 45, 60, 90)


@dataclass
class Item:
    """A planned action item."""

    action: Action
    status: str
    due: date
    done_at: date | None
    effort: float
    reason: str | None = None


@dataclass
class Case:
    """One planned incident, before it is written up."""

    pattern: Pattern
    truth: str | None  # the pattern slug; None for a one-off
    target: Mapping[str, str]
    cell: str | None
    started: datetime
    occurrence: int = 0
    variant: int = 0  # which of the pattern's causes this time
    date_only: bool = False
    severity: str = "P3"
    trigger: str = "unknown"
    method: str = "alert"
    detected: datetime | None = None
    acknowledged: datetime | None = None
    mitigated: datetime | None = None
    resolved: datetime | None = None
    runbook_used: bool = False
    runbook_helpful: bool = False
    origin: bool = False  # this incident raised the pattern's fix that got done
    fix_date: date | None = None
    origin_id: str | None = None
    post_fix: bool = False
    restricted: bool = False
    related: list[str] = field(default_factory=list)
    responders: list[tuple[str, str]] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    id: str = ""
    ctx: dict[str, object] = field(default_factory=dict)
    customers: int = 0
    revenue: int = 0
    sla_breached: bool = False
    calendar_tag: str | None = None

    @property
    def services(self) -> list[str]:
        """Services touched, user-facing first, with the cell suffix when there is one."""
        names: list[str] = []
        for key in ("edge", "svc", "dep", "origin"):
            name = self.target.get(key)
            if name and self.svc_name(name) not in names:
                names.append(self.svc_name(name))
        return names

    def svc_name(self, name: str) -> str:
        """A service's name in this incident's cell."""
        return f"{name}-{self.cell}" if self.cell else name


def add_months(day: date, months: int) -> date:
    """The first day of the month `months` after `day`'s month."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def default_months(count: int) -> int:
    """Months covered when not given: 19 for a small corpus, longer as it grows."""
    return 19 if count <= 300 else min(120, max(19, math.ceil(count / 60)))


def _weighted(rng: random.Random, pairs: Sequence[tuple[str, float]]) -> str:
    return rng.choices([p[0] for p in pairs], [p[1] for p in pairs])[0]


def _lognormal(rng: random.Random, median: float, sigma: float) -> float:
    return median * math.exp(rng.gauss(0.0, sigma))


def _allocate(total: int, weights: Sequence[float]) -> list[int]:
    """Largest-remainder split of `total` in proportion to `weights`."""
    scale = total / sum(weights)
    raw = [w * scale for w in weights]
    sizes = [int(r) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: (-(raw[i] - sizes[i]), i))
    for i in order[: total - sum(sizes)]:
        sizes[i] += 1
    return sizes


def _start_time(rng: random.Random, base: date, day: float, pattern: Pattern) -> datetime:
    when = base + timedelta(days=int(day))
    if pattern.hours:
        hour, minute = rng.choice(pattern.hours), rng.randint(0, 8)
    else:
        hour, minute = rng.choices(range(24), _HOUR_WEIGHTS)[0], rng.randint(0, 59)
    return datetime(when.year, when.month, when.day, hour, minute, tzinfo=UTC)


def _place_pattern(
    rng: random.Random, pattern: Pattern, n: int, base: date, span: int
) -> tuple[list[datetime], date | None]:
    """Start times of a pattern's incidents and the day its fix landed (if it did).

    Incidents are split between before and after the fix in proportion to the expected
    rates, so a fix that works shows a lower recurrence rate even in a small corpus.
    """
    onset = rng.uniform(0.0, 0.2) * span
    if not pattern.fix_done:
        days = sorted(rng.uniform(onset, span) for _ in range(n))
        return [_start_time(rng, base, d, pattern) for d in days], None
    fix = onset + rng.uniform(0.3, 0.55) * (span - onset)
    ratio = FIX_EFFECT if pattern.fix_works else rng.uniform(1.0, 1.25)
    before, after = fix - onset, (span - fix) * ratio
    n_before = min(n, max(2, round(n * before / (before + after))))
    early = sorted(rng.uniform(onset, fix) for _ in range(n_before))
    if early[0] > fix - MIN_GAP_DAYS:  # the fix was asked for by an earlier incident
        early[0] = rng.uniform(onset, fix - MIN_GAP_DAYS)
    late = [rng.uniform(fix, span) for _ in range(n - n_before)]
    days = sorted(early + late)
    return [_start_time(rng, base, d, pattern) for d in days], base + timedelta(days=int(fix))


def _severity_weights(pattern: Pattern) -> list[float]:
    # Pattern weights say which severities fit; P0 and P1 stay rare across the corpus.
    return [w * f for w, f in zip(pattern.severity, (0.6, 0.6, 1.0, 1.0, 1.0), strict=True)]


def _durations(rng: random.Random, case: Case) -> None:
    """Fill detection, acknowledgement, mitigation and resolution times (whole minutes)."""
    p = case.pattern
    ttr = _lognormal(rng, p.ttr_median * _SEV_FACTOR[case.severity], 0.75)
    if case.runbook_used:
        ttr *= 0.55 if case.runbook_helpful else 0.95
    ttr = round(min(600.0, max(10.0, ttr)))
    ttd = round(min(0.4 * ttr, max(1.0, _lognormal(rng, _TTD_MEDIAN[case.method], 0.6))))
    tta_median = 2.0 if case.severity in ("P0", "P1") else (8.0 if case.severity == "P4" else 4.0)
    tta = round(min(0.2 * ttr, max(1.0, _lognormal(rng, tta_median, 0.6))))
    start = case.started
    case.detected = start + timedelta(minutes=ttd)
    case.acknowledged = case.detected + timedelta(minutes=tta)
    case.resolved = start + timedelta(minutes=max(ttr, ttd + tta + 4))
    work = (case.resolved - case.acknowledged).total_seconds() / 60
    case.mitigated = case.acknowledged + timedelta(
        minutes=max(1, round(work * rng.uniform(0.45, 0.85)))
    )


def _impact(rng: random.Random, case: Case) -> None:
    p, sev = case.pattern, case.severity
    lo, hi = _ERROR_PCT[sev]
    case.ctx["pct"] = rng.randint(lo, hi)
    if case.date_only or not p.customer_facing or sev == "P4":
        return
    assert case.mitigated is not None
    minutes = (case.mitigated - case.started).total_seconds() / 60
    raw = _CUSTOMERS_PER_MINUTE[sev] * minutes * math.exp(rng.gauss(0, 0.5))
    digits = max(0, len(str(int(raw))) - 2)
    case.customers = int(round(raw, -digits)) if raw >= 10 else int(raw) + 1
    if p.revenue and rng.random() < 0.7:
        case.revenue = int(round(case.customers * rng.uniform(15, 45), -2))
    case.sla_breached = sev == "P0" or (sev == "P1" and minutes > 30) or minutes > 240


def _calendar(case: Case) -> str | None:
    day = case.started.date()
    for month, first, last, tag in catalog.CALENDAR:
        if day.month == month and first <= day.day <= last:
            return tag
    return None


def _responders(rng: random.Random, case: Case) -> list[tuple[str, str]]:
    slug = case.pattern.slug
    ics = [p for p in catalog.PEOPLE if p.role == "incident-commander"]
    ic = rng.choices(ics, [3.0 if slug in p.regulars else 1.0 for p in ics])[0]
    experts = [
        p
        for p in catalog.PEOPLE
        if p.role not in ("incident-commander", "communications", "support")
        and (slug in p.regulars or p.role in case.pattern.roles)
    ]
    weights = [8.0 if slug in p.regulars else 1.0 for p in experts]
    wanted = 1 + (case.severity in ("P0", "P1", "P2")) + (rng.random() < 0.3)
    chosen: list[catalog.Person] = []
    while experts and len(chosen) < wanted:
        pick = rng.choices(experts, weights)[0]
        index = experts.index(pick)
        experts.pop(index)
        weights.pop(index)
        chosen.append(pick)
    team = [(ic.name, "incident-commander")] + [(p.name, p.role) for p in chosen]
    if case.severity in ("P0", "P1") and rng.random() < 0.6:
        team.append(("Grace Kim", "communications"))
    if case.method == "customer-report" and rng.random() < 0.5:
        team.append(("Chloe Martin", "support"))
    return team


def _context(rng: random.Random, case: Case) -> dict[str, object]:
    """Values the templates refer to; fixed per incident so every style tells the same story."""
    p = case.pattern
    ctx: dict[str, object] = {}
    for key, name in case.target.items():
        service = catalog.SERVICE_BY_NAME.get(name)
        if service is None:
            ctx[key] = name
            continue
        ctx[key] = case.svc_name(name)
        ctx[key.capitalize()] = service.camel
        ctx[f"{key}_ns"] = service.ns
    primary = catalog.SERVICE_BY_NAME[case.target["svc"]]
    ctx["ns"] = primary.ns
    ctx["team"] = primary.team
    ctx.setdefault("edge", ctx["svc"])
    ctx.setdefault("Edge", primary.camel)
    ctx.setdefault("edge_ns", primary.ns)
    ctx.setdefault("dep", ctx["svc"])
    ctx.setdefault("Dep", primary.camel)
    ctx.setdefault("dep_ns", primary.ns)
    ctx.setdefault("origin", ctx["svc"])
    ctx.setdefault("Origin", primary.camel)
    ctx.setdefault("origin_ns", primary.ns)
    for key, choices in sorted(p.params.items()):
        ctx[key] = rng.choice(choices)
    if p.derive is not None:
        p.derive(ctx, rng)
    ctx["pr"] = ctx.get("pr", rng.randint(1200, 9800))
    ctx["traffic_x"] = rng.choice(("2", "2.5", "3", "4"))
    fits = (case.variant, case.post_fix)
    ctx["alert"] = fill(rng.choice(usable(p.alerts, *fits)), ctx)
    ctx["log"] = fill(rng.choice(usable(p.logs, *fits)), ctx)
    ctx["synthetic"] = fill(rng.choice(catalog.SYNTHETICS), ctx)
    ctx["short"] = fill(rng.choice(usable(p.short, *fits)), ctx)
    return ctx


def _items(rng: random.Random, case: Case, last_day: date) -> list[Item]:
    p = case.pattern
    key = next((i for i, a in enumerate(p.actions) if a.kind == "prevent"), None)
    recurring = p.weight > 0
    pool = [i for i in range(len(p.actions)) if not (recurring and p.fix_done and i == key)]
    k = min(rng.choices(_ITEM_COUNTS, _ITEM_WEIGHTS)[0], len(pool))
    chosen = sorted(rng.sample(pool, k))
    if case.origin and key is not None:
        chosen = [key, *[i for i in chosen if i != key][: max(0, k - 1)]]
    day = case.started.date()
    items: list[Item] = []
    for index in chosen:
        action = p.actions[index]
        effort = rng.choice(action.effort)
        if case.origin and index == key and case.fix_date is not None:
            due = max(day + timedelta(days=7), case.fix_date + timedelta(days=rng.randint(-14, 10)))
            items.append(Item(action, "done", due, case.fix_date, effort))
            continue
        due = day + timedelta(days=rng.choice(_DUE_DAYS))
        r = rng.random()
        if due <= last_day:
            status = "done" if r < 0.6 else ("open" if r < 0.88 else "wontfix")
        else:
            status = "done" if r < 0.25 else ("open" if r < 0.95 else "wontfix")
        done_at = None
        if status == "done":
            done_at = due + timedelta(days=rng.randint(-10, 15))
            done_at = min(last_day, max(day + timedelta(days=1), done_at))
            # A pattern's fix must not appear done before the day it really landed.
            if recurring and action.kind == "prevent":
                if not p.fix_done:
                    status, done_at = "open", None
                elif case.fix_date is not None and day < case.fix_date:
                    done_at = max(done_at, case.fix_date + timedelta(days=7))
                    if done_at > last_day:
                        status, done_at = "open", None
            if done_at is not None and done_at <= day:
                status, done_at = "open", None
        reason = rng.choice(catalog.WONTFIX_REASONS) if status == "wontfix" else None
        items.append(Item(action, status, due, done_at, effort, reason))
    return items


def plan(seed: int, count: int, start: date, months: int) -> list[Case]:
    """Every incident of a corpus, sorted by start, with ids assigned."""
    rng = random.Random(seed)
    end = add_months(start, months)
    span = (end - start).days
    n_cells = 1 if count <= 600 else min(len(catalog.CELLS), math.ceil(count / (months * 9)))
    cells: tuple[str | None, ...] = catalog.CELLS[:n_cells] if n_cells > 1 else (None,)
    n_one = min(round(count * ONE_OFF_SHARE), len(catalog.ONE_OFFS) * len(cells))
    patterns = sorted(catalog.PATTERNS, key=lambda p: p.slug)
    weights = [p.weight * rng.uniform(0.9, 1.1) for p in patterns]
    sizes = _allocate(count - n_one, weights)

    cases: list[Case] = []
    for pattern, n in zip(patterns, sizes, strict=True):
        if n == 0:
            continue
        times, fix = _place_pattern(rng, pattern, n, start, span)
        for occurrence, when in enumerate(times):
            target = rng.choice(pattern.targets)
            case = Case(pattern, pattern.slug, target, rng.choice(cells), when, occurrence)
            if pattern.variants:
                allowed = target.get("variants")
                choices = [int(v) for v in allowed.split(",")] if allowed else None
                case.variant = rng.choice(choices or range(len(pattern.variants)))
            case.fix_date = fix
            case.post_fix = fix is not None and when.date() > fix
            cases.append(case)
        if fix is not None:
            before = [c for c in cases[-n:] if c.started.date() <= fix - timedelta(MIN_GAP_DAYS)]
            if before:
                before[-1].origin = True
            else:  # too few incidents to have asked for the fix: it never happened
                for c in cases[-n:]:
                    c.fix_date, c.post_fix = None, False
    combos = [(o, c) for c in cells for o in catalog.ONE_OFFS]
    for one_off, cell in rng.sample(combos, n_one):
        when = _start_time(rng, start, rng.uniform(0, span), one_off)
        cases.append(Case(one_off, None, one_off.targets[0], cell, when))

    for case in cases:
        p = case.pattern
        case.severity = rng.choices(catalog.SEVERITIES, _severity_weights(p))[0]
        case.trigger = p.variants[case.variant] if p.variants else rng.choice(p.triggers)
        case.method = _weighted(rng, p.detection)
    # A few slow-burning, low-severity incidents are written up with the day only.
    quiet = [c for c in cases if c.pattern.slow_burn and c.severity in ("P3", "P4")]
    for case in rng.sample(quiet, min(len(quiet), max(3, round(count * DATE_ONLY_SHARE)))):
        case.date_only = True
        case.method = rng.choice(("none", "internal-report"))
    for case in cases:
        p = case.pattern
        if case.truth is not None and case.occurrence >= 2:
            adoption = 0.2 + 0.4 * min(1.0, (case.occurrence - 2) / 8)
            case.runbook_used = rng.random() < adoption
            case.runbook_helpful = case.runbook_used and rng.random() < 0.75
        _durations(rng, case)

    cases.sort(key=lambda c: (c.started, c.pattern.slug, c.occurrence))
    per_year: dict[int, int] = {}
    for case in cases:
        per_year[case.started.year] = per_year.get(case.started.year, 0) + 1
    digits = 3 if max(per_year.values()) < 1000 else 4
    seen: dict[int, int] = {}
    for case in cases:
        year = case.started.year
        seen[year] = seen.get(year, 0) + 1
        case.id = f"INC-{year}-{seen[year]:0{digits}d}"

    last_day = cases[-1].started.date()
    origin_ids = {c.truth: c.id for c in cases if c.origin}
    previous: dict[str, list[str]] = {}
    restricted_pool = []
    for case in cases:
        crng = random.Random(f"{seed}/plan/{case.id}")
        case.origin_id = origin_ids.get(case.truth) if case.truth else None
        case.ctx = _context(crng, case)
        _impact(crng, case)
        case.calendar_tag = _calendar(case)
        case.responders = _responders(crng, case)
        case.items = _items(crng, case, last_day)
        if case.truth is not None:
            earlier = previous.setdefault(case.truth, [])
            if earlier and crng.random() < 0.08:
                case.related = [earlier[-1]]
            earlier.append(case.id)
        if {"payments-gateway", "auth-svc"} & set(case.target.values()):
            restricted_pool.append(case)
    n_restricted = max(2, round(count * RESTRICTED_SHARE))
    for case in rng.sample(restricted_pool, min(n_restricted, len(restricted_pool))):
        case.restricted = True
    return cases
