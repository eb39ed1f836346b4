"""Root-cause synthesis, systemic issues and the cause → symptom map."""

from __future__ import annotations

import re
import shutil
from datetime import UTC
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from learnloop.analyze import causemap, detection, rootcause
from learnloop.analyze.analysis import Analysis, analyze_repo
from learnloop.analyze.patterns import Pattern, Patterns
from learnloop.model import Corpus, Incident
from learnloop.read import incident_from_bytes
from learnloop.settings import Settings
from learnloop.state import State
from tests.conftest import REPO

POOL_CAUSE = (
    "Connection pools are per pod, so scaling out multiplies the sessions asked of {db}. "
    "{pods} pods with a pool of 20 need {need} sessions; {db} allows 400."
)
WHYS = [
    "checkout-api failed because it could not get database connections.",
    "Connections ran out because pods times pool size exceeded max_connections.",
    "The product of the two was never checked because they live in different repositories.",
]


def make_incident(ident: str, started: str, body: str = "", **front: Any) -> Incident:
    """An incident from front-matter keys (defaults filled in) and a Markdown body."""
    data: dict[str, Any] = {
        "id": ident,
        "title": front.pop("title", f"Incident {ident}"),
        "started_at": started,
        "severity": front.pop("severity", "P2"),
        "services": front.pop("services", ["checkout-api"]),
        **front,
    }
    text = "---\n" + yaml.safe_dump(data, sort_keys=False) + "---\n" + body
    incident, problems = incident_from_bytes(
        text.encode(), f"incidents/{started[:4]}/{ident}.md", UTC
    )
    assert incident is not None, [p.format() for p in problems]
    return incident


def corpus() -> tuple[list[Incident], list[Pattern]]:
    """Two patterns and a one-off, written the way real post-mortems vary."""
    incidents = [
        make_incident(
            "INC-1", "2025-01-10T10:00:00Z", body=(
                "## Resolution\nLowered the HPA ceiling for checkout-api, then restarted the "
                "stuck pods.\n\n```shell\nkubectl patch hpa checkout-api -p '{}'\n```\n\n"
                "## Lessons learned\n- Session saturation is a better early signal than errors.\n"
            ),
            severity="P1", services=["checkout-api", "orders-db"],
            detected_at="2025-01-10T10:05:00Z", resolved_at="2025-01-10T11:00:00Z",
            trigger="traffic-spike",
            root_cause={"category": "capacity",
                        "summary": POOL_CAUSE.format(db="orders-db", pods=30, need=600)},
            contributing_factors=["No alert on database session saturation.",
                                  "The orders-db connection limit was reached as pods scaled out."],
            whys=WHYS,
            detection={"method": "alert", "source": "alertmanager: CheckoutHighErrorRate"},
            impact={"customers_affected": 1000, "revenue_usd": 20000},
            action_items=[
                {"id": "AI-1", "title": "Move checkout-api reads to a read replica of orders-db",
                 "kind": "prevent", "owner": "dba-team", "status": "open", "effort": 5},
                {"id": "AI-2", "kind": "detect", "status": "done", "done_at": "2025-01-20",
                 "title": "Alert when orders-db sessions exceed 80% of max_connections"},
            ],
        ),
        make_incident(
            "INC-2", "2025-02-10T10:00:00Z", services=["checkout-api", "cart-db"],
            body="## Resolution\nLowered the HPA ceiling for cart-svc, then restarted the pods.\n",
            detected_at="2025-02-10T10:20:00Z", resolved_at="2025-02-10T10:50:00Z",
            trigger="traffic-spike",
            root_cause={"category": "capacity",
                        "summary": POOL_CAUSE.format(db="cart-db", pods=40, need=800)},
            contributing_factors=["No alert on database session saturation!",
                                  "The cart-db connection limit was reached as pods scaled out."],
            detection={"method": "customer-report", "source": "support escalation"},
            impact={"customers_affected": 500, "revenue_usd": 5000},
        ),
        make_incident(
            "INC-3", "2025-03-10T10:00:00Z", severity="P3", services=["orders-api", "orders-db"],
            resolved_at="2025-03-10T10:30:00Z", trigger="deploy",
            root_cause={"category": "software",
                        "summary": "Leaked connections on an error path drained the pool."},
            body=(
                "## Contributing factors\n"
                "- Retries without backoff amplified the load.\n"
                "- The staging environment has a tenth of production data.\n"
                "- The change went out at the end of the working day.\n\n"
                "## Five whys\n" + "".join(f"{n}. {w}\n" for n, w in enumerate(WHYS, 1))
            ),
        ),
        make_incident(
            "INC-4", "2025-01-20T10:00:00Z", severity="P0", services=["payments-gateway"],
            resolved_at="2025-01-20T14:00:00Z", trigger="dependency", visibility="restricted",
            root_cause={"category": "dependency",
                        "summary": "CardHub rate-limited us after a retry storm from our gateway."},
            contributing_factors=["Single payment provider, no failover.",
                                  "Retries without backoff amplified the load on the provider."],
            impact={"customers_affected": 40000, "revenue_usd": 300000, "sla_breached": True},
            action_items=[
                {"id": "AI-1", "title": "Integrate a second card provider with automatic failover",
                 "kind": "prevent", "status": "done", "done_at": "2025-02-01", "effort": 20},
            ],
        ),
        make_incident(
            "INC-5", "2025-03-01T10:00:00Z", severity="P1", services=["payments-gateway"],
            resolved_at="2025-03-01T11:00:00Z", trigger="dependency",
            root_cause={"category": "dependency",
                        "summary": "CardHub rate-limited us after a retry storm from our gateway."},
            contributing_factors=["No alert on the provider error rate."],
            action_items=[
                {"id": "AI-1", "title": "Adopt an outbox for payment events", "kind": "process",
                 "status": "open", "adr": True},
            ],
        ),
        make_incident(
            "INC-6", "2025-02-15T10:00:00Z", services=["reports"],
            resolved_at="2025-02-15T12:00:00Z",
            root_cause={"summary": "The nightly export ran on the primary."},
            contributing_factors=["The staging environment has a tenth of production data.",
                                  "The change went out at the end of the working day."],
        ),
    ]  # fmt: skip
    patterns = [
        Pattern("pool", "Connection pool exhaustion", ("INC-1", "INC-2", "INC-3")),
        Pattern("provider", "Payment provider outage", ("INC-4", "INC-5")),
    ]
    return incidents, patterns


