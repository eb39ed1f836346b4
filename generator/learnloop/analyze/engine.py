"""The pattern engine end to end: incidents -> vectors -> clusters -> named, stable patterns."""

from __future__ import annotations

import hashlib
import logging
import pickle
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from learnloop.analyze import patterns as pat
from learnloop.analyze.text import fields
from learnloop.analyze.vectors import IncidentVectorizer, document
from learnloop.model import Incident
from learnloop.state import State

log = logging.getLogger(__name__)

ENGINE_VERSION = "4"  # bump when vectors change meaning, so cached indexes are rebuilt
CACHE_DIR = ".learnloop-cache"


@dataclass
class Index:
    """Incidents embedded in one space: what `patterns` clusters and `similar` searches."""

    ids: list[str]
    vectors: np.ndarray
    vectorizer: IncidentVectorizer
    key: str


def index_key(incidents: Sequence[Incident]) -> str:
    """A digest of everything the vectors depend on: engine version and each file's bytes."""
    h = hashlib.sha256(ENGINE_VERSION.encode())
    for incident in sorted(incidents, key=lambda i: i.id):
        h.update(f"{incident.id}\0{incident.digest}\0".encode())
    return h.hexdigest()[:32]


def build_index(
    incidents: Sequence[Incident], cache_root: Path | None = None, view: str = "combined"
) -> Index:
    """Embed the incidents; reuse the cached index when nothing it depends on changed."""
    ordered = sorted(incidents, key=lambda i: i.id)
    key = index_key(ordered) + ("" if view == "combined" else f"-{view}")
    path = cache_root / CACHE_DIR / f"index-{key}.pickle" if cache_root else None
    if path is not None and path.is_file():
        try:
            with path.open("rb") as handle:
                cached = pickle.load(handle)
            if isinstance(cached, Index) and cached.key == key:
                return cached
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError):
            log.info("ignoring unreadable cache %s", path)
    vectorizer = IncidentVectorizer()
    vectors = vectorizer.fit_transform([document(i, view) for i in ordered])
    index = Index([i.id for i in ordered], vectors, vectorizer, key)
    if path is not None:
        _save(index, path)
    return index


def _save(index: Index, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    for old in path.parent.glob("index-*.pickle"):
        if old.name.count("-") == path.name.count("-"):  # one index per view: no growth
            old.unlink(missing_ok=True)
    tmp = path.with_suffix(".tmp")
    with tmp.open("wb") as handle:
        pickle.dump(index, handle, protocol=pickle.HIGHEST_PROTOCOL)
    tmp.replace(path)


def find_patterns(
    incidents: Sequence[Incident],
    state: State,
    threshold: float | None = None,
    index: Index | None = None,
) -> pat.Patterns:
    """Recurring patterns with stable ids; obeys the corrections recorded in state."""
    ordered = sorted(incidents, key=lambda i: i.id)
    index = index or build_index(ordered)
    labels = pat.cluster(index.vectors, threshold or pat.DEFAULT_THRESHOLD)
    by_id = {i.id: i for i in ordered}
    causes = {i.id: fields(i)["cause"][:600] for i in ordered}
    df: Counter[str] = Counter()
    for incident in ordered:
        df.update(pat.phrases(f"{incident.title}\n{causes[incident.id]}"))

    def namer(members: list[str]) -> tuple[str, str, tuple[str, ...]]:
        slug, title, terms = pat.name_pattern(
            [by_id[m].title for m in members],
            [causes[m] for m in members],
            df,
            len(ordered),
            [s for m in members for s in by_id[m].services],
        )
        # Responders who followed a runbook already named this failure: keep their name.
        used = Counter(str(by_id[m].runbook_used) for m in members if by_id[m].runbook_used)
        if used:
            name, count = min(used.items(), key=lambda kv: (-kv[1], kv[0]))
            if count * 2 > sum(used.values()) and pat.WORD.fullmatch(name):
                slug = name
        return slug, title, terms

    return pat.build(ordered, labels, state, namer)
