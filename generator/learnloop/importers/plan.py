"""The file plan: each record's id, path and text, and what importing it would do.

A file the import writes records `imported_from.written`, the digest of its own text with
that value blanked. A file whose text no longer matches it was edited by a person since, and
is never written over; a file whose text the import would write again unchanged is left as
it is, so importing the same source twice changes nothing.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any

import yaml

from learnloop.importers.fields import iso
from learnloop.importers.records import Imported
from learnloop.importers.severity import map_severity
from learnloop.load import INCIDENTS_DIR, discover, load_bytes
from learnloop.load.fields import ID_RE, MAX_ID
from learnloop.scaffold import slugify
from learnloop.settings import Settings

# Ids the sources' own ids get, so that ids from different tools never collide.
PREFIXES = {
    "statuspage": "SP",
    "gcp": "GCP",
    "pagerduty": "PD",
    "opsgenie": "OG",
    "slack": "slack",
}
UNKNOWN_SERVICE = "unknown"
BLANK = "''"
# libyaml where it is installed: several times faster over a thousand files.
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_DUMPER: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
_WRITTEN = re.compile(r"^  written: (sha256:[0-9a-f]{64})$", re.MULTILINE)
_ID_LINE = re.compile(r"(?m)^id:\s*['\"]?([^\s'\"#]+)")
_SOURCE_LINE = re.compile(r"(?m)^imported_from:\n(?:  .*\n)*?  source: (.+)$")
TIME_KEYS = ("detected_at", "acknowledged_at", "mitigated_at", "resolved_at")
# Keys an alert import adds to a file; a later import of its source keeps them.
ATTACHED = ("detected_at", "detection", "alerts")


@dataclass(frozen=True)
class Planned:
    """What importing one record does: imported, updated, unchanged or skipped."""

    action: str
    source: str
    ident: str = ""
    path: str = ""  # relative to the root, POSIX
    text: str | None = None  # what to write, for imported and updated
    reason: str = ""  # for skipped, and a note for an unchanged file a person edited
    notes: tuple[str, ...] = ()
    error: bool = False


@dataclass
class Existing:
    """The incident files already in the repository, by id (read once per import)."""

    root: Path
    by_id: dict[str, str] = field(default_factory=dict)
    by_origin: dict[str, str] = field(default_factory=dict)  # imported_from.source -> path
    paths: set[str] = field(default_factory=set)

    @classmethod
    def scan(cls, root: Path) -> Existing:
        found = cls(root)
        for path in discover(root):
            rel = path.relative_to(root).as_posix()
            found.paths.add(rel)
            try:
                head = path.read_text(encoding="utf-8", errors="replace")[:4000]
            except OSError:
                continue
            block = head.split("\n---", 1)[0] if head.startswith("---") else head
            match = _ID_LINE.search(block)
            if match:
                found.by_id.setdefault(match.group(1), rel)
            origin = _SOURCE_LINE.search(block)
            if origin:
                found.by_origin.setdefault(origin.group(1).strip("'\""), rel)
        return found

    def text(self, rel: str) -> str | None:
        try:
            return (self.root / rel).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None


def incident_id(record: Imported) -> str:
    """A safe, stable id from the source's own id (prefixed by its tool) or its path."""
    prefix = PREFIXES.get(record.format)
    raw = f"{prefix}-{record.source_id}" if prefix else record.source_id
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", raw).strip("-._") or "incident"
    if len(safe) > MAX_ID:
        tail = hashlib.sha256(raw.encode()).hexdigest()[:8]
        safe = f"{safe[: MAX_ID - 9].rstrip('-._')}-{tail}"
    return safe if ID_RE.match(safe) else f"i-{safe}"


def file_path(record: Imported) -> str:
    """incidents/YYYY/YYYY-MM-DD-<slug>.md from the incident's start and title."""
    start = record.started_at
    day = start.date() if isinstance(start, datetime) else start
    return f"{INCIDENTS_DIR}/{day.year}/{day.isoformat()}-{slugify(record.title)}.md"


