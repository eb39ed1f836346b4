"""The pattern engine end to end: incidents -> vectors -> clusters -> named, stable patterns.

A fit (vocabularies, latent basis, the clustering of its incidents) is learned from a basis
of incidents and reused while few incidents have arrived since: new incidents are embedded in
the fitted space and placed by continuing the same average-linkage agglomeration from the
basis clusters. Which incidents form the basis is recorded in patterns.members.yml (every
incident it lists, less `since_refit`), so the answer is a function of the files alone: a cold
run and a run that reuses a cached fit compute the same thing, and one new incident costs a
placement instead of a refit.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path

import numpy as np
from scipy import sparse

from learnloop import cachefile
from learnloop.analyze import clusters
from learnloop.analyze import patterns as pat
from learnloop.analyze.documents import Document, document
from learnloop.analyze.encoder import Encoder, encoder_of
from learnloop.analyze.text import cause_text, without_places
from learnloop.cachefile import CACHE_DIR
from learnloop.model import Incident
from learnloop.read.failure_modes import load_catalogue
from learnloop.state import State

# Refit once the incidents placed since the last fit outnumber this share of its basis (and
# this floor): vocabulary and latent topics drift slowly, a refit costs the whole corpus.
REFIT_SHARE = 0.05
REFIT_FLOOR = 5
NAMING_MEMBERS = 50


def split_basis(
    present: Sequence[str], state: State, refit: bool = False
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(basis, placed): the incidents the fit learns from and those placed into it.

    The basis is every present incident the state records, less those it records as placed
    since the last refit; the rest are placed. A refit (asked for, no basis yet, or too many
    placed) makes every present incident the basis.
    """
    ids = sorted(set(present))
    known = {m for r in state.patterns for m in r.incidents} | set(state.unclustered)
    held = set(state.since_refit)
    basis = tuple(i for i in ids if i in known and i not in held)
    placed = tuple(i for i in ids if i not in known or i in held)
    if refit or not basis or len(placed) > max(REFIT_FLOOR, REFIT_SHARE * len(basis)):
        return tuple(ids), ()
    return basis, placed


@dataclass
class Fit:
    """What is learned from the basis: cached by the basis files' digests, never stale."""

    key: str
    ids: list[str]
    encoder: Encoder  # the fitted vectorizer as plain arrays: reading a fit needs no sklearn
    vectors: np.ndarray
    terms: sparse.csr_matrix
    phrase_df: Counter[str]  # in how many basis incidents each naming phrase occurs
    cut: float  # the distance threshold this basis calls for (patterns.adaptive_cut)
    labels: dict[float, list[int]] = field(default_factory=dict)  # clusterings by threshold
    unsaved: bool = True  # holds something its cache file does not: fresh, or a new clustering

    def labels_at(self, threshold: float) -> list[int]:
        if threshold not in self.labels:
            self.labels[threshold] = clusters.cluster(self.vectors, threshold)
            self.unsaved = True
        return self.labels[threshold]


@dataclass
class Index:
    """Incidents embedded in one space: what `patterns` clusters and `similar` searches."""

    ids: list[str]  # sorted
    vectors: np.ndarray  # unit rows
    terms: sparse.csr_matrix  # unit word TF-IDF rows, for literal matching
    encoder: Encoder
    fit: Fit
    placed: tuple[str, ...]  # ids embedded into the fit rather than learned from
    phrase_df: Counter[str]  # over every indexed incident
    places: tuple[str, ...]  # each incident's place (its first service), in `ids` order
    modes: tuple[frozenset[str], ...]  # each incident's failure modes, in `ids` order

    def latent(self, doc: Document) -> np.ndarray:
        """A query in the latent space (not re-normalized: see IncidentVectorizer.transform)."""
        return self.encoder.latent(doc)

    def literal(self, doc: Document) -> np.ndarray:
        """Cosine of every incident's word TF-IDF row with the query's."""
        columns, values = self.encoder.words_of(doc)
        return np.asarray(self.terms[:, columns] @ values, dtype=np.float32).ravel()

    def labels(self, threshold: float) -> list[int]:
        """Cluster labels in `ids` order: the fit's clustering, then the placed incidents."""
        if not self.placed:
            return list(self.fit.labels_at(threshold))
        row = {ident: n for n, ident in enumerate(self.ids)}
        extra = self.vectors[[row[i] for i in self.placed]]
        groups = clusters.place(self.fit.vectors, self.fit.labels_at(threshold), extra, threshold)
        of = dict(zip(self.fit.ids, groups, strict=False))
        of.update(zip(self.placed, groups[len(self.fit.ids) :], strict=True))
        relabel: dict[int, int] = {}
        return [relabel.setdefault(of[ident], len(relabel)) for ident in self.ids]


