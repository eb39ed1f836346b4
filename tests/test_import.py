"""`learnloop import`: the JSON contract, idempotency, edits kept, bad input reported.

Statuspage fixtures follow Atlassian's Statuspage API reference (the incident object of
GET /v1/pages/{page_id}/incidents and of the public /api/v2/incidents.json).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.importing import DATA, body, front, incidents, invoke, reasons, run_import

STATUSPAGE = DATA / "statuspage" / "incidents.json"


def test_statuspage_page_imports_incidents_and_skips_maintenance(make_repo):
    root = make_repo({})
    result, out = run_import(root, STATUSPAGE)
    assert result.exit_code == 0, result.output
    assert set(out) >= {"imported", "updated", "unchanged", "skipped"}
    [entry] = out["imported"]
    assert entry["id"] == "SP-p31zjtct2jer"
    assert entry["path"] == "incidents/2024/2024-03-05-checkout-errors.md"
    assert entry["source"].endswith("incidents.json#p31zjtct2jer")
    assert reasons(out) == {
        "incidents.json#k8m2dz0b9v1x": "scheduled maintenance ('Database upgrade'), not an incident"
    }
    incident = incidents(root)["SP-p31zjtct2jer"]
    assert incident.severity == "P2"  # impact "major"
    assert incident.services == ("checkout-api",)  # the component
    assert incident.started_at.isoformat() == "2024-03-05T10:02:00+00:00"
    assert incident.detected_at.isoformat() == "2024-03-05T10:09:00+00:00"  # created_at
    assert incident.mitigated_at.isoformat() == "2024-03-05T10:40:00+00:00"  # monitoring
    assert incident.resolved_at.isoformat() == "2024-03-05T10:45:00+00:00"
    # The updates, oldest first, are the timeline; the HTML one converted, words kept.
    assert [e.text[:26] for e in incident.timeline] == [
        "Investigating — We are inv",
        "Monitoring — A fix has bee",
        "Resolved — The pool size w",
    ]
    assert "elevated errors" in incident.timeline[0].text
    assert "**elevated errors**" in incident.body  # the author's markup is kept in the file
    assert "connection pool was exhausted" in incident.section("root_cause")


def test_a_migrated_update_listing_timed_entries_is_a_timeline_of_its_own(make_repo, tmp_path):
    # As a page migrated from an older status site keeps it: one "resolved" update whose body
    # lists every entry with its time, and a resolution stamped at the first of them.
    listed = (
        "<ul><li><strong>2010-04-19 07:33:00</strong> - Some users report SSH failures."
        " We're investigating.</li><li><strong>2010-04-19 07:56:00</strong> - The SSH"
        " problem should be fixed: a reverse DNS problem made one file server misbehave."
        "</li></ul>"
    )
    incident = {
        "id": "hv8z8g3hxygd",
        "name": "Incident on 2010-04-19 07:33:00 UTC",
        "status": "resolved",
        "impact": "minor",
        "shortlink": "http://stspg.io/x",
        "created_at": "2010-04-19T07:33:00.000Z",
        "started_at": "2010-04-19T07:33:00.000Z",
        "resolved_at": "2010-04-19T07:33:00.000Z",
        "incident_updates": [
            {
                "id": "4hqn80hwhfcj",
                "status": "resolved",
                "body": listed,
                "created_at": "2018-12-05T11:24:45.671Z",
                "display_at": "2010-04-19T07:33:00.000Z",
                "affected_components": [{"name": "Git Operations"}],
            }
        ],
    }
    source = tmp_path / "migrated.json"
    source.write_text(json.dumps({"incident": incident}))
    root = make_repo({})
    result, _ = run_import(root, source)
    assert result.exit_code == 0, result.output
    (found,) = incidents(root).values()
    assert [(e.at.strftime("%H:%M"), e.text[:21]) for e in found.timeline] == [
        ("07:33", "Some users report SSH"),
        ("07:56", "The SSH problem shoul"),
    ]
    assert found.resolved_at.isoformat() == "2010-04-19T07:56:00+00:00"


def test_a_second_import_changes_nothing(make_repo):
    root = make_repo({})
    run_import(root, STATUSPAGE)
    path = root / "incidents/2024/2024-03-05-checkout-errors.md"
    before = path.read_bytes()
    result, out = run_import(root, STATUSPAGE)
    assert result.exit_code == 0
    assert out["imported"] == []
    assert out["updated"] == []
    assert [e["id"] for e in out["unchanged"]] == ["SP-p31zjtct2jer"]
    assert path.read_bytes() == before


def test_a_changed_source_updates_its_file(make_repo, tmp_path):
    root = make_repo({})
    source = tmp_path / "export.json"
    shutil.copy(STATUSPAGE, source)
    run_import(root, source)
    data = json.loads(source.read_text())
    data["incidents"][0]["impact"] = "critical"
    source.write_text(json.dumps(data))
    _result, out = run_import(root, source)
    assert [e["path"] for e in out["updated"]] == ["incidents/2024/2024-03-05-checkout-errors.md"]
    assert incidents(root)["SP-p31zjtct2jer"].severity == "P1"


def test_a_file_a_person_edited_is_never_written_over(make_repo, tmp_path):
    root = make_repo({})
    source = tmp_path / "export.json"
    shutil.copy(STATUSPAGE, source)
    run_import(root, source)
    path = root / "incidents/2024/2024-03-05-checkout-errors.md"
    edited = path.read_text().replace("## Timeline", "## Timeline\n\nA person's note.", 1)
    path.write_text(edited)
    # The same source: unchanged, and it says the file was edited.
    _, out = run_import(root, source)
    [entry] = out["unchanged"]
    assert "edited by a person" in entry["note"]
    # A changed source: skipped, with the reason, and nothing written.
    data = json.loads(source.read_text())
    data["incidents"][0]["name"] = "Checkout errors (updated)"
    source.write_text(json.dumps(data))
    result, out = run_import(root, source)
    assert out["updated"] == []
    assert "edited by a person since its import" in reasons(out)["export.json#p31zjtct2jer"]
    assert path.read_text() == edited
    assert result.exit_code == 0


def test_dry_run_writes_nothing_and_reports_the_same(make_repo):
    root = make_repo({})
    result, out = run_import(root, "--dry-run", STATUSPAGE)
    assert result.exit_code == 0
    assert [e["path"] for e in out["imported"]] == ["incidents/2024/2024-03-05-checkout-errors.md"]
    assert not (root / "incidents/2024").exists()


def test_bad_files_are_reported_with_their_path_and_the_rest_imports(make_repo):
    root = make_repo({})
    result, out = run_import(root, DATA / "statuspage")
    assert result.exit_code == 1  # broken inputs are problems
    found = reasons(out)
    assert found["truncated.json"].startswith(
        "truncated JSON: the document stops at line 1 before it closes"
    )
    assert found["malformed.json"].startswith("malformed JSON at line 1, column 27")
    assert [e["id"] for e in out["imported"]] == ["SP-p31zjtct2jer"]


def test_an_unknown_format_is_skipped_with_the_reason(make_repo, tmp_path):
    root = make_repo({})
    (tmp_path / "notes.json").write_text('{"hello": "world"}')
    (tmp_path / "data.yaml").write_text("a: 1\n")
    result, out = run_import(root, tmp_path)
    found = reasons(out)
    assert found["notes.json"].startswith("unknown format: JSON that is none of statuspage")
    assert found["data.yaml"] == "not an incident file (.yaml files are not imported)"
    assert result.exit_code == 1


def test_the_written_file_keeps_provenance_and_passes_check(make_repo):
    root = make_repo({})
    run_import(root, STATUSPAGE)
    text = (root / "incidents/2024/2024-03-05-checkout-errors.md").read_text()
    head = front(text)
    assert "imported_from:\n  format: statuspage\n  source: incidents.json#p31z" in head
    assert "  url: http://stspg.io/p31zjtct2jer\n  digest: sha256:" in head
    assert "  written: sha256:" in head
    assert body(text).lstrip().startswith("## Timeline")
    check = invoke(root, "check")
    assert check.exit_code == 0, check.output
    assert "unknown key" not in check.output


def test_help_lists_every_format():
    from click.testing import CliRunner

    from learnloop.cli import cli
    from learnloop.importers import FORMATS

    result = CliRunner().invoke(cli, ["import", "--help"], catch_exceptions=False)
    for fmt in FORMATS:
        assert f"  {fmt} " in result.output


def test_import_is_listed_among_the_commands():
    from click.testing import CliRunner

    from learnloop.cli import cli

    assert "import" in CliRunner().invoke(cli, ["--help"]).output


def test_ids_and_paths_never_collide(make_repo, tmp_path):
    root = make_repo({})
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "outage.md").write_text("# Outage\n\nOn 2024-01-02 it broke.\n")
    _, out = run_import(root, tmp_path)
    assert len(out["imported"]) == 2
    assert len({e["id"] for e in out["imported"]}) == 2
    assert len({e["path"] for e in out["imported"]}) == 2
    assert set(incidents(root)) == {e["id"] for e in out["imported"]}


def test_a_file_with_the_same_id_not_written_by_an_import_is_left_alone(make_repo):
    from tests.conftest import incident_text

    text = incident_text(id="SP-p31zjtct2jer")
    root = make_repo({"2024/mine.md": text})
    _, out = run_import(root, STATUSPAGE)
    assert (
        "was not written by an import; left as it is" in reasons(out)["incidents.json#p31zjtct2jer"]
    )
    assert (root / "incidents/2024/mine.md").read_text() == text


def test_secrets_and_personal_data_are_reported_as_check_reports_them(make_repo, tmp_path):
    root = make_repo({})
    source = tmp_path / "pm.md"
    source.write_text(
        "# Outage on 2024-02-03\n\nCall the on-call at +44 20 7946 0958 or ops@corp.io.\n"
    )
    result, out = run_import(root, source)
    codes = sorted(p["code"] for p in out["problems"] if p["code"] != "import")
    assert codes == ["email", "phone"]
    assert "incidents/2024/2024-02-03-outage-on-2024-02-03.md:" in result.stderr
    assert "warning: e-mail address" in result.stderr
    check = invoke(root, "check", "--format", "json")
    found = {p["code"] for p in json.loads(check.stdout)["problems"]}
    assert {"email", "phone"} <= found


def test_contract_sample_imports_and_checks(make_repo, tmp_path):
    # The post-mortem the contract check imports: severity from a bold field.
    (tmp_path / "2024-03-05-db-pool.md").write_text(
        "# Checkout outage, 5 March 2024\n\n**Severity**: SEV-2\n\n## Timeline (UTC)\n"
        "- 10:02 errors start on checkout-api\n- 10:09 alert fired\n"
        "- 10:40 pool size raised; resolved\n\n## Root cause\nThe pool was exhausted.\n"
    )
    root = make_repo({})
    result, out = run_import(root, "--format", "markdown", tmp_path)
    assert result.exit_code == 0
    [entry] = out["imported"]
    assert (root / entry["path"]).exists()
    incident = incidents(root)[entry["id"]]
    assert incident.severity == "P2"
    assert incident.started_at.isoformat() == "2024-03-05T10:02:00+00:00"
    assert invoke(root, "check").exit_code == 0
    _, again = run_import(root, "--format", "markdown", tmp_path)
    assert len(again["unchanged"]) == 1
    assert not again["imported"]
    assert not again["updated"]


def test_paths_are_relative_to_the_root(make_repo):
    root = make_repo({})
    _, out = run_import(root, STATUSPAGE)
    for entry in out["imported"]:
        assert not Path(entry["path"]).is_absolute()
        assert (root / entry["path"]).is_file()


@pytest.mark.slow
def test_github_status_history_end_to_end(shared_datasets, tmp_path):
    import subprocess

    from tests.test_site_build import make_learning_repo

    root = make_learning_repo(tmp_path / "site", with_incidents=False)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    source = shared_datasets / "github-status-history"
    files = list((source / "files" / "incidents").glob("*.json"))
    # How fast is measured in benchmarks/import_speed.py, never asserted here.
    result, out = run_import(root, source)
    assert result.exit_code == 0
    assert len(out["imported"]) == len(files) == 1282
    assert set(reasons(out)) == {"LICENSE", "SOURCE.md"}
    loaded = incidents(root)
    assert len(loaded) == 1282
    check = invoke(root, "check")
    assert check.exit_code == 0, check.output[-2000:]
    path = root / loaded["SP-pfsrq8bbt6bm"].path
    edited = path.read_text().replace("## Timeline", "## Timeline\n\nReviewed.", 1)
    path.write_text(edited)
    _, again = run_import(root, source)
    assert len(again["unchanged"]) == 1282
    assert not again["updated"]
    assert not again["imported"]
    assert path.read_text() == edited
    assert invoke(root, "generate").exit_code == 0
    built = invoke(root, "build")
    assert built.exit_code == 0, built.output[-2000:]


def test_learnloop_yml_maps_a_team_scale_and_names(make_repo):
    root = make_repo({})
    (root / "learnloop.yml").write_text(
        "import:\n  severity: {statuspage: {major: P0}}\n  services: {Checkout API: checkout}\n"
    )
    run_import(root, STATUSPAGE)
    incident = incidents(root)["SP-p31zjtct2jer"]
    assert incident.severity == "P0"
    assert incident.services == ("checkout",)


def test_import_settings_are_validated_together(make_repo):
    root = make_repo({})
    (root / "learnloop.yml").write_text(
        "import:\n  severity: {major: urgent}\n  default_severity: P9\n  colour: red\n"
    )
    result = invoke(root, "import", STATUSPAGE)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "learnloop.yml:4: error: import.colour: unknown setting; expected one of "
        "default_severity, services, severity, slack_channels",
        "learnloop.yml:2: error: import.severity.major: expected P0–P4 (or a format's own "
        "mapping), got 'urgent'",
        "learnloop.yml:3: error: import.default_severity: expected P0–P4, got 'P9'",
    ]


def test_broken_input_is_an_error_line_on_stderr(make_repo):
    root = make_repo({})
    result = invoke(root, "import", DATA / "statuspage" / "malformed.json")
    assert result.exit_code == 1
    [line] = result.stderr.splitlines()
    assert line.endswith("malformed.json: error: malformed JSON at line 1, column 27: "
                         "Expecting property name enclosed in double quotes")  # fmt: skip
    assert result.stdout.endswith("0 imported, 0 updated, 0 unchanged, 1 skipped\n")


_WINDOWS_NOTE = """# Checkout errors

