"""The analysis of a learning repo: its incidents loaded and read, embedded and clustered.

`analyze_repo` is the pipeline up to the analysis (load → read → analyze); every command
that reads patterns, and `generate`, start from its `Analysis`. It is cached whole under a
digest of its inputs, and each stage below it keeps its own cache (parse, fit).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from learnloop import cachefile, read
from learnloop.analyze.engine import (
    CACHE_DIR,
    Index,
    build_index,
    find_patterns,
    modes_of,
    places_of,
    remember_fit,
    split_basis,
    stored_fit,
)
from learnloop.analyze.patterns import Patterns
from learnloop.load import OUTSIDE_LINK
from learnloop.load.cache import parse_cached, read_changed
from learnloop.model import Corpus, Incident, Problem
from learnloop.settings import FILENAME as SETTINGS_FILE
from learnloop.settings import Settings, load_settings
from learnloop.state import FILENAME as STATE_FILE
from learnloop.state import MEMBERS, State, read_state


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
    cached = _read_cache(cache, root)
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
        _write_cache(cache, corpus, index, found)
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
    for extra in (SETTINGS_FILE, STATE_FILE, MEMBERS):
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
        _write_cache(path, analysis.corpus, analysis.index, analysis.patterns)


def _read_cache(path: Path, root: Path) -> tuple[Corpus, Index, Patterns] | None:
    value = cachefile.read(path)
    if not (isinstance(value, tuple) and len(value) == 4 and isinstance(value[1], tuple)):
        return None
    if len(value[1]) != 5:  # the index's arrays, as _write_cache stores them
        return None
    corpus, (ids, vectors, terms, placed, phrase_df), found, key = value
    fit = stored_fit(root, "combined", key)
    if fit is None:  # the fit it was made with was replaced since: analyse again
        return None
    by_id = corpus.by_id()
    ordered = [by_id[i] for i in ids]
    places, modes = places_of(ordered), modes_of(ordered)
    index = Index(ids, vectors, terms, fit.encoder, fit, placed, phrase_df, places, modes)
    return corpus, index, found


def _write_cache(path: Path, corpus: Corpus, index: Index, found: Patterns) -> None:
    # The fit is most of the analysis's bytes and is already cached in a file of its own
    # (remember_fit): the analysis names it by key rather than holding a second copy.
    lean = (index.ids, index.vectors, index.terms, index.placed, index.phrase_df)
    cachefile.write(path, (corpus, lean, found, index.fit.key), replaces="analysis-*.pickle")


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
