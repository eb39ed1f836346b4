"""Reference labels for the real post-mortem collections, made by hand from the texts.

Two kinds, one YAML file per collection each:
- `groupings/<collection>.yml`: which incidents are the same failure recurring;
- `parts/<collection>.yml`: which lines state the root cause and which the mitigation.

They are the yardstick the engine is measured against, so nothing here may come from the
engine. Every file is checked when it is loaded: a broken label file would silently skew
every score computed from it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from benchmarks import datasets
from learnloop.load.yamlsafe import YamlError, parse

LABELS = Path(__file__).resolve().parent
_GROUPINGS = LABELS / "groupings"
_PARTS = LABELS / "parts"

# The collections with a label file, from the files themselves so a new one counts at once.
GROUPED_COLLECTIONS: tuple[str, ...] = tuple(sorted(p.stem for p in _GROUPINGS.glob("*.yml")))
PARTED_COLLECTIONS: tuple[str, ...] = tuple(sorted(p.stem for p in _PARTS.glob("*.yml")))

# Parts fields -> lowest valid value: lines count from 1, Statuspage update indices from 0.
_FIELDS = {"root_cause": 1, "mitigation": 1, "root_cause_updates": 0, "mitigation_updates": 0}


@dataclass(frozen=True)
class Grouping:
    """Every incident considered, and the groups of those that are the same failure."""

    collection: str
    population: tuple[str, ...]
    groups: dict[str, tuple[str, ...]]  # group name -> members, in file order

    def group_of(self) -> dict[str, str | None]:
        """Each incident's group, None for a one-off."""
        owner: dict[str, str | None] = dict.fromkeys(self.population)
        for name, members in self.groups.items():
            for member in members:
                owner[member] = name
        return owner


@dataclass(frozen=True)
class PartLabels:
    """The lines (Markdown) or update indices (Statuspage JSON) of one post-mortem."""

    file: str
    root_cause: frozenset[int] = frozenset()
    mitigation: frozenset[int] = frozenset()
    root_cause_updates: frozenset[int] = frozenset()
    mitigation_updates: frozenset[int] = frozenset()
    notes: str = ""


def groupings(collection: str) -> Grouping:
    """The reference grouping of a collection, checked against ../shared when it is there."""
    return load_grouping(_GROUPINGS / f"{collection}.yml", _shared())


def parts(collection: str) -> list[PartLabels]:
    """The root-cause and mitigation labels of a collection, in file order, checked likewise."""
    return load_parts(_PARTS / f"{collection}.yml", _shared())


def _shared() -> Path | None:
    return datasets.SHARED if datasets.available() else None


class _Problems:
    """Every problem in one label file, reported together as `path:line: message`."""

    def __init__(self, path: Path, lines: dict[str, int]) -> None:
        self.path = path
        self.lines = lines
        self.found: list[str] = []

    def add(self, key: str, message: str) -> None:
        # The line of the nearest enclosing key that has one ("groups.2.members.1" -> itself,
        # a missing key -> its parent), so the message points where the fix goes.
        parts = key.split(".") if key else []
        while parts and ".".join(parts) not in self.lines:
            parts.pop()
        line = self.lines.get(".".join(parts), 1)
        self.found.append(f"{self.path}:{line}: {message}")

    def raise_any(self) -> None:
        if self.found:
            raise ValueError("\n".join(self.found))


