"""`generate` and `stale` on a copy of the bundled corpus: runbooks, human edits, drift."""

from __future__ import annotations

import difflib
import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from learnloop.analyze.patterns import Pattern
from learnloop.cli import cli
from learnloop.read import incident_from_bytes
from learnloop.settings import Settings
from learnloop.write.runbook import render_runbook
from tests.conftest import REPO

BUNDLED = REPO / "incidents"


def invoke(root: Path, *args: str):
    return CliRunner().invoke(cli, ["--root", str(root), *args], catch_exceptions=False)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the bundled corpus, generated once for the read-only tests below."""
    root = tmp_path_factory.mktemp("bundled")
    shutil.copytree(BUNDLED, root / "incidents")
    result = invoke(root, "generate")
    assert result.exit_code == 0, result.output
    return root


@pytest.fixture
def repo(generated: Path, tmp_path: Path) -> Path:
    """A private copy of the generated repo that a test may change."""
    root = tmp_path / "repo"
    shutil.copytree(generated, root)
    return root


def sections(text: str) -> dict[str, str]:
    return {
        m.group(1): m.group(2)
        for m in re.finditer(
            r"<!-- learnloop:begin (\w+) -->\n(.*?)<!-- learnloop:end \1 -->", text, re.DOTALL
        )
    }


def test_runbooks_cover_the_recurring_patterns_with_cited_steps(generated: Path):
    patterns = invoke(generated, "patterns", "--json").output
    found = json.loads(patterns)["patterns"]
    with_runbook = [p for p in found if p["runbook"]]
    assert len(with_runbook) >= 0.9 * len(found)
    for pattern in with_runbook:
        text = (generated / pattern["runbook"]).read_text()
        parts = sections(text)
        for name in ("detection", "diagnosis", "mitigation", "resolution"):
            assert name in parts, (pattern["id"], name)
            assert re.search(r"\[INC-\d{4}-\d+\]\(\.\./incidents/", parts[name]), (
                pattern["id"],
                name,
            )
        assert "_Completeness:" in parts["meaning"]


def test_runbook_steps_are_concrete_commands(generated: Path):
    text = (generated / "runbooks" / "db-connection-pool-exhaustion.md").read_text()
    parts = sections(text)
    assert "pg_stat_activity" in parts["diagnosis"]
    assert "`kubectl" in parts["mitigation"]
    assert "check the logs" not in text.lower()


def test_generate_twice_is_byte_identical_and_check_is_clean(repo: Path):
    before = {p: p.read_bytes() for p in repo.rglob("*.md") if "incidents" not in p.parts}
    result = invoke(repo, "generate")
    assert re.fullmatch(r"0 of \d+ generated files changed", result.output.splitlines()[-1])
    after = {p: p.read_bytes() for p in repo.rglob("*.md") if "incidents" not in p.parts}
    assert before == after
    assert invoke(repo, "generate", "--check").exit_code == 0


def test_human_edits_outside_markers_and_adopted_regions_survive(repo: Path):
    path = repo / "runbooks" / "db-connection-pool-exhaustion.md"
    text = path.read_text()
    text = text.replace(
        "## Notes from responders\n",
        "## Notes from responders\nCall the DBA before raising max_connections.\n",
    )
    # Adopt the escalation region: remove its markers and rewrite it.
    text = re.sub(
        r"<!-- learnloop:begin escalation -->\n.*?<!-- learnloop:end escalation -->",
        "## Escalation\nAsk Tomasz first, always.",
        text,
        flags=re.DOTALL,
    )
    text = text.replace(
        "review: {status: draft, by: null, at: null, digest: null}",
        "review: {status: reviewed, by: priya, at: 2025-11-01, digest: sha256:abc}",
    )
    path.write_text(text)
    invoke(repo, "generate")
    after = path.read_text()
    assert "Call the DBA before raising max_connections." in after
    assert "Ask Tomasz first, always." in after
    assert "<!-- learnloop:begin escalation -->" not in after
    assert "review: {status: reviewed, by: priya, at: 2025-11-01, digest: sha256:abc}" in after
    assert invoke(repo, "generate", "--check").exit_code == 0


def test_check_reports_drift_and_writes_nothing(repo: Path):
    path = repo / "runbooks" / "kafka-consumer-lag.md"
    path.write_text(path.read_text().replace("regions: {", "regions: {stale: 000000000000, "))
    edited = path.read_text()
    result = invoke(repo, "generate", "--check")
    assert result.exit_code == 1
    assert "would change: runbooks/kafka-consumer-lag.md" in result.output
    assert path.read_text() == edited


def test_adding_an_incident_changes_only_its_pattern_and_the_indexes(repo: Path):
    before = {
        p.relative_to(repo).as_posix(): p.read_bytes()
        for p in repo.rglob("*")
        if p.is_file() and not {"incidents", ".learnloop-cache"} & set(p.parts)
    }
    member = invoke(repo, "patterns", "--json").output
    pattern = next(p for p in json.loads(member)["patterns"] if p["id"] == "tls-certificate-expiry")
    first = next(
        p
        for p in (repo / "incidents").rglob("*.md")
        if f"id: {pattern['incidents'][0]}\n" in p.read_text()
    )
    text = first.read_text()
    new_id = "INC-2025-900"
    new = re.sub(r"(?m)^id: .*$", f"id: {new_id}", text)
    new = re.sub(r"(?m)^started_at: 20\d\d", "started_at: 2025", new)
    (repo / "incidents" / "2025" / "2025-12-01-certificate-expired-again.md").write_text(new)
    invoke(repo, "generate")
    after = {
        p.relative_to(repo).as_posix(): p.read_bytes()
        for p in repo.rglob("*")
        if p.is_file() and not {"incidents", ".learnloop-cache"} & set(p.parts)
    }
    changed = sorted(k for k in after if before.get(k) != after[k])
    assert "runbooks/tls-certificate-expiry.md" in changed
    assert "kb/patterns/tls-certificate-expiry.md" in changed
    # Every other changed document is built from that pattern's incidents (its case studies,
    # the articles of its services, the indexes): nothing unrelated moves.
    touched = {*pattern["incidents"], new_id}
    for rel in changed:
        if rel in ("patterns.yml", "patterns.members.yml"):
            continue
        if rel.endswith(".chaos.json"):  # a game day's experiment names its sources inside
            (own,) = [e for e in json.loads(after[rel])["extensions"] if e["name"] == "learnloop"]
            sources = set(own["sources"])
        else:
            sources = set(
                re.search(r"(?m)^sources: \[(.*)\]$", after[rel].decode()).group(1).split(", ")
            )
        assert sources & touched or _cites_only_systemic_issues(before[rel], after[rel]), rel
    untouched = [p for p in json.loads(member)["patterns"] if p["id"] != "tls-certificate-expiry"]
    for other in untouched:
        assert f"runbooks/{other['id']}.md" not in changed
        page = f"kb/patterns/{other['id']}.md"
        assert page not in changed or _cites_only_systemic_issues(before[page], after[page])


def _cites_only_systemic_issues(before: bytes, after: bytes) -> bool:
    """Whether a page moved only where it cites a systemic issue (and that region's digest):
    a pattern of the same failure elsewhere (narrowed by place) shares its systemic issues,
    whose scores count every incident."""
    moved = [
        line
        for line in difflib.unified_diff(
            before.decode().splitlines(), after.decode().splitlines(), n=0
        )
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    return bool(moved) and all("](../systemic/" in m or m[1:].startswith("regions:") for m in moved)
    stale = invoke(repo, "stale").output
    assert "runbooks/tls-certificate-expiry.md" in stale


def test_stale_uses_review_digest_and_evidence(repo: Path):
    path = repo / "runbooks" / "disk-full-logs.md"
    text = path.read_text()
    digest = re.search(r"(?m)^source_digest: (.*)$", text).group(1)
    path.write_text(
        text.replace(
            "review: {status: draft, by: null, at: null, digest: null}",
            f"review: {{status: reviewed, by: ana, at: 2025-11-20, digest: '{digest}'}}",
        )
    )
    result = invoke(repo, "stale", "--json")
    docs = {d["path"]: d for d in json.loads(result.output)["documents"]}
    assert "runbooks/disk-full-logs.md" not in docs  # reviewed, current, not yet due
    later = invoke(repo, "stale", "--today", "2026-06-01").output
    assert "due    runbooks/disk-full-logs.md: review was due 2026-02-18" in later


def test_retired_pattern_keeps_its_runbook_marked_retired(repo: Path):
    (repo / "runbooks" / "old-pattern.md").write_text(
        "---\ngenerated_by: learnloop\nkind: runbook\npattern: old-pattern\ntitle: Old\n"
        "sources: []\n---\n# Old\n\nHand-written advice.\n"
    )
    invoke(repo, "generate")
    text = (repo / "runbooks" / "old-pattern.md").read_text()
    assert "status: retired" in text
    assert "Hand-written advice." in text


def test_golden_runbook(golden):
    texts = {
        "INC-1": ("2025-01-10T10:00:00Z", "Checkout 5xx: orders-db too many clients"),
        "INC-2": ("2025-03-02T14:00:00Z", "orders-db connection pool exhausted again"),
    }
    members = []
    for ident, (start, title) in texts.items():
        raw = (
            f"---\nid: {ident}\ntitle: '{title}'\nstarted_at: {start}\nseverity: P1\n"
            "services: [checkout-api, orders-db]\nroot_cause: {category: capacity, summary: "
            "Pods times pool size exceeded max_connections.}\ndetection: {method: alert, "
            "source: 'alertmanager: CheckoutHighErrorRate'}\nresponders: [{name: Priya Raman, "
            "role: incident-commander}]\nimpact: {customers_affected: 1200, revenue_usd: 5000}\n"
            "action_items:\n  - {id: AI-1, title: Put pgbouncer in front of orders-db, kind: "
            "prevent, status: done, done_at: 2025-04-01}\n---\n## Timeline\n"
            f"- {start[11:16]} — Pods log `FATAL: sorry, too many clients already`.\n"
            "- 23:59 — placeholder\n"
        )
        raw = raw.replace(
            "- 23:59 — placeholder\n",
            (
                "- 10:07 — Alert `CheckoutHighErrorRate` fires.\n"
                "- 10:09 — Priya acknowledges.\n"
                "- 10:12 — `SELECT count(*) FROM pg_stat_activity;` shows 500 of 500 sessions.\n"
                "- 10:20 — Lowered HPA max: `kubectl patch hpa orders-api -n orders -p "
                '\'{"spec":{"maxReplicas":20}}\'`; errors fall below 1%.\n'
                "- 10:40 — Error rate at baseline; incident resolved.\n"
            )
            if ident == "INC-1"
            else (
                "- 14:05 — Alert `CheckoutHighErrorRate` fires.\n"
                "- 14:06 — Priya acknowledges.\n"
                "- 14:10 — `SELECT count(*) FROM pg_stat_activity;` shows 498 of 500 sessions.\n"
                "- 14:15 — Lowered HPA max: `kubectl patch hpa orders-api -n orders -p "
                '\'{"spec":{"maxReplicas":16}}\'`; errors fall below 1%.\n'
                "- 14:30 — Error rate at baseline; incident resolved.\n"
            ),
        )
        incident, problems = incident_from_bytes(raw.encode(), f"incidents/{ident}.md")
        assert incident is not None, problems
        members.append(incident)
    pattern = Pattern(
        "db-connection-pool-exhaustion", "Database connection pool exhaustion", ("INC-1", "INC-2")
    )
    text = render_runbook(
        pattern, members, ["checkout-api", "orders-api", "orders-db"], Settings(), None
    )
    golden("runbook.md", text)


def test_committed_generated_files_are_current():
    """The repository's own runbooks, KB and ADRs match what its incidents generate."""
    result = invoke(REPO, "generate", "--check")
    assert result.exit_code == 0, result.output


def test_runbook_titles_agree_between_index_heading_and_front_matter():
    """Each committed runbook is named the same in runbooks/index.md, in its front matter and
    in its heading."""
    from learnloop.write import front_matter

    index = (REPO / "runbooks" / "index.md").read_text(encoding="utf-8")
    links = re.findall(r"\| \[([^\]]+)\]\(([^)]+)\)", index)
    listed = {target: name for name, target in links}
    assert len(listed) >= 10
    for target, name in listed.items():
        text = (REPO / "runbooks" / target).read_text(encoding="utf-8")
        front, body = front_matter.split_existing(text)
        heading = re.search(r"(?m)^# (.+)$", body)
        assert heading is not None, target
        assert front["title"] == heading.group(1).strip() == name.replace("\\|", "|"), target


def _pending_runbook(bodies: list[str]) -> str:
    """The runbook of "pods stuck pending" incidents, one per body (the Markdown after the
    title), dated a month apart."""
    members = []
    for n, body in enumerate(bodies, start=1):
        raw = (
            f"---\nid: PM-{n}\ntitle: Pods stuck pending\nstarted_at: 2024-0{n}-10T10:00:00Z\n"
            f"severity: P2\nservices: [cluster]\n---\n# Pods stuck pending\n\n{body}"
        )
        incident, problems = incident_from_bytes(raw.encode(), f"incidents/PM-{n}.md")
        assert incident is not None, problems
        members.append(incident)
    pattern = Pattern("pods-pending", "Pods stuck pending", ("PM-1", "PM-2"))
    return render_runbook(pattern, members, ["cluster"], Settings(), None)


def _pending_resolution(bodies: list[str]) -> list[str]:
    """The Resolution lines of `_pending_runbook`."""
    section = _pending_runbook(bodies).split("## Resolution\n", 1)[1].split("<!--", 1)[0]
    return section.strip().splitlines()


def test_without_a_told_fix_resolution_gives_the_planned_fixes_of_each_incident_cited():
    # The entry's label, as a template writes it or a status page's update ("Monitoring — "),
    # is no part of what was seen.
    bodies = [
        f"## Timeline\n\n- 10:00 Pods stuck in Pending.\n"
        f"- 10:30 {label} Pods scheduled again and errors stopped.\n\n"
        f"## Action items\n\n{items}"
        for label, items in (
            (
                "**Recovery:**",
                "- Add an alert on free IP addresses per subnet.\n- Document the subnet sizes.\n",
            ),
            ("**Monitoring** —", "- Move the cluster to larger subnets.\n"),
        )
    ]
    lines = _pending_resolution(bodies)
    assert lines[:3] == [
        "- Lasting fix planned after [PM-2](../incidents/PM-2.md): Move the cluster to larger "
        "subnets.",
        "- Lasting fix planned after [PM-1](../incidents/PM-1.md): Add an alert on free IP "
        "addresses per subnet.",
        "- Lasting fix planned after [PM-1](../incidents/PM-1.md): Document the subnet sizes.",
    ]
    assert lines[3] == (
        "- Verify: Pods scheduled again and errors stopped (as in 2 of 2 incidents: "
        "[PM-2](../incidents/PM-2.md), [PM-1](../incidents/PM-1.md))."
    )


def test_resolution_neither_verifies_by_a_milestone_nor_plans_a_lead_in():
    bodies = [
        "## Timeline\n\n- 10:00 Pods stuck in Pending.\n"
        "- 10:20 Engineers added nodes to the pool.\n"
        "- 10:30 Mitigation was complete; this incident has been resolved.\n\n"
        "## Next steps\n\nWe apologize for the impact. To prevent a recurrence we are:\n\n"
        f"- {plan}\n"
        for plan in ("Alert on free IP addresses per subnet", "Move to larger subnets")
    ]
    assert _pending_resolution(bodies) == [
        "- Lasting fix planned after [PM-2](../incidents/PM-2.md): Move to larger subnets",
        "- Lasting fix planned after [PM-1](../incidents/PM-1.md): Alert on free IP addresses "
        "per subnet",
    ]


def test_the_impact_quoted_keeps_the_sentence_it_leans_on():
    summary = (
        "## Summary\n\nChanges to the VPC CNI caused target groups to become detached from the "
        "ALB. This, in turn, meant that all inbound traffic failed to reach the cluster.\n"
    )
    assert (
        "- Most recently: Changes to the VPC CNI caused target groups to become detached from "
        "the ALB. This, in turn, meant that all inbound traffic failed to reach the cluster. "
        "([PM-2](../incidents/PM-2.md))"
    ) in _pending_runbook([summary, summary])


def test_praise_of_the_response_is_no_fix():
    # As a "Resolution and recovery" section may read: thanks, and nothing that was fixed.
    bodies = [
        "## Resolution and recovery\n\nThe affected employee did a great job of reporting the "
        "charge at once.\n\n## Corrective actions\n\n- Lock company cards to known merchants. "
        "The team did a fantastic job of escalating.\n",
        "## Resolution and recovery\n\nThe IPS members responded quickly. We revoked the VPN "
        "session of the account.\n",
    ]
    assert _pending_resolution(bodies) == [
        "- How [PM-2](../incidents/PM-2.md) was fixed: We revoked the VPN session of the account.",
    ]
    assert _pending_resolution(bodies[:1]) == [
        "- Lasting fix planned after [PM-1](../incidents/PM-1.md): Lock company cards to known "
        "merchants.",
    ]


def test_resolution_tells_how_each_was_fixed_not_only_that_it_is_back():
    # A status page's last word is often only that it is over: no line of how it was fixed.
    bodies = [
        "[Final message]\nJIRA is back. The outage is over.\n\n"
        "[Initial message]\nJIRA is down for everyone.\n",
        "[Final message]\nThe ci.jenkins.io controller is up again.\n"
        "We switched the client to a shared pool with keep-alive.\n\n"
        "[Initial message]\nci.jenkins.io is down.\n",
        # Words of recovery with more told than a name: how it was fixed.
        "[Final message]\nExpanded the volume and fixed logrotate.\n\nDisk expanded.\n",
    ]
    assert _pending_resolution(bodies) == [
        "- How [PM-3](../incidents/PM-3.md) was fixed: Expanded the volume and fixed logrotate. "
        "Disk expanded.",
        "- How [PM-2](../incidents/PM-2.md) was fixed: The ci.jenkins.io controller is up "
        "again. We switched the client to a shared pool with keep-alive.",
    ]


def test_resolution_quotes_how_it_was_fixed_not_the_cause_it_restates():
    bodies = [
        "## Resolution and recovery\n\nThe root cause was determined to be a malicious link "
        "sent from a trusted account. Recovery included a reset of passwords.\n",
    ]
    assert _pending_resolution(bodies) == [
        "- How [PM-1](../incidents/PM-1.md) was fixed: Recovery included a reset of passwords."
    ]


@pytest.mark.parametrize(
    ("bodies", "seen"),
    [
        # What was seen recover, not a clause of what the action before it did, nor that
        # day's time.
        (
            [
                "## Mitigation\n\nWe rolled back the CNI change at 10:20 UTC, which mitigated"
                " the issue by 10:40 UTC.\n",
                "## Timeline\n\n- 10:00 Pods stuck in Pending.\n"
                "- 10:20 Rolled back the CNI change.\n"
                "- 10:36 Error rates returned to normal by 10:35 UTC.\n",
            ],
            "Error rates returned to normal",
        ),
        # Never a status update only labelled resolved, nor a recovery hoped for.
        (
            [
                "## Timeline\n\n- 10:00 **Investigating** — Pods stuck in Pending.\n"
                "- 10:40 **Resolved** — We are investigating reports of degraded performance.\n"
                "- 10:50 **Resolved** — We lost a load balancer. Should be back up shortly!\n",
                "## Timeline\n\n- 10:00 **Investigating** — Pods stuck in Pending.\n"
                "- 10:30 **Resolved** — Everything is operating normally.\n",
            ],
            "Everything is operating normally",
        ),
    ],
)
def test_verify_names_what_was_seen_recover(bodies: list[str], seen: str):
    (verify,) = [line for line in _pending_resolution(bodies) if line.startswith("- Verify")]
    assert verify == f"- Verify: {seen} (as in 1 of 2 incidents: [PM-2](../incidents/PM-2.md))."
