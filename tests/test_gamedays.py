"""Game days: a page and a Chaos Toolkit experiment per recurring pattern, drawn from its
incidents, valid by Chaos Toolkit's own validation, naming no target the incidents do not."""

from __future__ import annotations

import json
import re
import shutil
import textwrap
from datetime import UTC
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner

from learnloop.analyze import gamedays
from learnloop.analyze.metrics import p90
from learnloop.analyze.patterns import Pattern
from learnloop.cli import cli
from learnloop.enrich import timings
from learnloop.errors import SettingsError
from learnloop.read import incident_from_bytes, load_corpus
from learnloop.settings import Settings
from learnloop.write import gamedays as writer
from learnloop.write.markdown import duration
from tests.conftest import REPO

chaoslib_experiment = pytest.importorskip("chaoslib.experiment")
chaoslib_exceptions = pytest.importorskip("chaoslib.exceptions")


def invoke(root: Path, *args: str):
    return CliRunner().invoke(cli, ["--root", str(root), *args], catch_exceptions=False)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("gamedays")
    shutil.copytree(REPO / "incidents", root / "incidents")
    result = invoke(root, "generate")
    assert result.exit_code == 0, result.output
    return root


def experiments(root: Path) -> dict[str, dict]:
    return {
        p.name.removesuffix(".chaos.json"): json.loads(p.read_text(encoding="utf-8"))
        for p in sorted((root / "kb" / "gamedays").glob("*.chaos.json"))
    }


def test_every_recurring_pattern_has_a_page_and_an_experiment(generated: Path):
    found = json.loads(invoke(generated, "patterns", "--json").output)["patterns"]
    with_runbook = {p["id"] for p in found if p["runbook"]}
    assert set(experiments(generated)) == with_runbook
    for pattern in with_runbook:
        page = (generated / writer.page_path(pattern)).read_text(encoding="utf-8")
        assert page.startswith("---\ngenerated_by: learnloop\nkind: gameday\n")
        for heading in ("## Hypothesis", "## Injection", "## Blast radius and abort conditions",
                        "## Detection to expect", "## Runbook steps to practise"):  # fmt: skip
            assert heading in page, (pattern, heading)


def test_experiments_pass_chaos_toolkits_own_validation(
    generated: Path, monkeypatch: pytest.MonkeyPatch
):
    for name, data in experiments(generated).items():
        keys = [v["key"] for v in data["configuration"].values()]
        assert keys
        assert all(k.startswith("GAMEDAY_") for k in keys)
        for key in keys:
            monkeypatch.delenv(key, raising=False)
        # No value is invented: without the team's values, the experiment refuses to run.
        with pytest.raises(chaoslib_exceptions.InvalidExperiment, match="environment key"):
            chaoslib_experiment.ensure_experiment_is_valid(data)
        for key in keys:
            monkeypatch.setenv(key, "given-by-the-team")
        chaoslib_experiment.ensure_experiment_is_valid(data)
        assert data["steady-state-hypothesis"]["probes"], name


def test_an_experiment_that_breaks_the_format_fails_that_validation(
    generated: Path, monkeypatch: pytest.MonkeyPatch
):
    data = experiments(generated)["db-connection-pool-exhaustion"]
    for value in data["configuration"].values():
        monkeypatch.setenv(value["key"], "x")
    del data["steady-state-hypothesis"]["probes"][0]["tolerance"]
    with pytest.raises(chaoslib_exceptions.InvalidActivity, match="tolerance"):
        chaoslib_experiment.ensure_experiment_is_valid(data)


def test_experiments_name_only_what_the_incidents_name(generated: Path):
    corpus = {i.id: i for i in load_corpus(generated).incidents}
    for name, data in experiments(generated).items():
        (own,) = [e for e in data["extensions"] if e["name"] == "learnloop"]
        members = [corpus[i] for i in own["sources"]]
        # What each incident says: its Markdown, or the narrative of a .yaml incident.
        text = "\n".join(
            m.body + m.title + "".join(said for _, said, _ in m.narrative) for m in members
        )
        named = {s for m in members for s in m.services}
        for probe in data["steady-state-hypothesis"]["probes"]:
            service = probe["name"].removesuffix(" answers its health check")
            assert service in named, (name, service)
        for activity in [*data["method"], *data["rollbacks"]]:
            command = " ".join(activity["provider"].get("arguments", []))
            for value in re.findall(r"\$\{(\w+)\}", command):
                assert value in data["configuration"], (name, value)
            for alert in re.findall(r"alertname%3D%22(\w+)%22", command):
                assert alert in text, (name, alert)
            # Hosts, pods and URLs come from the team: nothing literal beyond the technique.
            assert not re.search(r"https?://", command)


def test_detection_figures_recompute_from_the_incidents(generated: Path):
    corpus = {i.id: i for i in load_corpus(generated).incidents}
    for name, data in experiments(generated).items():
        (own,) = [e for e in data["extensions"] if e["name"] == "learnloop"]
        ttd = [t for i in own["sources"] if (t := timings(corpus[i]).ttd) is not None]
        expected = round(p90(ttd), 1) if ttd else None
        assert own["expected_detection"]["ttd_p90_minutes"] == expected, name
        page = (generated / own["page"]).read_text(encoding="utf-8")
        if ttd:
            assert f"(p90 {duration(p90(ttd))}, n={len(ttd)})" in page
        waits = [a["pauses"]["before"] for a in data["method"] if "pauses" in a]
        if waits and ttd:
            assert waits == [max(60, round(p90(ttd) * 60))]


