"""Parsing with a per-file cache: a file whose bytes did not change is not parsed again."""

from __future__ import annotations

import hashlib
from pathlib import Path

from learnloop import cachefile
from learnloop.load import load_bytes, parse_files
from learnloop.model import Corpus, Incident, Problem

Parsed = tuple[Incident | None, list[Problem]]


def parse_cached(
    root: Path,
    files: list[tuple[Path, bytes | OSError]],
    digests: tuple[tuple[str, bytes], ...],
) -> Corpus:
    """parse_files, reusing each file's earlier result when its path and bytes are unchanged."""
    path = root / cachefile.CACHE_DIR / f"parsed-{cachefile.code_digest()}.pickle"
    stored = cachefile.read(path)
    known: dict[tuple[str, bytes], Parsed] = stored if isinstance(stored, dict) else {}
    key_of = {rel: digest for rel, digest in digests}
    used: dict[tuple[str, bytes], Parsed] = {}

    def load(raw: bytes, shown: str) -> Parsed:
        key = (shown, key_of.get(shown) or hashlib.sha256(raw).digest())
        if key not in known:
            known[key] = load_bytes(raw, shown)
        used[key] = known[key]
        return used[key]

    corpus = parse_files(root, files, load)
    if used.keys() != known.keys() or stored is None:
        cachefile.write(path, used, replaces="parsed-*.pickle")
    return corpus
