"""Front-matter keys: validated, normalized, and turned into an Incident."""

from __future__ import annotations

import contextlib
import json
import math
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, tzinfo
from importlib import resources
from typing import Any

from learnloop.model import (
    Problem,
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
# A timestamp with its zone said as a word after it: "2024-11-19 09:05 UTC", "… GMT+2".
_SAID_UTC = re.compile(
    r"^(?P<day>\d{4}-\d{2}-\d{2})[T ](?P<hour>\d{1,2})(?P<rest>:\d{2}(?::\d{2}(?:\.\d+)?)?)\s*"
    r"(?:UTC|GMT|Z)(?:(?P<sign>[+-])(?P<hours>\d{1,2})(?::?(?P<minutes>[0-5]\d))?)?$",
    re.IGNORECASE,
)


def _iso(value: str) -> str:
    """The ISO 8601 form of a timestamp whose zone is said as UTC or GMT with an offset."""
    said = _SAID_UTC.match(value)
    if said is None:
        return value
    stamp = f"{said['day']}T{int(said['hour']):02d}{said['rest']}"
    if not said["sign"]:
        return stamp + "+00:00"
    return f"{stamp}{said['sign']}{int(said['hours']):02d}:{said['minutes'] or '00'}"


_SEVERITY_RE = re.compile(r"^\s*(?:p|sev|s|severity)?[\s-]*([0-4])\s*$", re.IGNORECASE)


SEVERITY_HINT = "write P0–P4 (SEV0–SEV4, sev1 and S1 are accepted too)"


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
        near = [str(k) for k in self.data if folded(str(k)) == folded(key) and str(k) != key]
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
            self.error(key, f"{key}: expected text, got {kind_of(value)}")
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
            self.error(key, f"{key}: expected a list of text, got {kind_of(value)}")
            return ()
        out = []
        for index, item in enumerate(value):
            item = self.as_written(f"{key}.{index}", item)
            if isinstance(item, str | int | float) and not isinstance(item, bool):
                if str(item).strip():
                    out.append(str(item).strip())
            else:
                self.error(f"{key}.{index}", f"{key}[{index}]: expected text, got {kind_of(item)}")
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
                    value = datetime.fromisoformat(_iso(value.strip()))
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
        self.error(key, f"{key}: expected a timestamp, got {kind_of(value)}")
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
        self.error(key, f"{key}: expected a mapping of keys, got {kind_of(value)}")
        return False


def folded(key: str) -> str:
    return re.sub(r"[\s_-]+", "_", key.strip().casefold())


def _zone_name(zone: tzinfo) -> str:
    return str(getattr(zone, "key", None) or zone.tzname(None) or zone)


def kind_of(value: object) -> str:
    names = {dict: "a mapping", list: "a list", str: "text", bool: "true/false", int: "a number"}
    return names.get(type(value), type(value).__name__)


# What people write for "no runbook was used": no value, never the name of a runbook.
NO_RUNBOOK = frozenset({"none", "n/a", "na", "no", "-", "—", "nil", "null", "not used", "unused"})
