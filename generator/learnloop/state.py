"""The committed record of the patterns, in two files: what reviewers decide, what the engine found.

`patterns.yml` holds each pattern's id and title and the reviewers' corrections: a changed
title sticks, `pin` keeps incidents in a pattern, `exclude` keeps them out, `merged_into`
folds one pattern into another, and a new entry with only `pin` splits incidents off into a
pattern of their own. People edit it, so it is rewritten with ruamel.yaml, which keeps their
comments and order; and it is left byte for byte as it is when it already says what the
engine would write, which is the usual run.

`patterns.members.yml` holds what `generate` works out: each pattern's incidents, retired
patterns, the one-offs, the incidents placed into the last fit, the numbers given to
decision records. Nobody writes it by hand, so it is written plainly in one pass, however
many incidents there are. It is read back as the record of where each incident is, so an
edit to it is kept like any recorded membership.

A patterns.yml written before the split also holds the members; it is read as it is, and the
next `generate` moves them over.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from learnloop.errors import LearnloopError
from learnloop.load.fields import ID_RE, MAX_ID
from learnloop.load.yamlsafe import YamlError, parse

FILENAME = "patterns.yml"
MEMBERS = "patterns.members.yml"

HEADER = """\
# Recurring incident patterns, kept by `learnloop generate`. Reviewers may edit:
#   title: a better name; it sticks.
#   pin: [INC-…]         incidents that belong here whatever the engine thinks
#   exclude: [INC-…]     incidents that never belong here
#   merged_into: other   this pattern's incidents belong to another pattern
# A new entry with an id, a title and `pin` splits those incidents into a pattern of their own.
# Which incidents each pattern holds is in patterns.members.yml, written by `generate`.
"""
# What patterns.yml began with before the members moved out; replaced by HEADER.
_OLD_HEADER_END = "# since_refit lists incidents placed into the engine's last fit"

MEMBERS_HEADER = """\
# Written by `learnloop generate`: the incidents of each pattern, the one-offs (unclustered),
# the incidents placed into the last fit rather than learned from (since_refit; `generate
# --refit` relearns), and decision-record numbers. Corrections go in patterns.yml.
"""

# Keys the engine writes; a patterns.yml from before the split has them, the next one not.
_MEMBER_KEYS = ("incidents", "retired")
_MEMBER_TOP = ("unclustered", "since_refit", "adr_numbers")

try:
    _Dumper: type = yaml.CSafeDumper
except AttributeError:  # pragma: no cover - libyaml missing
    _Dumper = yaml.SafeDumper


@dataclass(frozen=True)
class PatternRecord:
    id: str
    title: str
    incidents: tuple[str, ...] = ()
    pin: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    merged_into: str | None = None
    retired: bool = False
    renamed_from: tuple[str, ...] = ()


@dataclass(frozen=True)
class State:
    patterns: tuple[PatternRecord, ...] = ()
    unclustered: tuple[str, ...] = ()
    # Incidents placed into the engine's last fit rather than learned from; the rest of the
    # recorded incidents are its basis. Emptied by each refit.
    since_refit: tuple[str, ...] = ()
    adr_numbers: tuple[tuple[str, int], ...] = field(default=())

    def by_id(self) -> dict[str, PatternRecord]:
        return {p.id: p for p in self.patterns}


def _ids(value: Any, where: str, parsed: Any, at: str, name: str = FILENAME) -> tuple[str, ...]:
    """A list of ids, each as written (`0123` stays `0123`, not the number YAML reads)."""
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str | int | float) for v in value):
        line = parsed.lines.get(at, 1)
        raise LearnloopError(f"{name}:{line}: {where}: expected a list of incident ids")
    return tuple(
        v if isinstance(v, str) else parsed.raw.get(f"{at}.{n}", str(v))
        for n, v in enumerate(value)
    )


def _pattern_id(value: Any, line: int, key: str, name: str = FILENAME) -> str:
    """A pattern id names its runbook's file: it follows the incident-id rule."""
    ident = str(value)
    if not ID_RE.match(ident) or len(ident) > MAX_ID:
        raise LearnloopError(
            f"{name}:{line}: {key}: {ident!r} is not a safe file and URL name; use "
            "letters, digits, '.', '_' and '-', starting with a letter or digit"
        )
    return ident


def _title(value: Any, raw: str | None) -> str:
    """A title as written: a reviewer's `12:30` is that text, not the number YAML 1.1 reads."""
    if value is None or isinstance(value, str):
        return value or ""
    return raw if raw is not None else str(value)


