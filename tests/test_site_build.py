"""The real `mkdocs build --strict` of a small learning repo, and what ends up in site/."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest

from learnloop import site
from tests.conftest import REPO

pytestmark = pytest.mark.slow

DATA = Path(__file__).resolve().parent / "data" / "site"
SECRET = ("INC-2025-099", "zanzibar-ledger", "quokka-sentinel", "restricted-evidence", "Payroll")
TITLES = (
    "Checkout 5xx after orders-api exhausted its database connection pool",
    "Search results empty after an index alias pointed at a half-built index",
)
# Attributes through which a page loads something, by tag.
LOADS = {
    "script": ("src",),
    "img": ("src", "srcset"),
    "iframe": ("src",),
    "source": ("src", "srcset"),
    "video": ("src", "poster"),
    "audio": ("src",),
    "embed": ("src",),
    "object": ("data",),
    "input": ("src",),
    "use": ("href", "xlink:href"),
    "image": ("href", "xlink:href"),
}
LINK_LOADS = {"stylesheet", "icon", "preload", "modulepreload", "prefetch", "preconnect",
              "dns-prefetch", "manifest", "apple-touch-icon"}  # fmt: skip


def make_learning_repo(root: Path, *, with_incidents: bool = True) -> Path:
    """A learning repo as `learnloop init` would leave it, with this project's site files."""
    (root / "incidents").mkdir(parents=True)
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(REPO / "docs", root / "docs", ignore=shutil.ignore_patterns("__pycache__"))
    if with_incidents:
        shutil.copytree(DATA / "repo", root, dirs_exist_ok=True)
        shutil.copy(DATA / "incident.md", root / "incidents/2025/2025-03-14-checkout.md")
        shutil.copy(DATA / "incident.yaml", root / "incidents/2025/2025-05-02-search.yaml")
    return root


