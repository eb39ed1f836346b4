"""The monthly learning review (`report monthly`): the month's learning report, plus what a
review meeting needs to decide: what recurred, what was new, which fixes worked, how the
runbooks did, what is overdue, and the three things to discuss.

It builds on the month's learning report of the site (`report.month_data`), and looks at the
whole history up to the month's end for what only history can tell: whether a pattern is a
recurrence, and whether a fix made it recur less (the before/after test of analyze/feedback).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from typing import Any

from learnloop.analyze import actions, feedback, metrics
from learnloop.analyze.metrics import Filters
from learnloop.model import Incident
from learnloop.write.report.inputs import Inputs
from learnloop.write.report.months import bounds, month_data, months_of

TO_DISCUSS = 3
# What is worth the meeting's time, most first: a fix that did not work and the failure came
# back; a runbook that did not help; a failure that keeps coming back with nothing done; a
# new severe failure; an action long overdue; customers noticing first; a runbook not used.
TOPICS = (
    "fix-did-not-work",
    "runbook-unhelpful",
    "recurring-without-fix",
    "new-severe",
    "overdue",
    "detection-gap",
    "runbook-unused",
)
_SEVERE = ("P0", "P1")


def review_data(inputs: Inputs, month: str) -> dict[str, Any]:
    """Every figure of a month's review as plain data (YYYY-MM)."""
    start, end = bounds(month)
    data = month_data(months_of(inputs, [month])[month])
    data["kind"] = "review"
    data["title"] = f"Monthly learning review {month}"
    settings = inputs.settings
    selected = metrics.select(inputs.incidents, Filters(start, end))
    hist = metrics.history(inputs.incidents, Filters(None, end))
    items = actions.rows(hist, settings, end)
    found = feedback.recurrences(hist, inputs.pattern_of, items, end)
    fixed = feedback.fixes(found)
    members: dict[str, list[Incident]] = defaultdict(list)
    for incident in hist:
        if (pid := inputs.pattern_of.get(incident.id)) is not None:
            members[pid].append(incident)
    title = {p: inputs.titles.get(p, p) for p in members}
    this_month = {i.id for i in selected}

    recurred = []
    for pid in sorted(members):
        now = [m.id for m in members[pid] if m.id in this_month]
        before = [m for m in members[pid] if m.started_at.date() < start]
        if now and before:
            fix = fixed.get(pid)
            recurred.append(
                {
                    "pattern": pid,
                    "title": title[pid],
                    "incidents": now,
                    "before": len(before),
                    "last_before": max(m.started_at.date() for m in before).isoformat(),
                    "fix": fix.as_dict() if fix else None,
                }
            )
    data["recurred"] = recurred
    data["one_offs"] = [
        {"id": i.id, "title": i.title, "severity": i.severity}
        for i in selected
        if i.id not in inputs.pattern_of
    ]
    touched: set[str] = {str(r["pattern"]) for r in recurred} | {
        r.pattern for r in found if r.kind == "prevent" and start <= r.done_at <= end
    }
    data["fixes"] = [
        {
            **fixed[p].as_dict(),
            "pattern_title": title.get(p, p),
            "failed": feedback.failed(fixed[p]),
        }
        for p in sorted(touched)
        if p in fixed
    ]
    data["fix_accuracy"] = feedback.accuracy(fixed)
    data["runbooks"] = _runbooks(selected, members, inputs, start)
    backlog = actions.backlog(items, end)
    data["overdue"] = {"count": backlog["overdue"], "longest": backlog["overdue_items"][:10]}
    data["discuss"] = discuss(data, selected, fixed, title)
    return data


