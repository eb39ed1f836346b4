"""Generated documents (runbooks, knowledge base, ADRs, reports) as site pages.

Each page shows its freshness and its sources above the text. The documents quote incident
text (titles, log lines, commands), so they pass through the same escaping as incidents:
raw HTML shows as text. In a public build, every line that names a restricted incident is
left out, so no trace of it reaches pages, search or sitemap.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml

from learnloop.model import Incident
from learnloop.publish import escape
from learnloop.publish.plan import Links, href
from learnloop.write import document

FOLDERS = ("runbooks", "kb", "adr")
REPORTS_INDEX = "kb/reports/index.md"
SECTION_TITLES = {"runbooks": "Runbooks", "kb": "Knowledge base", "adr": "Decision records"}
_BADGES = {
    "fresh": ("success", "Fresh"),
    "stale": ("warning", "Stale"),
    "due": ("info", "Review due"),
}
_MERMAID = re.compile(r"^```mermaid\n.*?^```\n", re.DOTALL | re.MULTILINE)
_DETECTION = re.compile(r"(?ms)^## Detection\n(.*?)(?=^## |\Z)")
_CODE_SPAN = re.compile(r"`([^`\n]+)`")
# Search ranks a runbook above the incidents it was built from: a responder typing a symptom
# wants what to do first, the history second. Material reads this from the front matter.
RUNBOOK_BOOST = 4
CASE_BOOST = 0.5  # a case study retells one incident: ranked like the incident's own page
CASES = "kb/cases/"
SYMPTOM_TITLES = 6  # incident titles quoted in a runbook's symptom line
SYMPTOM_SIGNALS = 8  # alerts and log lines quoted there


@dataclass(frozen=True)
class Page:
    path: str  # site path, the same as the file's path in the repo
    text: str
    source: str | None  # the repo file, for edit links


def collect(
    root: Path,
    incidents: Iterable[Incident],
    links: Links,
    hidden_ids: frozenset[str],
    today: date,
    review_period_days: int,
) -> list[Page]:
    """Every Markdown file under runbooks/, kb/ and adr/, plus an index for each folder."""
    by_id = {i.id: i for i in incidents}
    pages: list[Page] = []
    for folder in FOLDERS:
        base = root / folder
        files = sorted(base.rglob("*.md")) if base.is_dir() else []
        for path in files:
            rel = path.relative_to(root).as_posix()
            text = path.read_text(encoding="utf-8", errors="replace")
            pages.append(
                Page(
                    rel,
                    page_text(rel, text, by_id, links, hidden_ids, today, review_period_days),
                    rel,
                )
            )
        index = f"{folder}/index.md"
        if not any(p.path == index for p in pages):
            listing = [p for p in pages if p.path.startswith(f"{folder}/")]
            pages.append(Page(index, placeholder_index(folder, listing), None))
    if not any(p.path == REPORTS_INDEX for p in pages):
        pages.append(Page(REPORTS_INDEX, reports_index(pages), None))
    return pages


def reports_index(pages: list[Page]) -> str:
    """The reports: the latest executive and technical ones, then one per month, newest first."""
    reports = [p for p in pages if p.path.startswith("kb/reports/")]
    if not reports:
        return "# Reports\n\nNo reports yet: `learnloop generate` writes them.\n"
    latest = [p for p in reports if not re.search(r"/\d{4}-\d{2}\.md$", p.path)]
    monthly = sorted((p for p in reports if p not in latest), key=lambda p: p.path, reverse=True)
    lines = ["# Reports", ""]
    for page in sorted(latest, key=lambda p: p.path):
        lines.append(f"- [{_title(page.text, page.path)}]({href(REPORTS_INDEX, page.path)})")
    if monthly:
        lines += ["", "## Monthly learning reports", ""]
        for page in monthly:
            lines.append(f"- [{Path(page.path).stem}]({href(REPORTS_INDEX, page.path)})")
    return "\n".join(lines) + "\n"


def placeholder_index(folder: str, pages: list[Page]) -> str:
    """A section index when the generator wrote none: the list of its pages, or a note."""
    title = SECTION_TITLES[folder]
    if not pages:
        return f"# {title}\n\nNothing here yet: run `learnloop generate` once incidents recur.\n"
    items = [f"- [{_title(p.text, p.path)}]({href(f'{folder}/index.md', p.path)})" for p in pages]
    return f"# {title}\n\n" + "\n".join(items) + "\n"


def _title(text: str, path: str) -> str:
    match = re.search(r"(?m)^# (.+)$", text)
    return match.group(1).strip() if match else Path(path).stem


def page_text(
    rel: str,
    text: str,
    incidents: dict[str, Incident],
    links: Links,
    hidden_ids: frozenset[str],
    today: date,
    review_period_days: int,
) -> str:
    """The document as a page: escaped body, links to incident pages, freshness banner."""
    front, body = document.split_existing(text)
    if hidden_ids:
        body = "\n".join(
            line for line in body.split("\n") if not any(i in line for i in hidden_ids)
        )
    diagrams: list[str] = []

    def keep(match: re.Match[str]) -> str:
        diagrams.append(match.group(0))
        return f"LEARNLOOPDIAGRAM{len(diagrams) - 1}\n"

    body = _MERMAID.sub(keep, body)
    safe = escape.block(body)
    for n, diagram in enumerate(diagrams):
        safe = safe.replace(f"LEARNLOOPDIAGRAM{n}", diagram.rstrip("\n"))

    def resolve(target: str, is_image: bool) -> str | None:
        return None if is_image else links.resolve(rel, rel, target)

    safe = escape.rewrite_links(safe, resolve)
    if front.get("generated_by") != document.GENERATED_BY:
        return safe
    meta: dict[str, object] = {}
    if front.get("kind") == "runbook":
        titles, signals = symptoms(body, _sources(front, hidden_ids), incidents)
        line = symptom_line(titles, signals)
        if line:
            safe = _before_first_section(safe, line)
        # Material's search weighs tags far above titles and text: the symptoms as tags put
        # the runbook first for the words someone on call types. The page shows the same
        # words in its symptom line; the stylesheet keeps them out of the result list.
        # Escaped too: a theme that shows tags on the page would print them as HTML.
        tags = [html.escape(t, quote=False) for t in (*titles, *signals)]
        meta = {"search": {"boost": RUNBOOK_BOOST}, "tags": tags}
    elif rel.startswith(CASES):
        meta = {"search": {"boost": CASE_BOOST}}
    page = _with_banner(safe, front, rel, incidents, links, hidden_ids, today, review_period_days)
    return front_matter(meta) + page if meta else page


def front_matter(meta: dict[str, object]) -> str:
    """YAML front matter for MkDocs; values are quoted as YAML needs, whatever they hold."""
    return "---\n" + yaml.safe_dump(meta, sort_keys=True, allow_unicode=True) + "---\n\n"


def symptoms(
    body: str, sources: list[str], incidents: dict[str, Incident]
) -> tuple[list[str], list[str]]:
    """What responders saw: the titles of the newest incidents, the alerts and log lines."""
    known = [incidents[i] for i in sources if i in incidents]
    titles: list[str] = []
    for incident in sorted(known, key=lambda i: (i.started_at, i.id), reverse=True):
        title = " ".join(incident.title.split())
        if title and title not in titles:
            titles.append(title)
    detection = _DETECTION.search(body)
    signals = list(dict.fromkeys(_CODE_SPAN.findall(detection.group(1)) if detection else []))
    return titles[:SYMPTOM_TITLES], signals[:SYMPTOM_SIGNALS]


def symptom_line(titles: list[str], signals: list[str]) -> str:
    """The symptoms as one paragraph, placed where the page's meaning is explained."""
    parts = []
    if titles:
        parts.append(f"Seen as: {'; '.join(escape.inline(t) for t in titles)}.")
    if signals:
        parts.append(f"Alerts and errors: {', '.join(escape.inline(f'`{s}`') for s in signals)}.")
    return f"**Symptoms.** {' '.join(parts)}" if parts else ""


