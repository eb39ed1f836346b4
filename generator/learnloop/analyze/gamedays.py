"""Game days from real failures: per recurring pattern, a plan to make it happen on purpose.

Everything a plan says comes from the pattern's incidents or from the recipes
(analyze/data/gamedays.yml, public chaos-engineering practice): the failure mode is the one
its incidents show most that has a recipe, the services are those the incidents name, the
detection to expect is the alerts that fired and the time to detect measured, and the steps
to practise are the runbook's. A recipe never names a host, a pod or a URL: those are values
a team gives when it runs the game day. A mode nobody can safely cause on purpose gets no
injection, and the plan says so.
"""

from __future__ import annotations

import hashlib
import re
import statistics
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from learnloop.analyze.metrics import p90
from learnloop.analyze.steps import Signal, Step, causes, playbook
from learnloop.enrich import timings
from learnloop.errors import SettingsError
from learnloop.load.yamlsafe import shipped_data
from learnloop.model import Incident
from learnloop.read.failure_modes import load_catalogue

RECIPES_FILE = "gamedays.yml"
PRACTISED = 3  # runbook steps of each kind to practise
PROBED = 3  # services whose steady state an experiment checks
# An alert name safe to put in a URL and a shell command as it is. An exception's class name
# (NullPointerException) is a log line the incidents quote, not an alert rule to query.
ALERT_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_:.-]{1,80}(?<!Exception)(?<!Error)")
_VALUE = re.compile(r"\$\{([a-z][a-z0-9_]*)\}")
_KEYS = {"modes", "inject", "command", "rollback", "needs", "blast_radius", "abort", "sources"}
_UNSAFE_KEYS = {"modes", "unsafe", "instead", "sources"}


@dataclass(frozen=True)
class Recipe:
    """How to cause one or more failure modes on purpose, or why not to."""

    modes: tuple[str, ...]
    inject: str = ""  # {service}: the service the incidents name most
    command: str | None = None  # ${name}: a value the team gives
    rollback: str | None = None
    needs: tuple[tuple[str, str], ...] = ()  # (name, what to give)
    blast_radius: str = ""
    abort: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    unsafe: str | None = None  # why no one should cause it on purpose
    instead: str = ""  # the exercise to run instead

    @property
    def safe(self) -> bool:
        return self.unsafe is None


@dataclass(frozen=True)
class Detection:
    """What should notice the failure, and how fast, as the incidents measured it."""

    alerts: tuple[Signal, ...]  # names safe to query, most incidents first
    ttd_median: float | None
    ttd_p90: float | None
    ttd_n: int
    customers_first: tuple[str, ...]  # incidents customers noticed before monitoring did


@dataclass(frozen=True)
class GameDay:
    """A pattern's game day: what to break, what should hold, what should fire, what to do."""

    pattern: str
    title: str
    incidents: tuple[str, ...]  # the members, by id
    modes: tuple[tuple[str, int], ...]  # failure modes seen, with how many incidents show each
    mode: str | None  # the one the game day injects (or would)
    mode_title: str | None
    recipe: Recipe | None  # None: no recipe for any mode seen
    services: tuple[str, ...]  # those the incidents name most: the target first
    detection: Detection
    diagnosis: tuple[Step, ...]
    mitigation: tuple[Step, ...]
    ttm_median: float | None
    ttm_p90: float | None
    ttr_median: float | None
    customers_median: float | None

    @property
    def target(self) -> str | None:
        """The service the injection is aimed at."""
        return self.services[0] if self.services else None

    def needs(self) -> tuple[tuple[str, str], ...]:
        """The values a team gives, with what each is: the recipe's, with {service} filled."""
        if self.recipe is None or not self.recipe.safe:
            return ()
        return tuple((name, fill(text, self.target)) for name, text in self.recipe.needs)


def fill(text: str, service: str | None) -> str:
    """A recipe's text with {service} as the incidents name it."""
    return text.replace("{service}", service or "the service")


def principal_services(members: Sequence[Incident]) -> tuple[str, ...]:
    """The services a group of incidents is about: those in at least half of them, else the
    one named most; most often first, then by name."""
    counts = Counter(s for m in members for s in dict.fromkeys(m.services))
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    half = [name for name, n in ranked if 2 * n >= len(members)]
    return tuple(half) if half else tuple(name for name, _ in ranked[:1])


