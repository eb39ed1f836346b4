"""The GitHub workflows: linted by actionlint and zizmor, one copy in the package, and this
repository's .github/workflows/ identical to what `learnloop init` writes."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from learnloop.commands import init, prsummary
from tests.conftest import REPO

TEMPLATES = Path(init.__file__).resolve().parent.parent / "templates" / "workflows"
WORKFLOWS = sorted(TEMPLATES.glob("*.yml"))
IN_REPO = REPO / ".github" / "workflows"


def tool(name: str) -> str:
    """The linter from this virtual environment (or PATH), or a skip that says what is missing."""
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    if found is None:
        pytest.skip(f"{name} is not installed (it is in the `test` extra: pip install -e .[test])")
    return found


def test_there_are_the_four_workflows():
    assert [p.name for p in WORKFLOWS] == [
        "learnloop-monthly-review.yml",
        "learnloop-pr-comment.yml",
        "learnloop-pr.yml",
        "learnloop-publish.yml",
        "learnloop-review.yml",
    ]


def test_this_repository_uses_the_packaged_workflows_unchanged():
    assert sorted(p.name for p in IN_REPO.glob("*.yml")) == [p.name for p in WORKFLOWS]
    for template in WORKFLOWS:
        assert (IN_REPO / template.name).read_bytes() == template.read_bytes(), (
            f".github/workflows/{template.name} differs from the template; edit "
            f"generator/learnloop/templates/workflows/{template.name} and copy it over"
        )


def test_init_writes_the_workflows_as_they_are(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(init, "installed", lambda: "")  # no pin to write in
    init.init(tmp_path)
    for template in WORKFLOWS:
        written = tmp_path / ".github" / "workflows" / template.name
        assert written.read_bytes() == template.read_bytes()


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_actionlint_is_clean(workflow: Path):
    done = subprocess.run(
        [tool("actionlint"), "-no-color", str(workflow)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_zizmor_is_clean(workflow: Path):
    done = subprocess.run(
        [tool("zizmor"), "--offline", "--no-progress", "--persona", "auditor", str(workflow)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def _steps(name: str) -> list[dict[str, object]]:
    data = yaml.safe_load((TEMPLATES / name).read_text())
    return [step for job in data["jobs"].values() for step in job.get("steps", [])]


def test_every_action_is_pinned_to_a_commit_with_its_version():
    for workflow in WORKFLOWS:
        for line in workflow.read_text().splitlines():
            if "uses:" in line:
                ref = line.split("uses:", 1)[1].strip()
                _action, _, rest = ref.partition("@")
                sha, _, comment = rest.partition("#")
                assert len(sha.strip()) == 40, (workflow.name, line)
                assert comment.strip().startswith("v"), (workflow.name, line)


def test_the_pull_request_workflow_runs_the_checks_in_order():
    runs = [str(step.get("run", "")) for step in _steps("learnloop-pr.yml")]
    text = "\n".join(runs)
    order = [
        "learnloop check --public --format github",
        "learnloop generate --check",
        'learnloop pr-summary --base "origin/$BASE_REF"',
        "GITHUB_STEP_SUMMARY",
        "learnloop build",
    ]
    positions = [text.index(fragment) for fragment in order]
    assert positions == sorted(positions)


def test_the_pull_request_workflow_can_not_write():
    data = yaml.safe_load((TEMPLATES / "learnloop-pr.yml").read_text())
    assert data["permissions"] == {}
    assert data["jobs"]["check"]["permissions"] == {"contents": "read"}
    # `on:` is read by YAML 1.1 as the boolean True.
    assert list(data[True]) == ["pull_request"]


def test_the_comment_follows_the_pull_request_workflow_by_name():
    pr = yaml.safe_load((TEMPLATES / "learnloop-pr.yml").read_text())
    comment = yaml.safe_load((TEMPLATES / "learnloop-pr-comment.yml").read_text())
    assert comment[True]["workflow_run"]["workflows"] == [pr["name"]]
    script = str(_steps("learnloop-pr-comment.yml")[-1]["run"])
    assert prsummary.MARKER in script  # the first line of every summary
    assert "*[!0-9]*" in script  # the number from the artifact must be digits


def test_publishing_uses_the_official_pages_actions():
    uses = [str(step.get("uses", "")) for step in _steps("learnloop-publish.yml")]
    assert any(u.startswith("actions/upload-pages-artifact@") for u in uses)
    assert any(u.startswith("actions/deploy-pages@") for u in uses)
    runs = "\n".join(str(step.get("run", "")) for step in _steps("learnloop-publish.yml"))
    assert "learnloop build --public" in runs
    assert "GITHUB_STEP_SUMMARY" in runs


def test_the_monthly_review_opens_an_issue_on_a_schedule_and_can_do_nothing_else():
    data = yaml.safe_load((TEMPLATES / "learnloop-monthly-review.yml").read_text())
    assert data["permissions"] == {}
    assert data["jobs"]["review"]["permissions"] == {"contents": "read", "issues": "write"}
    assert set(data[True]) == {"schedule", "workflow_dispatch"}
    assert data[True]["schedule"] == [{"cron": "17 6 1 * *"}]
    steps = _steps("learnloop-monthly-review.yml")
    runs = "\n".join(str(step.get("run", "")) for step in steps)
    assert 'learnloop report monthly --month "$month"' in runs
    assert "gh issue create" in runs
    # The token reaches only the step that opens the issue, not the one that runs learnloop.
    with_token = [s for s in steps if "GH_TOKEN" in (s.get("env") or {})]
    assert [str(s["run"]).count("gh issue create") for s in with_token] == [1]
    assert "learnloop" not in str(with_token[0]["run"]).replace("learnloop monthly", "")


BAD = """\
name: bad
on: pull_request_target
jobs:
  x:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          ref: ${{ github.event.pull_request.head.sha }}
      - run: echo "${{ github.event.pull_request.title }}"
      - run: echo ${{ undefined.context }}
"""


def test_the_linters_do_find_problems(tmp_path: Path):
    bad = tmp_path / "bad.yml"
    bad.write_text(BAD)
    lint = subprocess.run([tool("actionlint"), "-no-color", str(bad)], capture_output=True)
    audit = subprocess.run(
        [tool("zizmor"), "--offline", "--no-progress", str(bad)], capture_output=True
    )
    assert lint.returncode != 0
    assert audit.returncode != 0
