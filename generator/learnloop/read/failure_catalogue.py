"""The failure-mode catalogue as data: its entries, and the checks a catalogue must pass.

Both the shipped file and a team's extension go through `merge`, which reports every bad
entry as `file:line: error: key (id 'x'): message` instead of stopping at the first.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
# A phrase is words, `(a|b)` groups and `...` gaps (the syntax is documented in the file).
PHRASE_TOKEN = re.compile(r"\([^()]*\)|\.\.\.|[^\s()]+")
# A phrase made of one of these alone says that something failed, not why: refused.
GENERIC = frozenset(
    re.findall(
        r"\w+",
        """bug bugs crash crashed down error errors fail failed failure failures fault incident
        issue issues outage outages problem problems slow timeout timeouts timed unavailable""",
    )
)
_KEYS = {"id", "family", "title", "phrases", "signatures", "sources"}
_TEXTS = ("phrases", "signatures", "sources")


@dataclass(frozen=True)
class Family:
    id: str
    title: str
    description: str


@dataclass(frozen=True)
class Mode:
    id: str
    family: str
    title: str
    phrases: tuple[str, ...]
    signatures: tuple[str, ...]
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Where:
    """Where an entry sits, for `file:line: error: key (id 'x'): message`."""

    source: str
    lines: Mapping[str, int]  # dotted key -> line, as load.yamlsafe.parse records them
    problems: list[str] = field(default_factory=list)
    key: str = ""
    mode: str = ""  # the id of the mode the key is in, named in the message

    def at(self, part: object, mode: str = "") -> Where:
        key = f"{self.key}.{part}".strip(".")
        return Where(self.source, self.lines, self.problems, key, mode or self.mode)

    def error(self, message: str) -> None:
        key = self.key
        while key not in self.lines and "." in key:  # the nearest enclosing key with a line
            key = key.rsplit(".", 1)[0]
        name = self.key + (f" (id {self.mode!r})" if self.mode else "")
        self.problems.append(f"{self.source}:{self.lines.get(key, 1)}: error: {name}: {message}")


def families(data: Any, where: Where) -> tuple[Family, ...]:
    """The `families:` mapping: id -> {title, description}."""
    if not isinstance(data, dict) or not data:
        where.error("expected a mapping of family id to {title, description}")
        return ()
    out = []
    for fid, spec in data.items():
        if not SLUG.fullmatch(str(fid)) or not isinstance(spec, dict):
            where.at(fid).error("expected a lowercase-hyphenated id and {title, description}")
        elif set(spec) != {"title", "description"} or not all(map(_text, spec.values())):
            where.at(fid).error("expected {title: text, description: text}")
        else:
            out.append(Family(str(fid), spec["title"], spec["description"]))
    return tuple(out)


def merge(
    known: tuple[Family, ...], modes: tuple[Mode, ...], data: Any, where: Where, new_file: bool
) -> tuple[Mode, ...]:
    """`modes` with `data` (a list of modes) merged in; every problem goes to `where`.

    In the shipped file (`new_file`) every mode is new and says where its words come from; an
    extension may also give more phrases, signatures or sources for an existing id.
    """
    merged = {mode.id: mode for mode in modes}
    owner = {_norm(t): m.id for m in modes for t in (*m.phrases, *m.signatures)}
    family_ids = sorted(family.id for family in known)
    if not isinstance(data, list):
        where.error("expected a list of failure modes")
        return modes
    for n, spec in enumerate(data):
        if not isinstance(spec, dict) or not isinstance(spec.get("id"), str):
            where.at(n).error("expected a mapping with at least `id`")
            continue
        mid, here = spec["id"], where.at(n, spec["id"])
        for unknown in sorted(set(spec) - _KEYS):
            here.at(unknown).error(f"unknown key; the keys are {', '.join(sorted(_KEYS))}")
        texts = {name: _texts(spec, name, here) for name in _TEXTS}
        for name in ("phrases", "signatures"):
            for i, text in enumerate(texts[name]):
                problem = phrase_problem(text) if name == "phrases" else None
                other = owner.get(_norm(text))
                if problem is None and other is not None and (other != mid or new_file):
                    problem = f"already belongs to mode {other!r}"
                owner.setdefault(_norm(text), mid)
                if problem:
                    here.at(f"{name}.{i}").error(f"{text!r}: {problem}")
        old = merged.get(mid)
        if old is not None and not new_file:  # more words for an existing mode
            if spec.get("family", old.family) != old.family:
                here.at("family").error(f"{mid!r} is in family {old.family!r}; it cannot move")
            more = {
                k: (*getattr(old, k), *(t for t in v if t not in getattr(old, k)))
                for k, v in texts.items()
            }
            title = spec["title"] if _text(spec.get("title")) else old.title
            merged[mid] = Mode(mid, old.family, title, **more)
            continue
        if old is not None or not SLUG.fullmatch(mid):
            here.at("id").error("duplicate" if old else "expected lowercase words and hyphens")
        if spec.get("family") not in family_ids:
            got = spec.get("family")
            here.at("family").error(f"must be one of {', '.join(family_ids)}, got {got!r}")
        if not _text(spec.get("title")):
            here.at("title").error("a new mode needs a title")
        if not texts["phrases"] and not texts["signatures"]:
            here.error("a new mode needs at least one phrase or signature")
        if new_file and not texts["sources"]:
            here.at("sources").error("say where the wording comes from")
        texts["sources"] = texts["sources"] or (where.source,)
        merged[mid] = Mode(mid, str(spec.get("family")), str(spec.get("title")), **texts)
    return tuple(merged.values())


def phrase_problem(phrase: str) -> str | None:
    """What is wrong with a phrase's syntax, or None."""
    tokens = PHRASE_TOKEN.findall(phrase)
    words = [t for t in tokens if t != "..."]
    if phrase.count("(") != phrase.count(")") or re.search(r"\([^)]*\(|\)[^(]*\)", phrase):
        return "unbalanced or nested parentheses"
    if re.search(r"\*[\w(]", phrase):
        return "'*' only ends a word"
    if re.search(r"\w\?", phrase):
        # A regular expression's habit: here it would be a character to match, and the
        # phrase would never match the words it was written for.
        return "'?' makes nothing optional: write each form, as (error|errors)"
    if not words or tokens[0] == "..." or tokens[-1] == "...":
        return "'...' goes between words"
    first = tokens[0]
    if first in ("<version>", "<number>") or (first.startswith("(") and "" in _alts(first)):
        return "a phrase starts with a word, not a number or optional words"
    if len(words) == 1 and words[0].strip("*").lower() in GENERIC:
        return "too generic: it says that something failed, not why"
    return None


def _alts(group: str) -> list[str]:
    return [alt.strip() for alt in group[1:-1].split("|")]


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _texts(spec: Mapping[str, Any], name: str, where: Where) -> tuple[str, ...]:
    value = spec.get(name) or []
    if not isinstance(value, list) or not all(map(_text, value)):
        where.at(name).error("expected a list of non-empty texts")
        return ()
    return tuple(" ".join(v.split()) for v in value)


def _norm(text: str) -> str:
    return " ".join(text.lower().split())
