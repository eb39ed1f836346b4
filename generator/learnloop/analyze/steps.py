"""Responder steps across a pattern's incidents: detection signals, diagnosis, mitigation.

The steps are what the reader found each incident's responders did (read/): what they looked
at (the checks, commands and queries of its diagnosis), and the actions that eased the impact
(its mitigation, with how soon impact eased after each). A check is never an action: the
reader keeps them apart. Steps from different incidents that run the same command (service
names, namespaces and numbers aside) or say the same thing (most of their words shared) are
merged, each keeping the incidents it came from.

Beside the steps, the causes found before: the failure modes the incidents showed, most
incidents first, with the error strings that betrayed each. They are what a responder rules in
or out first, and often all a provider's review tells of its diagnosis ("engineers determined
that …" states a conclusion, not what was looked at).
"""

from __future__ import annotations

import re
import statistics
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache, lru_cache

from learnloop.analyze.text import alerts, tokens
from learnloop.enrich import Timings, timings
from learnloop.model import Incident
from learnloop.read.commands import commands_in, is_command
from learnloop.read.failure_modes import load_catalogue
from learnloop.read.markdown import INLINE_CODE

_NUMBER = re.compile(r"\b\d+(\.\d+)?\b")
# A message says something in words, next to others ("Service unavailable", "x509: certificate
# has expired"); a name alone ("CLVM_COST_EXCEEDED") or an expression in code
# ("constants.MAX_COST * 0.5", "max_connections = 100") is no log line.
_PROSE_WORD = re.compile(r"\S\s+\(?[A-Za-z]{2,}\b(?![._(])|(?<![._\w])[A-Za-z]{2,}[,:;)]*\s+\S")


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
class Cause:
    """A failure mode found in some of a pattern's incidents."""

    mode: str  # the catalogue id
    incidents: tuple[str, ...]
    signatures: tuple[str, ...]  # the catalogue's error strings found in their text


@dataclass(frozen=True)
class Playbook:
    alerts: tuple[Signal, ...]
    symptoms: tuple[Signal, ...]
    diagnosis: tuple[Step, ...]
    mitigation: tuple[Step, ...]
    causes: tuple[Cause, ...] = ()


def skeleton(code: str, services: Sequence[str]) -> str:
    """A command with the parts that vary between incidents blanked: services, numbers."""
    out = code
    for service in sorted(services, key=len, reverse=True):
        out = out.replace(service, "<service>")
    out = re.sub(r"(-n|--namespace)[ =]\S+", r"\1 <ns>", out)
    return _NUMBER.sub("N", out).strip().rstrip(";")


@dataclass(frozen=True)
class _Raw:
    incident: str
    text: str
    at: datetime
    key: str
    rank: int = 0  # its place among its incident's steps of the same kind, first is 0


def _key(text: str, services: Sequence[str], programs: tuple[str, ...]) -> str:
    """A step's key: its commands' skeletons, if it gives any, and the words of what it did
    ("cmd:<skeletons>\ttxt:<words>", or "txt:<words>")."""
    # Who did it and how are no part of what was done: "Target group manually reattached to
    # the ALB" and "Target group reattached to the ALB by the daily pipeline" are one step.
    said = core(_STAGE_AFTER.sub("", INLINE_CODE.sub(" ", text).strip()))
    said = _HOW.sub(" ", _BY_WHOM.sub("", said))
    # The same step on another service is the same step: "Rolled back search-api …".
    said = _services_named(tuple(services)).sub(" ", said)
    words = "txt:" + " ".join(sorted(set(tokens(said))))
    codes = commands_in(text, programs)
    if codes:
        return "cmd:" + " | ".join(skeleton(c, services) for c in codes) + "\t" + words
    return words


