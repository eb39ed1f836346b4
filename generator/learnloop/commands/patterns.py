"""`learnloop patterns`: the recurring patterns of a learning repo, as a table or JSON."""

from __future__ import annotations

import hashlib
import json
import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from learnloop import cachefile, read
from learnloop.analyze import temporal
from learnloop.analyze.engine import (
    CACHE_DIR,
    Index,
    build_index,
    find_patterns,
    remember_fit,
    split_basis,
)
from learnloop.analyze.patterns import Patterns
from learnloop.commands.similar import runbook_path
from learnloop.enrich import timings
from learnloop.load import OUTSIDE_LINK
from learnloop.load.cache import parse_cached, read_changed
from learnloop.model import Corpus, Incident, Problem
from learnloop.settings import FILENAME as SETTINGS_FILE
from learnloop.settings import Settings, load_settings
from learnloop.state import FILENAME as STATE_FILE
from learnloop.state import State, read_state
from learnloop.write.plain import duration


@dataclass
class Analysis:
    """A loaded repo with its patterns: what the read-only commands work from."""

    root: Path
    corpus: Corpus
    settings: Settings
    state: State
    index: Index
    patterns: Patterns
    # What the analysis was computed from: each incident file's path and sha256, in order.
    file_digests: tuple[tuple[str, bytes], ...] = ()

    def incidents(self) -> dict[str, Incident]:
        return self.corpus.by_id()


def analyze_repo(root: Path, refit: bool = False, keep: bool = True) -> Analysis:
    """Load, embed and cluster; reads the state file, writes only the cache.

    The whole analysis is cached under a digest of every input (each incident file's bytes,
    learnloop.yml, patterns.yml, the engine version), so a repeated `similar` or `patterns`
    reads the files once to hash them and answers from the cache; any change misses it.
    Below that, parsed files and the engine's fit are cached by their own contents, so one
    new incident costs its own parse and placement. `refit` relearns the fit from every
    incident instead of placing new ones into the recorded one. Without `keep` the analysis
    is not cached here: `generate` caches it with `remember` once it recorded the state.
    """
    files, digests, found_files = read_changed(root)
    unread = _unread(found_files.skipped, found_files.problems)
    cache = _cache_path(root, digests, refit, unread)
    cached = _read_cache(cache)
    if cached is not None:
        corpus, index, found = cached
        return Analysis(root, corpus, load_settings(root), read_state(root), index, found, digests)
    words = read.vocabulary(root)
    corpus = parse_cached(
        root,
        files,
        digests,
        found_files,
        parse=lambda raw, shown, zone: read.incident_from_bytes(raw, shown, zone, words),
        salt=_settings_digest(root),
    )
    settings = load_settings(root)
    state = read_state(root)
    _, placed = split_basis([i.id for i in corpus.incidents], state, refit)
    index = build_index(corpus.incidents, cache_root=root, placed=placed)
    found = find_patterns(corpus.incidents, state, settings.distance_threshold, index)
    remember_fit(index, root)  # with the clustering it now holds
    if keep:
        _write_cache(cache, (corpus, index, found))
    return Analysis(root, corpus, settings, state, index, found, digests)


def _cache_path(
    root: Path,
    digests: tuple[tuple[str, bytes], ...],
    refit: bool = False,
    unread: tuple[str, ...] = (),
) -> Path:
    """Where the analysis of these inputs is cached: settings, state and every incident file
    (and what the survey of incidents/ skipped or refused, which the corpus reports)."""
    code = f"{cachefile.code_digest()}{' refit' if refit else ''}"
    inputs = hashlib.sha256(code.encode())
    for extra in (SETTINGS_FILE, STATE_FILE):
        path = root / extra
        inputs.update(path.read_bytes() if path.is_file() else b"-")
    for rel, digest in digests:
        inputs.update(rel.encode() + b"\0" + digest)
    for line in unread:
        inputs.update(line.encode() + b"\0")
    return root / CACHE_DIR / f"analysis-{inputs.hexdigest()[:32]}.pickle"


