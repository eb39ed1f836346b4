"""Change-induced incidents and change failure rate: the pure analysis and `learnloop changes`."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from learnloop.analyze import changes
from learnloop.analyze.changes import CONFIG_CHANGE, DEPLOY, Change
from learnloop.cli import cli
from learnloop.commands import changes as changes_cmd
from learnloop.model import Incident
from tests.conftest import incident_text
from tests.test_gitfacts import commit, new_repo

cli.add_command(changes_cmd.command)


def t(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def incident(ident: str, start: str, *services: str, **kw: object) -> Incident:
    return Incident(
        id=ident,
        title=ident,
        path=f"incidents/{ident}.md",
        severity="P2",
        services=services,
        started_at=t(start),
        **kw,  # type: ignore[arg-type]
    )


# --- the deploy log -------------------------------------------------------------------------

LOG = """\
- {at: 2025-03-14T09:00:00Z, service: orders-api, kind: deploy, ref: v1.2.3, by: ana}
- at: 2025-03-14T12:00:00+01:00
  service: checkout-api
  kind: config-change
- {at: 2025-03-10T09:00:00Z, service: orders-api}
"""


def test_a_deploy_log_reads_sorted_with_deploy_as_the_default_kind():
    found, problems = changes.parse_deploys(LOG)
    assert problems == []
    assert found == [
        Change(t("2025-03-10T09:00:00Z"), "orders-api", DEPLOY),
        Change(t("2025-03-14T09:00:00Z"), "orders-api", DEPLOY, "v1.2.3", "ana"),
        Change(t("2025-03-14T11:00:00Z"), "checkout-api", CONFIG_CHANGE),
    ]


def test_every_problem_in_a_deploy_log_is_reported_with_its_line():
    text = """\
