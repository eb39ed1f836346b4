"""Milestones completed from the timeline, and the durations between them."""

from __future__ import annotations

from datetime import UTC, datetime

from learnloop.enrich import timings
from learnloop.read import incident_from_bytes
from tests.conftest import incident_text


def incident(**overrides: object):
    found, _ = incident_from_bytes(incident_text(**overrides).encode(), "incidents/x.md")
    assert found is not None
    return found


def test_front_matter_wins_and_is_labelled():
    t = timings(incident(detected_at="2025-01-10T10:05:00Z"))
    assert t.detected_at == datetime(2025, 1, 10, 10, 5, tzinfo=UTC)
    assert t.source("detected_at") == "front matter"
    assert t.ttd == 5.0


def test_missing_milestones_come_from_the_timeline():
    t = timings(incident())
    assert t.source("detected_at") == "timeline"
    assert t.ttd == 7.0  # "10:07 — Alert CheckoutHighErrorRate fires."
    assert t.source("acknowledged_at") == "timeline"
    assert t.tta == 3.0
    assert t.ttr == 60.0
    assert t.source("resolved_at") == "front matter"
    assert t.mitigated_at is None
    assert t.ttm is None


def test_resolution_from_timeline_when_front_matter_is_silent():
    t = timings(incident(resolved_at=None))
    assert t.source("resolved_at") == "timeline"
    assert t.ttr == 60.0


def test_date_only_start_takes_the_first_timeline_time():
    t = timings(incident(started_at="2025-01-10", resolved_at=None))
    assert t.started_at == datetime(2025, 1, 10, 10, 0, tzinfo=UTC)
    assert t.source("started_at") == "timeline"
    assert t.ttr == 60.0


def test_per_incident_values_are_worked_out_once_per_incident_object() -> None:
    from dataclasses import replace

    from learnloop.memo import PerIncident

    calls: list[str] = []

    def compute(incident):
        calls.append(incident.id)
        return incident.title

    kept = PerIncident(compute)
    one = incident_from_bytes(incident_text(id="INC-1").encode(), "incidents/1.md")[0]
    assert one is not None
    twin = replace(one)  # equal, yet another object: worked out for itself
    assert kept(one) == kept(one) == kept(twin) == one.title
    assert calls == ["INC-1", "INC-1"]
    stored = replace(one, id="INC-2")
    kept.preload(stored, lambda _: "from the store")
    kept.preload(one, lambda _: "not taken: already kept")
    assert (kept(stored), kept(one)) == ("from the store", one.title)
    assert calls == ["INC-1", "INC-1"]
