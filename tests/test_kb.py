"""The knowledge base: which articles, what they say, and that people's edits survive."""

from __future__ import annotations

import posixpath
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from learnloop.analyze import rootcause
from learnloop.analyze.analysis import Analysis, analyze_repo
from learnloop.analyze.patterns import Pattern
from learnloop.write import front_matter, kb
from learnloop.write.kb import articles as kb_articles
from tests.conftest import REPO
from tests.test_rootcause import analysis_of, corpus, make_incident

_LINK = re.compile(r"\]\(([^)\s]+)\)")


def _resolves(path: str, target: str, files: dict[str, str], sources: set[str]) -> bool:
    """Whether a link from path reaches a file, and its #anchor a heading of that file."""
    target, _, anchor = target.partition("#")
    resolved = posixpath.normpath(posixpath.join(posixpath.dirname(path), target))
    if resolved not in files:
        # Runbooks, game days and onboarding pages are other writers' documents.
        return resolved in sources or resolved.startswith(
            ("runbooks/", "kb/gamedays/", "kb/onboarding/")
        )
    # Headings as the site's toc extension slugs them (lower case, words joined by '-').
    slugs = {
        re.sub(r"[\s]+", "-", re.sub(r"[^\w\s-]", "", h.strip().lower()))
        for h in re.findall(r"(?m)^#+ (.+)$", files[resolved])
    }
    return not anchor or anchor in slugs


def render(analysis: Analysis, files: dict[str, str] | None = None) -> dict[str, str]:
    incidents = analysis.corpus.incidents
    patterns = analysis.patterns.patterns
    synthesis = rootcause.synthesize(incidents, patterns)
    systemic = rootcause.systemic_issues(incidents, patterns)
    return kb.render_kb(analysis, synthesis, systemic, (files or {}).get)


@pytest.fixture
def small(tmp_path: Path) -> Analysis:
    incidents, patterns = corpus()
    return analysis_of(tmp_path, incidents, patterns)


def test_articles_for_patterns_services_systemic_cases_and_an_index(small: Analysis) -> None:
    files = render(small)
    assert sorted(files) == [
        "kb/cases/INC-1.md",
        "kb/cases/INC-5.md",  # INC-4 is a P0 too, but restricted: no case study
        "kb/index.md",
        "kb/patterns/pool.md",
        "kb/patterns/provider.md",
        "kb/services/cart-db.md",
        "kb/services/checkout-api.md",
        "kb/services/orders-api.md",
        "kb/services/orders-db.md",
        "kb/services/payments-gateway.md",
        "kb/services/reports.md",
        "kb/systemic/detection-gap.md",
        "kb/systemic/no-canary.md",
        "kb/systemic/no-circuit-breaker.md",
        "kb/systemic/recurring-the-change-went-out-at-the.md",
    ]
    for path, text in files.items():
        front, _ = front_matter.split_existing(text)
        assert front["generated_by"] == "learnloop"
        assert front["kind"] == "article", path


def test_pattern_article_figures_are_computed(small: Analysis) -> None:
    text = render(small)["kb/patterns/pool.md"]
    front, _ = front_matter.split_existing(text)
    assert front["pattern"] == "pool"
    assert front["sources"] == ["INC-1", "INC-2", "INC-3"]
    # 1,000 + 500 customers, $20,000 + $5,000; TTRs 60, 50 and 30 minutes.
    assert "3 incidents from 2025-01 to 2025-03" in text
    assert "1 at P0/P1" in text
    assert "Median time to resolve 50 min" in text
    assert "Cost: 1,500 customers affected and $25,000 of revenue" in text
    assert "Runbook: [Connection pool exhaustion](../../runbooks/pool.md)" in text
    assert "— the cause in 2 of 3 ([INC-2](../../incidents/2025/INC-2.md)" in text
    assert "Customers noticed first in 1 of 3" in text
    assert "Move checkout-api reads to a read replica of orders-db | prevent | open 1" in text
    detection = next(t.title for t in rootcause.THEMES if t.id == "detection-gap")
    assert f"[{detection}](../systemic/detection-gap.md) — 2 of 3" in text


