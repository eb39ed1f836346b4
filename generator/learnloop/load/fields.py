"""Front-matter keys: validated, normalized, and turned into an Incident."""

from __future__ import annotations

import contextlib
import difflib
import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, tzinfo
from importlib import resources
from typing import Any

from learnloop.model import (
    ACTION_KINDS,
    ACTION_STATUSES,
    SEVERITIES,
    TRIGGERS,
    VISIBILITIES,
    ActionItem,
    Detection,
    Impact,
    Problem,
    Responder,
    RootCause,
)

ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
MAX_ID = 80
MAX_TITLE = 300
MAX_TEXT = 20_000  # one front-matter string; the body has its own, larger, file limit
# Bounds on figures: anything beyond is a typo or an attack, and would overflow a report.
MAX_COUNT = 10**12  # customers, users, requests affected
MAX_MONEY = 10**13  # dollars
MAX_DAYS = 10_000  # effort of one action item
_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")

_SEVERITY_RE = re.compile(r"^\s*(?:p|sev|s|severity)?[\s-]*([0-4])\s*$", re.IGNORECASE)
_SEVERITY_HINT = "write P0–P4 (SEV0–SEV4, sev1 and S1 are accepted too)"

TIMESTAMP_KEYS = ("started_at", "detected_at", "acknowledged_at", "mitigated_at", "resolved_at")
# Narrative keys: in YAML files they carry the body; in Markdown they back up missing sections.
NARRATIVE_KEYS = ("summary", "resolution", "mitigation", "timeline", "lessons", "symptoms")
# The keys an incident may have are those its JSON Schema declares: one list, which editors
# read for completion and the loader for "unknown key" warnings.
SCHEMA: dict[str, Any] = json.loads(
    resources.files("learnloop").joinpath("schema", "incident.schema.json").read_text("utf-8")
)
KNOWN_KEYS = frozenset(SCHEMA["properties"])


def normalize_severity(value: object) -> str | None:
    """'SEV2', 'sev2', 'S2', 2 and 'P2' all mean P2; None when it is none of these."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and 0 <= value <= 4:
        return f"P{value}"
    if isinstance(value, str):
        match = _SEVERITY_RE.match(value)
        if match:
            return f"P{match.group(1)}"
    return None


def as_date(value: object) -> date | None:
    """A front-matter date as people write it (a date, a timestamp, ISO text), or None."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return None


