"""The bundled corpus built as a site: runbooks published with freshness, public builds clean."""

from __future__ import annotations

import json
import re
import shutil
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from learnloop.cli import cli
from learnloop.read import load_corpus
from tests.conftest import REPO

pytestmark = pytest.mark.slow


def build(tmp: Path, *flags: str) -> Path:
    root = tmp / "repo"
    shutil.copytree(REPO / "incidents", root / "incidents")
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(REPO / "docs", root / "docs")
    result = CliRunner().invoke(cli, ["--root", str(root), "build", *flags], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return root


@pytest.fixture(scope="module")
def internal(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("internal"))


@pytest.fixture(scope="module")
def public(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("public"), "--public")


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.hrefs += [v for k, v in attrs if k == "href" and v]


def test_runbooks_are_pages_with_freshness_and_working_incident_links(internal: Path):
    page = internal / "site" / "runbooks" / "db-connection-pool-exhaustion" / "index.html"
    html = page.read_text()
    # The state is one line under the title, the sources and how to sign off at the end.
    head, review = html.split('id="review"', 1)
    assert head.count('class="ll-state ll-stale"') == 1
    assert "Stale: never reviewed</a>" in head
    assert "admonition" not in head.split("<h2", 1)[0]
    assert "Never reviewed. Nobody has signed it off yet." in review
    assert "learnloop review runbooks/db-connection-pool-exhaustion.md" in review
    assert "pg_stat_activity" in unescape(html)
    parser = Links()
    parser.feed(html)
    incident_links = [h for h in parser.hrefs if "incidents/" in h and not h.startswith("http")]
    assert incident_links
    for href in incident_links:
        target = (page.parent / href.split("#")[0]).resolve()
        assert (target / "index.html").is_file() or target.is_file(), href
    assert (internal / "site" / "runbooks" / "alerts" / "index.html").is_file()
    assert (internal / "site" / "kb" / "index.html").is_file()
    assert (internal / "site" / "adr" / "index.html").is_file()
    reports = (internal / "site" / "kb" / "reports" / "index.html").read_text()
    assert 'href="executive/"' in reports
    assert 'href="2025-11/"' in reports


def test_public_build_has_no_trace_of_restricted_incidents(public: Path):
    restricted = [i for i in load_corpus(public).incidents if i.visibility == "restricted"]
    assert restricted
    # Ids and file names are unique to them (other incidents may share a title's words).
    needles = [i.id for i in restricted] + [Path(i.path).stem for i in restricted]
    for path in (public / "site").rglob("*"):
        if path.is_file() and path.suffix in {".html", ".json", ".xml", ".md", ".txt", ".js"}:
            text = path.read_text(errors="replace")
            for needle in needles:
                assert needle not in text, (needle, path)


def test_internal_build_shows_restricted_incidents(internal: Path):
    restricted = [i for i in load_corpus(internal).incidents if i.visibility == "restricted"]
    index = (internal / "site" / "search" / "search_index.json").read_text()
    assert all(i.id in index for i in restricted)


def test_public_build_refuses_secrets(tmp_path: Path):
    root = tmp_path / "repo"
    shutil.copytree(REPO / "incidents", root / "incidents")
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(REPO / "docs", root / "docs")
    victim = next((root / "incidents").rglob("*.md"))
    victim.write_text(victim.read_text() + "\nLogged in with postgres://app:hunter2secret@db1/x\n")
    result = CliRunner().invoke(cli, ["--root", str(root), "build", "--public"])
    assert result.exit_code == 1
    assert "a public build needs a clean check" in result.output
    assert "no site was built" in result.output
    assert not (root / "site").exists()
    assert not (root / "site").exists()


def search_docs(root: Path) -> list[dict[str, object]]:
    index = json.loads((root / "site" / "search" / "search_index.json").read_text())
    return index["docs"]


def test_search_ranks_runbooks_above_incidents(internal: Path):
    docs = search_docs(internal)
    runbook = [d for d in docs if d["location"] == "runbooks/db-connection-pool-exhaustion/"]
    assert runbook[0]["boost"] > 1
    assert any("too many clients" in str(t) for t in runbook[0]["tags"])  # type: ignore[attr-defined]
    incident = next(d for d in docs if str(d["location"]).startswith("incidents/2025/"))
    assert incident["boost"] < 1
    assert incident["tags"] == ["Incident"]  # what it is, shown under the result
    assert runbook[0]["tags"][0] == "Runbook"
    html = (internal / "site/runbooks/db-connection-pool-exhaustion/index.html").read_text()
    assert "Symptoms: how this failure showed up</summary>" in html
    assert "Seen as:" in html


def test_dashboards_are_built_and_linked(internal: Path):
    site = internal / "site"
    for board in ("incidents", "time-to-resolve", "patterns", "follow-up", "prevention"):
        html = (site / "dashboards" / board / "index.html").read_text()
        assert html.count('<figure class="ll-chart"') >= 1, board
        assert "<table>" in html, board
    patterns = (site / "dashboards/patterns/index.html").read_text()
    assert patterns.count('<figure class="ll-chart"') == 2  # the cause map is a chart too
    assert 'mermaid"><code>' not in patterns
    home = (site / "index.html").read_text()
    assert 'href="dashboards/"' in home
    assert "Dashboards" in home  # in the navigation
    # The diagram library (for diagrams people write) is served with the site.
    assert (site / "assets/learnloop/mermaid.min.js").stat().st_size > 1_000_000
    scripts = re.findall(r'<script src="([^"]+)"', patterns)
    assert "../../assets/learnloop/mermaid.min.js" in scripts
    assert not [s for s in scripts if re.match(r"[a-z]+:|//", s)]
    assert not (internal / "dashboards").exists()  # nothing written to the repository


def test_incident_pages_show_pattern_and_similar_incidents(internal: Path):
    page = internal / "site/incidents/2024/2024-10-25-inventory-db-too-many-clients-orders"
    html = (page / "index.html").read_text()
    assert "<strong>Pattern:</strong>" in html
    assert 'href="../../../runbooks/db-connection-pool-exhaustion/"' in html
    similar = html.split('id="similar-incidents"', 1)[1].split("</ul>", 1)[0]
    links = re.findall(r'<a href="([^"]+)">INC-', similar)
    assert len(links) == 3
    for href in links:
        assert (page / href / "index.html").resolve().is_file(), href


def kind_line(html: str) -> str:
    found = re.search(r'<p class="ll-kind">(.*?)</p>', html, re.DOTALL)
    return unescape(re.sub(r"<[^>]+>", "", found.group(1))) if found else ""


def test_only_documents_people_act_on_carry_a_review_state(internal: Path):
    site = internal / "site"
    for rel in ("runbooks", "runbooks/alerts", "kb", "kb/reports", "kb/reports/executive"):
        html = (site / rel / "index.html").read_text()
        assert "ll-state" not in html, rel
        assert 'id="review"' not in html, rel
        assert "Never reviewed" not in html, rel
    for rel in ("runbooks/kafka-consumer-lag", "kb/patterns/kafka-consumer-lag", "adr"):
        html = (site / rel / "index.html").read_text()
        assert ("ll-state" in html) == (rel != "adr"), rel


def test_every_page_counts_the_same_incidents_and_patterns(internal: Path, public: Path):
    """Home, dashboards and the knowledge base give one count of incidents and patterns, in
    the internal site and the public one; an incident's pattern is as big as its runbook."""
    found = CliRunner().invoke(cli, ["--root", str(internal), "patterns", "--json"])
    patterns = len(json.loads(found.output)["patterns"])
    assert patterns > 10
    for root in (internal, public):
        site = root / "site"
        home = unescape((site / "index.html").read_text())
        boards = unescape((site / "dashboards" / "index.html").read_text())
        kb = unescape((site / "kb" / "index.html").read_text())
        assert "167 incidents</strong> across" in home, root
        assert f"{patterns} recurring patterns</strong>" in home, root
        assert "Drawn from 167 incidents" in boards
        assert f"{patterns} recurring patterns" in boards
        assert "167 incidents from" in kb
        assert f"{patterns} recurring patterns cover" in kb
    home = unescape((internal / "site" / "index.html").read_text())
    assert "3 restricted incidents have their own page here but no figure" in home
    public_home = unescape((public / "site" / "index.html").read_text())
    assert "Restricted incidents are not published here, and no figure counts them." in public_home
    checked = 0
    for page in (internal / "site" / "incidents").rglob("index.html"):
        html = page.read_text()
        found = re.search(
            r'<strong>Pattern:</strong> <a href="([^"]+)">[^<]*</a> \((\d+) incidents?', html
        )
        if not found or "/runbooks/" not in found.group(1):
            continue
        runbook = (page.parent / found.group(1) / "index.html").resolve().read_text()
        assert f"built from {found.group(2)} incident" in kind_line(runbook), page
        checked += 1
    assert checked > 100
