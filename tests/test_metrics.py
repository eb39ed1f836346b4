"""Durations as honest statistics, the selection of incidents, and the cost of each."""

from __future__ import annotations

import math
import random
import statistics
from datetime import date
from types import MappingProxyType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from learnloop.analyze import cost, metrics
from learnloop.analyze.metrics import Filters, Summary
from learnloop.enrich import timings
from learnloop.model import Incident
from learnloop.read import incident_from_bytes
from learnloop.settings import CostModel, Service, Settings
from tests.conftest import incident_text


def incident(**overrides: object) -> Incident:
    found, problems = incident_from_bytes(incident_text(**overrides).encode(), "incidents/x.md")
    assert found is not None, problems
    return found


def p90(values: list[float]) -> float:
    """The 90th percentile by linear interpolation, by hand."""
    data = sorted(values)
    position = (len(data) - 1) * 0.9
    low, high = math.floor(position), math.ceil(position)
    return data[low] + (position - low) * (data[high] - data[low])


# --- summaries -----------------------------------------------------------------------------


def test_summary_matches_plain_python() -> None:
    values = [12.0, 5.0, 300.0, 41.0, 7.0, 19.0, 23.0, 60.0, 8.0, 15.0, None]
    s = metrics.summarize(values)
    known = [v for v in values if v is not None]
    assert s.n == 10
    assert s.median == statistics.median(known)
    assert s.p90 == pytest.approx(statistics.quantiles(known, n=10, method="inclusive")[-1])
    assert s.p90 == pytest.approx(p90(known))
    assert s.mean == pytest.approx(statistics.fmean(known))
    assert s.median_ci is not None
    assert s.p90_ci is not None
    assert s.median_ci[0] <= s.median <= s.median_ci[1]
    assert s.p90_ci[0] <= s.p90_ci[1]


def test_no_interval_below_five_values_and_nothing_for_none() -> None:
    assert metrics.summarize([]) == Summary(0)
    few = metrics.summarize([1.0, 2.0, 30.0, 4.0])
    assert few.n == 4
    assert few.median == 3.0
    assert few.median_ci is None
    assert few.p90_ci is None
    assert metrics.summarize([1.0] * 5, intervals=False).median_ci is None


def test_as_dict_is_rounded_and_json_ready() -> None:
    d = metrics.summarize([1.04, 2.06, 3.0, 4.0, 5.0]).as_dict()
    assert d["n"] == 5
    assert d["median"] == 3.0
    assert d["mean"] == 3.0
    assert isinstance(d["median_ci"], list)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=600), min_size=5, max_size=60))
def test_bootstrap_is_deterministic_and_ignores_order(values: list[int]) -> None:
    shuffled = list(values)
    random.Random(1).shuffle(shuffled)
    assert metrics.summarize(values) == metrics.summarize(shuffled)
    s = metrics.summarize(values)
    assert s.median_ci is not None
    assert min(values) <= s.median_ci[0] <= s.median_ci[1] <= max(values)


def test_compare_calls_a_trend_only_when_intervals_separate() -> None:
    slow = metrics.summarize([100.0, 110, 120, 130, 140, 150, 160, 170, 180, 190])
    fast = metrics.summarize([10.0, 12, 14, 16, 18, 20, 22, 24, 26, 28])
    fell = metrics.compare("ttr", slow, fast)
    assert fell.verdict == "fell"
    assert fell.statement.startswith("Trend: the time to resolve fell")
    assert metrics.compare("ttr", fast, slow).verdict == "rose"
    overlap = metrics.summarize([20.0, 30, 90, 100, 140, 150, 160, 170, 180, 190])
    same = metrics.compare("ttr", slow, overlap)
    assert same.verdict == "no detectable change"
    assert same.statement.startswith("No detectable change")
    few = metrics.compare("ttd", slow, metrics.summarize([1.0, 2.0]))
    assert few.verdict == "not enough data"


def test_rate_verdict_is_an_exact_poisson_test() -> None:
    # 6 then 0 over equal spans: P(0 of 6 fall in the second half) = 0.5**6.
    verdict, p = metrics.rate_verdict(6, 8.0, 0, 8.0)
    assert verdict == "fell"
    assert p == pytest.approx(0.5**6, abs=1e-4)
    assert metrics.rate_verdict(0, 8.0, 6, 8.0)[0] == "rose"
    assert metrics.rate_verdict(4, 8.0, 3, 8.0)[0] == "no detectable change"
    assert metrics.rate_verdict(0, 8.0, 0, 8.0) == ("no detectable change", None)
    # Large counts do not overflow.
    assert metrics.rate_verdict(5000, 10.0, 5100, 10.0)[0] == "no detectable change"


