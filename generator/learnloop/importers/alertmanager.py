"""Prometheus Alertmanager alerts: webhook payloads (`version: "4"`), `/api/v2/alerts` and
`/api/v2/alerts/groups` responses. Alerts are not incidents: they are attached to the
incidents they overlap as detection evidence, or kept as candidate precursors."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from learnloop.importers.fields import items, mapping, parse_time, text_of
from learnloop.importers.records import AlertRef, Document, Skipped


def _is_alert(value: Any) -> bool:
    value = mapping(value)
    return isinstance(value.get("labels"), dict) and "startsAt" in value


def _is_group(value: Any) -> bool:
    value = mapping(value)
    return isinstance(value.get("alerts"), list) and isinstance(value.get("labels"), dict)


def _is_silence(value: Any) -> bool:
    value = mapping(value)
    return isinstance(value.get("matchers"), list) and "createdBy" in value


def looks_like(data: Any) -> bool:
    """Whether parsed JSON is an Alertmanager webhook payload, alert list, group list or
    silence list."""
    if isinstance(data, list):
        return bool(data) and all(_is_alert(x) or _is_group(x) or _is_silence(x) for x in data[:5])
    data = mapping(data)
    alerts = items(data.get("alerts"))
    return (bool(alerts) and _is_alert(alerts[0])) or _is_group(data)


def _alerts(data: Any) -> list[dict[str, Any]]:
    if isinstance(data, list):
        return [a for x in data for a in _alerts(x)]
    data = mapping(data)
    if _is_alert(data):
        return [data]
    return [a for a in items(data.get("alerts")) if _is_alert(a)]


def records(docs: Sequence[Document]) -> tuple[list[tuple[str, AlertRef]], list[Skipped]]:
    """Every alert in the documents (each once), with the document it came from."""
    found: dict[tuple[str, str, str], tuple[str, AlertRef]] = {}
    skipped: list[Skipped] = []
    for doc in docs:
        data = doc.data
        if isinstance(data, list) and data and all(_is_silence(x) for x in data):
            skipped.append(Skipped(doc.shown, "Alertmanager silences, not alerts", error=False))
            continue
        alerts = _alerts(data)
        if not alerts:
            skipped.append(
                Skipped(doc.shown, "Alertmanager data with no alerts in it", error=False)
            )
            continue
        unnamed = 0
        for alert in alerts:
            ref = alert_ref(
                alert, text_of(mapping(data).get("status")) if isinstance(data, dict) else ""
            )
            if ref is None:
                unnamed += 1
                continue
            key = (ref.fingerprint or repr(ref.labels), ref.name, ref.starts_at.isoformat())
            if key not in found or (ref.ends_at and not found[key][1].ends_at):
                found[key] = (doc.shown, ref)
        if unnamed:
            skipped.append(
                Skipped(doc.shown, f"{unnamed} alert(s) without an alertname or start time")
            )
    return [found[k] for k in sorted(found, key=lambda k: (found[k][1].starts_at, k))], skipped


def alert_ref(alert: dict[str, Any], payload_status: str = "") -> AlertRef | None:
    """One alert as an AlertRef; None without a name or a start."""
    labels = {str(k): text_of(v) for k, v in mapping(alert.get("labels")).items() if text_of(v)}
    name = labels.get("alertname", "")
    starts = parse_time(alert.get("startsAt"))
    if not name or starts is None:
        return None
    state = text_of(alert.get("status")) or text_of(mapping(alert.get("status")).get("state"))
    resolved = (state or payload_status) == "resolved"
    ends = parse_time(alert.get("endsAt")) if resolved else None
    return AlertRef(
        name=name,
        starts_at=starts,
        ends_at=ends if ends and ends >= starts else None,
        fingerprint=text_of(alert.get("fingerprint")) or None,
        labels=tuple(sorted((k, v) for k, v in labels.items() if k != "alertname")),
    )
