"""Values kept per incident live as long as the incident and no longer."""

from __future__ import annotations

import gc
from datetime import UTC, datetime

from learnloop.memo import PerIncident
from learnloop.model import Incident


def make(ident: str) -> Incident:
    return Incident(
        path=f"incidents/{ident}.md",
        id=ident,
        title=ident,
        severity="P2",
        status="resolved",
        services=("api",),
        started_at=datetime(2025, 1, 1, tzinfo=UTC),
    )


def test_a_value_is_worked_out_once_per_incident():
    calls: list[str] = []
    memo = PerIncident(lambda i: calls.append(i.id) or i.id.lower())
    first = make("A")
    assert memo(first) == memo(first) == "a"
    assert calls == ["A"]


def test_an_entry_goes_with_its_incident():
    memo = PerIncident(lambda i: i.id)
    kept = [make(f"I{n}") for n in range(50)]
    for incident in kept:
        memo(incident)
    assert len(memo) == 50
    del kept, incident
    gc.collect()
    assert len(memo) == 0


def test_a_reused_identity_never_returns_another_incidents_value():
    memo = PerIncident(lambda i: i.id)
    for n in range(200):
        # Each incident dies at once, so CPython hands the same address to the next one.
        assert memo(make(f"I{n}")) == f"I{n}"