def plan(
    pattern: str,
    title: str,
    members: Sequence[Incident],
    all_services: Sequence[str],
    programs: tuple[str, ...] = (),
) -> GameDay:
    """The game day of a pattern from its incidents; `programs` are the team's tools."""
    members = sorted(members, key=lambda m: m.id)
    recipes = load_recipes()
    modes = tuple((c.mode, len(c.incidents)) for c in causes(members))
    # The mode most incidents show that has a recipe; a mode that none has, only when none
    # of them has one (then the plan says that no safe injection is known).
    chosen = next((m for m, _ in modes if m in recipes), modes[0][0] if modes else None)
    titles = {m.id: m.title for m in load_catalogue().modes}
    book = playbook(members, all_services, programs)
    times = [timings(m) for m in members]
    ttd = [t.ttd for t in times if t.ttd is not None]
    ttm = [t.ttm for t in times if t.ttm is not None]
    ttr = [t.ttr for t in times if t.ttr is not None]
    customers = [c for m in members if (c := m.impact.customers_affected)]
    detection = Detection(
        alerts=tuple(s for s in book.alerts if ALERT_NAME.fullmatch(s.name))[:PROBED],
        ttd_median=statistics.median(ttd) if ttd else None,
        ttd_p90=p90(ttd),
        ttd_n=len(ttd),
        customers_first=tuple(
            m.id for m in members if (m.detection.method or "").lower().startswith("customer")
        ),
    )
    return GameDay(
        pattern=pattern,
        title=title,
        incidents=tuple(m.id for m in members),
        modes=modes,
        mode=chosen,
        mode_title=titles.get(chosen or ""),
        recipe=recipes.get(chosen or ""),
        services=principal_services(members)[:PROBED],
        detection=detection,
        diagnosis=book.diagnosis[:PRACTISED],
        mitigation=book.mitigation[:PRACTISED],
        ttm_median=statistics.median(ttm) if ttm else None,
        ttm_p90=p90(ttm),
        ttr_median=statistics.median(ttr) if ttr else None,
        customers_median=statistics.median(customers) if customers else None,
    )


# --- the recipes ---------------------------------------------------------------------------


@cache
def recipes_digest() -> str:
    """A digest of the recipes file: part of every cached plan's key, as the data changes
    what a plan says without any code changing."""
    text = resources.files("learnloop.analyze").joinpath("data", RECIPES_FILE).read_bytes()
    return hashlib.sha256(text).hexdigest()[:16]


@cache
def load_recipes() -> Mapping[str, Recipe]:
    """failure mode id -> its recipe, from the shipped file; every problem reported at once."""
    data, lines = shipped_data("learnloop.analyze", RECIPES_FILE)
    problems: list[str] = []
    out: dict[str, Recipe] = {}
    known = {m.id for m in load_catalogue().modes}
    for n, spec in enumerate(data.get("recipes") or []):
        key = f"recipes.{n}"

        def error(message: str, at: str = key, key: str = key) -> None:
            line = lines.get(at, lines.get(key, 1))
            problems.append(f"{RECIPES_FILE}:{line}: error: {at}: {message}")

        recipe = _recipe(spec, error)
        if recipe is None:
            continue
        for mode in recipe.modes:
            if mode not in known:
                error(f"{mode!r} is not a failure mode of the catalogue", f"{key}.modes")
            elif mode in out:
                error(f"{mode!r} has two recipes", f"{key}.modes")
            else:
                out[mode] = recipe
    if problems:
        raise SettingsError(problems)
    return out


def _recipe(spec: Any, error: Any) -> Recipe | None:
    if not isinstance(spec, dict) or not isinstance(spec.get("modes"), list) or not spec["modes"]:
        error("expected a mapping with `modes`: a list of failure-mode ids")
        return None
    unsafe = "unsafe" in spec
    allowed = _UNSAFE_KEYS if unsafe else _KEYS
    for extra in sorted(set(map(str, spec)) - allowed):
        error(f"unknown key {extra!r}; the keys are {', '.join(sorted(allowed))}")
    sources = tuple(str(s) for s in spec.get("sources") or [])
    if not sources:
        error("say where the technique comes from (sources)")
    modes = tuple(str(m) for m in spec["modes"])
    if unsafe:
        return Recipe(
            modes,
            sources=sources,
            unsafe=_text(spec.get("unsafe")),
            instead=_text(spec.get("instead")),
        )
    needs = spec.get("needs") or {}
    if not isinstance(needs, dict):
        error("needs: expected a mapping of value name to what to give")
        needs = {}
    command = spec.get("command")
    rollback = spec.get("rollback")
    used = {v for c in (command, rollback) if isinstance(c, str) for v in _VALUE.findall(c)}
    for name in sorted(used - set(map(str, needs))):
        error(f"${{{name}}} is used but not described under needs")
    for name in sorted(set(map(str, needs)) - used):
        error(f"needs: {name!r} is used by no command")
    if rollback is not None and command is None:
        error("a rollback without a command")
    for field in ("inject", "blast_radius"):
        if not _text(spec.get(field)):
            error(f"{field}: expected a sentence")
    return Recipe(
        modes=modes,
        inject=_text(spec.get("inject")),
        command=_text(command) or None,
        rollback=_text(rollback) or None,
        needs=tuple((str(k), _text(v)) for k, v in needs.items()),
        blast_radius=_text(spec.get("blast_radius")),
        abort=tuple(_text(a) for a in spec.get("abort") or []),
        sources=sources,
    )


def _text(value: Any) -> str:
    return " ".join(str(value).split()) if value is not None else ""