@lru_cache(maxsize=64)
def _services_named(services: tuple[str, ...]) -> re.Pattern[str]:
    """Any of the services named as a word of its own: one pattern for every step of a run,
    not one per service per step. The longest is tried first, as where names hold spaces
    ("checkout api" before "checkout")."""
    if not services:
        return re.compile("(?!)")
    names = "|".join(re.escape(s) for s in sorted(services, key=len, reverse=True))
    return re.compile(rf"(?<![\w-])(?:{names})(?![\w-])", re.IGNORECASE)


def core(text: str) -> str:
    """What a step did, without what came of it or when: "We reverted the route table change,
    after this traffic flowed again" and "Reverted the route table change — Traffic flowed
    again" are one step told twice."""
    text = _WHEN.sub("", text)
    return _AFTER_THE_STEP.split(text, maxsplit=1)[0]


# A passive step's agent, closing it ("… reattached by the daily pipeline").
_BY_WHOM = re.compile(
    r"\s+by\s+(?:the|a|an|our|their)(?:\s+(?!(?:to|from|on|in|at|for|with|of|and)\b)[\w-]+){1,3}"
    r"[.)]?\s*$",
    re.IGNORECASE,
)
# How it was done, not what: "manually", "automatically", "successfully".
_HOW = re.compile(
    r"\b(?:manually|automatically|successfully|immediately|quickly|finally|again)\b",
    re.IGNORECASE,
)
# Where a step's own words end: a table's next cell (its effect, who did it), or a clause of
# what followed ("…, after this traffic flowed again", "…, and that cleared the leak").
_AFTER_THE_STEP = re.compile(
    r"\s+[—–]\s+|;\s|\.\s+(?=[A-Z])|,\s+(?:after (?:this|that)|and (?:that|this|then)|"
    r"which|so (?:that|the)|then)\b",
    re.IGNORECASE,
)
# The time a prose step opens with: "At about 03:10 we rolled …".
_WHEN = re.compile(
    r"^\W*(?:at|around|by)\s+(?:about\s+|around\s+)?[\w:.]+(?:\s+[ap]\.?m\.?)?,?\s+", re.IGNORECASE
)


def playbook(
    incidents: Sequence[Incident], all_services: Sequence[str], programs: tuple[str, ...] = ()
) -> Playbook:
    """Detection signals, diagnosis and mitigation steps across a pattern's incidents;
    `programs` are the team's tools besides those read/data/commands.yml names."""
    alert_seen: dict[str, list[tuple[str, float | None]]] = defaultdict(list)
    symptom_seen: dict[str, list[tuple[str, float | None]]] = defaultdict(list)
    diagnosis: list[_Raw] = []
    mitigation: list[tuple[_Raw, float | None]] = []
    last_check: dict[str, str] = {}
    for incident in sorted(incidents, key=lambda i: i.id):
        t = timings(incident)
        _signals(incident, t, alert_seen, symptom_seen, programs)
        acted = min((s.at for s in incident.part("mitigation") if s.at is not None), default=None)
        # A check led to the cause only where a cause was found: a status page's incidents
        # that never say why led nowhere, however often a check was told.
        found = bool(incident.part("root_cause") or incident.failure_modes)
        for statement in incident.part("diagnosis"):
            at = statement.at or t.started_at
            raw = _Raw(
                incident.id, statement.text, at, _key(statement.text, all_services, programs)
            )
            diagnosis.append(raw)
            if found and (acted is None or statement.at is None or statement.at <= acted):
                last_check[incident.id] = raw.key  # the last check before the first action
        for rank, statement in enumerate(incident.part("mitigation")):
            at = statement.at or t.started_at
            key = _key(statement.text, all_services, programs)
            raw = _Raw(incident.id, statement.text, at, key, rank)
            mitigation.append((raw, _effect_before_end(statement.at, statement.effect_minutes, t)))
    return Playbook(
        alerts=_signals_ranked(alert_seen),
        symptoms=_signals_ranked(symptom_seen),
        diagnosis=tuple(_merge_diagnosis(diagnosis, last_check, programs)),
        mitigation=tuple(_merge_mitigation(mitigation, programs)),
        causes=causes(incidents),
    )