def title_of(theme_id: str) -> str:
    return next(t.title for t in rootcause.THEMES if t.id == theme_id)


def analysis_of(
    root: Path, incidents: list[Incident], patterns: list[Pattern], state: State | None = None
) -> Analysis:
    """An Analysis with the patterns given, so tests do not depend on clustering."""
    clustered = {i for p in patterns for i in p.incidents}
    unclustered = tuple(sorted(i.id for i in incidents if i.id not in clustered))
    found = Patterns(tuple(patterns), unclustered, (), ())
    return Analysis(root, Corpus(tuple(incidents), ()), Settings(), state or State(), None, found)  # type: ignore[arg-type]


def test_dedupe_merges_wordings_and_counts_incidents() -> None:
    found = rootcause.dedupe(
        [
            ("INC-2", "No version lock on the Flux component."),
            ("INC-1", "No version lock on the Flux component"),
            ("INC-3", "No version lock on the Flux components."),
            ("INC-3", "Remediation steps unclear."),
        ]
    )
    assert [(f.incidents, f.variants) for f in found] == [
        (("INC-1", "INC-2", "INC-3"), 3),
        (("INC-3",), 1),
    ]
    assert found[0].text == "No version lock on the Flux component"
    assert found[0].source == "INC-1"


@settings(max_examples=30, deadline=None)
@given(st.permutations(list(range(6))))
def test_order_of_incidents_never_changes_the_result(order: list[int]) -> None:
    incidents, patterns = corpus()
    shuffled = [incidents[n] for n in order]
    assert rootcause.systemic_issues(shuffled, patterns) == rootcause.systemic_issues(
        incidents, patterns
    )
    assert rootcause.synthesize(shuffled, patterns) == rootcause.synthesize(incidents, patterns)


def test_factors_and_whys_come_from_front_matter_or_body() -> None:
    incidents, _ = corpus()
    by_id = {i.id: i for i in incidents}
    assert rootcause.factors(by_id["INC-3"]) == [
        "Retries without backoff amplified the load.",
        "The staging environment has a tenth of production data.",
        "The change went out at the end of the working day.",
    ]
    assert rootcause.whys(by_id["INC-3"]) == WHYS
    assert rootcause.whys(by_id["INC-1"]) == WHYS


def test_pattern_synthesis() -> None:
    incidents, patterns = corpus()
    pool = rootcause.synthesize(incidents, patterns)["pool"]
    assert pool.primary_cause is not None
    assert pool.primary_cause.incidents == ("INC-1", "INC-2")
    assert pool.primary_cause.source == "INC-1"
    assert pool.categories == (("capacity", 2), ("software", 1))
    assert pool.triggers == (("traffic-spike", 2), ("deploy", 1))
    factors = {f.text: f.incidents for f in pool.contributing_factors}
    assert factors["No alert on database session saturation."] == ("INC-1", "INC-2")
    assert factors["The orders-db connection limit was reached as pods scaled out."] == (
        "INC-1",
        "INC-2",
    )
    detection = pool.detection
    assert dict(detection.methods)["customer-report"] == 1
    assert detection.by_customers == ("INC-2",)
    assert detection.customer_share == 0.5  # INC-3 says nothing about how it was found
    assert detection.median_ttd == 12.5
    assert ("CheckoutHighErrorRate", 1) in detection.first_signals
    assert [w.text for w in pool.whys] == WHYS
    assert all(w.incidents == ("INC-1", "INC-3") and w.origin == "whys" for w in pool.whys)
    resilience = {f.text: f.incidents for f in pool.resilience_failures}
    assert resilience[title_of("no-circuit-breaker")] == ("INC-3",)
    # Capacity and detection are not resilience failures of a pattern.
    assert set(resilience) == {title_of("no-circuit-breaker")}


