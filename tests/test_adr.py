"""ADR drafts: which decisions, stable numbers, accepted status kept, recurrence flagged."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from learnloop.analyze import rootcause
from learnloop.analyze.analysis import Analysis, analyze_repo
from learnloop.model import ActionItem
from learnloop.state import State
from learnloop.write import adr, front_matter
from tests.conftest import REPO
from tests.test_rootcause import analysis_of, corpus, make_incident

REPLICA = "adr/0001-move-checkout-api-reads-to-a-read-replica.md"


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

    # Follow-ups as real post-mortems word them.
    assert adr.is_architectural(item("Make sure user pods are in a separate pool"))
    assert adr.is_architectural(item("Separate Kubernetes node autoscaling groups per zone"))
    assert adr.is_architectural(item("Identify a clear path for migration away from ADFS"))
    assert not adr.is_architectural(item("Document rollover process"))
    assert not adr.is_architectural(item("Version lock Flux"))
    assert not adr.is_architectural(item("Circuit breaker on provider calls", kind="mitigate"))
    assert adr.is_architectural(item("Adopt an outbox", kind="process", adr=True))
    assert not adr.is_architectural(item("Make sure user pods are in a separate pool", adr=False))


def test_drafts_and_numbers(small: Analysis) -> None:
    files, numbers = render(small)
    assert numbers == {
        "ai:INC-1:AI-1": 1,
        "ai:INC-4:AI-1": 2,
        "ai:INC-5:AI-1": 5,
        "systemic:no-circuit-breaker": 3,
        "systemic:no-canary": 4,
    }
    assert sorted(files) == [
        REPLICA,
        "adr/0002-integrate-a-second-card-provider-with-automatic-failover.md",
        "adr/0003-bounded-retries-deadlines-and-circuit-breakers-on-every.md",
        "adr/0004-test-every-change-where-it-matches-production-then.md",
        "adr/0005-adopt-an-outbox-for-payment-events.md",
    ]
    front, body = front_matter.split_existing(files[REPLICA])
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
        (1, "Move checkout-api reads to a read replica of orders-db", REPLICA)
    ]
    assert [n for n, _, _ in by_incident["INC-5"]] == [3, 5]
    # A one-off reached by an architectural systemic issue is linked to its decision.
    assert [n for n, _, _ in by_incident["INC-6"]] == [4]
    assert "INC-2" not in by_incident
    for entries in by_incident.values():
        for _, _, path in entries:
            assert path in files


def test_accepted_status_is_kept_and_recurrence_flagged(small: Analysis) -> None:
    files, _ = render(small)
    accepted = files[REPLICA].replace(
        "status: proposed\n", "status: accepted\naccepted_at: 2025-02-01\n"
    )
    again, _ = render(small, {**files, REPLICA: accepted})
    text = again[REPLICA]
    front, _ = front_matter.split_existing(text)
    assert front["status"] == "accepted"
    assert str(front["accepted_at"]) == "2025-02-01"
    assert '!!! warning "Recurred after this decision"' in text
    assert "2 incidents of the same pattern started after it was accepted on 2025-02-01" in text
    assert "[INC-3](../incidents/2025/INC-3.md), [INC-2](../incidents/2025/INC-2.md)" in text
    assert render(small, {**files, REPLICA: text})[0][REPLICA] == text


def test_accepted_without_recurrence_says_so(small: Analysis) -> None:
    files, _ = render(small)
    accepted = files[REPLICA].replace("status: proposed\n", "status: accepted\ndate: 2025-06-01\n")
    text = render(small, {**files, REPLICA: accepted})[0][REPLICA]
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
    assert renumbered["ai:INC-0:AI-1"] == 6
    assert "adr/0006-put-a-queue-in-front-of-the-email.md" in files


def test_a_recorded_key_sticks_when_an_earlier_incident_asks_for_the_same(tmp_path: Path) -> None:
    incidents, patterns = corpus()
    _, numbers = render(analysis_of(tmp_path, incidents, patterns))
    earlier = make_incident(
        "INC-0", "2024-12-01T10:00:00Z",
        action_items=[{"id": "AI-9", "title": "Move checkout-api reads to a read replica of "
                       "orders-db", "kind": "prevent", "status": "open"}],
    )  # fmt: skip
    state = State(adr_numbers=tuple(sorted(numbers.items())))
    _, again = render(analysis_of(tmp_path, [earlier, *incidents], patterns, state))
    assert again == numbers


def test_an_existing_file_keeps_its_name(small: Analysis) -> None:
    (small.root / "adr").mkdir()
    (small.root / "adr" / "0001-replica.md").write_text("---\nstatus: accepted\n---\n")
    files, _ = render(small)
    assert "adr/0001-replica.md" in files
    assert REPLICA not in files


def test_rendering_twice_is_byte_identical(small: Analysis) -> None:
    first, numbers = render(small)
    assert render(small, first) == (first, numbers)


def test_human_text_outside_markers_survives(small: Analysis) -> None:
    files, _ = render(small)
    edited = files[REPLICA] + "\n## Notes from the architecture review\n\nGo ahead.\n"
    assert render(small, {**files, REPLICA: edited})[0][REPLICA] == edited


def test_golden_adr(small: Analysis, golden: Callable[[str, str], None]) -> None:
    golden("adr.md", render(small)[0][REPLICA])


def test_bundled_corpus(tmp_path: Path) -> None:
    shutil.copytree(REPO / "incidents", tmp_path / "incidents")
    analysis = analyze_repo(tmp_path)
    files, numbers = render(analysis)
    # Eight drafts: the bundled follow-ups name few architecture changes in the words real
    # post-mortems (and the SRE book) use for them.
    assert len(files) == len(numbers) >= 6
    assert sorted(numbers.values()) == list(range(1, len(numbers) + 1))
    assert any(k.startswith("systemic:") for k in numbers)
    assert render(analysis, files) == (files, numbers)
