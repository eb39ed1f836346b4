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
from learnloop.publish import feedback
from learnloop.publish.plan import Links, href
from learnloop.read.markdown import INLINE_CODE
from learnloop.write import document, escape, front_matter

FOLDERS = ("runbooks", "kb", "adr")
REPORTS_INDEX = "kb/reports/index.md"
# In the site's navigation, so a page even before `generate` has written it.
ONBOARDING_INDEX = "kb/onboarding/index.md"
SECTION_TITLES = {"runbooks": "Runbooks", "kb": "Knowledge base", "adr": "Decision records"}
_BADGES = {
    "fresh": ("success", "Fresh"),
    "stale": ("warning", "Stale"),
    "due": ("info", "Review due"),
}
_MERMAID = re.compile(r"^```mermaid\n.*?^```\n", re.DOTALL | re.MULTILINE)
_DETECTION = re.compile(r"(?ms)^## Detection\n(.*?)(?=^## |\Z)")
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
    title: str = ""
    state: str | None = None  # fresh | stale | due | retired, for documents people review
    reason: str = ""


@dataclass(frozen=True)
class Publishing:
    """What every page of a build is published with."""

    links: Links
    hidden_ids: frozenset[str]  # restricted incidents: no line naming one is published
    today: date
    review_period_days: int
    note: str = ""  # how restricted incidents are counted, on indexes and reports
    repo_url: object = None  # with one, runbooks and articles end with links to rate them


def collect(
    root: Path,
    incidents: Iterable[Incident],
    links: Links,
    hidden_ids: frozenset[str],
    today: date,
    review_period_days: int,
    note: str = "",
    repo_url: object = None,
) -> list[Page]:
    """Every Markdown file under runbooks/, kb/ and adr/, plus an index for each folder.

    `note` says how restricted incidents are counted; indexes and reports carry it. With a
    `repo_url`, runbooks and articles end with links to rate them (publish/feedback.py).
    """
    by_id = {i.id: i for i in incidents}
    publishing = Publishing(links, hidden_ids, today, review_period_days, note, repo_url)
    pages: list[Page] = []
    for folder in FOLDERS:
        base = root / folder
        files = sorted(base.rglob("*.md")) if base.is_dir() else []
        for path in files:
            rel = path.relative_to(root).as_posix()
            text = path.read_text(encoding="utf-8", errors="replace")
            state, reason = review_state(rel, text, today, review_period_days)
            pages.append(
                Page(
                    rel,
                    page_text(rel, text, by_id, publishing),
                    rel,
                    _title(text, rel),
                    state,
                    reason,
                )
            )
        index = f"{folder}/index.md"
        if not any(p.path == index for p in pages):
            listing = [p for p in pages if p.path.startswith(f"{folder}/")]
            pages.append(Page(index, placeholder_index(folder, listing), None))
    if not any(p.path == REPORTS_INDEX for p in pages):
        pages.append(Page(REPORTS_INDEX, reports_index(pages), None))
    if not any(p.path == ONBOARDING_INDEX for p in pages):
        text = "# Your first on-call\n\nNothing here yet: `learnloop generate` writes it.\n"
        pages.append(Page(ONBOARDING_INDEX, text, None))
    return pages


def review_state(
    rel: str, text: str, today: date, review_period_days: int
) -> tuple[str | None, str]:
    """(state, reason) of a generated document people review; (None, "") for anything else."""
    front, _ = front_matter.split_existing(text, sources=False)
    if front.get("generated_by") != document.GENERATED_BY or not reviewed(rel, front):
        return None, ""
    if front.get("status") == "retired":
        return "retired", "its pattern no longer recurs"
    return front_matter.freshness(front, today, review_period_days)


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


def page_text(rel: str, text: str, incidents: dict[str, Incident], publishing: Publishing) -> str:
    """The document as a page: escaped body, links to incident pages, what it is and (for
    documents people act on) whether it is reviewed and, with a `repo_url`, links to rate it."""
    links, hidden_ids = publishing.links, publishing.hidden_ids
    front, body = front_matter.split_existing(text)
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
        # Material's search weighs tags against titles and text as mkdocs.yml says: the alerts
        # and log lines as tags put the runbook first when someone on call pastes one.
        # Incident titles are not tags: one shared word in a title ("pool" of a node pool)
        # would lift an unrelated runbook. The page shows the same words in its symptoms;
        # the stylesheet keeps them out of the result list. Escaped too: a theme that shows
        # tags on the page would print them as HTML.
        tags = [html.escape(t, quote=False) for t in signals]
        meta = {"search": {"boost": RUNBOOK_BOOST}, "tags": [kind_of(rel, front), *tags]}
    elif rel.startswith(CASES):
        meta = {"search": {"boost": CASE_BOOST}, "tags": [kind_of(rel, front)]}
    else:
        # The first tag says what the page is: search shows it under each result.
        meta = {"tags": [kind_of(rel, front)]}
    page = _with_banner(safe, front, rel, publishing)
    return page_front_matter(meta) + page if meta else page


def page_front_matter(meta: dict[str, object]) -> str:
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
    signals = list(dict.fromkeys(INLINE_CODE.findall(detection.group(1)) if detection else []))
    return titles[:SYMPTOM_TITLES], signals[:SYMPTOM_SIGNALS]


def symptom_line(titles: list[str], signals: list[str]) -> str:
    """The symptoms, folded into one line under the page's meaning: a responder checks they
    have the right runbook without scrolling past them to the steps."""
    parts = []
    if titles:
        parts.append(f"Seen as: {'; '.join(escape.inline(t) for t in titles)}.")
    if signals:
        parts.append(f"Alerts and errors: {', '.join(escape.inline(f'`{s}`') for s in signals)}.")
    if not parts:
        return ""
    return "\n".join(
        [
            '<details class="ll-symptoms" markdown="1">',
            "<summary>Symptoms: how this failure showed up</summary>",
            "",
            *(f"{part}\n" for part in parts),
            "</details>",
        ]
    )


