"""The page of one incident: what it was and where it belongs at a glance, the post-mortem as
written, then every recorded fact in a table.

The first screen answers what someone arriving from search or an alert needs: how bad, how
long, which pattern and runbook, and the summary. The full metadata sits below the story.
"""

from __future__ import annotations

import html
import re

from learnloop.enrich import TIMELINE, Timings
from learnloop.model import Incident
from learnloop.publish import display
from learnloop.publish.incident_context import IncidentContext
from learnloop.publish.plan import Links, href
from learnloop.publish.render import render
from learnloop.read.lexicon import shipped as shipped_words
from learnloop.write import escape

# Canonical sections in reading order, with the heading each gets when we write it.
SECTIONS = (
    ("summary", "Summary"),
    ("impact", "Impact"),
    ("symptoms", "Symptoms"),
    ("detection", "Detection"),
    ("timeline", "Timeline"),
    ("root_cause", "Root cause"),
    ("whys", "Five whys"),
    ("contributing_factors", "Contributing factors"),
    ("mitigation", "Mitigation"),
    ("resolution", "Resolution"),
    ("lessons", "Lessons learned"),
    ("action_items", "Action items"),
)

MILESTONES = (
    ("started_at", "Started"),
    ("detected_at", "Detected"),
    ("acknowledged_at", "Acknowledged"),
    ("mitigated_at", "Mitigated"),
    ("resolved_at", "Resolved"),
)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)


def render_incident_page(
    incident: Incident,
    timings: Timings,
    *,
    page: str | None = None,
    links: Links | None = None,
    context: IncidentContext | None = None,
) -> str:
    """The Markdown page of one incident; `page` is where it sits in the site.

    With `context` (from the build's analysis) the page also names its pattern, the
    decisions it led to and its most similar incidents, with why they are similar.
    """
    page = page or incident.path
    links = links or Links(())
    lead, story = _lead(narrative(incident, page=page, links=links))
    return render(
        "incident.md.j2",
        incident=incident,
        kind=kind_line(incident, timings),
        glance=glance(incident, page=page, links=links, context=context),
        facts=facts(incident, timings, page=page, links=links),
        lead=lead,
        narrative=story,
        action_heading="Tracked action items"
        if "action_items" in _written(incident)
        else "Action items",
        similar=similar(context, page=page, links=links) if context else [],
    )


def kind_line(incident: Incident, timings: Timings) -> str:
    """The line under the title, as HTML: what this page is, how bad and when.

    Search shows it before the summary, so a result says it is an incident.
    """
    parts = ["Incident", incident.severity]
    if incident.status:
        parts.append(" ".join(incident.status.split()))
    parts.append(
        display.when(timings.started_at, date_only=_day_only(incident, timings, "started_at"))
    )
    if timings.ttr is not None:
        parts.append(f"resolved in {display.duration(timings.ttr)}")
    if incident.visibility == "restricted":
        parts.append("restricted")
    return '<p class="ll-kind">' + html.escape(" · ".join(parts), quote=False) + "</p>"


def _day_only(incident: Incident, timings: Timings, key: str) -> bool:
    """Whether a moment is known to the day only, and is shown as that day, never a made-up
    time: one a timeline entry gives by its day, or a start the front matter gives as a day
    that no timeline entry places."""
    return key in timings.day_only or (
        key == "started_at" and incident.started_date_only and timings.source(key) != TIMELINE
    )


def glance(
    incident: Incident, *, page: str, links: Links, context: IncidentContext | None = None
) -> list[tuple[str, str]]:
    """(label, Markdown value) for the box under the title: services, pattern, runbook."""
    rows = [("Services", escape.cell(", ".join(incident.services)) or display.DASH)]
    if context is not None:
        pattern = _pattern(context, page)
        if incident.visibility == "restricted" and context.pattern is not None:
            pattern += "; restricted incidents, this one too, are not counted in it"
        rows.append(("Pattern", pattern))
        runbook = _pattern_runbook(incident, context, page)
        if runbook:
            rows.append(("Runbook", runbook))
    elif incident.runbook_used:
        rows.append(("Runbook used", _runbook(incident, page, None)))
    if context is not None and context.adrs:
        decisions = (
            f"[ADR-{number:04d}: {escape.cell(title)}]({href(page, target)})"
            for number, title, target in context.adrs
        )
        rows.append(("Decisions", ", ".join(decisions)))
    return rows


def _pattern(context: IncidentContext, page: str) -> str:
    pattern = context.pattern
    if pattern is None:
        return "one-off: no recurring pattern yet"
    name = escape.cell(pattern.title)
    if context.pattern_page:
        name = f"[{name}]({href(page, context.pattern_page)})"
    n = len(pattern.incidents)
    return f"{name} ({n} incident{'s' if n != 1 else ''})"


def _pattern_runbook(incident: Incident, context: IncidentContext, page: str) -> str:
    """The runbook to open: the one the responders used, else their pattern's."""
    if incident.runbook_used:
        verdict = {True: ", helpful", False: ", not helpful", None: ""}[incident.runbook_helpful]
        return _runbook(incident, page, context, verdict=False) + f" — used{verdict}"
    pattern = context.pattern
    target = context.pattern_page
    if pattern is None or target is None or not target.startswith("runbooks/"):
        return ""
    return f"[{escape.cell(pattern.title)}]({href(page, target)}) — not used in this incident"


