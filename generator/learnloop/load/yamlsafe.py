"""YAML parsing that keeps line numbers and refuses alias bombs."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any

import yaml

try:  # the C parser is several times faster on a large corpus
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - libyaml missing
    _Loader = yaml.SafeLoader

# A post-mortem has a few hundred nodes; anything far beyond that is an attack or an accident.
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


def parse(text: str) -> Parsed:
    """Parse one YAML document; key lines are recorded, aliases expanding too far refused."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return Parsed(None, {})
        lines: dict[str, int] = {}
        _walk(node, "", lines, [0])
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        problem = exc.problem or str(exc)
        if exc.context:
            problem = f"{problem} ({exc.context})"
        raise YamlError(f"invalid YAML: {problem}", line) from None
    except yaml.YAMLError as exc:
        raise YamlError(f"invalid YAML: {exc}", 1) from None
    except RecursionError:
        raise YamlError("YAML nests too deeply", 1) from None
    finally:
        loader.dispose()
    return Parsed(data, lines)


def _walk(node: yaml.Node, path: str, lines: dict[str, int], count: list[int]) -> None:
    """Count nodes as an expansion would (aliases included) and note each key's line."""
    count[0] += 1
    if count[0] > MAX_NODES:
        raise YamlError(
            f"YAML expands to more than {MAX_NODES} nodes; aliases (&/*) are refused here",
            node.start_mark.line + 1,
        )
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            name = key.value if isinstance(key, yaml.ScalarNode) else "?"
            sub = sys.intern(f"{path}.{name}" if path else str(name))
            lines.setdefault(sub, key.start_mark.line + 1)
            _walk(value, sub, lines, count)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            sub = sys.intern(f"{path}.{index}" if path else str(index))
            lines.setdefault(sub, item.start_mark.line + 1)
            _walk(item, sub, lines, count)
    elif isinstance(node, yaml.ScalarNode) and len(node.value) <= _SHARED_UP_TO:
        node.value = sys.intern(node.value)  # what a plain string is constructed from