@dataclass
class Reader:
    """Reads keys off one front matter, collecting problems instead of stopping."""

    data: dict[str, Any]
    path: str
    lines: dict[str, int]
    offset: int  # file line of the YAML's first line, minus one
    problems: list[Problem] = field(default_factory=list)
    raw: dict[str, str] = field(default_factory=dict)  # non-string scalars as written
    zone: tzinfo = UTC  # the repo's time zone, for timestamps written without one

    def line(self, key: str) -> int:
        while key:
            if key in self.lines:
                return self.lines[key] + self.offset
            key = key.rpartition(".")[0]
        return self.offset + 1

    def error(self, key: str, message: str, hint: str | None = None) -> None:
        self.problems.append(Problem(self.path, self.line(key), "error", message, hint))

    def warn(self, key: str, message: str, hint: str | None = None) -> None:
        self.problems.append(Problem(self.path, self.line(key), "warning", message, hint))

    def get(self, key: str) -> Any:
        value: Any = self.data
        for part in key.split("."):
            if isinstance(value, dict):
                value = value.get(part)
            elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
                value = value[int(part)]
            else:
                return None
        return value

    # --- typed readers: each returns None (and records why) when the value will not do ---

    def errors(self) -> int:
        return sum(p.level == "error" for p in self.problems)

    def missing(self, key: str, hint: str | None = None) -> None:
        """A required key is absent: name a key that differs only in case or spacing."""
        near = [str(k) for k in self.data if _folded(str(k)) == _folded(key) and str(k) != key]
        if near:
            hint = f"keys are lower case: write {key!r}, not {near[0]!r}"
        self.error(key, f"{key}: required key is missing", hint)

    def as_written(self, key: str, value: Any) -> Any:
        """A scalar YAML read as a number, a boolean or a date, as its author wrote it."""
        if isinstance(value, str) or value is None:
            return value
        return self.raw.get(key, value)

    def text(self, key: str, *, required: bool = False, limit: int = MAX_TEXT) -> str | None:
        value = self.as_written(key, self.get(key))
        if value is None or value == "":
            if required:
                self.missing(key)
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float | date):
            self.error(key, f"{key}: expected text, got {_kind(value)}")
            return None
        text = str(value).strip()
        if len(text) > limit:
            self.error(key, f"{key}: {len(text)} characters is too long (limit {limit})")
            return None
        return text

    def texts(self, key: str) -> tuple[str, ...]:
        value = self.get(key)
        if value is None:
            return ()
        if isinstance(value, str):
            return (value.strip(),) if value.strip() else ()
        if not isinstance(value, list):
            self.error(key, f"{key}: expected a list of text, got {_kind(value)}")
            return ()
        out = []
        for index, item in enumerate(value):
            item = self.as_written(f"{key}.{index}", item)
            if isinstance(item, str | int | float) and not isinstance(item, bool):
                if str(item).strip():
                    out.append(str(item).strip())
            else:
                self.error(f"{key}.{index}", f"{key}[{index}]: expected text, got {_kind(item)}")
        return tuple(out)

    def number(self, key: str, *, limit: float, integer: bool = False) -> float | None:
        """A finite, non-negative number up to `limit`; None (and an error) otherwise."""
        value = self.get(key)
        if value is None:
            return None
        shown = self.raw.get(key) or (value.strip() if isinstance(value, str) else repr(value))
        if isinstance(value, str):
            cleaned = value.replace(",", "").replace("_", "").lstrip("$").strip()
            with contextlib.suppress(ValueError):
                value = float(cleaned) if len(cleaned) < 40 else value
        if len(shown) > 40:
            shown = shown[:37] + "..."
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.error(key, f"{key}: expected a non-negative number, got {shown}")
            return None
        if isinstance(value, float) and not math.isfinite(value):
            self.error(key, f"{key}: expected a finite number, got {shown}")
            return None
        if value < 0:
            self.error(key, f"{key}: expected a non-negative number, got {shown}")
            return None
        if value > limit:
            self.error(key, f"{key}: {shown} is beyond any plausible figure (limit {limit:,.0f})")
            return None
        if integer:
            return int(value)
        return float(value)

    def boolean(self, key: str) -> bool | None:
        value = self.get(key)
        if value is None or isinstance(value, bool):
            return value
        self.error(key, f"{key}: expected true or false, got {value!r}")
        return None

    def timestamp(self, key: str, *, date_ok: bool = False) -> tuple[datetime | None, bool]:
        """A zone-aware datetime; (value, True) when only a date was given."""
        value = self.get(key)
        if value is None:
            return None, False
        if isinstance(value, str):
            try:
                # A quoted date ('2025-06-01', as YAML writers quote them) is a date, not midnight.
                if _DATE_ONLY.match(value.strip()):
                    value = date.fromisoformat(value.strip())
                else:
                    value = datetime.fromisoformat(value.strip())
            except ValueError:
                try:
                    value = date.fromisoformat(value.strip())
                except ValueError:
                    self.error(
                        key,
                        f"{key}: cannot read {value!r} as a timestamp",
                        "use ISO 8601 with a zone, e.g. 2025-03-14T09:12:00Z",
                    )
                    return None, False
        if isinstance(value, datetime):
            if value.tzinfo is None:
                self.warn(
                    key,
                    f"{key}: no time zone given; read in the repository's time zone "
                    f"({_zone_name(self.zone)})",
                    "end it with Z or +HH:MM, or set `timezone:` in learnloop.yml",
                )
                value = value.replace(tzinfo=self.zone)
            return value, False
        if isinstance(value, date):
            if date_ok:
                return datetime.combine(value, time(0, 0), self.zone), True
            self.error(
                key,
                f"{key}: a date alone is not enough here; give the time and zone",
                f"e.g. {value.isoformat()}T09:12:00Z",
            )
            return None, False
        self.error(key, f"{key}: expected a timestamp, got {_kind(value)}")
        return None, False

    def day(self, key: str) -> date | None:
        value = self.get(key)
        if value is None:
            return None
        if (day := as_date(value)) is not None:
            return day
        self.error(key, f"{key}: expected a date (YYYY-MM-DD), got {value!r}")
        return None

    def choice(self, key: str, allowed: tuple[str, ...], *, strict: bool) -> str | None:
        value = self.text(key)
        if value is None:
            return None
        normal = value.lower().replace("_", "-").replace(" ", "-")
        if normal in allowed:
            return normal
        message = f"{key}: expected one of {', '.join(allowed)}, got {value!r}"
        if strict:
            self.error(key, message)
            return None
        self.warn(key, message + "; kept as written")
        return value

    def mapping(self, key: str, scalar_as: str | None = None) -> bool:
        """Whether the key holds a mapping (or nothing); a bare string is read as `scalar_as`."""
        value = self.get(key)
        if value is None or isinstance(value, dict):
            return True
        if scalar_as and isinstance(value, str):
            self.data[key] = {scalar_as: value}
            return True
        self.error(key, f"{key}: expected a mapping of keys, got {_kind(value)}")
        return False


