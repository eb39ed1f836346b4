"""The simulator's data: failure kinds (failures/*.yml), shared wordings, and the systems.

Loaded once per process and checked on the way in, so a typo in a wording fails loudly with
the file and entry it sits in rather than somewhere in the middle of a corpus.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from benchmarks.simulator.fill import names

HERE = Path(__file__).resolve().parent
FAILURES = HERE / "failures"
TRIGGERS = ("deploy", "config-change", "traffic-spike", "dependency", "capacity", "expiry",
            "hardware", "unknown")  # fmt: skip
SEVERITIES = ("P0", "P1", "P2", "P3", "P4")
# Parts every failure must give, with how many wordings at least.
PARTS: dict[str, int] = {
    "titles": 8,
    "symptoms": 8,
    "triggers": 4,
    "root_causes": 7,
    "contributing": 6,
    "detection": 3,
    "diagnosis": 7,
    "resolution": 5,
    "verification": 3,
    "follow_ups": 7,
    "signatures": 5,
    "noise": 3,
}
# Values every incident has (see story.context); failures add their own `vars`.
BASE_VALUES = frozenset(
    ("svc", "product", "team", "region", "az", "cluster", "node", "pod", "host", "version",
     "prev_version", "pr", "ticket", "person", "person2", "customers", "pct", "duration",
     "lang", "alert", "namespace")
)  # fmt: skip
OPTIONAL_VALUES = ("db", "db_engine", "cache", "queue", "bucket", "domain", "vendor", "vendor_host")
_NEED_OF = {"db_engine": "db", "vendor_host": "vendor"}


class CatalogError(ValueError):
    """A data file is malformed: says which file and which entry."""


@dataclass(frozen=True)
class Wording:
    """One way to say something, usable only where its condition holds."""

    text: str
    when: tuple[tuple[str, frozenset[str]], ...] = ()

    def fits(self, system: Mapping[str, Any]) -> bool:
        """Whether the system has what this wording talks about."""
        return all(str(system.get(key, "")) in allowed for key, allowed in self.when)


@dataclass(frozen=True)
class Action:
    """A mitigation: ways to say what was done, and ways to say what it did."""

    do: tuple[Wording, ...]
    effect: tuple[Wording, ...]


@dataclass(frozen=True)
class Failure:
    """A kind of failure that recurs: every part with its alternative wordings."""

    id: str
    family: str
    hits: tuple[str, ...]
    needs: tuple[str, ...]
    trigger: tuple[str, ...]
    category: str
    severity: tuple[str, ...]
    vars: tuple[tuple[str, str], ...]
    stable: tuple[tuple[str, str], ...]
    parts: Mapping[str, tuple[Wording, ...]]
    mitigations: tuple[Action, ...]
    when: Wording = Wording("")

    def fits(self, system: Mapping[str, Any]) -> bool:
        """Whether this failure can happen to the system."""
        return (
            system["kind"] in self.hits
            and all(system.get(n) for n in self.needs)
            and self.when.fits(system)
        )


@dataclass(frozen=True)
class Catalog:
    """Everything the simulator writes from."""

    failures: tuple[Failure, ...]
    services: tuple[Mapping[str, Any], ...]
    common: Mapping[str, Any]
    generic: Mapping[str, tuple[Wording, ...]]
    generic_mitigations: tuple[Action, ...]

    def failure(self, ident: str) -> Failure:
        """The failure kind with this id."""
        for failure in self.failures:
            if failure.id == ident:
                return failure
        raise KeyError(ident)

    def service(self, name: str) -> Mapping[str, Any]:
        """The system with this name."""
        for service in self.services:
            if service["name"] == name:
                return service
        raise KeyError(name)


def _wording(item: object, where: str) -> Wording:
    if isinstance(item, str):
        return Wording(item)
    if isinstance(item, dict) and isinstance(item.get("text"), str) and item["text"] is not None:
        when = []
        for clause in str(item.get("when", "")).split(";"):
            if clause.strip():
                key, _, values = clause.partition("=")
                when.append((key.strip(), frozenset(v.strip() for v in values.split(","))))
        return Wording(item["text"], tuple(when))
    raise CatalogError(f"{where}: expected text or {{text, when}}, got {item!r}")


def _wordings(items: object, where: str, least: int = 1) -> tuple[Wording, ...]:
    if not isinstance(items, list) or len(items) < least:
        raise CatalogError(f"{where}: expected a list of at least {least} wordings")
    return tuple(_wording(item, f"{where}[{n}]") for n, item in enumerate(items))


def _actions(items: object, where: str) -> tuple[Action, ...]:
    if not isinstance(items, list) or not items:
        raise CatalogError(f"{where}: expected a list of actions")
    out = []
    for n, item in enumerate(items):
        if not isinstance(item, dict):
            raise CatalogError(f"{where}[{n}]: expected {{do, effect}}")
        do = _wordings(item.get("do"), f"{where}[{n}].do")
        effect = _wordings(item.get("effect"), f"{where}[{n}].effect")
        out.append(Action(do, effect))
    return tuple(out)


def _pairs(value: object, where: str) -> tuple[tuple[str, str], ...]:
    if value is None:
        return ()
    if not isinstance(value, dict):
        raise CatalogError(f"{where}: expected a mapping of names to wordings")
    return tuple((str(k), str(v)) for k, v in value.items())


def _failure(path: Path) -> Failure:
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
    where = path.name
    if not isinstance(data, dict) or data.get("id") != path.stem:
        raise CatalogError(f"{where}: id must be the file's name ({path.stem})")
    parts = {
        part: _wordings(data.get(part), f"{where}: {part}", least) for part, least in PARTS.items()
    }
    trigger = tuple(data.get("trigger") or ("unknown",))
    severity = tuple(data.get("severity") or ("P2",))
    if not set(trigger) <= set(TRIGGERS) or not set(severity) <= set(SEVERITIES):
        raise CatalogError(f"{where}: trigger or severity outside {TRIGGERS} / {SEVERITIES}")
    return Failure(
        id=data["id"],
        family=str(data["family"]),
        hits=tuple(data["hits"]),
        needs=tuple(data.get("needs") or ()),
        trigger=trigger,
        category=str(data.get("category") or data["family"]),
        severity=severity,
        vars=_pairs(data.get("vars"), f"{where}: vars"),
        stable=_pairs(data.get("stable"), f"{where}: stable"),
        parts=parts,
        mitigations=_actions(data.get("mitigations"), f"{where}: mitigations"),
        when=_wording({"text": "", "when": data.get("when", "")}, f"{where}: when"),
    )


_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _check_names(failure: Failure) -> None:
    known = BASE_VALUES | set(OPTIONAL_VALUES)
    defined = set(known)
    for name, template in (*failure.stable, *failure.vars):
        missing = names(template) - defined
        if missing:
            raise CatalogError(f"{failure.id}.yml: vars: {name} uses undefined {sorted(missing)}")
        defined.add(name)
    texts = [template for _, template in (*failure.stable, *failure.vars)]
    texts += [w.text for ws in failure.parts.values() for w in ws]
    texts += [w.text for a in failure.mitigations for w in (*a.do, *a.effect)]
    for text in texts:
        missing = names(text) - defined
        if missing:
            raise CatalogError(f"{failure.id}.yml: {text!r} uses undefined {sorted(missing)}")
        for need in names(text) & set(OPTIONAL_VALUES):
            if _NEED_OF.get(need, need) not in failure.needs:
                raise CatalogError(f"{failure.id}.yml: {text!r} uses {{{need}}}; add it to needs")


def _check_generic(generic: Mapping[str, Sequence[Wording]]) -> None:
    for key, wordings in generic.items():
        for wording in wordings:
            missing = names(wording.text) - BASE_VALUES
            if missing:
                raise CatalogError(f"common.yml: {key}: {wording.text!r} uses {sorted(missing)}")


@functools.cache
def load() -> Catalog:
    """The catalog, read and checked once per process."""
    common = yaml.load((HERE / "common.yml").read_text(encoding="utf-8"), Loader=_LOADER)
    services = yaml.load((HERE / "services.yml").read_text(encoding="utf-8"), Loader=_LOADER)
    generic = {
        key: _wordings(common[key], f"common.yml: {key}")
        for key in ("titles", "symptoms", "impact", "impact_internal", "ack", "mitigated", "comms",
                    "resolved", "verification", "follow_ups", "noise")
    }  # fmt: skip
    for method, items in common["detection"].items():
        generic[f"detection.{method}"] = _wordings(items, f"common.yml: detection.{method}")
    failures = tuple(_failure(p) for p in sorted(FAILURES.glob("*.yml")))
    _check_generic(generic)
    for failure in failures:
        _check_names(failure)
    return Catalog(
        failures=failures,
        services=tuple(services["services"]),
        common=common,
        generic=generic,
        generic_mitigations=_actions(common["mitigations"], "common.yml: mitigations"),
    )
