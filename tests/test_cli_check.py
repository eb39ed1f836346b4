"""`learnloop check` through Click's runner: exit codes, exact messages, the three formats."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from learnloop.cli import cli
from tests.conftest import incident_text


def run(root: Path, *args: str):
    return CliRunner().invoke(cli, ["--root", str(root), *args], catch_exceptions=False)


def test_clean_corpus_prints_one_summary_line_and_exits_0(make_repo):
    root = make_repo({"a.md": incident_text()})
    result = run(root, "check")
    assert result.exit_code == 0
    assert result.output == "checked 1 file: 1 incident loaded, 0 errors, 0 warnings\n"


def test_bad_severity_exits_1_with_path_line_and_hint(make_repo):
    root = make_repo(
        {"good.md": incident_text(), "bad.md": incident_text(id="B", severity="urgent")}
    )
    result = run(root, "check")
    assert result.exit_code == 1
    assert result.output == (
        "incidents/bad.md:6: error: severity: expected one of P0–P4 (or SEV0–SEV4), got 'urgent'\n"
        "  Hint: write P0–P4 (SEV0–SEV4, sev1 and S1 are accepted too)\n"
        "checked 2 files: 1 incident loaded, 1 error, 0 warnings\n"
    )


BAD_INPUTS = {
    "invalid-yaml": (incident_text().replace("severity: P2", "severity: [P2"), "invalid YAML"),
    "unterminated": ("---\nid: X\ntitle: t\n", "front matter is not terminated"),
    "missing-key": (incident_text(services=None), "services: required key is missing"),
    "wrong-type": (incident_text(title="[a, b]"), "title: expected text, got a list"),
    "bad-severity": (incident_text(severity="urgent"), "severity: expected one of"),
    "bad-time": (incident_text(resolved_at="soon"), "cannot read 'soon' as a timestamp"),
    "impossible-time": (incident_text(resolved_at="2025-01-09T00:00:00Z"), "is before started_at"),
    "unsafe-id": (incident_text(id='"../x"'), "is not a safe file and URL name"),
    "empty": ("", "file is empty"),
    "not-utf8": (b"---\nid: \xff\n---\n", "is not UTF-8"),
    "alias-bomb": (
        "---\na: &a [1,1,1,1,1,1,1,1,1,1]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
        "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
        "e: [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\n---\n",
        "aliases (&/*) are refused",
    ),
    "huge-title": (incident_text(title="t" * 4000), "title: 4000 characters is too long"),
    "huge-file": (incident_text() + "x" * 3_000_000, "the limit is 1024 KB"),
    "secret": (incident_text() + "\nkey AKIAQ3EGRT5XKZ7MB2LP leaked\n", "AWS access key"),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_each_kind_of_bad_input_exits_1_naming_the_file(make_repo, case: str):
    content, expected = BAD_INPUTS[case]
    root = make_repo({"ok.md": incident_text(id="OK"), f"{case}.md": content})
    result = run(root, "check")
    assert result.exit_code == 1, result.output
    lines = [line for line in result.output.splitlines() if expected in line]
    assert lines, result.output
    assert lines[0].startswith(f"incidents/{case}.md:")
    assert "Traceback" not in result.output


def test_duplicate_ids_name_both_files(make_repo):
    root = make_repo({"a.md": incident_text(), "b.md": incident_text()})
    result = run(root, "check")
    assert result.exit_code == 1
    assert "incidents/b.md:2: error: id: 'INC-2025-001' is already used by incidents/a.md:2" in (
        result.output
    )


def test_personal_data_is_a_warning_and_does_not_fail(make_repo):
    root = make_repo({"a.md": incident_text() + "\nCall the reporter at jane.doe@shopmail.com\n"})
    result = run(root, "check")
    assert result.exit_code == 0
    assert "incidents/a.md:19: warning: e-mail address" in result.output
    assert "1 warning" in result.output


def test_json_format(make_repo):
    root = make_repo({"a.md": incident_text(), "b.md": incident_text(id="B", severity="urgent")})
    result = run(root, "check", "--format", "json")
    assert result.exit_code == 1
    payload = json.loads(result.output)
    assert payload["errors"] == 1
    assert payload["incidents"] == 1
    [problem] = payload["problems"]
    assert problem["path"] == "incidents/b.md"
    assert problem["line"] == 6
    assert problem["level"] == "error"


def test_github_format_is_workflow_annotations(make_repo):
    root = make_repo({"b.md": incident_text(severity="urgent")})
    result = run(root, "check", "--format", "github")
    first = result.output.splitlines()[0]
    assert first.startswith("::error file=incidents/b.md,line=6,title=learnloop invalid::severity:")
    assert "%0AHint: write P0–P4" in first


def test_check_given_paths_checks_only_those(make_repo):
    root = make_repo({"a.md": incident_text(), "b.md": incident_text(id="B", severity="x")})
    result = run(root, "check", str(root / "incidents" / "a.md"))
    assert result.exit_code == 0
    assert result.output.startswith("checked 1 file")


def test_unknown_format_is_a_usage_error(make_repo):
    root = make_repo({"a.md": incident_text()})
    result = CliRunner().invoke(cli, ["--root", str(root), "check", "--format", "xml"])
    assert result.exit_code == 2
    assert "Invalid value for '--format'" in result.output


def test_invalid_settings_are_all_reported_at_once(make_repo):
    root = make_repo({"a.md": incident_text()})
    (root / "learnloop.yml").write_text(
        "review_period_days: -3\ncost:\n  engineer_hourly_usd: lots\ncolour: blue\n"
    )
    result = CliRunner().invoke(cli, ["--root", str(root), "check"])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "learnloop.yml:4: error: colour: unknown setting; expected one of blameless, clustering, "
        "codeowners, communication, cost, failure_modes, feedback, import, privacy, reader, "
        "review_period_days, services, site, themes, timezone",
        "learnloop.yml:1: error: review_period_days: expected a non-negative number, got -3",
        "learnloop.yml:3: error: cost.engineer_hourly_usd: expected a non-negative number, "
        "got 'lots'",
    ]


def test_alerts_without_a_runbook_are_reported_on_request(make_repo):
    text = incident_text(detection="{method: alert, source: 'alertmanager: DiskAlmostFullWarning'}")
    root = make_repo({"a.md": text})
    (root / "runbooks").mkdir()
    (root / "runbooks" / "alerts.md").write_text(
        "# Runbooks by alert\n\n## CheckoutHighErrorRate\n\n- [Pool](db-pool.md)\n\n"
        "## DiskAlmostFullWarning\n\n- No runbook yet: the incidents that fired it are one-offs.\n"
    )
    plain = run(root, "check")
    assert "no runbook" not in plain.output
    result = run(root, "check", "--alerts")
    assert result.exit_code == 0
    assert "incidents/a.md:8: warning: alert DiskAlmostFullWarning has no runbook yet" in (
        result.output
    )
    assert "CheckoutHighErrorRate has no runbook" not in result.output


def test_a_missing_root_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(cli, ["--root", str(tmp_path / "nowhere"), "check"])
    assert result.exit_code == 2
    assert "does not exist" in result.output


@pytest.mark.parametrize(("bad", "code"), [(False, 0), (True, 1)])
def test_the_entry_point_keeps_the_exit_code_and_output(make_repo, bad: bool, code: int):
    # The console entry point, as a user runs it (click's own runner never gets here).
    import subprocess
    import sys

    files = {"a.md": incident_text(severity="urgent" if bad else "P2")}
    root = make_repo(files)
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "from learnloop.cli import main; main()",
            "--root",
            str(root),
            "check",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == code
    assert done.stdout.endswith(f"{'1 error' if bad else '0 errors'}, 0 warnings\n")
    assert done.stdout.startswith("incidents/a.md:6: error" if bad else "checked 1 file")


# --- runbook_used ------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["none", "None", "n/a", "'-'", "no"])
def test_no_runbook_written_in_words_is_no_runbook(make_repo, value):
    from learnloop.analyze.analysis import analyze_repo
    from learnloop.load import load_corpus

    root = make_repo(
        {
            f"{n}.md": incident_text(id=f"INC-{n}", runbook_used=value)
            for n in range(1, 4)  # three alike: a pattern the responders would have named
        }
    )
    assert all(i.runbook_used is None for i in load_corpus(root).incidents)
    assert run(root, "check").exit_code == 0
    patterns = analyze_repo(root).patterns.patterns
    assert patterns
    assert all(p.id not in ("none", "n-a", "no") for p in patterns)
    assert run(root, "generate").exit_code == 0
    assert not (root / "runbooks" / f"{value.strip(chr(39)).lower()}.md").exists()


def test_an_unknown_runbook_is_named_with_the_close_ones(make_repo):
    root = make_repo(
        {
            "a.md": incident_text(runbook_used="db-conection-pool"),
            "b.md": incident_text(id="B", runbook_used="db-connection-pool"),
        }
    )
    (root / "runbooks").mkdir()
    (root / "runbooks" / "db-connection-pool.md").write_text("# Pool\n")
    (root / "runbooks" / "index.md").write_text("# Runbooks\n")
    result = run(root, "check")
    assert result.exit_code == 0  # a warning: the runbook may be written by hand later
    assert result.output == (
        "incidents/a.md:8: warning: runbook_used: no runbook is named 'db-conection-pool'\n"
        "  Hint: did you mean 'db-connection-pool'? Name the runbook you followed (a file in "
        "runbooks/, without .md); remove the key, or write `runbook_used: none`, when no "
        "runbook was used\n"
        "checked 2 files: 2 incidents loaded, 0 errors, 1 warning\n"
    )


# --- check --public ----------------------------------------------------------------------


def test_check_public_fails_on_what_a_public_build_refuses(make_repo):
    text = incident_text().replace("## Summary\n", "## Summary\nThe pod at 10.0.12.7 crashed.\n")
    root = make_repo({"a.md": text})
    plain = run(root, "check")
    assert plain.exit_code == 0  # personal data is a warning for the internal site
    assert "warning: " in plain.output
    public = run(root, "check", "--public")
    assert public.exit_code == 1
    assert "error: " in public.output
    assert "a public build (`learnloop build --public`) refuses it" in public.output
    assert "privacy.allow" in public.output
    build = run(root, "build", "--public")
    assert build.exit_code == 1
    assert "privacy.allow" in build.output
    (root / "learnloop.yml").write_text("privacy:\n  allow: ['10\\.0\\.12\\.7']\n")
    assert run(root, "check", "--public").exit_code == 0


def test_check_public_in_github_format_annotates_errors(make_repo):
    text = incident_text().replace(
        "## Summary\n", "## Summary\nMail priya.raman@shopcorp.io now.\n"
    )
    root = make_repo({"a.md": text})
    result = run(root, "check", "--public", "--format", "github")
    assert result.exit_code == 1
    assert result.output.startswith("::error file=incidents/a.md,line=")
    assert "privacy.allow" in result.output