def read_state(root: Path) -> State:
    """The recorded state, or an empty one when nothing is recorded yet."""
    texts = [root / FILENAME, root / MEMBERS]
    corrections, members = (p.read_text(encoding="utf-8") if p.is_file() else None for p in texts)
    return parse_state(corrections or "", members)


def _mapping(text: str, name: str) -> tuple[dict[str, Any], Any]:
    try:
        parsed = parse(text)
    except YamlError as exc:
        raise LearnloopError(f"{name}:{exc.line}: {exc.message}") from None
    data = parsed.data or {}
    if not isinstance(data, dict):
        raise LearnloopError(f"{name}:1: expected a mapping with `patterns:`")
    return data, parsed


def _entries(data: dict[str, Any], parsed: Any, name: str) -> list[tuple[int, str, dict]]:
    """(index, id, entry) of each pattern listed, ids checked and unique."""
    out = []
    seen: set[str] = set()
    listed = data.get("patterns") or []
    if not isinstance(listed, list):
        raise LearnloopError(
            f"{name}:{parsed.lines.get('patterns', 1)}: `patterns` should list the patterns"
        )
    for index, entry in enumerate(listed):
        line = parsed.lines.get(f"patterns.{index}", 1)
        if not isinstance(entry, dict) or not entry.get("id"):
            raise LearnloopError(f"{name}:{line}: each pattern needs an `id`")
        ident = _pattern_id(entry["id"], line, "id", name)
        if ident in seen:
            raise LearnloopError(f"{name}:{line}: pattern id {ident!r} appears twice")
        seen.add(ident)
        out.append((index, ident, entry))
    return out


@dataclass(frozen=True)
class _Members:
    """What the engine recorded: members and retirement per pattern, and the lists."""

    incidents: dict[str, tuple[str, ...]]
    retired: frozenset[str]
    unclustered: tuple[str, ...]
    since_refit: tuple[str, ...]
    adr_numbers: tuple[tuple[str, int], ...]
    order: tuple[str, ...]


_NO_MEMBERS = _Members({}, frozenset(), (), (), (), ())


def _members(data: dict[str, Any], parsed: Any, name: str) -> _Members:
    incidents, retired, order = {}, set(), []
    for index, ident, entry in _entries(data, parsed, name):
        at = f"patterns.{index}.incidents"
        incidents[ident] = _ids(entry.get("incidents"), f"{ident}.incidents", parsed, at, name)
        if entry.get("retired"):
            retired.add(ident)
        order.append(ident)
    adrs = data.get("adr_numbers") or {}
    numbers: list[tuple[str, int]] = []
    if isinstance(adrs, dict):
        for key, number in adrs.items():
            if not isinstance(number, int) or isinstance(number, bool):
                line = parsed.lines.get(f"adr_numbers.{key}", 1)
                raise LearnloopError(f"{name}:{line}: adr_numbers: {key}: expected a number")
            numbers.append((str(key), number))
    return _Members(
        incidents=incidents,
        retired=frozenset(retired),
        unclustered=_ids(data.get("unclustered"), "unclustered", parsed, "unclustered", name),
        since_refit=_ids(data.get("since_refit"), "since_refit", parsed, "since_refit", name),
        adr_numbers=tuple(sorted(numbers)),
        order=tuple(order),
    )


def parse_state(text: str, members: str | None = None) -> State:
    """The state patterns.yml (`text`) and patterns.members.yml (`members`) record.

    Without a members text, the members are read from `text`, as written before the split.
    LearnloopError, with the file and line, when either is malformed.
    """
    data, parsed = _mapping(text, FILENAME)
    if members is not None:
        engine = _members(*_mapping(members, MEMBERS), MEMBERS)
    else:
        engine = _members(data, parsed, FILENAME)
    return _state(data, parsed, engine)


def _state(data: dict[str, Any], parsed: Any, engine: _Members) -> State:
    raw = parsed.raw
    records = []
    for index, ident, entry in _entries(data, parsed, FILENAME):
        line = parsed.lines.get(f"patterns.{index}", 1)
        at = f"patterns.{index}"
        records.append(
            PatternRecord(
                id=ident,
                title=_title(entry.get("title"), raw.get(f"{at}.title")) or ident,
                incidents=engine.incidents.get(ident, ()),
                pin=_ids(entry.get("pin"), f"{ident}.pin", parsed, f"{at}.pin"),
                exclude=_ids(entry.get("exclude"), f"{ident}.exclude", parsed, f"{at}.exclude"),
                merged_into=_pattern_id(entry["merged_into"], line, "merged_into")
                if entry.get("merged_into")
                else None,
                retired=ident in engine.retired,
                renamed_from=tuple(
                    _pattern_id(old, line, "renamed_from")
                    for old in _ids(
                        entry.get("renamed_from"),
                        f"{ident}.renamed_from",
                        parsed,
                        f"{at}.renamed_from",
                    )
                ),
            )
        )
    # A pattern the engine recorded whose entry is gone from patterns.yml keeps its members
    # (and its id, so it is never given to another pattern) under its id as its title.
    named = {r.id for r in records}
    records += [
        PatternRecord(id=i, title=i, incidents=engine.incidents[i], retired=i in engine.retired)
        for i in engine.order
        if i not in named
    ]
    return State(
        patterns=tuple(records),
        unclustered=engine.unclustered,
        since_refit=engine.since_refit,
        adr_numbers=engine.adr_numbers,
    )