def _read(path: Path) -> tuple[Any, _Problems]:
    try:
        parsed = parse(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ValueError(f"{path}:1: cannot read: {exc.strerror}") from None
    except YamlError as exc:
        raise ValueError(f"{path}:{exc.line}: {exc.message}") from None
    problems = _Problems(path, parsed.lines)
    if not isinstance(parsed.data, dict):
        problems.add("", "expected a mapping with `collection` at the top")
        problems.raise_any()
    data = parsed.data
    if data.get("collection") != path.stem:
        problems.add("collection", f"collection: expected {path.stem!r} (the file's name)")
    return data, problems


def _strings(value: Any, key: str, problems: _Problems) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        problems.add(key, f"{key}: expected a list of non-empty strings")
        return []
    return value


def _collection_root(shared: Path, collection: str) -> Path:
    # DFDS keeps its post-mortems in the collection folder itself; the others under files/.
    base = shared / collection
    return base / "files" if (base / "files").is_dir() else base


@cache
def _by_name(root: Path) -> dict[str, tuple[Path, ...]]:
    found: dict[str, list[Path]] = {}
    for path in sorted(root.rglob("*")):
        if path.is_file():
            found.setdefault(path.name, []).append(path)
    return {name: tuple(paths) for name, paths in found.items()}


def _locate(shared: Path, collection: str, name: str) -> Path | None:
    """The file a label names: a path under the collection's root, or a unique file name."""
    root = _collection_root(shared, collection)
    direct = root / name
    if direct.is_file():
        return direct
    matches = _by_name(root).get(name, ())
    return matches[0] if len(matches) == 1 else None


def locate(collection: str, name: str) -> Path:
    """The file of a collection that a label names (FileNotFoundError when there is none)."""
    shared = _shared()
    found = _locate(shared, collection, name) if shared is not None else None
    if found is None:
        raise FileNotFoundError(f"{collection}: {name}")
    return found


def load_grouping(path: Path, shared: Path | None = None) -> Grouping:
    """Read and check a grouping file; `shared` is ../shared/datasets, or None to skip files."""
    data, problems = _read(path)
    for field in ("labelled_by", "method"):
        if not isinstance(data.get(field), str) or not data[field].strip():
            problems.add(field, f"{field}: say how the grouping was made")
    population = _strings(data.get("population"), "population", problems)
    seen: set[str] = set()
    for index, name in enumerate(population):
        if name in seen:
            problems.add(f"population.{index}", f"population: {name!r} is listed twice")
        seen.add(name)
        if shared is not None and _locate(shared, path.stem, name) is None:
            problems.add(f"population.{index}", f"no such incident in the collection: {name!r}")
    groups: dict[str, tuple[str, ...]] = {}
    owner: dict[str, str] = {}
    raw_groups = data.get("groups")
    if not isinstance(raw_groups, list):
        problems.add("groups", "groups: expected a list (empty when nothing recurs)")
        raw_groups = []
    for g, group in enumerate(raw_groups):
        key = f"groups.{g}"
        if not isinstance(group, dict) or not isinstance(group.get("name"), str):
            problems.add(key, "a group needs a `name`, a `why` and `members`")
            continue
        name = group["name"]
        if name in groups:
            problems.add(f"{key}.name", f"group {name!r} is defined twice")
        if not isinstance(group.get("why"), str) or not group["why"].strip():
            problems.add(f"{key}.why", f"group {name!r}: `why` must say the shared mechanism")
        members = _strings(group.get("members"), f"{key}.members", problems)
        if len(set(members)) < 2:
            problems.add(f"{key}.members", f"group {name!r}: a group needs 2 or more members")
        for m, member in enumerate(members):
            where = f"{key}.members.{m}"
            if member not in seen:
                problems.add(where, f"group {name!r}: {member!r} is not in the population")
            elif member in owner:
                problems.add(where, f"{member!r} is in both {owner[member]!r} and {name!r}")
            else:
                owner[member] = name
        groups.setdefault(name, tuple(members))
    problems.raise_any()
    return Grouping(path.stem, tuple(population), groups)


def _line_count(path: Path) -> int:
    raw = path.read_bytes()
    # Lines as a reader counts them: after each \n, plus a last line without one.
    return raw.count(b"\n") + (0 if not raw or raw.endswith(b"\n") else 1)


def _update_count(path: Path) -> int | None:
    try:
        updates = json.loads(path.read_bytes())["incident"]["incident_updates"]
    except (ValueError, KeyError, TypeError):
        return None
    return len(updates) if isinstance(updates, list) else None


def _numbers(value: Any, key: str, lowest: int, problems: _Problems) -> frozenset[int]:
    if value is None:
        return frozenset()
    valid = isinstance(value, list) and all(
        isinstance(v, int) and not isinstance(v, bool) and v >= lowest for v in value
    )
    if not valid:
        problems.add(key, f"{key.rsplit('.', 1)[-1]}: expected a list of integers >= {lowest}")
        return frozenset()
    if len(set(value)) != len(value):
        problems.add(key, f"{key.rsplit('.', 1)[-1]}: a number is listed twice")
    return frozenset(value)


def _beyond(numbers: Iterable[int], limit: int) -> list[int]:
    return sorted(n for n in numbers if n > limit)


def load_parts(path: Path, shared: Path | None = None) -> list[PartLabels]:
    """Read and check a parts file; `shared` is ../shared/datasets, or None to skip files."""
    data, problems = _read(path)
    entries = data.get("files")
    if not isinstance(entries, list):
        problems.add("files", "files: expected a list of labelled post-mortems")
        problems.raise_any()
    labels: list[PartLabels] = []
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        key = f"files.{index}"
        if not isinstance(entry, dict) or not isinstance(entry.get("file"), str):
            problems.add(key, "each entry needs a `file`")
            continue
        name = entry["file"]
        if name in seen:
            problems.add(f"{key}.file", f"{name!r} is labelled twice")
        seen.add(name)
        unknown = sorted(set(entry) - {"file", *_FIELDS, "notes"})
        if unknown:
            problems.add(key, f"{name!r}: unknown keys {', '.join(unknown)}")
        values = {f: _numbers(entry.get(f), f"{key}.{f}", _FIELDS[f], problems) for f in _FIELDS}
        is_json = name.endswith(".json")
        wrong = [f for f in _FIELDS if f in entry and f.endswith("_updates") != is_json]
        for field in wrong:
            kind = "update indices" if field.endswith("_updates") else "line numbers"
            problems.add(f"{key}.{field}", f"{name!r}: {kind} do not apply to this file")
        if shared is not None:
            _check_extent(shared, path.stem, name, values, key, problems)
        notes = entry.get("notes")
        labels.append(PartLabels(name, notes=notes if isinstance(notes, str) else "", **values))
    problems.raise_any()
    return labels


def _check_extent(
    shared: Path,
    collection: str,
    name: str,
    values: dict[str, frozenset[int]],
    key: str,
    problems: _Problems,
) -> None:
    located = _locate(shared, collection, name)
    if located is None:
        problems.add(f"{key}.file", f"no such file in the collection: {name!r}")
        return
    if name.endswith(".json"):
        count = _update_count(located)
        if count is None:
            problems.add(f"{key}.file", f"{name!r} is not a Statuspage incident")
            return
        limits = {"root_cause_updates": count - 1, "mitigation_updates": count - 1}
        what = f"it has {count} updates (indices 0-{count - 1})"
    else:
        count = _line_count(located)
        limits = {"root_cause": count, "mitigation": count}
        what = f"it has {count} lines"
    for field, limit in limits.items():
        beyond = _beyond(values[field], limit)
        if beyond:
            listed = ", ".join(map(str, beyond))
            problems.add(f"{key}.{field}", f"{name!r}: {field} {listed} beyond the file; {what}")
