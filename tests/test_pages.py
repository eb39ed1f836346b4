"""The site's Markdown: incident pages, index pages, and raw HTML kept from running."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import markdown
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mkdocs.utils.yaml import yaml_load

from learnloop.analyze import similar
from learnloop.analyze.analysis import analyze_repo
from learnloop.analyze.patterns import Pattern
from learnloop.analyze.similar import Query
from learnloop.analyze.vectors import document
from learnloop.enrich import timings
from learnloop.model import Incident
from learnloop.publish import display, incident_context, indexes
from learnloop.publish.gen_pages import EXTENSIONS
from learnloop.publish.incident_context import IncidentContext, Neighbour, contexts_of
from learnloop.publish.pages import SECTIONS, render_incident_page
from learnloop.publish.plan import Links, plan
from learnloop.read import incident_from_bytes
from learnloop.write import escape
from tests.conftest import REPO, incident_text

DATA = Path(__file__).resolve().parent / "data" / "site"

# The tags our own Markdown may produce; anything else came from an incident and ran.
ALLOWED_TAGS = {
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "a", "em", "strong", "code", "pre", "ul", "ol",
    "li", "blockquote", "hr", "br", "table", "thead", "tbody", "tr", "th", "td", "div", "img",
}  # fmt: skip


def load(text: str | bytes, path: str = "incidents/2025/x.md") -> Incident:
    raw = text.encode() if isinstance(text, str) else text
    incident, problems = incident_from_bytes(raw, path)
    assert incident is not None, [p.format() for p in problems]
    return incident


def yaml_text(**overrides: object) -> str:
    """incident_text's keys as a YAML incident (no body)."""
    return incident_text(**overrides).split("---")[1].lstrip("\n")


def page(incident: Incident, **kwargs: object) -> str:
    return render_incident_page(incident, timings(incident), **kwargs)  # type: ignore[arg-type]


def to_html(text: str) -> str:
    """The Markdown as the site's MkDocs turns it into HTML (same extensions)."""
    # MkDocs' own loader: mkdocs.yml names Python functions (`!!python/name:`).
    config = yaml_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))
    names, configs = ["toc", "tables", "fenced_code"], {}
    for item in config["markdown_extensions"]:
        name = item if isinstance(item, str) else next(iter(item))
        names.append(name)
        if isinstance(item, dict):
            configs[name] = item[name]
    for name, options in EXTENSIONS.items():  # what the build adds to mkdocs.yml's
        if name not in names:
            names.append(name)
            configs[name] = options
    return markdown.markdown(text, extensions=names, extension_configs=configs)