def _settings_digest(root: Path) -> str:
    """learnloop.yml's bytes, digested: a team's words for the reader change what it reads."""
    path = root / SETTINGS_FILE
    return hashlib.sha256(path.read_bytes() if path.is_file() else b"-").hexdigest()


def _unread(skipped: Iterable[tuple[str, str]], refused: Iterable[Problem]) -> tuple[str, ...]:
    """What the corpus says of files it did not read, as part of the analysis cache's key."""
    return (
        *(f"skipped {rel}: {why}" for rel, why in skipped),
        *sorted(p.format() for p in refused if p.code == OUTSIDE_LINK),
    )


def remember(analysis: Analysis) -> None:
    """After `generate` recorded the patterns it found, keep the analysis for the new state.

    Recording changes patterns.yml, a cache input, but not the result: recorded members stay
    where they were found and recorded titles are the ones found. Without this, the first
    command after every `generate` would redo the whole analysis.
    """
    corpus = analysis.corpus
    unread = _unread(corpus.skipped, [p for p in corpus.problems if p.code == OUTSIDE_LINK])
    path = _cache_path(analysis.root, analysis.file_digests, unread=unread)
    if analysis.file_digests and not path.is_file():
        _write_cache(path, (analysis.corpus, analysis.index, analysis.patterns))


def _read_cache(path: Path) -> tuple[Corpus, Index, Patterns] | None:
    value = cachefile.read(path)
    return value if isinstance(value, tuple) and len(value) == 3 else None


def _write_cache(path: Path, value: object) -> None:
    cachefile.write(path, value, replaces="analysis-*.pickle")


def rows(analysis: Analysis) -> list[dict[str, Any]]:
    """Per pattern: members, services, first and last seen, median TTR, impact, burst."""
    incidents = analysis.incidents()
    span = (
        min((i.started_at for i in incidents.values()), default=None),
        max((i.started_at for i in incidents.values()), default=None),
    )
    out = []
    for pattern in analysis.patterns.patterns:
        members = [incidents[i] for i in pattern.incidents]
        ttrs = [t for t in (timings(m).ttr for m in members) if t is not None]
        found_burst = (
            temporal.burst([m.started_at for m in members], (span[0], span[1]))
            if span[0] and span[1]
            else None
        )
        out.append(
            {
                "id": pattern.id,
                "title": pattern.title,
                "incidents": list(pattern.incidents),
                "runbook": runbook_path(analysis.root, pattern.id),
                "services": sorted({s for m in members for s in m.services}),
                "first_seen": min(m.started_at for m in members).date().isoformat(),
                "last_seen": max(m.started_at for m in members).date().isoformat(),
                "median_ttr_minutes": statistics.median(ttrs) if ttrs else None,
                "customers_affected": sum(m.impact.customers_affected or 0 for m in members),
                "revenue_usd": sum(m.impact.revenue_usd or 0 for m in members),
                "failure_modes": failure_modes(members),
                "terms": list(pattern.terms),
                "burst": found_burst.__dict__ if found_burst else None,
            }
        )
    return out