def _folded(key: str) -> str:
    return re.sub(r"[\s_-]+", "_", key.strip().casefold())


def _zone_name(zone: tzinfo) -> str:
    return str(getattr(zone, "key", None) or zone.tzname(None) or zone)


def _kind(value: object) -> str:
    names = {dict: "a mapping", list: "a list", str: "text", bool: "true/false", int: "a number"}
    return names.get(type(value), type(value).__name__)


def read_required(r: Reader) -> dict[str, Any] | None:
    """The required keys, normalized; None when any is missing or wrong.

    Only errors keep an incident out: a warning (a time zone assumed, a list split) never does.
    """
    before = r.errors()
    ident = r.text("id", required=True, limit=MAX_ID)
    if ident is not None and not ID_RE.match(ident):
        r.error(
            "id",
            f"id: {ident!r} is not a safe file and URL name",
            "use letters, digits, '.', '_' and '-', starting with a letter or digit",
        )
    title = r.text("title", required=True, limit=MAX_TITLE)
    started, date_only = r.timestamp("started_at", date_ok=True)
    if r.get("started_at") is None:
        r.missing("started_at")
    severity = None
    raw = r.get("severity")
    if raw is None:
        r.missing("severity", _SEVERITY_HINT)
    else:
        severity = normalize_severity(raw)
        if severity is None:
            r.error(
                "severity",
                f"severity: expected one of {'–'.join((SEVERITIES[0], SEVERITIES[-1]))} "
                f"(or SEV0–SEV4), got {raw!r}",
                _SEVERITY_HINT,
            )
    services = read_services(r)
    if r.errors() > before or started is None:
        return None
    return {
        "id": ident,
        "title": title,
        "started_at": started,
        "started_date_only": date_only,
        "severity": severity,
        "services": services,
    }


def read_services(r: Reader) -> tuple[str, ...]:
    """Service names, lower case (one service however it is capitalised), each once.

    `services: checkout-api, orders-db` is YAML for one string; it is read as the two names
    it was meant to be, with a warning.
    """
    value = r.get("services")
    if value is None or value == [] or value == "":
        r.missing("services", "e.g. [checkout-api]")
        return ()
    if isinstance(value, str):
        value = [value]
        if "," in value[0]:
            value = [part for part in value[0].split(",") if part.strip()]
            r.warn(
                "services",
                f"services: one text with commas read as {len(value)} services",
                "write a list: [" + ", ".join(part.strip() for part in value) + "]",
            )
    if not isinstance(value, list) or not value:
        r.error("services", "services: expected a list of service names")
        return ()
    names = []
    for index, item in enumerate(value):
        item = r.as_written(f"services.{index}", item)
        if (
            isinstance(item, bool)
            or not isinstance(item, str | int | float)
            or not str(item).strip()
        ):
            r.error(f"services.{index}", f"services[{index}]: expected a service name")
            continue
        names.append(str(item).strip().lower())
    return tuple(dict.fromkeys(names))


