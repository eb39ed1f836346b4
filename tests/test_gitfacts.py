"""Git facts from real repositories in tmp_path: first commit, authors, reviews, deploy logs."""

from __future__ import annotations

import os
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from learnloop import gitfacts
from learnloop.analyze.changes import CONFIG_CHANGE, DEPLOY, Change
from learnloop.gitfacts import FileFacts


def git(root: Path, *args: str, when: str = "2025-03-14T12:00:00Z", who: str = "Ana") -> None:
    """Run git in root as `who`, with author and commit times fixed to `when`."""
    env = dict(os.environ, GIT_AUTHOR_DATE=when, GIT_COMMITTER_DATE=when)
    subprocess.run(
        ["git", "-c", f"user.name={who}", "-c", f"user.email={who.lower()}@example.com", *args],
        cwd=root,
        env=env,
        check=True,
        capture_output=True,
    )


def commit(root: Path, files: dict[str, str], message: str, **kw: str) -> None:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    git(root, "add", "-A", **kw)
    git(root, "commit", "-q", "-m", message, **kw)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def new_repo(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q", "-b", "main")
    return path


def test_outside_a_git_repository_the_facts_are_empty(tmp_path: Path):
    (tmp_path / "incidents").mkdir()
    facts = gitfacts.collect(tmp_path, ["incidents/a.md"], ["runbooks/x.md"])
    assert not facts.available
    assert facts.of("incidents/a.md") == FileFacts("incidents/a.md")
    assert facts.of("runbooks/x.md").last_review is None


def test_a_repository_without_commits_gives_empty_facts(tmp_path: Path):
    root = new_repo(tmp_path / "repo")
    (root / "incidents").mkdir()
    (root / "incidents" / "a.md").write_text("x")
    facts = gitfacts.collect(root, ["incidents/a.md"])
    assert facts.available
    assert facts.of("incidents/a.md") == FileFacts("incidents/a.md")


def test_first_commit_authors_and_last_change(tmp_path: Path):
    root = new_repo(tmp_path / "repo")
    commit(root, {"incidents/a.md": "one"}, "add a", when="2025-03-15T10:00:00Z", who="Ana")
    commit(root, {"incidents/b.md": "b"}, "add b", when="2025-03-16T10:00:00Z", who="Ben")
    commit(root, {"incidents/a.md": "two"}, "edit a", when="2025-03-20T08:30:00Z", who="Chloé")
    (root / "incidents" / "draft.md").write_text("not committed")
    facts = gitfacts.collect(root, ["incidents/a.md", "incidents/b.md", "incidents/draft.md"])
    a = facts.of("incidents/a.md")
    assert a.first_commit == at("2025-03-15T10:00:00+00:00")
    assert a.last_change == at("2025-03-20T08:30:00+00:00")
    assert a.authors == ("Ana", "Chloé")
    assert a.commits == 2
    assert facts.of("incidents/b.md").authors == ("Ben",)
    assert facts.of("incidents/draft.md") == FileFacts("incidents/draft.md")
    assert [f.path for f in facts.files] == sorted(f.path for f in facts.files)


def test_a_renamed_post_mortem_keeps_its_first_commit(tmp_path: Path):
    root = new_repo(tmp_path / "repo")
    text = "---\nid: INC-1\n---\n" + "a long enough body for rename detection\n" * 5
    commit(root, {"incidents/old-name.md": text}, "add", when="2025-01-01T00:00:00Z")
    (root / "incidents" / "2025").mkdir()
    git(root, "mv", "incidents/old-name.md", "incidents/2025/new-name.md")
    git(root, "commit", "-q", "-m", "move", when="2025-02-01T00:00:00Z", who="Ben")
    facts = gitfacts.collect(root, ["incidents/2025/new-name.md"])
    moved = facts.of("incidents/2025/new-name.md")
    assert moved.first_commit == at("2025-01-01T00:00:00+00:00")
    assert moved.authors == ("Ana", "Ben")


def test_a_learning_repo_in_a_subfolder_of_a_git_repository(tmp_path: Path):
    top = new_repo(tmp_path / "mono")
    commit(top, {"ops/learning/incidents/a.md": "a"}, "add", when="2025-05-01T09:00:00+02:00")
    facts = gitfacts.collect(top / "ops" / "learning", ["incidents/a.md"])
    assert facts.of("incidents/a.md").first_commit == at("2025-05-01T09:00:00+02:00")


RUNBOOK = """\
---
generated_by: learnloop
kind: runbook
sources: [{sources}]
review: {review}
---
# Runbook
"""
DRAFT = "{status: draft, by: null, at: null, digest: null}"
SIGNED = "{status: reviewed, by: dana, at: 2025-04-02, digest: 'sha256:1'}"


def test_the_last_review_is_the_last_commit_that_changed_the_review_line(tmp_path: Path):
    root = new_repo(tmp_path / "repo")
    path = "runbooks/x.md"
    commit(root, {path: RUNBOOK.format(sources="INC-1", review=DRAFT)}, "generate")
    facts = gitfacts.collect(root, [], [path])
    assert facts.of(path).last_review is None  # being created is not being reviewed
    signed = RUNBOOK.format(sources="INC-1", review=SIGNED)
    commit(root, {path: signed}, "review", when="2025-04-02T15:00:00Z", who="Dana")
    regenerated = RUNBOOK.format(sources="INC-1, INC-2", review=SIGNED)
    commit(root, {path: regenerated}, "regenerate", when="2025-05-01T00:00:00Z", who="Bot")
    facts = gitfacts.collect(root, [], [path])
    assert facts.of(path).last_review == at("2025-04-02T15:00:00+00:00")
    assert facts.of(path).last_reviewer == "Dana"
    assert facts.of(path).last_change == at("2025-05-01T00:00:00+00:00")


def test_deploys_from_the_commits_of_a_service_branch(tmp_path: Path):
    root = new_repo(tmp_path / "orders-api")
    commit(root, {"app.py": "1"}, "feat: first", when="2025-03-01T10:00:00Z", who="Ana")
    commit(root, {"settings.yaml": "pool: 20"}, "config: pool size 20", when="2025-03-02T10:00:00Z")
    commit(
        root,
        {"app.py": "2"},
        "Raise limits\n\nChange-Kind: config-change",
        when="2025-03-03T10:00:00Z",
        who="Ben",
    )
    found = gitfacts.changes_from_commits(root, "main", "orders-api")
    assert [(c.at.date().isoformat(), c.service, c.kind, c.by) for c in found] == [
        ("2025-03-01", "orders-api", DEPLOY, "Ana"),
        ("2025-03-02", "orders-api", CONFIG_CHANGE, "Ana"),
        ("2025-03-03", "orders-api", CONFIG_CHANGE, "Ben"),
    ]
    assert all(c.ref and len(c.ref) >= 7 for c in found)


def test_deploys_from_a_gitops_repository_one_folder_per_service(tmp_path: Path):
    root = new_repo(tmp_path / "deploy")
    commit(root, {"README.md": "x"}, "docs", when="2025-03-01T09:00:00Z")
    commit(
        root,
        {"checkout-api/values.yaml": "1", "orders-api/values.yaml": "1"},
        "release both",
        when="2025-03-01T10:00:00Z",
    )
    git(root, "checkout", "-q", "-b", "feature", when="2025-03-02T09:00:00Z")
    commit(root, {"orders-api/values.yaml": "2"}, "bump", when="2025-03-02T10:00:00Z")
    git(root, "checkout", "-q", "main")
    git(root, "merge", "-q", "--no-ff", "-m", "merge", "feature", when="2025-03-02T11:00:00Z")
    found = gitfacts.changes_from_commits(root, "main")
    assert [(c.at, c.service) for c in found] == [
        (datetime(2025, 3, 1, 10, tzinfo=UTC), "checkout-api"),
        (datetime(2025, 3, 1, 10, tzinfo=UTC), "orders-api"),
        # The merge is the deploy: first-parent history, at the time it landed.
        (datetime(2025, 3, 2, 11, tzinfo=UTC), "orders-api"),
    ]


def test_no_deploys_from_a_folder_that_is_not_a_repository(tmp_path: Path):
    assert gitfacts.changes_from_commits(tmp_path) == []
    assert isinstance(Change(datetime(2025, 1, 1, tzinfo=UTC), "s", DEPLOY), Change)