class Html(HTMLParser):
    """Tags, attributes and text of an HTML fragment."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.code: list[str] = []
        self._in_code = 0
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "code":
            self._in_code += 1
            self.code.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "code":
            self._in_code = max(0, self._in_code - 1)

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._in_code:
            self.code[-1] += data


def assert_inert(html: str) -> Html:
    """No tag, attribute or URL in the HTML that an incident could have smuggled in."""
    parsed = Html(html)
    for tag, attrs in parsed.tags:
        assert tag in ALLOWED_TAGS, f"<{tag}> in output"
        for name, value in attrs.items():
            assert not name.startswith("on"), f"{name}= on <{tag}>"
            if name in ("href", "src"):
                assert not re.match(r"\s*(javascript|vbscript|data):", value or "", re.I), value
            if tag == "img" and name == "src":
                remote = re.match(r"\s*([a-z][a-z0-9+.-]*:|[/\\]{2})", value or "", re.I)
                assert not remote, f"image from another host: {value}"
    return parsed


# --- the incident page -------------------------------------------------------------------


def test_incident_page_matches_golden(golden: Callable[[str, str], None]) -> None:
    incident = load((DATA / "incident.md").read_bytes(), "incidents/2025/2025-03-14-checkout.md")
    golden("incident_page.md", page(incident))


FURNITURE = IncidentContext(
    pattern=Pattern(
        "db-connection-pool-exhaustion",
        "Connection pool exhaustion (orders-api)",
        ("INC-2024-082", "INC-2025-031"),
    ),
    pattern_page="runbooks/db-connection-pool-exhaustion.md",
    runbook_page="runbooks/db-connection-pool-exhaustion.md",
    similar=(
        Neighbour(
            "INC-2024-082",
            "orders-db: too many clients, checkout errors",
            ("same pattern", "shared terms: too many clients", "same services: orders-db"),
        ),
        Neighbour("INC-2099-001", "Not published in this build", ("same trigger: deploy",)),
    ),
    adrs=((3, "Put pgbouncer in transaction mode in front of orders-db", "adr/0003-pgbouncer.md"),),
)


def test_furnished_incident_page_matches_golden(golden: Callable[[str, str], None]) -> None:
    incident = load((DATA / "incident.md").read_bytes(), "incidents/2025/2025-03-14-checkout.md")
    other = load(incident_text(id="INC-2024-082"), "incidents/2024/2024-11-01-orders-db.md")
    entries, _ = plan([incident, other], public=False)
    links = Links(entries)
    text = page(incident, page=links.by_id[incident.id], links=links, context=FURNITURE)
    golden("incident_page_furnished.md", text)
    assert "INC-2099-001" not in text  # a similar incident this build does not publish
    assert_inert(to_html(text))


def test_furniture_text_is_escaped() -> None:
    incident = load(incident_text(runbook_used="<b>rb</b>"))
    hostile = IncidentContext(
        pattern=Pattern("p", "<script>alert(1)</script> | pipe", (incident.id,)),
        similar=(Neighbour(incident.id, "<img src=x onerror=alert(1)>", ("<i>why</i>",)),),
    )
    links = Links(plan([incident], public=False)[0])
    html = to_html(page(incident, links=links, context=hostile))
    parsed = assert_inert(html)
    text = "".join(parsed.text)
    assert "<script>alert(1)</script> | pipe" in text
    assert "<img src=x onerror=alert(1)>" in text
    assert "one-off" not in text


def test_one_off_incident_says_so() -> None:
    incident = load(incident_text())
    text = page(incident, context=IncidentContext())
    assert "- **Pattern:** one-off: no recurring pattern yet" in text
    assert "## Similar incidents" not in text


def test_similar_incidents_are_ranked_once_and_never_hidden(
    make_repo: Callable[[dict[str, str]], Path],
) -> None:
    titles = {
        "INC-2025-001": "Checkout errors: orders-db too many clients",
        "INC-2025-002": "orders-db too many clients again during the sale",
        "INC-2025-003": "Database connection pool exhausted on orders-db",
        "INC-2025-004": "TLS certificate expired on the api gateway",
        "INC-2025-005": "Expired certificate broke api gateway handshakes",
        "INC-2025-006": "Kafka consumer lag on order events",
    }
    root = make_repo(
        {
            f"2025/{ident}.md": incident_text(id=ident, title=f'"{title}"')
            for ident, title in titles.items()
        }
    )
    analysis = analyze_repo(root)
    shown = [i for i in titles if i != "INC-2025-002"]
    found = contexts_of(
        analysis.index, analysis.incidents(), analysis.patterns.patterns, shown, set()
    )
    assert sorted(found) == shown
    for ident, item in found.items():
        near = [n.id for n in item.similar]
        assert ident not in near
        assert "INC-2025-002" not in near
        assert len(near) <= 3
    assert found["INC-2025-004"].similar[0].id == "INC-2025-005"
    assert all(n.why for n in found["INC-2025-004"].similar)
    again = contexts_of(
        analysis.index, analysis.incidents(), analysis.patterns.patterns, shown[::-1], set()
    )
    assert again == found
    # The reasons are those `learnloop similar` gives for the incident as a draft.
    incidents = analysis.incidents()
    cache = incident_context.TermCache()
    for ident, furnished in found.items():
        mine = incidents[ident]
        query = Query(document(mine), incident_context.query_text(mine), mine)
        for near in furnished.similar:
            expected = similar.reasons(query, incidents[near.id])
            assert incident_context.reasons(mine, incidents[near.id], cache) == expected


def test_yaml_incident_page_matches_golden(golden: Callable[[str, str], None]) -> None:
    incident = load((DATA / "incident.yaml").read_bytes(), "incidents/2025/search.yaml")
    golden("incident_page_yaml.md", page(incident, page="incidents/2025/search.md"))


def test_yaml_incident_sections_in_canonical_order() -> None:
    incident = load((DATA / "incident.yaml").read_bytes(), "incidents/2025/search.yaml")
    text = page(incident)
    headings = re.findall(r"(?m)^## (.+)$", text)
    # The summary opens the page under the title, without its heading.
    assert text.index("Search returned no results") < text.index("## Timeline")
    expected = ["Timeline", "Root cause", "Five whys", "Contributing factors"]
    assert headings[: len(expected) + 1] == [*expected, "Resolution"]
    order = [title for _, title in SECTIONS]
    first = headings[:5]
    assert [order.index(h) for h in first] == sorted(order.index(h) for h in first)
    assert "| Severity | P2 |" in text  # SEV2, normalized
    assert "| Started | 2025-05-02 12:00 UTC |" in text  # +02:00, shown in UTC


def test_milestones_from_the_timeline_are_marked() -> None:
    incident = load((DATA / "incident.md").read_bytes())
    text = page(incident)
    assert "| Acknowledged | 2025-03-14 09:22 UTC *(from timeline)* |" in text
    assert "| Detected | 2025-03-14 09:19 UTC |" in text  # from the front matter: no marker


OPTIONAL_FACTS = (
    "Status",
    "Resolved",
    "Time to resolve",
    "Customers affected",
    "Revenue impact",
    "SLA breached",
    "Trigger",
    "Root-cause category",
    "Runbook used",
    "Tags",
)


def test_missing_values_are_a_dash_never_none() -> None:
    incident = load(incident_text(resolved_at=None))
    body_free = replace(incident, body="", sections=(), timeline=(), milestones=(), parts=())
    text = page(body_free)
    assert "None" not in text
    for label in OPTIONAL_FACTS:
        assert f"| {label} | — |" in text, label


def test_date_only_start_shows_the_date() -> None:
    text = page(load(incident_text(started_at="2025-01-10", resolved_at=None)))
    # The timeline's first bullet gives the start time, and says so.
    assert "| Started | 2025-01-10 10:00 UTC *(from timeline)* |" in text


def test_a_moment_its_timeline_gives_by_the_day_alone_shows_that_day() -> None:
    text = incident_text(started_at="2024-01-16", resolved_at=None)
    text = text.split("## Timeline")[0] + (
        "## Timeline\n\n01-16-2024 - An alert fired: blocks half empty.\n\n"
        "02-28-2024 - Version 2.2.0 was released and the issue was resolved.\n"
    )
    shown = page(load(text))
    assert "| Started | 2024-01-16 *(from timeline)* |" in shown  # no noon made up
    assert "| Resolved | 2024-02-28 *(from timeline)* |" in shown
    assert "| Time to detect | — |" in shown


def test_action_items_table_and_responders() -> None:
    text = page(load((DATA / "incident.md").read_bytes()))
    assert "| AI-3 | Lint HPA max replicas x pool size against the database budget in CI |" in text
    assert "| prevent | platform | open | 2025-05-01 | — | 3 |" in text
    assert "- Priya Raman (incident-commander)" in text


# --- raw HTML is shown, never run --------------------------------------------------------

HOSTILE_TITLE = "Checkout <script>alert(1)</script> and <img src=x onerror=alert(1)>"
HOSTILE_BODY = """
## Summary
Pasted from the ticket: <script>alert(1)</script> then <img src=x onerror=alert(1)>.
The log said `code <b>` and &amp; an entity; a lone <div onclick="x()"> too.

