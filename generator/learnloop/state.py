"""patterns.yml: the committed record of each pattern's id, title, members and corrections.

Reviewers edit this file in pull requests: a changed title sticks, `pin` keeps incidents in a
pattern, `exclude` keeps them out, `merged_into` folds one pattern into another, and a new
entry with only `pin` splits incidents off into a pattern of their own. It is read with the C
loader for speed and rewritten with ruamel.yaml so that reviewers' comments survive.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from learnloop.errors import LearnloopError
from learnloop.load.fields import ID_RE, MAX_ID
from learnloop.load.yamlsafe import YamlError, parse

FILENAME = "patterns.yml"

HEADER = """\
# Recurring incident patterns, kept by `learnloop generate`. Reviewers may edit:
#   title: a better name; it sticks.
#   pin: [INC-…]         incidents that belong here whatever the engine thinks
#   exclude: [INC-…]     incidents that never belong here
#   merged_into: other   this pattern's incidents belong to another pattern
# A new entry with an id, a title and `pin` splits those incidents into a pattern of their own.
# since_refit lists incidents placed into the engine's last fit; `generate --refit` relearns.
"""


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


def _ids(
    value: Any, where: str, raw: dict[str, str] | None = None, at: str = ""
) -> tuple[str, ...]:
    """A list of ids, each as written (`0123` stays `0123`, not the number YAML reads)."""
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str | int | float) for v in value):
        raise LearnloopError(f"{FILENAME}: {where}: expected a list of incident ids")
    raw = raw or {}
    return tuple(
        v if isinstance(v, str) else raw.get(f"{at}.{n}", str(v)) for n, v in enumerate(value)
    )


def _pattern_id(value: Any, line: int, key: str) -> str:
    """A pattern id names its runbook's file: it follows the incident-id rule."""
    ident = str(value)
    if not ID_RE.match(ident) or len(ident) > MAX_ID:
        raise LearnloopError(
            f"{FILENAME}:{line}: {key}: {ident!r} is not a safe file and URL name; use "
            "letters, digits, '.', '_' and '-', starting with a letter or digit"
        )
    return ident


def read_state(root: Path) -> State:
    """The recorded state, or an empty one when the file does not exist yet."""
    path = root / FILENAME
    if not path.is_file():
        return State()
    return parse_state(path.read_text(encoding="utf-8"))


def parse_state(text: str) -> State:
    """The state a patterns.yml text records; LearnloopError (with its line) when malformed."""
    try:
        parsed = parse(text)
    except YamlError as exc:
        raise LearnloopError(f"{FILENAME}:{exc.line}: {exc.message}") from None
    data, raw = parsed.data or {}, parsed.raw
    if not isinstance(data, dict):
        raise LearnloopError(f"{FILENAME}:1: expected a mapping with `patterns:`")
    records = []
    seen: set[str] = set()
    for index, entry in enumerate(data.get("patterns") or []):
        line = parsed.lines.get(f"patterns.{index}", 1)
        if not isinstance(entry, dict) or not entry.get("id"):
            raise LearnloopError(f"{FILENAME}:{line}: each pattern needs an `id`")
        ident = _pattern_id(entry["id"], line, "id")
        if ident in seen:
            raise LearnloopError(f"{FILENAME}:{line}: pattern id {ident!r} appears twice")
        seen.add(ident)
        records.append(
            PatternRecord(
                id=ident,
                title=str(entry.get("title") or ident),
                incidents=_ids(
                    entry.get("incidents"), f"{ident}.incidents", raw, f"patterns.{index}.incidents"
                ),
                pin=_ids(entry.get("pin"), f"{ident}.pin", raw, f"patterns.{index}.pin"),
                exclude=_ids(
                    entry.get("exclude"), f"{ident}.exclude", raw, f"patterns.{index}.exclude"
                ),
                merged_into=_pattern_id(entry["merged_into"], line, "merged_into")
                if entry.get("merged_into")
                else None,
                retired=bool(entry.get("retired", False)),
                renamed_from=tuple(
                    _pattern_id(old, line, "renamed_from")
                    for old in _ids(entry.get("renamed_from"), f"{ident}.renamed_from")
                ),
            )
        )
    adrs = data.get("adr_numbers") or {}
    return State(
        patterns=tuple(records),
        unclustered=_ids(data.get("unclustered"), "unclustered", raw, "unclustered"),
        since_refit=_ids(data.get("since_refit"), "since_refit", raw, "since_refit"),
        adr_numbers=tuple(sorted((str(k), int(v)) for k, v in adrs.items()))
        if isinstance(adrs, dict)
        else (),
    )