def test_steps_to_practise_are_the_runbooks_own(generated: Path):
    for name, data in experiments(generated).items():
        (own,) = [e for e in data["extensions"] if e["name"] == "learnloop"]
        runbook = (generated / "runbooks" / f"{name}.md").read_text(encoding="utf-8")
        for step in own["practise"]:
            assert step.rstrip(".") in runbook, (name, step)


def test_pages_link_their_experiments_and_the_index_links_every_page(generated: Path):
    index = (generated / writer.INDEX).read_text()
    for name in experiments(generated):
        page = (generated / writer.page_path(name)).read_text()
        assert f"[`{name}.chaos.json`]({name}.chaos.json)" in page
        assert f"]({name}.md)" in index
    assert "(gamedays/index.md)" in (generated / "kb" / "index.md").read_text()


def test_an_edited_experiment_is_kept_and_said(generated: Path, tmp_path: Path):
    root = tmp_path / "repo"
    shutil.copytree(generated, root)
    path = root / writer.experiment_path("disk-full-logs")
    data = json.loads(path.read_text())
    data["method"][0]["provider"]["arguments"][1] = "our-own-filler --size 5G"
    edited = json.dumps(data, indent=2) + "\n"
    path.write_text(edited)
    result = invoke(root, "generate", "--check")
    assert "kb/gamedays/disk-full-logs.chaos.json:1: warning: game-day experiment was edited" in (
        result.output
    )
    assert "would change: kb/gamedays/disk-full-logs.chaos.json" not in result.output
    invoke(root, "generate")
    assert path.read_text() == edited
    path.unlink()
    invoke(root, "generate")
    assert "our-own-filler" not in path.read_text()


def _incident(ident: str, mode: str, day: int, told: str = "", detected: str = "10:20") -> object:
    text = textwrap.dedent(
        f"""\
        ---
        id: {ident}
        title: Totals wrong after a rounding change
        started_at: 2025-03-{day:02d}T10:00:00Z
        detected_at: 2025-03-{day:02d}T{detected}:00Z
        resolved_at: 2025-03-{day:02d}T12:00:00Z
        severity: P2
        services: [billing]
        failure_mode: {mode}
        ---
        ## Summary
        Invoices showed wrong totals.
        """
    ) + textwrap.dedent(told)
    found, problems = incident_from_bytes(text.encode(), f"incidents/{ident}.md", UTC)
    assert found is not None, problems
    return found


def _render(mode: str, told: str = "", detected: str = "10:20") -> dict[str, str]:
    members = [_incident(f"INC-{n}", mode, day, told, detected) for n, day in ((1, 3), (2, 9))]
    pattern = Pattern("billing-totals", "Billing totals wrong", ("INC-1", "INC-2"))
    analysis = SimpleNamespace(
        incidents=lambda: {m.id: m for m in members},
        patterns=SimpleNamespace(patterns=(pattern,)),
        settings=Settings(),
    )
    return writer.render_gamedays(analysis, lambda _: None)  # type: ignore[arg-type]


def test_without_a_safe_injection_it_says_so_and_injects_nothing(monkeypatch):
    files = _render("logic-error")  # no recipe
    page = files["kb/gamedays/billing-totals.md"]
    assert "No safe injection is known for **Logic error" in page
    data = json.loads(files["kb/gamedays/billing-totals.chaos.json"])
    assert data["method"] == []
    assert data["rollbacks"] == []
    assert "Nothing is injected: no safe injection is known" in data["description"]
    monkeypatch.setenv("GAMEDAY_BILLING_URL", "x")
    chaoslib_experiment.ensure_experiment_is_valid(data)

    files = _render("data-loss")  # a recipe that says not to
    page = files["kb/gamedays/billing-totals.md"]
    assert "is not to be caused on purpose" in page
    assert "Restore the latest backup of billing's data" in page
    assert json.loads(files["kb/gamedays/billing-totals.chaos.json"])["method"] == []


def test_a_step_that_eased_the_impact_at_once_says_so_as_the_runbook_does():
    told = """
        ## Timeline
        - 10:20 Alert on invoice totals fired.
        - 10:40 Reverted the rounding change; errors stopped.
        - 12:00 Resolved.
        """
    page = _render("logic-error", told)["kb/gamedays/billing-totals.md"]
    assert "Reverted the rounding change; errors stopped. — impact eased right after" in page
    assert "within 0 min" not in page


def test_detection_at_the_start_is_in_under_a_minute_not_within_0_min():
    files = _render("disk-full", detected="10:00")
    assert "| a command | `—` in under a minute | 2 |" in files["kb/gamedays/index.md"]
    assert not any("within 0 min" in text for text in files.values())


def test_rendering_twice_gives_the_same_files():
    assert _render("disk-full") == _render("disk-full")


def test_the_recipes_cite_public_practice_and_cover_their_values():
    recipes = gamedays.load_recipes()
    assert {"connection-pool-exhaustion", "disk-full", "certificate-expiry"} <= set(recipes)
    for mode, recipe in recipes.items():
        assert recipe.sources, mode
        assert all("simulat" not in s.lower() for s in recipe.sources)
        used = set(re.findall(r"\$\{(\w+)\}", f"{recipe.command or ''} {recipe.rollback or ''}"))
        assert used == {name for name, _ in recipe.needs}, mode


def test_a_recipe_that_uses_an_undescribed_value_is_refused():
    problems: list[str] = []
    recipe = gamedays._recipe(
        {
            "modes": ["disk-full"],
            "inject": "Fill it.",
            "command": "fallocate -l ${size} ${where}",
            "needs": {"size": "how much"},
            "blast_radius": "one node",
            "sources": ["fallocate(1)"],
        },
        problems.append,
    )
    assert recipe is not None
    assert problems == ["${where} is used but not described under needs"]
    with pytest.raises(SettingsError):
        raise SettingsError(problems)