- {at: 2025-03-14T09:00:00Z, service: orders-api, kind: rollout}
- {service: orders-api}
- {at: 2025-03-14T09:00:00, service: orders-api}
- {at: 2025-03-14T09:00:00Z, kind: deploy, colour: blue}
- just text
"""
    found, problems = changes.parse_deploys(text, "deploys.yaml")
    assert found == []
    assert [p.format() for p in problems] == [
        "deploys.yaml:1: error: [0].kind: expected one of deploy, config-change, got 'rollout'",
        "deploys.yaml:2: error: [1].at: required key is missing",
        "deploys.yaml:3: error: [2].at: cannot read datetime.datetime(2025, 3, 14, 9, 0) as a "
        "timestamp with a zone\n  Hint: use ISO 8601 with a zone, e.g. 2025-03-14T09:12:00Z",
        "deploys.yaml:4: warning: [3].colour: unknown key; expected one of at, service, kind, "
        "ref, by",
        "deploys.yaml:4: error: [3].service: required key is missing",
        "deploys.yaml:5: error: [4]: expected a mapping with at, service and kind",
    ]


def test_a_deploy_log_that_is_not_a_list_or_not_yaml():
    assert changes.parse_deploys("") == ([], [])
    _, problems = changes.parse_deploys("at: now\n")
    assert problems[0].message == "expected a list of changes"
    _, problems = changes.parse_deploys("- [unclosed\n")
    assert problems[0].line == 2
    assert problems[0].message.startswith("invalid YAML")


@pytest.mark.parametrize(
    ("text", "minutes"),
    [("2h", 120), ("90m", 90), ("90min", 90), ("1h30m", 90), ("1d", 1440), (" 45 m ", 45)],
)
def test_durations(text: str, minutes: float):
    assert changes.parse_duration(text) == timedelta(minutes=minutes)


@pytest.mark.parametrize("text", ["", "2", "two hours", "0h", "2h junk", "-1h"])
def test_bad_durations(text: str):
    with pytest.raises(ValueError, match="duration"):
        changes.parse_duration(text)


# --- the analysis ---------------------------------------------------------------------------

DEPLOYS = [
    Change(t("2025-03-01T10:00:00Z"), "orders-api", DEPLOY, "v1"),
    Change(t("2025-03-02T10:00:00Z"), "orders-api", DEPLOY, "v2"),
    Change(t("2025-03-02T11:00:00Z"), "orders-api", CONFIG_CHANGE, "pool"),
    Change(t("2025-03-03T10:00:00Z"), "orders-api", DEPLOY, "v3"),
    Change(t("2025-03-01T10:00:00Z"), "search-api", DEPLOY, "s1"),
]


def test_incidents_within_the_window_after_a_change_are_change_induced():
    incidents = [
        incident("INC-1", "2025-03-01T10:40:00Z", "orders-api", "orders-db"),
        # After both the deploy and the config change: the later one is blamed.
        incident("INC-2", "2025-03-02T11:30:00Z", "orders-api"),
        incident("INC-3", "2025-03-02T11:45:00Z", "orders-api"),
        # Three hours after v3: outside the window.
        incident("INC-4", "2025-03-03T13:00:00Z", "orders-api", trigger="deploy"),
        # Right after a search-api deploy, but search-api is not one of its services.
        incident("INC-5", "2025-03-01T10:10:00Z", "checkout-api"),
        # Before any change.
        incident("INC-6", "2025-02-01T10:10:00Z", "orders-api"),
        incident("INC-7", "2025-03-01T00:00:00Z", "orders-api", started_date_only=True),
    ]
    report = changes.analyze(DEPLOYS, reversed(incidents), timedelta(hours=2))
    assert [(i.incident, i.change.ref, i.minutes_after) for i in report.induced] == [
        ("INC-1", "v1", 40.0),
        ("INC-2", "pool", 30.0),
        ("INC-3", "pool", 45.0),
    ]
    orders, search = report.services
    assert (orders.service, orders.deploys, orders.config_changes) == ("orders-api", 3, 1)
    assert (orders.failed_changes, orders.incidents_after_change) == (2, 3)
    assert orders.change_failure_rate == 0.5
    assert (search.service, search.changes, search.change_failure_rate) == ("search-api", 1, 0.0)
    assert report.declared_unmatched == ("INC-4",)
    assert report.undated == ("INC-7",)


def test_the_analysis_does_not_depend_on_input_order():
    incidents = [incident(f"INC-{n}", f"2025-03-0{n}T10:30:00Z", "orders-api") for n in (1, 2, 3)]
    one = changes.analyze(DEPLOYS, incidents)
    two = changes.analyze(list(reversed(DEPLOYS)), list(reversed(incidents)))
    assert one == two
    assert changes.analyze([], incidents).services == ()


def test_time_to_post_mortem():
    incidents = [
        incident("INC-2", "2025-03-01T10:00:00Z", "a"),
        incident("INC-1", "2025-03-01T10:00:00Z", "a"),
    ]
    firsts = {"incidents/INC-1.md": datetime(2025, 3, 3, 16, tzinfo=UTC)}
    delays = changes.time_to_postmortem(incidents, firsts, {"incidents/INC-1.md": ("Ana",)})
    assert [(d.incident, d.hours, d.authors) for d in delays] == [
        ("INC-1", 54.0, ("Ana",)),
        ("INC-2", None, ()),
    ]
    assert changes.median_hours(delays) == 54.0


# --- the command ----------------------------------------------------------------------------


def invoke(root: Path, *args: str):
    return CliRunner().invoke(cli, ["--root", str(root), "changes", *args], catch_exceptions=False)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """Two committed post-mortems, one right after a deploy, and a deploy log."""
    root = new_repo(tmp_path / "repo")
    first = incident_text(
        id="INC-2025-001", started_at="2025-03-01T10:40:00Z", services="[orders-api]"
    )
    second = incident_text(
        id="INC-2025-002",
        started_at="2025-03-05T09:00:00Z",
        resolved_at="2025-03-05T10:00:00Z",
        services="[checkout-api]",
    )
    commit(root, {"incidents/a.md": first}, "a", when="2025-03-02T12:40:00Z", who="Ana")
    commit(root, {"incidents/b.md": second}, "b", when="2025-03-05T10:30:00Z", who="Ben")
    (root / "deploys.yaml").write_text(
        "- {at: 2025-03-01T10:00:00Z, service: orders-api, kind: deploy, ref: v1, by: ana}\n"
        "- {at: 2025-03-04T10:00:00Z, service: orders-api, kind: config-change}\n"
    )
    return root


def test_changes_prints_the_rate_the_induced_incidents_and_time_to_post_mortem(repo: Path):
    result = invoke(repo)
    assert result.exit_code == 0
    assert result.output == (
        "Deploy log: deploys.yaml, 2 changes; window 2 h.\n"
        "service     deploys  config changes  incidents after a change  failure rate\n"
        "orders-api        1               1                         1  50% (1 of 2)\n"
        "\n"
        "Incidents that began within 2 h after a change to their service:\n"
        "  INC-2025-001  orders-api  40 min after deploy v1 by ana (2025-03-01T10:00:00+00:00)\n"
        "\n"
        "Time to post-mortem (incident start to the file's first commit):\n"
        "  INC-2025-001  1 d 2 h  by Ana; last changed 2025-03-02\n"
        "  INC-2025-002  1 h 30 min  by Ben; last changed 2025-03-05\n"
        "Median 13 h 45 min over 2 committed post-mortems; 0 not committed yet.\n"
    )


def test_changes_as_json(repo: Path):
    data = json.loads(invoke(repo, "--json", "--window", "30m").output)
    assert data["window_minutes"] == 30
    assert data["change_induced"] == []
    assert data["services"][0]["change_failure_rate"] == 0.0
    assert data["time_to_postmortem"][0] == {
        "incident": "INC-2025-001",
        "path": "incidents/a.md",
        "hours": 26.0,
        "first_committed": "2025-03-02T12:40:00+00:00",
        "last_changed": "2025-03-02T12:40:00+00:00",
        "authors": ["Ana"],
    }
    assert data["median_time_to_postmortem_hours"] == 13.75


def test_changes_from_a_deploy_repository(repo: Path, tmp_path: Path):
    deploy = new_repo(tmp_path / "deploy")
    commit(deploy, {"orders-api/values.yaml": "1"}, "release", when="2025-03-01T10:30:00Z")
    data = json.loads(invoke(repo, "--json", "--deploys-repo", str(deploy)).output)
    assert data["deploy_log"] == f"commits of {deploy} (HEAD)"
    assert [i["incident"] for i in data["change_induced"]] == ["INC-2025-001"]


def test_a_bad_deploy_log_is_reported_and_fails(repo: Path):
    (repo / "deploys.yaml").write_text("- {at: yesterday, service: orders-api}\n")
    result = CliRunner().invoke(cli, ["--root", str(repo), "changes"], catch_exceptions=False)
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "deploys.yaml:1: error: [0].at: cannot read 'yesterday' as a timestamp with a zone\n"
    )


def test_a_bad_window_is_a_usage_error(repo: Path):
    result = invoke(repo, "--window", "soon")
    assert result.exit_code == 2
    assert "expected a duration like 2h, 90m or 1h30m, got 'soon'" in result.output


def test_without_git_or_a_deploy_log(tmp_path: Path):
    (tmp_path / "incidents").mkdir()
    (tmp_path / "incidents" / "a.md").write_text(incident_text())
    result = invoke(tmp_path)
    assert result.exit_code == 0
    assert result.output == (
        "No deploy log: add deploys.yaml or use --deploys-repo to see change-induced incidents.\n"
        "\n"
        "Time to post-mortem: not a git repository, so no commit times are known.\n"
    )


def test_a_named_deploy_log_must_exist(repo: Path):
    result = invoke(repo, "--deploys", str(repo / "nope.yaml"))
    assert result.exit_code == 1
    assert "nope.yaml: no such file" in result.output
