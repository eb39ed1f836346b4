"""Incidents as vectors: weighted word and character TF-IDF plus facts, reduced by LSA.

Why this representation: post-mortems name the same failure with different words ("pool
exhausted", "ran out of connections", "too many clients"). Word uni/bigrams catch the shared
vocabulary; character n-grams catch morphology and identifiers (max_connections,
pg_stat_activity, x509); the facts (services, trigger, root-cause category) tie incidents that
describe one failure in few words; and a truncated SVD (latent semantic analysis) folds words
that co-occur across the corpus onto shared dimensions, which is what lets "too many clients"
land near "connection pool exhausted".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from learnloop.analyze.clusters import NO_PLACE
from learnloop.analyze.documents import VIEWS, Document, document, text_document
from learnloop.analyze.text import analyzer

__all__ = ["VIEWS", "Document", "IncidentVectorizer", "document", "text_document"]

MAX_SVD_FIT = 4000


def _identity(items: Sequence[str]) -> Sequence[str]:
    return items


@dataclass
class IncidentVectorizer:
    """Fit on a corpus, then embed incidents or queries as unit vectors (cosine = dot)."""

    # Words carry why it failed; character n-grams catch identifiers written two ways; the
    # facts (failure modes, services, trigger) narrow it. Chosen on simulated corpora in
    # three writing styles (benchmarks/quality.py --tune), scored on four others.
    word_weight: float = 1.0
    char_weight: float = 0.3
    fact_weight: float = 0.3
    n_components: int = 160
    random_state: int = 0
    words_: TfidfVectorizer = field(init=False, repr=False)
    chars_: TfidfVectorizer = field(init=False, repr=False)
    facts_: TfidfVectorizer = field(init=False, repr=False)
    svd_: TruncatedSVD | None = field(init=False, repr=False, default=None)
    terms_: sparse.csr_matrix = field(init=False, repr=False)  # unit word rows, for search
    empty_: bool = field(init=False, repr=False, default=False)

    def fit_transform(self, docs: Sequence[Document]) -> np.ndarray:
        """Learn vocabularies and the LSA basis from docs; return their vectors."""
        n = len(docs)
        self.empty_ = n == 0
        if self.empty_:  # a repo with no incidents yet: nothing to learn, nothing similar
            self.terms_ = sparse.csr_matrix((0, 1), dtype=np.float32)
            return np.zeros((0, 1), dtype=np.float32)
        # Document-frequency cut-offs only make sense once there are enough documents.
        max_df, min_df = (0.6, 2) if n >= 20 else (1.0, 1)
        self.words_ = TfidfVectorizer(
            analyzer=analyzer, sublinear_tf=True, max_df=max_df, dtype=np.float32
        )
        self.chars_ = TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=(3, 5),
            sublinear_tf=True,
            min_df=min_df,
            max_df=max_df,
            max_features=60_000,
            dtype=np.float32,
        )
        # A fact every incident shares (one platform, one company) distinguishes nothing, yet
        # TF-IDF's idf never reaches zero: drop near-universal facts outright.
        self.facts_ = TfidfVectorizer(
            analyzer=_identity, max_df=0.9 if n >= 20 else 1.0, dtype=np.float32
        )
        words = _fit(self.words_, [d.words for d in docs], n)
        places = place_terms(words, docs, self.words_.vocabulary_ if words.shape[1] else {})
        if len(places):
            # Weighed as nothing, here and in every query encoded with this fit.
            idf = self.words_.idf_.copy()
            idf[places] = 0.0
            self.words_.idf_ = idf
            keep = np.ones(words.shape[1], dtype=np.float32)
            keep[places] = 0.0
            words = normalize(sparse.csr_matrix(words.multiply(keep)))
        self.terms_ = normalize(words).tocsr()
        matrix = self._stack(
            words,
            _fit(self.chars_, [d.chars for d in docs], n),
            _fit(self.facts_, [d.facts or ("none",) for d in docs], n),
        )
        components = min(self.n_components, n - 1, matrix.shape[1] - 1)
        if components >= 2:
            self.svd_ = TruncatedSVD(
                n_components=components,
                algorithm="randomized",
                n_iter=4,
                random_state=self.random_state,
            )
            # The latent topics settle long before the corpus ends: learning them from an
            # evenly spaced sample keeps a 10,000-incident fit as cheap as a 4,000 one.
            step = max(1, -(-n // MAX_SVD_FIT))
            # Identical incidents leave no variance to explain; the ratio is then 0/0, harmless.
            with np.errstate(divide="ignore", invalid="ignore"):
                self.svd_.fit(matrix[::step])
            return normalize(self.svd_.transform(matrix)).astype(np.float32)
        self.svd_ = None
        return matrix.toarray().astype(np.float32)

    def transform(self, docs: Sequence[Document]) -> np.ndarray:
        """Vectors of new docs in the fitted space, not re-normalized after projection.

        A query's projection keeps the share of its text the corpus can explain: words no
        incident uses fall away, so a draft about something new scores low everywhere
        instead of being stretched to full length and landing near random incidents.
        """
        n = len(docs)
        if self.empty_:
            return np.zeros((n, 1), dtype=np.float32)
        matrix = self._stack(
            _apply(self.words_, [d.words for d in docs], n),
            _apply(self.chars_, [d.chars for d in docs], n),
            _apply(self.facts_, [d.facts or ("none",) for d in docs], n),
        )
        if self.svd_ is not None:
            return self.svd_.transform(matrix).astype(np.float32)
        return matrix.toarray().astype(np.float32)

    def terms(self, docs: Sequence[Document]) -> sparse.csr_matrix:
        """Unit-length word TF-IDF rows of docs, in the fitted vocabulary."""
        if self.empty_:
            return sparse.csr_matrix((len(docs), 1), dtype=np.float32)
        return normalize(_apply(self.words_, [d.words for d in docs], len(docs))).tocsr()

    def _stack(
        self, words: sparse.spmatrix, chars: sparse.spmatrix, facts: sparse.spmatrix
    ) -> sparse.csr_matrix:
        blocks = [self.word_weight * words, self.char_weight * chars, self.fact_weight * facts]
        return normalize(sparse.hstack(blocks, format="csr"))


# A word in nearly every incident of one place, whatever failed there, and seldom elsewhere
# names the place, as a product's display name does ("customers using Delivery Tracking in
# …"): weighed, it groups incidents by where, not why. The shares are fixed, not fitted.
PLACE_SHARE = 0.8  # of the place's incidents that hold the word
PLACE_ONLY = 0.9  # of the word's incidents that are the place's
PLACE_MIN = 4  # incidents of a place before its words can tell it
PLACE_MOST = 0.5  # of the corpus: a place that is most of it is no place apart


def place_terms(
    words: sparse.spmatrix, docs: Sequence[Document], vocabulary: Mapping[str, int]
) -> np.ndarray:
    """Columns of the word matrix that name a place (see PLACE_SHARE): only where the place's
    incidents failed in at least two ways the reader told apart, and the word is in both,
    since a place that always fails one way cannot tell its name from its failure's words.
    The words of a failure mode's name ("certificate") never name a place."""
    present = sparse.csr_matrix(words, dtype=np.float32, copy=True)
    present.data[:] = 1.0
    everywhere = np.asarray(present.sum(axis=0)).ravel()
    at: dict[str, list[int]] = {}
    for row, doc in enumerate(docs):
        place = next((f[len("service=") :] for f in doc.facts if f.startswith("service=")), "")
        if place and place.lower() not in NO_PLACE:
            at.setdefault(place, []).append(row)
    found: set[int] = set()
    for rows in at.values():
        modes: dict[str, list[int]] = {}
        for row in rows:
            if docs[row].modes:
                modes.setdefault(docs[row].modes[0], []).append(row)
        if len(rows) < PLACE_MIN or len(rows) > PLACE_MOST * len(docs) or len(modes) < 2:
            continue
        held = np.asarray(present[rows].sum(axis=0)).ravel()
        ways = sum((np.asarray(present[r].sum(axis=0)).ravel() > 0) for r in modes.values())
        named = (
            (held >= PLACE_SHARE * len(rows))
            & (held >= PLACE_ONLY * everywhere)
            & (np.asarray(ways) >= 2)
        )
        found.update(np.flatnonzero(named).tolist())
    why = {" ".join(mode.split("-")) for doc in docs for mode in doc.modes}
    found -= {vocabulary[t] for t in analyzer(" \n ".join(sorted(why))) if t in vocabulary}
    return np.array(sorted(found), dtype=np.intp)


def _fit(vectorizer: TfidfVectorizer, texts: Sequence[Any], n: int) -> sparse.spmatrix:
    """fit_transform, or an empty block when the texts have no usable term at all."""
    try:
        return vectorizer.fit_transform(texts)
    except ValueError:  # empty vocabulary: every word a stop word, or no text
        return sparse.csr_matrix((n, 0), dtype=np.float32)


def _apply(vectorizer: TfidfVectorizer, texts: Sequence[Any], n: int) -> sparse.spmatrix:
    if not hasattr(vectorizer, "vocabulary_"):
        return sparse.csr_matrix((n, 0), dtype=np.float32)
    return vectorizer.transform(texts)