def fit_key(incidents: Sequence[Incident], view: str) -> str:
    """A digest of everything a fit depends on: engine version, view, each file's bytes."""
    # The code's digest too: a fit pickled by other code is never read back.
    h = hashlib.sha256(f"{cachefile.code_digest()}\0{view}\0".encode())
    for incident in sorted(incidents, key=lambda i: i.id):
        h.update(f"{incident.id}\0{incident.digest}\0".encode())
    return h.hexdigest()[:32]


def naming_text(incident: Incident) -> str:
    """What pattern names are drawn from: the title and the start of the root cause."""
    return f"{incident.title}\n{cause_text(incident)[:600]}"


@cache
def mode_titles() -> dict[str, str]:
    """Each failure mode's title in the shipped catalogue."""
    return {m.id: m.title for m in load_catalogue().modes}


def trigger_modes() -> frozenset[str]:
    """The modes of the shipped catalogue that say what set a failure off (a change), not how
    the system failed."""
    return frozenset(m.id for m in load_catalogue().modes if m.family == "change")


def build_index(
    incidents: Sequence[Incident],
    cache_root: Path | None = None,
    view: str = "combined",
    placed: Sequence[str] = (),
) -> Index:
    """Embed the incidents: fit on all but `placed`, reusing a cached fit of the same basis."""
    ordered = sorted(incidents, key=lambda i: i.id)
    held = set(placed)
    basis = [i for i in ordered if i.id not in held]
    extra = [i for i in ordered if i.id in held]
    fit = _cached_fit(basis, view, cache_root)
    vectors, terms = fit.vectors, fit.terms
    df = fit.phrase_df
    if extra:
        docs = [document(i, view) for i in extra]
        vectors = np.vstack([vectors, fit.encoder.embed(docs)])
        terms = sparse.vstack([terms, _word_rows(fit.encoder, docs, terms.shape[1])], format="csr")
        df = df.copy()
        for incident in extra:
            df.update(pat.phrases(naming_text(incident)))
        # Rows in id order, as the fit's rows are.
        order = np.argsort(np.array([*fit.ids, *(i.id for i in extra)]), kind="stable")
        vectors, terms = vectors[order], terms[order]
    ids = [i.id for i in ordered]
    places, modes = places_of(ordered), modes_of(ordered)
    return Index(ids, vectors, terms, fit.encoder, fit, tuple(placed), df, places, modes)


def places_of(incidents: Sequence[Incident]) -> tuple[str, ...]:
    """Each incident's place, as `clusters.narrow` and `similar` take it: its first service."""
    return tuple(i.services[0] if i.services else "" for i in incidents)


def modes_of(incidents: Sequence[Incident]) -> tuple[frozenset[str], ...]:
    """Each incident's failure modes, by id: what `similar` narrows by place within."""
    return tuple(frozenset(m.id for m in i.failure_modes) for i in incidents)


