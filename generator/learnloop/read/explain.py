"""What the reader understood of one post-mortem, for its author (`check --explain`)."""

from __future__ import annotations

import json
from typing import Any

from learnloop.model import Incident, Problem
from learnloop.read.lexicon import PARTS

# The parts `check --explain --json` promises (DESIGN §4), in the order a story is told.
SHOWN = (
    "impact",
    "symptoms",
    "trigger",
    "root_cause",
    "contributing_factors",
    "detection",
    "diagnosis",
    "mitigation",
    "resolution",
    "follow_ups",
)
_EXTRA = tuple(p for p in PARTS if p not in SHOWN and p not in ("timeline",))
_TITLES = {
    "root_cause": "Root cause",
    "contributing_factors": "Contributing factors",
    "follow_ups": "Follow-ups",
}


def to_dict(incident: Incident) -> dict[str, Any]:
    """The contract's shape: id, parts (text and line), failure modes, times."""
    parts: dict[str, list[dict[str, Any]]] = {}
    for name in (*SHOWN, *_EXTRA):
        parts[name] = [_statement(s) for s in incident.part(name)]
    return {
        "id": incident.id,
        "path": incident.path,
        "parts": parts,
        "failure_modes": [
            {"id": m.id, "family": m.family, "matched": list(m.matched), "given": m.given}
            for m in incident.failure_modes
        ],
        "times": {
            m.name: {
                "value": m.at.isoformat(),
                "from": m.source,
                "line": m.line,
                **({"day_only": True} if m.day_only else {}),
            }
            for m in incident.milestones
        },
        "timeline": [
            {
                "at": e.at.isoformat() if e.at else None,
                "text": e.text,
                "line": e.line,
                "kinds": list(e.kinds),
            }
            for e in incident.timeline
        ],
    }


def _statement(statement: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"text": statement.text, "line": statement.line, "how": statement.how}
    if statement.end != statement.line:
        out["end"] = statement.end
    if statement.at is not None:
        out["at"] = statement.at.isoformat()
    if statement.effect_minutes is not None:
        out["effect_minutes"] = statement.effect_minutes
    return out


def to_json(incident: Incident, problems: list[Problem]) -> str:
    payload = to_dict(incident)
    payload["problems"] = [
        {"line": p.line, "level": p.level, "code": p.code, "message": p.message}
        for p in problems
        if p.path == incident.path
    ]
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"


def to_text(incident: Incident, problems: list[Problem]) -> str:
    """For an author: each part with the lines it was read from, and what is missing."""
    out = [f"{incident.path}: {incident.id} — {incident.title}", ""]
    if incident.failure_modes:
        out.append("Failure modes:")
        for mode in incident.failure_modes:
            why = (
                "named in front matter"
                if mode.given
                else "matched " + ", ".join(repr(m) for m in mode.matched)
            )
            out.append(f"  {mode.id} ({mode.family}): {why}")
    else:
        out.append("Failure modes: none recognised (name one with `failure_mode:`)")
    out.append("")
    out.append("Times:")
    for milestone in incident.milestones:
        when = (
            f"{milestone.at.date().isoformat()} (the day only)"
            if milestone.day_only
            else milestone.at.isoformat()
        )
        out.append(
            f"  {milestone.name:<16} {when}  (from {milestone.source}, line {milestone.line})"
        )
    missing_times = [
        name
        for name in ("detected_at", "acknowledged_at", "mitigated_at", "resolved_at")
        if name not in {m.name for m in incident.milestones}
    ]
    if missing_times:
        out.append(f"  not found: {', '.join(missing_times)}")
    out.append("")
    for name in (*SHOWN, *_EXTRA):
        statements = incident.part(name)
        title = _TITLES.get(name, name.replace("_", " ").capitalize())
        if not statements:
            out.append(f"{title}: —")
            continue
        out.append(f"{title}:")
        for s in statements:
            where = f"{s.line}" if s.end == s.line else f"{s.line}-{s.end}"
            note = f", eased impact after {s.effect_minutes:g} min" if s.effect_minutes else ""
            text = s.text if len(s.text) <= 160 else s.text[:157] + "..."
            out.append(f"  line {where} ({s.how}{note}): {' '.join(text.split())}")
    mine = [p for p in problems if p.path == incident.path]
    if mine:
        out.append("")
        out.extend(p.format() for p in mine)
    return "\n".join(out) + "\n"
