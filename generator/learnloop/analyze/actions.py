"""Action items across every incident: what is open, overdue, aging or quietly dropped.

An item's status is read as of a date: one marked done with a `done_at` after that date was
still open then. Items closed as won't-fix carry no closing date, so they leave the backlog's
history altogether; they are counted, and listed with their reason, or its absence.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import date, timedelta
from functools import partial
from typing import Any

import numpy as np

from learnloop.analyze.metrics import team_of
from learnloop.model import ActionItem, Incident
from learnloop.settings import Settings

AGING_DAYS = 90  # open this long after the incident: an item nobody is working on
GROWTH_WINDOW_DAYS = 90
UNOWNED = "(unowned)"


@dataclass(frozen=True)
class ItemRow:
    """One action item, its incident and its state as of a date."""

    incident: str
    id: str
    title: str
    kind: str | None
    owner: str
    team: str  # the owning team of the incident's first service
    status: str  # open | done | wontfix, as of the date
    opened: date  # the incident's start date
    due: date | None
    done_at: date | None
    effort: float | None
    reason: str | None  # why it was closed as won't-fix, when given
    age_days: int | None  # open items: days since opened
    overdue_days: int | None  # open items past their due date

    def as_dict(self) -> dict[str, Any]:
        """Plain values, dates as ISO strings."""
        out = {name: getattr(self, name) for name in _ITEM_FIELDS}
        for key in ("opened", "due", "done_at"):
            out[key] = out[key].isoformat() if out[key] else None
        return out


_ITEM_FIELDS = tuple(f.name for f in fields(ItemRow))


def status_on(item: ActionItem, day: date) -> str:
    """The item's status on a day: done only from its done_at on."""
    if item.status == "done" and item.done_at is not None and item.done_at > day:
        return "open"
    return item.status


def reason_of(item: ActionItem) -> str | None:
    """The won't-fix reason written on the item, if any."""
    for key, value in item.extra:
        if key == "reason" and value is not None and str(value).strip():
            return str(value).strip()
    return None


def rows(
    incidents: Iterable[Incident],
    settings: Settings,
    as_of: date,
    each: Callable[[Incident], list[ItemRow]] | None = None,
) -> list[ItemRow]:
    """Every action item of incidents started by `as_of`, in incident then item order.

    `each` is `incident_rows` with these settings and date, or a store of it.
    """
    each = each or partial(incident_rows, settings=settings, as_of=as_of)
    out: list[ItemRow] = []
    for incident in sorted(incidents, key=lambda i: i.id):
        if incident.action_items and incident.started_at.date() <= as_of:
            out += each(incident)
    return out


def incident_rows(incident: Incident, settings: Settings, as_of: date) -> list[ItemRow]:
    """The incident's action items as of a date (which is on or after its start)."""
    opened = incident.started_at.date()
    team = team_of(incident, settings)
    out = []
    for item in incident.action_items:
        status = status_on(item, as_of)
        is_open = status == "open"
        overdue = (as_of - item.due).days if is_open and item.due and item.due < as_of else None
        out.append(
            ItemRow(
                incident=incident.id,
                id=item.id,
                title=item.title,
                kind=item.kind,
                owner=item.owner or UNOWNED,
                team=team,
                status=status,
                opened=opened,
                due=item.due,
                done_at=item.done_at if status == "done" else None,
                effort=item.effort,
                reason=reason_of(item) if status == "wontfix" else None,
                age_days=(as_of - opened).days if is_open else None,
                overdue_days=overdue,
            )
        )
    return out


def _counts(items: Sequence[ItemRow]) -> dict[str, int]:
    # One pass: the backlog counts every item once overall and once per owner and team.
    status: Counter[str] = Counter()
    overdue = aging = unexplained = 0
    for r in items:
        status[r.status] += 1
        if r.overdue_days is not None:
            overdue += 1
        if r.age_days is not None and r.age_days > AGING_DAYS:
            aging += 1
        if r.status == "wontfix" and not r.reason:
            unexplained += 1
    return {
        "total": len(items),
        "open": status["open"],
        "overdue": overdue,
        "aging": aging,
        "done": status["done"],
        "wontfix": status["wontfix"],
        "wontfix_without_reason": unexplained,
    }


