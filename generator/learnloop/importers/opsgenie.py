"""Opsgenie alerts and incidents (Alert API v2, Incident API v1, outgoing webhooks), with the
logs and notes saved beside them, and post-mortems (Postmortem API, Atlassian Document Format).

The list endpoints for logs and notes do not repeat the alert's id, so they are read from a
bundle: the alert or incident with `logs` and `notes` next to it, as
`{"data": {...}, "logs": {"data": [...]}, "notes": {"data": [...]}}`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from learnloop.importers.adf import adf_to_markdown
from learnloop.importers.fields import (
    Timeline,
    body_of,
    digest_of,
    items,
    mapping,
    parse_time,
    text_of,
)
from learnloop.importers.gather import Gathered, gather
from learnloop.importers.records import Document, Imported, Record, Skipped


def _is_object(value: Any) -> bool:
    value = mapping(value)
    return (
        ("tinyId" in value and "message" in value) or "alertId" in value or "postmortemId" in value
    )


def looks_like(data: Any) -> bool:
    """Whether parsed JSON is an Opsgenie alert, incident, webhook, bundle or post-mortem."""
    if isinstance(data, list):
        return bool(data) and all(_is_object(x) for x in data[:5])
    data = mapping(data)
    inner = data.get("data")
    return (
        ("action" in data and "alertId" in mapping(data.get("alert")))
        or _is_object(data)
        or _is_object(data.get("alert"))
        or _is_object(data.get("incident"))
        or _is_object(inner)
        or (isinstance(inner, list) and bool(inner) and _is_object(inner[0]))
    )


@dataclass
class Group(Gathered):
    kind: str = "alert"
    obj: dict[str, Any] = field(default_factory=dict)
    logs: list[dict[str, Any]] = field(default_factory=list)
    notes: list[dict[str, Any]] = field(default_factory=list)
    actions: list[dict[str, Any]] = field(default_factory=list)
    postmortem: dict[str, Any] = field(default_factory=dict)


def records(docs: Sequence[Document]) -> list[Record]:
    """One record per alert or incident across the documents."""
    groups: dict[str, Group] = {}
    out: list[Record] = []
    for doc in docs:
        if not _collect(doc, doc.data, groups):
            out.append(Skipped(doc.shown, "Opsgenie data with no alert or incident in it"))
    return out + [_record(groups[k]) for k in sorted(groups)]


def _list(value: Any) -> list[dict[str, Any]]:
    value = value.get("data") if isinstance(value, dict) else value
    return [v for v in items(value) if isinstance(v, dict)]


def _collect(doc: Document, data: Any, groups: dict[str, Group]) -> bool:
    if isinstance(data, list):
        return any([_collect(doc, item, groups) for item in data])
    data = mapping(data)
    if "action" in data and isinstance(data.get("alert"), dict):  # an outgoing webhook
        alert = data["alert"]
        ident = text_of(alert.get("alertId"))
        if not ident:
            return False
        group = gather(groups, ident, doc, Group)
        group.obj = {**alert, **group.obj}
        group.actions.append({"action": text_of(data.get("action")), **alert})
        return True
    inner = data.get("data")
    if isinstance(inner, list):
        return any([_collect(doc, item, groups) for item in inner])
    obj = next(
        (v for v in (inner, data.get("alert"), data.get("incident"), data) if _is_object(v)), None
    )
    if obj is None:
        return False
    if "postmortemId" in obj:
        root = mapping(obj.get("rootIncident"))
        ident = text_of(root.get("id")) or text_of(obj.get("postmortemId"))
        group = gather(groups, ident, doc, Group)
        group.kind = "incident"
        group.postmortem = obj
        if not group.obj:
            group.obj = {"message": root.get("message"), "tinyId": root.get("tinyId"), **root}
        return True
    ident = text_of(obj.get("id")) or text_of(obj.get("alertId"))
    if not ident:
        return False
    group = gather(groups, ident, doc, Group)
    group.obj = {**group.obj, **obj}
    links = text_of(mapping(obj.get("links")).get("web"))
    if (
        "incident" in data
        or "impactStartDate" in obj
        or "impactedServices" in obj
        or "/incident/" in links
    ):
        group.kind = "incident"
    group.logs.extend(x for x in _list(data.get("logs")) if x not in group.logs)
    group.notes.extend(x for x in _list(data.get("notes")) if x not in group.notes)
    return True


def _after(start: datetime | None, millis: Any) -> datetime | None:
    if (
        start is None
        or isinstance(millis, bool)
        or not isinstance(millis, int | float)
        or millis < 0
    ):
        return None
    return start + timedelta(milliseconds=millis)


def _record(group: Group) -> Record:
    obj, post = group.obj, group.postmortem
    shown = group.shown_as()
    title = text_of(obj.get("message")) or text_of(post.get("title"))
    created = parse_time(obj.get("createdAt")) or parse_time(post.get("startTime"))
    if not title:
        return Skipped(shown, f"Opsgenie {group.kind} {group.ident} has no message")
    if created is None:
        return Skipped(shown, f"Opsgenie {group.kind} {group.ident} has no creation time")
    report = mapping(obj.get("report"))
    started = parse_time(obj.get("impactStartDate")) or created
    timeline, responders = Timeline(), []
    for log in group.logs:
        timeline.add(parse_time(log.get("createdAt")), text_of(log.get("log")))
        responders.append(_person(log.get("owner")))
    for note in group.notes:
        who = _person(note.get("owner"))
        responders.append(who)
        timeline.add(
            parse_time(note.get("createdAt")),
            f"Note by {who or 'someone'}: {text_of(note.get('note'))}",
        )
    closed: list[datetime | None] = [_after(created, report.get("closeTime"))]
    acked: list[datetime | None] = [_after(created, report.get("ackTime"))]
    for action in group.actions:
        name, who = text_of(action.get("action")), _person(action.get("username"))
        at = parse_time(action.get("updatedAt")) or parse_time(action.get("createdAt"))
        responders.append(who)
        said = text_of(action.get("note"))
        timeline.add(at, f"{name}" + (f" by {who}" if who else "") + (f": {said}" if said else ""))
        if name.lower() == "acknowledge":
            acked.append(at)
        if name.lower() == "close":
            closed.append(at)
    for log in group.logs:
        text = text_of(log.get("log")).lower()
        if "acknowledged" in text:
            acked.append(parse_time(log.get("createdAt")))
        if "closed" in text or "resolved" in text:
            closed.append(parse_time(log.get("createdAt")))
    for key in ("acknowledgedBy", "closedBy"):
        responders.append(_person(report.get(key)))
    parts = []
    description = text_of(obj.get("description"))
    if description and description != title:
        parts.append("## Summary\n\n" + description)
    parts.append(timeline.render())
    for key, heading in (("executiveSummary", "Summary"), ("content", "Post-mortem")):
        if isinstance(post.get(key), dict):
            parts.append(f"## {heading}\n\n" + adf_to_markdown(post[key]))
    services = [text_of(s) for s in items(obj.get("impactedServices"))] + [
        text_of(obj.get("entity"))
    ]
    services += [
        t.split(":", 1)[1]
        for t in map(text_of, items(obj.get("tags")))
        if t.lower().startswith("service:")
    ]
    tags = tuple(
        t
        for t in map(text_of, items(obj.get("tags")))
        if t and not t.lower().startswith("service:")
    )
    return Imported(
        source=shown,
        format="opsgenie",
        source_id=group.ident,
        title=title,
        started_at=started,
        body=body_of(parts),
        origin=group.origin(),
        digest=digest_of([obj, group.logs, group.notes, group.actions, post]),
        severity=text_of(obj.get("priority")) or text_of(post.get("severity")) or None,
        services=tuple(dict.fromkeys(s for s in services if s)),
        detected_at=created if created >= started else None,
        acknowledged_at=min((a for a in acked if a), default=None),
        mitigated_at=parse_time(obj.get("impactEndDate")),
        resolved_at=max((c for c in closed if c), default=None) or parse_time(post.get("endTime")),
        status=text_of(obj.get("status")) or None,
        responders=tuple(dict.fromkeys(r for r in responders if r)),
        tags=tags,
        url=text_of(mapping(obj.get("links")).get("web")) or None,
    )


def _person(value: Any) -> str:
    text = text_of(value)
    return "" if text.lower() in ("system", "") else text
