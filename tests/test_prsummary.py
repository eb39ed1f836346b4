"""`learnloop pr-summary` on real git repositories: new incidents, similar ones, generated files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from learnloop.cli import cli
from learnloop.commands import prsummary
from tests.conftest import REPO, incident_text
from tests.test_gitfacts import commit, git, new_repo

cli.add_command(prsummary.command)


def invoke(root: Path, *args: str):
    return CliRunner().invoke(cli, ["--root", str(root), *args], catch_exceptions=False)


# --- why a generated file changes -----------------------------------------------------------

OLD = """\
---
generated_by: learnloop
kind: runbook
pattern: pool
title: Pool exhaustion
sources: [INC-1, INC-2]
regions: [meaning, mitigation, related]
---
# Pool exhaustion

<!-- learnloop:begin meaning -->
Seen 2 times.
<!-- learnloop:end meaning -->

<!-- learnloop:begin mitigation -->
## Mitigation
1. Lower the HPA ceiling.
<!-- learnloop:end mitigation -->

<!-- learnloop:begin related -->
| incident | title |
|---|---|
| INC-1 | a |
<!-- learnloop:end related -->
"""


def test_a_runbook_that_gains_a_source_and_a_step():
    new = (
        OLD.replace("[INC-1, INC-2]", "[INC-1, INC-2, INC-3]")
        .replace("Seen 2 times.", "Seen 3 times.")
        .replace("1. Lower the HPA ceiling.", "1. Lower the HPA ceiling.\n2. Add pgbouncer.")
    )
    assert prsummary.describe("runbooks/pool.md", OLD, new) == (
        "+1 source (INC-3); changed: meaning, mitigation (1 step added)"
    )


def test_a_runbook_that_loses_a_source_a_row_and_its_title():
    new = (
        OLD.replace("[INC-1, INC-2]", "[INC-1]")
        .replace("title: Pool exhaustion", "title: Pools")
        .replace("| INC-1 | a |\n", "")
    )
    assert prsummary.describe("runbooks/pool.md", OLD, new) == (
        "−1 source (INC-2); title changed; changed: related (1 row removed)"
    )


def test_a_new_document_and_one_whose_figures_alone_change():
    assert prsummary.describe("runbooks/pool.md", None, OLD) == (
        "new runbook from 2 sources (INC-1, INC-2)"
    )
    assert prsummary.describe("runbooks/pool.md", OLD, OLD + "\n") == "figures updated"


def test_the_pattern_state_names_moved_incidents_and_new_patterns():
    old = "patterns:\n  - {id: pool, title: P, incidents: [INC-1, INC-2]}\nunclustered: [INC-5]\n"
    new = (
        "patterns:\n  - {id: pool, title: P, incidents: [INC-1, INC-2, INC-3]}\n"
        "  - {id: dns, title: D, incidents: [INC-4, INC-5]}\nunclustered: [INC-6]\n"
    )
    assert prsummary.describe("patterns.members.yml", old, new) == (
        "new pattern `dns` (INC-4, INC-5); `pool`: +INC-3; one-offs: +INC-6"
    )
    # The same record written before the members moved out of patterns.yml reads the same.
    assert prsummary.recorded(old) == ({"pool": {"INC-1", "INC-2"}}, {"INC-5"})


def test_the_corrections_file_names_new_entries_and_changed_titles():
    old = "patterns:\n  - {id: pool, title: Pool}\n"
    new = "patterns:\n  - {id: dns, title: DNS}\n  - {id: pool, title: Pool exhaustion}\n"
    assert prsummary.describe("patterns.yml", old, new) == ("new: `dns`; title changed: `pool`")
    legacy = "patterns:\n  - {id: pool, title: Pool, incidents: [INC-1]}\n"
    assert prsummary.describe("patterns.yml", legacy, old) == (
        "members moved to patterns.members.yml"
    )


def test_untrusted_text_is_inert_markdown():
    assert prsummary._md("<img src=x> @team [a](b) |x| *y*\n z") == (
        r"&lt;img src=x&gt; &#64;team \[a\](b) \|x\| \*y\* z"
    )


# --- small repositories ---------------------------------------------------------------------


@pytest.fixture
def small(tmp_path: Path) -> Path:
    """Three committed incidents on main, then a branch."""
    root = new_repo(tmp_path / "repo")
    titles = {
        1: "Checkout errors from an exhausted database connection pool",
        2: "Search results empty after an index alias pointed at a half-built index",
        3: "Payments failed when the gateway's TLS certificate expired",
    }
    files = {
        f"incidents/2025/{n}.md": incident_text(
            id=f"INC-2025-00{n}", title=title, started_at=f"2025-01-1{n}T10:00:00Z"
        )
        for n, title in titles.items()
    }
    files[".gitignore"] = ".learnloop-cache/\n"
    commit(root, files, "incidents")
    git(root, "checkout", "-q", "-b", "new-postmortem")
    return root


def test_an_added_draft_with_problems_and_a_changed_incident(small: Path):
    draft = incident_text(id="INC-2025-004", severity="urgent")
    (small / "incidents" / "2025" / "4.md").write_text(draft)  # not even `git add`ed
    changed = incident_text(id="INC-2025-002", title="A better title for the second one")
    (small / "incidents" / "2025" / "2.md").write_text(changed)
    result = invoke(small, "pr-summary", "--base", "main")
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert text.startswith(prsummary.MARKER + "\n## learnloop: what this pull request teaches\n")
    assert (
        "| changed | `INC-2025-002` | A better title for the second one | P2 | "
        "checkout-api, orders-db | ✅ no problems |"
    ) in text
    assert "| added | `incidents/2025/4.md` | _does not load_ |  |  | ❌ 1 error, 0 warnings |" in (
        text
    )
    assert "- `incidents/2025/4.md:6` error: severity: expected one of P0–P4" in text
    assert "#### New" not in text  # a draft that does not load has nothing to compare


def test_nothing_changed(small: Path):
    text = invoke(small, "pr-summary", "--base", "main").stdout
    assert "No post-mortem is added or changed." in text


def test_a_new_incident_is_compared_with_past_ones_only(small: Path):
    for n in (4, 5):
        (small / "incidents" / "2025" / f"{n}.md").write_text(
            incident_text(id=f"INC-2025-00{n}", started_at=f"2025-02-0{n}T10:00:00Z")
        )
    summary = prsummary.summarize(small, "main")
    assert [n.incident.id for n in summary.new] == ["INC-2025-004", "INC-2025-005"]
    for new in summary.new:
        assert len(new.similar) == 3
        assert {m.id for m in new.similar} == {"INC-2025-001", "INC-2025-002", "INC-2025-003"}
        # main records no pattern yet, so whatever the branch clusters is new.
        assert new.verdict.startswith("**Possible new pattern:**")


def test_a_one_off_is_a_possible_new_pattern(small: Path):
    text = """\
