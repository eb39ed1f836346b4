"""Alerts attached to the incidents whose time and services they overlap, as detection
evidence; alerts that overlap none kept in alerts/candidates.yml as candidate precursors.

Attaching adds only what is absent (`alerts` entries, `detected_at` from the first alert,
`detection`) and never replaces what a person wrote. A file a person owns is edited by a
ruamel.yaml round trip of its front matter, used only where it reproduces the front matter
byte for byte, else by appending the new keys as text; the body is never touched.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import yaml

from learnloop.importers.fields import iso, parse_time
from learnloop.importers.plan import (
    Existing,
    Planned,
    alert_entry,
    dump,
    existing_front,
    seal,
    written_by_import,
)
from learnloop.importers.records import AlertRef
from learnloop.scaffold import slugify

CANDIDATES = "alerts/candidates.yml"
BEFORE = timedelta(minutes=30)  # an alert may fire shortly before the recorded start
OPEN_FOR = timedelta(hours=24)  # how long an incident without an end is taken to last
_HEADER = (
    "# Alerts that overlapped no incident when they were imported: candidate precursors.\n"
    "# Written by `learnloop import`; entries are added, never removed.\n"
)


@dataclass(frozen=True)
class Target:
    """An incident file alerts can attach to: when it ran and what it touched."""

    path: str
    ident: str
    start: datetime
    end: datetime
    services: frozenset[str]


@dataclass
class Outcome:
    planned: list[Planned] = field(default_factory=list)
    candidates: list[AlertRef] = field(default_factory=list)
    candidates_text: str | None = None


def target(path: str, front: Mapping[str, Any]) -> Target | None:
    """The window and services of an incident's front matter, or None when it has no start."""
    raw = front.get("started_at")
    if (isinstance(raw, date) and not isinstance(raw, datetime)) or (
        isinstance(raw, str) and re.fullmatch(r"\d{4}-\d\d-\d\d", raw.strip())
    ):
        day = raw if isinstance(raw, date) else date.fromisoformat(raw.strip())
        start = datetime.combine(day, time(0), UTC)
        end = start + timedelta(days=1)
    else:
        parsed = parse_time(raw)
        if parsed is None:
            return None
        start = parsed
        end = (
            parse_time(front.get("resolved_at"))
            or parse_time(front.get("mitigated_at"))
            or start + OPEN_FOR
        )
    services = front.get("services")
    names = (
        [services] if isinstance(services, str) else services if isinstance(services, list) else []
    )
    return Target(
        path,
        str(front.get("id", "")),
        start,
        max(end, start),
        frozenset(slugify(str(s)) for s in names),
    )


def overlaps(alert: AlertRef, incident: Target) -> bool:
    """Whether an alert fired within an incident's window and names one of its services."""
    if not incident.start - BEFORE <= alert.starts_at <= incident.end:
        return False
    values = {slugify(v) for _, v in alert.labels} | {slugify(alert.name)}
    for service in incident.services:
        for value in values:
            if (
                value == service
                or value.startswith(service + "-")
                or service.startswith(value + "-")
            ):
                return True
    return False


def _key(entry: Mapping[str, Any]) -> tuple[str, str]:
    start = parse_time(entry.get("starts_at"))
    return str(entry.get("name", "")), iso(start) if start else str(entry.get("starts_at"))


def attach_all(
    root: Any, refs: Sequence[tuple[str, AlertRef]], planned: Mapping[str, str], existing: Existing
) -> Outcome:
    """Attach each alert to the incident it overlaps (the one that started closest to it)."""
    texts: dict[str, str] = {}
    for rel in sorted(existing.paths | set(planned)):
        text = planned.get(rel) or existing.text(rel)
        if text is not None and rel.endswith(".md"):
            texts[rel] = text
    targets = [t for rel, text in texts.items() if (t := target(rel, existing_front(text)))]
    by_path: dict[str, list[tuple[str, AlertRef]]] = {}
    outcome = Outcome()
    for source, alert in refs:
        matches = [t for t in targets if overlaps(alert, t)]
        if not matches:
            outcome.candidates.append(alert)
            continue
        best = min(
            matches, key=lambda t: (abs((alert.starts_at - t.start).total_seconds()), t.ident)
        )
        by_path.setdefault(best.path, []).append((source, alert))
    for rel, attached in sorted(by_path.items()):
        text = texts[rel]
        front = existing_front(text)
        sources = ", ".join(sorted({s for s, _ in attached}))
        new = add_alerts(text, [a for _, a in attached])
        ident = str(front.get("id", ""))
        if isinstance(new, str) and new != text:
            outcome.planned.append(Planned("updated", sources, ident, rel, new))
        elif isinstance(new, str):
            outcome.planned.append(Planned("unchanged", sources, ident, rel))
        else:
            outcome.planned.append(
                Planned("skipped", sources, ident, rel, reason=new.reason, error=True)
            )
    if outcome.candidates:
        outcome.candidates_text = candidates_text(
            existing.text(CANDIDATES) if (existing.root / CANDIDATES).is_file() else None,
            outcome.candidates,
        )
    return outcome


