"""`learnloop init`: what it writes, what it refuses, and that a second run changes nothing."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from learnloop.cli import cli
from learnloop.commands import init
from learnloop.load import load_bytes, load_corpus
from learnloop.settings import Settings, from_mapping
from tests.conftest import REPO

cli.add_command(init.command)

TEMPLATES = Path(init.__file__).resolve().parent.parent / "templates"
# The site's files come from the templates, which a test below keeps equal to this repo's.
EXPECTED = sorted(
    [
        ".github/workflows/learnloop-pr-comment.yml",
        ".github/workflows/learnloop-pr.yml",
        ".github/workflows/learnloop-publish.yml",
        ".github/workflows/learnloop-review.yml",
        ".github/workflows/learnloop-monthly-review.yml",
        ".gitignore",
        ".learnloop/incident.schema.json",
        "README.md",
        "adr/.gitkeep",
        "incidents/_template.md",
        "kb/.gitkeep",
        "learnloop.yml",
        "runbooks/.gitkeep",
        *init.site_templates(),
    ]
)


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def git_repo(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", "-b", "main", str(path)], check=True)
    return path


def snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under root (not .git) with its bytes and modification time."""
    return {
        p.relative_to(root).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(root).parts[:1]
    }


def files(root: Path) -> list[str]:
    return sorted(snapshot(root))


def test_site_templates_are_this_repositorys_site_files():
    templates = init.site_templates()
    ours = {
        p.relative_to(REPO).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted((REPO / "docs").rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }
    ours["mkdocs.yml"] = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    assert sorted(templates) == sorted(ours), (
        "the files of docs/ differ from generator/learnloop/templates/site/docs/; "
        "copy them over so that `learnloop init` writes this repository's site"
    )
    for rel, text in ours.items():
        assert templates[rel] == text, f"{rel} differs from templates/site/{rel}; copy it over"


def test_init_writes_a_learning_repo(tmp_path: Path):
    root = git_repo(tmp_path / "repo")
    result = invoke("--root", str(root), "init")
    assert result.exit_code == 0
    assert files(root) == EXPECTED
    assert result.stdout.splitlines()[: len(EXPECTED)] == [f"created {p}" for p in EXPECTED]
    assert f"{len(EXPECTED)} created, 0 replaced, 0 appended, 0 already in place" in result.stdout
    assert result.stderr == ""
    assert (root / ".gitignore").read_text() == (
        "# learnloop: the built site, its staging folders and the analysis cache\n"
        "site/\n.learnloop-cache/\n.learnloop-site-*/\n"
    )
    readme = (root / "README.md").read_text()
    assert readme.startswith("# Incidents\n\n<!-- learnloop:begin readme -->\n")
    assert readme.endswith("<!-- learnloop:end readme -->\n")


def test_a_second_run_changes_nothing(tmp_path: Path):
    root = git_repo(tmp_path / "repo")
    invoke("init", str(root))
    before = snapshot(root)
    result = invoke("init", str(root))
    assert result.exit_code == 0
    assert result.stdout == f"already a learning repo: all {len(EXPECTED)} files in place\n"
    assert snapshot(root) == before


def test_init_makes_the_directory_and_says_when_it_is_not_a_git_repo(tmp_path: Path):
    root = tmp_path / "new" / "place"
    result = invoke("init", str(root))
    assert result.exit_code == 0
    assert files(root) == EXPECTED
    assert result.stderr.startswith(f"note: {root} is not a git repository; run `git init`")


def test_differing_site_files_are_refused_and_nothing_is_written(tmp_path: Path):
    root = git_repo(tmp_path / "repo")
    (root / "mkdocs.yml").write_text("site_name: ours\n")
    (root / ".github" / "workflows").mkdir(parents=True)
    (root / ".github" / "workflows" / "learnloop-pr.yml").write_text("name: ours\n")
    result = invoke("init", str(root))
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: these files exist and differ from learnloop's, so nothing was written: "
        ".github/workflows/learnloop-pr.yml, mkdocs.yml\n"
        "Hint: `learnloop init --force` replaces them (commit your version first)\n"
    )
    assert files(root) == [".github/workflows/learnloop-pr.yml", "mkdocs.yml"]