def services_of(record: Imported, settings: Settings) -> tuple[tuple[str, ...], list[str]]:
    """Service names as this repository knows them, and a warning when none could be found."""
    mapped = {k.lower(): v for k, v in settings.importing.services.items()}
    catalog = {name.lower(): name for name in settings.services}
    out: list[str] = []
    for name in record.services:
        name = mapped.get(name.lower(), name)
        out.append(catalog.get(name.lower()) or catalog.get(slugify(name)) or slugify(name, 80))
    if not out and catalog:
        text = f"{record.title}\n{record.body}".lower()
        out = [
            name
            for low, name in sorted(catalog.items())
            if re.search(rf"\b{re.escape(low)}\b", text)
        ]
    if out:
        return tuple(dict.fromkeys(out)), []
    return (UNKNOWN_SERVICE,), [
        f"no services found; {UNKNOWN_SERVICE!r} used (name them, or map the source's in "
        "learnloop.yml import.services)"
    ]


def severity_of(record: Imported, settings: Settings) -> tuple[str, list[str]]:
    """The P-level for the record's own label, or the default with a warning saying why."""
    level = map_severity(record.severity, record.format, settings.importing.severity)
    if level is not None:
        return level, []
    default = settings.importing.default_severity
    if record.severity:
        why = f"severity {record.severity!r} is on no known scale"
        hint = f"; map it in learnloop.yml (import: {{severity: {{{record.severity!r}: P2}}}})"
    else:
        why, hint = "no severity stated", ""
    return default, [f"{why}; {default} used{hint}"]


def _times(record: Imported) -> tuple[dict[str, datetime], list[str]]:
    start = record.started_at
    floor = start if isinstance(start, datetime) else datetime.combine(start, time(0), UTC)
    out, notes = {}, []
    for key in TIME_KEYS:
        value = getattr(record, key)
        if value is None:
            continue
        if value < floor:
            notes.append(f"{key} {iso(value)} is before the start; left out")
            continue
        out[key] = value
    return out, notes


def front_matter(
    record: Imported,
    ident: str,
    severity: str,
    services: tuple[str, ...],
    carried: Mapping[str, Any],
) -> dict[str, Any]:
    """The derived keys, in the order people read them; `carried` keys kept from the file."""
    times, _ = _times(record)
    front: dict[str, Any] = {
        "id": ident,
        "title": record.title,
        "started_at": iso(record.started_at),
    }
    for key in TIME_KEYS:
        if key in times:
            front[key] = iso(times[key])
        elif key in carried:
            front[key] = carried[key]
    front["severity"] = severity
    front["services"] = list(services)
    if record.status:
        front["status"] = record.status
    if record.responders:
        front["responders"] = list(record.responders)
    if record.tags:
        front["tags"] = list(record.tags)
    for key, value in record.extra:
        front[key] = value
    alerts = [alert_entry(a) for a in record.alerts]
    listed = {(e["name"], e["starts_at"]) for e in alerts}
    for entry in carried.get("alerts") or []:  # attached by an alert import since
        if isinstance(entry, dict) and (entry.get("name"), entry.get("starts_at")) not in listed:
            alerts.append(entry)
    if alerts:
        front["alerts"] = alerts
    if "detection" in carried and "detection" not in front:
        front["detection"] = carried["detection"]
    origin: dict[str, Any] = {"format": record.format, "source": record.origin or record.source}
    if record.url:
        origin["url"] = record.url
    origin["digest"] = record.digest
    origin["written"] = ""
    front["imported_from"] = origin
    return front


def alert_entry(alert: Any) -> dict[str, Any]:
    """An alert as the front matter's `alerts` list holds it."""
    entry: dict[str, Any] = {"name": alert.name, "starts_at": iso(alert.starts_at)}
    if alert.ends_at is not None:
        entry["ends_at"] = iso(alert.ends_at)
    if alert.fingerprint:
        entry["fingerprint"] = alert.fingerprint
    if alert.labels:
        entry["labels"] = dict(alert.labels)
    entry["source"] = alert.source
    return entry


def dump(front: Mapping[str, Any]) -> str:
    """YAML for a front matter: keys in the given order, dates quoted, long lines kept."""
    return yaml.dump(dict(front), Dumper=_DUMPER, sort_keys=False, allow_unicode=True, width=100)


def render(front: Mapping[str, Any], body: str) -> str:
    """The file's text, its `written` digest filled in."""
    text = f"---\n{dump(front)}---\n\n{body.strip()}\n"
    return seal(text)


def seal(text: str) -> str:
    """Fill in `imported_from.written`: the digest of the text with that value blank."""
    blank = f"  written: {BLANK}"
    if blank not in text:
        return text
    digest = "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()
    return text.replace(blank, f"  written: {digest}", 1)


