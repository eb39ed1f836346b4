"""When incidents happen: hour-of-week and month counts, and bursts within a pattern."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from learnloop.analyze.temporal import _poisson_tail, burst, month_counts, temporal
from learnloop.model import Incident


def incident(ident: str, at: datetime, date_only: bool = False) -> Incident:
    return Incident(
        id=ident,
        title=ident,
        path=f"incidents/{ident}.md",
        severity="P2",
        services=("s",),
        started_at=at,
        started_date_only=date_only,
    )


def test_hour_of_week_counts_in_utc_and_skips_date_only_starts():
    monday_9 = datetime(2025, 3, 3, 9, 30, tzinfo=UTC)
    sunday_23 = datetime(2025, 3, 9, 23, 0, tzinfo=UTC)
    result = temporal(
        [
            incident("a", monday_9),
            incident("b", monday_9 + timedelta(minutes=5)),
            incident("c", sunday_23),
            incident("d", datetime(2025, 3, 4, tzinfo=UTC), date_only=True),
        ]
    )
    assert result.hour_of_week[0][9] == 2
    assert result.hour_of_week[6][23] == 1
    assert sum(map(sum, result.hour_of_week)) == 3


def test_months_keep_empty_months_inside_the_span():
    got = month_counts(
        [
            incident("a", datetime(2024, 11, 2, tzinfo=UTC)),
            incident("b", datetime(2025, 2, 2, tzinfo=UTC)),
            incident("c", datetime(2025, 2, 9, tzinfo=UTC)),
        ]
    )
    assert got == [("2024-11", 1), ("2024-12", 0), ("2025-01", 0), ("2025-02", 2)]


def test_a_burst_is_flagged_and_an_even_spread_is_not():
    span = (datetime(2024, 1, 1, tzinfo=UTC), datetime(2025, 12, 31, tzinfo=UTC))
    spread = [span[0] + timedelta(days=70 * k) for k in range(10)]
    assert burst(spread, span) is None
    bunched = [datetime(2025, 6, 1, tzinfo=UTC) + timedelta(days=2 * k) for k in range(6)]
    found = burst(bunched + spread[:2], span)
    assert found is not None
    assert found.count == 6
    assert found.start == "2025-06-01"
    assert found.p_value < 0.01


def test_poisson_tail():
    assert abs(_poisson_tail(0, 2.0) - 1.0) < 1e-12
    assert abs(_poisson_tail(1, 2.0) - (1 - 0.1353352832)) < 1e-9
