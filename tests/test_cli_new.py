"""`learnloop new`: a post-mortem skeleton that passes `check` as written."""

from __future__ import annotations

from datetime import UTC, datetime

from click.testing import CliRunner

from learnloop.cli import cli
from learnloop.read import load_corpus
from learnloop.scaffold import new_incident, next_id, slugify
from tests.conftest import incident_text

SECTIONS = (
    "summary",
    "impact",
    "timeline",
    "detection",
    "root_cause",
    "whys",
    "contributing_factors",
    "resolution",
    "lessons",
    "action_items",
)


def test_new_writes_a_valid_post_mortem_with_every_section(make_repo):
    root = make_repo({})
    result = CliRunner().invoke(
        cli,
        [
            "--root",
            str(root),
            "new",
            "Checkout 5xx: pool exhausted",
            "--service",
            "checkout-api",
            "--service",
            "orders-db",
            "--severity",
            "sev1",
        ],
        catch_exceptions=False,
    )
    assert result.exit_code == 0
    relative = result.output.strip()
    assert relative.startswith("incidents/20")
    assert relative.endswith("-checkout-5xx-pool-exhausted.md")
    check = CliRunner().invoke(cli, ["--root", str(root), "check"], catch_exceptions=False)
    assert check.exit_code == 0, check.output
    [incident] = load_corpus(root).incidents
    assert incident.title == "Checkout 5xx: pool exhausted"
    assert incident.severity == "P1"
    assert incident.services == ("checkout-api", "orders-db")
    text = (root / relative).read_text()
    from learnloop.read.lexicon import shipped

    headings = [line[3:] for line in incident.body.splitlines() if line.startswith("## ")]
    assert {shipped().heading(h) for h in headings} >= set(SECTIONS) - {"action_items"}
    assert "yaml-language-server: $schema=" not in text  # no schema copy in this repo


def test_ids_are_fresh_and_unique(make_repo):
    root = make_repo({"a.md": incident_text(id="INC-2026-007")})
    now = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)
    first = new_incident(root, "Disk full", ("logs",), "P3", now)
    second = new_incident(root, "Disk full", ("logs",), "P3", now)
    assert first != second
    ids = sorted(i.id for i in load_corpus(root).incidents)
    assert ids == ["INC-2026-007", "INC-2026-008", "INC-2026-009"]


def test_ids_of_broken_files_are_not_reused(make_repo):
    root = make_repo({"a.md": incident_text(id="INC-2026-004", severity="nope")})
    path = new_incident(root, "T", ("s",), "P2", datetime(2026, 1, 2, tzinfo=UTC))
    assert "id: INC-2026-005" in path.read_text()


def test_bad_severity_is_a_usage_error(make_repo):
    root = make_repo({})
    result = CliRunner().invoke(cli, ["--root", str(root), "new", "T", "--severity", "urgent"])
    assert result.exit_code == 2
    assert "expected one of P0–P4" in result.output
    assert not list((root / "incidents").rglob("*.md"))


def test_template_points_editors_at_the_schema_when_the_repo_has_it(make_repo):
    root = make_repo({})
    schema = root / "generator/learnloop/schema/incident.schema.json"
    schema.parent.mkdir(parents=True)
    schema.write_text("{}")
    path = new_incident(root, "T", ("s",), "P2", datetime(2026, 1, 2, tzinfo=UTC))
    assert "# yaml-language-server: $schema=../../generator/learnloop/schema/" in path.read_text()


def test_helpers():
    assert slugify("Checkout 5xx after orders-api exhausted its pool!") == (
        "checkout-5xx-after-orders-api-exhausted-its-pool"
    )
    assert slugify("Ünïcode ✓") == "unicode"
    assert next_id({"INC-2025-031", "INC-2024-099"}, 2025) == "INC-2025-032"
    assert next_id(set(), 2027) == "INC-2027-001"
