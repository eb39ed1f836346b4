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
    """parse_files, reusing each file's earlier result when its path and bytes are unchanged.

    The results are kept by file path in `cachefile.Buckets`: a new or edited file re-pickles
    its own bucket only, so keeping its result costs little more than reading the rest.
    """
    path = root / cachefile.CACHE_DIR / f"parsed-{cachefile.code_digest()}.pickle"
    stored = cachefile.read(path)
    table = cachefile.Buckets(stored)
    key_of = dict(digests)

    def load(raw: bytes, shown: str) -> Parsed:
        key = (shown, key_of.get(shown) or hashlib.sha256(raw).digest())
        bucket = table.bucket(shown)
        found = bucket.before.get(key)
        if found is None:
            found = load_bytes(raw, shown)
        bucket.used[key] = found
        return found

    corpus = parse_files(root, files, load)
    packed = table.pack()
    if packed != table.stored:
        cachefile.write(path, packed, replaces="parsed-*.pickle")
    return corpus