def _flow(items: tuple[str, ...] | list[str]) -> CommentedSeq:
    seq = CommentedSeq(sorted(items))
    seq.fa.set_flow_style()
    return seq


def _update(parent: CommentedMap, key: str, values: list[str]) -> None:
    """Set a block sequence, editing the existing one so comments attached to it survive."""
    current = parent.get(key)
    if not isinstance(current, CommentedSeq) or current.fa.flow_style() is True:
        parent[key] = CommentedSeq(values)
        return
    # Item by item: ruamel keeps a comment on the item it follows, and moves it with inserts.
    wanted = set(values)
    for index in reversed(range(len(current))):
        if current[index] not in wanted:
            del current[index]
    for index, value in enumerate(values):
        if index >= len(current) or current[index] != value:
            current.insert(index, value)


def render_state(state: State, previous: str | None, recorded: State | None = None) -> str:
    """The state as YAML text, editing `previous` in place so comments and order survive.

    `recorded` is the state `previous` holds, when the caller has read it already.
    """
    fast = _plain_render(state, previous, recorded)
    return fast if fast is not None else _round_trip(state, previous)


def _round_trip(state: State, previous: str | None) -> str:
    yaml = YAML()
    yaml.width = 100
    yaml.indent(mapping=2, sequence=4, offset=2)
    doc = yaml.load(previous) if previous and previous.strip() else None
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
        # One member a line: adding an incident shows in review as one added line.
        _update(entry, "incidents", sorted(record.incidents))
        for key, values in (("pin", record.pin), ("exclude", record.exclude)):
            if values:
                entry[key] = _flow(values)
            elif key in entry:
                del entry[key]
        for key, value in (("merged_into", record.merged_into), ("retired", record.retired)):
            if value:
                entry[key] = value
            elif key in entry:
                del entry[key]
        if record.renamed_from:
            entry["renamed_from"] = _flow(record.renamed_from)
        entries.append(entry)
    doc["patterns"] = entries
    _update(doc, "unclustered", sorted(state.unclustered))
    if state.since_refit:
        _update(doc, "since_refit", sorted(state.since_refit))
    elif "since_refit" in doc:
        del doc["since_refit"]
    if state.adr_numbers:
        doc["adr_numbers"] = CommentedMap(sorted(state.adr_numbers))
    out = io.StringIO()
    yaml.dump(doc, out)
    text = out.getvalue()
    return text if text.startswith("#") else HEADER + text


# A round trip through ruamel costs seconds on a state of 10,000 incidents. When the file is
# exactly what this module would write (a leading comment block at most, keys in the order
# ruamel would keep, every scalar plain), the same text is written directly instead; any
# other file (comments among the entries, quoted or long titles, keys people added) takes
# the round trip. tests/test_state.py holds the two ways to the same bytes.
_TOP_KEYS = ("patterns", "unclustered", "since_refit", "adr_numbers")
_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9 _.,()/+-]*[A-Za-z0-9_.()/+-]|[A-Za-z]")
_PLAIN_KEY = re.compile(r"[A-Za-z][A-Za-z0-9_.:/+-]*[A-Za-z0-9_./+-]|[A-Za-z]")
_RESERVED = frozenset(["y", "n", "yes", "no", "on", "off", "true", "false", "null"])


def _safe(value: str, key: bool = False) -> bool:
    """Whether ruamel writes the value plain: no quoting, no folding, read back as text."""
    pattern = _PLAIN_KEY if key else _PLAIN
    if value[:1].isdigit():
        # "100x too low" is text, "0x1f", "1e3", "12:30" and "2024-01-01" are not: a leading
        # digit is plain only beside a letter no number or date could hold.
        if _NUMBERISH.fullmatch(value) or not re.search(r"[g-wyzG-WYZ]", value):
            return False
        value = "x" + value
    return (
        pattern.fullmatch(value) is not None
        and "  " not in value
        and value.lower() not in _RESERVED
        and len(value) <= 60
    )


_NUMBERISH = re.compile(r"[0-9a-fA-FxXoObB_.:+-]+|[0-9.]+[eE][-+]?[0-9]+")


