"""Your first on-call: pages that rank the failures most likely to page someone new, by the rule
they state, each question answered word for word by the page it links, restricted incidents
never counted, and no page for a team none of whose services recurs."""

from __future__ import annotations

import re
import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from learnloop.analyze import onboarding
from learnloop.analyze.analysis import analyze_repo
from learnloop.cli import cli
from learnloop.read import load_corpus
from learnloop.write import documents
from learnloop.write import onboarding as writer
from learnloop.write.cache import RenderCache
from learnloop.write.document import split_existing
from learnloop.write.markdown import href
from tests.conftest import CATALOG, REPO, incident_text

PAGE_ENTRY = re.compile(
    r"^### (?P<n>\d+)\. (?P<title>.+)\n\n\*\*Why it is here\.\*\* Score (?P<score>\d+\.\d\d): "
    r"(?P<count>\d+) incidents?(?: on the team's services)? in the 12 months to "
    r"(?P<today>\d{4}-\d\d-\d\d), the latest on (?P<last>\d{4}-\d\d-\d\d)",
    re.M,
)


def invoke(root: Path, *args: str):
    return CliRunner().invoke(cli, ["--root", str(root), *args], catch_exceptions=False)


@pytest.fixture(scope="module")
def bundled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled corpus and its patterns with a service catalog, generated once."""
    root = tmp_path_factory.mktemp("onboarding")
    shutil.copytree(REPO / "incidents", root / "incidents")
    for name in ("patterns.yml", "patterns.members.yml"):
        shutil.copy(REPO / name, root / name)
    (root / "learnloop.yml").write_text(CATALOG, encoding="utf-8")
    result = invoke(root, "generate")
    assert result.exit_code == 0, result.output
    return root


def onboarding_pages(root: Path) -> dict[str, str]:
    folder = root / writer.FOLDER
    return {
        p.relative_to(root).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(folder.glob("*.md"))
    }


def test_golden_pages_for_the_bundled_corpus(bundled: Path, golden):
    pages = onboarding_pages(bundled)
    golden("onboarding_index.md", pages[writer.INDEX])
    golden("onboarding_team.md", pages[f"{writer.FOLDER}/payments-team.md"])


def test_every_owner_with_recurring_failures_has_a_page_and_the_index_links_it(bundled: Path):
    pages = onboarding_pages(bundled)
    assert set(pages) == {
        writer.INDEX,
        *(f"{writer.FOLDER}/{name}.md" for name in
          ("data-platform", "dba-team", "identity", "payments-team", "shop-search")),
    }  # fmt: skip
    index = pages[writer.INDEX]
    for path in pages:
        if path != writer.INDEX:
            assert f"]({path.rsplit('/', 1)[1]})" in index, path
            front, _ = split_existing(pages[path])
            assert front["generated_by"] == "learnloop"
            assert front["review"]["status"] == "draft"
            assert "## Notes" in pages[path]
    assert "[Your first on-call](onboarding/index.md)" in (bundled / "kb/index.md").read_text()
    owners = (bundled / ".github" / "CODEOWNERS").read_text()
    assert "/kb/onboarding/dba-team.md @shop/dba-team" in owners


def recomputed(ids: list[str], dates: dict[str, date], today: date) -> float:
    """The stated rule, computed apart from the code under test."""
    first = today - timedelta(days=364)
    return round(
        sum(0.5 ** ((today - dates[i]).days / 90) for i in ids if first <= dates[i] <= today), 2
    )


def test_the_order_follows_the_rule_each_page_states(bundled: Path):
    analysis = documents.without_restricted(analyze_repo(bundled))
    dates = {i.id: i.started_at.date() for i in analysis.corpus.incidents}
    services = {i.id: set(i.services) for i in analysis.corpus.incidents}
    titles = {p.title: p for p in analysis.patterns.patterns}
    for plan in writer.pages(analysis):
        text = onboarding_pages(bundled).get(plan.path)
        if text is None:
            assert not plan.ranked
            continue
        assert "½ to the power (age in days ÷ 90)" in text
        entries = list(PAGE_ENTRY.finditer(text))
        assert 1 <= len(entries) <= 8
        keys = []
        for entry in entries:
            today = date.fromisoformat(entry["today"])
            pattern = titles[entry["title"]]
            counted = [
                i
                for i in pattern.incidents
                if plan.team is None or services[i] & set(plan.services)
            ]
            score = recomputed(counted, dates, today)
            inside = [i for i in counted if (today - dates[i]).days < 365]
            assert float(entry["score"]) == score, (plan.path, entry["title"])
            assert int(entry["count"]) == len(inside)
            assert entry["last"] == max(dates[i] for i in inside).isoformat()
            keys.append((-score, -len(inside), -date.fromisoformat(entry["last"]).toordinal()))
        assert keys == sorted(keys), plan.path
        # Nothing left out scores above the last one listed.
        listed = {e["title"] for e in entries}
        for title, pattern in titles.items():
            if title not in listed and len(entries) == 8:
                counted = [
                    i
                    for i in pattern.incidents
                    if plan.team is None or services[i] & set(plan.services)
                ]
                assert recomputed(counted, dates, today) <= float(entries[-1]["score"])


def test_each_answer_is_written_on_the_page_it_links(bundled: Path):
    full = analyze_repo(bundled)
    analysis = documents.without_restricted(full)
    named = sorted({s for i in full.corpus.incidents for s in i.services})
    by_id = analysis.incidents()
    patterns = {p.id: p for p in analysis.patterns.patterns}
    asked = 0
    for plan in writer.pages(analysis):
        if not plan.ranked:
            continue
        page = (bundled / plan.path).read_text(encoding="utf-8")
        failures = writer.failures_of(
            plan.ranked, patterns, by_id, named, RenderCache(), analysis, plan.path, plan.services
        )
        for failure in failures:
            assert len(failure.questions) == 3, failure.ranked.pattern
            for question in failure.questions:
                target = (bundled / question.page).read_text(encoding="utf-8")
                for fact in question.facts:
                    assert fact in target, (question.page, fact)
                    assert fact in page, (plan.path, fact)
                link = href(plan.path, question.page)
                link += f"#{question.section}" if question.section else ""
                assert f"]({link})" in page
                if question.section:  # the anchor is a heading of the page it links
                    heading = question.section.replace("-", " ").capitalize()
                    assert f"\n## {heading}\n" in target, (question.page, heading)
                asked += 1
            if failure.case is not None:
                assert (bundled / f"kb/cases/{failure.case.id}.md").is_file()
                assert failure.case.severity in ("P0", "P1")
    assert asked >= 30


def test_no_restricted_incident_appears_on_any_onboarding_page(bundled: Path):
    restricted = [i.id for i in load_corpus(bundled).incidents if i.visibility == "restricted"]
    assert restricted
    for path, text in onboarding_pages(bundled).items():
        for ident in restricted:
            assert ident not in text, (path, ident)


def test_weight_halves_every_90_days_and_stops_after_a_year():
    today = date(2025, 6, 30)
    assert onboarding.weight(today, today) == 1.0
    assert onboarding.weight(today - timedelta(days=90), today) == 0.5
    assert onboarding.weight(today - timedelta(days=180), today) == 0.25
    assert onboarding.weight(today - timedelta(days=364), today) > 0
    assert onboarding.weight(today - timedelta(days=365), today) == 0
    assert onboarding.weight(today + timedelta(days=1), today) == 0


# --- a constructed corpus -----------------------------------------------------------------

DAY = date(2025, 6, 30)
# (id, pattern, days before DAY, service, restricted)
CONSTRUCTED = [
    ("A-1", "alpha", 0, "svc-a", False),  # 1.00, one incident, the newest
    ("A-2", "alpha", 500, "svc-a", False),  # outside the window
    ("B-1", "beta", 90, "svc-b", False),  # 0.50
    ("B-2", "beta", 90, "svc-b", False),  # 0.50: 1.00 with two incidents, above alpha
    ("G-1", "gamma", 200, "svc-a", False),  # 3 × 0.21 = 0.64
    ("G-2", "gamma", 200, "svc-a", False),
    ("G-3", "gamma", 200, "svc-a", False),
    ("D-1", "delta", 400, "svc-b", False),  # both outside the window: not listed
    ("D-2", "delta", 450, "svc-b", False),
    ("E-1", "epsilon", 300, "svc-e", False),  # 0.10
    ("E-2", "epsilon", 310, "svc-e", False),  # 0.09: 0.19 in all
    ("E-3", "epsilon", 1, "svc-e", True),  # restricted: would put epsilon first
    ("E-4", "epsilon", 2, "svc-e", True),
]
CONSTRUCTED_CATALOG = """\
services:
  svc-a: {owner: team-a}
  svc-b: {owner: team-b}
  svc-e: {owner: team-e}
  svc-z: {owner: quiet-team}
