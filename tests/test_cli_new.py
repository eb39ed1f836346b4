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


def run_new(root, *args: str):
    result = CliRunner().invoke(cli, ["--root", str(root), "new", *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return root / result.output.strip()


def test_new_follows_the_teams_own_template(make_repo):
    root = make_repo({})
    (root / "incidents" / "_template.md").write_text(
        "---\n"
        "id: INC-YYYY-NNN\n"
        "title: What users saw, in one line\n"
        "started_at: YYYY-MM-DDTHH:MM:00Z   # when customers first noticed\n"
        "severity: P3\n"
        "services: [service-name]\n"
        "team: payments   # our own key\n"
        "---\n\n"
        "## Summary\n<!-- Our house style: one paragraph. -->\n\n"
        "## Timeline\nAll times UTC.\n- HH:MM — Incident began (YYYY-MM-DD).\n\n"
        "## Customer communication\n- Status page updated: …\n"
    )
    path = run_new(root, "Card payments declined", "--service", "payments-gateway",
                   "--severity", "P1", "--started", "2025-03-14T09:12Z")  # fmt: skip
    text = path.read_text()
    assert "started_at: 2025-03-14T09:12:00Z   # when customers first noticed\n" in text
    assert "team: payments   # our own key\n" in text
    assert "## Customer communication" in text
    assert "- 09:12 — Incident began (2025-03-14)." in text
    [incident] = load_corpus(root).incidents
    assert (incident.id, incident.title, incident.severity) == (
        "INC-2025-001",
        "Card payments declined",
        "P1",
    )
    assert incident.services == ("payments-gateway",)


def test_a_repo_made_by_init_gets_the_schema_line(tmp_path):
    from learnloop.commands import init

    root = tmp_path / "repo"
    init.init(root)
    path = run_new(root, "Disk full on logs", "--started", "2025-06-01")
    text = path.read_text()
    schema = "../../.learnloop/incident.schema.json"
    assert text.startswith(f"---\n# yaml-language-server: $schema={schema}\n")
    assert (path.parent / "../../.learnloop/incident.schema.json").resolve().is_file()
    assert path.name == "2025-06-01-disk-full-on-logs.md"
    assert "started_at: '2025-06-01'" in text
    check = CliRunner().invoke(cli, ["--root", str(root), "check"], catch_exceptions=False)
    assert check.exit_code == 0, check.output


def test_started_names_numbers_and_dates_the_file(make_repo):
    root = make_repo({"a.md": incident_text(id="INC-2024-041")})
    (root / "learnloop.yml").write_text("timezone: Europe/Paris\n")
    path = run_new(root, "Checkout down", "--started", "2024-12-30 23:40")
    assert path.relative_to(root).as_posix() == "incidents/2024/2024-12-30-checkout-down.md"
    text = path.read_text()
    assert "id: INC-2024-042\n" in text
    assert "started_at: 2024-12-30T23:40:00+01:00" in text
    assert "- 23:40 — Incident began." in text


def test_a_bad_start_is_a_usage_error(make_repo):
    root = make_repo({})
    result = CliRunner().invoke(cli, ["--root", str(root), "new", "T", "--started", "yesterday"])
    assert result.exit_code == 2
    assert "--started: expected a date or a time" in result.output


def test_long_titles_are_cut_between_words():
    title = "Checkout returned errors for every customer because the orders database refused"
    slug = slugify(title)
    assert len(slug) <= 60
    assert title.lower().replace(" ", "-").startswith(slug + "-")
    assert slug == "checkout-returned-errors-for-every-customer-because-the"
    assert slugify("x" * 80) == "x" * 60


def test_new_and_init_files_are_readable_by_everyone(tmp_path, monkeypatch):
    import os
    import stat

    from learnloop.commands import init

    old = os.umask(0o022)
    try:
        root = tmp_path / "repo"
        init.init(root)
        path = new_incident(root, "Disk full", ("logs",), "P3", datetime(2026, 1, 2, tzinfo=UTC))
    finally:
        os.umask(old)
    written = [path, *(p for p in root.rglob("*") if p.is_file())]
    for file in written:
        assert stat.S_IMODE(file.stat().st_mode) == 0o644, file


def test_generated_files_are_readable_by_everyone(make_repo):
    import os
    import stat

    from tests.test_patterns import corpus

    root = make_repo(corpus())
    old = os.umask(0o022)
    try:
        result = CliRunner().invoke(cli, ["--root", str(root), "generate"])
    finally:
        os.umask(old)
    assert result.exit_code == 0, result.output
    written = [
        p for folder in ("runbooks", "kb", "adr") for p in (root / folder).rglob("*") if p.is_file()
    ]
    assert written
    for path in [*written, root / "patterns.yml", root / "patterns.members.yml"]:
        assert stat.S_IMODE(path.stat().st_mode) == 0o644, path
