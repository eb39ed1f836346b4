"""The feedback loop: recurrence around completed fixes, runbooks, maturity, action items."""

from __future__ import annotations

import statistics
from datetime import date, timedelta

import pytest

from learnloop.analyze import actions, feedback
from learnloop.analyze.metrics import DAYS_PER_MONTH
from learnloop.model import Incident
from learnloop.read import incident_from_bytes
from learnloop.settings import Settings
from tests.conftest import incident_text


def incident(ident: str, day: date, **overrides: object) -> Incident:
    start = f"{day.isoformat()}T10:00:00Z"
    keys: dict[str, object] = {
        "id": ident,
        "started_at": start,
        "resolved_at": f"{day.isoformat()}T11:00:00Z",
    }
    keys.update(overrides)
    found, problems = incident_from_bytes(incident_text(**keys).encode(), f"incidents/{ident}.md")
    assert found is not None, problems
    return found


def fix_item(done: date | None, *, kind: str = "prevent", status: str = "done") -> str:
    done_at = f", done_at: {done.isoformat()}" if done else ""
    return (
        f"[{{id: AI-1, title: Fix the cause, kind: {kind}, owner: sre, status: {status}, "
        f"due: 2024-08-01{done_at}, effort: 2}}]"
    )


FIRST = date(2024, 1, 1)
FIX = date(2024, 9, 1)  # 8 months after the first incident
TODAY = date(2025, 5, 1)  # and 8 months after the fix


def six_before_none_after() -> tuple[list[Incident], dict[str, str]]:
    days = [FIRST, date(2024, 2, 10), date(2024, 3, 15), date(2024, 5, 1), date(2024, 6, 20)]
    incidents = [incident(f"P-{n}", d) for n, d in enumerate(days)]
    incidents.append(incident("P-5", date(2024, 8, 1), action_items=fix_item(FIX)))
    return incidents, {i.id: "pool" for i in incidents}


def test_six_before_a_fix_and_none_after_over_eight_months_each_side() -> None:
    incidents, pattern_of = six_before_none_after()
    items = actions.rows(incidents, Settings(), TODAY)
    [r] = feedback.recurrences(incidents, pattern_of, items, TODAY)
    months_before = (FIX - FIRST).days / DAYS_PER_MONTH
    months_after = (TODAY - FIX).days / DAYS_PER_MONTH
    assert (r.before, r.after) == (6, 0)
    assert r.months_before == round(months_before, 2)
    assert 7.9 < r.months_before < 8.1
    assert r.months_after == round(months_after, 2)
    assert 7.9 < r.months_after < 8.1
    # The first incident marks the start; the five after it make the rate.
    assert r.rate_before == round(5 / months_before, 3)
    assert r.rate_after == 0.0
    assert r.verdict == "fell"
    share = months_after / (months_before + months_after)
    assert r.p_value == pytest.approx((1 - share) ** 5, abs=1e-4)
    assert r.statement.startswith("Recurrence fell (one-sided exact test, p=")
    assert "6 incidents up to the fix, 5 after the first in 8.0 months" in r.statement
    assert "0 in 8.0 months after (0.00/month)" in r.statement
    fixed = feedback.fixes([r])
    assert fixed["pool"] is r
    assert feedback.accuracy(fixed) == {
        "implemented": 1,
        "judged": 1,
        "recurred_less": 1,
        "share": 1.0,
        "worked": ["pool"],
        "unconfirmed": [],
        "did_not_work": [],
        "too_early": [],
    }


def test_a_fix_done_last_month_is_not_enough_data() -> None:
    incidents, pattern_of = six_before_none_after()
    soon = FIX + timedelta(days=40)
    [r] = feedback.recurrences(
        incidents, pattern_of, actions.rows(incidents, Settings(), soon), soon
    )
    assert r.verdict == "not enough data"
    assert r.p_value is None
    assert r.statement.startswith(
        "Not enough data to tell: too little time observed after (1.3 months; 3 needed)."
    )
    assert feedback.accuracy(feedback.fixes([r]))["too_early"] == ["pool"]