def failure_modes(members: Sequence[Incident]) -> list[str]:
    """The ways a pattern's incidents failed, most common first (then by id)."""
    counts = Counter(m.id for incident in members for m in incident.failure_modes)
    return [mode for mode, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def with_view(analysis: Analysis, view: str) -> Analysis:
    """The same engine grouping by what incidents looked like (symptom) or why (cause).

    Views are read-only lenses: they carry no identity and no corrections, so their ids are
    only good for this run. The service view lists the stable patterns per service instead.
    """
    if view in ("combined", "service"):
        return analysis
    index = build_index(analysis.corpus.incidents, cache_root=analysis.root, view=view)
    found = find_patterns(
        analysis.corpus.incidents, State(), analysis.settings.distance_threshold, index
    )
    remember_fit(index, analysis.root, view)
    return Analysis(analysis.root, analysis.corpus, analysis.settings, State(), index, found)


def by_service(analysis: Analysis) -> dict[str, list[str]]:
    """Service -> ids of the patterns that hit it."""
    incidents = analysis.incidents()
    out: dict[str, set[str]] = {}
    for pattern in analysis.patterns.patterns:
        for ident in pattern.incidents:
            for service in incidents[ident].services:
                out.setdefault(service, set()).add(pattern.id)
    return {s: sorted(ids) for s, ids in sorted(out.items())}


def temporal_json(analysis: Analysis) -> dict[str, Any]:
    """Hour-of-week (UTC) and month counts, overall and per pattern."""
    incidents = analysis.incidents()
    overall = temporal.temporal(list(incidents.values()))
    per = {}
    for pattern in analysis.patterns.patterns:
        t = temporal.temporal([incidents[i] for i in pattern.incidents])
        per[pattern.id] = {
            "hour_of_week": [list(r) for r in t.hour_of_week],
            "months": dict(t.months),
        }
    return {
        "days": list(temporal.DAYS),
        "hour_of_week": [list(r) for r in overall.hour_of_week],
        "months": dict(overall.months),
        "patterns": per,
    }


def to_json(analysis: Analysis, view: str = "combined") -> str:
    """The DESIGN §4 contract, extended with figures, corrections, time, and the view used."""
    payload: dict[str, Any] = {
        "patterns": rows(analysis),
        "unclustered": list(analysis.patterns.unclustered),
        "corrections": list(analysis.patterns.notes),
        "view": view,
        "temporal": temporal_json(analysis),
    }
    if view == "service":
        payload["services"] = by_service(analysis)
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"


def to_table(analysis: Analysis) -> str:
    """A plain-text table for people, one pattern a line, then the unclustered count."""
    data = rows(analysis)
    header = (
        "pattern",
        "incidents",
        "services",
        "first seen",
        "last seen",
        "median TTR",
        "customers",
        "title",
    )
    lines: list[Sequence[str]] = [header]
    for row in data:
        services = list(row["services"])
        lines.append(
            (
                str(row["id"]) + (" *burst" if row["burst"] else ""),
                str(len(row["incidents"])),
                ", ".join(services[:3]) + (f" +{len(services) - 3}" if len(services) > 3 else ""),
                str(row["first_seen"]),
                str(row["last_seen"]),
                duration(row["median_ttr_minutes"], "—"),
                f"{row['customers_affected']:,}",
                str(row["title"]),
            )
        )
    widths = [max(len(line[c]) for line in lines) for c in range(len(header) - 1)]
    text = [
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=False))
        + "  "
        + line[-1]
        for line in lines
    ]
    total = len(analysis.corpus.incidents)
    clustered = sum(len(r["incidents"]) for r in data)
    text.append("")
    text.append(
        f"{_counted(len(data), 'recurring pattern')} "
        f"{'covers' if len(data) == 1 else 'cover'} {clustered} of "
        f"{_counted(total, 'incident')}; {_one_offs(len(analysis.patterns.unclustered))}."
    )
    if any(r["burst"] for r in data):
        text.append("*burst: incidents bunched in a 30-day window far beyond the pattern's rate.")
    for note in analysis.patterns.notes:
        text.append(f"correction: {note}")
    return "\n".join(text) + "\n"


def services_table(analysis: Analysis) -> str:
    """The service view for people: each service and the patterns that hit it."""
    lines = [f"{service}: {', '.join(ids)}" for service, ids in by_service(analysis).items()]
    return "\n".join(lines or ["No recurring patterns yet."]) + "\n"


def _counted(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def _one_offs(n: int) -> str:
    return "none is a one-off" if n == 0 else "1 is a one-off" if n == 1 else f"{n:,} are one-offs"