@pytest.fixture(scope="module")
def internal(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_learning_repo(tmp_path_factory.mktemp("internal"))
    site.build(root)
    return root / "site"


@pytest.fixture(scope="module")
def public(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_learning_repo(tmp_path_factory.mktemp("public"))
    site.build(root, public=True)
    return root / "site"


class Tags(HTMLParser):
    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)


def html_files(site_dir: Path) -> Iterator[Path]:
    return iter(sorted(site_dir.rglob("*.html")))


def page(site_dir: Path, path: str) -> str:
    return (site_dir / path / "index.html").read_text(encoding="utf-8")


def article(html: str) -> str:
    match = re.search(r"<article.*?</article>", html, re.DOTALL)
    assert match
    return match.group(0)


def test_one_page_per_incident_with_its_facts(internal: Path) -> None:
    for path in (
        "incidents/2025/2025-03-14-checkout",
        "incidents/2025/2025-05-02-search",
        "incidents/2025/2025-04-07-hostile-paste",
        "incidents/2025/2025-04-20-restricted",
    ):
        html = page(internal, path)
        assert "<td>Time to resolve</td>" in html, path
        assert "<td>Severity</td>" in html, path
    html = page(internal, "incidents/2025/2025-03-14-checkout")
    assert "<td>12,400</td>" in html
    assert "<em>(from timeline)</em>" in html


def test_index_pages_link_every_incident(internal: Path) -> None:
    index = page(internal, "incidents")
    for target in (
        "2025/2025-03-14-checkout/",
        "2025/2025-05-02-search/",
        "2025/2025-04-20-restricted/",
    ):
        assert f'href="{target}"' in index
    assert page(internal, "incidents/by-severity").count('href="../2025/2025-05-02-search/"') == 1
    home = (internal / "index.html").read_text(encoding="utf-8")
    assert "<strong>3 incidents</strong>" in home  # figures leave the restricted one out
    assert "1 restricted incident has its own page here" in home
    assert 'href="incidents/2025/2025-03-14-checkout/"' in home


def test_settings_name_the_site_and_give_edit_links(internal: Path) -> None:
    html = page(internal, "incidents/2025/2025-05-02-search")
    assert "Shop incident knowledge base</title>" in html
    edit = "https://github.com/example/shop/edit/main/incidents/2025/2025-05-02-search.yaml"
    assert f'href="{edit}"' in html
    assert 'data-md-component="source"' not in html  # no star counts fetched from GitHub


def test_raw_html_in_an_incident_is_shown_not_run(internal: Path) -> None:
    html = page(internal, "incidents/2025/2025-04-07-hostile-paste")
    benign = page(internal, "incidents/2025/2025-03-14-checkout")
    content = article(html)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content
    assert "&lt;img src=x onerror=alert(1)&gt;" in content
    assert content.count("<code>code &lt;b&gt;</code>") == 1
    tags = Tags(content).tags
    assert not [t for t, _ in tags if t in ("script", "iframe", "object", "embed")]
    assert not [a for _, a in tags if any(k.startswith("on") for k in a)]
    assert not [a for _, a in tags if a.get("href", "").lower().startswith("javascript:")]
    assert [a["src"] for t, a in tags if t == "img"] == ["../error-rate.png"]
    # The whole page runs exactly the scripts every page runs, and the title is text too.
    assert len(re.findall(r"<script", html)) == len(re.findall(r"<script", benign))
    assert "<title>Cart badge &lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<title>Cart badge <" not in html
    assert (internal / "incidents/2025/error-rate.png").is_file()


def test_nothing_is_loaded_from_another_host(internal: Path) -> None:
    checked = 0
    for path in html_files(internal):
        for tag, attrs in Tags(path.read_text(encoding="utf-8")).tags:
            names = LOADS.get(tag, ())
            if tag == "link" and set(attrs.get("rel", "").split()) & LINK_LOADS:
                names = ("href",)
            for name in names:
                for url in re.split(r",\s*", attrs.get(name, "")):
                    checked += 1
                    assert not re.match(r"\s*([a-z][a-z0-9+.-]*:|//)", url, re.I), (path, tag, url)
        assert "fonts.googleapis.com" not in path.read_text(encoding="utf-8")
    assert checked > 20
    for css in internal.rglob("*.css"):
        text = css.read_text(encoding="utf-8")
        assert not re.search(r"@import|url\(\s*['\"]?(https?:)?//", text), css


def test_search_index_holds_the_incidents(internal: Path) -> None:
    index = json.loads((internal / "search/search_index.json").read_text(encoding="utf-8"))
    titles = {doc["title"] for doc in index["docs"]}
    for title in TITLES:
        assert title in titles
    text = " ".join(doc["text"] for doc in index["docs"])
    assert "quokka-sentinel" in text  # an internal build has the restricted incident too
    assert "<script>" not in json.dumps(index)


def test_public_build_has_no_trace_of_restricted_incidents(public: Path) -> None:
    for path in sorted(public.rglob("*")):
        assert not any(s.lower() in path.name.lower() for s in SECRET), path
        if path.is_file():
            data = path.read_bytes()
            for secret in SECRET:
                assert secret.encode() not in data, (path, secret)
    index = json.loads((public / "search/search_index.json").read_text(encoding="utf-8"))
    titles = {doc["title"] for doc in index["docs"]}
    assert set(TITLES) <= titles
    home = (public / "index.html").read_text(encoding="utf-8")
    assert "<strong>3 incidents</strong>" in home
    hostile = article(page(public, "incidents/2025/2025-04-07-hostile-paste"))
    assert "Same class of bug as the payroll export, see" in hostile  # the link is gone


def test_an_empty_repo_builds_and_says_so(tmp_path: Path) -> None:
    root = make_learning_repo(tmp_path / "empty", with_incidents=False)
    site.build(root)
    for path in ("index.html", "incidents/index.html", "incidents/by-service/index.html"):
        assert "No incidents yet." in (root / "site" / path).read_text(encoding="utf-8")
