"""Reading and parsing with caches: unchanged files are neither read nor parsed again.

A file is taken as unchanged when its size and modification time are those recorded when it
was last read, as git's index does; a file modified within two seconds of that record could
have changed again within the same tick, so it is read anyway ("racily clean").
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable
from datetime import tzinfo
from pathlib import Path

from learnloop import cachefile
from learnloop.load import Survey, display_path, load_bytes, parse_files, repo_zone, survey
from learnloop.model import Corpus, Incident, Problem

Parsed = tuple[Incident | None, list[Problem]]
Files = list[tuple[Path, bytes | OSError | None]]
Digests = tuple[tuple[str, bytes], ...]
RACY_NS = 2_000_000_000  # files changed this close to a record's writing are read anyway


def unchanged(stat: os.stat_result, size: int, mtime_ns: int, written_ns: int) -> bool:
    """Whether a file is as recorded (size and mtime) at `written_ns`, and safely so.

    A file modified within RACY_NS of the record could have changed again within the same
    clock tick without its time moving: such a file is never taken as unchanged.
    """
    return (stat.st_size, stat.st_mtime_ns) == (size, mtime_ns) and mtime_ns < written_ns - RACY_NS


def read_changed(root: Path) -> tuple[Files, Digests, Survey]:
    """Every incident file, with its bytes only where it changed since the last run.

    Returns the files in path order (bytes, the error reading it, or None when unchanged),
    each file's sha256 digest by its path as shown (b"?" for an unreadable one), and the
    survey of incidents/ they were found by (what was skipped or refused).
    """
    path = root / cachefile.CACHE_DIR / f"files-{cachefile.code_digest()}.pickle"
    stored = cachefile.read(path)
    known: dict[str, tuple[int, int, bytes]] = {}
    written = 0
    if isinstance(stored, tuple) and len(stored) == 2 and isinstance(stored[1], dict):
        written, known = stored
    files: Files = []
    digests: list[tuple[str, bytes]] = []
    now: dict[str, tuple[int, int, bytes]] = {}
    start = time.time_ns()
    found = survey(root)
    for file in found.files:
        shown = display_path(file, root)
        try:
            stat = os.stat(file)
            entry = known.get(shown)
            if entry and unchanged(stat, entry[0], entry[1], written):
                files.append((file, None))
                digests.append((shown, entry[2]))
                now[shown] = entry
                continue
            raw = file.read_bytes()
        except OSError as exc:
            files.append((file, exc))
            digests.append((shown, b"?"))
            continue
        digest = hashlib.sha256(raw).digest()
        files.append((file, raw))
        digests.append((shown, digest))
        now[shown] = (stat.st_size, stat.st_mtime_ns, digest)
    # Recorded again while a file is racily clean, so that a later run can trust it.
    if now != known or any(entry[1] >= written - RACY_NS for entry in now.values()):
        cachefile.write(path, (start, now), replaces="files-*.pickle")
    return files, tuple(digests), found


def parse_cached(
    root: Path,
    files: Files,
    digests: Digests,
    found_files: Survey | None = None,
    parse: Callable[[bytes, str, tzinfo], Parsed] | None = None,
    salt: str = "",
) -> Corpus:
    """parse_files, reusing each file's earlier result when its path and bytes are unchanged.

    The results are kept by file path in `cachefile.Buckets`: a new or edited file re-pickles
    its own bucket only, so keeping its result costs little more than reading the rest. A
    file not read (None) must be found there; if the cache lost it, it is read now.
    """
    zone = repo_zone(root)
    parse = parse or load_bytes
    # The zone is part of what a parse means (a file reads differently after `timezone:`
    # moves), and so is whatever else the caller's parse depends on (`salt`).
    key = hashlib.sha256(f"{cachefile.code_digest()}\0{zone}\0{salt}".encode()).hexdigest()
    path = root / cachefile.CACHE_DIR / f"parsed-{key[:16]}.pickle"
    stored = cachefile.read(path)
    table = cachefile.Buckets(stored)
    key_of = dict(digests)

    def load(raw: bytes | None, shown: str) -> Parsed:
        bucket = table.bucket(shown)
        if raw is None:  # unchanged since the last run: its parse is kept, unless it was lost
            found = bucket.before.get((shown, key_of[shown]))
            if found is not None:
                bucket.used[shown, key_of[shown]] = found
                return found
            try:
                raw = (root / shown).read_bytes()
            except OSError as exc:
                return None, [Problem(shown, 0, "error", f"cannot read file: {exc.strerror}")]
            key = (shown, hashlib.sha256(raw).digest())
        else:
            key = (shown, key_of.get(shown) or hashlib.sha256(raw).digest())
        found = bucket.before.get(key)
        if found is None:
            found = parse(raw, shown, zone)
        bucket.used[key] = found
        return found

    corpus = parse_files(root, files, load, zone=zone, survey=found_files)
    packed = table.pack()
    if packed != table.stored:
        cachefile.write(path, packed, replaces="parsed-*.pickle")
    return corpus