def test_without_whys_the_chain_is_cause_then_factor() -> None:
    incidents, patterns = corpus()
    provider = rootcause.synthesize(incidents, patterns)["provider"]
    assert [w.origin for w in provider.whys] == ["root cause", "contributing factor"]
    assert provider.whys[0].text.startswith("CardHub rate-limited us")


def test_systemic_issues_span_patterns_and_are_ranked() -> None:
    incidents, patterns = corpus()
    issues = {s.id: s for s in rootcause.systemic_issues(incidents, patterns)}
    detection = issues["detection-gap"]
    assert detection.incidents == ("INC-1", "INC-2", "INC-5")
    assert detection.patterns == ("pool", "provider")
    assert not detection.architectural
    breaker = issues["no-circuit-breaker"]
    assert breaker.incidents == ("INC-3", "INC-4", "INC-5")
    assert breaker.architectural
    assert breaker.services == ("orders-api", "orders-db", "payments-gateway")
    # Only in one pattern: a pattern's cause, not a systemic one.
    assert "capacity-untracked" not in issues
    assert "single-point-of-failure" not in issues
    # A theme reaching a pattern and a one-off is systemic: the one-off is a group of its own.
    staging = issues["no-canary"]
    assert staging.incidents == ("INC-3", "INC-6")
    assert staging.one_offs == ("INC-6",)
    assert staging.origin == "lexicon"
    # A factor no theme knows, stated in a pattern and in a one-off.
    recurring = issues["recurring-the-change-went-out-at-the"]
    assert recurring.incidents == ("INC-3", "INC-6")
    assert recurring.one_offs == ("INC-6",)
    assert recurring.origin == "cluster"
    assert not recurring.architectural
    ranked = rootcause.systemic_issues(incidents, patterns)
    assert [s.score for s in ranked] == sorted((s.score for s in ranked), reverse=True)


def test_score_is_frequency_times_mean_impact() -> None:
    incidents, patterns = corpus()
    by_id = {i.id: i for i in incidents}
    issue = next(
        s for s in rootcause.systemic_issues(incidents, patterns) if s.id == "detection-gap"
    )
    # INC-1: P1, 1,000 customers, $20,000; INC-2: P2, 500, $5,000; INC-5: P1, nothing recorded.
    expected = 4 * (1 + 0.30103 + 0.47712) + 2 * (1 + 0.17609 + 0.17609) + 4 * 1
    assert issue.score == pytest.approx(expected, abs=0.05)
    assert rootcause.impact(by_id["INC-5"]) == 4.0
    evidence = {f.text: f.incidents for f in issue.evidence}
    assert evidence["No alert on database session saturation."] == ("INC-1", "INC-2")
    assert evidence["Customers noticed first (support escalation)."] == ("INC-2",)


def test_cause_symptom_map_is_mermaid_with_safe_ids() -> None:
    incidents, patterns = corpus()
    issues = rootcause.systemic_issues(incidents, patterns)
    text = causemap.cause_symptom_map(incidents, patterns, issues, min_edge=1)
    lines = text.splitlines()
    assert lines[0] == "flowchart LR"
    assert '    p_pool(["Connection pool exhaustion · 3 incidents"])' in lines
    assert "    c_detection_gap -->|2| p_pool" in lines
    assert "    c_recurring_the_change_went_out_at_the -->|1| o_one_off" in lines
    for line in lines[1:]:
        ident = re.match(r"\s+([^\s\[(]+)", line)
        assert ident, line
        assert re.fullmatch(r"[A-Za-z0-9_]+", ident.group(1)), line
    assert causemap.cause_symptom_map(incidents, patterns, issues, min_edge=1) == text
    # Edges below the minimum are left out, and so are causes left without an edge.
    strict = causemap.cause_symptom_map(incidents, patterns, issues)
    assert "o_one_off" not in strict
    assert "c_detection_gap -->|2| p_pool" in strict