"""


@pytest.fixture(scope="module")
def constructed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("constructed")
    (root / "incidents").mkdir()
    for ident, pattern, ago, service, restricted in CONSTRUCTED:
        day = DAY - timedelta(days=ago)
        text = incident_text(
            id=ident,
            title=f"{pattern} failure {ident}",
            started_at=f"{day.isoformat()}T10:00:00Z",
            resolved_at=f"{day.isoformat()}T11:00:00Z",
            services=f"[{service}]",
            pattern=pattern,
            visibility="restricted" if restricted else None,
        )
        (root / "incidents" / f"{ident}.md").write_text(text, encoding="utf-8")
    (root / "learnloop.yml").write_text(CONSTRUCTED_CATALOG, encoding="utf-8")
    result = invoke(root, "generate")
    assert result.exit_code == 0, result.output
    return root


def listed(text: str) -> list[tuple[str, str, int]]:
    return [(e["title"], e["score"], int(e["count"])) for e in PAGE_ENTRY.finditer(text)]


def titles_of(root: Path) -> dict[str, str]:
    """pattern id -> its title as generated."""
    return {p.id: p.title for p in analyze_repo(root).patterns.patterns}


def test_rank_order_on_a_constructed_corpus(constructed: Path):
    names = titles_of(constructed)
    page = (constructed / writer.INDEX).read_text(encoding="utf-8")
    assert listed(page) == [
        (names["beta"], "1.00", 2),
        (names["alpha"], "1.00", 1),
        (names["gamma"], "0.64", 3),
        (names["epsilon"], "0.19", 2),
    ]
    assert f"from {(DAY - timedelta(days=364)).isoformat()} to {DAY.isoformat()}" in page
    team_a = (constructed / writer.FOLDER / "team-a.md").read_text(encoding="utf-8")
    assert listed(team_a) == [(names["alpha"], "1.00", 1), (names["gamma"], "0.64", 3)]


def test_restricted_incidents_are_neither_counted_nor_named(constructed: Path):
    for path in (constructed / writer.FOLDER).glob("*.md"):
        text = path.read_text(encoding="utf-8")
        assert "E-3" not in text, path
        assert "E-4" not in text, path
    team_e = (constructed / writer.FOLDER / "team-e.md").read_text(encoding="utf-8")
    assert listed(team_e) == [(titles_of(constructed)["epsilon"], "0.19", 2)]


def test_a_team_whose_services_never_recur_gets_no_page(constructed: Path):
    pages = {p.name for p in (constructed / writer.FOLDER).glob("*.md")}
    assert pages == {"index.md", "team-a.md", "team-b.md", "team-e.md"}
    index = (constructed / writer.INDEX).read_text(encoding="utf-8")
    assert "No page for quiet-team: none of its services appears in a recurring failure" in index
    assert "[quiet-team]" not in index


def test_without_a_catalog_only_everyones_page_is_written(tmp_path: Path, constructed: Path):
    root = tmp_path / "repo"
    shutil.copytree(constructed / "incidents", root / "incidents")
    assert invoke(root, "generate").exit_code == 0
    assert [p.name for p in (root / writer.FOLDER).glob("*.md")] == ["index.md"]
    text = (root / writer.INDEX).read_text(encoding="utf-8")
    assert "each team gets a page of its own" in text


def test_the_case_study_is_the_severe_post_mortem_that_records_most():
    from learnloop.read import incident_from_bytes

    def made(ident: str, severity: str, service: str, items: int) -> object:
        actions = ", ".join(
            f"{{id: AI-{n}, title: Fix {n}, kind: prevent, status: open}}" for n in range(items)
        )
        text = incident_text(
            id=ident, severity=severity, services=f"[{service}]", action_items=f"[{actions}]"
        )
        incident, problems = incident_from_bytes(text.encode(), f"incidents/{ident}.md")
        assert incident is not None, problems
        return incident

    rich, poor, minor = (
        made("I-1", "P1", "x", 4),
        made("I-2", "P0", "y", 0),
        made("I-3", "P2", "x", 9),
    )
    assert onboarding.case_to_read([rich, poor, minor]) is rich  # records most, though P1
    assert onboarding.case_to_read([poor, minor], ["x"]) is poor  # no severe one on x
    assert onboarding.case_to_read([minor]) is None


@pytest.mark.parametrize(
    "config", [REPO / "mkdocs.yml", REPO / "generator/learnloop/templates/site/mkdocs.yml"]
)
def test_the_site_navigation_reaches_everyones_page(config: Path):
    def pages(node: object) -> list[str]:
        if isinstance(node, str):
            return [node]
        if isinstance(node, dict):
            return [p for value in node.values() for p in pages(value)]
        if isinstance(node, list):
            return [p for item in node for p in pages(item)]
        return []

    nav = yaml.safe_load(config.read_text(encoding="utf-8").split("\nmarkdown_extensions:")[0])
    assert writer.INDEX in pages(nav["nav"])
