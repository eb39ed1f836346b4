"""Queries and new incidents encoded in a fitted space with NumPy alone.

Once the engine has learned its vocabularies and latent topics, encoding one more text is a
few dictionary lookups and a small matrix product. Doing that here, from the fitted values
copied into plain arrays, spares every command that only reads a fit (`similar`, and
`generate` after a new incident) the second it takes to import scikit-learn.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from learnloop.analyze.documents import Document
from learnloop.analyze.text import analyzer

if TYPE_CHECKING:
    from learnloop.analyze.vectors import IncidentVectorizer

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
        norm = np.linalg.norm(values)
        if norm == 0:  # only words weighed as nothing (a place's name)
            return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.float32)
        values /= norm
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

    def embed(self, docs: Sequence[Document]) -> np.ndarray:
        """Unit vectors of incidents placed into the fit, as the fitted incidents have."""
        rows = [self.latent(doc) for doc in docs]
        out = np.vstack(rows) if rows else np.zeros((0, self.dimensions), dtype=np.float32)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return (out / np.where(norms == 0, 1, norms)).astype(np.float32)

    @property
    def dimensions(self) -> int:
        return self.width if self.components is None else len(self.components)


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
