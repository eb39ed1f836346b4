"""The front matter read into an incident's fields: the required ones, services, the optional
ones, visibility, and the lists of responders, alerts and action items."""

from __future__ import annotations

import difflib
from collections.abc import Callable
from datetime import datetime
from typing import Any

from learnloop.load.fields import (
    ID_RE,
    KNOWN_KEYS,
    MAX_COUNT,
    MAX_DAYS,
    MAX_ID,
    MAX_MONEY,
    MAX_TITLE,
    NO_RUNBOOK,
    SEVERITY_HINT,
    TIMESTAMP_KEYS,
    Reader,
    folded,
    kind_of,
    normalize_severity,
)
from learnloop.model import (
    ACTION_KINDS,
    ACTION_STATUSES,
    SEVERITIES,
    TRIGGERS,
    VISIBILITIES,
    ActionItem,
    Detection,
    Impact,
    Responder,
    RootCause,
)


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
        r.missing("severity", SEVERITY_HINT)
    else:
        severity = normalize_severity(raw)
        if severity is None:
            r.error(
                "severity",
                f"severity: expected one of {'–'.join((SEVERITIES[0], SEVERITIES[-1]))} "
                f"(or SEV0–SEV4), got {raw!r}",
                SEVERITY_HINT,
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
            folded(str(k)) == "visibility"
            or difflib.get_close_matches(folded(str(k)), ["visibility"], n=1, cutoff=0.8)
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
        r.error(key, f"{key}: expected a list, got {kind_of(value)}")
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
