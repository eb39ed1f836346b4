"""learnloop.yml: defaults, the cost model's extensions, every error reported with its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from learnloop.errors import SettingsError
from learnloop.settings import Settings, from_mapping, load_settings


def test_defaults_without_a_file(tmp_path: Path) -> None:
    settings = load_settings(tmp_path)
    assert settings == Settings()
    cost = settings.cost
    assert cost.engineer_hourly_usd == 150.0
    assert dict(cost.downtime_per_minute_usd) == {
        "P0": 2000.0,
        "P1": 500.0,
        "P2": 100.0,
        "P3": 10.0,
        "P4": 0.0,
    }
    assert dict(cost.downtime_per_minute_by_tier_usd) == {}
    assert cost.hours_per_day == 8.0
    assert cost.default_effort_days == 3.0
    assert cost.architectural_effort_days == 20.0
    assert dict(cost.expected_reduction) == {
        "prevent": 0.6,
        "mitigate": 0.3,
        "detect": 0.5,
        "systemic": 0.4,
    }
    assert dict(cost.priority_saving_usd) == {
        "critical": 100_000.0,
        "high": 25_000.0,
        "medium": 5_000.0,
    }
    assert cost.quick_win_effort_days == 3.0


def test_cost_model_overrides(tmp_path: Path) -> None:
    (tmp_path / "learnloop.yml").write_text(
        "cost:\n"
        "  engineer_hourly_usd: 200\n"
        "  downtime_per_minute_usd: {P2: 250}\n"
        "  downtime_per_minute_by_tier_usd: {1: 900, 2: 300}\n"
        "  hours_per_day: 6\n"
        "  default_effort_days: 5\n"
        "  architectural_effort_days: 40\n"
        "  expected_reduction: {prevent: 0.8}\n"
        "  priority_saving_usd: {critical: 50000}\n"
        "  quick_win_effort_days: 1\n"
        "  sla_penalty_usd: 1000\n",
        encoding="utf-8",
    )
    cost = load_settings(tmp_path).cost
    assert cost.engineer_hourly_usd == 200.0
    assert cost.downtime_per_minute_usd["P2"] == 250.0
    assert cost.downtime_per_minute_usd["P1"] == 500.0  # others keep their defaults
    assert dict(cost.downtime_per_minute_by_tier_usd) == {1: 900.0, 2: 300.0}
    assert cost.hours_per_day == 6.0
    assert cost.default_effort_days == 5.0
    assert cost.architectural_effort_days == 40.0
    assert cost.expected_reduction["prevent"] == 0.8
    assert cost.expected_reduction["detect"] == 0.5
    assert cost.priority_saving_usd["critical"] == 50_000.0
    assert cost.quick_win_effort_days == 1.0
    assert cost.sla_penalty_usd == 1000.0


def test_every_cost_error_is_reported_with_its_line(tmp_path: Path) -> None:
    (tmp_path / "learnloop.yml").write_text(
        "cost:\n"
        "  colour: blue\n"
        "  downtime_per_minute_by_tier_usd: {gold: 10}\n"
        "  expected_reduction: {prevent: 1.5, magic: 0.2}\n"
        "  priority_saving_usd: {urgent: 1}\n"
        "  default_effort_days: 0\n",
        encoding="utf-8",
    )
    with pytest.raises(SettingsError) as caught:
        load_settings(tmp_path)
    assert caught.value.problems == [
        "learnloop.yml:2: error: cost.colour: unknown setting; expected one of "
        "architectural_effort_days, default_effort_days, downtime_per_minute_by_tier_usd, "
        "downtime_per_minute_usd, engineer_hourly_usd, expected_reduction, hours_per_day, "
        "priority_saving_usd, quick_win_effort_days, sla_penalty_usd",
        "learnloop.yml:3: error: cost.downtime_per_minute_by_tier_usd.gold: expected a "
        "whole-number service tier, got 'gold'",
        "learnloop.yml:4: error: cost.expected_reduction.prevent: expected a share between "
        "0 and 1, got 1.5",
        "learnloop.yml:4: error: cost.expected_reduction.magic: expected one of detect, "
        "mitigate, prevent, systemic",
        "learnloop.yml:5: error: cost.priority_saving_usd.urgent: expected one of critical, "
        "high, medium",
        "learnloop.yml:6: error: cost.default_effort_days: expected a number above 0",
    ]


def test_priority_thresholds_must_be_ordered() -> None:
    with pytest.raises(SettingsError) as caught:
        from_mapping({"cost": {"priority_saving_usd": {"high": 500_000}}})
    assert caught.value.problems == [
        "learnloop.yml:1: error: cost.priority_saving_usd: expected critical >= high >= medium"
    ]
