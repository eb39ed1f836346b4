"""ADR drafts: which decisions, stable numbers, accepted status kept, recurrence flagged."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from learnloop.analyze import rootcause
from learnloop.commands.patterns import Analysis, analyze_repo
from learnloop.model import ActionItem
from learnloop.state import State
from learnloop.write import adr, document
from tests.conftest import REPO
from tests.test_rootcause import analysis_of, corpus, make_incident

PGBOUNCER = "adr/0001-put-pgbouncer-in-transaction-mode-in-front-of.md"


def render(
    analysis: Analysis, files: dict[str, str] | None = None
) -> tuple[dict[str, str], dict[str, int]]:
    systemic = rootcause.systemic_issues(analysis.corpus.incidents, analysis.patterns.patterns)
    return adr.render_adrs(analysis, systemic, (files or {}).get)


@pytest.fixture
def small(tmp_path: Path) -> Analysis:
    incidents, patterns = corpus()
    return analysis_of(tmp_path, incidents, patterns)


def test_which_follow_ups_are_architecture_decisions() -> None:
    def item(title: str, kind: str = "prevent", **extra: object) -> ActionItem:
        return ActionItem("AI-1", title, kind=kind, extra=tuple(extra.items()))

    assert adr.is_architectural(item("Put pgbouncer in front of orders-db"))
    assert adr.is_architectural(item("Add a dead-letter topic for search-indexer"))
    assert not adr.is_architectural(item("Regression test for autocomplete"))
    assert not adr.is_architectural(item("Circuit breaker on provider calls", kind="mitigate"))
    assert adr.is_architectural(item("Adopt an outbox", kind="process", adr=True))
    assert not adr.is_architectural(item("Put pgbouncer in front of orders-db", adr=False))


def test_drafts_and_numbers(small: Analysis) -> None:
    files, numbers = render(small)
    assert numbers == {
        "ai:INC-1:AI-1": 1,
        "ai:INC-4:AI-1": 2,
        "ai:INC-5:AI-1": 4,
        "systemic:no-circuit-breaker": 3,
    }
    assert sorted(files) == [
        PGBOUNCER,
        "adr/0002-integrate-a-second-card-provider-with-automatic-failover.md",
        "adr/0003-timeouts-bounded-retries-and-circuit-breakers-on-every.md",
        "adr/0004-adopt-an-outbox-for-payment-events.md",
    ]
    front, body = document.split_existing(files[PGBOUNCER])
    assert front["kind"] == "adr"
    assert front["status"] == "proposed"
    assert front["pattern"] == "pool"
    for heading in (
        "## Context and Problem Statement",
        "## Decision Drivers",
        "## Considered Options",
        "## Decision Outcome",
        "### Consequences",
        "### Confirmation",
    ):
        assert heading in body
    assert "1 incident asked for this change ([INC-1](../incidents/2025/INC-1.md))" in body
    assert "about 5 days of work" in body


def test_links_run_both_ways(small: Analysis) -> None:
    files, numbers = render(small)
    systemic = rootcause.systemic_issues(small.corpus.incidents, small.patterns.patterns)
    by_incident = adr.adrs_by_incident(small, systemic, numbers)
    assert by_incident["INC-1"] == [
        (1, "Put pgbouncer in transaction mode in front of orders-db", PGBOUNCER)
    ]
    assert [n for n, _, _ in by_incident["INC-5"]] == [3, 4]
    assert "INC-6" not in by_incident
    for entries in by_incident.values():
        for _, _, path in entries:
            assert path in files


def test_accepted_status_is_kept_and_recurrence_flagged(small: Analysis) -> None:
    files, _ = render(small)
    accepted = files[PGBOUNCER].replace(
        "status: proposed\n", "status: accepted\naccepted_at: 2025-02-01\n"
    )
    again, _ = render(small, {**files, PGBOUNCER: accepted})
    text = again[PGBOUNCER]
    front, _ = document.split_existing(text)
    assert front["status"] == "accepted"
    assert str(front["accepted_at"]) == "2025-02-01"
    assert '!!! warning "Recurred after this decision"' in text
    assert "2 incidents of the same pattern started after it was accepted on 2025-02-01" in text
    assert "[INC-3](../incidents/2025/INC-3.md), [INC-2](../incidents/2025/INC-2.md)" in text
    assert render(small, {**files, PGBOUNCER: text})[0][PGBOUNCER] == text


def test_accepted_without_recurrence_says_so(small: Analysis) -> None:
    files, _ = render(small)
    accepted = files[PGBOUNCER].replace(
        "status: proposed\n", "status: accepted\ndate: 2025-06-01\n"
    )
    text = render(small, {**files, PGBOUNCER: accepted})[0][PGBOUNCER]
    assert "No incident of this pattern since it was accepted on 2025-06-01." in text


def test_numbers_are_stable_when_a_new_decision_appears(tmp_path: Path) -> None:
    incidents, patterns = corpus()
    _, numbers = render(analysis_of(tmp_path, incidents, patterns))
    earlier = make_incident(
        "INC-0", "2024-12-01T10:00:00Z", services=["notifications"],
        action_items=[{"id": "AI-1", "title": "Put a queue in front of the email sender",
                       "kind": "prevent", "status": "open"}],
    )  # fmt: skip
    state = State(adr_numbers=tuple(sorted(numbers.items())))
    files, renumbered = render(analysis_of(tmp_path, [earlier, *incidents], patterns, state))
    assert {k: renumbered[k] for k in numbers} == numbers
    assert renumbered["ai:INC-0:AI-1"] == 5
    assert "adr/0005-put-a-queue-in-front-of-the-email.md" in files


def test_a_recorded_key_sticks_when_an_earlier_incident_asks_for_the_same(tmp_path: Path) -> None:
    incidents, patterns = corpus()
    _, numbers = render(analysis_of(tmp_path, incidents, patterns))
    earlier = make_incident(
        "INC-0", "2024-12-01T10:00:00Z",
        action_items=[{"id": "AI-9", "title": "Put pgbouncer in transaction mode in front of "
                       "orders-db", "kind": "prevent", "status": "open"}],
    )  # fmt: skip
    state = State(adr_numbers=tuple(sorted(numbers.items())))
    _, again = render(analysis_of(tmp_path, [earlier, *incidents], patterns, state))
    assert again == numbers


def test_an_existing_file_keeps_its_name(small: Analysis) -> None:
    (small.root / "adr").mkdir()
    (small.root / "adr" / "0001-pgbouncer.md").write_text("---\nstatus: accepted\n---\n")
    files, _ = render(small)
    assert "adr/0001-pgbouncer.md" in files
    assert PGBOUNCER not in files


def test_rendering_twice_is_byte_identical(small: Analysis) -> None:
    first, numbers = render(small)
    assert render(small, first) == (first, numbers)


def test_human_text_outside_markers_survives(small: Analysis) -> None:
    files, _ = render(small)
    edited = files[PGBOUNCER] + "\n## Notes from the architecture review\n\nGo ahead.\n"
    assert render(small, {**files, PGBOUNCER: edited})[0][PGBOUNCER] == edited


def test_golden_adr(small: Analysis, golden: Callable[[str, str], None]) -> None:
    golden("adr.md", render(small)[0][PGBOUNCER])


def test_bundled_corpus(tmp_path: Path) -> None:
    shutil.copytree(REPO / "incidents", tmp_path / "incidents")
    analysis = analyze_repo(tmp_path)
    files, numbers = render(analysis)
    assert len(files) == len(numbers) >= 10
    assert sorted(numbers.values()) == list(range(1, len(numbers) + 1))
    assert any(k.startswith("systemic:") for k in numbers)
    assert render(analysis, files) == (files, numbers)