def test_labels_cannot_break_the_diagram() -> None:
    incidents, _ = corpus()
    patterns = [Pattern("a-b", 'Say "hi" <b>', ("INC-1", "INC-2")), Pattern("c", "C", ("INC-5",))]
    issues = rootcause.systemic_issues(incidents, patterns)
    text = causemap.cause_symptom_map(incidents, patterns, issues)
    assert '(["Say #quot;hi#quot; #lt;b#gt; · 2 incidents"])' in text
    assert "p_a_b" in text


@pytest.fixture(scope="module")
def bundled(tmp_path_factory: pytest.TempPathFactory) -> Analysis:
    """The bundled example corpus, analyzed from a copy (the repo itself is never written)."""
    root = tmp_path_factory.mktemp("bundled")
    shutil.copytree(REPO / "incidents", root / "incidents")
    return analyze_repo(root)


def test_bundled_corpus_systemic_issues(bundled: Analysis) -> None:
    incidents = bundled.corpus.incidents
    patterns = bundled.patterns.patterns
    issues = rootcause.systemic_issues(incidents, patterns)
    ids = [s.id for s in issues]
    for expected in ("detection-gap", "no-canary", "no-circuit-breaker", "capacity-untracked"):
        assert expected in ids
    of = bundled.patterns.of()
    for issue in issues:
        groups = {of.get(i, i) for i in issue.incidents}
        assert len(issue.incidents) >= 2, issue.id
        assert len(groups) >= 2, issue.id
        assert issue.evidence, issue.id
    synthesis = rootcause.synthesize(incidents, patterns)
    assert set(synthesis) == {p.id for p in patterns}
    assert all(s.primary_cause is not None for s in synthesis.values())
    reversed_order = list(reversed(incidents))
    assert rootcause.systemic_issues(reversed_order, patterns) == issues


def test_themes_read_follow_ups_written_in_the_body() -> None:
    incident = make_incident(
        "INC-9", "2025-04-01T10:00:00Z",
        body=(
            "## Contributing factors\n- Version bumps to Flux lead to unwanted downtime.\n\n"
            "## Action items\n- Version lock Flux\n- Add alerting for cluster capacity\n"
        ),
    )  # fmt: skip
    said = rootcause.evidence(incident)
    assert (rootcause.FOLLOW_UP, "Version lock Flux") in said
    found = rootcause.themes_of(incident)
    assert found["uncontrolled-change"] == [
        "Version bumps to Flux lead to unwanted downtime.",
        "Version lock Flux",
    ]
    # A follow-up that adds an alert follows most incidents: not evidence of a detection gap.
    assert "detection-gap" not in found
    assert found["capacity-untracked"] == ["Add alerting for cluster capacity"]


def test_a_write_up_without_a_why_is_read_in_its_summary() -> None:
    short = make_incident(
        "INC-9",
        "2025-04-01T10:00:00Z",
        body="## Summary\nLack of exponential backoff in a microservice caused an outage.\n",
    )
    assert rootcause.themes_of(short) == {
        "no-circuit-breaker": ["Lack of exponential backoff in a microservice caused an outage."]
    }
    # Where the write-up states a cause, its summary (what happened) is not read for themes.
    full = make_incident(
        "INC-8",
        "2025-04-01T10:00:00Z",
        body=(
            "## Summary\nLack of exponential backoff in a microservice caused an outage.\n\n"
            "## Root cause\nA deploy removed an index.\n"
        ),
    )
    assert rootcause.themes_of(full) == {}


def test_the_whole_root_cause_is_read_not_its_first_sentences() -> None:
    filler = "The service handled requests as usual before the change. " * 6
    incident = make_incident(
        "INC-9",
        "2025-04-01T10:00:00Z",
        body=f"## Root cause\n{filler}Retries without backoff amplified the load.\n",
    )
    assert "backoff" not in rootcause.cause_text(incident)
    assert "no-circuit-breaker" in rootcause.themes_of(incident)


def test_detection_is_read_from_the_first_timeline_entry_that_notices() -> None:
    incident = make_incident(
        "INC-9",
        "2025-04-01T10:00:00Z",
        body=(
            "## Timeline\n"
            "- 10:00 Deployed the new ingress rule\n"
            "- 10:20 A user reported 404s on the checkout page\n"
            "- 10:25 Alert triggered on Slack\n"
        ),
    )
    # People the service is for noticed first, before the alert.
    assert detection.detection_method(incident) == detection.CUSTOMER
    alerted = make_incident(
        "INC-8", "2025-04-01T10:00:00Z",
        body="## Timeline\n- 10:00 Deployed\n- 10:05 Alert triggered on Slack\n",
    )  # fmt: skip
    assert detection.detection_method(alerted) == "alert"
    told = make_incident(
        "INC-7", "2025-04-01T10:00:00Z",
        body="## Timeline\n- 10:00 Deployed\n- 10:05 Developer notified us of an issue\n",
    )  # fmt: skip
    assert detection.detection_method(told) == "internal-report"
