"""Google Cloud status incidents: the incidents.json of status.cloud.google.com, or one of them.

Each incident's `updates` become the timeline (oldest first, each update's status then its
text), `external_desc` the title, `begin` and `end` when it started and ended, the product
names the services and `severity` the severity. The incident report Google publishes when an
incident is over ("# Incident Report", then "## Summary", "## Root Cause", "## Remediation
and Prevention") is an update too: its parts become the post-mortem's own sections, after the
timeline, where the reader finds them by their headings.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

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

STATUS_PAGE = "https://status.cloud.google.com/"
# An update that is a report of parts, not news: two headings or more.
_HEADING = re.compile(r"(?m)^\s{0,3}#{1,6}\s+\S")
# The report's own title ("# Incident Report"), which names no part of it.
_REPORT_TITLE = re.compile(r"^\s{0,3}#{1,6}\s+(?:mini\s+)?incident\s+report\s*\n", re.IGNORECASE)


def looks_like(data: Any) -> bool:
    """Whether parsed JSON is Google Cloud's status: an incident or a list of them."""
    if isinstance(data, list):
        return bool(data) and all(_is_incident(x) for x in data[:5])
    return _is_incident(data)


def _is_incident(value: Any) -> bool:
    value = mapping(value)
    return "external_desc" in value and ("updates" in value or "begin" in value)


def records(doc: Document) -> list[Record]:
    """One record per incident in the document; a malformed incident is skipped with why."""
    found = doc.data if isinstance(doc.data, list) else [doc.data]
    if not found:
        return [Skipped(doc.shown, "a Google Cloud status document with no incidents", False)]
    return each_incident(doc, found, incident_record)


def incident_record(incident: Any, shown: str, origin: str) -> Record:
    """The record for one Google Cloud status incident."""
    if not isinstance(incident, dict):
        return Skipped(shown, "an incident entry that is not a JSON object")
    ident = text_of(incident.get("id"))
    title = " ".join(text_of(incident.get("external_desc")).split())
    if not ident or not title:
        return Skipped(shown, "a Google Cloud incident needs its id and external_desc")
    updates = sorted(
        (u for u in items(incident.get("updates")) if isinstance(u, dict)),
        key=lambda u: (str(_when(u) or ""), text_of(u.get("text"))),
    )
    started = parse_time(incident.get("begin")) or (_when(updates[0]) if updates else None)
    if started is None:
        return Skipped(shown, f"incident {ident} has no start time (begin)")
    timeline = Timeline()
    reports: list[str] = []
    for update in updates:
        text = text_of(update.get("text")).replace("\r\n", "\n").strip()
        if len(_HEADING.findall(text)) >= 2:
            reports.append(_REPORT_TITLE.sub("", text, count=1).strip())
        else:
            timeline.add(_when(update), _entry(update, text))
    # The latest report is the one Google stands by (a "mini" report comes first).
    parts = [timeline.render(), reports[-1] if reports else ""]
    services = tuple(
        dict.fromkeys(
            name
            for name in (
                text_of(incident.get("service_name")),
                *(
                    text_of(mapping(p).get("title"))
                    for p in items(incident.get("affected_products"))
                ),
            )
            if name
        )
    )
    created, ended = parse_time(incident.get("created")), parse_time(incident.get("end"))
    uri = text_of(incident.get("uri"))
    return Imported(
        source=shown,
        format="gcp",
        source_id=ident,
        title=title[:300],
        started_at=started,
        body=body_of(parts),
        origin=origin,
        digest=digest_of(incident),
        severity=text_of(incident.get("severity")) or None,
        services=services,
        detected_at=created if created and created > started else None,
        resolved_at=ended,
        status="resolved" if ended else None,
        url=STATUS_PAGE + uri.lstrip("/") if uri else None,
    )


def _when(update: dict[str, Any]) -> datetime | None:
    return parse_time(update.get("when")) or parse_time(update.get("created"))


def _entry(update: dict[str, Any], text: str) -> str:
    """An update as one timeline entry: its status ("Service disruption"), then its text."""
    status = text_of(update.get("status")).replace("_", " ").capitalize()
    return f"**{status}** — {text}" if status else text
