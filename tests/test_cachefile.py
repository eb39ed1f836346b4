"""The caches' key: everything the package computes from, its data as well as its code."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from learnloop import cachefile


@pytest.fixture
def package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A stand-in for the installed package, digested afresh on every call."""
    root = tmp_path / "learnloop"
    (root / "read" / "data").mkdir(parents=True)
    (root / "read" / "__init__.py").write_text("X = 1\n")
    (root / "read" / "data" / "cues.yml").write_text("mitigation: [roll* back]\n")
    monkeypatch.setattr(cachefile, "_PACKAGE", root)
    cachefile.code_digest.cache_clear()
    yield root
    monkeypatch.undo()
    cachefile.code_digest.cache_clear()


def digest() -> str:
    cachefile.code_digest.cache_clear()
    return cachefile.code_digest()


def test_a_change_to_the_readers_words_misses_every_cache(package: Path) -> None:
    """Parsed incidents and the analysis are cached under this digest: a new cue in the
    package's data must not be answered from a cache made with the old ones."""
    before = digest()
    (package / "read" / "data" / "cues.yml").write_text("mitigation: [roll* back, restart*]\n")
    assert digest() != before


def test_code_changes_miss_and_compiled_files_do_not(package: Path) -> None:
    before = digest()
    (package / "read" / "__pycache__").mkdir()
    (package / "read" / "__pycache__" / "x.cpython-311.pyc").write_bytes(b"\0")
    assert digest() == before
    (package / "read" / "__init__.py").write_text("X = 2\n")
    assert digest() != before
