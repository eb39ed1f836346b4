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
import math
import os
import re
import time
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from learnloop import cachefile
from learnloop.analyze.documents import Document
from learnloop.analyze.text import analyzer
from learnloop.load import discover, display_path, load_bytes
from learnloop.model import Incident

if TYPE_CHECKING:
    from learnloop.analyze.vectors import IncidentVectorizer
    from learnloop.commands.patterns import Analysis

FILE = "lookup.pickle"
INPUTS = ("learnloop.yml", "patterns.yml")
RACY_NS = 2_000_000_000  # files changed this close to the lookup's writing are hashed anyway
_WHITE = re.compile(r"\s\s+")


def char_ngrams(text: str, low: int = 3, high: int = 5) -> list[str]:
    """Character n-grams inside word boundaries, padded with a space (scikit-learn's char_wb)."""
    out: list[str] = []
    for word in _WHITE.sub(" ", text.lower()).split():
        padded = f" {word} "
        for n in range(low, high + 1):
            out.extend(padded[i : i + n] for i in range(max(1, len(padded) - n + 1)))
            if len(padded) <= n:  # a short word counts once
                break
    return out


@dataclass
class Block:
    """One TF-IDF vocabulary: sublinear term frequency times idf, unit length, then weighted."""

    vocabulary: dict[str, int]
    idf: np.ndarray
    weight: float
    offset: int  # where its columns start in the stacked row

    def encode(self, tokens: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        counts = Counter(t for t in tokens if t in self.vocabulary)
        if not counts:
            return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.float32)
        columns = np.array([self.vocabulary[t] for t in counts], dtype=np.intp)
        values = np.array([1.0 + math.log(c) for c in counts.values()], dtype=np.float32)
        values *= self.idf[columns]
        values /= np.linalg.norm(values)
        return columns, values


@dataclass
class Encoder:
    """A query as the fitted vectorizer would see it, with NumPy alone."""

    words: Block | None
    chars: Block | None
    facts: Block | None
    components: np.ndarray | None  # the latent basis, one row per dimension
    width: int  # columns of the stacked row, when there is no latent basis

    def row(self, doc: Document) -> tuple[np.ndarray, np.ndarray]:
        """The stacked, weighted, unit-length sparse row: (columns, values)."""
        parts = [
            (block, tokens)
            for block, tokens in (
                (self.words, analyzer(doc.words)),
                (self.chars, char_ngrams(doc.chars)),
                (self.facts, list(doc.facts or ("none",))),
            )
            if block is not None
        ]
        columns, values = [], []
        for block, tokens in parts:
            c, v = block.encode(tokens)
            columns.append(c + block.offset)
            values.append(v * np.float32(block.weight))
        if not columns:
            return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.float32)
        c, v = np.concatenate(columns), np.concatenate(values)
        norm = np.linalg.norm(v)
        return c, (v / norm if norm else v)

    def latent(self, doc: Document) -> np.ndarray:
        columns, values = self.row(doc)
        if self.components is not None:
            return (self.components[:, columns] @ values).astype(np.float32)
        dense = np.zeros(self.width, dtype=np.float32)
        dense[columns] = values
        return dense

    def words_of(self, doc: Document) -> tuple[np.ndarray, np.ndarray]:
        if self.words is None:
            return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.float32)
        return self.words.encode(analyzer(doc.words))


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

    def __getitem__(self, ident: str) -> Incident:
        if ident not in self._loaded:
            rel = self._path[ident]
            incident, _ = load_bytes((self._root / rel).read_bytes(), rel)
            if incident is None:
                raise KeyError(ident)
            self._loaded[ident] = incident
        return self._loaded[ident]

    def __iter__(self) -> Iterator[str]:
        return iter(self._path)

    def __len__(self) -> int:
        return len(self._path)


def _block(vectorizer: object, weight: float, offset: int) -> Block | None:
    vocabulary = getattr(vectorizer, "vocabulary_", None)
    if not vocabulary:
        return None
    idf = np.asarray(vectorizer.idf_, dtype=np.float32)  # type: ignore[attr-defined]
    return Block({str(k): int(v) for k, v in vocabulary.items()}, idf, weight, offset)


def encoder_of(vectorizer: IncidentVectorizer) -> Encoder:
    """The fitted vectorizer's vocabularies, idf weights and latent basis as plain arrays."""
    if vectorizer.empty_:
        return Encoder(None, None, None, None, 1)
    blocks = []
    offset = 0
    for fitted, weight in (
        (vectorizer.words_, vectorizer.word_weight),
        (vectorizer.chars_, vectorizer.char_weight),
        (vectorizer.facts_, vectorizer.fact_weight),
    ):
        blocks.append(_block(fitted, weight, offset))
        offset += len(getattr(fitted, "vocabulary_", {}) or {})
    svd = vectorizer.svd_
    components = None if svd is None else np.asarray(svd.components_, dtype=np.float32)
    return Encoder(blocks[0], blocks[1], blocks[2], components, max(offset, 1))


def from_analysis(analysis: Analysis) -> Lookup:
    """A lookup over the analysis's incidents, patterns and settings (no signature)."""
    from learnloop.analyze.patterns import DEFAULT_THRESHOLD

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
        encoder=encoder_of(index.vectorizer),
        pattern_of=analysis.patterns.of(),
        members={p.id: p.incidents for p in analysis.patterns.patterns},
        threshold=analysis.settings.distance_threshold or DEFAULT_THRESHOLD,
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
        if stat.st_mtime_ns != mtime or mtime >= signature.written_ns - RACY_NS:
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
