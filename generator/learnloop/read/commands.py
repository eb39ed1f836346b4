"""Which backticked spans of a post-mortem are commands to run, and which are log lines or
names: `kubectl get pods` and `ulimit -n` are run, `connection refused` was seen.

A span is a command when its first word is a program, a query statement or a metrics function
that data/commands.yml names (or a team adds in learnloop.yml `reader: {commands: […]}`), or
when it has a shell's shape of its own.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from typing import Any

from learnloop.errors import SettingsError
from learnloop.load.yamlsafe import shipped_data
from learnloop.read.markdown import INLINE_CODE

FILE = "commands.yml"
_SECTIONS = ("programs", "queries", "functions")

# A name to run: a program, a statement or a function; a trailing `*` for any ending.
_NAME = re.compile(r"[A-Za-z][\w.-]*\*?")
# What a shell line looks like whatever its program: "ping -M do -s 1472", "conntrack -S",
# "k get pod -A | grep -v Running", "$ make deploy". A log line opens on a capital, a
# timestamp or a level, and has no flags after a lower-case word.
_SHELL = re.compile(
    r"^\s*(?:[$#>]\s+\S|[a-z][\w.-]*(?:\s+[\w./:=@-]+)*?\s+"
    # A flag is one letter or a word in lower case ("-S", "--namespace"); "-ENOSPC" is an error.
    r"(?:--?(?:[A-Za-z]|[a-z][\w-]+)(?:[\s=]|$)|\|\s*[a-z]))"
)


def is_command(code: str, programs: tuple[str, ...] = ()) -> bool:
    """Whether a backticked span is something to run rather than a log line or a name: a
    name of data/commands.yml or of `programs` (a team's) first, a shell's shape (a program
    and its flags, one piped to another, a prompt), or a query with a selector
    ("rate(x{job="api"}[5m])")."""
    return bool(_first_word(programs).match(code) or _SHELL.match(code)) or (
        "{" in code and "}" in code and "(" in code
    )


def commands_in(text: str, programs: tuple[str, ...] = ()) -> tuple[str, ...]:
    """The commands a text quotes in single backticks, in order (see `is_command`)."""
    return tuple(c for c in INLINE_CODE.findall(text) if is_command(c, programs))


def team_names(
    value: Any, lines: Mapping[str, int], source: str = "learnloop.yml"
) -> tuple[str, ...]:
    """A team's names of the tools it runs (`reader.commands`), every bad one reported."""
    if value is None:
        return ()
    key = "reader.commands"

    def at(where: str) -> str:
        return f"{source}:{lines.get(where, lines.get(key, 1))}: error: {where}:"

    if not isinstance(value, list):
        raise SettingsError([f"{at(key)} expected a list of program names"])
    problems = [
        f"{at(f'{key}.{n}')} {name!r} is not a program's name (letters, digits, '.', '_' or "
        "'-', a trailing '*' for any ending)"
        for n, name in enumerate(value)
        if not isinstance(name, str) or not _NAME.fullmatch(name)
    ]
    if problems:
        raise SettingsError(problems)
    return tuple(value)


@cache
def _shipped() -> tuple[str, ...]:
    data, lines = shipped_data("learnloop.read", FILE)
    names: list[str] = []
    problems: list[str] = []
    for section in _SECTIONS:
        for n, name in enumerate(data.get(section) or []):
            if isinstance(name, str) and _NAME.fullmatch(name):
                names.append(name)
            else:
                line = lines.get(f"{section}.{n}", lines.get(section, 1))
                problems.append(f"{FILE}:{line}: error: {name!r} is not a name to run")
    if problems:
        raise SettingsError(problems)
    return tuple(names)


@cache
def _first_word(programs: tuple[str, ...]) -> re.Pattern[str]:
    """The shipped names and a team's, as the first word of a span."""
    names = {_regex(n) for n in (*_shipped(), *programs)}
    return re.compile(rf"^\s*(?:{'|'.join(sorted(names, key=lambda n: (-len(n), n)))})\b", re.I)


def _regex(name: str) -> str:
    return re.escape(name[:-1]) + r"[\w-]+" if name.endswith("*") else re.escape(name)