def test_too_few_incidents_is_not_enough_data() -> None:
    incidents = [
        incident("A", FIRST),
        incident("B", date(2024, 6, 1), action_items=fix_item(date(2024, 7, 1))),
    ]
    pattern_of = {"A": "rare", "B": "rare"}
    [r] = feedback.recurrences(
        incidents, pattern_of, actions.rows(incidents, Settings(), TODAY), TODAY
    )
    assert r.verdict == "not enough data"
    assert "only 1 incidents to compare (3 needed)" in r.statement


def test_same_rate_either_side_is_no_detectable_change() -> None:
    before = [incident(f"B{n}", FIRST + timedelta(days=30 * n)) for n in range(5)]
    after = [incident(f"A{n}", FIX + timedelta(days=30 * n + 15)) for n in range(5)]
    fix = incident("F", date(2024, 7, 1), action_items=fix_item(FIX))
    incidents = [*before, fix, *after]
    pattern_of = {i.id: "lag" for i in incidents}
    found = feedback.recurrences(
        incidents, pattern_of, actions.rows(incidents, Settings(), TODAY), TODAY
    )
    [r] = found
    assert r.verdict == "no detectable change"
    assert r.statement.startswith("No detectable change in recurrence (p=")
    assert feedback.accuracy(feedback.fixes(found))["did_not_work"] == ["lag"]


def test_items_outside_patterns_or_not_done_are_not_judged() -> None:
    incidents = [
        incident("A", FIRST, action_items=fix_item(FIX)),
        incident("B", FIRST, action_items=fix_item(None, status="open")),
    ]
    items = actions.rows(incidents, Settings(), TODAY)
    assert feedback.recurrences(incidents, {"B": "x"}, items, TODAY) == []


def test_the_first_completed_prevent_item_is_the_fix() -> None:
    incidents, pattern_of = six_before_none_after()
    extra = incident(
        "P-6",
        date(2024, 8, 15),
        action_items="[{id: AI-9, title: Alert, kind: detect, status: done, done_at: 2024-08-20}]",
    )
    incidents.append(extra)
    pattern_of["P-6"] = "pool"
    found = feedback.recurrences(
        incidents, pattern_of, actions.rows(incidents, Settings(), TODAY), TODAY
    )
    assert [(r.item, r.kind) for r in found] == [("AI-9", "detect"), ("AI-1", "prevent")]
    assert feedback.fixes(found)["pool"].item == "AI-1"


def test_runbook_effectiveness_matches_plain_python() -> None:
    minutes = [30, 40, 50, 60, 70, 90, 120, 150, 200, 240]
    incidents = []
    for n, m in enumerate(minutes):
        used = {"runbook_used": "pool-runbook", "runbook_helpful": "true"} if n < 5 else {}
        end = f"{(FIRST + timedelta(days=n)).isoformat()}T{10 + m // 60:02d}:{m % 60:02d}:00Z"
        incidents.append(incident(f"R{n}", FIRST + timedelta(days=n), resolved_at=end, **used))
    incidents.append(incident("X", FIRST))  # not in a pattern: left out
    pattern_of = {f"R{n}": "pool" for n in range(10)}
    result = feedback.runbooks(incidents, pattern_of)
    overall = result["overall"]
    assert overall["used"]["n"] == 5
    assert overall["not_used"]["n"] == 5
    assert overall["used"]["median"] == statistics.median(minutes[:5])
    assert overall["not_used"]["median"] == statistics.median(minutes[5:])
    assert (overall["helpful"], overall["not_helpful"], overall["unrated"]) == (5, 0, 0)
    assert overall["verdict"] == "faster with a runbook"
    [row] = result["per_pattern"]
    assert row["pattern"] == "pool"
    assert row["runbooks"] == ["pool-runbook"]


