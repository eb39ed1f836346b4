"""The pages that list incidents: all incidents, by severity and by service."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence

from markdown.extensions.toc import slugify, unique

from learnloop.model import SEVERITIES
from learnloop.publish import display
from learnloop.publish.plan import (
    BY_SERVICE,
    BY_SEVERITY,
    INCIDENTS_INDEX,
    Entry,
    href,
    newest_first,
)
from learnloop.publish.render import render
from learnloop.write import escape


def render_incidents_index(entries: Iterable[Entry]) -> str:
    """incidents/index.md: every incident, newest first, in a table sortable by column."""
    entries = newest_first(entries)
    return render(
        "incidents_index.md.j2",
        rows=_rows(entries, INCIDENTS_INDEX, _anchors(entries)),
        count=_plural(len(entries), "incident"),
        by_severity=href(INCIDENTS_INDEX, BY_SEVERITY),
        by_service=href(INCIDENTS_INDEX, BY_SERVICE),
    )


def render_by_severity(entries: Iterable[Entry]) -> str:
    """incidents/by-severity.md: a summary per severity, then each severity's incidents."""
    groups: dict[str, list[Entry]] = defaultdict(list)
    for entry in newest_first(entries):
        groups[entry.incident.severity].append(entry)
    anchors = _anchors(newest_first(entries))
    levels = [s for s in SEVERITIES if s in groups]
    return render(
        "by_severity.md.j2",
        groups=[
            {
                "severity": level,
                "count": len(groups[level]),
                "median_ttr": _median_ttr(groups[level]),
                "rows": _rows(groups[level], BY_SEVERITY, anchors),
            }
            for level in levels
        ],
    )


def render_by_service(entries: Iterable[Entry]) -> str:
    """incidents/by-service.md: a summary per service, then each service's incidents."""
    groups: dict[str, list[Entry]] = defaultdict(list)
    ordered = newest_first(entries)
    for entry in ordered:
        for service in entry.incident.services:
            groups[service].append(entry)
    anchors = _anchors(ordered)
    return render(
        "by_service.md.j2",
        groups=[
            {
                "service": service,
                "anchor": anchors[service],
                "count": len(groups[service]),
                "latest": display.day(groups[service][0].timings.started_at),
                "median_ttr": _median_ttr(groups[service]),
                "rows": _rows(groups[service], BY_SERVICE, anchors),
            }
            for service in sorted(groups)
        ],
    )


def _rows(entries: Sequence[Entry], page: str, anchors: dict[str, str]) -> list[dict[str, str]]:
    """One table row per incident, every value already Markdown."""
    by_service = href(page, BY_SERVICE)
    return [
        {
            "date": display.day(e.timings.started_at),
            "id": f"[{escape.cell(e.incident.id)}]({href(page, e.page)})",
            "title": escape.cell(e.incident.title),
            "severity": e.incident.severity,
            "services": ", ".join(
                f"[{escape.cell(s)}]({by_service}#{anchors[s]})" for s in e.incident.services
            ),
            "ttr": display.duration(e.timings.ttr),
        }
        for e in entries
    ]


def _anchors(entries: Iterable[Entry]) -> dict[str, str]:
    """Each service's heading id on the by-service page, as the toc extension makes it."""
    used = {slugify("Incidents by service", "-")}
    anchors = {}
    for service in sorted({s for e in entries for s in e.incident.services}):
        anchors[service] = unique(slugify(service, "-"), used)
    return anchors


def _median_ttr(entries: Sequence[Entry]) -> str:
    known = [e.timings.ttr for e in entries if e.timings.ttr is not None]
    return display.duration(statistics.median(known)) if known else display.DASH


def _plural(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")