def _effect_before_end(at: datetime | None, minutes: float | None, t: Timings) -> float | None:
    """How soon an action eased the impact, where it was taken while the incident went on:
    an easing found after the incident was resolved ("Incident closed" the next morning,
    after an action taken once it was declared resolved) times the ticket, not the action,
    and one taken before the impact began (a fix that landed months before) eased none of it."""
    if minutes is None or at is None:
        return minutes
    # A minute's leeway: told times are to the minute, stamped ones to the second.
    minute = timedelta(minutes=1)
    if at < t.started_at - minute:
        return None
    ended = t.resolved_at is not None and at + timedelta(minutes=minutes) > t.resolved_at + minute
    return None if ended else minutes


def causes(incidents: Sequence[Incident]) -> tuple[Cause, ...]:
    """The failure modes of the incidents, most incidents first, then by id."""
    seen: dict[str, set[str]] = defaultdict(set)
    signs: dict[str, set[str]] = defaultdict(set)
    for incident in incidents:
        for mode in incident.failure_modes:
            seen[mode.id].add(incident.id)
            signs[mode.id].update(s for s in mode.matched if s in _signatures_of(mode.id))
    return tuple(
        Cause(mode, tuple(sorted(ids)), tuple(sorted(signs[mode])))
        for mode, ids in sorted(seen.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    )


def _signatures_of(mode: str) -> tuple[str, ...]:
    """A mode's error strings, in the catalogue's order (the commonest first)."""
    return _signatures().get(mode, ())


@cache
def _signatures() -> dict[str, tuple[str, ...]]:
    return {m.id: m.signatures for m in load_catalogue().modes}


def _signals(
    incident: Incident,
    t: Timings,
    alert_seen: dict[str, list[tuple[str, float | None]]],
    symptom_seen: dict[str, list[tuple[str, float | None]]],
    programs: tuple[str, ...],
) -> None:
    found_alerts: dict[str, float | None] = {}
    if incident.detection.source:
        for name in alerts([incident.detection.source]):
            found_alerts[name] = t.ttd
    horizon = t.acknowledged_at or t.mitigated_at or t.resolved_at
    for event in incident.timeline:
        if event.at is None or (horizon and event.at > horizon):
            continue
        # Signed, unlike the incident's timings: an alert can fire before the impact began.
        minutes: float | None = round((event.at - t.started_at).total_seconds() / 60, 1)
        for name in alerts([event.text]):
            found_alerts.setdefault(name, minutes)
        for code in INLINE_CODE.findall(event.text):
            # Log lines and error messages are phrases; bare names are not symptoms. The
            # same message quoted with its full stop and without it is one, shown as first
            # quoted.
            said = code.strip()
            if is_command(code, programs) or said in found_alerts or not _PROSE_WORD.search(said):
                continue
            other = said[:-1] if said.endswith(".") else f"{said}."
            symptom_seen[other if other in symptom_seen else said].append((incident.id, minutes))
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
    """Two steps are one when they run the same commands, or, where one of them gives none,
    when their words are mostly the same ("Reverted the route table change" and "Reverted
    the route table change: `terraform apply …`"). Commands that differ only in what they
    are run on ("Removed rotated logs: `find /var/log/app …`", "… `find /var/lib/kafka …`")
    are one step where the same programs run and the words are mostly the same."""
    if a == b:
        return True
    (ca, wa), (cb, wb) = _read_key(a), _read_key(b)
    if ca and cb:
        if ca == cb:
            return True
        if _shapes(ca) != _shapes(cb):
            return False
    return bool(wa and wb) and len(wa & wb) / len(wa | wb) >= 0.5


# Each key is weighed against every group: read once. Bounded, as `serve` lives long.
@lru_cache(maxsize=1 << 16)
def _read_key(key: str) -> tuple[str, frozenset[str]]:
    """(the commands' part, the words) of a step's key ("cmd:…\ttxt:…", or "txt:…")."""
    commands, _, words = key.rpartition("\t")
    return commands, frozenset(words[4:].split())


@lru_cache(maxsize=1 << 16)  # asked again for each group a step is weighed against
def _shapes(commands: str) -> tuple[tuple[tuple[str, ...], frozenset[str]], ...]:
    """What a key's commands run, whatever they run it on: each program with the words that
    say what it does, up to its first flag ("kubectl patch cronjob"), and its flags. Paths,
    quoted text and flags' values are what it is run on."""
    out = []
    for part in commands[4:].split(" | "):
        tokens = part.split()
        flags = frozenset(t.split("=")[0] for t in tokens[1:] if t.startswith("-"))
        head: list[str] = []
        for token in tokens[1:]:
            if token.startswith("-") or len(head) == 2:
                break
            if not any(c in token for c in "/='\"") and not token.startswith("<"):
                head.append(token)
        out.append(((tokens[0], *head) if tokens else (), flags))
    return tuple(out)


def _representative(group: Sequence[_Raw]) -> _Raw:
    # The wording that gives the command, if one does; then the wording used most; among
    # equals the most recent, which is likeliest still true.
    counts = Counter(r.text for r in group)
    return max(
        group, key=lambda r: (bool(INLINE_CODE.search(r.text)), counts[r.text], r.at, r.incident)
    )


def _merge_diagnosis(
    raws: Sequence[_Raw], last_check: dict[str, str], programs: tuple[str, ...]
) -> list[Step]:
    steps = []
    for group in _group(raws):
        ids = tuple(sorted({r.incident for r in group}))
        rep = _representative(group)
        led = sum(1 for i in ids if _same(last_check.get(i, ""), group[0].key))
        commands = commands_in(rep.text, programs)
        steps.append(Step(_clean(rep.text), ids, commands, led_to_cause=led))
    return sorted(steps, key=lambda s: (-s.led_to_cause, -len(s.incidents), s.text))


def _merge_mitigation(
    raws: Sequence[tuple[_Raw, float | None]], programs: tuple[str, ...]
) -> list[Step]:
    """The steps, those of the most incidents first; among equals, each incident's first
    step before anyone's second, so a runbook's few lines show how several incidents were
    eased rather than every step of one."""
    effect = {id(r): m for r, m in raws}
    ranked = []
    for group in _group([r for r, _ in raws]):
        ids = tuple(sorted({r.incident for r in group}))
        rep = _representative(group)
        times = [m for r in group if (m := effect.get(id(r))) is not None]
        commands = commands_in(rep.text, programs)
        step = Step(
            _clean(rep.text),
            ids,
            commands,
            minutes_to_effect=statistics.median(times) if times else None,
        )
        ranked.append(((-len(ids), min(r.rank for r in group), step.text), step))
    return [step for _, step in sorted(ranked, key=lambda pair: pair[0])]


def _clean(text: str) -> str:
    text = _STAGE.sub("", text.strip())
    return _STAGE_AFTER.sub("", text).rstrip(".") + "."


# A timeline entry's own stage label ("**Recovery:** Uncordoned the node", a status page's
# "Investigating — We are …"): the step is what follows it.
_STAGE = re.compile(
    r"^(?:recovery|mitigation|mitigated|resolution|resolved|detection|investigation|"
    r"investigating|identified|monitoring|update|updated|action)\s*(?::|\s[—–])\s+(?=\S)",
    re.IGNORECASE,
)
# The same label after the step, as a table of key moments marks one: "Target group
# reattached to the ALB (resolved).".
_STAGE_AFTER = re.compile(
    r"\s*\((?:recovery|mitigated|resolved|recovered|fixed|detected|problem started)\)\s*\.?$",
    re.IGNORECASE,
)