def _word_rows(encoder: Encoder, docs: Sequence[Document], width: int) -> sparse.csr_matrix:
    """Unit word TF-IDF rows of docs in the fitted vocabulary."""
    data, indices, indptr = [], [], [0]
    for doc in docs:
        columns, values = encoder.words_of(doc)
        indices.append(columns)
        data.append(values)
        indptr.append(indptr[-1] + len(columns))
    return sparse.csr_matrix(
        (np.concatenate(data), np.concatenate(indices), np.array(indptr)),
        shape=(len(docs), width),
        dtype=np.float32,
    )


def stored_fit(cache_root: Path, view: str, key: str) -> Fit | None:
    """The fit of this key from the cache, or None where it is not there (or not readable)."""
    cached = cachefile.read(_fit_path(cache_root, view, key))
    return cached if isinstance(cached, Fit) and cached.key == key else None


def _cached_fit(basis: list[Incident], view: str, cache_root: Path | None) -> Fit:
    key = fit_key(basis, view)
    cached = stored_fit(cache_root, view, key) if cache_root else None
    if cached is not None:
        return cached
    from learnloop.analyze.vectors import IncidentVectorizer  # scikit-learn: only to fit

    vectorizer = IncidentVectorizer()
    vectors = vectorizer.fit_transform([document(i, view) for i in basis])
    df: Counter[str] = Counter()
    for incident in basis:
        df.update(pat.phrases(naming_text(incident)))
    # Written by remember_fit once it holds its clustering too.
    return Fit(
        key,
        [i.id for i in basis],
        encoder_of(vectorizer),
        vectors,
        vectorizer.terms_,
        df,
        clusters.adaptive_cut(vectors),
    )


def _fit_path(cache_root: Path, view: str, key: str) -> Path:
    return cache_root / CACHE_DIR / f"fit-{view}-{key}.pickle"


def remember_fit(index: Index, cache_root: Path, view: str = "combined") -> None:
    """Store the fit again once it holds clusterings it did not have when it was read."""
    if index.fit.unsaved:
        index.fit.unsaved = False  # as the copy on disk will say
        path = _fit_path(cache_root, view, index.fit.key)
        cachefile.write(path, index.fit, replaces=f"fit-{view}-*.pickle")  # one fit per view


def find_patterns(
    incidents: Sequence[Incident],
    state: State,
    threshold: float | None = None,
    index: Index | None = None,
) -> pat.Patterns:
    """Recurring patterns with stable ids; obeys the corrections recorded in state."""
    ordered = sorted(incidents, key=lambda i: i.id)
    index = index or build_index(ordered)
    by_id = {i.id: i for i in ordered}
    labels = clusters.narrow(
        index.labels(threshold or index.fit.cut),
        [by_id[i].services for i in index.ids],
        index.vectors,
    )
    df = index.phrase_df
    titles, triggers = mode_titles(), trigger_modes()  # once per run, not once per pattern

    def namer(members: list[str]) -> tuple[str, str, tuple[str, ...]]:
        # Named from its latest members: what people call the failure now, and a name costs
        # the same for a pattern of 500 incidents as for one of 50.
        latest = members[-NAMING_MEMBERS:]
        slug, title, terms = pat.name_pattern(
            [without_places(by_id[m].title, by_id[m]) for m in latest],
            [cause_text(by_id[m])[:600] for m in latest],
            df,
            len(ordered),
            [s for m in latest for s in by_id[m].services],
        )
        # Named by how it failed, where most members agree on it: the mechanism, then where.
        named = pat.name_by_mode(
            [tuple(f.id for f in by_id[m].failure_modes) for m in latest],
            [by_id[m].services for m in latest],
            titles,
            triggers,
        )
        if named is not None:
            slug, title = named
        # Responders who followed a runbook already named this failure: keep their name.
        used = Counter(str(by_id[m].runbook_used) for m in members if by_id[m].runbook_used)
        if used:
            name, count = min(used.items(), key=lambda kv: (-kv[1], kv[0]))
            if count * 2 > sum(used.values()) and pat.WORD.fullmatch(name):
                slug = name
        return slug, title, terms

    return replace(pat.build(ordered, labels, state, namer), since_refit=index.placed)
