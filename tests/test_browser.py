"""The built site in a real browser: search answers symptoms, charts draw, nothing leaves the host.

Debian's Chromium drives it through Playwright; no browser is ever downloaded. The site is the
bundled corpus built once by `learnloop build` and served from 127.0.0.1. Screenshots and the
search ranks land in artifacts/browser/ for people to look at.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from click.testing import CliRunner

from learnloop.cli import cli
from learnloop.write.front_matter import split_existing
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


def serve(folder: Path) -> Iterator[str]:
    """A built site served on 127.0.0.1 while the generator runs; yields its base URL."""
    handler = functools.partial(Quiet, directory=str(folder))
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
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The bundled corpus built into a site and served on 127.0.0.1; yields its base URL."""
    root = tmp_path_factory.mktemp("browser") / "repo"
    (ARTIFACTS / "search-ranks.txt").unlink(missing_ok=True)  # this session's ranks only
    shutil.copytree(REPO / "incidents", root / "incidents")
    for name in ("mkdocs.yml", "learnloop.yml", "patterns.yml", "patterns.members.yml"):
        shutil.copy(REPO / name, root / name)
    shutil.copytree(REPO / "docs", root / "docs", ignore=shutil.ignore_patterns("__pycache__"))
    result = CliRunner().invoke(cli, ["--root", str(root), "build"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    yield from serve(root / "site")


# A post-mortem as people write it on GitHub: a line of text right above its list, a code
# span wrapped by the editor, ticked action items.
TEAM_POST_MORTEM = """
## Summary
Checkout failed for 20 minutes after the pool of checkout-api ran dry. We restarted it with
`kubectl rollout restart
deployment/checkout-api -n shop`, which cleared the stuck connections.

## Timeline
All times UTC.
- 10:00 — Errors begin.
- 10:05 — Alert CheckoutDbPoolSaturated fires.
- 10:20 — Pool size lowered; resolved.

## Action items
- [x] AI-1: Alert on pool saturation
- [ ] AI-2: Put a pooler in front of the database
"""


def build_team_repo(root: Path, settings: str = "") -> None:
    """A new team's repo: `init`, two post-mortems from `new` written as on GitHub, built;
    `settings` appended to the learnloop.yml `init` wrote."""
    runner = CliRunner()
    assert runner.invoke(cli, ["init", str(root), "--install", TEAM_PIN]).exit_code == 0
    if settings:
        with (root / "learnloop.yml").open("a", encoding="utf-8") as out:
            out.write(settings)
    for title, started in (("Checkout pool ran dry", "2025-11-02"), ("Pool ran dry", "2025-11-09")):
        made = runner.invoke(cli, ["--root", str(root), "new", title, "--started", started])
        path = root / made.output.strip()
        path.write_text(path.read_text().split("\n---\n", 1)[0] + "\n---\n" + TEAM_POST_MORTEM)
    result = runner.invoke(cli, ["--root", str(root), "build"], catch_exceptions=False)
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def team_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A new team's repo, built and served."""
    root = tmp_path_factory.mktemp("team") / "repo"
    build_team_repo(root)
    yield from serve(root / "site")


RATED_REPO = "https://github.com/acme/incidents"


@pytest.fixture(scope="module")
def rated_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """A new team's repo with `site: {repo_url: …}`, built by mkdocs and served; yields its
    base URL and the repo."""
    root = tmp_path_factory.mktemp("rated") / "repo"
    build_team_repo(root, f"\nsite:\n  repo_url: {RATED_REPO}\n")
    for url in serve(root / "site"):
        yield url, root


TEAM_PIN = "git+https://github.com/acme/learnloop@0123456789abcdef0123456789abcdef01234567"


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
    context = browser.new_context(viewport={"width": 1400, "height": 900}, color_scheme="light")
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
        shapes = svg.locator("rect, circle, path, line").count()
        assert shapes > 20  # bars, boxes, points or cells, not an empty frame
        assert svg.evaluate("e => getComputedStyle(e).display") != "none"
    tables = page.locator("article table")
    assert tables.count() >= figures.count()
    shot(page, f"dashboard-{board}-light")
    assert page.elsewhere == []


def test_the_cause_map_is_a_matrix_that_reads(page: Any, site: str) -> None:
    page.goto(f"{site}dashboards/patterns/")
    matrix = page.locator("figure#chart-cause-symptom-map svg")
    matrix.scroll_into_view_if_needed()
    box = matrix.bounding_box()
    assert box is not None
    assert box["width"] > 600, box
    labels = matrix.locator("text")
    sizes = {labels.nth(n).evaluate("e => e.getBoundingClientRect().height") for n in range(5)}
    assert min(sizes) >= 9, sizes  # text a person can read at 1400 px, not a shrunk tangle
    assert page.locator("div.mermaid").count() == 0
    shot(page, "dashboard-patterns-light")
    assert page.elsewhere == []


def test_every_scatter_point_is_numbered(page: Any, site: str) -> None:
    for board, slug in (
        ("patterns", "patterns-frequency-impact"),
        ("prevention", "prevention-matrix"),
    ):
        page.goto(f"{site}dashboards/{board}/")
        svg = page.locator(f"figure#chart-{slug} svg")
        points = svg.locator("circle").count()
        numbers = svg.locator("text[font-weight=bold]").all_text_contents()
        assert points > 5, board
        assert sorted(int(n) for n in numbers) == list(range(1, points + 1)), board


@pytest.mark.parametrize(
    "board", ["incidents", "time-to-resolve", "patterns", "follow-up", "prevention"]
)
def test_tables_fit_the_page_at_1400_px(page: Any, site: str, board: str) -> None:
    page.goto(f"{site}dashboards/{board}/")
    widths = page.evaluate(
        """() => [...document.querySelectorAll("article table")].map(t => {
            const wrap = t.closest(".md-typeset__table") || t.parentElement;
            return [t.getBoundingClientRect().right, wrap.getBoundingClientRect().right];
        })"""
    )
    assert widths
    for right, edge in widths:
        assert right <= edge + 1, (board, right, edge)


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
    assert page.evaluate("() => document.body.dataset.mdColorScheme") == "slate"
    shot(page, "dashboard-patterns-dark")
    assert page.elsewhere == []


def test_an_incident_page_shows_its_furniture(page: Any, site: str) -> None:
    page.goto(f"{site}incidents/")
    page.locator("article table a[href*='2024-10-25-inventory-db-too-many-clients']").click()
    page.wait_for_url("**/2024-10-25-inventory-db-too-many-clients-orders/")
    article = page.locator("article")
    glance = article.locator(".ll-glance")
    for label in ("Services:", "Pattern:", "Runbook:", "Decisions:"):
        assert glance.locator(f"strong:text-is('{label}')").count() == 1, label
    pattern = glance.locator("li:has(strong:text-is('Pattern:')) a")
    assert pattern.get_attribute("href") == "../../../runbooks/db-connection-pool-exhaustion/"
    assert article.locator("h2#similar-incidents + ul > li").count() == 3
    shot(page, "incident-page")
    pattern.first.click()
    page.wait_for_url("**/runbooks/db-connection-pool-exhaustion/")
    assert page.get_by_text("Symptoms: how this failure showed up").count() == 1
    shot(page, "runbook-page")
    assert page.elsewhere == []


def bottom_of(locator: Any) -> float:
    box = locator.first.bounding_box()
    assert box is not None
    return float(box["y"] + box["height"])


def test_an_incident_opens_with_its_summary_pattern_and_runbook(page: Any, site: str) -> None:
    """At 1400×900 the first screen holds what to do next, not 25 rows of metadata."""
    page.goto(f"{site}incidents/2024/2024-10-25-inventory-db-too-many-clients-orders/")
    article = page.locator("article")
    glance = article.locator(".ll-glance")
    assert bottom_of(glance.locator("li:has(strong:text-is('Runbook:'))")) < 900
    summary = article.locator(".ll-glance + p")
    assert "orders-api returned HTTP 500" in summary.inner_text()
    assert bottom_of(summary) < 900
    details = article.locator("h2#details")
    assert details.bounding_box()["y"] > 900  # the full table is further down
    assert article.locator("h2#details + div table, h2#details + table").count() == 1


def test_a_runbook_keeps_its_chrome_to_one_line(page: Any, site: str) -> None:
    page.goto(f"{site}runbooks/db-connection-pool-exhaustion/")
    article = page.locator("article")
    kind = article.locator("p.ll-kind")
    assert kind.count() == 1
    box = kind.bounding_box()
    assert box is not None
    assert box["height"] < 30, box  # one line: what it is and whether it is reviewed
    assert "Stale: never reviewed" in kind.inner_text()
    first_h2 = article.locator("h2").first.bounding_box()
    assert first_h2 is not None
    assert first_h2["y"] < 600, first_h2  # the steps begin within the first screen
    assert article.locator(".admonition").first.bounding_box()["y"] > 900  # details at the end
    kind.locator("a").click()
    page.wait_for_url("**/runbooks/db-connection-pool-exhaustion/#review")
    shot(page, "runbook-first-screen")


@pytest.mark.parametrize(
    "runbook", ["db-connection-pool-exhaustion", "tls-certificate-expiry", "kafka-consumer-lag"]
)
def test_a_runbooks_mitigation_starts_on_the_first_screen(
    page: Any, site: str, runbook: str
) -> None:
    """At 1400×900 an on-call sees how to confirm it is this and what to do, without scrolling."""
    page.goto(f"{site}runbooks/{runbook}/")
    article = page.locator("article")
    headings = [h.strip().rstrip("¶") for h in article.locator("h2").all_inner_texts()]
    assert headings[:2] == ["Confirm it is this", "Mitigation"], headings
    mitigation = article.locator("h2#mitigation").bounding_box()
    assert mitigation is not None
    assert mitigation["y"] < 900, mitigation


@pytest.mark.parametrize("path", ["runbooks/", "runbooks/alerts/", "kb/", "kb/reports/executive/"])
def test_indexes_and_reports_carry_no_review_state(page: Any, site: str, path: str) -> None:
    page.goto(f"{site}{path}")
    article = page.locator("article")
    assert article.locator(".ll-state").count() == 0
    assert article.locator(".admonition").count() == 0
    assert "Never reviewed" not in article.inner_text()


def test_home_is_where_an_incident_starts(page: Any, site: str) -> None:
    page.goto(site)
    box = page.locator("#ll-search-box")
    assert bottom_of(box) < 600
    headings = page.locator("article h2").all_inner_texts()
    for heading in ("Runbooks by alert", "Open patterns", "Recurring lately", "Due for review"):
        assert any(h.startswith(heading) for h in headings), (heading, headings)
    assert "3 restricted incidents" in page.locator("article .ll-note").first.inner_text()
    page.wait_for_function(
        "() => !document.querySelector('.md-search-result__meta')"
        ".textContent.includes('Initializing')",
        timeout=60_000,
    )
    box.click()
    page.keyboard.type("consumer la")
    page.keyboard.press("g")
    first = page.locator("li.md-search-result__item > a.md-search-result__link").first
    first.wait_for(timeout=30_000)
    page.wait_for_timeout(1000)
    assert page.locator("input.md-search__input").input_value() == "consumer lag"
    assert "runbooks/kafka-consumer-lag/" in (first.get_attribute("href") or "")
    shot(page, "home-search")
    assert page.elsewhere == []


def test_search_for_a_symptom_answers_with_what_fits_and_says_what_each_is(
    page: Any, site: str
) -> None:
    found = search(page, site, "connection pool")
    assert found[0] == "runbooks/db-connection-pool-exhaustion/"
    unrelated = ("runbooks/k8s-node-pressure-eviction/", "runbooks/bad-config-push/")
    assert not set(found[:3]) & set(unrelated), found[:5]
    results = page.locator("li.md-search-result__item > a.md-search-result__link article")
    shown = min(results.count(), 8)
    kinds = [results.nth(n).locator(".md-tag").first.inner_text() for n in range(shown)]
    assert kinds[0] == "Runbook", kinds
    assert "Pattern article" in kinds, kinds
    assert all(results.nth(n).locator(".md-tag:visible").count() == 1 for n in range(shown))
    incident = next(results.nth(n).inner_text() for n in range(shown) if kinds[n] == "Incident")
    # The summary, not the metadata table.
    assert "Severity" not in incident
    assert "Time to detect" not in incident
    shot(page, "search-connection-pool")


def test_a_post_mortem_renders_as_github_shows_it(page: Any, team_site: str) -> None:
    page.goto(f"{team_site}incidents/2025/2025-11-02-checkout-pool-ran-dry/")
    article = page.locator("article")
    timeline = article.locator("h2#timeline + p + ul > li")
    assert timeline.count() == 3  # "All times UTC." and then a list, not one paragraph
    code = article.locator("code", has_text="kubectl rollout restart deployment/checkout-api")
    assert code.count() == 1  # a code span wrapped by the editor is still code
    assert "`" not in article.inner_text()
    boxes = article.locator("li.task-list-item input[type=checkbox]")
    assert boxes.count() == 2
    assert boxes.nth(0).is_checked()
    assert "[x]" not in article.inner_text()
    shot(page, "team-incident")


def luminance(css: str) -> float:
    """Relative luminance (0 black … 1 white) of a CSS rgb()/rgba() colour."""
    values = [float(v) / 255 for v in css[css.index("(") + 1 : css.index(")")].split(",")[:3]]
    r, g, b = (((c + 0.055) / 1.055) ** 2.4 if c > 0.04045 else c / 12.92 for c in values)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def test_this_helped_opens_a_prefilled_issue(page: Any, rated_site: tuple[str, Path]) -> None:
    site, root = rated_site
    page.goto(f"{site}runbooks/pool-ran-dry/")
    links = page.locator("article p.ll-feedback a")
    assert links.all_inner_texts() == ["This helped", "This was wrong or missing something"]
    if os.environ.get("LEARNLOOP_SCREENS"):  # a picture of the links for people to look at
        links.first.scroll_into_view_if_needed()
        page.mouse.wheel(0, 300)
        page.wait_for_timeout(300)
        page.screenshot(path=str(Path(os.environ["LEARNLOOP_SCREENS"]) / "feedback-links.png"))
    opened: list[str] = []

    def new_issue(route: Any) -> None:  # GitHub answered here: nothing goes to the network
        opened.append(route.request.url)
        route.fulfill(status=200, content_type="text/html", body="<title>New issue</title>")

    page.route("https://github.com/**", new_issue)
    with page.expect_navigation():
        page.get_by_role("link", name="This helped").click()
    assert page.title() == "New issue"
    (url,) = opened
    assert page.url == url
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{RATED_REPO}/issues/new"
    query = parse_qs(parts.query, strict_parsing=True)
    assert set(query) == {"title", "body", "labels"}
    assert query["title"] == ["Helpful: Pool ran dry (unassigned)"]
    assert query["labels"] == ["learnloop-feedback,helpful"]
    front, _ = split_existing((root / "runbooks" / "pool-ran-dry.md").read_text())
    digest = front["source_digest"]
    assert query["body"][0].startswith(
        f"Page: `runbooks/pool-ran-dry.md`\nSource digest: `{digest}`\nRating: helpful\n"
    )
    assert page.elsewhere == []


def test_your_first_on_call_is_in_the_navigation(page: Any, team_site: str) -> None:
    page.goto(f"{team_site}kb/")
    page.locator("nav a", has_text="Your first on-call").first.click()
    assert urlsplit(page.url).path.endswith("/kb/onboarding/")
    assert page.locator("article h1").inner_text() == "Your first on-call"