def test_maturity_shows_its_components() -> None:
    incidents, pattern_of = six_before_none_after()
    items = actions.rows(incidents, Settings(), TODAY)
    fixed = feedback.fixes(feedback.recurrences(incidents, pattern_of, items, TODAY))
    result = feedback.maturity(incidents, pattern_of, items, fixed, TODAY)
    parts = {c["name"]: c for c in result["components"]}
    assert (parts["follow_through"]["count"], parts["follow_through"]["of"]) == (1, 1)
    assert (parts["fixes_worked"]["count"], parts["fixes_worked"]["of"]) == (1, 1)
    assert (parts["monitoring_detection"]["count"], parts["monitoring_detection"]["of"]) == (0, 6)
    assert (parts["runbook_use"]["count"], parts["runbook_use"]["of"]) == (0, 5)
    # Complete: root cause, resolution time and an action item: only the fix's incident.
    assert parts["complete_postmortems"]["of"] == 6
    earned = sum(c["points"] for c in result["components"] if c["points"] is not None)
    assert result["score"] == round(earned)
    assert sum(c["weight"] for c in result["components"]) == 100


# --- action items --------------------------------------------------------------------------


def backlog_incidents() -> list[Incident]:
    return [
        incident(
            "A",
            date(2025, 1, 1),
            action_items=(
                "[{id: AI-1, title: Raise the pool, kind: prevent, owner: db-team, status: open,"
                " due: 2025-02-01},"
                " {id: AI-2, title: Alert on it, kind: detect, owner: sre, status: done,"
                " due: 2025-01-15, done_at: 2025-03-10},"
                " {id: AI-3, title: Shard it, kind: prevent, owner: db-team, status: wontfix,"
                " reason: Too costly},"
                " {id: AI-4, title: Rewrite it, status: wontfix}]"
            ),
        ),
        incident(
            "B",
            date(2025, 5, 1),
            action_items="[{id: AI-1, title: Document, kind: process, due: 2025-07-01}]",
        ),
    ]


def test_action_item_rows_as_of_a_date() -> None:
    rows = {
        (r.incident, r.id): r
        for r in actions.rows(backlog_incidents(), Settings(), date(2025, 6, 1))
    }
    open_item = rows["A", "AI-1"]
    assert open_item.status == "open"
    assert open_item.owner == "db-team"
    assert open_item.age_days == (date(2025, 6, 1) - date(2025, 1, 1)).days
    assert open_item.overdue_days == (date(2025, 6, 1) - date(2025, 2, 1)).days
    assert rows["A", "AI-2"].status == "done"
    assert rows["A", "AI-2"].overdue_days is None
    assert rows["A", "AI-3"].reason == "Too costly"
    assert rows["A", "AI-4"].reason is None
    assert rows["A", "AI-4"].owner == actions.UNOWNED
    assert rows["B", "AI-1"].overdue_days is None  # not due yet
    early = {
        (r.incident, r.id): r
        for r in actions.rows(backlog_incidents(), Settings(), date(2025, 3, 1))
    }
    assert early["A", "AI-2"].status == "open"  # done only from its done_at on
    assert ("B", "AI-1") not in early  # the incident had not happened yet


def test_backlog_counts_owners_and_growth() -> None:
    day = date(2025, 6, 1)
    result = actions.backlog(actions.rows(backlog_incidents(), Settings(), day), day)
    assert (result["total"], result["open"], result["overdue"], result["aging"]) == (5, 2, 1, 1)
    assert (result["done"], result["wontfix"], result["wontfix_without_reason"]) == (1, 2, 1)
    owners = {r["owner"]: r for r in result["per_owner"]}
    assert owners["db-team"]["open"] == 1
    assert owners["db-team"]["wontfix"] == 1
    assert [r["id"] for r in result["overdue_items"]] == ["AI-1"]
    growth = result["growth"]
    # 90 days before, A's AI-1 and AI-2 (done later, on 2025-03-10) were open.
    assert growth["since"] == "2025-03-03"
    assert (growth["open_before"], growth["open_now"]) == (2, 2)
    assert (growth["opened"], growth["completed"]) == (1, 1)
    assert growth["verdict"] == "steady"
    assert growth["statement"] == (
        "The open backlog held steady: 2 open items on 2025-03-03, 2 on 2025-06-01 "
        "(1 opened, 1 completed in between)."
    )
    months = {m["month"]: m for m in growth["monthly"]}
    assert months["2025-01"] == {"month": "2025-01", "opened": 2, "completed": 0, "open_at_end": 2}
    assert months["2025-03"]["completed"] == 1
    assert months["2025-03"]["open_at_end"] == 1
    assert months["2025-06"]["open_at_end"] == 2
