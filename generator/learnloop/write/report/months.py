"""Reports by calendar month: the months a corpus spans and each month's figures."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from learnloop.analyze import cost, metrics
from learnloop.analyze.metrics import Filters
from learnloop.enrich import timings
from learnloop.model import ACTION_STATUSES, Incident
from learnloop.write.report.inputs import Inputs, first_day, report_data


def bounds(month: str) -> tuple[date, date]:
    """The first and last day of a month (YYYY-MM)."""
    year, mon = int(month[:4]), int(month[5:7])
    start = date(year, mon, 1)
    return start, date(year + (mon == 12), mon % 12 + 1, 1) - timedelta(days=1)


@dataclass(frozen=True)
class Month:
    """All that one month's learning report reads, so that no month scans the whole corpus.

    `inputs` holds the month's incidents and those of the period before it that its trends
    compare with, the corpus's first day, and the patterns and titles of the month's
    incidents; `done` the incidents with a follow-up done within the month; `seen` the
    patterns of the month's incidents that had begun before it. The report is a function of
    this alone, which also makes its digest the report's cache key.
    """

    month: str
    inputs: Inputs
    done: tuple[Incident, ...]
    seen: tuple[str, ...]


def months_of(inputs: Inputs, wanted: Iterable[str] | None = None) -> dict[str, Month]:
    """Each month's `Month` (by default every month with an incident), in one pass."""
    by_month: dict[str, list[Incident]] = defaultdict(list)
    done: dict[str, list[Incident]] = defaultdict(list)
    began: dict[str, date] = {}  # pattern -> its first incident's day
    for incident in inputs.incidents:
        day = incident.started_at.date()
        by_month[day.isoformat()[:7]].append(incident)
        if (pid := inputs.pattern_of.get(incident.id)) is not None:
            began[pid] = min(day, began.get(pid, day))
        finished = [a.done_at for a in incident.action_items if a.status == "done"]
        for month in sorted({at.isoformat()[:7] for at in finished if at is not None}):
            done[month].append(incident)
    first = first_day(inputs)
    out = {}
    for month in sorted(by_month) if wanted is None else wanted:
        start, end = bounds(month)
        own = by_month.get(month, [])
        compared: list[Incident] = []
        pair = metrics.previous_period(Filters(start, end), first, end)
        if pair is not None and pair[0].start is not None and pair[0].end is not None:
            since, until = pair[0].start, pair[0].end
            days = (until - since).days + 1
            spanned = {(since + timedelta(d)).isoformat()[:7] for d in range(days)}
            for key in sorted(spanned):
                compared += [
                    i for i in by_month.get(key, []) if since <= i.started_at.date() <= until
                ]
        pids = {i.id: p for i in own if (p := inputs.pattern_of.get(i.id)) is not None}
        part = Inputs(
            incidents=tuple(metrics.by_start([*own, *compared])),
            pattern_of=pids,
            titles={p: inputs.titles[p] for p in sorted(set(pids.values())) if p in inputs.titles},
            settings=inputs.settings,
            first=first,
        )
        seen = tuple(sorted(p for p in set(pids.values()) if began[p] < start))
        out[month] = Month(month, part, tuple(sorted(done[month], key=lambda i: i.id)), seen)
    return out


def monthly_data(inputs: Inputs, month: str) -> dict[str, Any]:
    """The figures of one month's learning report (YYYY-MM)."""
    return month_data(months_of(inputs, [month])[month])


def month_data(part: Month) -> dict[str, Any]:
    """The figures of one month's learning report, from what it reads (`months_of`)."""
    inputs = part.inputs
    start, end = bounds(part.month)
    filters = Filters(start, end)
    selected = metrics.select(inputs.incidents, filters)
    data = report_data("monthly", inputs, filters, end)
    first_seen = sorted(
        {inputs.pattern_of[i.id] for i in selected if i.id in inputs.pattern_of} - set(part.seen)
    )
    costs = cost.costs(selected, inputs.settings)
    data["title"] = f"Monthly learning report {part.month}"
    data["month"] = part.month
    data["new_patterns"] = [{"pattern": p, "title": inputs.titles.get(p, p)} for p in first_seen]
    data["incidents"] = [
        {
            "id": i.id,
            "title": i.title,
            "severity": i.severity,
            "pattern": inputs.pattern_of.get(i.id),
            "ttr": timings(i).ttr,
            "cost_usd": costs[i.id].total_usd,
        }
        for i in selected
    ]
    done = [
        {"incident": i.id, "id": a.id, "title": a.title, "kind": a.kind, "done_at": a.done_at}
        for i in part.done
        for a in i.action_items
        if a.status == "done" and a.done_at is not None and start <= a.done_at <= end
    ]
    done.sort(key=lambda d: (str(d["done_at"]), str(d["incident"]), str(d["id"])))
    data["completed_items"] = [d | {"done_at": str(d["done_at"])} for d in done]
    raised = [a.status for i in selected for a in i.action_items]
    data["raised"] = {"total": len(raised), **{s: raised.count(s) for s in ACTION_STATUSES}}
    compared: set[str] = set()
    if data.get("trends"):
        earlier = data["trends"]["earlier"]
        window = Filters(date.fromisoformat(earlier["from"]), date.fromisoformat(earlier["to"]))
        compared = {i.id for i in metrics.select(inputs.incidents, window)}
    data["sources"] = sorted({i.id for i in selected} | {d["incident"] for d in done} | compared)
    return data
