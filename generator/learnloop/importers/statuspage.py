"""Atlassian Statuspage incidents: one incident, a list, or the incidents.json page.

`incident_updates` become the timeline (oldest first, each update's full text), `components`
the services, `impact` the severity; a published post-mortem becomes its own section.
Scheduled maintenance is not an incident and is skipped.

A page migrated from an older status site may hold a whole incident in one update: a list of
entries, each opening with its own time ("**2010-04-19 07:56:00** - The SSH problem should be
fixed."). Each entry is then a timeline entry at its own time, and the incident was not
resolved before its last entry. The update's status stays off them: "Resolved" stamped on
a migrated list says when it was copied, not which entry resolved it.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from learnloop.importers.convert import html_to_markdown, looks_like_html
from learnloop.importers.fields import (
    Timeline,
    body_of,
    digest_of,
    each_incident,
    items,
    mapping,
    parse_time,
    text_of,
)
from learnloop.importers.records import Document, Imported, Record, Skipped

_MAINTENANCE = {"scheduled", "in_progress", "verifying", "completed"}
# Pseudo-components some pages add ("Visit www.githubstatus.com for more information").
_NOT_A_SERVICE = re.compile(r"https?://|www\.|\bvisit\b|\bfor more information\b", re.IGNORECASE)


def looks_like(data: Any) -> bool:
    """Whether parsed JSON is Statuspage's: an incident, a list of them, or a page of them."""
    if isinstance(data, list):
        return bool(data) and all(_is_incident(x) for x in data[:5])
    data = mapping(data)
    if "incident" in data:
        return _is_incident(data["incident"])
    if "incidents" in data:
        found = items(data["incidents"])
        return not found or _is_incident(found[0])
    return _is_incident(data)


def _is_incident(value: Any) -> bool:
    value = mapping(value)
    return "incident_updates" in value or ("shortlink" in value and "impact" in value)


def incidents_of(data: Any) -> list[Any]:
    """The incident objects a Statuspage document holds."""
    if isinstance(data, list):
        return data
    data = mapping(data)
    if "incident" in data:
        return [data["incident"]]
    if "incidents" in data:
        return items(data["incidents"])
    return [data]


def records(doc: Document) -> list[Record]:
    """One record per incident in the document; a malformed incident is skipped with why."""
    page = mapping(mapping(doc.data).get("page"))
    found = incidents_of(doc.data)
    if not found:
        return [Skipped(doc.shown, "a Statuspage document with no incidents", error=False)]
    return each_incident(
        doc, found, lambda incident, shown, origin: incident_record(incident, page, shown, origin)
    )


def incident_record(incident: Any, page: dict[str, Any], shown: str, origin: str) -> Record:
    """The record for one Statuspage incident object."""
    if not isinstance(incident, dict):
        return Skipped(shown, "an incident entry that is not a JSON object")
    ident, title = text_of(incident.get("id")), text_of(incident.get("name"))
    if not ident or not title:
        return Skipped(shown, "a Statuspage incident needs its id and name; this one lacks them")
    status = text_of(incident.get("status")).lower()
    if (
        incident.get("scheduled_for")
        or status in _MAINTENANCE
        or incident.get("impact") == "maintenance"
    ):
        return Skipped(shown, f"scheduled maintenance ({title!r}), not an incident", error=False)
    updates = sorted(
        (u for u in items(incident.get("incident_updates")) if isinstance(u, dict)),
        key=lambda u: (str(_when(u) or ""), text_of(u.get("id"))),
    )
    started = parse_time(incident.get("started_at")) or parse_time(incident.get("created_at"))
    if started is None and updates:
        started = _when(updates[0])
    if started is None:
        return Skipped(shown, f"incident {ident} has no start time (started_at, created_at)")
    timeline = Timeline()
    last_listed: datetime | None = None
    for update in updates:
        body = _markdown(text_of(update.get("body")))
        listed = _listed(body)
        for at, text in listed:
            timeline.add(at, text)
            last_listed = max(at, last_listed) if last_listed else at
        if not listed:
            timeline.add(_when(update), _update_text(update, body))
    parts = [timeline.render()]
    postmortem = text_of(incident.get("postmortem_body"))
    if postmortem:
        parts.append("## Post-mortem\n\n" + _markdown(postmortem))
    created = parse_time(incident.get("created_at"))
    resolved = parse_time(incident.get("resolved_at")) or _first(updates, "resolved")
    if resolved is not None and last_listed is not None and resolved < last_listed:
        resolved = last_listed  # a migrated page's resolution stamp is its first entry's
    mitigated = parse_time(incident.get("monitoring_at")) or _first(updates, "monitoring")
    services = _services(incident, updates)
    notes = []
    if not services and text_of(page.get("name")):
        services = (text_of(page["name"]),)
        notes.append("no components named; the status page's name is used as the service")
    return Imported(
        source=shown,
        format="statuspage",
        source_id=ident,
        title=title,
        started_at=started,
        body=body_of(parts),
        origin=origin,
        digest=digest_of(incident),
        severity=text_of(incident.get("impact")) or None,
        services=services,
        detected_at=created if created and created > started else None,
        mitigated_at=mitigated,
        resolved_at=resolved,
        status=status or None,
        url=text_of(incident.get("shortlink")) or None,
        notes=tuple(notes),
    )


def _when(update: dict[str, Any]) -> datetime | None:
    return parse_time(update.get("display_at")) or parse_time(update.get("created_at"))


def _first(updates: list[dict[str, Any]], status: str) -> datetime | None:
    return next((_when(u) for u in updates if text_of(u.get("status")).lower() == status), None)


def _markdown(text: str) -> str:
    return html_to_markdown(text) if looks_like_html(text) else text.strip() + "\n"


# An entry of a migrated update: "- **2010-04-19 07:56:00** - The SSH problem should be fixed."
_LISTED = re.compile(
    r"^[-*+]\s+\*\*(?P<at>\d{4}-\d\d-\d\d[ T]\d\d:\d\d(?::\d\d)?(?:\s*UTC|Z)?)\*\*"
    r"\s*[-–—:]?\s*(?P<text>.*)$"
)


def _listed(body: str) -> list[tuple[datetime, str]]:
    """The entries of an update's body (as Markdown) that is a list of timed entries, each
    at its time; empty for any other body (a line that is neither an entry nor its
    continuation)."""
    entries: list[tuple[datetime, str]] = []
    for line in body.splitlines():
        if not line.strip():
            continue
        found = _LISTED.match(line)
        if found and (at := parse_time(found["at"].replace(" UTC", ""))) is not None:
            entries.append((at, found["text"].strip()))
        elif entries and line.startswith(" "):
            at, text = entries[-1]
            entries[-1] = (at, f"{text} {line.strip()}")
        else:
            return []
    return entries


def _update_text(update: dict[str, Any], body: str) -> str:
    """An update as one timeline entry: its status, then its body (as Markdown)."""
    status = text_of(update.get("status")).replace("_", " ").capitalize()
    return f"**{status}** — {body.strip()}" if status else body.strip()


def _services(incident: dict[str, Any], updates: list[dict[str, Any]]) -> tuple[str, ...]:
    names = [text_of(mapping(c).get("name")) for c in items(incident.get("components"))]
    for update in updates:
        for component in items(update.get("affected_components")):
            names.append(text_of(mapping(component).get("name")))
    return tuple(dict.fromkeys(n for n in names if n and not _NOT_A_SERVICE.search(n)))