def similar(context: IncidentContext, *, page: str, links: Links) -> list[dict[str, str]]:
    """The similar incidents as list items: a link to each, its title and why it matched."""
    out = []
    for match in context.similar:
        target = links.by_id.get(match.id)
        if target is None:
            continue  # not published in this build
        out.append(
            {
                "link": f"[{escape.inline(match.id)}]({href(page, target)})",
                "title": escape.inline(match.title),
                "why": escape.inline("; ".join(match.why)) if match.why else "",
            }
        )
    return out


def facts(
    incident: Incident, timings: Timings, *, page: str, links: Links
) -> list[tuple[str, str]]:
    """(label, Markdown value) rows of the details table; unknown values are a dash."""

    def text(value: str | None) -> str:
        return escape.cell(value) if value else display.DASH

    rows = [
        ("ID", text(incident.id)),
        ("Severity", incident.severity),
        ("Status", text(incident.status)),
        ("Services", text(", ".join(incident.services))),
    ]
    for key, label in MILESTONES:
        moment = getattr(timings, key)
        from_timeline = moment is not None and timings.source(key) == TIMELINE
        value = display.when(moment, date_only=_day_only(incident, timings, key))
        rows.append((label, value + (" *(from timeline)*" if from_timeline else "")))
    rows += [
        ("Time to detect", display.duration(timings.ttd)),
        ("Time to acknowledge", display.duration(timings.tta)),
        ("Time to mitigate", display.duration(timings.ttm)),
        ("Time to resolve", display.duration(timings.ttr)),
        ("Customers affected", display.count(incident.impact.customers_affected)),
        ("Revenue impact", display.money(incident.impact.revenue_usd)),
        ("SLA breached", display.yes_no(incident.impact.sla_breached)),
        ("Trigger", text(incident.trigger)),
        ("Root-cause category", text(incident.root_cause.category)),
    ]
    rows += [
        ("Detection", text(_detection(incident))),
        ("Runbook used", _runbook(incident, page, None)),
        ("Tags", text(", ".join(incident.tags))),
        ("Related", _related(incident, page, links)),
    ]
    if incident.visibility == "restricted":
        rows.append(("Visibility", "restricted: left out of public builds"))
    rows.append(("Source", escape.cell(f"`{incident.path}`")))
    return rows


def _detection(incident: Incident) -> str:
    method, source = incident.detection.method, incident.detection.source
    if method and source:
        return f"{method} ({source})"
    return method or source or ""


def _runbook(
    incident: Incident, page: str, context: IncidentContext | None, *, verdict: bool = True
) -> str:
    if not incident.runbook_used:
        return display.DASH
    said = {True: " (helpful)", False: " (not helpful)", None: ""}[incident.runbook_helpful]
    name = escape.cell(incident.runbook_used)
    if context is not None and context.runbook_page:
        name = f"[{name}]({href(page, context.runbook_page)})"
    return name + (said if verdict else "")


def _related(incident: Incident, page: str, links: Links) -> str:
    shown = []
    for ident in incident.related:
        if ident in links.hidden_ids:
            continue  # a public page must not even name a restricted incident
        if ident in links.by_id:
            shown.append(f"[{escape.cell(ident)}]({href(page, links.by_id[ident])})")
        else:
            shown.append(escape.cell(ident))
    return ", ".join(shown) or display.DASH


def _lead(markdown: str) -> tuple[str, str]:
    """(the summary, the rest): a story opening with its summary shows it under the title,
    without the heading, so that it is what the first screen and search show first."""
    lines = markdown.split("\n")
    first = next((n for n, line in enumerate(lines) if line.strip()), None)
    if first is None or not lines[first].startswith("## "):
        return "", markdown
    if shipped_words().heading(lines[first][3:].strip().strip("#").strip()) != "summary":
        return "", markdown
    end = next(
        (n for n in range(first + 1, len(lines)) if re.match(r"#{1,2} ", lines[n])), len(lines)
    )
    return "\n".join(lines[first + 1 : end]).strip("\n"), "\n".join(lines[end:]).strip("\n")


def narrative(incident: Incident, *, page: str, links: Links) -> str:
    """The post-mortem's text: the body as written, then what only the front matter holds."""
    parts = []
    written = _written(incident)
    if incident.body.strip():
        parts.append(escape.block(incident.body, demote=True).strip("\n"))
    for key, heading in SECTIONS:
        if key in written or key == "action_items":
            continue
        text = _section(incident, key)
        if text:
            parts.append(f"## {heading}\n\n{text}")
    markdown = "\n\n".join(parts)

    def resolve(target: str, image: bool) -> str | None:
        return links.resolve(incident.path, page, target)

    return escape.rewrite_links(markdown, resolve)


def _section(incident: Incident, key: str) -> str:
    if key == "whys":
        return "\n".join(f"1. {escape.inline(why)}" for why in incident.whys)
    if key == "contributing_factors":
        return "\n".join(f"- {escape.inline(f)}" for f in incident.contributing_factors)
    text = escape.block(incident.section(key), demote=True).strip("\n")
    if not text.strip():
        # The body's heading held only a template hint: the front matter may say more.
        fallback = {"root_cause": incident.root_cause.summary, "impact": incident.impact.summary}
        text = escape.block(fallback.get(key) or "").strip("\n")
    return text


def _written(incident: Incident) -> set[str]:
    """Sections the body has with something visible in them (not only template hints)."""
    # The front matter's story fills sections too; only what the body itself says counts.
    return {
        key
        for key, text in incident.sections
        if (visible := _COMMENT.sub("", text).strip())
        and visible.splitlines()[0][:60] in incident.body
    }
