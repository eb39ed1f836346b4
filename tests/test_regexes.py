"""The reader's large patterns kept compiled in the user's cache folder: a pattern from the
cache is the one `re.compile` makes, and a damaged or foreign file is compiled afresh."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from learnloop import regexes
from learnloop.read import failure_modes, lexicon, themes

BATCH = [
    (r"(?<!\w)(?:connection pool|too many clients already)(?!\w)", re.IGNORECASE),
    (r"(?P<when>\d\d):(\d\d)(?:\s*(?P<zone>UTC|JST))?", 0),
    (r"^\s*#+\s*(.+)$", re.MULTILINE),
]


@pytest.fixture
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    return tmp_path / "learnloop" / "regex"


def batches(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.bin"))


def test_a_batch_from_the_cache_is_the_batch_re_compiles(cache_home: Path) -> None:
    fresh = regexes.compile_all(BATCH)
    assert len(batches(cache_home)) == 1
    kept = regexes.compile_all(BATCH)
    expected = [re.compile(pattern, flags) for pattern, flags in BATCH]
    # Pattern equality is text, flags and compiled program: no match can differ.
    assert fresh == expected
    assert kept == expected
    assert kept[1].groupindex == {"when": 1, "zone": 3}
    assert kept[1].groups == 3
    found = kept[1].search("paged at 09:14 JST")
    assert found is not None
    assert found.group("when", "zone") == ("09", "JST")


def test_the_shipped_vocabularies_are_the_same_from_the_cache(cache_home: Path) -> None:
    """The three vocabularies compiled afresh, then rebuilt from the files that made; each
    pattern as `re.compile` makes it."""

    def built() -> list[re.Pattern[str]]:
        cues = lexicon.build(lexicon._data("parts.yml"), lexicon._data("cues.yml"), "read/data")
        shipped = themes._lexicon(*themes._shipped_data())
        catalogue = failure_modes.load_catalogue(None)
        pattern, by_letter = failure_modes.Catalogue._compiled.func(catalogue)
        return [
            *cues.cues.values(),
            *(t.pattern for t in shipped.themes),
            shipped.architecture,
            shipped.detecting,
            pattern,
            *(e.pattern for found in by_letter.values() for e in found),
        ]

    first = built()
    assert len(batches(cache_home)) == 3
    again = built()
    assert len(again) > 900
    assert again == first == [re.compile(p.pattern, p.flags) for p in first]


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],  # cut short
        lambda data: b"[]\n" + data.partition(b"\n")[2],  # another batch's header
        lambda data: data.partition(b"\n")[0] + b"\n" + bytes(len(data.partition(b"\n")[2])),
        lambda data: b"\x00\xff not json\n",
        lambda data: data + b"\x01\x00\x00\x00",  # trailing program
    ],
)
def test_a_damaged_cache_is_compiled_afresh(
    cache_home: Path, damage: Callable[[bytes], bytes]
) -> None:
    regexes.compile_all(BATCH)
    (path,) = batches(cache_home)
    path.write_bytes(damage(path.read_bytes()))
    assert regexes.compile_all(BATCH) == [re.compile(p, f) for p, f in BATCH]
    # And the damaged file was replaced by a good one.
    assert regexes._load(path, BATCH) == [re.compile(p, f) for p, f in BATCH]


def test_a_folder_that_cannot_be_written_only_costs_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    assert regexes.compile_all(BATCH) == [re.compile(p, f) for p, f in BATCH]
    assert blocked.read_text() == "not a folder"


def test_only_the_batches_used_last_are_kept(
    cache_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(regexes, "_KEEP", 2)
    for n in range(4):
        regexes.compile_all([(f"word{n}", 0)])
    assert len(batches(cache_home)) == 2
    assert regexes._load(regexes._path([("word3", 0)]), [("word3", 0)]) is not None  # type: ignore[arg-type]
    assert not list(cache_home.glob(".*.tmp"))
