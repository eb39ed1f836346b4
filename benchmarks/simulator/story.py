"""One incident's facts and chosen words, before any writer's style is applied.

Every choice comes from a random stream seeded by the corpus seed and the incident's id, so an
incident reads the same however many others are written beside it. Values that belong to the
recurring failure itself (which vendor, which certificate) come from a stream seeded by the
pattern, so they stay the same each time it comes back.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from benchmarks.simulator.catalog import Action, Catalog, Failure, Wording
from benchmarks.simulator.fill import fill
from benchmarks.simulator.plan import Planned

_METHODS = (("alert", 0.55), ("customer", 0.18), ("internal", 0.15), ("synthetic", 0.12))
_DETECT_MINUTES = {"alert": 4.0, "customer": 25.0, "internal": 14.0, "synthetic": 3.0}
_SEV_MINUTES = {"P0": 70.0, "P1": 55.0, "P2": 45.0, "P3": 35.0, "P4": 30.0}
_CUSTOMERS = {"P0": 20000, "P1": 6000, "P2": 1500, "P3": 300, "P4": 40}
_HEX = "0123456789abcdef"


@dataclass(frozen=True)
class Step:
    """A thing done during the incident, with when it was done."""

    at: datetime
    text: str  # verb phrase in the past, no subject


@dataclass(frozen=True)
class Mitigation:
    """A mitigation action: what was done, when, and what it did."""

    at: datetime
    do: str
    effect: str
    helped: bool


@dataclass
class Story:
    """The facts of one incident and the words chosen to tell them."""

    planned: Planned
    values: dict[str, str]
    title: str
    severity: str
    services: list[str]
    start: datetime
    detected: datetime
    acked: datetime
    mitigated: datetime
    resolved: datetime
    method: str
    detection: str
    ack: str
    symptoms: list[str]
    signatures: list[str]
    trigger: str | None
    trigger_kind: str
    category: str
    root_cause: str
    contributing: list[str]
    diagnosis: list[Step]
    actions: list[Mitigation]
    comms: Step | None
    mitigated_note: str
    resolution: str
    resolved_note: str
    verification: str | None
    follow_ups: list[str]
    noise: list[str]
    impact: str
    customers: int
    person: str
    people: list[str] = field(default_factory=list)

    @property
    def duration_minutes(self) -> int:
        """Minutes from start to mitigation: how long customers felt it."""
        return int((self.mitigated - self.start).total_seconds() // 60)


def _lognormal(rng: random.Random, median: float, sigma: float) -> float:
    return median * math.exp(rng.gauss(0.0, sigma))


def duration_text(minutes: int) -> str:
    """'42 minutes', '1 hour 12 minutes', '3 hours'."""
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} minutes"
    text = f"{hours} hour{'s' if hours > 1 else ''}"
    return f"{text} {rest} minutes" if rest else text


def _version(rng: random.Random) -> str:
    form = rng.randrange(3)
    if form == 0:
        return f"v{rng.randint(1, 9)}.{rng.randint(0, 40)}.{rng.randint(0, 12)}"
    if form == 1:
        return f"{rng.randint(2021, 2026)}.{rng.randint(1, 12):02d}.{rng.randint(1, 9)}"
    return "".join(rng.choice(_HEX) for _ in range(7))


def _pick(rng: random.Random, wordings: Sequence[Wording], system: Mapping[str, Any]) -> str:
    usable = [w.text for w in wordings if w.fits(system)]
    return rng.choice(usable or [wordings[0].text])


def _sample(
    rng: random.Random, wordings: Sequence[Wording], system: Mapping[str, Any], k: int
) -> list[str]:
    usable = [w.text for w in wordings if w.fits(system)]
    chosen = sorted(rng.sample(range(len(usable)), min(k, len(usable))))
    return [usable[i] for i in chosen]


def _context(
    rng: random.Random, stable: random.Random, catalog: Catalog, planned: Planned
) -> dict[str, str]:
    system = catalog.service(planned.system)
    common = catalog.common
    people = rng.sample(list(common["people"]), 2)
    region = rng.choice(list(common["regions"]))
    name = system["name"]
    svc = name if rng.random() < 0.8 else rng.choice(list(system.get("aka") or [name]))
    values = {
        "svc": svc,
        "product": system["product"],
        "team": system["team"],
        "lang": system["lang"],
        "namespace": system["team"],
        "region": region,
        "az": f"{region}{rng.choice('abc')}",
        "cluster": rng.choice(("prod-eu-1", "k8s-prod-b", "prod-main", "eks-prod-2", "gke-prod")),
        "node": rng.choice(
            (
                f"ip-10-{rng.randint(0, 99)}-{rng.randint(0, 255)}-{rng.randint(0, 255)}",
                f"node-{rng.randint(1, 64):02d}",
                f"gke-prod-pool-{rng.randint(1, 4)}-{''.join(rng.choices(_HEX, k=8))}",
                f"worker-{rng.choice('abcdef')}{rng.randint(10, 99)}",
            )
        ),
        "pod": f"{name}-{''.join(rng.choices(_HEX, k=9))}-{''.join(rng.choices(_HEX, k=5))}",
        "host": f"{name}-{rng.randint(1, 12):02d}.prod.internal",
        "version": _version(rng),
        "prev_version": _version(rng),
        "pr": f"#{rng.randint(800, 9999)}",
        "ticket": f"{rng.choice(('OPS', 'PLAT', 'SRE', 'INFRA'))}-{rng.randint(100, 9999)}",
        "person": people[0],
        "person2": people[1],
        "alert": rng.choice(
            (f"{name}-high-error-rate", "HighErrorRate", f"{name} 5xx > 5%", "SLOBurnRateFast")
        ),
    }
    for key in ("db", "db_engine", "cache", "queue", "bucket", "domain"):
        if system.get(key):
            values[key] = str(system[key])
    if system.get("vendor"):
        values["vendor"] = stable.choice(list(common["vendors"][system["vendor"]]))
        values["vendor_host"] = values["vendor"].lower().replace(" ", "")
    return values


def tell(planned: Planned, catalog: Catalog, seed: int, pattern_seed: int | None = None) -> Story:
    """Choose the facts and the words of one planned incident."""
    rng = random.Random(f"story:{seed}:{planned.id}")
    same = seed if pattern_seed is None else pattern_seed
    stable = random.Random(f"pattern:{same}:{planned.failure}:{planned.system}")
    failure = catalog.failure(planned.failure)
    system = catalog.service(planned.system)
    values = _context(rng, stable, catalog, planned)
    for key, template in failure.stable:
        values[key] = fill(template, values, stable)
    for key, template in failure.vars:
        values[key] = fill(template, values, rng)

    severity = rng.choice(failure.severity)
    start = planned.started
    method = rng.choices([m for m, _ in _METHODS], [w for _, w in _METHODS])[0]
    detected = start + timedelta(
        minutes=max(1, round(_lognormal(rng, _DETECT_MINUTES[method], 0.6)))
    )
    acked = detected + timedelta(minutes=rng.randint(1, 14))
    mitigated = acked + timedelta(
        minutes=max(6, round(_lognormal(rng, _SEV_MINUTES[severity] * 0.7, 0.55)))
    )
    resolved = mitigated + timedelta(minutes=max(5, round(_lognormal(rng, 35.0, 0.9))))
    minutes = int((mitigated - start).total_seconds() // 60)
    customers = max(3, int(round(_lognormal(rng, _CUSTOMERS[severity], 0.8), -1)))
    values["duration"] = duration_text(minutes)
    values["customers"] = f"{customers:,}"
    values["pct"] = str(rng.randint(3, 70))

    def one(part: str) -> str:
        return fill(_pick(rng, failure.parts[part], system), values, rng)

    def some(part: str, low: int, high: int) -> list[str]:
        picked = _sample(rng, failure.parts[part], system, rng.randint(low, high))
        return [fill(text, values, rng) for text in picked]

    def generic(key: str) -> str:
        return fill(_pick(rng, catalog.generic[key], system), values, rng)

    title = one("titles") if rng.random() < 0.6 else generic("titles")
    symptoms = some("symptoms", 1, 3)
    if rng.random() < 0.5:
        symptoms.insert(rng.randrange(len(symptoms) + 1), generic("symptoms"))
    signatures = some("signatures", *rng.choice(((0, 0), (1, 1), (1, 1), (1, 2), (2, 2))))
    detection = (
        one("detection")
        if method == "alert" and rng.random() < 0.6
        else generic(f"detection.{method}")
    )
    # Diagnosis steps between the page and the first action; the fix lands at mitigation.
    steps = some("diagnosis", 1, 4)
    actions = _actions(rng, catalog, failure, system, values, acked, mitigated)
    window = (actions[0].at - acked).total_seconds() / 60 if actions else 10.0
    diagnosis = [
        Step(acked + timedelta(minutes=max(1, round(window * (n + 1) / (len(steps) + 1)))), s)
        for n, s in enumerate(steps)
    ]
    comms = None
    if rng.random() < 0.4:
        comms = Step(acked + timedelta(minutes=rng.randint(2, 12)), generic("comms"))
    follow_ups = some("follow_ups", 1, 4)
    if rng.random() < 0.4:
        follow_ups.append(generic("follow_ups"))
    noise = some("noise", 0, 1)
    noise += [generic("noise") for _ in range(rng.choice((0, 1, 1, 2, 3)))]
    internal = system["kind"] == "platform"
    services = [system["name"] if rng.random() < 0.85 else values["svc"]]
    for key in ("db", "cache", "queue"):
        if key in values and rng.random() < 0.25 and values[key] not in services:
            services.append(values[key])
    return Story(
        planned=planned,
        values=values,
        title=title,
        severity=severity,
        services=services,
        start=start,
        detected=detected,
        acked=acked,
        mitigated=mitigated,
        resolved=resolved,
        method=method,
        detection=detection,
        ack=generic("ack"),
        symptoms=symptoms,
        signatures=signatures,
        trigger=one("triggers") if rng.random() < 0.6 else None,
        trigger_kind=rng.choice(failure.trigger),
        category=failure.category,
        root_cause=one("root_causes"),
        contributing=some("contributing", 0, 3),
        diagnosis=diagnosis,
        actions=actions,
        comms=comms,
        mitigated_note=generic("mitigated"),
        resolution=one("resolution"),
        resolved_note=generic("resolved"),
        verification=one("verification") if rng.random() < 0.5 else generic("verification"),
        follow_ups=follow_ups,
        noise=noise,
        impact=generic("impact_internal" if internal else "impact"),
        customers=customers,
        person=values["person"],
        people=[values["person"], values["person2"]],
    )


def _actions(
    rng: random.Random,
    catalog: Catalog,
    failure: Failure,
    system: Mapping[str, Any],
    values: Mapping[str, str],
    acked: datetime,
    mitigated: datetime,
) -> list[Mitigation]:
    chosen: list[tuple[Action, bool]] = []
    # A restart or a scale-out first, when it might help; nobody scales out of a breach.
    if failure.family not in ("security", "data") and rng.random() < 0.35:
        chosen.append((rng.choice(catalog.generic_mitigations), False))
    own = rng.sample(
        failure.mitigations, min(len(failure.mitigations), rng.choice((1, 1, 2, 2, 3)))
    )
    chosen += [(action, True) for action in own]
    span = max(2.0, (mitigated - acked).total_seconds() / 60 - 1)
    out = []
    for n, (action, helped) in enumerate(chosen):
        # The last action is the one that ended the impact; earlier ones spread before it.
        offset = span * (0.45 + 0.55 * (n + 1) / len(chosen))
        at = acked + timedelta(minutes=round(offset))
        do = fill(_pick(rng, action.do, system), values, rng)
        effect = fill(_pick(rng, action.effect, system), values, rng)
        out.append(Mitigation(at, do, effect, helped))
    return out