---
id: INC-2025-009
title: Nightly billing export wrote an empty file to the finance bucket
started_at: 2025-02-09T02:00:00Z
severity: P4
services: [billing-export]
---

## Summary
The export job ran against a replica that had stopped replicating, found no rows and wrote
an empty CSV; finance noticed the next morning.
"""
    (small / "incidents" / "2025" / "9.md").write_text(text)
    (new,) = prsummary.summarize(small, "main").new
    assert new.verdict == (
        "**Possible new pattern:** it fits none of the known patterns; there are no patterns yet."
    )


def test_not_a_git_repository_or_an_unknown_base(tmp_path: Path, small: Path):
    (tmp_path / "plain" / "incidents").mkdir(parents=True)
    result = invoke(tmp_path / "plain", "pr-summary")
    assert result.exit_code == 1
    assert "is not in a git repository; pr-summary needs one" in result.stderr
    result = invoke(small, "pr-summary", "--base", "origin/nope")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: --base origin/nope: no such commit or branch here")


# --- the acceptance test: the bundled corpus, a branch, a merge -----------------------------

POSTMORTEM = """\
---
id: INC-2025-061
title: checkout-api exhausted its connection pool to orders-db during a flash sale
severity: P1
services: [checkout-api, orders-db]
started_at: 2025-11-28T14:05:00Z
detected_at: 2025-11-28T14:09:00Z
acknowledged_at: 2025-11-28T14:11:00Z
mitigated_at: 2025-11-28T14:30:00Z
resolved_at: 2025-11-28T14:52:00Z
status: resolved
trigger: traffic-spike
detection: {method: alert, source: "alertmanager: CheckoutHighErrorRate"}
impact: {customers_affected: 4200, revenue_usd: 31000, sla_breached: true}
root_cause:
  category: capacity
  summary: The HPA scaled checkout-api to 40 pods; 40 pods times a pool of 20 exceeded max_connections.
runbook_used: db-connection-pool-exhaustion
runbook_helpful: true
---

## Summary
During a flash sale checkout-api ran out of database connections to orders-db and returned 5xx
for 25 minutes.

