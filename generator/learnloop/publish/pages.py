"""The page of one incident: its facts in a table, then the post-mortem as written."""

from __future__ import annotations

import re

from learnloop.enrich import TIMELINE, Timings
from learnloop.load.body import split_sections
from learnloop.model import Incident
from learnloop.publish import escape, fmt
from learnloop.publish.plan import Links, href
from learnloop.publish.render import render

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
    incident: Incident, timings: Timings, *, page: str | None = None, links: Links | None = None
) -> str:
    """The Markdown page of one incident; `page` is where it sits in the site."""
    page = page or incident.path
    links = links or Links(())
    return render(
        "incident.md.j2",
        incident=incident,
        facts=facts(incident, timings, page=page, links=links),
        narrative=narrative(incident, page=page, links=links),
        action_heading="Tracked action items"
        if "action_items" in _written(incident)
        else "Action items",
    )


def facts(
    incident: Incident, timings: Timings, *, page: str, links: Links
) -> list[tuple[str, str]]:
    """(label, Markdown value) rows of the metadata table; unknown values are a dash."""

    def text(value: str | None) -> str:
        return escape.cell(value) if value else fmt.DASH

    rows = [
        ("ID", text(incident.id)),
        ("Severity", incident.severity),
        ("Status", text(incident.status)),
        ("Services", text(", ".join(incident.services))),
    ]
    for key, label in MILESTONES:
        moment = getattr(timings, key)
        from_timeline = moment is not None and timings.source(key) == TIMELINE
        date_only = key == "started_at" and incident.started_date_only and not from_timeline
        value = fmt.when(moment, date_only=date_only)
        rows.append((label, value + (" *(from timeline)*" if from_timeline else "")))
    rows += [
        ("Time to detect", fmt.duration(timings.ttd)),
        ("Time to acknowledge", fmt.duration(timings.tta)),
        ("Time to mitigate", fmt.duration(timings.ttm)),
        ("Time to resolve", fmt.duration(timings.ttr)),
        ("Customers affected", fmt.count(incident.impact.customers_affected)),
        ("Revenue impact", fmt.money(incident.impact.revenue_usd)),
        ("SLA breached", fmt.yes_no(incident.impact.sla_breached)),
        ("Trigger", text(incident.trigger)),
        ("Root-cause category", text(incident.root_cause.category)),
        ("Detection", text(_detection(incident))),
        ("Runbook used", _runbook(incident)),
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


def _runbook(incident: Incident) -> str:
    if not incident.runbook_used:
        return fmt.DASH
    verdict = {True: " (helpful)", False: " (not helpful)", None: ""}[incident.runbook_helpful]
    return escape.cell(incident.runbook_used) + verdict


def _related(incident: Incident, page: str, links: Links) -> str:
    shown = []
    for ident in incident.related:
        if ident in links.hidden_ids:
            continue  # a public page must not even name a restricted incident
        if ident in links.by_id:
            shown.append(f"[{escape.cell(ident)}]({href(page, links.by_id[ident])})")
        else:
            shown.append(escape.cell(ident))
    return ", ".join(shown) or fmt.DASH


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
    return {
        key for key, text, _, _ in split_sections(incident.body) if _COMMENT.sub("", text).strip()
    }
