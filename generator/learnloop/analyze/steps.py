"""Responder steps read from timelines: detection signals, diagnosis, mitigation — merged.

Each incident's timeline is split by its milestones: bullets up to the acknowledgement tell
how it showed itself, bullets between acknowledgement and the first mitigating action are
diagnosis, and bullets that change the system are mitigation. Steps from different incidents
that run the same command (service names, namespaces and numbers aside) or say the same thing
(most of their words shared) are merged, each keeping the incidents it came from.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from learnloop.analyze.text import alerts, tokens
from learnloop.enrich import Timings, timings
from learnloop.model import Incident

_CODE = re.compile(r"`([^`\n]+)`")
_COMMAND = re.compile(
    r"^\s*(kubectl|helm|psql|redis-cli|kafka-[a-z-]+|openssl|curl|dig|nslookup|aws|gcloud|"
    r"az|systemctl|journalctl|df|du|top|free|iostat|vmstat|ss|netstat|tcpdump|docker|git|"
    r"flagctl|terraform|ansible|nodetool|mysql|mongo|rabbitmqctl|consul|vault|etcdctl|"
    r"promtool|amtool|argocd|istioctl|linkerd|jq|grep|tail|cat|ls|lsof|ps|kill|sudo|"
    r"SELECT|SHOW|EXPLAIN|ALTER|UPDATE|DELETE|INSERT|VACUUM|ANALYZE|CREATE|DROP|"
    r"sum|rate|max|min|avg|count|histogram_quantile|increase|topk)\b",
    re.IGNORECASE,
)
_ACTION = re.compile(
    r"\b(restart\w*|roll(ed|ing)? ?back|rollback|undo|revert\w*|lower\w*|rais\w*|increas\w*|"
    r"decreas\w*|scal\w*|fail(ed)? ?over|failover|disabl\w*|enabl\w*|purg\w*|drain\w*|"
    r"cordon\w*|kill\w*|terminat\w*|patch\w*|flush\w*|paus\w*|block\w*|throttl\w*|"
    r"deleted|cleared|freed|renew\w*|rotat\w*|replac\w*|redeploy\w*|shed\w*|bump\w*|"
    r"switch\w*|evict\w*|moved|added|set)\b",
    re.IGNORECASE,
)
_DIAGNOSE = re.compile(
    r"\b(check(ed|ing|s)?|show\w*|confirm\w*|found|look\w*|grouped|inspect\w*|compar\w*|trac\w*|"
    r"query|queried|ran|profil\w*|dump\w*|describ\w*|list\w*|count\w*|timed|measur\w*)\b",
    re.IGNORECASE,
)
# Bullets that report an outcome ("recovered", "resolved") are not steps to repeat.
_OUTCOME = re.compile(
    r"\b(resolved|recover\w*|back to normal|all[- ]clear|at baseline|status page|"
    r"acknowledg\w*|opens? #|declared)\b",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"\b\d+(\.\d+)?\b")


@dataclass(frozen=True)
class Step:
    """One merged step: what to do, the incidents it came from, and a figure about it."""

    text: str  # a representative wording, commands in backticks as written
    incidents: tuple[str, ...]
    commands: tuple[str, ...] = ()
    led_to_cause: int = 0  # diagnosis: incidents where it was the last check before acting
    minutes_to_effect: float | None = None  # mitigation: median minutes until impact eased


@dataclass(frozen=True)
class Signal:
    """How a pattern showed itself: an alert or a symptom, and how early."""

    name: str
    incidents: tuple[str, ...]
    median_minutes: float | None  # from the start of the incident


@dataclass(frozen=True)
class Playbook:
    alerts: tuple[Signal, ...]
    symptoms: tuple[Signal, ...]
    diagnosis: tuple[Step, ...]
    mitigation: tuple[Step, ...]


def is_command(code: str) -> bool:
    """Whether a backticked span is something to run rather than a log line or a name."""
    return bool(_COMMAND.match(code)) or ("{" in code and "}" in code and "(" in code)


def skeleton(code: str, services: Sequence[str]) -> str:
    """A command with the parts that vary between incidents blanked: services, numbers."""
    out = code
    for service in sorted(services, key=len, reverse=True):
        out = out.replace(service, "<service>")
    out = re.sub(r"(-n|--namespace)[ =]\S+", r"\1 <ns>", out)
    return _NUMBER.sub("N", out).strip().rstrip(";")


def _minutes(start: datetime, end: datetime | None) -> float | None:
    return None if end is None else round((end - start).total_seconds() / 60, 1)


@dataclass(frozen=True)
class _Raw:
    incident: str
    text: str
    at: datetime
    key: str


def _key(text: str, services: Sequence[str]) -> str:
    codes = [c for c in _CODE.findall(text) if is_command(c)]
    if codes:
        return "cmd:" + " | ".join(skeleton(c, services) for c in codes)
    return "txt:" + " ".join(sorted(set(tokens(text))))


def playbook(incidents: Sequence[Incident], all_services: Sequence[str]) -> Playbook:
    """Detection signals, diagnosis and mitigation steps across a pattern's incidents."""
    alert_seen: dict[str, list[tuple[str, float | None]]] = defaultdict(list)
    symptom_seen: dict[str, list[tuple[str, float | None]]] = defaultdict(list)
    diagnosis: list[_Raw] = []
    mitigation: list[tuple[_Raw, float | None]] = []
    last_check: dict[str, str] = {}
    for incident in sorted(incidents, key=lambda i: i.id):
        t = timings(incident)
        _signals(incident, t, alert_seen, symptom_seen)
        ack = t.acknowledged_at or t.detected_at or t.started_at
        eased = t.mitigated_at or t.resolved_at
        acting = False
        for event in incident.timeline:
            if event.at is None or event.at < t.started_at:
                continue
            codes = _CODE.findall(event.text)
            is_action = bool(_ACTION.search(event.text)) and event.at >= ack
            if is_action and (codes or not _DIAGNOSE.search(event.text)):
                acting = True
                raw = _Raw(incident.id, event.text, event.at, _key(event.text, all_services))
                mitigation.append((raw, _minutes(event.at, eased) if eased else None))
            elif (
                not acting
                and event.at >= ack
                and not _OUTCOME.search(event.text)
                and (any(is_command(c) for c in codes) or _DIAGNOSE.search(event.text))
            ):
                raw = _Raw(incident.id, event.text, event.at, _key(event.text, all_services))
                diagnosis.append(raw)
                last_check[incident.id] = raw.key
        for bullet in _bullets(incident.section("diagnosis")):
            if any(is_command(c) for c in _CODE.findall(bullet)):
                key = _key(bullet, all_services)
                if all(r.key != key or r.incident != incident.id for r in diagnosis):
                    diagnosis.append(_Raw(incident.id, bullet, t.started_at, key))
    return Playbook(
        alerts=_signals_ranked(alert_seen),
        symptoms=_signals_ranked(symptom_seen),
        diagnosis=tuple(_merge_diagnosis(diagnosis, last_check)),
        mitigation=tuple(_merge_mitigation(mitigation)),
    )


