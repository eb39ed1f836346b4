"""`learnloop review`: a sign-off written into the review block, nothing else touched, and
`generate --check` clean afterwards (also after a sign-off written by hand)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from learnloop.cli import cli
from tests.conftest import incident_text

RUNBOOK = "runbooks/db-pool.md"


def run(root: Path, *args: str):
    return CliRunner().invoke(cli, ["--root", str(root), *args], catch_exceptions=False)


@pytest.fixture
def repo(make_repo) -> Path:
    root = make_repo(
        {
            f"{n}.md": incident_text(
                id=f"INC-2025-00{n}",
                started_at=f"2025-01-1{n}T10:00:00Z",
                resolved_at=f"2025-01-1{n}T11:00:00Z",
                runbook_used="db-pool",
            )
            for n in range(1, 4)
        }
    )
    assert run(root, "generate").exit_code == 0
    assert (root / RUNBOOK).is_file()
    return root


def test_review_signs_off_and_keeps_every_other_byte(repo: Path):
    before = (repo / RUNBOOK).read_text()
    result = run(repo, "review", str(repo / RUNBOOK), "--by", "Priya Raman", "--at", "2025-02-01")
    assert result.exit_code == 0, result.output
    assert result.output == (f"signed off {RUNBOOK} by Priya Raman; next review due 2025-05-02\n")
    after = (repo / RUNBOOK).read_text()
    digest = next(ln for ln in before.splitlines() if ln.startswith("source_digest:")).split()[1]
    expected = before.replace(
        "review: {status: draft, by: null, at: null, digest: null}",
        f"review: {{status: reviewed, by: Priya Raman, at: 2025-02-01, digest: {digest}}}",
    )
    due = next(ln for ln in before.splitlines() if ln.startswith("review_due:"))
    expected = expected.replace(due, "review_due: 2025-05-02")
    assert after == expected
    check = run(repo, "generate", "--check")
    assert check.exit_code == 0, check.output
    stale = run(repo, "stale", "--today", "2025-02-02")
    assert RUNBOOK not in stale.output
    again = run(repo, "review", str(repo / RUNBOOK), "--by", "Priya Raman", "--at", "2025-02-01")
    assert again.output.startswith("already signed off")


def test_a_review_block_written_as_a_block_is_replaced_whole(repo: Path):
    path = repo / RUNBOOK
    text = path.read_text().replace(
        "review: {status: draft, by: null, at: null, digest: null}",
        "review:\n  status: draft   # ask Tomasz\n  by: null\n  at: null\n  digest: null",
    )
    path.write_text(text)
    assert run(repo, "review", str(path), "--by", "T", "--at", "2025-02-01").exit_code == 0
    after = path.read_text()
    assert "ask Tomasz" not in after
    assert after.count("\nreview: {status: reviewed, by: T, at: 2025-02-01, digest: sha256:") == 1
    assert after.split("\n---\n", 1)[1] == text.split("\n---\n", 1)[1]  # the body as it was


def test_generate_check_accepts_a_sign_off_written_by_hand(repo: Path):
    path = repo / RUNBOOK
    text = path.read_text()
    digest = next(ln for ln in text.splitlines() if ln.startswith("source_digest:")).split()[1]
    path.write_text(
        text.replace(
            "review: {status: draft, by: null, at: null, digest: null}",
            f"review: {{status: reviewed, by: Ana, at: 2025-03-01, digest: {digest}}}",
        )
    )
    check = run(repo, "generate", "--check")
    assert check.exit_code == 0, check.output
    assert f"note: {RUNBOOK}: review_due follows its new review" in check.output
    path.write_text(path.read_text().replace("**Meaning.**", "**Meaning, edited.**"))
    assert run(repo, "generate", "--check").exit_code == 1  # other drift is still drift


def test_the_reviewer_defaults_to_git_user_name(repo: Path):
    subprocess.run(["git", "-C", str(repo), "config", "user.name", "Lucas Pereira"], check=True)
    result = run(repo, "review", str(repo / RUNBOOK))
    assert result.exit_code == 0, result.output
    assert "by: Lucas Pereira," in (repo / RUNBOOK).read_text()


def test_only_generated_documents_are_reviewed(repo: Path):
    incident = next((repo / "incidents").glob("*.md"))
    result = run(repo, "review", str(incident), "--by", "X")
    assert result.exit_code == 1
    assert "only documents in runbooks/, kb/ and adr/ are reviewed" in result.output
    mine = repo / "runbooks" / "mine.md"
    mine.write_text("# A runbook written by hand\n")
    before = (repo / RUNBOOK).read_text()
    result = run(repo, "review", str(repo / RUNBOOK), str(mine), "--by", "X")
    assert result.exit_code == 1
    assert "runbooks/mine.md: not a document `learnloop generate` wrote" in result.output
    assert (repo / RUNBOOK).read_text() == before  # nothing is written when one file fails