<iframe src="https://evil.example/"></iframe>

[click me](javascript:alert(1)) and [me too](  JaVa
Script:alert(1)) ![tracker](https://evil.example/pixel.png)

```html
<b>bold</b> & <i>x</i>
```

| column | value <svg onload=alert(1)> |
|---|---|
| `a|b` | <u>x</u> |
"""


def test_raw_html_in_title_and_body_is_text() -> None:
    incident = load(incident_text(title=f'"{HOSTILE_TITLE}"') + HOSTILE_BODY)
    html = to_html(page(incident))
    parsed = assert_inert(html)
    text = "".join(parsed.text)
    assert "<script>alert(1)</script>" in text  # shown, as written
    assert text.count(HOSTILE_TITLE) == 1  # the H1
    assert "<img src=x onerror=alert(1)>" in text
    assert "&lt;script&gt;" in html
    assert parsed.code.count("code <b>") == 1  # the code span shows literally, once
    assert "code &lt;b&gt;" in html
    assert "&amp;lt;b" not in html  # not escaped twice
    assert "<b>bold</b> & <i>x</i>" in parsed.code  # fenced code as written
    assert "&amp; an entity" in text  # entities stay text
    assert "a|b" in parsed.code
    hrefs = [a.get("href") for tag, a in parsed.tags if tag == "a"]
    assert "javascript%3Aalert(1)" in hrefs
    assert not any(tag == "img" for tag, _ in parsed.tags)  # remote image became a link


def test_remote_images_become_links() -> None:
    source = (
        "![a](https://h/a.png) ![b][ref] ![Ref] ![c](local.png)\n\n```\n```\n[REF]: //h/b.png\n"
    )
    parsed = assert_inert(to_html(escape.block(source)))
    assert [a["src"] for tag, a in parsed.tags if tag == "img"] == ["local.png"]
    hrefs = [a["href"] for tag, a in parsed.tags if tag == "a"]
    assert hrefs == ["https://h/a.png", "//h/b.png", "//h/b.png"]


def test_cells_escape_pipes_and_html() -> None:
    assert escape.cell("a | b `c|d` <x> & y") == r"a \| b <code>c&#124;d</code> &lt;x&gt; &amp; y"
    assert escape.cell("two\nlines") == "two lines"
    html = to_html(f"| a | b |\n|---|---|\n| {escape.cell('x|<b>y</b>')} | z |\n")
    parsed = assert_inert(html)
    assert "x|<b>y</b>" in "".join(parsed.text)


@pytest.mark.parametrize(
    ("source", "shown"),
    [
        ("x <!-- template hint --> y", "x  y"),  # comments stay invisible
        ("<!-- unclosed", "<!-- unclosed"),
        ("`` a ` b ``", "a ` b"),
        ("`unpaired", "`unpaired"),
        ("\\`not code\\`", "`not code`"),
        ("<https://example.com/a?b=1&c=2>", "https://example.com/a?b=1&c=2"),
        ("a -> b > c", "a -> b > c"),
    ],
)
def test_inline_text_shows_as_written(source: str, shown: str) -> None:
    html = to_html(escape.block(source))
    assert "".join(assert_inert(html).text).strip() == shown


def test_code_blocks_keep_their_text() -> None:
    source = "Intro:\n\n    indented <x> & y\n\n~~~\n# not a heading\n\n<p>\n~~~\n\n> quoted <q>\n"
    parsed = assert_inert(to_html(escape.block(source)))
    assert parsed.code == ["indented <x> & y", "# not a heading\n\n<p>"]
    assert ("blockquote", {}) in parsed.tags


def test_fence_inside_a_list_item_stays_code() -> None:
    source = "1. Run:\n   ```sh\n   echo '<b>' | grep *x*\n   ```\n2. Done\n"
    parsed = assert_inert(to_html(escape.block(source)))
    assert parsed.code == ["echo '<b>' | grep *x*"]


def test_leading_h1_is_dropped_and_others_demoted() -> None:
    out = escape.block(
        "# Title again\n\nText\n\n# Later\n\n```\n# shell comment\n```\n", demote=True
    )
    assert out.lstrip("\n").startswith("Text")
    assert "## Later" in out
    assert "&#35; shell comment" in out


TOKENS = [
    "<script>", "</script>", "<img src=x onerror=alert(1)>", "<b>", "`", "``", "```", "~~~",
    "\n", "\n\n", "    ", "- ", "1. ", "> ", "| ", " |", "---", "# ", "&", "&lt;", "&#60;",
    "<!--", "-->", "\\", "[a](", "javascript:alert(1)", ")", "![i](", "https://h/x.png", "*",
    "_", "text", " ", "<https://ok.example>", "<div onclick=x>", "{", "}", "\t", "[r]: ",
    "![i][r]", "![r]", "//h/y.gif", "]", "(",
]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(TOKENS), max_size=40))
def test_no_arrangement_of_tokens_runs_html(tokens: list[str]) -> None:
    source = "".join(tokens)
    assert_inert(to_html(escape.block(source)))
    assert_inert(to_html(escape.block(source, demote=True)))
    assert_inert(to_html(f"| a |\n|---|\n| {escape.cell(source)} |\n# {escape.heading(source)}"))


# --- links between pages -----------------------------------------------------------------


def test_links_to_other_incidents_and_left_out_ones() -> None:
    shown = load(incident_text(id="INC-1", related="[INC-2, INC-3, INC-9]"), "incidents/a.md")
    other = load(
        yaml_text(id="INC-2") + "summary: See [the first](../a.md#timeline).\n",
        "incidents/sub/b.yaml",
    )
    secret = load(incident_text(id="INC-3", visibility="restricted"), "incidents/c.md")
    body = "\nLike [INC-2](sub/b.yaml) but not [the third](c.md) or [docs](../runbooks/x.md).\n"
    shown = replace(shown, body=shown.body + body)
    entries, hidden = plan([shown, other, secret], public=True)
    links = Links(entries, hidden)
    pages = {e.incident.id: e.page for e in entries}
    assert pages == {"INC-1": "incidents/a.md", "INC-2": "incidents/sub/b.md"}
    text = page(shown, page=pages["INC-1"], links=links)
    assert "[INC-2](sub/b.md)" in text  # the YAML file's page
    assert "not the third or" in text  # a left-out incident's link becomes plain text
    assert "[docs](../runbooks/x.md)" in text
    assert "| Related | [INC-2](sub/b.md), INC-9 |" in text  # INC-3 is not even named
    assert "INC-3" not in text
    text = page(other, page=pages["INC-2"], links=links)
    assert "[the first](../a.md#timeline)" in text


def test_dropping_a_link_cannot_make_a_new_one() -> None:
    hidden = load(incident_text(id="H", visibility="restricted"), "incidents/h.md")
    body = "\n[y][(javascript:alert(1))](h.md) and wow[!](h.md)[i](https://h/x.png)\n"
    shown = load(incident_text(id="S") + body, "incidents/s.md")
    entries, left_out = plan([shown, hidden], public=True)
    html = to_html(page(shown, page="incidents/s.md", links=Links(entries, left_out)))
    parsed = assert_inert(html)
    assert not any(tag == "img" for tag, _ in parsed.tags)


def test_page_paths_never_collide() -> None:
    md = load(incident_text(id="A"), "incidents/x.md")
    yml = load(yaml_text(id="B"), "incidents/x.yaml")
    index = load(incident_text(id="C"), "incidents/by-service.md")
    entries, _ = plan([yml, md, index], public=False)
    pages = {e.incident.id: e.page for e in entries}
    assert pages == {
        "A": "incidents/x.md",
        "B": "incidents/x.yaml.md",
        "C": "incidents/by-service.md.md",
    }


# --- index pages -------------------------------------------------------------------------


def corpus() -> list[Incident]:
    return [
        load(incident_text(id="INC-3", started_at="2025-03-01T10:00:00Z", resolved_at=None,
                           severity="P1", services="[b-api]"), "incidents/3.md"),
        load(incident_text(id="INC-1", started_at="2025-01-10T10:00:00Z", severity="P2",
                           resolved_at="2025-01-10T11:05:00Z", services="[a-api, b-api]"),
             "incidents/1.md"),
        load(incident_text(id="INC-2", started_at="2025-03-01T10:00:00Z", severity="P1",
                           resolved_at="2025-03-01T11:00:00Z", services="[a-api]"),
             "incidents/2.md"),
        load(incident_text(id="INC-4", started_at="2024-12-31T23:00:00Z", severity="SEV0",
                           resolved_at="2025-01-01T00:30:00Z", services="[c-db]",
                           title='"A <b>bold</b> | piped title"'),
             "incidents/4.md"),
    ]  # fmt: skip


def ids_in(text: str) -> list[str]:
    return re.findall(r"\[(INC-\d)\]\(", text)


def test_incidents_index_newest_first_with_ties_by_id() -> None:
    entries, _ = plan(corpus(), public=False)
    text = indexes.render_incidents_index(entries)
    assert ids_in(text) == ["INC-2", "INC-3", "INC-1", "INC-4"]
    assert "| Date | ID | Title | Severity | Services | TTR |" in text
    assert "| 2025-01-10 | [INC-1](1.md) |" in text
    assert "| 1 h 05 min |" in text
    assert r"A &lt;b&gt;bold&lt;/b&gt; \| piped title" in text
    assert "[a-api](by-service.md#a-api), [b-api](by-service.md#b-api)" in text
    assert "4 incidents, newest first" in text


def test_index_pages_do_not_depend_on_input_order() -> None:
    forward, _ = plan(corpus(), public=False)
    backward, _ = plan(list(reversed(corpus())), public=False)
    for render in (
        indexes.render_incidents_index,
        indexes.render_by_severity,
        indexes.render_by_service,
    ):
        assert render(forward) == render(list(reversed(backward)))


def test_by_severity_groups_in_severity_order() -> None:
    entries, _ = plan(corpus(), public=False)
    text = indexes.render_by_severity(entries)
    assert re.findall(r"(?m)^## (P\d)$", text) == ["P0", "P1", "P2"]
    assert "| [P1](#p1) | 2 | 1 h 00 min |" in text  # the median of the known TTRs
    assert ids_in(text) == ["INC-4", "INC-2", "INC-3", "INC-1"]


def test_by_service_groups_each_incident_under_each_service() -> None:
    entries, _ = plan(corpus(), public=False)
    text = indexes.render_by_service(entries)
    assert re.findall(r"(?m)^## (.+)$", text) == ["a-api", "b-api", "c-db"]
    assert "| [a-api](#a-api) | 2 | 2025-03-01 | 1 h 03 min |" in text
    assert ids_in(text) == ["INC-2", "INC-1", "INC-3", "INC-1", "INC-4"]


@pytest.mark.parametrize(
    "render",
    [
        indexes.render_incidents_index,
        indexes.render_by_severity,
        indexes.render_by_service,
    ],
)
def test_empty_corpus_says_so(render: Callable[[list[object]], str]) -> None:
    text = render([])
    assert "No incidents yet." in text
    assert "|" not in text


def test_public_plan_leaves_restricted_out() -> None:
    secret = load(incident_text(id="INC-9", visibility="restricted"), "incidents/9.md")
    entries, hidden = plan([*corpus(), secret], public=True)
    assert [i.id for i in hidden] == ["INC-9"]
    assert "INC-9" not in {e.incident.id for e in entries}
    entries, hidden = plan([*corpus(), secret], public=False)
    assert not hidden
    text = page(secret)
    assert "| Visibility | restricted: left out of public builds |" in text


# --- formats -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("minutes", "shown"),
    [
        (None, "—"),
        (0, "0 min"),
        (7, "7 min"),
        (59.4, "59 min"),
        (59.5, "1 h 00 min"),
        (65, "1 h 05 min"),
        (24 * 60 + 125, "1 d 02 h 05 min"),
    ],
)
def test_durations_read_as_people_say_them(minutes: float | None, shown: str) -> None:
    assert display.duration(minutes) == shown


def test_values_format() -> None:
    assert display.money(18300.0) == "$18,300"
    assert display.money(12.5) == "$12.50"
    assert display.count(12400) == "12,400"
    assert display.yes_no(None) == "—"
    assert display.number(5.0) == "5"
    assert display.number(0.5) == "0.5"
    assert display.when(datetime(2025, 3, 14, 9, 12, tzinfo=UTC)) == "2025-03-14 09:12 UTC"


def test_an_image_source_in_angle_brackets_is_remote_too() -> None:
    # Found by the property above: Markdown takes `![i](<url>)` as an image of url.
    assert_inert(to_html(escape.block("![i](<https://ok.example>)")))
    assert_inert(to_html(escape.block("![i](<//h/y.gif>)")))