def render_state(state: State, previous: str | None) -> dict[str, str]:
    """Both files' text for `state`; patterns.yml edits `previous` so comments and order survive."""
    return {FILENAME: render_corrections(state, previous), MEMBERS: render_members(state)}


def render_members(state: State) -> str:
    """patterns.members.yml: sorted, one incident a line, so a move is a line in review."""
    entries: list[dict[str, Any]] = []
    for record in sorted(state.patterns, key=lambda r: r.id):
        entry: dict[str, Any] = {"id": record.id, "incidents": sorted(record.incidents)}
        if record.retired:
            entry["retired"] = True
        entries.append(entry)
    data: dict[str, Any] = {"patterns": entries, "unclustered": sorted(state.unclustered)}
    if state.since_refit:
        data["since_refit"] = sorted(state.since_refit)
    if state.adr_numbers:
        data["adr_numbers"] = dict(sorted(state.adr_numbers))
    body = yaml.dump(
        data,
        Dumper=_Dumper,
        sort_keys=False,
        default_flow_style=False,
        allow_unicode=True,
        width=1000,
    )
    return MEMBERS_HEADER + body


def _corrections(record: PatternRecord) -> tuple:
    """What patterns.yml says of a pattern, in a form that compares."""
    return (
        record.id,
        record.title,
        tuple(sorted(record.pin)),
        tuple(sorted(record.exclude)),
        record.merged_into,
        tuple(sorted(record.renamed_from)),
    )


def _says_already(state: State, previous: str) -> bool:
    """Whether `previous` holds exactly what would be written, entries in order, no members."""
    try:
        data, parsed = _mapping(previous, FILENAME)
        entries = _entries(data, parsed, FILENAME)
        if any(key in data for key in _MEMBER_TOP) or any(
            key in entry for _, _, entry in entries for key in _MEMBER_KEYS
        ):
            return False
        written = _state(data, parsed, _NO_MEMBERS)
    except LearnloopError:
        return False
    wanted = [_corrections(r) for r in sorted(state.patterns, key=lambda r: r.id)]
    return [_corrections(r) for r in written.patterns] == wanted


def _flow(items: tuple[str, ...] | list[str]) -> CommentedSeq:
    seq = CommentedSeq(sorted(items))
    seq.fa.set_flow_style()
    return seq


def render_corrections(state: State, previous: str | None) -> str:
    """patterns.yml: `previous` itself when it says it all, else `previous` edited in place."""
    if previous and previous.strip() and _says_already(state, previous):
        return previous
    yaml_rt = YAML()
    yaml_rt.width = 100
    yaml_rt.indent(mapping=2, sequence=4, offset=2)
    doc = yaml_rt.load(previous) if previous and previous.strip() else None
    if not isinstance(doc, CommentedMap):
        doc = CommentedMap()
    old_entries = {
        str(e.get("id")): e for e in (doc.get("patterns") or []) if isinstance(e, CommentedMap)
    }
    entries = CommentedSeq()
    for record in sorted(state.patterns, key=lambda r: r.id):
        entry = old_entries.get(record.id, CommentedMap())
        entry["id"] = record.id
        entry["title"] = record.title
        for key in _MEMBER_KEYS:
            entry.pop(key, None)
        for key, values in (
            ("pin", record.pin),
            ("exclude", record.exclude),
            ("renamed_from", record.renamed_from),
        ):
            if values:
                entry[key] = _flow(values)
            elif key in entry:
                del entry[key]
        if record.merged_into:
            entry["merged_into"] = record.merged_into
        elif "merged_into" in entry:
            del entry["merged_into"]
        entries.append(entry)
    doc["patterns"] = entries
    for key in _MEMBER_TOP:
        doc.pop(key, None)
    out = io.StringIO()
    yaml_rt.dump(doc, out)
    text = out.getvalue()
    if text.startswith("#") and _OLD_HEADER_END in text:
        text = HEADER + text.split(_OLD_HEADER_END, 1)[1].split("\n", 1)[1]
    return text if text.startswith("#") else HEADER + text