def _runbooks(
    selected: Sequence[Incident],
    members: dict[str, list[Incident]],
    inputs: Inputs,
    start: date,
) -> dict[str, Any]:
    """Which runbooks this month's incidents used and how they rated them; and the incidents
    whose pattern had a runbook (two incidents before them) that they did not use."""
    used = [
        {"incident": i.id, "runbook": i.runbook_used, "helpful": i.runbook_helpful}
        for i in selected
        if i.runbook_used
    ]
    unused = []
    for incident in selected:
        pid = inputs.pattern_of.get(incident.id)
        if pid is None or incident.runbook_used:
            continue
        earlier = [
            m for m in members[pid] if (m.started_at, m.id) < (incident.started_at, incident.id)
        ]
        if len(earlier) >= 2:
            unused.append({"incident": incident.id, "pattern": pid})
    rated = [u for u in used if u["helpful"] is not None]
    return {
        "used": used,
        "helpful": sum(u["helpful"] is True for u in used),
        "not_helpful": sum(u["helpful"] is False for u in used),
        "unrated": len(used) - len(rated),
        "not_used": unused,
    }


def discuss(
    data: dict[str, Any],
    selected: Sequence[Incident],
    fixed: dict[str, feedback.Recurrence],
    title: dict[str, str],
) -> list[dict[str, Any]]:
    """The three things most worth the meeting's time, one per topic, by TOPICS' order."""
    by_id = {i.id: i for i in selected}
    found: list[tuple[int, int, int, dict[str, Any]]] = []

    def add(topic: str, heading: str, why: str, ids: Sequence[str]) -> None:
        # Within a topic: the most severe incidents first, then in the order found (the
        # longest overdue first, incidents by start).
        severe = sum(by_id[i].severity in _SEVERE for i in ids if i in by_id)
        item = {"topic": topic, "title": heading, "why": why, "incidents": sorted(ids)}
        found.append((TOPICS.index(topic), -severe, len(found), item))

    for r in data["recurred"]:
        fix = fixed.get(r["pattern"])
        if fix is not None and feedback.failed(fix):
            add(
                "fix-did-not-work",
                f"{r['title']}: the fix did not make it recur less",
                f"“{fix.title}” was done on {fix.done_at.isoformat()}. {fix.statement} It came "
                f"back this month.",
                r["incidents"],
            )
        elif fix is None:
            add(
                "recurring-without-fix",
                f"{r['title']} came back with no prevention done",
                f"{len(r['incidents'])} this month after {r['before']} before; no prevent action "
                "item of the pattern is done.",
                r["incidents"],
            )
    for use in data["runbooks"]["used"]:
        if use["helpful"] is False:
            add(
                "runbook-unhelpful",
                f"Runbook {use['runbook']} did not help",
                f"{use['incident']} rated it unhelpful: what was missing or wrong?",
                [use["incident"]],
            )
    for incident in selected:
        if incident.severity in _SEVERE and not any(
            incident.id in r["incidents"] for r in data["recurred"]
        ):
            add(
                "new-severe",
                f"New at {incident.severity}: {incident.title}",
                "A severe failure the loop had not seen before: is it a new pattern in the making?",
                [incident.id],
            )
        if (incident.detection.method or "").lower().startswith("customer"):
            add(
                "detection-gap",
                f"Customers noticed {incident.id} first",
                "Monitoring did not see it before a customer did: which signal was missing?",
                [incident.id],
            )
    for top in data["overdue"]["longest"][:TO_DISCUSS]:
        add(
            "overdue",
            f"{top['title']} is {top['overdue_days']} days overdue",
            f"{top['id']} of {top['incident']}, owned by {top['owner']}; "
            f"{data['overdue']['count']} action items are overdue in all.",
            [top["incident"]],
        )
    for miss in data["runbooks"]["not_used"]:
        name = title.get(miss["pattern"], miss["pattern"])
        add(
            "runbook-unused",
            f"{miss['incident']} did not use the runbook of {name}",
            "A runbook existed: was it not found, not trusted, or not right?",
            [miss["incident"]],
        )
    ranked = [item for *_, item in sorted(found, key=lambda f: (f[0], f[1], f[2]))]
    # One of each topic first, so that three kinds of lesson are heard; then the next best.
    out: list[dict[str, Any]] = []
    for item in ranked:
        if len(out) < TO_DISCUSS and item["topic"] not in {o["topic"] for o in out}:
            out.append(item)
    for item in ranked:
        if len(out) < TO_DISCUSS and item not in out:
            out.append(item)
    return sorted(out, key=lambda item: ranked.index(item))