def _bullets(text: str) -> list[str]:
    return [
        re.sub(r"^\s*(?:[-*+]|\d+[.)])\s+", "", line).strip()
        for line in text.splitlines()
        if re.match(r"^\s*(?:[-*+]|\d+[.)])\s+", line)
    ]


def _signals(
    incident: Incident,
    t: Timings,
    alert_seen: dict[str, list[tuple[str, float | None]]],
    symptom_seen: dict[str, list[tuple[str, float | None]]],
) -> None:
    found_alerts: dict[str, float | None] = {}
    if incident.detection.source:
        for name in alerts([incident.detection.source]):
            found_alerts[name] = t.ttd
    horizon = t.acknowledged_at or t.mitigated_at or t.resolved_at
    for event in incident.timeline:
        if event.at is None or (horizon and event.at > horizon):
            continue
        minutes = _minutes(t.started_at, event.at)
        for name in alerts([event.text]):
            found_alerts.setdefault(name, minutes)
        for code in _CODE.findall(event.text):
            # Log lines and error messages are phrases; bare names are not symptoms.
            if not is_command(code) and code not in found_alerts and " " in code.strip():
                symptom_seen[code].append((incident.id, minutes))
    for name, minutes in found_alerts.items():
        alert_seen[name].append((incident.id, minutes))


def _signals_ranked(seen: dict[str, list[tuple[str, float | None]]]) -> tuple[Signal, ...]:
    out = []
    for name, hits in seen.items():
        ids = tuple(sorted({i for i, _ in hits}))
        times = [m for _, m in hits if m is not None]
        out.append(Signal(name, ids, statistics.median(times) if times else None))
    return tuple(sorted(out, key=lambda s: (-len(s.incidents), s.name)))


def _group(raws: Sequence[_Raw]) -> list[list[_Raw]]:
    """Merge raw steps: equal keys, or text keys sharing most of their words (greedy)."""
    groups: list[list[_Raw]] = []
    for raw in sorted(raws, key=lambda r: (r.key, r.incident, r.text)):
        for group in groups:
            if _same(group[0].key, raw.key):
                group.append(raw)
                break
        else:
            groups.append([raw])
    return groups


def _same(a: str, b: str) -> bool:
    if a == b:
        return True
    if a.startswith("txt:") and b.startswith("txt:"):
        wa, wb = set(a[4:].split()), set(b[4:].split())
        return bool(wa and wb) and len(wa & wb) / len(wa | wb) >= 0.5
    return False


def _representative(group: Sequence[_Raw]) -> _Raw:
    # The wording used most; among equals the most recent, which is likeliest still true.
    counts = Counter(r.text for r in group)
    return max(group, key=lambda r: (counts[r.text], r.at, r.incident))


def _merge_diagnosis(raws: Sequence[_Raw], last_check: dict[str, str]) -> list[Step]:
    steps = []
    for group in _group(raws):
        ids = tuple(sorted({r.incident for r in group}))
        rep = _representative(group)
        led = sum(1 for i in ids if _same(last_check.get(i, ""), group[0].key))
        commands = tuple(c for c in _CODE.findall(rep.text) if is_command(c))
        steps.append(Step(_clean(rep.text), ids, commands, led_to_cause=led))
    return sorted(steps, key=lambda s: (-s.led_to_cause, -len(s.incidents), s.text))


def _merge_mitigation(raws: Sequence[tuple[_Raw, float | None]]) -> list[Step]:
    effect = {id(r): m for r, m in raws}
    steps = []
    for group in _group([r for r, _ in raws]):
        ids = tuple(sorted({r.incident for r in group}))
        rep = _representative(group)
        times = [m for r in group if (m := effect.get(id(r))) is not None]
        commands = tuple(c for c in _CODE.findall(rep.text) if is_command(c))
        steps.append(
            Step(
                _clean(rep.text),
                ids,
                commands,
                minutes_to_effect=statistics.median(times) if times else None,
            )
        )
    return sorted(steps, key=lambda s: (-len(s.incidents), s.text))


def _clean(text: str) -> str:
    return text.strip().rstrip(".") + "."