def test_force_replaces_site_files_but_never_the_teams_own(tmp_path: Path):
    root = git_repo(tmp_path / "repo")
    (root / "mkdocs.yml").write_text("site_name: ours\n")
    (root / "learnloop.yml").write_text("review_period_days: 30\n")
    (root / "incidents").mkdir()
    (root / "incidents" / "_template.md").write_text("our template\n")
    result = invoke("init", "--force", str(root))
    assert result.exit_code == 0
    assert "replaced mkdocs.yml" in result.stdout.splitlines()
    assert (root / "mkdocs.yml").read_text() == init.site_templates()["mkdocs.yml"]
    assert (root / "learnloop.yml").read_text() == "review_period_days: 30\n"
    assert (root / "incidents" / "_template.md").read_text() == "our template\n"


def test_an_existing_readme_and_gitignore_get_appended_to_once(tmp_path: Path):
    root = git_repo(tmp_path / "repo")
    (root / "README.md").write_text("# Payments\n\nOur service.\n")
    (root / ".gitignore").write_text("node_modules/\nsite/\n")
    result = invoke("init", str(root))
    assert "appended to README.md" in result.stdout.splitlines()
    readme = (root / "README.md").read_text()
    assert readme.startswith("# Payments\n\nOur service.\n\n<!-- learnloop:begin readme -->\n")
    assert (root / ".gitignore").read_text() == (
        "node_modules/\nsite/\n\n# learnloop: the built site, its staging folders and the "
        "analysis cache\n.learnloop-cache/\n.learnloop-site-*/\n"
    )
    # The section is the team's now: edited, it stays as it is.
    (root / "README.md").write_text(readme.replace("learning loop", "feedback loop"))
    before = snapshot(root)
    invoke("init", str(root))
    assert snapshot(root) == before


def test_the_settings_template_holds_every_default_commented_out():
    text = init.settings_template()
    assert yaml.safe_load(text) is None  # as written, nothing is set
    lines = [line[2:] for line in text.splitlines() if line.startswith("# ")]
    uncommented = from_mapping(yaml.safe_load("\n".join(lines)))
    defaults = dataclasses.replace(Settings(), distance_threshold=0.8)  # the example value
    assert uncommented == defaults


def test_the_post_mortem_template_is_skipped_and_loads_once_filled_in(tmp_path: Path):
    init.init(tmp_path)
    assert load_corpus(tmp_path).files == 0
    text = (tmp_path / "incidents" / "_template.md").read_text()
    filled = (
        text.replace("INC-YYYY-NNN", "INC-2025-001")
        .replace("YYYY-MM-DDTHH:MM", "2025-03-14T09:12")
        .replace("HH:MM", "09:12")
    )
    incident, problems = load_bytes(filled.encode(), "incidents/x.md")
    assert incident is not None
    assert [p for p in problems if p.level == "error"] == []
    assert incident.services == ("service-name",)


@pytest.mark.slow
def test_init_then_new_check_generate_and_a_strict_site_build(tmp_path: Path):
    root = git_repo(tmp_path / "team")
    assert invoke("init", str(root)).exit_code == 0
    new = invoke("--root", str(root), "new", "Checkout 5xx", "--service", "checkout-api")
    assert new.exit_code == 0, new.output
    assert new.stdout.startswith("incidents/")
    check = invoke("--root", str(root), "check")
    assert check.exit_code == 0, check.output
    assert "1 incident loaded, 0 errors" in check.stdout
    generate = invoke("--root", str(root), "generate")
    assert generate.exit_code == 0, generate.output
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEARNLOOP")}
    built = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert built.returncode == 0, built.stderr
    assert (root / "site" / "index.html").is_file()
    before = snapshot(root)
    again = invoke("init", str(root))
    assert again.exit_code == 0
    assert again.stdout.startswith("already a learning repo")
    assert snapshot(root) == before