def test_every_link_points_at_a_file_or_another_article(small: Analysis) -> None:
    files = render(small)
    sources = {i.path for i in small.corpus.incidents}
    for path, text in files.items():
        for target in _LINK.findall(text):
            assert _resolves(path, target, files, sources), (path, target)


def test_service_article_states_limits_and_dependencies(small: Analysis) -> None:
    text = render(small)["kb/services/orders-db.md"]
    assert "30 pods with a pool of 20 need 600 sessions; orders-db allows 400." in text
    assert "[checkout-api](checkout-api.md) (1)" in text
    assert "[Connection pool exhaustion](../patterns/pool.md) | 2 |" in text


def test_systemic_article_states_its_score(small: Analysis) -> None:
    text = render(small)["kb/systemic/no-circuit-breaker.md"]
    assert "**Score " in text
    assert "× mean impact" in text
    assert "Direction of the fix** (an architecture change)" in text
    assert "Retries without backoff amplified the load" in text


def test_case_study_tells_the_incident_and_what_came_before(small: Analysis) -> None:
    text = render(small)["kb/cases/INC-1.md"]
    assert "| Detected | 2025-01-10 10:05 | 5 min |" in text
    assert "**Pattern.** The first incident of [Connection pool exhaustion]" in text
    assert "[What was tried](../patterns/pool.md#what-was-tried)" in text
    assert "1. checkout-api failed because it could not get database connections." in text


def test_a_recurrence_is_compared_with_the_past_and_leaves_earlier_case_studies_alone(
    tmp_path: Path,
) -> None:
    incidents, patterns = corpus()
    before = render(analysis_of(tmp_path, incidents, patterns))
    again = make_incident(
        "INC-7", "2025-04-01T10:00:00Z", severity="P1", services=["checkout-api"],
        detected_at="2025-04-01T10:30:00Z", resolved_at="2025-04-01T11:00:00Z",
    )  # fmt: skip
    pool = Pattern("pool", "Connection pool exhaustion", ("INC-1", "INC-2", "INC-3", "INC-7"))
    after = render(analysis_of(tmp_path, [*incidents, again], [pool, patterns[1]]))
    assert after["kb/cases/INC-1.md"] == before["kb/cases/INC-1.md"]
    case = after["kb/cases/INC-7.md"]
    assert "A recurrence of [Connection pool exhaustion](../patterns/pool.md), which had 3 " in case
    # INC-1 was detected after 5 min and INC-2 after 20 (INC-3 has no time): 12.5 shown as 13.
    assert "after 30 min; the pattern's median before it was 13 min." in case
    assert "sources: [INC-1, INC-2, INC-3, INC-7]" in case


def test_text_from_incidents_is_quoted_as_written_and_escaped_on_the_site(tmp_path: Path) -> None:
    from datetime import date

    from learnloop.publish.generated import Publishing, page_text
    from learnloop.publish.plan import Links

    incidents, patterns = corpus()
    evil = make_incident(
        "INC-7", "2025-04-01T10:00:00Z", severity="P1", title="<script>alert(1)</script> outage",
        contributing_factors=["<img src=x onerror=alert(1)> in the factor."],
    )  # fmt: skip
    files = render(analysis_of(tmp_path, [*incidents, evil], patterns))
    case = files["kb/cases/INC-7.md"]
    assert "<script>alert(1)</script> outage" in case  # the committed file quotes as written
    publishing = Publishing(Links([]), frozenset(), date(2025, 5, 1), 90)
    for rel, text in files.items():
        page = page_text(rel, text, {}, publishing)
        assert "<script>" not in page
        assert "<img" not in page
    published = page_text("kb/cases/INC-7.md", case, {}, publishing)
    assert "&lt;script&gt;" in published


