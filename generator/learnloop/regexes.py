"""The reader's large patterns, compiled once per machine instead of once per run.

The vocabularies (cues, failure modes, themes) become a few hundred thousand characters of
regular expressions, and Python compiles a pattern with code written in Python: about two
seconds of every run, most of what `learnloop check FILE` takes. What the compiler makes of
a pattern depends only on its text, its flags and the Python that compiles it, so the
program it makes is kept in the user's cache folder (never a repository) under a key of all
of these, and handed straight to the regex engine on later runs.

The engine checks every program it is given and refuses a malformed one, and whatever goes
wrong here (a damaged or foreign file, another Python, a folder that cannot be written)
only means the patterns are compiled as usual. A pattern from the cache is equal (`==`) to
the one `re.compile` makes: same text, flags and program, so no match can differ.
"""

from __future__ import annotations

import _sre
import array
import contextlib
import hashlib
import json
import logging
import os
import re
import sys
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from re import _compiler, _parser  # type: ignore[attr-defined]
from typing import TypedDict

from learnloop.cachefile import replace_atomically, user_cache

log = logging.getLogger(__name__)

_KEEP = 32  # batches kept: the shipped ones and a few teams' extensions, per Python


def compile_all(patterns: Sequence[tuple[str, int]]) -> list[re.Pattern[str]]:
    """Each (pattern, flags) compiled, as `re.compile` would; from this machine's cache when
    the same batch was compiled before by the same Python."""
    path = _path(patterns)
    if path is None:
        return [re.compile(pattern, flags) for pattern, flags in patterns]
    if (found := _load(path, patterns)) is not None:
        return found
    programs = [_program(pattern, flags) for pattern, flags in patterns]
    if all(p is not None for p in programs):
        _store(path, [p for p in programs if p is not None])
    return [re.compile(pattern, flags) if program is None else program[0]
            for (pattern, flags), program in zip(patterns, programs, strict=True)]  # fmt: skip


class _Parts(TypedDict):
    """What rebuilds a compiled pattern besides its text."""

    flags: int
    groups: int
    groupindex: dict[str, int]
    indexgroup: list[str | None]
    code: list[int]


_Program = tuple[re.Pattern[str], _Parts]


def _program(pattern: str, flags: int) -> _Program | None:
    """`re.compile` as the standard library does it, keeping the program it makes; None where
    this Python's compiler is not the one this was written against."""
    try:
        parsed = _parser.parse(pattern, flags)
        code = _compiler._code(parsed, flags)
        groupindex = dict(parsed.state.groupdict)
        indexgroup: list[str | None] = [None] * parsed.state.groups
        for name, index in groupindex.items():
            indexgroup[index] = name
        parts = _Parts(
            flags=flags | parsed.state.flags,
            groups=parsed.state.groups - 1,
            groupindex=groupindex,
            indexgroup=indexgroup,
            code=code,
        )
        compiled = _build(pattern, parts)
    except Exception:  # another Python's internals: compile as usual
        return None
    return compiled, parts


@cache
def _same_as_re() -> bool:
    """Whether a program made here is the one `re.compile` makes, on a pattern with every kind
    of group: false on a Python whose compiler changed, which then compiles as usual."""
    canary = r"(?P<a>x)(?:y|z)+(w)?(?i:q)\b"
    made = _program(canary, re.MULTILINE)
    return made is not None and made[0] == re.compile(canary, re.MULTILINE)


def _build(pattern: str, parts: _Parts) -> re.Pattern[str]:
    compiled: re.Pattern[str] = _sre.compile(
        pattern,
        parts["flags"],
        parts["code"],
        parts["groups"],
        parts["groupindex"],
        tuple(parts["indexgroup"]),
    )
    return compiled


def _path(patterns: Sequence[tuple[str, int]]) -> Path | None:
    if array.array("I").itemsize != _sre.CODESIZE or not _same_as_re():
        return None
    key = json.dumps([sys.version, sys.byteorder, _sre.MAGIC, _sre.CODESIZE, list(patterns)])
    return user_cache() / "regex" / f"{hashlib.sha256(key.encode()).hexdigest()[:32]}.bin"


def _load(path: Path, patterns: Sequence[tuple[str, int]]) -> list[re.Pattern[str]] | None:
    try:
        data = path.read_bytes()
    except OSError:
        return None
    try:
        head, _, body = data.partition(b"\n")
        heads = json.loads(head)
        codes = array.array("I")
        codes.frombytes(body)
        if not isinstance(heads, list) or len(heads) != len(patterns):
            raise ValueError("another batch")
        found, at = [], 0
        for (pattern, _flags), parts in zip(patterns, heads, strict=True):
            size = parts.pop("size")
            if not isinstance(size, int) or at + size > len(codes):
                raise ValueError("truncated")
            parts["code"] = codes[at : at + size].tolist()
            at += size
            found.append(_build(pattern, parts))
        if at != len(codes):
            raise ValueError("trailing data")
    except Exception:  # damaged, foreign or refused by the engine: recompile
        log.info("ignoring a compiled-pattern cache this Python did not write: %s", path)
        return None
    with contextlib.suppress(OSError):
        os.utime(path)  # the batches in use are the ones kept
    return found


def _store(path: Path, programs: Sequence[_Program]) -> None:
    heads, codes = [], array.array("I")
    for _compiled, parts in programs:
        heads.append({k: v for k, v in parts.items() if k != "code"} | {"size": len(parts["code"])})
        codes.extend(parts["code"])
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        replace_atomically(path, json.dumps(heads).encode() + b"\n" + codes.tobytes())
        _prune(path.parent)
    except OSError:
        log.info("compiled patterns cannot be kept at %s", path.parent)


def _prune(folder: Path) -> None:
    """Keep the batches used last; the rest were a vocabulary since changed."""
    batches = sorted(folder.glob("*.bin"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in batches[_KEEP:]:
        old.unlink(missing_ok=True)