def _sources(front: dict[str, object], hidden_ids: frozenset[str]) -> list[str]:
    return [str(s) for s in front.get("sources") or [] if str(s) not in hidden_ids]  # type: ignore[attr-defined]


def _before_first_section(text: str, paragraph: str) -> str:
    """The paragraph inserted before the first `## ` heading (or at the end)."""
    lines = text.split("\n")
    at = next((n for n, line in enumerate(lines) if line.startswith("## ")), len(lines))
    return "\n".join([*lines[:at], paragraph, "", *lines[at:]])


def _with_banner(
    body: str,
    front: dict[str, object],
    rel: str,
    incidents: dict[str, Incident],
    links: Links,
    hidden_ids: frozenset[str],
    today: date,
    review_period_days: int,
) -> str:
    state, reason = document.freshness(front, today, review_period_days)
    kind, label = _BADGES[state]
    if front.get("status") == "retired":
        kind, label, reason = "note", "Retired", "its pattern no longer recurs; kept for history"
    sources = _sources(front, hidden_ids)
    cited = []
    for ident in sources[:12]:
        page = links.by_id.get(ident)
        cited.append(f"[{ident}]({href(rel, page)})" if page else ident)
    more = f" and {len(sources) - 12} more" if len(sources) > 12 else ""
    updated = front.get("updated")
    banner = [
        f'!!! {kind} "{label}"',
        f"    {escape.inline(reason.capitalize())}. Built from {len(sources)} incident"
        f"{'s' if len(sources) != 1 else ''}"
        + (f", newest {updated}" if updated else "")
        + (f": {', '.join(cited)}{more}." if cited else "."),
        "",
    ]
    lines = body.split("\n")
    at = next((n + 1 for n, line in enumerate(lines) if line.startswith("# ")), 0)
    return "\n".join([*lines[:at], "", *banner, *lines[at:]])