def test_human_edits_and_adopted_regions_survive(small: Analysis) -> None:
    first = render(small)
    path = "kb/patterns/pool.md"
    edited = first[path].replace(
        "<!-- learnloop:begin whys -->", "Ask the DBA first.\n\n<!-- learnloop:begin whys -->"
    )
    edited = re.sub(r"<!-- learnloop:(begin|end) detection -->\n?", "", edited)
    edited = edited.replace("## Detection", "## Detection (our words)")
    again = render(small, {**first, path: edited})
    assert again[path] == edited
    assert "Ask the DBA first." in again[path]
    assert again[path].count("## Detection") == 1


def test_rendering_twice_is_byte_identical(small: Analysis) -> None:
    first = render(small)
    assert render(small, first) == first
    assert render(small) == first


def test_golden_pattern_article(small: Analysis, golden: Callable[[str, str], None]) -> None:
    golden("kb_pattern.md", render(small)["kb/patterns/pool.md"])


@pytest.fixture(scope="module")
def bundled(tmp_path_factory: pytest.TempPathFactory) -> Analysis:
    root = tmp_path_factory.mktemp("kb")
    shutil.copytree(REPO / "incidents", root / "incidents")
    return analyze_repo(root)


def test_bundled_corpus(bundled: Analysis) -> None:
    files = render(bundled)
    incidents = bundled.corpus.incidents
    kinds = {k: sum(1 for p in files if p.startswith(f"kb/{k}/")) for k in ("patterns", "cases")}
    assert kinds["patterns"] == len(bundled.patterns.patterns)
    severe = [i for i in incidents if i.severity in ("P0", "P1") and i.visibility != "restricted"]
    assert kinds["cases"] == len(severe)
    assert "kb/index.md" in files
    sources = {i.path for i in incidents}
    for path, text in files.items():
        for target in _LINK.findall(text):
            assert _resolves(path, target, files, sources), (path, target)
    assert render(bundled, files) == files


def test_a_large_systemic_issue_lists_its_most_recent_incidents(
    bundled: Analysis, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(kb_articles, "LISTED", 5)
    files = render(bundled)
    text = files["kb/systemic/detection-gap.md"]
    table = text[text.index("## Incidents") :]
    rows = re.findall(r"(?m)^\| (\d{4}-\d\d-\d\d) \| \[(INC-[\w-]+)\]", table)
    issue = next(
        s
        for s in rootcause.systemic_issues(bundled.corpus.incidents, bundled.patterns.patterns)
        if s.id == "detection-gap"
    )
    by_id = {i.id: i for i in bundled.corpus.incidents}
    newest = sorted(
        (by_id[i] for i in issue.incidents), key=lambda i: (i.started_at, i.id), reverse=True
    )
    assert [r[1] for r in rows] == [i.id for i in newest[:5]]
    assert f"The 5 most recent of {len(newest)} incidents;" in table
    # A pattern's own article still lists every one of its incidents.
    pattern = bundled.patterns.patterns[0]
    article = files[f"kb/patterns/{pattern.id}.md"]
    listed = article[article.index("## Incidents") :]
    assert all(f"[{i}]" in listed for i in pattern.incidents)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(["a", "b", "kb", "x.md", ".", "..", ""]), min_size=1, max_size=4),
    st.lists(st.sampled_from(["a", "b", "kb", "x.md", ".", "..", ""]), max_size=4),
)
def test_relative_links_are_what_relpath_gives(target: list[str], start: list[str]) -> None:
    from learnloop.write.markdown import _relative

    joined, base = "/".join(target), "/".join(start)
    if not joined:
        return
    assert _relative(joined, base) == posixpath.relpath(joined, base or ".")


def test_a_time_before_the_start_is_told_as_before_not_as_a_day_and_more():
    from learnloop.write.markdown import duration, from_start

    assert duration(-300) == "-5 h 00 min"
    assert from_start(-300) == "5 h 00 min before the start"
    assert from_start(7) == "7 min after the start"
    assert duration(1505) == "1 d 01 h 05 min"
