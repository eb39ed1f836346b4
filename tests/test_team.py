"""`report --team NAME`: a team's patterns, overdue actions and documents to review, each
checked against what the incidents, the catalog and CODEOWNERS say."""

from __future__ import annotations

import json
import re
import shutil
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from learnloop.analyze.actions import status_on
from learnloop.cli import cli
from learnloop.read import load_corpus
from learnloop.write import front_matter

parser = pytest.importorskip("codeowners")
DBA = {"cart-db", "inventory-db", "orders-db"}


def invoke(root: Path, *args: str):
    return CliRunner().invoke(cli, ["--root", str(root), *args], catch_exceptions=False)


def digest(root: Path, *args: str) -> dict:
    result = invoke(root, "report", "--team", "dba-team", "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_the_digest_counts_the_teams_incidents(owned: Path):
    data = digest(owned)
    incidents = load_corpus(owned).incidents
    today = max(i.started_at.date() for i in incidents)
    mine = [i for i in incidents if DBA & set(i.services)]
    assert data["services"] == sorted(DBA)
    assert data["incident_count"] == len(mine)
    assert data["ttr_minutes"]["n"] <= len(mine)
    assert data["today"] == today.isoformat()
    since = digest(owned, "--since", "90d")
    assert since["incident_count"] == sum((today - i.started_at.date()).days <= 90 for i in mine)


def test_overdue_items_are_the_teams_and_past_due(owned: Path):
    data = digest(owned)
    incidents = load_corpus(owned).incidents
    today = date.fromisoformat(data["today"])
    expected = set()
    for incident in incidents:
        if incident.started_at.date() > today:
            continue
        for item in incident.action_items:
            late = status_on(item, today) == "open" and item.due is not None and item.due < today
            ours = item.owner == "dba-team" or (item.owner is None and DBA & set(incident.services))
            if late and ours:
                expected.add((incident.id, item.id))
    got = {(r["incident"], r["id"]) for r in data["overdue_items"]}
    assert got == expected
    assert got  # the bundled corpus has overdue dba-team items
    days = [r["overdue_days"] for r in data["overdue_items"]]
    assert days == sorted(days, reverse=True)


def test_patterns_and_documents_are_those_codeowners_routes_to_the_team(owned: Path):
    data = digest(owned)
    owners = parser.CodeOwners((owned / ".github" / "CODEOWNERS").read_text())
    for pattern in data["patterns"]:
        assert "@shop/dba-team" in [n for _, n in owners.of(pattern["runbook"])]
    routed = set()
    for folder in ("runbooks", "kb"):
        for path in (owned / folder).rglob("*.md"):
            rel = path.relative_to(owned).as_posix()
            if "@shop/dba-team" in [n for _, n in owners.of(rel)]:
                routed.add(rel)
    assert data["documents"] == len(routed)
    assert {d["path"] for d in data["stale_documents"]} <= routed
    runbooks = {p["runbook"] for p in data["patterns"]}
    assert runbooks == {p for p in routed if p.startswith("runbooks/")}


def test_a_reviewed_document_leaves_the_list(owned: Path, tmp_path: Path):
    root = tmp_path / "repo"
    shutil.copytree(owned, root)
    before = digest(root)["stale_documents"]
    path = root / before[0]["path"]
    text = path.read_text()
    front, _ = front_matter.split_existing(text)
    signed = re.sub(
        r"(?m)^review: .*$",
        f"review: {{status: reviewed, by: dba, at: {digest(root)['today']}, "
        f"digest: '{front['source_digest']}'}}",
        text,
        count=1,
    )
    path.write_text(signed)
    after = digest(root)["stale_documents"]
    assert before[0]["path"] not in {d["path"] for d in after}
    assert len(after) == len(before) - 1


def test_markdown_has_the_teams_sections(owned: Path):
    result = invoke(owned, "report", "--owner", "dba-team")
    assert result.exit_code == 0
    headings = re.findall(r"(?m)^## .+$", result.output)
    assert headings == [
        "## Summary",
        "## Its patterns",
        "## Its overdue action items",
        "## Its documents to review",
    ]
    assert result.output.startswith("# Team digest: dba-team\n")


def test_a_kind_with_team_reports_on_the_teams_services(owned: Path):
    result = invoke(owned, "report", "technical", "--team", "@shop/search", "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.output)["filters"]["services"] == ["search-api"]


def test_unknown_team_and_bad_combinations_are_usage_errors(owned: Path):
    result = CliRunner().invoke(cli, ["--root", str(owned), "report", "--team", "nobody"])
    assert result.exit_code == 2
    assert "no service in learnloop.yml is owned by 'nobody'; owners: @shop/search" in (
        result.output
    )
    result = CliRunner().invoke(cli, ["--root", str(owned), "report"])
    assert result.exit_code == 2
    assert "give a report (executive, technical, monthly) or --team NAME" in result.output
    both = ["report", "technical", "--team", "dba-team", "--services", "kafka"]
    result = CliRunner().invoke(cli, ["--root", str(owned), *both])
    assert result.exit_code == 2
