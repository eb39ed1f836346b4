"""Prevention recommendations: saving, effort, ROI, payback, priority and the matrix."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import date, timedelta

import pytest
from click.testing import CliRunner

from learnloop.analyze import actions, cost, feedback, prevention
from learnloop.analyze.metrics import months_between
from learnloop.cli import cli
from learnloop.commands.report import command
from learnloop.model import Incident
from learnloop.read import incident_from_bytes
from learnloop.settings import Settings
from tests.conftest import REPO, incident_text

cli.add_command(command)

TODAY = date(2025, 7, 1)


def incident(ident: str, day: date, **overrides: object) -> Incident:
    keys: dict[str, object] = {
        "id": ident,
        "started_at": f"{day.isoformat()}T10:00:00Z",
        "resolved_at": f"{day.isoformat()}T11:00:00Z",
    }
    keys.update(overrides)
    found, problems = incident_from_bytes(incident_text(**keys).encode(), f"incidents/{ident}.md")
    assert found is not None, problems
    return found


@dataclass(frozen=True)
class Systemic:
    id: str
    title: str
    incidents: tuple[str, ...]
    architectural: bool


def scenario() -> tuple[list[Incident], dict[str, str]]:
    """A pool pattern with an open prevent item (2 days) and an open mitigate item (no effort)."""
    incidents = [
        incident(
            "A",
            date(2025, 1, 1),
            action_items=(
                "[{id: AI-1, title: Pool per tenant, kind: prevent, status: open, effort: 2},"
                " {id: AI-2, title: Faster failover, kind: mitigate, status: open}]"
            ),
            detection="{method: alert}",
        ),
        incident(
            "B",
            date(2025, 3, 1),
            action_items="[{id: AI-1, title: pool per  TENANT, kind: prevent, status: open}]",
            detection="{method: alert}",
        ),
        incident("C", date(2025, 5, 1), detection="{method: alert}"),
        incident(
            "D",
            date(2025, 2, 1),
            severity="P1",
            action_items="[{id: AI-1, title: Validate configs, kind: prevent, effort: 1}]",
            detection="{method: alert}",
        ),
    ]
    return incidents, {"A": "pool", "B": "pool", "C": "pool"}


def recommend(
    incidents: list[Incident], pattern_of: dict[str, str], **kw: object
) -> list[prevention.Recommendation]:
    settings = Settings()
    costs = cost.costs(incidents, settings)
    items = actions.rows(incidents, settings, TODAY)
    fixed = feedback.fixes(feedback.recurrences(incidents, pattern_of, items, TODAY))
    start = min(i.started_at.date() for i in incidents)
    return prevention.recommend(
        incidents, pattern_of, {"pool": "Pool exhaustion"}, costs, items, fixed, settings,
        start, TODAY, **kw,
    )  # fmt: skip


def test_pattern_recommendation_arithmetic() -> None:
    incidents, pattern_of = scenario()
    recs = {r.id: r for r in recommend(incidents, pattern_of)}
    rec = recs["prevent-pool"]
    # Each pool incident: P2, 60 min, one responder assumed: $150 + 60 × $100 = $6,150.
    per_year = 3 / months_between(date(2025, 1, 1), TODAY) * 12
    saving = round(per_year * 6150 * 0.6, 2)
    assert rec.title == "Prevent Pool exhaustion: Pool per tenant"
    assert rec.annual_frequency == round(per_year, 3)
    assert rec.frequency_basis == "3 in 6.0 months observed"
    assert rec.cost_per_incident_usd == 6150.0
    assert rec.expected_reduction == 0.6
    assert rec.annual_saving_usd == saving
    # The repeated item (same title, any case or spacing) counts once.
    assert rec.actions == ("A AI-1: Pool per tenant",)
    assert rec.effort_days == 2.0
    assert rec.effort_basis == "A AI-1 2 d"
    assert rec.effort_cost_usd == 2 * 8 * 150
    assert rec.roi == round((saving - 2400) / 2400, 2)
    assert rec.payback_months == round(2400 / (saving / 12), 2)
    assert rec.priority == "MEDIUM"  # $5,000 ≤ saving < $25,000, quick payback
    assert rec.incidents == ("A", "B", "C")
    mitigate = recs["mitigate-pool"]
    assert mitigate.effort_days == 3.0  # the stated default: the item gives no effort
    assert mitigate.effort_basis == "A AI-2 3 d default"
    assert mitigate.annual_saving_usd == round(per_year * 6150 * 0.3, 2)
    one_off = recs["prevent-D"]
    assert one_off.frequency_basis.startswith("seen once in 6.0 months")
    assert "detect-pool" not in recs  # all detected by monitoring, no open detect item


def test_ranking_matrix_and_quick_wins() -> None:
    incidents, pattern_of = scenario()
    recs = recommend(incidents, pattern_of)
    order = [prevention.PRIORITIES.index(r.priority) for r in recs]
    assert order == sorted(order)
    savings = sorted(r.annual_saving_usd for r in recs)
    middle = (savings[1] + savings[2]) / 2 if len(savings) == 4 else savings[len(savings) // 2]
    for r in recs:
        high = r.annual_saving_usd >= middle
        low = r.effort_days <= 3
        assert r.quick_win == (high and low)
    grid = prevention.matrix(recs)
    assert sorted(i for ids in grid.values() for i in ids) == sorted(r.id for r in recs)


def test_priority_follows_saving_and_payback() -> None:
    base = prevention.Recommendation(
        id="x", title="x", kind="prevent", source="pattern:x", incidents=(), actions=(),
        annual_frequency=1.0, frequency_basis="", cost_per_incident_usd=0.0, cost_basis="",
        expected_reduction=0.6, annual_saving_usd=150_000.0, effort_days=1.0, effort_basis="",
        effort_cost_usd=1200.0, roi=1.0, payback_months=1.0,
    )  # fmt: skip
    settings = Settings()

    def level(saving: float, payback: float | None) -> str:
        rec = replace(base, annual_saving_usd=saving, payback_months=payback)
        return prevention.rank([rec], settings)[0].priority

    assert level(150_000, 1) == "CRITICAL"
    assert level(150_000, 9) == "HIGH"  # over six months to pay back: one level down
    assert level(30_000, 2) == "HIGH"
    assert level(6_000, 2) == "MEDIUM"
    assert level(1_000, 2) == "LOW"
    assert level(150_000, 13) == "LOW"
    assert level(0, None) == "LOW"


def test_a_fix_that_worked_needs_no_prevention_but_one_that_failed_is_revisited() -> None:
    first = date(2023, 1, 1)
    worked = [incident(f"W{n}", first + timedelta(days=40 * n)) for n in range(6)]
    worked[3] = incident(
        "W3",
        first + timedelta(days=120),
        action_items="[{id: AI-1, title: Fix, kind: prevent, status: done, done_at: 2023-08-01}]",
    )
    failed = [incident(f"F{n}", first + timedelta(days=60 * n)) for n in range(15)]
    failed[1] = incident(
        "F1",
        first + timedelta(days=60),
        action_items="[{id: AI-1, title: Fix, kind: prevent, status: done, done_at: 2023-05-01}]",
    )
    pattern_of = {i.id: "worked" for i in worked} | {i.id: "failed" for i in failed}
    recs = {r.id: r for r in recommend(worked + failed, pattern_of)}
    assert "prevent-worked" not in recs
    assert recs["prevent-failed"].title.startswith("Revisit the fix for failed:")
    assert recs["prevent-failed"].frequency_basis.startswith("12 in 26.0 months since AI-1 of F1")


def test_systemic_issues_are_accepted_and_costed() -> None:
    incidents, pattern_of = scenario()
    issue = Systemic("shared-db", "One database for every tenant", ("A", "D", "Z"), True)
    recs = {r.id: r for r in recommend(incidents, pattern_of, systemic=[issue])}
    rec = recs["systemic-shared-db"]
    assert rec.incidents == ("A", "D")  # unknown ids are left out
    assert rec.effort_days == 20.0
    assert rec.effort_basis == "architectural change: default 20 d"
    assert rec.expected_reduction == 0.4
    costs = cost.costs(incidents, Settings())
    assert rec.cost_per_incident_usd == round((costs["A"].total_usd + costs["D"].total_usd) / 2, 2)


def test_detection_gap_when_people_notice_first() -> None:
    incidents = [
        incident("A", date(2025, 1, 1), detection="{method: customer-report}"),
        incident("B", date(2025, 3, 1), detection="{method: alert}"),
    ]
    recs = {r.id: r for r in recommend(incidents, {"A": "pool", "B": "pool"})}
    rec = recs["detect-pool"]
    assert rec.title == "Add monitoring for Pool exhaustion: 1 of 2 noticed by people"
    # 7 minutes to detect × $100 a minute (P2), for each incident.
    assert rec.cost_per_incident_usd == 700.0
    assert rec.expected_reduction == 0.5


@pytest.fixture(scope="module")
def bundled() -> dict[str, object]:
    result = CliRunner().invoke(
        cli, ["--root", str(REPO), "report", "technical", "--format", "json"],
        catch_exceptions=False,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data: dict[str, object] = json.loads(result.output)
    return data


def test_bundled_recommendations_are_ranked_and_add_up(bundled: dict[str, object]) -> None:
    recs = bundled["recommendations"]
    assert isinstance(recs, list)
    assert 0 < len(recs) <= prevention.TOP
    order = [prevention.PRIORITIES.index(r["priority"]) for r in recs]
    assert order == sorted(order)
    settings = Settings()
    for r in recs:
        saving = r["annual_frequency"] * r["cost_per_incident_usd"] * r["expected_reduction"]
        assert r["annual_saving_usd"] == pytest.approx(saving, rel=1e-3, abs=1)
        assert r["effort_cost_usd"] == pytest.approx(r["effort_days"] * 8 * 150)
        assert r["expected_reduction"] == settings.cost.expected_reduction[r["kind"]]
        if r["payback_months"] is not None:
            monthly = r["annual_saving_usd"] / 12
            assert r["payback_months"] == pytest.approx(r["effort_cost_usd"] / monthly, abs=0.01)
    assert bundled["prevention_total_usd"] == pytest.approx(
        sum(r["annual_saving_usd"] for r in recs)
    )


def test_bundled_matrix_covers_every_recommendation(bundled: dict[str, object]) -> None:
    grid = bundled["matrix"]
    assert isinstance(grid, dict)
    assert set(grid) == set(prevention.QUADRANTS)
    ids = [i for q in prevention.QUADRANTS for i in grid[q]]
    recs = bundled["recommendations"]
    assert isinstance(recs, list)
    assert sorted(ids) == sorted(r["id"] for r in recs)
    assert [r["id"] for r in recs if r["quick_win"]] == grid["quick wins"]