def read_optional(r: Reader, started: datetime) -> dict[str, Any]:
    """Every optional key that reads cleanly; the rest are reported and left out."""
    out: dict[str, Any] = {}
    for key in TIMESTAMP_KEYS[1:]:
        value, _ = r.timestamp(key)
        if value is not None and value < started:
            r.error(key, f"{key}: {value.isoformat()} is before started_at {started.isoformat()}")
            value = None
        out[key] = value
    if out["mitigated_at"] and out["resolved_at"] and out["resolved_at"] < out["mitigated_at"]:
        r.warn("resolved_at", "resolved_at is before mitigated_at")
    out["status"] = r.text("status")
    if r.mapping("impact"):
        out["impact"] = Impact(
            customers_affected=_int(
                r.number("impact.customers_affected", limit=MAX_COUNT, integer=True)
            ),
            revenue_usd=r.number("impact.revenue_usd", limit=MAX_MONEY),
            sla_breached=r.boolean("impact.sla_breached"),
            summary=r.text("impact.summary"),
        )
    out["trigger"] = r.choice("trigger", TRIGGERS, strict=False)
    if r.mapping("root_cause", scalar_as="summary"):
        out["root_cause"] = RootCause(r.text("root_cause.category"), r.text("root_cause.summary"))
    out["contributing_factors"] = r.texts("contributing_factors")
    out["whys"] = r.texts("whys")
    if r.mapping("detection", scalar_as="method"):
        out["detection"] = Detection(r.text("detection.method"), r.text("detection.source"))
    out["responders"] = _list_of(r, "responders", _responder)
    out["runbook_used"] = _runbook(r)
    out["runbook_helpful"] = r.boolean("runbook_helpful")
    out["action_items"] = _list_of(r, "action_items", _action_item)
    out["tags"] = r.texts("tags")
    out["related"] = r.texts("related")
    out["visibility"] = read_visibility(r)
    out["pattern"] = _name(r, "pattern")
    out["not_pattern"] = _names(r, "not_pattern")
    # Which catalogue ids exist is the reader's to say (read/failure_modes); here, the names.
    out["failure_mode_given"] = tuple(n.lower() for n in _names(r, "failure_mode"))
    out["alerts"] = tuple(dict.fromkeys(_list_of(r, "alerts", _alert)))
    if r.mapping("imported_from"):
        for key in ("format", "source", "digest", "written"):
            r.text(f"imported_from.{key}")
    extra = []
    for key in sorted(k for k in r.data if k not in KNOWN_KEYS):
        close = difflib.get_close_matches(str(key), sorted(KNOWN_KEYS), n=1)
        r.warn(
            str(key),
            f"unknown key {key!r} kept as written",
            f"did you mean {close[0]!r}?" if close else None,
        )
        extra.append((str(key), r.data[key]))
    out["extra"] = tuple(extra)
    return out


def read_visibility(r: Reader) -> str:
    """'internal' only when said exactly so; anything else that looks like it, 'restricted'.

    A public build leaves restricted incidents out, so a near miss must fail closed: a key
    that differs only in case or spelling (`Visibility`, `visiblity`) counts as the key, and
    any value but `internal` restricts.
    """
    value = r.choice("visibility", VISIBILITIES, strict=True)
    if r.get("visibility") is not None and value is None:
        return "restricted"  # an error is reported; were it loaded anyway, it stays private
    if value == "internal" and r.get("visibility") != "internal":
        r.warn(
            "visibility",
            f"visibility: {r.get('visibility')!r} is not written exactly `internal`: treated "
            "as restricted",
            "write `visibility: internal` in lower case",
        )
        value = "restricted"
    near = sorted(
        str(k)
        for k in r.data
        if str(k) != "visibility"
        and (
            _folded(str(k)) == "visibility"
            or difflib.get_close_matches(_folded(str(k)), ["visibility"], n=1, cutoff=0.8)
        )
    )
    for key in near:
        said = r.get(key)
        r.warn(
            key,
            f"{key!r} is read as `visibility`: {said!r} treated as restricted"
            if said != "internal"
            else f"{key!r} is read as `visibility`",
            "write `visibility: internal` or `visibility: restricted`, in lower case",
        )
        if said != "internal":
            value = "restricted"
    return value or "internal"