def test_binomial_tail_matches_the_sum_of_terms() -> None:
    n, p = 12, 0.37
    terms = [math.comb(n, i) * p**i * (1 - p) ** (n - i) for i in range(n + 1)]
    for k in range(n + 1):
        assert metrics.binomial_tail(k, n, p, upper=False) == pytest.approx(sum(terms[: k + 1]))
        assert metrics.binomial_tail(k, n, p, upper=True) == pytest.approx(sum(terms[k:]))


# --- selection -----------------------------------------------------------------------------


def corpus() -> list[Incident]:
    return [
        incident(id="A", started_at="2025-01-10T10:00:00Z", severity="P1", services="[api]"),
        incident(id="B", started_at="2025-02-10T10:00:00Z", severity="sev2", services="[db]"),
        incident(id="C", started_at="2025-03-10T10:00:00Z", severity="P2", services="[api, db]"),
        incident(id="D", started_at="2025-04-10T10:00:00Z", severity="P3", services="[web]"),
    ]


def test_filters_select_and_compose() -> None:
    every = corpus()
    ids = lambda f: [i.id for i in metrics.select(every, f)]  # noqa: E731
    assert ids(Filters()) == ["A", "B", "C", "D"]
    assert ids(Filters(services=("db",))) == ["B", "C"]
    assert ids(Filters(severities=("P2",))) == ["B", "C"]
    assert ids(Filters(start=date(2025, 2, 10), end=date(2025, 3, 10))) == ["B", "C"]
    both = Filters(date(2025, 3, 1), None, ("api",), ("P1", "P2"))
    assert ids(both) == ["C"]
    assert [i.id for i in metrics.history(every, Filters(end=date(2025, 3, 1)))] == ["A", "B"]
    assert metrics.default_today(every) == date(2025, 4, 10)
    assert metrics.default_today([]) is None


def test_previous_period_is_the_same_length_before() -> None:
    earlier, later = metrics.previous_period(
        Filters(date(2025, 3, 1), date(2025, 3, 31)), date(2025, 1, 1), date(2025, 4, 1)
    ) or (None, None)
    assert earlier == Filters(date(2025, 1, 29), date(2025, 2, 28))
    assert later == Filters(date(2025, 3, 1), date(2025, 3, 31))
    halves = metrics.previous_period(Filters(), date(2025, 1, 1), date(2025, 1, 11))
    assert halves == (
        Filters(date(2025, 1, 1), date(2025, 1, 6)),
        Filters(date(2025, 1, 7), date(2025, 1, 11)),
    )
    assert metrics.previous_period(Filters(), None, None) is None


# --- the per-incident table ----------------------------------------------------------------


def test_incident_frame_and_breakdowns() -> None:
    every = [
        incident(
            id="A",
            services="[api, db]",
            mitigated_at="2025-01-10T10:30:00Z",
            responders="[{name: Ana}, {name: Bo}]",
            impact="{customers_affected: 100}",
        ),
        incident(id="B", started_at="2025-02-10T10:00:00Z", resolved_at="2025-02-10T12:00:00Z"),
    ]
    catalog = Settings(services=MappingProxyType({"api": Service(owner="web-team")}))
    frame = metrics.incident_frame(every, catalog, {"A": "pool"})
    a, b = frame.to_dict("records")
    assert (a["ttd"], a["tta"], a["ttm"], a["ttr"]) == (7.0, 3.0, 30.0, 60.0)
    assert a["coordination_hours"] == 2.0  # 2 responders × 1 h
    assert a["impact_minutes"] == 30.0
    assert a["customer_minutes"] == 3000.0
    assert a["team"] == "web-team"
    assert a["pattern"] == "pool"
    assert a["month"] == "2025-01"
    assert b["ttr"] == 120.0
    assert math.isnan(b["coordination_hours"])
    assert b["impact_minutes"] == 0.0  # no customer impact recorded
    assert b["team"] == metrics.NO_TEAM
    assert b["pattern"] == metrics.ONE_OFF
    by_service = {r["key"]: r for r in metrics.breakdown(frame, "service")}
    assert by_service["checkout-api"]["incidents"] == 1  # B's default services
    assert by_service["api"]["ttr"]["median"] == 60.0
    assert by_service["db"]["incidents"] == 1
    by_month = metrics.breakdown(frame, "month")
    assert [r["key"] for r in by_month] == ["2025-01", "2025-02"]
    overall = metrics.overview(frame)
    assert overall["ttr"]["n"] == 2
    assert overall["ttr"]["median"] == 90.0
    assert overall["coordination_hours"] == 2.0
    assert overall["responders_listed"] == 1
    with pytest.raises(ValueError, match="unknown grouping"):
        metrics.breakdown(frame, "colour")


