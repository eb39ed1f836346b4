"""learnloop.yml: what a file says becomes the settings, a team's words join the shipped ones,
and every mistake is reported at once as `learnloop.yml:LINE: error: KEY: message`."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from learnloop.cli import cli
from learnloop.errors import SettingsError
from learnloop.settings import Settings, from_mapping, load_settings
from tests.conftest import incident_text

PROBLEM = re.compile(r"learnloop\.yml:[1-9]\d*: error: \S.*")


def settings_of(tmp_path: Path, text: str) -> Settings:
    (tmp_path / "learnloop.yml").write_text(text, encoding="utf-8")
    return load_settings(tmp_path)


def problems_of(tmp_path: Path, text: str) -> list[str]:
    with pytest.raises(SettingsError) as caught:
        settings_of(tmp_path, text)
    return caught.value.problems


@pytest.mark.parametrize("text", ["", "\n", "# nothing set yet\n", "---\n"])
def test_an_empty_or_commented_file_changes_nothing(tmp_path: Path, text: str) -> None:
    assert settings_of(tmp_path, text) == load_settings(tmp_path / "nowhere") == Settings()


def test_what_the_file_says_is_read_and_normalised(tmp_path: Path) -> None:
    found = settings_of(
        tmp_path,
        "review_period_days: 30\n"
        "timezone: Europe/Paris\n"
        "clustering: {distance_threshold: 0.8}\n"
        "privacy:\n  allow: ['@example\\.com$']\n"
        "services:\n"
        "  ' Checkout-API ': {owner: payments, tier: 1, depends_on: [Orders-DB]}\n"
        "communication:\n"
        "  status_page: We are   looking into it.\n"
        "  P1: Page {owners}.\n"
        "import:\n"
        "  default_severity: sev2\n"
        "  severity: {critical: SEV-1, pagerduty: {high: 1}}\n",
    )
    assert found.review_period_days == 30
    assert found.timezone == "Europe/Paris"
    assert found.distance_threshold == 0.8
    assert found.privacy_allow == ("@example\\.com$",)
    # Service names are matched as incidents write them: trimmed, lower case.
    assert dict(found.services) == {
        "checkout-api": found.services["checkout-api"],
    }
    assert found.services["checkout-api"].owner == "payments"
    assert found.services["checkout-api"].tier == 1
    assert found.services["checkout-api"].depends_on == ("orders-db",)
    # Severities in their order, then the status page; whitespace as in one sentence.
    assert list(found.communication.items()) == [
        ("P1", "Page {owners}."),
        ("status_page", "We are looking into it."),
    ]
    assert found.importing.default_severity == "P2"
    assert found.importing.severity["critical"] == "P1"
    assert dict(found.importing.severity["pagerduty"]) == {"high": "P1"}


def test_every_mistake_is_reported_at_once_with_its_line(tmp_path: Path) -> None:
    text = (
        "review_period_days: 0\n"  # 1
        "colour: blue\n"  # 2
        "clustering:\n"  # 3
        "  distance_threshold: 3\n"  # 4
        "privacy:\n"  # 5
        "  allow: ['([unclosed']\n"  # 6
        "services:\n"  # 7
        "  checkout-api: {tier: gold}\n"  # 8
        "communication:\n"  # 9
        "  P9: Page everyone.\n"  # 10
        "timezone: Mars/Olympus\n"  # 11
        "import:\n"  # 12
        "  default_severity: urgent\n"  # 13
    )
    assert sorted(problems_of(tmp_path, text), key=lambda p: int(p.split(":")[1])) == [
        "learnloop.yml:1: error: review_period_days: expected a number above 0",
        "learnloop.yml:2: error: colour: unknown setting; expected one of blameless, "
        "clustering, codeowners, communication, cost, failure_modes, feedback, import, privacy, "
        "reader, review_period_days, services, site, themes, timezone",
        "learnloop.yml:4: error: clustering.distance_threshold: expected a number between 0 "
        "and 2, got 3",
        "learnloop.yml:6: error: privacy.allow.0: not a regular expression: unterminated "
        "character set at position 1",
        "learnloop.yml:8: error: services.checkout-api.tier: expected a whole number, got 'gold'",
        "learnloop.yml:10: error: communication.P9: expected one of P0, P1, P2, P3, P4, "
        "status_page",
        "learnloop.yml:11: error: timezone: expected a time zone such as Europe/Paris, UTC or "
        "+02:00, got 'Mars/Olympus'",
        "learnloop.yml:13: error: import.default_severity: expected P0–P4, got 'urgent'",
    ]


def test_a_command_reports_the_mistakes_and_stops_without_a_traceback(make_repo) -> None:
    root = make_repo({"a.md": incident_text()})
    (root / "learnloop.yml").write_text("review_period_days: -3\ntimezone: nowhere\n")
    result = CliRunner().invoke(cli, ["--root", str(root), "check"])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "learnloop.yml:1: error: review_period_days: expected a non-negative number" in (
        result.output
    )
    assert "learnloop.yml:2: error: timezone: expected a time zone" in result.output


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "review_period_days: 30\n  site: x\n",
            "learnloop.yml:2: error: invalid YAML: mapping values are not allowed in this context",
        ),
        (
            "review_period_days: 30\ntimezone: UTC\nreview_period_days: 60\n",
            "learnloop.yml:3: error: duplicate key 'review_period_days': given 2 line(s) above "
            "too; YAML would keep only the last, so say it once",
        ),
    ],
)
def test_broken_yaml_is_one_error_on_its_line(tmp_path: Path, text: str, expected: str) -> None:
    assert problems_of(tmp_path, text) == [expected]


@pytest.mark.parametrize("text", ["- just\n- a list\n", "42\n", "plain words\n"])
def test_a_file_that_is_not_a_mapping_is_one_error(tmp_path: Path, text: str) -> None:
    assert problems_of(tmp_path, text) == ["learnloop.yml:1: error: expected a mapping of settings"]


# --- a team's words --------------------------------------------------------------------------


def explained(root: Path, name: str) -> dict:
    result = CliRunner().invoke(
        cli,
        ["--root", str(root), "check", "--explain", str(root / "incidents" / name), "--json"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


TEAM_TIMELINE = incident_text().replace(
    "- 11:00 — Resolved.",
    "- 10:20 — Flipped the kill switch for the fast path.\n"
    "- 10:30 — Rolled back the release.\n"
    "- 11:00 — Resolved.",
)


def test_a_teams_cues_join_the_shipped_ones(make_repo) -> None:
    root = make_repo({"a.md": TEAM_TIMELINE})

    def actions() -> list[str]:
        return [p["text"] for p in explained(root, "a.md")["parts"]["mitigation"]]

    raised = "Connection pool exhausted; checkout returned 500s until the pool size was raised."
    assert actions() == [raised, "Rolled back the release."]
    (root / "learnloop.yml").write_text(
        "reader:\n  cues:\n    mitigation: [flipped the kill switch]\n", encoding="utf-8"
    )
    assert actions() == [
        raised,
        "Flipped the kill switch for the fast path.",
        "Rolled back the release.",
    ]


def test_the_readers_words_in_the_readme_work_as_written(make_repo) -> None:
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    (example,) = [b for b in re.findall(r"```yaml\n(.*?)```", readme, re.S) if "reader:" in b]
    text = TEAM_TIMELINE + (
        "\n## What we changed\nMoved the pool behind pgbouncer.\n"
        "\n## Root cause\nRepeated rebalancing of the consumer group.\n"
    )
    root = make_repo({"a.md": text})
    (root / "learnloop.yml").write_text(example, encoding="utf-8")
    told = explained(root, "a.md")
    assert [m["id"] for m in told["failure_modes"]] == ["kafka-rebalance-storm"]
    parts = told["parts"]
    assert [p["text"] for p in parts["mitigation"]] == [
        "Connection pool exhausted; checkout returned 500s until the pool size was raised.",
        "Flipped the kill switch for the fast path.",
        "Rolled back the release.",
    ]
    assert [p["text"] for p in parts["resolution"]] == ["Moved the pool behind pgbouncer."]


def test_a_teams_headings_name_parts(make_repo) -> None:
    text = incident_text() + "\n## What we changed\nMoved the pool behind pgbouncer.\n"
    root = make_repo({"a.md": text})
    (root / "learnloop.yml").write_text(
        "reader:\n  parts:\n    resolution: {headings: [what we changed]}\n", encoding="utf-8"
    )
    said = explained(root, "a.md")["parts"]["resolution"]
    assert [p["text"] for p in said] == ["Moved the pool behind pgbouncer."]


def test_mistakes_in_a_teams_words_are_errors_on_their_lines(tmp_path: Path) -> None:
    """Never dropped quietly: a misspelt cue or a phrase given as a string would otherwise
    leave a team wondering why the reader ignores its words."""
    problems = problems_of(
        tmp_path,
        "reader:\n"  # 1
        "  parts:\n"  # 2
        "    mitigaton: {headings: [what we changed]}\n"  # 3
        "    root_cause: {headings: why}\n"  # 4
        "  cues:\n"  # 5
        "    mitigaton: [flipped the kill switch]\n"  # 6
        "    mitigation: flipped the kill switch\n"  # 7
        "    detection: ['(new|) page', 'pager (went|go (off|on))']\n"  # 8
        "  colour: 1\n",  # 9
    )
    assert problems == [
        "learnloop.yml:9: error: reader.colour: unknown key; the keys are commands, cues, parts",
        "learnloop.yml:3: error: reader.parts.mitigaton: 'mitigaton' is not one of summary, "
        "impact, symptoms, trigger, root_cause, contributing_factors, whys, detection, "
        "diagnosis, mitigation, resolution, verification, timeline, lessons, follow_ups, aside",
        "learnloop.yml:4: error: reader.parts.root_cause.headings: expected a list of names",
        "learnloop.yml:6: error: reader.cues.mitigaton: 'mitigaton' is not one of mitigation, "
        "diagnosis, detection, acknowledgement, recovery, resolved, cause, named_cause, fault, "
        "finding, unknown, intent, ineffective, conclusion, verification, well, announced, "
        "milestone, began, done, "
        "responders, pending, change, change_present, change_headline, informed, apology, "
        "praise, response",
        "learnloop.yml:7: error: reader.cues.mitigation: expected a list of phrases",
        "learnloop.yml:8: error: reader.cues.detection: '(new|) page': a phrase starts with a "
        "word, not a number or optional words",
        "learnloop.yml:8: error: reader.cues.detection: 'pager (went|go (off|on))': unbalanced "
        "or nested parentheses",
    ]


def test_a_teams_themes_join_the_shipped_ones(tmp_path: Path) -> None:
    shipped = {t.id: t for t in Settings().themes.themes}
    assert "detection-gap" in shipped
    found = settings_of(
        tmp_path,
        "themes:\n"
        "  - id: shared-ci-runners\n"
        "    title: CI runners shared by every team without quotas\n"
        "    fix: Give each team its own runner pool with a quota.\n"
        "    architectural: true\n"
        "    phrases: [shared runners]\n"
        "  - id: detection-gap\n"
        "    phrases: [nobody was watching the queue]\n",
    )
    themes = {t.id: t for t in found.themes.themes}
    assert set(themes) == {*shipped, "shared-ci-runners"}
    assert themes["shared-ci-runners"].pattern.search("The shared runners were all busy.")
    assert themes["shared-ci-runners"].architectural
    # More words for a shipped theme: its own words and title stay.
    gap = themes["detection-gap"]
    assert gap.title == shipped["detection-gap"].title
    assert gap.pattern.search("Nobody was watching the queue for an hour.")
    assert not shipped["detection-gap"].pattern.search("Nobody was watching the queue.")
    assert found.themes.digest != Settings().themes.digest  # stored results are keyed by it


def test_mistakes_in_themes_and_failure_modes_come_with_the_rest(tmp_path: Path) -> None:
    problems = problems_of(
        tmp_path,
        "review_period_days: 0\n"  # 1
        "themes:\n"  # 2
        "  - id: brand-new\n"  # 3
        "    phrases: [shared runners]\n"  # 4
        "failure_modes:\n"  # 5
        "  - id: Flaky-Thing\n"  # 6
        "    family: load\n",  # 7
    )
    assert "learnloop.yml:1: error: review_period_days: expected a number above 0" in problems
    assert "learnloop.yml:3: error: themes.0.title (id 'brand-new'): a new theme needs a title" in (
        problems
    )
    assert (
        "learnloop.yml:6: error: failure_modes.0.id (id 'Flaky-Thing'): expected lowercase "
        "words and hyphens" in problems
    )
    assert len(problems) == 6


# --- the cost model --------------------------------------------------------------------------


def test_cost_model_overrides_keep_the_other_defaults(tmp_path: Path) -> None:
    cost = settings_of(
        tmp_path,
        "cost:\n"
        "  engineer_hourly_usd: 200\n"
        "  downtime_per_minute_usd: {P2: 250}\n"
        "  downtime_per_minute_by_tier_usd: {2: 300, 1: 900}\n"
        "  expected_reduction: {prevent: 0.8}\n"
        "  priority_saving_usd: {critical: 50000}\n"
        "  sla_penalty_usd: 1000\n",
    ).cost
    default = Settings().cost
    assert cost.engineer_hourly_usd == 200.0
    assert dict(cost.downtime_per_minute_usd) == {
        **default.downtime_per_minute_usd,
        "P2": 250.0,
    }
    assert list(cost.downtime_per_minute_by_tier_usd.items()) == [(1, 900.0), (2, 300.0)]
    assert dict(cost.expected_reduction) == {**default.expected_reduction, "prevent": 0.8}
    assert dict(cost.priority_saving_usd) == {**default.priority_saving_usd, "critical": 50_000.0}
    assert cost.sla_penalty_usd == 1000.0
    assert cost.hours_per_day == default.hours_per_day


def test_every_cost_error_is_reported_with_its_line(tmp_path: Path) -> None:
    problems = problems_of(
        tmp_path,
        "cost:\n"
        "  colour: blue\n"
        "  downtime_per_minute_by_tier_usd: {gold: 10}\n"
        "  expected_reduction: {prevent: 1.5, magic: 0.2}\n"
        "  priority_saving_usd: {urgent: 1}\n"
        "  default_effort_days: 0\n",
    )
    assert problems == [
        "learnloop.yml:2: error: cost.colour: unknown setting; expected one of "
        "architectural_effort_days, default_effort_days, downtime_per_minute_by_tier_usd, "
        "downtime_per_minute_usd, engineer_hourly_usd, expected_reduction, hours_per_day, "
        "priority_saving_usd, quick_win_effort_days, sla_penalty_usd",
        "learnloop.yml:3: error: cost.downtime_per_minute_by_tier_usd.gold: expected a "
        "whole-number service tier, got 'gold'",
        "learnloop.yml:4: error: cost.expected_reduction.prevent: expected a share between "
        "0 and 1, got 1.5",
        "learnloop.yml:4: error: cost.expected_reduction.magic: expected one of detect, "
        "mitigate, prevent, systemic",
        "learnloop.yml:5: error: cost.priority_saving_usd.urgent: expected one of critical, "
        "high, medium",
        "learnloop.yml:6: error: cost.default_effort_days: expected a number above 0",
    ]


def test_priority_thresholds_must_be_ordered() -> None:
    with pytest.raises(SettingsError) as caught:
        from_mapping({"cost": {"priority_saving_usd": {"high": 500_000}}})
    assert caught.value.problems == [
        "learnloop.yml:1: error: cost.priority_saving_usd: expected critical >= high >= medium"
    ]


# --- any mapping at all ----------------------------------------------------------------------

KEYS = st.sampled_from(
    [
        "review_period_days", "cost", "clustering", "privacy", "services", "site", "timezone",
        "reader", "themes", "import", "communication", "failure_modes", "allow", "tier",
        "parts", "cues", "P1", "mitigation", "headings", "engineer_hourly_usd", "severity",
        "distance_threshold", "depends_on", "id", "phrases", "colour",
    ]
)  # fmt: skip
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 5),
    st.floats(-2, 3, allow_nan=False),
    st.text(max_size=12),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(KEYS, VALUES, max_size=5))
def test_any_mapping_gives_settings_or_problems_with_lines(data: dict) -> None:
    """Whatever a file holds, the answer is settings or a list of `learnloop.yml:N: error: …`
    problems: never another exception."""
    problems = ["learnloop.yml:1: error: settings: none"]  # replaced when it fails
    try:
        from_mapping(data)
    except SettingsError as exc:
        problems = exc.problems
    assert problems
    for problem in problems:
        assert PROBLEM.fullmatch(problem), problem


def test_a_misspelt_key_of_any_section_is_an_error_not_a_default(tmp_path):
    """`clustering.distance_treshold` would leave the corpus's own cut in force, and
    `site.repo-url` the site without edit links, with nothing said: each is reported."""
    problems = problems_of(
        tmp_path,
        "clustering:\n"
        "  distance_treshold: 0.5\n"  # 2
        "privacy:\n"
        "  allowed: ['status@shop\\.example']\n"  # 4
        "services:\n"
        "  checkout-api: {owner: payments, teir: 1}\n"  # 6
        "site:\n"
        "  repo-url: https://github.com/acme/incidents\n",  # 8
    )
    assert problems == [
        "learnloop.yml:2: error: clustering.distance_treshold: unknown setting; expected one "
        "of distance_threshold",
        "learnloop.yml:4: error: privacy.allowed: unknown setting; expected one of allow",
        "learnloop.yml:6: error: services.checkout-api.teir: unknown setting; expected one of "
        "depends_on, owner, tier",
        "learnloop.yml:8: error: site.repo-url: unknown setting; expected one of edit_uri, "
        "name, repo_url",
    ]


def test_a_team_that_names_only_its_tools_reads_with_the_shipped_words(tmp_path):
    """`reader: {commands: […]}` adds no words to the reader: it keeps the shipped lexicon,
    compiled once, rather than building an equal one; a bad name is an error on its line."""
    from learnloop.read import lexicon

    assert lexicon.extended({"commands": ["acmectl"]}) is lexicon.shipped()
    assert settings_of(tmp_path, "reader:\n  commands: [acmectl]\n").commands == ("acmectl",)
    assert problems_of(tmp_path, "reader:\n  commands: acmectl\n") == [
        "learnloop.yml:2: error: reader.commands: expected a list of program names"
    ]