# --- which learnloop the workflows install ------------------------------------------------

COMMIT = "0123456789abcdef0123456789abcdef01234567"
SPEC = f"learnloop @ git+https://github.com/acme/learnloop@{COMMIT}"


@pytest.fixture
def unknown_origin(monkeypatch: pytest.MonkeyPatch) -> None:
    """The learnloop running the tests says nothing of where it came from."""
    monkeypatch.setattr(init, "installed", lambda: "")


def workflow_lines(root: Path, needle: str) -> list[str]:
    return [
        line.strip()
        for path in sorted((root / ".github" / "workflows").glob("*.yml"))
        for line in path.read_text().splitlines()
        if needle in line
    ]


def test_the_workflows_install_the_pinned_learnloop_init_chose(tmp_path: Path, unknown_origin):
    root = git_repo(tmp_path / "repo")
    result = invoke(
        "init", str(root), "--install", f"git+https://github.com/acme/learnloop@{COMMIT}"
    )
    assert result.exit_code == 0, result.output
    pinned = workflow_lines(root, "LEARNLOOP_PINNED:")
    # pull request, publish, review, monthly review
    assert pinned == [f'LEARNLOOP_PINNED: "{SPEC}"'] * 4
    assert f"at a pinned build:\n  {SPEC}\n" in result.stdout
    assert "not on the package index" in result.stdout
    assert f'pip install "{SPEC}"' in (root / "README.md").read_text()
    # Nothing anywhere installs whatever the package index has under the name.
    assert not workflow_lines(root, ":-learnloop}")
    before = snapshot(root)
    again = invoke("init", str(root))  # keeps the pin it wrote
    assert again.stdout == f"already a learning repo: all {len(EXPECTED)} files in place\n"
    assert snapshot(root) == before


@pytest.mark.parametrize(
    "spec", ["learnloop", "learnloop==0.1.0", "git+https://github.com/acme/learnloop@main"]
)
def test_an_unpinned_learnloop_is_refused(tmp_path: Path, spec: str):
    result = invoke("init", str(tmp_path / "repo"), "--install", spec)
    assert result.exit_code == 2
    assert "expected a pinned learnloop" in result.stderr
    assert not (tmp_path / "repo").exists()


def test_without_a_known_origin_init_says_what_to_set(tmp_path: Path, unknown_origin):
    root = git_repo(tmp_path / "repo")
    result = invoke("init", str(root))
    assert "Set the repository variable\n  LEARNLOOP_SPEC" in result.stdout
    assert workflow_lines(root, "LEARNLOOP_PINNED:") == ['LEARNLOOP_PINNED: ""'] * 4
    assert len(workflow_lines(root, "::error::no learnloop to install")) == 4


def test_a_clone_with_an_https_remote_pins_its_head(tmp_path: Path):
    clone = git_repo(tmp_path / "learnloop")
    who = {"GIT_AUTHOR_NAME": "a", "GIT_AUTHOR_EMAIL": "a@b"}
    who |= {"GIT_COMMITTER_NAME": "a", "GIT_COMMITTER_EMAIL": "a@b"}
    commit = ["git", "-C", str(clone), "commit", "-q", "--allow-empty", "-m", "x"]
    subprocess.run(commit, check=True, env={**os.environ, **who})
    subprocess.run(
        ["git", "-C", str(clone), "remote", "add", "origin", "git@github.com:acme/learnloop.git"],
        check=True,
    )
    head = subprocess.run(
        ["git", "-C", str(clone), "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()
    spec = init.pinned(init._clone_spec(clone))
    assert spec == f"learnloop @ git+https://github.com/acme/learnloop.git@{head}"