def _sources(front: dict[str, object], hidden_ids: frozenset[str]) -> list[str]:
    return [str(s) for s in front.get("sources") or [] if str(s) not in hidden_ids]  # type: ignore[attr-defined]


def _before_first_section(text: str, paragraph: str) -> str:
    """The paragraph inserted before the first `## ` heading (or at the end)."""
    lines = text.split("\n")
    at = next((n for n, line in enumerate(lines) if line.startswith("## ")), len(lines))
    return "\n".join([*lines[:at], paragraph, "", *lines[at:]])


# What each generated page is, by where it lives; search shows it first in a result.
KINDS = (
    ("runbooks/", "Runbook"),
    ("kb/patterns/", "Pattern article"),
    ("kb/services/", "Service article"),
    ("kb/systemic/", "Systemic issue"),
    ("kb/cases/", "Case study"),
    ("kb/onboarding/", "On-call onboarding"),
    ("kb/reports/", "Report"),
    ("adr/", "Decision record"),
    ("kb/", "Knowledge base"),
)
REVIEW_ANCHOR = "review"  # the id the toc extension gives "## Review"
RATED = ("runbooks/", "kb/")  # pages readers rate: runbooks and knowledge-base articles


def kind_of(rel: str, front: dict[str, object]) -> str:
    """What a generated page is, as a reader names it: "Runbook", "Case study", "Report"."""
    if rel in front_matter.INDEXES or rel.endswith("/index.md"):
        return "Index"
    if front.get("kind") == "report":
        return "Report"
    return next((label for prefix, label in KINDS if rel.startswith(prefix)), "Article")


def reviewed(rel: str, front: dict[str, object]) -> bool:
    """Whether a page shows its review state: documents people act on, not indexes or reports."""
    return front_matter.needs_review(rel, front)


def _with_banner(body: str, front: dict[str, object], rel: str, publishing: Publishing) -> str:
    """The page with a line under its title saying what it is and whether it is reviewed, and
    (for documents that are reviewed) a closing section with the state, the sources and how
    to sign off."""
    links, note = publishing.links, publishing.note
    sources = _sources(front, publishing.hidden_ids)
    updated = front.get("updated")
    kind = kind_of(rel, front)
    built = f"built from {len(sources)} incident{'s' if len(sources) != 1 else ''}"
    if updated:
        built += f", newest {updated}"
    line = [html.escape(kind, quote=False)]
    if kind == "Decision record" and isinstance(front.get("status"), str):
        line.append(html.escape(str(front["status"]), quote=False))
    line.append(built)
    closing: list[str] = []
    if reviewed(rel, front):
        state, reason = front_matter.freshness(
            front, publishing.today, publishing.review_period_days
        )
        label = _BADGES[state][1]
        if front.get("status") == "retired":
            state, label, reason = "retired", "Retired", "its pattern no longer recurs"
        line.append(
            f'<a class="ll-state ll-{state}" href="#{REVIEW_ANCHOR}">'
            f"{html.escape(label, quote=False)}: {html.escape(reason, quote=False)}</a>"
        )
        closing = _review_section(state, label, reason, sources, front, rel, links)
    head = f'<p class="ll-kind">{" · ".join(line)}</p>'
    if note and not reviewed(rel, front):
        head += f'\n\n<p class="ll-note">{html.escape(note, quote=False)}</p>'
    lines = body.split("\n")
    at = next((n + 1 for n, text in enumerate(lines) if text.startswith("# ")), 0)
    page = "\n".join([*lines[:at], "", head, "", *lines[at:]]).rstrip("\n") + "\n"
    rated = rated_links(rel, front, publishing.repo_url)
    if rated:
        page += "\n" + rated + "\n"
    return page + ("\n" + "\n".join(closing) + "\n" if closing else "")


def rated_links(rel: str, front: dict[str, object], repo_url: object) -> str:
    """'This helped' and 'This was wrong or missing something' under a runbook or a
    knowledge-base article people review; "" for anything else or without a repository."""
    if not rel.startswith(RATED) or not reviewed(rel, front):
        return ""
    title = front.get("title")
    digest = front.get("source_digest")
    return feedback.links_html(
        repo_url,
        rel,
        title if isinstance(title, str) else rel,
        digest if isinstance(digest, str) else "",
    )


def _review_section(
    state: str,
    label: str,
    reason: str,
    sources: list[str],
    front: dict[str, object],
    rel: str,
    links: Links,
) -> list[str]:
    """## Review: the state in words, every source linked, and the command that signs off."""
    kind = {"fresh": "success", "stale": "warning", "due": "info"}.get(state, "note")
    cited = []
    for ident in sources:
        page = links.by_id.get(ident)
        cited.append(f"[{ident}]({href(rel, page)})" if page else ident)
    raw = front.get("review")
    review: dict[str, object] = raw if isinstance(raw, dict) else {}
    signed = (
        f"Last signed off by {escape.inline(str(review.get('by')))} on {review.get('at')}."
        if review.get("by") and review.get("at")
        else "Nobody has signed it off yet."
    )
    return [
        "## Review",
        "",
        f'!!! {kind} "{label}"',
        f"    {escape.inline(reason.capitalize())}. {signed}",
        "",
        f"Built from {len(sources)} incident{'s' if len(sources) != 1 else ''}"
        + (f": {', '.join(cited)}." if cited else "."),
        "",
        "To sign it off once you have read it against its sources: "
        f"`learnloop review {rel}` (add `--by NAME`), then commit.",
    ]