def _name(r: Reader, key: str) -> str | None:
    """A pattern or runbook name: it becomes a file name, so it follows the id rule."""
    name = r.text(key, limit=MAX_ID)
    if name is not None and not ID_RE.match(name):
        r.error(
            key,
            f"{key}: {name!r} is not a safe file and URL name",
            "use letters, digits, '.', '_' and '-', starting with a letter or digit",
        )
        return None
    return name


# What people write for "no runbook was used": no value, never the name of a runbook.
NO_RUNBOOK = frozenset({"none", "n/a", "na", "no", "-", "—", "nil", "null", "not used", "unused"})


def _runbook(r: Reader) -> str | None:
    value = r.get("runbook_used")
    if value is False or (isinstance(value, str) and value.strip().lower() in NO_RUNBOOK):
        return None
    return _name(r, "runbook_used")


def _names(r: Reader, key: str) -> tuple[str, ...]:
    value = r.get(key)
    if not isinstance(value, list):
        return tuple(n for n in [_name(r, key)] if n)
    found = (_name(r, f"{key}.{index}") for index in range(len(value)))
    return tuple(dict.fromkeys(n for n in found if n))


def _int(value: float | None) -> int | None:
    return None if value is None else int(value)


def _list_of(r: Reader, key: str, read: Callable[[Reader, str, Any], Any]) -> tuple[Any, ...]:
    value = r.get(key)
    if value is None:
        return ()
    if not isinstance(value, list):
        r.error(key, f"{key}: expected a list, got {_kind(value)}")
        return ()
    items = (read(r, f"{key}.{index}", item) for index, item in enumerate(value))
    return tuple(item for item in items if item is not None)


def _responder(r: Reader, key: str, value: Any) -> Responder | None:
    if isinstance(value, str) and value.strip():
        return Responder(value.strip())
    if isinstance(value, dict) and r.text(f"{key}.name"):
        return Responder(str(r.text(f"{key}.name")), r.text(f"{key}.role"))
    r.error(key, f"{key}: expected a name or {{name, role}}")
    return None


def _alert(r: Reader, key: str, value: Any) -> str | None:
    """An alert's name: `- HighErrorRate` or `- {name: HighErrorRate, starts_at: …}`."""
    if isinstance(value, str) and value.strip():
        return value.strip()
    if isinstance(value, dict) and r.text(f"{key}.name"):
        for when in ("starts_at", "ends_at"):
            if value.get(when) is not None:
                r.timestamp(f"{key}.{when}")
        return str(r.text(f"{key}.name"))
    r.error(key, f"{key}: expected an alert name or {{name, starts_at}}")
    return None


def _action_item(r: Reader, key: str, value: Any) -> ActionItem | None:
    if isinstance(value, str) and value.strip():
        return ActionItem(id=f"AI-{int(key.rsplit('.', 1)[1]) + 1}", title=value.strip())
    if not isinstance(value, dict):
        r.error(key, f"{key}: expected an action item mapping with at least a title")
        return None
    title = r.text(f"{key}.title", required=True)
    if title is None:
        return None
    known = {"id", "title", "kind", "owner", "status", "due", "done_at", "effort"}
    status = r.choice(f"{key}.status", ACTION_STATUSES, strict=False) or "open"
    return ActionItem(
        id=r.text(f"{key}.id") or f"AI-{int(key.rsplit('.', 1)[1]) + 1}",
        title=title,
        kind=r.choice(f"{key}.kind", ACTION_KINDS, strict=False),
        owner=r.text(f"{key}.owner"),
        status=status,
        due=r.day(f"{key}.due"),
        done_at=r.day(f"{key}.done_at"),
        effort=r.number(f"{key}.effort", limit=MAX_DAYS),
        extra=tuple(sorted((str(k), v) for k, v in value.items() if k not in known)),
    )