## Timeline
All times UTC.
- 14:05 — First `FATAL: sorry, too many clients already` errors in checkout-api logs.
- 14:09 — Alert `CheckoutHighErrorRate` fires.
- 14:11 — On-call acknowledges.
- 14:14 — `SELECT application_name, count(*) FROM pg_stat_activity GROUP BY 1;` shows 498 of 500 sessions held by checkout-api.
- 14:30 — Lowered HPA max to 15: `kubectl patch hpa checkout-api -n checkout -p '{"spec":{"maxReplicas":15}}'`; errors fall.
- 14:52 — Resolved.

## Root cause
Connection pools are per pod. Scaling checkout-api to 40 pods with a pool of 20 asked orders-db
for 800 sessions; it allows 500.

## Resolution
Lowered the HPA ceiling and routed checkout-api through pgbouncer.
"""  # noqa: E501
NEW_FILE = "incidents/2025/2025-11-28-checkout-pool-flash-sale.md"


@pytest.mark.slow
def test_a_pull_request_that_adds_a_post_mortem_then_merges(tmp_path: Path):
    root = new_repo(tmp_path / "learning")
    shutil.copytree(REPO / "incidents", root / "incidents")
    (root / ".gitignore").write_text(".learnloop-cache/\nsite/\n")
    assert invoke(root, "generate").exit_code == 0
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "The incidents so far")
    git(root, "checkout", "-q", "-b", "inc-2025-061")
    commit(root, {NEW_FILE: POSTMORTEM}, "Post-mortem: checkout pool exhaustion")

    result = invoke(root, "pr-summary", "--base", "main")
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "| added | `INC-2025-061` | checkout-api exhausted its connection pool" in text
    assert "✅ no problems" in text
    assert "#### New: `INC-2025-061`" in text
    new = prsummary.summarize(root, "main").new[0]
    assert len(new.similar) == 3
    assert all(m.pattern == "db-connection-pool-exhaustion" for m in new.similar)
    for match in new.similar:
        assert f"`{match.id}` " in text
    assert "INC-2025-061" not in {m.id for m in new.similar}
    assert (
        "**Pattern:** `db-connection-pool-exhaustion` (Connection pool exhausted on checkout-api), "
        "runbook `runbooks/db-connection-pool-exhaustion.md`."
    ) in text
    assert "- `patterns.members.yml`: `db-connection-pool-exhaustion`: +INC-2025-061" in text
    assert "- `runbooks/db-connection-pool-exhaustion.md`: +1 source (INC-2025-061); changed:" in (
        text
    )
    assert "⚠️ Not regenerated in this branch yet:" in text

    assert invoke(root, "generate").exit_code == 0
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "learnloop generate")
    regenerated = invoke(root, "pr-summary", "--base", "main").stdout
    assert "These changes are part of this pull request." in regenerated
    assert "- `runbooks/db-connection-pool-exhaustion.md`: +1 source (INC-2025-061)" in regenerated
    sign_off = next(line for line in regenerated.splitlines() if "sign them off" in line)
    assert "`learnloop review " in sign_off
    assert "runbooks/db-connection-pool-exhaustion.md" in sign_off
    assert "patterns.yml" not in sign_off
    assert "runbooks/index.md" not in sign_off  # an index asks for no review
    assert "learnloop review** workflow" in sign_off

    git(root, "checkout", "-q", "main")
    git(root, "merge", "-q", "--no-ff", "-m", "Merge the post-mortem", "inc-2025-061")
    check = invoke(root, "generate", "--check")
    assert check.exit_code == 0, check.output
    assert invoke(root, "pr-summary", "--base", "main").stdout.count("#### New") == 0


def test_a_past_fix_made_with_commands_is_shown_as_a_code_block(tmp_path: Path):
    root = new_repo(tmp_path / "repo")
    fixed = incident_text(id="INC-2025-001").split("\n---\n", 1)[0] + (
        "\n---\n## Summary\nCheckout errors from an exhausted connection pool.\n\n"
        "## Resolution\nRaised the pool and restarted:\n\n"
        "```sh\nkubectl -n shop set env deploy/checkout-api DB_POOL=40\n"
        "echo '``` not a fence'\n```\n"
    )
    commit(root, {"incidents/1.md": fixed, ".gitignore": ".learnloop-cache/\n"}, "past")
    git(root, "checkout", "-q", "-b", "new-postmortem")
    (root / "incidents" / "2.md").write_text(
        incident_text(id="INC-2025-002", started_at="2025-02-01T10:00:00Z")
    )
    text = invoke(root, "pr-summary", "--base", "main").stdout
    block = [
        "   ````",
        "   kubectl -n shop set env deploy/checkout-api DB_POOL=40",
        "   echo '``` not a fence'",
        "   ````",
    ]
    lines = text.splitlines()
    start = lines.index(block[0])
    assert lines[start : start + 4] == block
