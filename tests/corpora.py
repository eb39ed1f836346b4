"""Generated learning repos to check invariants on: the bundled corpus, a small simulated one
and real collections imported as a team would, each generated once into a temporary git repo.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner, Result

from learnloop.analyze.analysis import analyze_repo
from learnloop.cachefile import CACHE_DIR
from learnloop.cli import cli
from tests import truth
from tests.conftest import REPO

# Kept small so all of them generate in well under a minute on a busy machine.
SIMULATED = (11, 45)  # seed, incidents
# Real collections with recurring failures (labelled in benchmarks/labels).
REAL = ("dfds-postmortems", "chia-postmortems")
MILESTONES = ("started_at", "detected_at", "acknowledged_at", "mitigated_at", "resolved_at")


def invoke(root: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--root", str(root), *args], catch_exceptions=False)


@dataclass
class Generated:
    """A generated repo, read back without learnloop (except for its testimony of times)."""

    name: str
    root: Path
    sources: dict[str, truth.Source]
    documents: dict[str, truth.Document]
    # Each incident's moments: front matter as written, else where the reader says the
    # timeline gives it (checked against that line in `testimony_checked`).
    times: dict[str, dict[str, datetime]]
    testimony: dict[str, list[tuple[str, datetime, str, int]]]  # id -> (name, at, from, line)
    # id -> (at, text, line, kinds): the entries, and what the reader says each one tells.
    timeline: dict[str, list[tuple[datetime | None, str, int, tuple[str, ...]]]]
    state: list[dict[str, Any]]  # each pattern recorded: patterns.yml's entry and its members
    # The moments a timeline gives by their day alone (no time of day), by incident.
    day_only: dict[str, set[str]] = field(default_factory=dict)

    @property
    def shared(self) -> dict[str, truth.Source]:
        return {i: s for i, s in self.sources.items() if not s.restricted}

    def ttr(self, ident: str) -> float | None:
        return self._span(ident, "resolved_at")

    def ttd(self, ident: str) -> float | None:
        return self._span(ident, "detected_at")

    def ttm(self, ident: str) -> float | None:
        return self._span(ident, "mitigated_at")

    def _span(self, ident: str, end: str) -> float | None:
        moments = self.times[ident]
        start, then = moments.get("started_at"), moments.get(end)
        if {"started_at", end} & self.day_only.get(ident, set()):
            # A moment known to the day alone: whole days between, none within a day.
            days = (then.date() - start.date()).days if start and then else 0
            return days * 24 * 60.0 if days > 0 else None
        value = truth.minutes(start, then)
        return value if value is not None and value >= 0 else None  # out of order: unknown


def _front_time(value: Any) -> datetime | None:
    """A front-matter moment, only where it names a time of day (a date alone says no time)."""
    if value is None:
        return None
    if isinstance(value, datetime) or (isinstance(value, str) and re.search(r"\d[T ]\d", value)):
        return truth.as_datetime(value)
    return None


# Where the reader may say it read a time in the text: checked on the line it names.
TOLD = ("timeline", "impact statement")
# Or computed from how long after the start the text says a moment came ("Time to detection:
# 60 minutes"): checked against the duration on that line.
LASTED = "stated duration"


def read_generated(name: str, root: Path) -> Generated:
    """Everything the invariants need, read from the repo after `generate`."""
    sources = truth.read_sources(root)
    documents = {d.path: d for d in truth.read_documents(root)}
    analysis = analyze_repo(root)
    testimony: dict[str, list[tuple[str, datetime, str, int]]] = {}
    timeline: dict[str, list[tuple[datetime | None, str, int, tuple[str, ...]]]] = {}
    day_only: dict[str, set[str]] = {}
    for incident in analysis.corpus.incidents:
        testimony[incident.id] = [(m.name, m.at, m.source, m.line) for m in incident.milestones]
        day_only[incident.id] = {m.name for m in incident.milestones if m.day_only}
        timeline[incident.id] = [(e.at, e.text, e.line, e.kinds) for e in incident.timeline]
    times: dict[str, dict[str, datetime]] = {}
    for ident, source in sources.items():
        moments = {k: t for k in MILESTONES if (t := _front_time(source.front.get(k)))}
        for key, at, where, _ in testimony.get(ident, []):
            if where in (*TOLD, LASTED) and key not in moments:
                moments[key] = at
        if "started_at" not in moments:
            moments["started_at"] = truth.as_datetime(source.front.get("started_at"))  # type: ignore[assignment]
        times[ident] = moments
    return Generated(
        name,
        root,
        sources,
        documents,
        times,
        testimony,
        timeline,
        recorded_patterns(root),
        day_only,
    )


def recorded_patterns(root: Path) -> list[dict[str, Any]]:
    """Each recorded pattern: its patterns.yml entry with `incidents` and `retired` from
    patterns.members.yml, read with plain YAML rather than learnloop's own reader."""

    def load(name: str) -> dict[str, Any]:
        path = root / name
        return (yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else None) or {}

    members = {str(e["id"]): e for e in load("patterns.members.yml").get("patterns") or []}
    entries = [dict(e) for e in load("patterns.yml").get("patterns") or []]
    for entry in entries:
        found = members.get(str(entry["id"]), {})
        entry["incidents"] = list(found.get("incidents") or [])
        entry["retired"] = bool(found.get("retired"))
    return entries


