"""The built site in a real browser: search answers symptoms, charts draw, nothing leaves the host.

Debian's Chromium drives it through Playwright; no browser is ever downloaded. The site is the
bundled corpus built once by `learnloop build` and served from 127.0.0.1. Screenshots and the
search ranks land in artifacts/browser/ for people to look at.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner

from learnloop.cli import cli
from tests.conftest import REPO

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = REPO / "artifacts" / "browser"
# What a responder types, and the runbook that should answer it.
SYMPTOMS = {
    "too many connections": "runbooks/db-connection-pool-exhaustion/",
    "certificate expired": "runbooks/tls-certificate-expiry/",
    "consumer lag": "runbooks/kafka-consumer-lag/",
}
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOCAL = "127.0.0.1"

if not CHROMIUM.is_file():
    pytest.skip(
        f"Chromium is not installed at {CHROMIUM} (`apt-get install chromium`; "
        "`make test` installs it where apt-get is available)",
        allow_module_level=True,
    )
sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is missing")


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The bundled corpus built into a site and served on 127.0.0.1; yields its base URL."""
    root = tmp_path_factory.mktemp("browser") / "repo"
    (ARTIFACTS / "search-ranks.txt").unlink(missing_ok=True)  # this session's ranks only
    shutil.copytree(REPO / "incidents", root / "incidents")
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(REPO / "docs", root / "docs", ignore=shutil.ignore_patterns("__pycache__"))
    result = CliRunner().invoke(cli, ["--root", str(root), "build"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    handler = functools.partial(Quiet, directory=str(root / "site"))
    server = http.server.ThreadingHTTPServer((LOCAL, 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{LOCAL}:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh page whose requests to any other host are refused and recorded."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme="light")
    elsewhere: list[str] = []

    def guard(route: Any) -> None:
        if urlsplit(route.request.url).hostname == LOCAL:
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    tab = context.new_page()
    tab.elsewhere = elsewhere
    try:
        yield tab
    finally:
        context.close()


def shot(page: Any, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def search(page: Any, site: str, query: str) -> list[str]:
    """The result pages for a query as a person types it, best first, relative to the site."""
    page.goto(site)
    box = page.locator("input.md-search__input")
    box.click()
    # The index loads in a worker; typing before it is ready finds nothing.
    page.wait_for_function(
        "() => !document.querySelector('.md-search-result__meta')"
        ".textContent.includes('Initializing')",
        timeout=60_000,
    )
    box.fill(query[:-1])
    box.press(query[-1])  # the theme searches on key presses, not on a filled value
    links = page.locator("li.md-search-result__item > a.md-search-result__link")
    links.first.wait_for(timeout=30_000)
    previous: list[str] = []
    for _ in range(20):  # results settle once the last keystroke's search is drawn
        page.wait_for_timeout(250)
        current = [links.nth(n).get_attribute("href") or "" for n in range(links.count())]
        if current and current == previous:
            break
        previous = current
    return [urlsplit(h).path.removeprefix(urlsplit(site).path) for h in previous]


@pytest.mark.parametrize("symptom", sorted(SYMPTOMS))
def test_a_typed_symptom_finds_its_runbook_in_the_top_three(
    page: Any, site: str, symptom: str
) -> None:
    found = search(page, site, symptom)
    rank = found.index(SYMPTOMS[symptom]) + 1 if SYMPTOMS[symptom] in found else None
    shot(page, f"search-{symptom.replace(' ', '-')}")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with (ARTIFACTS / "search-ranks.txt").open("a", encoding="utf-8") as log:
        log.write(f"{symptom!r}: rank {rank}; top three {found[:3]}\n")
    assert rank is not None, found[:10]
    assert rank <= 3, found[:10]
    assert page.elsewhere == []


@pytest.mark.parametrize("board", ["incidents", "time-to-resolve", "follow-up", "prevention"])
def test_dashboard_charts_are_drawn(page: Any, site: str, board: str) -> None:
    page.goto(f"{site}dashboards/{board}/")
    figures = page.locator("figure.ll-chart svg")
    assert figures.count() >= 1
    for n in range(figures.count()):
        svg = figures.nth(n)
        svg.scroll_into_view_if_needed()
        box = svg.bounding_box()
        assert box is not None
        assert box["width"] > 300, box
        assert box["height"] > 100, box
        assert svg.locator("path").count() > 20  # bars, boxes or cells, not an empty frame
        assert svg.evaluate("e => getComputedStyle(e).display") != "none"
    tables = page.locator("article table")
    assert tables.count() >= figures.count()
    shot(page, f"dashboard-{board}-light")
    assert page.elsewhere == []


def test_the_cause_map_draws_with_the_local_mermaid(page: Any, site: str) -> None:
    page.goto(f"{site}dashboards/patterns/")
    diagram = page.locator("div.mermaid")  # the theme swaps the fence for a drawn diagram
    diagram.wait_for(timeout=30_000)
    page.wait_for_function(
        "() => document.querySelector('div.mermaid').getBoundingClientRect().height > 200"
    )
    assert page.locator("figure.ll-chart svg").count() == 1
    shot(page, "dashboard-patterns-light")
    assert page.elsewhere == []  # mermaid came from this site, not a CDN


def test_dark_mode_keeps_charts_readable(page: Any, site: str) -> None:
    page.goto(f"{site}dashboards/incidents/")
    figure = page.locator("figure.ll-chart").first
    light = figure.evaluate("e => getComputedStyle(e).color")
    page.locator('label[title="Dark mode"]').click()
    page.wait_for_function("() => document.body.dataset.mdColorScheme === 'slate'")
    dark = figure.evaluate("e => getComputedStyle(e).color")
    background = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
    assert light != dark  # the chart's ink follows the theme
    assert luminance(dark) > 0.5 > luminance(light)
    assert luminance(background) < 0.2
    shot(page, "dashboard-incidents-dark")
    page.goto(f"{site}dashboards/patterns/")  # the choice persists across pages
    page.locator("div.mermaid").wait_for(timeout=30_000)
    assert page.evaluate("() => document.body.dataset.mdColorScheme") == "slate"
    shot(page, "dashboard-patterns-dark")
    assert page.elsewhere == []


def test_an_incident_page_shows_its_furniture(page: Any, site: str) -> None:
    page.goto(f"{site}incidents/")
    page.locator("article table a[href*='2024-10-25-inventory-db-too-many-clients']").click()
    page.wait_for_url("**/2024-10-25-inventory-db-too-many-clients-orders/")
    article = page.locator("article")
    for label in ("Pattern", "Runbook used", "Decisions"):
        assert article.locator(f"td:text-is('{label}')").count() == 1, label
    pattern = article.locator("td:text-is('Pattern') + td a")
    assert pattern.get_attribute("href") == "../../../runbooks/db-connection-pool-exhaustion/"
    assert article.locator("h2#similar-incidents + ul > li").count() == 3
    runbook = pattern
    shot(page, "incident-page")
    runbook.first.click()
    page.wait_for_url("**/runbooks/db-connection-pool-exhaustion/")
    assert page.get_by_text("Symptoms.", exact=False).count() >= 1
    shot(page, "runbook-page")
    assert page.elsewhere == []


def luminance(css: str) -> float:
    """Relative luminance (0 black … 1 white) of a CSS rgb()/rgba() colour."""
    values = [float(v) / 255 for v in css[css.index("(") + 1 : css.index(")")].split(",")[:3]]
    r, g, b = (((c + 0.055) / 1.055) ** 2.4 if c > 0.04045 else c / 12.92 for c in values)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b
