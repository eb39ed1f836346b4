"""A game day as a Chaos Toolkit experiment: steady-state-hypothesis, method, rollbacks.

Every value the incidents cannot tell (a URL, a pod, a proxy) comes from an environment
variable GAMEDAY_<NAME>: the experiment runs nowhere until a team says where, and Chaos
Toolkit's own validation says which value is missing. Commands run with `sh -c`, the one
path every runner has. An experiment a person edited is kept as it is: its learnloop extension
records a digest of what was written, and a file whose digest no longer matches is theirs.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from typing import Any

from learnloop.analyze import gamedays
from learnloop.analyze.gamedays import GameDay
from learnloop.model import Incident, Problem
from learnloop.write import document

SUFFIX = ".chaos.json"
EXTENSION = "learnloop"
ENV_PREFIX = "GAMEDAY_"


def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_") or "value"


def env(name: str) -> str:
    """The environment variable a value of an experiment is read from."""
    return ENV_PREFIX + _key(name).upper()


def url_key(service: str) -> str:
    """The configuration key of a service's health-check URL."""
    return f"{_key(service)}_url"


def wait_seconds(day: GameDay) -> int | None:
    """How long after the injection detection should have fired: the incidents' p90 time to
    detect, else the first alert's median; None when the incidents measured neither."""
    first = day.detection.alerts[0].median_minutes if day.detection.alerts else None
    minutes = day.detection.ttd_p90 if day.detection.ttd_p90 is not None else first
    return None if minutes is None else max(60, round(minutes * 60))


def serving(services: Sequence[str], *, code: bool = False) -> str:
    """'a keeps answering its health check', 'a and b keep answering their health checks'."""
    names = [f"`{s}`" if code else s for s in services] or ["the services"]
    joined = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
    if len(names) == 1 and services:
        return f"{joined} keeps answering its health check"
    return f"{joined} keep answering their health checks"


def _shell(name: str, command: str, kind: str = "action") -> dict[str, Any]:
    return {
        "type": kind,
        "name": name,
        "provider": {"type": "process", "path": "sh", "arguments": ["-c", command]},
    }


def experiment(day: GameDay, members: Sequence[Incident], page: str) -> dict[str, Any]:
    """The game day as a Chaos Toolkit experiment (the format `chaos validate` checks)."""
    recipe = day.recipe
    safe = recipe is not None and recipe.safe
    configuration: dict[str, Any] = {}
    for name, _ in day.needs():
        configuration[name] = {"type": "env", "key": env(name)}
    probes = []
    for service in day.services:
        key = url_key(service)
        configuration[key] = {"type": "env", "key": env(key)}
        probes.append(
            {
                "type": "probe",
                "name": f"{service} answers its health check",
                "tolerance": 200,
                "provider": {"type": "http", "url": f"${{{key}}}", "timeout": 10},
            }
        )
    method: list[dict[str, Any]] = []
    rollbacks: list[dict[str, Any]] = []
    what = day.mode_title or day.mode or "the failure"
    if safe and recipe is not None and recipe.command:
        action = _shell(f"inject: {what.lower()} in {day.target}", recipe.command)
        if recipe.rollback is None:
            action["background"] = True  # it ends by itself; detection is watched meanwhile
        method.append(action)
        if recipe.rollback:
            rollbacks.append(_shell(f"undo: {what.lower()} in {day.target}", recipe.rollback))
    wait = wait_seconds(day)
    if safe and day.detection.alerts and wait is not None:
        alert = day.detection.alerts[0].name
        configuration["alertmanager_url"] = {"type": "env", "key": env("alertmanager_url")}
        query = (
            f'curl -fsS "${{alertmanager_url}}/api/v2/alerts?active=true&filter=alertname%3D'
            f'%22{alert}%22" | grep -q \'"alertname":"{alert}"\''
        )
        probe = _shell(f"alert {alert} fired", query, kind="probe")
        probe["pauses"] = {"before": wait}
        method.append(probe)
    ids = [m.id for m in sorted(members, key=lambda m: m.id)]
    extension: dict[str, Any] = {
        "name": EXTENSION,
        "generated_by": document.GENERATED_BY,
        "pattern": day.pattern,
        "failure_mode": day.mode,
        "services": list(day.services),
        "sources": ids,
        "source_digest": document.source_digest(members),
        "page": page,
        "injection": "command"
        if safe and recipe and recipe.command
        else ("manual" if safe else "none"),
        "blast_radius": gamedays.fill(recipe.blast_radius, day.target) if safe and recipe else None,
        "abort_when": [gamedays.fill(a, day.target) for a in recipe.abort]
        if safe and recipe
        else [],
        "expected_detection": {
            "alerts": [s.name for s in day.detection.alerts],
            "ttd_median_minutes": _round(day.detection.ttd_median),
            "ttd_p90_minutes": _round(day.detection.ttd_p90),
        },
        "practise": [s.text for s in (*day.diagnosis, *day.mitigation)],
    }
    if recipe is None:
        why = "no safe injection is known for this failure mode"
    elif not recipe.safe:
        why = f"not to be caused on purpose: {recipe.unsafe}"
    elif not recipe.command:
        why = "the injection is a manual step"
    else:
        why = None
    description = (
        f"Game day for the pattern '{day.title}', drawn from {len(ids)} incidents "
        f"({', '.join(ids[:6])}{', …' if len(ids) > 6 else ''}). Steady state: "
        f"{serving(day.services)}. "
        + (f"Nothing is injected: {why}. " if why and not (safe and recipe and not recipe.command)
           else (f"{why[0].upper()}{why[1:]}. " if why else ""))
        + f"Values come from {ENV_PREFIX}* environment variables; see {page}."
    )  # fmt: skip
    data: dict[str, Any] = {
        "version": "1.0.0",
        "title": f"Game day: {day.title}",
        "description": description,
        "tags": ["learnloop", "gameday", day.pattern, *([day.mode] if day.mode else [])],
        "configuration": configuration,
        "steady-state-hypothesis": {
            "title": serving(day.services),
            "probes": probes,
        },
        "method": method,
        "rollbacks": rollbacks,
        "extensions": [extension],
    }
    extension["digest"] = _digest(data)
    return data


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _digest(data: dict[str, Any]) -> str:
    """A digest of an experiment without its own recorded digest."""
    bare = json.loads(json.dumps(data))
    for ext in bare.get("extensions") or []:
        if isinstance(ext, dict) and ext.get("name") == EXTENSION:
            ext.pop("digest", None)
    canonical = json.dumps(bare, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()


def edited(text: str | None) -> bool:
    """Whether an experiment on disk was changed by a person since it was generated."""
    if text is None:
        return False
    try:
        data = json.loads(text)
    except ValueError:
        return True
    if not isinstance(data, dict):
        return True
    own = [
        e
        for e in data.get("extensions") or []
        if isinstance(e, dict) and e.get("name") == EXTENSION
    ]
    return not own or own[0].get("digest") != _digest(data)


def to_text(data: dict[str, Any]) -> str:
    """The experiment as its file holds it."""
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def inspect(path: str, text: str) -> list[Problem]:
    """A warning for an experiment a person changed: kept, and no longer updated."""
    if not path.endswith(SUFFIX) or not edited(text):
        return []
    return [
        Problem(
            path,
            1,
            "warning",
            "game-day experiment was edited by hand; it is kept as written and no longer updated",
            "delete the file to have `learnloop generate` write it afresh",
            code="edited-experiment",
        )
    ]
