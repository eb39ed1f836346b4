"""PagerDuty incidents: REST API v2 incident objects with their log entries (trigger,
acknowledge, escalate, assign, annotate, resolve), notes, alerts and, where present, the
post-mortem text; also the V3 and V2 webhook payloads.

One incident's pieces arrive in several files (an incident, its log entries, webhook events),
so all PagerDuty documents of an import are read together and grouped by incident id. The
log gives the timeline, the acknowledgement time (TTA) and the responders.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from learnloop.importers.convert import html_to_markdown, looks_like_html
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
from learnloop.importers.records import AlertRef, Document, Imported, Record, Skipped

_INCIDENT_KEYS = ("incident_number", "urgency", "escalation_policy", "assignments", "incident_key")
_NUMBER_PREFIX = re.compile(r"^\[#\d+\]\s*")
_QUIET = {"notify_log_entry", "exhaust_escalation_path_log_entry", "link_log_entry"}
# A webhook event and the log entry that records the same thing.
_EVENT_ENTRY = {
    "triggered": "trigger_log_entry",
    "acknowledged": "acknowledge_log_entry",
    "resolved": "resolve_log_entry",
    "escalated": "escalate_log_entry",
    "reassigned": "assign_log_entry",
    "annotated": "annotate_log_entry",
}


def _is_incident(value: Any) -> bool:
    value = mapping(value)
    return value.get("type") == "incident" or any(k in value for k in _INCIDENT_KEYS)


def _is_entry(value: Any) -> bool:
    return str(mapping(value).get("type", "")).endswith("_log_entry")


def looks_like(data: Any) -> bool:
    """Whether parsed JSON is one of PagerDuty's incident, log, note, alert or webhook shapes."""
    if isinstance(data, list):
        return bool(data) and all(
            _is_incident(x) or _is_entry(x) or mapping(x).get("type") == "alert" for x in data[:5]
        )
    data = mapping(data)
    event = mapping(data.get("event"))
    messages = items(data.get("messages"))
    return (
        str(event.get("event_type", "")).startswith("incident.")
        or (bool(messages) and str(mapping(messages[0]).get("event", "")).startswith("incident."))
        or _is_incident(data.get("incident"))
        or (bool(items(data.get("incidents"))) and _is_incident(items(data["incidents"])[0]))
        or any(_is_entry(x) for x in items(data.get("log_entries"))[:1])
        or (isinstance(data.get("note"), dict) and "content" in data["note"])
        or any(mapping(x).get("type") == "alert" for x in items(data.get("alerts"))[:1])
        or _is_incident(data)
    )


@dataclass
class Group(Gathered):
    """Everything the inputs say about one incident."""

    incident: dict[str, Any] = field(default_factory=dict)
    entries: dict[str, dict[str, Any]] = field(default_factory=dict)
    notes: list[dict[str, Any]] = field(default_factory=list)
    alerts: dict[str, dict[str, Any]] = field(default_factory=dict)
    events: list[dict[str, Any]] = field(default_factory=list)
    postmortem: str = ""
    title_hint: str = ""


def records(docs: Sequence[Document]) -> list[Record]:
    """One record per incident found across the documents, orphans skipped with why."""
    groups: dict[str, Group] = {}
    out: list[Record] = []
    for doc in docs:
        before = sum(len(g.sources) for g in groups.values())
        _collect(doc, doc.data, groups)
        if sum(len(g.sources) for g in groups.values()) == before:
            out.append(
                Skipped(
                    doc.shown,
                    "PagerDuty data that names no incident (a note or "
                    "alert list needs its incident beside it)",
                )
            )
    for ident in sorted(groups):
        out.append(_record(groups[ident]))
    return out


def _collect(doc: Document, data: Any, groups: dict[str, Group]) -> None:
    if isinstance(data, list):
        for item in data:
            _collect(doc, item, groups)
        return
    data = mapping(data)
    if _is_entry(data) or data.get("type") == "alert":  # a piece that names its incident
        ref = text_of(mapping(data.get("incident")).get("id"))
        if ref:
            group = gather(groups, ref, doc, Group)
            kept = group.entries if _is_entry(data) else group.alerts
            kept[text_of(data.get("id")) or str(len(kept))] = data
            group.title_hint = group.title_hint or text_of(
                mapping(data.get("incident")).get("summary")
            )
        return
    event = mapping(data.get("event"))
    if event:
        _webhook_v3(doc, event, groups)
        return
    for message in items(data.get("messages")):
        message = mapping(message)
        _collect(doc, message.get("incident"), groups)
        _collect(doc, items(message.get("log_entries")), groups)
    incident = data.get("incident") if _is_incident(data.get("incident")) else None
    if incident is None and _is_incident(data) and "messages" not in data:
        incident = data
    if incident is not None:
        ident = text_of(incident.get("id"))
        if not ident:
            return
        group = gather(groups, ident, doc, Group)
        group.incident = _newer(group.incident, incident)
        first = mapping(incident.get("first_trigger_log_entry"))
        if first.get("created_at"):
            group.entries.setdefault(text_of(first.get("id")) or "first", first)
        for entry in items(data.get("log_entries")):
            if isinstance(entry, dict):
                group.entries.setdefault(text_of(entry.get("id")) or str(len(group.entries)), entry)
        group.notes.extend(n for n in _notes(data) if n not in group.notes)
        for alert in items(mapping(data).get("alerts")):
            if isinstance(alert, dict):
                group.alerts.setdefault(text_of(alert.get("id")) or str(len(group.alerts)), alert)
        group.postmortem = group.postmortem or _postmortem(data.get("postmortem"))
    for key in ("incidents", "log_entries", "alerts"):
        if key in data and incident is None:
            _collect(doc, items(data[key]), groups)