def test_monitoring_versus_people() -> None:
    assert metrics.monitored(incident(detection="{method: alert}"))
    assert metrics.monitored(incident(detection="{method: synthetic-check}"))
    assert not metrics.monitored(incident(detection="{method: customer-report}"))
    assert not metrics.monitored(incident())


# --- cost ----------------------------------------------------------------------------------


def test_incident_cost_by_hand() -> None:
    i = incident(
        severity="P1",
        mitigated_at="2025-01-10T10:40:00Z",
        responders="[{name: Ana}, {name: Bo}, {name: Cy}]",
        impact="{revenue_usd: 1200, sla_breached: true}",
    )
    model = Settings(cost=CostModel(sla_penalty_usd=5000.0))
    c = cost.incident_cost(i, model)
    assert c.engineering_usd == 150 * 3 * 60 / 60  # 3 responders × 1 h × $150
    assert c.downtime_usd == 40 * 500  # start to mitigation × P1 rate
    assert c.revenue_usd == 1200
    assert c.sla_usd == 5000
    assert c.total_usd == 450 + 20_000 + 1200 + 5000
    assert c.explain() == (
        "engineering 3 responders × 1.00 h × $150/h = $450; downtime 40 min × $500/min "
        "(severity P1) = $20,000; revenue $1,200 (recorded); SLA $5,000; total $26,650"
    )


def test_cost_assumes_one_responder_and_uses_tiers_when_set() -> None:
    i = incident(services="[api, db]")  # P2, no responders, no mitigation: 60 min to resolve
    plain = cost.incident_cost(i, Settings())
    assert plain.responders == 1
    assert plain.responders_assumed
    assert plain.engineering_usd == 150.0
    assert plain.downtime_usd == 6000.0
    tiered = Settings(
        cost=CostModel(downtime_per_minute_by_tier_usd=MappingProxyType({1: 800.0, 2: 50.0})),
        services=MappingProxyType({"api": Service(tier=2), "db": Service(tier=1)}),
    )
    c = cost.incident_cost(i, tiered)
    assert (c.downtime_rate_usd, c.rate_basis) == (800.0, "tier 1 (db)")
    assert c.downtime_usd == 48_000.0


def test_cost_without_a_resolution_time_counts_no_time() -> None:
    text = incident_text(resolved_at=None).replace("- 11:00 — Resolved.\n", "")
    found, _ = incident_from_bytes(text.encode(), "incidents/x.md")
    assert found is not None
    assert timings(found).ttr is None
    c = cost.incident_cost(found, Settings())
    assert c.engineering_usd == 0.0
    assert c.downtime_usd == 0.0
    assert c.explain().startswith("engineering $0 (resolution time unknown); downtime $0")


def test_cost_summary_adds_up() -> None:
    every = corpus()
    by_id = cost.costs(every, Settings())
    summary = cost.summary(every, by_id)
    assert summary["total_usd"] == pytest.approx(sum(c.total_usd for c in by_id.values()))
    assert sum(row["incidents"] for row in summary["by_severity"].values()) == 4
    assert summary["costliest"][0]["total_usd"] == max(c.total_usd for c in by_id.values())
    assert any("$150 per responder-hour" in line for line in cost.assumptions(Settings()))
    assert cost.usd(-5) == "-$5"
    assert cost.usd(None) == "—"


def test_bootstrap_depends_on_the_values_alone_and_is_worked_out_once() -> None:
    import numpy as np

    values = np.array([5.0, 1.0, 9.0, 3.0, 7.0, 2.0, 8.0, 4.0, 6.0, 10.0, 12.0, 11.0])
    first = metrics.bootstrap(values)
    hits = metrics._bootstrap.cache_info().hits
    assert metrics.bootstrap(values[::-1].copy()) == first  # the same values, another order
    assert metrics._bootstrap.cache_info().hits == hits + 1
    assert metrics.bootstrap(values + 1) != first
