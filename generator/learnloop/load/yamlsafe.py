"""YAML parsing that keeps line numbers and refuses alias bombs."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import yaml

from learnloop.errors import SettingsError

try:  # the C parser is several times faster on a large corpus
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - libyaml missing
    _Loader = yaml.SafeLoader

# A post-mortem has a few hundred nodes; anything far beyond that is an attack or an accident.
# A longer text may hold more, but never more than one node for every two of its characters
# ("- x" and a line break) unless aliases expand it: the record of a large corpus's patterns
# is read, an alias bomb is not.
MAX_NODES = 20_000
# Keys, services, owners, severities, statuses: short values that recur in every file. Kept
# as one shared string each, so a corpus held in memory or in the parse cache stores each once
# (pickle writes a repeated object as a reference), which makes the cache a fifth faster to load.
_SHARED_UP_TO = 64


class YamlError(Exception):
    """Invalid or refused YAML, with the 1-based line in the parsed text."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass(frozen=True)
class Parsed:
    data: Any
    lines: dict[str, int]  # dotted key path ("action_items.0.due") -> 1-based line
    # The source text of plain scalars YAML turned into something other than a string
    # (`0x1F` -> 31, `1.10` -> 1.1, `12:30` -> 750): an id or a name is read as written.
    raw: dict[str, str] = field(default_factory=dict)


_PLAIN_STR = "tag:yaml.org,2002:str"


def parse(text: str) -> Parsed:
    """Parse one YAML document; key lines are recorded, aliases expanding too far refused.

    A key given twice in one mapping is refused: YAML keeps the last silently, and a reviewer
    reading the first (`visibility: restricted`) would be misled.
    """
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return Parsed(None, {})
        lines: dict[str, int] = {}
        raw: dict[str, str] = {}
        _walk(node, "", lines, raw, [0], max(MAX_NODES, len(text) // 2))
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        raise YamlError(f"invalid YAML: {_plain_words(exc, text, line)}", line) from None
    except yaml.YAMLError as exc:
        raise YamlError(f"invalid YAML: {exc}", 1) from None
    except RecursionError:
        raise YamlError("YAML nests too deeply", 1) from None
    except (ValueError, OverflowError) as exc:  # e.g. an integer of thousands of digits
        raise YamlError(f"invalid YAML: a value cannot be read ({exc})", 1) from None
    finally:
        loader.dispose()
    return Parsed(data, lines, raw)


def shipped_data(package: str, name: str) -> tuple[dict[str, Any], dict[str, int]]:
    """A data file learnloop ships (`package`'s data/`name`): its mapping and the line of each
    key, an error naming the file and line where it is not valid YAML."""
    text = resources.files(package).joinpath("data", name).read_text("utf-8")
    try:
        parsed = parse(text)
    except YamlError as exc:
        raise SettingsError([f"{name}:{exc.line}: error: {exc.message}"]) from None
    return (parsed.data if isinstance(parsed.data, dict) else {}), parsed.lines


def _plain_words(exc: yaml.MarkedYAMLError, text: str, line: int) -> str:
    """The parser's complaint, said as what to change where a common slip explains it."""
    problem = exc.problem or str(exc)
    at = text.split("\n")[line - 1] if 0 < line <= text.count("\n") + 1 else ""
    if "\t" in at[: len(at) - len(at.lstrip())] or "tab character" in problem:
        return "a tab is used for indentation; YAML allows only spaces there"
    if "expected a single document" in (exc.context or ""):
        return (
            "a second document starts here ('---'); an incident file holds one mapping of "
            "keys, and a .yaml file needs no '---' lines"
        )
    if exc.context:
        problem = f"{problem} ({exc.context})"
    return problem


def _walk(
    node: yaml.Node,
    path: str,
    lines: dict[str, int],
    raw: dict[str, str],
    count: list[int],
    limit: int,
) -> None:
    """Count nodes as an expansion would (aliases included) and note each key's line."""
    count[0] += 1
    if count[0] > limit:
        raise YamlError(
            f"YAML expands to more than {limit} nodes; aliases (&/*) are refused here",
            node.start_mark.line + 1,
        )
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key, value in node.value:
            name = key.value if isinstance(key, yaml.ScalarNode) else "?"
            line = key.start_mark.line + 1
            if name in seen and name != "<<":
                raise YamlError(
                    f"duplicate key {name!r}: given {line - seen[name]} line(s) above too; "
                    "YAML would keep only the last, so say it once",
                    line,
                )
            seen[name] = line
            sub = sys.intern(f"{path}.{name}" if path else str(name))
            lines.setdefault(sub, line)
            _walk(value, sub, lines, raw, count, limit)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            sub = sys.intern(f"{path}.{index}" if path else str(index))
            lines.setdefault(sub, item.start_mark.line + 1)
            _walk(item, sub, lines, raw, count, limit)
    elif isinstance(node, yaml.ScalarNode):
        if node.tag != _PLAIN_STR and not node.style and path:  # plain: None, or "" in C
            raw[path] = node.value
        if len(node.value) <= _SHARED_UP_TO:
            node.value = sys.intern(node.value)  # what a plain string is constructed from
