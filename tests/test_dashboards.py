"""The dashboards: deterministic SVG charts that read on both themes, each with its table."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import textwrap
from collections import Counter
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from learnloop.analyze.analysis import Analysis, analyze_repo
from learnloop.publish import charts, dashboards
from learnloop.publish.plan import plan
from learnloop.read import load_corpus
from learnloop.settings import Settings
from tests.conftest import REPO, incident_text

SITE_DATA = Path(__file__).resolve().parent / "data" / "site"
SECRET = ("INC-2025-099", "zanzibar-ledger", "quokka-sentinel", "Payroll", "payroll-export")
# Colours that vanish on one of the two themes; charts draw text and axes in currentColor.
FIXED_INK = re.compile(
    r"#000000|#ffffff|#000\b|#fff\b|\bblack\b|\bwhite\b|rgb\(\s*0,\s*0,\s*0\s*\)", re.I
)
SVG = re.compile(r"<svg.*?</svg>", re.DOTALL)


def inputs_of(analysis: Analysis, *, public: bool = False) -> dashboards.Inputs:
    entries, _ = plan(analysis.corpus.incidents, public=public)
    shown = tuple(e.incident for e in entries)
    return dashboards.Inputs(
        incidents=shown,
        patterns=dashboards.shown_patterns(analysis.patterns.patterns, {i.id for i in shown}),
        settings=analysis.settings,
        today=max(i.started_at.date() for i in analysis.corpus.incidents),
        pattern_pages={p.id: f"runbooks/{p.id}.md" for p in analysis.patterns.patterns},
        incident_pages={e.incident.id: e.page for e in entries},
    )


@pytest.fixture(scope="module")
def bundled(tmp_path_factory: pytest.TempPathFactory) -> Analysis:
    root = tmp_path_factory.mktemp("bundled")
    shutil.copytree(REPO / "incidents", root / "incidents")
    return analyze_repo(root)


@pytest.fixture(scope="module")
def pages(bundled: Analysis) -> dict[str, str]:
    return dashboards.render(inputs_of(bundled))


def svgs(text: str) -> list[str]:
    return SVG.findall(text)


def test_the_same_incidents_give_the_same_bytes(bundled: Analysis, pages: dict[str, str]) -> None:
    assert dashboards.render(inputs_of(bundled)) == pages
    args = ("s", "T", ["a", "b"], [charts.Series("x", (1.0, 2.0), charts.ACCENT)], "n")
    assert charts.stacked_bars(*args) == charts.stacked_bars(*args)


def test_a_fresh_process_draws_the_same_svg(tmp_path: Path) -> None:
    script = textwrap.dedent(
        """
        import hashlib
        from learnloop.publish import charts
        svg = charts.duration_boxes("t", "TTR", [("api", [3, 9, 40, 300]), ("db", [7, 8])], "m")
        svg += charts.heatmap("h", "Hours", [[0, 1, 2], [3, 0, 5]], ["Mon", "Tue"], ["0", "1", "2"])
        print(hashlib.sha256(svg.encode()).hexdigest())
        """
    )
    digests = set()
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
        )
        digests.add(done.stdout.strip())
    svg = charts.duration_boxes("t", "TTR", [("api", [3, 9, 40, 300]), ("db", [7, 8])], "m")
    svg += charts.heatmap("h", "Hours", [[0, 1, 2], [3, 0, 5]], ["Mon", "Tue"], ["0", "1", "2"])
    assert digests == {hashlib.sha256(svg.encode()).hexdigest()}


def test_every_chart_has_a_figure_and_a_table(bundled: Analysis) -> None:
    boards = dashboards.boards(inputs_of(bundled))
    titles = [c.title for b in boards for c in b.charts]
    assert len(titles) == 8 == len(set(titles))
    for board in boards:
        text = dashboards.render_board(board)
        for chart in board.charts:
            assert chart.figure, chart.title
            rows = [line for line in chart.table.splitlines() if line.startswith("| ")]
            assert len(rows) >= 3, chart.title  # the head and at least two rows of numbers
            section = text.split(f"## {chart.title}\n", 1)[1].split("\n## ", 1)[0]
            figure_at = section.find("<figure") if "<svg" in chart.figure else section.find("```")
            assert 0 <= figure_at < section.find(chart.table), chart.title


def test_the_charts_cover_what_the_issue_asks_for(pages: dict[str, str]) -> None:
    assert sorted(pages) == [
        "dashboards/follow-up.md",
        "dashboards/incidents.md",
        "dashboards/index.md",
        "dashboards/patterns.md",
        "dashboards/prevention.md",
        "dashboards/time-to-resolve.md",
    ]
    every = "\n".join(pages.values())
    for heading in (
        "Incidents per month by severity",
        "Time to resolve by service",
        "Patterns by frequency and impact",
        "When incidents start: hour of the week",
        "Action-item backlog over time",
        "Recurrence before and after fixes",
        "Prevention: impact against effort",
        "Causes and the patterns they show up as",
    ):
        assert f"## {heading}\n" in every
    assert "```mermaid" not in pages["dashboards/patterns.md"]  # a matrix, not a tangle
    assert len(svgs(every)) == 8
    for board in ("incidents", "time-to-resolve", "patterns", "follow-up", "prevention"):
        assert f"]({board}.md)" in pages["dashboards/index.md"]


def test_charts_read_on_light_and_dark_themes(pages: dict[str, str]) -> None:
    for path, text in pages.items():
        for svg in svgs(text):
            assert not FIXED_INK.search(svg), (path, FIXED_INK.search(svg))
            assert "currentColor" in svg
            # Text is filled with the theme's text colour, never a fixed one.
            text_fills = set(re.findall(r'<text [^>]*fill="([^"]+)"', svg))
            assert text_fills == {"currentColor"}, (path, text_fills)
            # Nothing paints a background: the page shows through.
            assert '<rect x="0" y="0"' not in svg


def test_charts_load_and_run_nothing(pages: dict[str, str]) -> None:
    for path, text in pages.items():
        for svg in svgs(text):
            assert not re.search(r"<(script|image|foreignObject|style|a)\b", svg), path
            assert not re.search(r"\son\w+\s*=", svg), path
            assert "<!--" not in svg, path
            assert "<metadata" not in svg, path
            assert not re.search(r'(?:href|src)="', svg), path  # nothing to fetch or follow


def test_element_ids_are_unique_on_each_page(pages: dict[str, str]) -> None:
    for path, text in pages.items():
        ids = Counter(re.findall(r'\bid="([^"]+)"', text))
        assert not [i for i, n in ids.items() if n > 1], path
        for ref in re.findall(r'(?:href="#|url\(#)([^")]+)', text):
            assert ids[ref] == 1, (path, ref)


def test_public_dashboards_know_nothing_of_restricted_incidents(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    shutil.copytree(SITE_DATA / "repo", root)
    shutil.copy(SITE_DATA / "incident.md", root / "incidents/2025/2025-03-14-checkout.md")
    shutil.copy(SITE_DATA / "incident.yaml", root / "incidents/2025/2025-05-02-search.yaml")
    analysis = analyze_repo(root)
    public = "\n".join(dashboards.render(inputs_of(analysis, public=True)).values())
    internal = "\n".join(dashboards.render(inputs_of(analysis)).values())
    assert "payroll-export" in internal  # the restricted incident's service
    for secret in SECRET:
        assert secret not in public, secret


def test_names_from_incidents_stay_text(make_repo: Callable[[dict[str, str]], Path]) -> None:
    hostile = '["<script>alert(1)</script>", "$x^2$ | pipe"]'
    root = make_repo(
        {
            f"2025/x{n}.md": incident_text(
                id=f"INC-2025-00{n}", services=hostile, started_at=f"2025-0{n}-10T10:00:00Z"
            )
            for n in range(1, 4)
        }
    )
    incidents = load_corpus(root).incidents
    inputs = dashboards.Inputs(incidents, (), Settings(), incidents[0].started_at.date(), {}, {})
    text = dashboards.render(inputs)["dashboards/time-to-resolve.md"]
    assert "<script>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "$x^2$ \\| pipe" in text


def test_an_empty_repo_draws_nothing_and_says_so() -> None:
    inputs = dashboards.Inputs((), (), Settings(), date(2025, 1, 1), {}, {})
    pages = dashboards.render(inputs)
    assert "No incidents yet" in pages["dashboards/index.md"]
    for path, text in pages.items():
        assert "<svg" not in text, path
        if path != "dashboards/index.md":
            assert "*Not enough data to draw this yet.*" in text, path