def _per(items: Sequence[ItemRow], key: str) -> list[dict[str, Any]]:
    groups: dict[str, list[ItemRow]] = defaultdict(list)
    for row in items:
        groups[getattr(row, key)].append(row)
    table = [{key: name, **_counts(group)} for name, group in groups.items()]
    return sorted(table, key=lambda r: (-r["overdue"], -r["open"], r[key]))


def _spans(items: Sequence[ItemRow]) -> tuple[np.ndarray, np.ndarray]:
    """Day numbers each item opened and stopped being open (won't-fix items left out)."""
    kept = [r for r in items if r.status != "wontfix"]
    opened = np.array([r.opened.toordinal() for r in kept], dtype=np.int64)
    never = date.max.toordinal()
    closed = np.array(
        [
            never
            if r.status == "open"
            else (r.done_at.toordinal() if r.done_at is not None else r.opened.toordinal())
            for r in kept
        ],
        dtype=np.int64,
    )
    return opened, closed


def open_on(items: Sequence[ItemRow], day: date) -> int:
    """Items open at the end of a day (won't-fix items have no closing date: left out)."""
    opened, closed = _spans(items)
    return _open_count(opened, closed, day)


def _open_count(opened: np.ndarray, closed: np.ndarray, day: date) -> int:
    n = day.toordinal()
    return int(np.count_nonzero((opened <= n) & (closed > n)))


def _month_end(month: str) -> date:
    year, mon = int(month[:4]), int(month[5:7])
    first_next = date(year + (mon == 12), mon % 12 + 1, 1)
    return first_next - timedelta(days=1)


def growth(items: Sequence[ItemRow], as_of: date) -> dict[str, Any]:
    """Whether the backlog grows: open items now against GROWTH_WINDOW_DAYS ago, and monthly."""
    opened, closed = _spans(items)
    then = as_of - timedelta(days=GROWTH_WINDOW_DAYS)
    now_open, then_open = _open_count(opened, closed, as_of), _open_count(opened, closed, then)
    new = sum(1 for r in items if r.status != "wontfix" and then < r.opened <= as_of)
    done = sum(1 for r in items if r.done_at is not None and then < r.done_at <= as_of)
    verdict = "grows" if now_open > then_open else "shrinks" if now_open < then_open else "steady"
    moved = {"grows": "grew", "shrinks": "shrank", "steady": "held steady"}[verdict]
    statement = (
        f"The open backlog {moved}: {then_open} open items on {then.isoformat()}, {now_open} "
        f"on {as_of.isoformat()} ({new} opened, {done} completed in between)."
    )
    raised: Counter[str] = Counter(r.opened.isoformat()[:7] for r in items if r.status != "wontfix")
    completed: Counter[str] = Counter(
        r.done_at.isoformat()[:7] for r in items if r.done_at is not None
    )
    months = sorted(set(raised) | set(completed) | {as_of.isoformat()[:7]})
    monthly = [
        {
            "month": month,
            "opened": raised[month],
            "completed": completed[month],
            "open_at_end": _open_count(opened, closed, min(_month_end(month), as_of)),
        }
        for month in months
        if month <= as_of.isoformat()[:7]
    ]
    return {
        "verdict": verdict,
        "open_now": now_open,
        "open_before": then_open,
        "since": then.isoformat(),
        "opened": new,
        "completed": done,
        "statement": statement,
        "monthly": monthly,
    }


def backlog(items: Sequence[ItemRow], as_of: date) -> dict[str, Any]:
    """Counts, per owner and team, the overdue and dropped items, and the growth verdict."""
    overdue = sorted(
        (r for r in items if r.overdue_days is not None),
        key=lambda r: (-(r.overdue_days or 0), r.incident, r.id),
    )
    wontfix = sorted((r for r in items if r.status == "wontfix"), key=lambda r: (r.incident, r.id))
    return {
        "as_of": as_of.isoformat(),
        "aging_days": AGING_DAYS,
        **_counts(items),
        "per_owner": _per(items, "owner"),
        "per_team": _per(items, "team"),
        "overdue_items": [r.as_dict() for r in overdue],
        "wontfix_items": [r.as_dict() for r in wontfix],
        "growth": growth(items, as_of),
    }
