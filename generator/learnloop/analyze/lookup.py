"""What `learnloop similar` answers from: the fitted index as plain arrays, cached on disk.

An on-call engineer types a symptom and waits; the answer should come back in well under a
second on a large repo. The analysis behind it is cached already, but unpickling a corpus and
importing scikit-learn alone take longer than that. A lookup keeps only what a query needs
(each vocabulary with its idf weights, the latent basis, every incident's vector and word
weights, the pattern memberships) as NumPy arrays, encodes a query itself, and knows the
size, modification time and digest of every file it was built from, so that checking it is
current costs a directory walk and a stat per file, not a read. Files whose time falls close
to when the lookup was written are hashed anyway, as git does for "racily clean" entries.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from learnloop import cachefile
from learnloop import read as read_stage
from learnloop.analyze.documents import Document
from learnloop.analyze.encoder import Encoder
from learnloop.load import discover, display_path, repo_zone
from learnloop.load.cache import unchanged
from learnloop.model import Incident

if TYPE_CHECKING:
    from learnloop.analyze.analysis import Analysis

FILE = "lookup.pickle"
INPUTS = ("learnloop.yml", "patterns.yml", "patterns.members.yml")


@dataclass
class Signature:
    """What a lookup was built from: every incident file, the state, settings, the code."""

    files: dict[str, tuple[int, int, str]]  # path -> (size, mtime_ns, sha256)
    inputs: str  # digest of learnloop.yml, patterns.yml and the code
    written_ns: int


@dataclass
class Lookup:
    """Everything `similar` reads; duck-types the engine's Index for `search`."""

    ids: list[str]
    paths: list[str]
    vectors: np.ndarray
    word_columns: tuple[np.ndarray, np.ndarray, np.ndarray]  # word rows as CSC arrays
    encoder: Encoder
    pattern_of: dict[str, str]
    members: dict[str, tuple[str, ...]]
    threshold: float
    places: tuple[str, ...]  # each incident's first service, in `ids` order
    modes: tuple[frozenset[str], ...]  # each incident's failure modes, in `ids` order
    signature: Signature | None = None

    def latent(self, doc: Document) -> np.ndarray:
        return self.encoder.latent(doc)

    def literal(self, doc: Document) -> np.ndarray:
        """Cosine of word TF-IDF rows with the query's: summed column by column."""
        indptr, indices, data = self.word_columns
        scores = np.zeros(len(self.ids), dtype=np.float32)
        for column, value in zip(*self.encoder.words_of(doc), strict=True):
            start, end = indptr[column], indptr[column + 1]
            scores[indices[start:end]] += data[start:end] * value
        return scores


class LazyIncidents(Mapping[str, Incident]):
    """Incidents parsed on first use: a query reads a handful, not the whole corpus."""

    def __init__(self, root: Path, lookup: Lookup) -> None:
        self._root = root
        self._path = dict(zip(lookup.ids, lookup.paths, strict=True))
        self._loaded: dict[str, Incident] = {}
        self._zone = repo_zone(root)
        self._words = read_stage.vocabulary(root)

    def __getitem__(self, ident: str) -> Incident:
        if ident not in self._loaded:
            rel = self._path[ident]
            raw = (self._root / rel).read_bytes()
            incident, _ = read_stage.incident_from_bytes(raw, rel, self._zone, self._words)
            if incident is None:
                raise KeyError(ident)
            self._loaded[ident] = incident
        return self._loaded[ident]

    def __iter__(self) -> Iterator[str]:
        return iter(self._path)

    def __len__(self) -> int:
        return len(self._path)


def from_analysis(analysis: Analysis) -> Lookup:
    """A lookup over the analysis's incidents, patterns and settings (no signature)."""
    index = analysis.index
    columns = index.terms.tocsc()
    by_id = analysis.incidents()
    return Lookup(
        ids=list(index.ids),
        paths=[by_id[i].path for i in index.ids],
        vectors=np.ascontiguousarray(index.vectors, dtype=np.float32),
        word_columns=(
            np.asarray(columns.indptr),
            np.asarray(columns.indices),
            np.asarray(columns.data, dtype=np.float32),
        ),
        encoder=index.encoder,
        pattern_of=analysis.patterns.of(),
        members={p.id: p.incidents for p in analysis.patterns.patterns},
        threshold=analysis.settings.distance_threshold or index.fit.cut,
        places=index.places,
        modes=index.modes,
    )


def _inputs_digest(root: Path) -> str:
    h = hashlib.sha256(cachefile.code_digest().encode())
    for name in INPUTS:
        path = root / name
        h.update(path.read_bytes() if path.is_file() else b"-")
    return h.hexdigest()


def _files(root: Path) -> dict[str, Path]:
    return {display_path(p, root): p for p in discover(root)}


def sign(root: Path, analysis: Analysis) -> Signature | None:
    """The signature of the files as they are now; None if they changed since the analysis."""
    start = time.time_ns()
    inputs = _inputs_digest(root)
    known = {rel: digest.hex() for rel, digest in analysis.file_digests}
    files: dict[str, tuple[int, int, str]] = {}
    for rel, path in _files(root).items():
        try:
            stat = path.stat()
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError:
            return None
        if known.get(rel) != digest:
            return None
        files[rel] = (stat.st_size, stat.st_mtime_ns, digest)
    if len(files) != len(known):
        return None
    return Signature(files, inputs, start)


def current(root: Path, signature: Signature) -> bool:
    """Whether the files are still those the signature describes."""
    if _inputs_digest(root) != signature.inputs:
        return False
    found = _files(root)
    if found.keys() != signature.files.keys():
        return False
    for rel, path in found.items():
        size, mtime, digest = signature.files[rel]
        try:
            stat = os.stat(path)
        except OSError:
            return False
        if stat.st_size != size:
            return False
        if not unchanged(stat, size, mtime, signature.written_ns):
            try:
                if hashlib.sha256(path.read_bytes()).hexdigest() != digest:
                    return False
            except OSError:
                return False
    return True


def read(root: Path) -> Lookup | None:
    """The cached lookup when it is current, else None."""
    value = cachefile.read(root / cachefile.CACHE_DIR / FILE)
    if not isinstance(value, Lookup) or value.signature is None:
        return None
    return value if current(root, value.signature) else None


def write(root: Path, lookup: Lookup) -> None:
    cachefile.write(root / cachefile.CACHE_DIR / FILE, lookup)