def written_by_import(text: str) -> bool | None:
    """True if the file is as the import wrote it, False if edited since, None if never
    imported (no `written` digest)."""
    match = _WRITTEN.search(text.split("\n---", 2)[0] if text.startswith("---") else "")
    if match is None:
        return None
    blanked = text.replace(match.group(0), f"  written: {BLANK}", 1)
    return "sha256:" + hashlib.sha256(blanked.encode("utf-8")).hexdigest() == match.group(1)


def existing_front(text: str) -> dict[str, Any]:
    """A file's front matter as data ({} when it has none or it does not parse)."""
    if not text.startswith("---"):
        return {}
    block = text.split("\n---", 2)
    try:
        data = yaml.load(block[0][3:], Loader=_LOADER) if len(block) > 1 else None
    except yaml.YAMLError:
        return {}
    return data if isinstance(data, dict) else {}


def _digest(front: Mapping[str, Any]) -> str | None:
    origin = front.get("imported_from")
    return str(origin.get("digest")) if isinstance(origin, dict) else None


@dataclass
class Planner:
    """Plans records one by one against the repository, claiming ids and paths as it goes."""

    root: Path
    settings: Settings
    existing: Existing
    claimed_ids: dict[str, str] = field(default_factory=dict)  # id -> origin
    claimed_paths: set[str] = field(default_factory=set)

    def place(self, record: Imported) -> tuple[str, str]:
        """The record's id and file: the file that already has its id, else a free path."""
        ident = self._claim_id(record)
        current = self.existing.by_id.get(ident)
        if current is not None:
            self.claimed_paths.add(current)
            return ident, current
        return ident, self._claim_path(file_path(record), ident)

    def plan(self, record: Imported, ident: str, rel: str) -> Planned:
        """What importing the record as `ident` in `rel` (from `place`) does."""
        severity, notes = severity_of(record, self.settings)
        services, more = services_of(record, self.settings)
        _, dropped = _times(record)
        notes = [*record.notes, *notes, *more, *dropped]
        current = self.existing.by_id.get(ident)
        if current is None:
            text = render(front_matter(record, ident, severity, services, {}), record.body)
            return self._checked(
                Planned("imported", record.source, ident, rel, text, notes=tuple(notes))
            )
        old = self.existing.text(current)
        state = written_by_import(old) if old is not None else None
        if old is None or state is None:
            return Planned(
                "skipped",
                record.source,
                ident,
                current,
                reason=f"{current} already has id {ident!r} and was not written by an import; "
                "left as it is",
                notes=tuple(notes),
            )
        front = existing_front(old)
        carried = {k: front[k] for k in ATTACHED if k in front}
        text = render(front_matter(record, ident, severity, services, carried), record.body)
        if state is False:
            if _digest(front) == record.digest:
                return Planned(
                    "unchanged",
                    record.source,
                    ident,
                    current,
                    reason="edited by a person since its import; kept as it is",
                    notes=tuple(notes),
                )
            return Planned(
                "skipped",
                record.source,
                ident,
                current,
                reason=f"{current} was edited by a person since its import; the source "
                "changed, but nothing was written over the file",
                notes=tuple(notes),
            )
        action = "unchanged" if text == old else "updated"
        return self._checked(
            Planned(
                action,
                record.source,
                ident,
                current,
                text if action == "updated" else None,
                notes=tuple(notes),
            )
        )

    def _claim_id(self, record: Imported) -> str:
        ident = incident_id(record)
        origin = record.origin or record.source
        if self.claimed_ids.get(ident, origin) != origin:
            tail = hashlib.sha256(origin.encode()).hexdigest()[:6]
            ident = f"{ident[: MAX_ID - 7]}-{tail}"
        self.claimed_ids[ident] = origin
        return ident

    def _claim_path(self, rel: str, ident: str) -> str:
        if rel in self.claimed_paths or rel in self.existing.paths or (self.root / rel).exists():
            rel = rel.removesuffix(".md") + f"-{ident.lower()}.md"
        self.claimed_paths.add(rel)
        return rel

    def _checked(self, planned: Planned) -> Planned:
        """The plan, or a skip when the text it would write does not load cleanly."""
        if planned.text is None:
            return planned
        _, problems = load_bytes(planned.text.encode("utf-8"), planned.path)
        errors = [p for p in problems if p.level == "error"]
        if not errors:
            return planned
        why = "; ".join(f"line {p.line}: {p.message}" for p in errors[:3])
        return replace(
            planned,
            action="skipped",
            text=None,
            reason=f"the file it would write does not load ({why})",
            error=True,
        )