@dataclass(frozen=True)
class Refused:
    reason: str


def additions(front: Mapping[str, Any], alerts: Sequence[AlertRef]) -> dict[str, Any]:
    """The keys to add: alert entries not yet listed, and detection facts where absent."""
    listed: list[Any] = front["alerts"] if isinstance(front.get("alerts"), list) else []
    known = {_key(e) for e in listed if isinstance(e, dict)}
    new = [
        alert_entry(a)
        for a in sorted(alerts, key=lambda a: (a.starts_at, a.name))
        if _key(alert_entry(a)) not in known
    ]
    out: dict[str, Any] = {}
    if new:
        out["alerts"] = new
    start = target("", front)
    first = min((a for a in alerts), key=lambda a: (a.starts_at, a.name), default=None)
    if (
        first is not None
        and "detected_at" not in front
        and start
        and first.starts_at >= start.start
    ):
        out["detected_at"] = iso(first.starts_at)
    if first is not None and "detection" not in front:
        out["detection"] = {"method": "alert", "source": f"alertmanager: {first.name}"}
    return out


def add_alerts(text: str, alerts: Sequence[AlertRef]) -> str | Refused:
    """The file's text with the alerts attached; everything else kept as it was."""
    if not text.startswith("---\n") or "\n---" not in text[3:]:
        return Refused("no front matter to attach alerts to")
    end = text.index("\n---", 3) + 1
    block, rest = text[4:end], text[end:]
    front = existing_front(text)
    adding = additions(front, alerts)
    if not adding:
        return text
    if written_by_import(text):  # the import's own file: rendered again, in its key order
        return seal(f"---\n{dump(_merge(front, adding))}{rest}")
    edited = _round_trip(block, adding)
    if edited is None:
        if "alerts" in adding and "alerts" in front:
            return Refused(
                "its alerts list cannot be extended without reformatting its front matter"
            )
        edited = block + dump(adding)
    return f"---\n{edited}{rest}"


def _merge(front: Mapping[str, Any], adding: Mapping[str, Any]) -> dict[str, Any]:
    """An import-owned front matter with additions, in the order plan.front_matter writes."""
    merged: dict[str, Any] = {}
    for key, value in front.items():
        if key == "imported_from":
            for extra in ("alerts", "detection"):
                if extra in adding and extra not in front:
                    merged[extra] = adding[extra]
            value = {**value, "written": ""} if isinstance(value, dict) else value
        merged[key] = (
            [*value, *adding["alerts"]] if key == "alerts" and "alerts" in adding else value
        )
        if key == "started_at" and "detected_at" in adding:
            merged["detected_at"] = adding["detected_at"]
    for key, value in adding.items():
        merged.setdefault(key, value)
    return merged


def _round_trip(block: str, adding: Mapping[str, Any]) -> str | None:
    """The front matter with keys added by ruamel.yaml, or None if its round trip would
    change anything else."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    rt = YAML(typ="rt")
    rt.preserve_quotes = True
    rt.width = 4096
    try:
        data = rt.load(block)
        out = io.StringIO()
        rt.dump(data, out)
    except (YAMLError, ValueError):
        return None
    if out.getvalue() != block or not hasattr(data, "items"):
        return None
    for key, value in adding.items():
        if key == "alerts" and isinstance(data.get("alerts"), list):
            data["alerts"].extend(value)
        else:
            data[key] = value
    out = io.StringIO()
    rt.dump(data, out)
    return out.getvalue()


def candidates_text(existing: str | None, alerts: Sequence[AlertRef]) -> str:
    """alerts/candidates.yml with the new alerts merged in, sorted; never loses an entry."""
    try:
        old = yaml.safe_load(existing) if existing else None
    except yaml.YAMLError:
        old = None
    entries = [
        e
        for e in (old.get("alerts") if isinstance(old, dict) else old) or []
        if isinstance(e, dict)
    ]
    known = {_key(e) for e in entries}
    for alert in alerts:
        entry = alert_entry(alert)
        if _key(entry) not in known:
            entries.append(entry)
            known.add(_key(entry))
    entries.sort(key=lambda e: (str(e.get("starts_at")), str(e.get("name"))))
    return _HEADER + yaml.safe_dump(
        {"alerts": entries}, sort_keys=False, allow_unicode=True, width=100
    )