Started 2024-03-05 14:02 UTC. The “payments” pool – all 50 connections – was exhausted.
"""


def test_files_saved_by_windows_tools_import_with_their_words(make_repo, tmp_path):
    # PowerShell's `>` writes UTF-16 with a byte-order mark; Word saves Windows-1252.
    src = tmp_path / "exports"
    src.mkdir()
    (src / "utf16.md").write_bytes(_WINDOWS_NOTE.replace("Checkout", "Cart").encode("utf-16"))
    (src / "cp1252.md").write_bytes(_WINDOWS_NOTE.encode("cp1252"))
    (src / "binary.md").write_bytes(b"\x93\x01\x02 garbage")
    root = make_repo({})
    result, out = run_import(root, src)
    assert reasons(out) == {"binary.md": "not UTF-8 text (byte 0x93 at offset 0)"}
    texts = {e["path"]: (root / e["path"]).read_text(encoding="utf-8") for e in out["imported"]}
    assert len(texts) == 2
    assert all("The “payments” pool – all 50 connections – was" in t for t in texts.values())
    warned = [p for p in out["problems"] if "Windows-1252" in p["message"]]
    assert [p["path"] for p in warned] == [
        e["path"] for e in out["imported"] if "checkout" in e["path"]
    ]
    assert warned[0]["message"].startswith("not UTF-8 (byte 0x93 at offset ")
    assert result.exit_code == 1  # the binary file is broken input