def _notes(data: dict[str, Any]) -> list[dict[str, Any]]:
    notes = [n for n in items(data.get("notes")) if isinstance(n, dict)]
    single = data.get("note")
    return [*notes, single] if isinstance(single, dict) else notes


def _postmortem(value: Any) -> str:
    if isinstance(value, str):
        return value
    value = mapping(value)
    return next(
        (
            text_of(value[k])
            for k in ("content", "body", "text", "description")
            if text_of(value.get(k))
        ),
        "",
    )


def _newer(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """Two states of one incident merged, the later state's fields winning (a webhook's
    incident is a snapshot; files come in any order)."""

    def stamp(value: dict[str, Any]) -> str:
        return max(
            text_of(value.get(k)) for k in ("last_status_change_at", "updated_at", "created_at")
        )

    first, last = (old, new) if stamp(old) <= stamp(new) else (new, old)
    return {**first, **last}


def _webhook_v3(doc: Document, event: dict[str, Any], groups: dict[str, Group]) -> None:
    data = mapping(event.get("data"))
    kind = text_of(event.get("event_type"))
    if data.get("type") == "incident":
        ident = text_of(data.get("id"))
    else:  # an annotation or a status update carries its incident as a reference
        ident = text_of(mapping(data.get("incident")).get("id"))
    if not ident:
        return
    group = gather(groups, ident, doc, Group)
    if data.get("type") == "incident":
        group.incident = _newer(group.incident, data)
    group.events.append({**event, "event_type": kind})


def _record(group: Group) -> Record:
    incident = group.incident
    shown = group.shown_as()
    title = _NUMBER_PREFIX.sub(
        "", text_of(incident.get("title")) or text_of(incident.get("summary"))
    )
    title = title or _NUMBER_PREFIX.sub("", group.title_hint)
    if not incident and not group.entries and not group.events:
        return Skipped(
            shown, f"alerts of incident {group.ident}, whose incident is not among the inputs"
        )
    if not title:
        return Skipped(shown, f"incident {group.ident} has no title or summary")
    entries = sorted(
        group.entries.values(), key=lambda e: (text_of(e.get("created_at")), text_of(e.get("id")))
    )
    triggers = [
        parse_time(e.get("created_at")) for e in entries if e.get("type") == "trigger_log_entry"
    ]
    events = {
        e["event_type"]: parse_time(e.get("occurred_at"))
        for e in sorted(group.events, key=lambda e: text_of(e.get("occurred_at")), reverse=True)
    }
    created = (
        parse_time(incident.get("created_at"))
        or next((t for t in triggers if t), None)
        or events.get("incident.triggered")
    )
    notes = []
    if created is None:
        created = min((t for t in events.values() if t), default=None)
        if created is None:
            return Skipped(shown, f"incident {group.ident} has no creation, trigger or event time")
        notes.append("no trigger time in the inputs; the first event's time is used as the start")
    timeline, responders = _timeline(group, entries)
    acks = [parse_time(mapping(a).get("at")) for a in items(incident.get("acknowledgements"))]
    acks += [
        parse_time(e.get("created_at")) for e in entries if e.get("type") == "acknowledge_log_entry"
    ]
    acks.append(events.get("incident.acknowledged"))
    resolved = [
        parse_time(e.get("created_at")) for e in entries if e.get("type") == "resolve_log_entry"
    ]
    resolved.append(events.get("incident.resolved"))
    if text_of(incident.get("status")) == "resolved":
        resolved.append(
            parse_time(incident.get("resolved_at"))
            or parse_time(incident.get("last_status_change_at"))
        )
    for assignment in items(incident.get("assignments")):
        responders.append(_who(mapping(assignment).get("assignee")))
    parts = []
    description = text_of(incident.get("description"))
    if description and _NUMBER_PREFIX.sub("", description) != title:
        parts.append("## Summary\n\n" + description)
    parts.append(timeline.render())
    if group.postmortem:
        text = group.postmortem
        parts.append(
            "## Post-mortem\n\n" + (html_to_markdown(text) if looks_like_html(text) else text)
        )
    priority = mapping(incident.get("priority"))
    services = [_who(incident.get("service"))] + [
        _who(s) for s in items(incident.get("impacted_services"))
    ]
    services += [_who(e.get("service")) for e in entries]
    alerts = tuple(
        AlertRef(text_of(a.get("summary")) or text_of(a.get("alert_key")), at, source="pagerduty")
        for a in sorted(group.alerts.values(), key=lambda a: text_of(a.get("created_at")))
        if (at := parse_time(a.get("created_at"))) is not None
        and (text_of(a.get("summary")) or text_of(a.get("alert_key")))
    )
    return Imported(
        source=shown,
        format="pagerduty",
        source_id=group.ident,
        title=title,
        started_at=created,
        body=body_of(parts),
        origin=group.origin(),
        digest=digest_of(
            [
                incident,
                entries,
                group.notes,
                sorted(group.alerts.items()),
                group.events,
                group.postmortem,
            ]
        ),
        severity=text_of(priority.get("summary"))
        or text_of(priority.get("name"))
        or text_of(incident.get("urgency"))
        or None,
        services=tuple(dict.fromkeys(s for s in services if s)),
        detected_at=created,
        acknowledged_at=min((a for a in acks if a), default=None),
        resolved_at=max((r for r in resolved if r), default=None),
        status=text_of(incident.get("status")) or None,
        responders=tuple(dict.fromkeys(r for r in responders if r)),
        alerts=alerts,
        url=text_of(incident.get("html_url")) or None,
        notes=tuple(notes),
    )


def _who(value: Any) -> str:
    value = mapping(value)
    return text_of(value.get("summary")) or text_of(value.get("name"))


def _note_text(note: dict[str, Any]) -> str:
    channel = mapping(note.get("channel"))
    for value in (
        note.get("content"),
        channel.get("summary"),
        channel.get("notes"),
        channel.get("details"),
    ):
        if isinstance(value, str) and value.strip():
            return value.strip()
    return text_of(note.get("summary"))


def _timeline(group: Group, entries: list[dict[str, Any]]) -> tuple[Timeline, list[str]]:
    timeline, responders = Timeline(), []
    kinds = {e.get("type") for e in entries}
    for entry in entries:
        kind, at = text_of(entry.get("type")), parse_time(entry.get("created_at"))
        agent = mapping(entry.get("agent"))
        if agent.get("type") in ("user_reference", "user"):
            responders.append(_who(agent))
        if kind in _QUIET:
            continue
        if kind == "annotate_log_entry":
            timeline.add(at, f"Note by {_who(agent) or 'someone'}: {_note_text(entry)}")
            continue
        text = text_of(entry.get("summary")) or kind.removesuffix("_log_entry").replace("_", " ")
        details = mapping(entry.get("channel")).get("details")
        if kind == "trigger_log_entry" and isinstance(details, str) and details.strip():
            text += f"\n\n{details.strip()}"
        if kind == "resolve_log_entry" and text_of(group.incident.get("resolve_reason")):
            text += f" (reason: {text_of(group.incident['resolve_reason'])})"
        timeline.add(at, text)
    incident = group.incident
    if "acknowledge_log_entry" not in kinds:
        for ack in items(incident.get("acknowledgements")):
            who = _who(mapping(ack).get("acknowledger"))
            timeline.add(parse_time(mapping(ack).get("at")), f"Acknowledged by {who or 'someone'}")
    if "assign_log_entry" not in kinds:
        for assignment in items(incident.get("assignments")):
            who = _who(mapping(assignment).get("assignee"))
            timeline.add(
                parse_time(mapping(assignment).get("at")), f"Assigned to {who or 'someone'}"
            )
    if not kinds and not group.events:
        timeline.add(parse_time(incident.get("created_at")), "Triggered")
        if text_of(incident.get("status")) == "resolved":
            reason = text_of(incident.get("resolve_reason"))
            who = _who(incident.get("last_status_change_by"))
            timeline.add(
                parse_time(incident.get("last_status_change_at")),
                "Resolved"
                + (f" by {who}" if who else "")
                + (f" (reason: {reason})" if reason else ""),
            )
    for note in group.notes:
        who = _who(note.get("user"))
        responders.append(who)
        timeline.add(
            parse_time(note.get("created_at")), f"Note by {who or 'someone'}: {_note_text(note)}"
        )
    for event in group.events:
        kind = event["event_type"].removeprefix("incident.").replace("_", " ")
        if _EVENT_ENTRY.get(kind) in kinds or (kind == "annotated" and group.notes):
            continue
        agent = mapping(event.get("agent"))
        if agent.get("type") == "user_reference":
            responders.append(_who(agent))
        data = mapping(event.get("data"))
        text = (
            f"Note by {_who(agent) or 'someone'}: {_note_text(data)}"
            if kind == "annotated"
            else (f"{kind.capitalize()}" + (f" by {_who(agent)}" if _who(agent) else ""))
        )
        timeline.add(parse_time(event.get("occurred_at")), text)
    return timeline, responders