def _git(root: Path) -> None:
    subprocess.run(["git", "init", "-q", str(root)], check=True)


def _restrict(path: Path) -> None:
    """Mark a post-mortem restricted, as its author would: one key in its front matter."""
    text = path.read_text(encoding="utf-8")
    if path.suffix in (".yaml", ".yml"):
        path.write_text("visibility: restricted\n" + text, encoding="utf-8")
    else:
        path.write_text(text.replace("---\n", "---\nvisibility: restricted\n", 1), encoding="utf-8")


def bundled(root: Path) -> Path:
    """The repository's own incidents with its patterns.yml and learnloop.yml.

    The repository's parse and fit caches are taken along when a run made them: they are
    keyed by the incidents' bytes and the package's code and data, so they can be missed but
    never be stale, and reading 170 post-mortems again is most of the time this costs.
    """
    shutil.copytree(REPO / "incidents", root / "incidents")
    for name in ("patterns.yml", "patterns.members.yml", "learnloop.yml"):
        shutil.copy(REPO / name, root / name)
    caches = REPO / CACHE_DIR
    if caches.is_dir():
        (root / CACHE_DIR).mkdir()
        for path in [*caches.glob("parsed-*.pickle"), *caches.glob("fit-*.pickle")]:
            shutil.copy(path, root / CACHE_DIR / path.name)
    _git(root)
    return root


def simulated(root: Path) -> Path:
    """A small simulated corpus; one incident of each of its two largest recurring failures
    is restricted, so a restricted incident sits inside patterns that get runbooks."""
    from benchmarks.simulator import simulate, write_corpus

    seed, count = SIMULATED
    corpus = simulate(seed, count)
    write_corpus(corpus, root / "incidents")
    groups: dict[str, list[str]] = {}
    for item in corpus.files:
        if item.pattern:
            groups.setdefault(item.pattern, []).append(item.path)
    largest = sorted(groups.values(), key=lambda g: (-len(g), g))[:2]
    for group in largest:
        _restrict(root / "incidents" / sorted(group)[-1])
    _git(root)
    return root


def imported(collection: str, root: Path) -> Path:
    """A real collection imported with `learnloop import` and generated once; then the newest
    member of its largest pattern is restricted, as a team marks one sensitive later on."""
    from benchmarks import labels

    _git(root)
    grouping = labels.groupings(collection)
    paths = [str(labels.locate(collection, name)) for name in grouping.population]
    result = invoke(root, "import", *paths)
    assert result.exit_code == 0, result.output
    result = invoke(root, "generate")
    assert result.exit_code == 0, result.output
    groups = [sorted(p["incidents"]) for p in recorded_patterns(root) if len(p["incidents"]) > 2]
    assert groups, f"{collection}: no pattern of three incidents"
    target = sorted(groups, key=lambda g: (-len(g), g))[0][-1]
    sources = truth.read_sources(root)
    _restrict(root / sources[target].path)
    return root


def build(name: str, root: Path) -> Generated:
    """The named corpus, generated into root."""
    if name == "bundled":
        bundled(root)
    elif name == "simulated":
        simulated(root)
    else:
        imported(name, root)
    result = invoke(root, "generate")
    assert result.exit_code == 0, result.output
    return read_generated(name, root)