def _entry(record: PatternRecord) -> dict[str, Any]:
    """The keys render_state gives a record, in the order it gives them to a new entry."""
    out: dict[str, Any] = {"id": record.id, "title": record.title}
    out["incidents"] = sorted(record.incidents)
    for key in ("pin", "exclude"):
        if getattr(record, key):
            out[key] = sorted(getattr(record, key))
    if record.merged_into:
        out["merged_into"] = record.merged_into
    if record.retired:
        out["retired"] = True
    if record.renamed_from:
        out["renamed_from"] = sorted(record.renamed_from)
    return out


def _emit(
    entries: list[dict[str, Any]], top: list[str], lists: dict[str, list[str]], adrs: dict
) -> str | None:
    lines: list[str] = []

    def block(items: list[str], indent: str) -> bool:
        for item in items:
            if not _safe(item):
                return False
            lines.append(f"{indent}- {item}")
        return True

    for key in top:
        if key == "patterns":
            if not entries:
                lines.append("patterns: []")
                continue
            lines.append("patterns:")
            for entry in entries:
                first = True
                for name, value in entry.items():
                    lead = "  - " if first else "    "
                    first = False
                    if name in ("incidents",):
                        if not value:
                            lines.append(f"{lead}{name}: []")
                            continue
                        lines.append(f"{lead}{name}:")
                        if not block(value, "      "):
                            return None
                    elif isinstance(value, list):
                        if not all(_safe(v) and "," not in v for v in value):
                            return None
                        lines.append(f"{lead}{name}: [{', '.join(value)}]")
                    elif value is True:
                        lines.append(f"{lead}{name}: true")
                    elif isinstance(value, str) and _safe(value):
                        lines.append(f"{lead}{name}: {value}")
                    else:
                        return None
        elif key in ("unclustered", "since_refit"):
            if not lists[key]:
                lines.append(f"{key}: []")
                continue
            lines.append(f"{key}:")
            if not block(lists[key], "  "):
                return None
        elif key == "adr_numbers":
            lines.append("adr_numbers:")
            for name, number in adrs.items():
                if not isinstance(name, str) or not _safe(name, key=True):
                    return None
                lines.append(f"  {name}: {int(number)}")
        else:
            return None
    return "\n".join(lines) + "\n"


def _plain_render(state: State, previous: str | None, recorded: State | None = None) -> str | None:
    """render_state's text without ruamel, or None when only the round trip gets it right."""
    header, body = HEADER, ""
    if previous and previous.strip():
        lines = previous.split("\n")
        lead = 0
        while lead < len(lines) and lines[lead].startswith("#"):
            lead += 1
        header, body = "\n".join(lines[:lead]) + "\n", "\n".join(lines[lead:])
        if lead == 0 or "#" in body:
            return None
        try:
            old = recorded if recorded is not None else parse_state(previous)
        except LearnloopError:
            return None
        top = re.findall(r"(?m)^([A-Za-z_]+):", body)
        old_entries = [_entry(r) for r in sorted(old.patterns, key=lambda r: r.id)]
        old_lists = {"unclustered": sorted(old.unclustered), "since_refit": sorted(old.since_refit)}
        if _emit(old_entries, top, old_lists, dict(old.adr_numbers)) != body:
            return None  # written by hand or by an older version: keep what ruamel keeps
        keys = {e["id"]: list(e) for e in old_entries}
        old_adrs = dict(old.adr_numbers)
    else:
        top, keys, old_adrs = [], {}, {}
    entries = [_entry(r) for r in sorted(state.patterns, key=lambda r: r.id)]
    if any(e["id"] in keys and list(e) != keys[e["id"]] for e in entries):
        return None  # ruamel appends a key new to an entry; the fresh order would differ
    adrs = dict(sorted(state.adr_numbers)) if state.adr_numbers else old_adrs
    present = {"patterns", "unclustered"}
    if state.since_refit:
        present.add("since_refit")
    if adrs:
        present.add("adr_numbers")
    order = [k for k in top if k in present]
    order += [k for k in _TOP_KEYS if k in present and k not in order]
    lists = {"unclustered": sorted(state.unclustered), "since_refit": sorted(state.since_refit)}
    text = _emit(entries, order, lists, adrs)
    return None if text is None else header + text
