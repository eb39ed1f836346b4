"""Systemic themes: the weaknesses post-mortems name again and again, as data.

The vocabulary is read/data/themes.yml (its syntax is documented there): each theme with
the phrases that word it, the direction of its fix and how it is reported; beside them the
words of a follow-up that changes the architecture and of a timeline entry that says
something was noticed. A team adds themes, or phrases for a theme, under `themes:` in
learnloop.yml; `load_themes` validates both and reports every mistake at once.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from learnloop.errors import SettingsError
from learnloop.load.yamlsafe import shipped_data
from learnloop.read.failure_catalogue import SLUG, Where, phrase_problem
from learnloop.read.failure_modes import GAP_WORD, phrase_regex
from learnloop.regexes import compile_all

__all__ = ["THEMES_FILE", "Lexicon", "Theme", "compile_phrases", "load_themes", "shipped"]

THEMES_FILE = "themes.yml"
_FLAGS = ("architectural", "resilience", "from_actions")
_DEFAULTS = {"architectural": False, "resilience": False, "from_actions": True}
_KEYS = {"id", "title", "fix", "phrases", "sources", *_FLAGS}
_LISTS = ("architecture", "detecting")
_NEVER = "(?!)"


@dataclass(frozen=True)
class Theme:
    """A systemic theme: how post-mortems word it, and the fix's direction."""

    id: str
    title: str
    pattern: re.Pattern[str]
    fix: str
    architectural: bool = False
    resilience: bool = False  # also reported per pattern as a resilience failure
    from_actions: bool = True  # a follow-up's title is evidence too


@dataclass(frozen=True)
class Lexicon:
    """The themes, and the words of architecture changes and of noticing, compiled."""

    themes: tuple[Theme, ...]
    architecture: re.Pattern[str]  # a follow-up that changes the architecture
    detecting: re.Pattern[str]  # a timeline entry that says something was noticed
    digest: str  # of everything above as written: keys for stored results


@dataclass(frozen=True)
class _Spec:
    id: str
    title: str
    fix: str
    architectural: bool
    resilience: bool
    from_actions: bool
    phrases: tuple[str, ...]
    sources: tuple[str, ...]


def compile_phrases(phrases: Iterable[str]) -> re.Pattern[str]:
    """One case-insensitive pattern for phrases in the catalogue's syntax (word boundaries
    around each; a straight apostrophe also matches a curly one)."""
    return re.compile(*_source(phrases))


def _source(phrases: Iterable[str]) -> tuple[str, int]:
    variants = sorted(
        {_curly(v) for phrase in phrases for v in phrase_regex(phrase)}, key=lambda v: (-len(v), v)
    )
    if not variants:
        return _NEVER, 0
    return r"(?<!\w)(?:" + "|".join(variants) + ")", re.IGNORECASE


def _curly(regex: str) -> str:
    """The regex with each straight apostrophe also matching a curly one (the gap's word takes
    either already)."""
    parts = regex.split(GAP_WORD)
    return GAP_WORD.join(part.replace("'", "['’]") for part in parts)


def load_themes(
    extension: Sequence[Mapping[str, Any]] | None = None,
    *,
    source: str = "learnloop.yml",
    lines: Mapping[str, int] | None = None,
    key: str = "themes",
) -> Lexicon:
    """The shipped themes with a team's extension (a list of themes, as in the data file).

    `lines` maps dotted keys ("themes.1.phrases.0") to lines of `source`, as
    load.yamlsafe.parse records them; SettingsError lists every bad entry at once.
    """
    base = shipped()
    if not extension:
        return base
    specs, lists = _shipped_data()
    where = Where(source, lines or {}, key=key)
    merged = _merge(specs, extension, where, new_file=False)
    if where.problems:
        raise SettingsError(where.problems)
    return _lexicon(merged, lists)


@cache
def shipped() -> Lexicon:
    """The themes learnloop ships, with no team's additions."""
    return _lexicon(*_shipped_data())


@cache
def _shipped_data() -> tuple[tuple[_Spec, ...], tuple[tuple[str, ...], ...]]:
    data, lines = shipped_data("learnloop.read", THEMES_FILE)
    where = Where(THEMES_FILE, lines)
    specs = _merge((), data.get("themes"), where.at("themes"), new_file=True)
    lists = tuple(_phrases(data.get(name), where.at(name)) for name in _LISTS)
    for name in sorted(set(data) - {"themes", *_LISTS}):
        where.at(name).error(f"unknown key; the keys are themes, {', '.join(_LISTS)}")
    if where.problems:
        raise SettingsError(where.problems)
    return specs, lists


def _lexicon(specs: Sequence[_Spec], lists: Sequence[tuple[str, ...]]) -> Lexicon:
    *patterns, architecture, detecting = compile_all(
        [_source(s.phrases) for s in specs] + [_source(phrases) for phrases in lists]
    )
    themes = tuple(
        Theme(
            s.id,
            s.title,
            pattern,
            s.fix,
            architectural=s.architectural,
            resilience=s.resilience,
            from_actions=s.from_actions,
        )
        for s, pattern in zip(specs, patterns, strict=True)
    )
    written = [[(s.id, s.title, s.fix, s.architectural, s.resilience, s.from_actions, s.phrases)
                for s in specs], *lists]  # fmt: skip
    digest = hashlib.sha256(json.dumps(written, sort_keys=True).encode()).hexdigest()[:16]
    return Lexicon(themes, architecture, detecting, digest)


def _merge(specs: Sequence[_Spec], data: Any, where: Where, new_file: bool) -> tuple[_Spec, ...]:
    """`specs` with `data` (a list of themes) merged in; every problem goes to `where`.

    In the shipped file every theme is new, sets its three flags and says where its words
    come from; an extension may also give more phrases (or a new title, fix or flag) for an
    existing id.
    """
    merged = {s.id: s for s in specs}
    owner = {_norm(p): s.id for s in specs for p in s.phrases}
    if not isinstance(data, list):
        where.error("expected a list of themes")
        return tuple(specs)
    for n, spec in enumerate(data):
        if not isinstance(spec, dict) or not isinstance(spec.get("id"), str):
            where.at(n).error("expected a mapping with at least `id`")
            continue
        tid, here = spec["id"], where.at(n, spec["id"])
        for unknown in sorted(set(spec) - _KEYS, key=str):
            here.at(unknown).error(f"unknown key; the keys are {', '.join(sorted(_KEYS))}")
        phrases = _phrases(spec.get("phrases"), here.at("phrases"), owner, tid, new_file)
        sources = _texts(spec.get("sources"), here.at("sources"))
        given = {f: _flag(spec, f, here) for f in _FLAGS}
        old = merged.get(tid)
        if old is not None and not new_file:  # more words for an existing theme
            kept = {f: getattr(old, f) if given[f] is None else bool(given[f]) for f in _FLAGS}
            merged[tid] = _Spec(
                tid,
                _text(spec, "title", here) or old.title,
                _text(spec, "fix", here) or old.fix,
                kept["architectural"],
                kept["resilience"],
                kept["from_actions"],
                phrases=(*old.phrases, *(p for p in phrases if p not in old.phrases)),
                sources=(*old.sources, *(s for s in sources if s not in old.sources)),
            )
            continue
        if old is not None or not SLUG.fullmatch(tid):
            here.at("id").error("duplicate" if old else "expected lowercase words and hyphens")
        title, fix = _text(spec, "title", here), _text(spec, "fix", here)
        for name, value in (("title", title), ("fix", fix)):
            if value is None and name not in spec:
                here.at(name).error(f"a new theme needs a {name}")
        if not phrases and spec.get("phrases") is None:
            here.at("phrases").error("a new theme needs at least one phrase")
        if new_file:
            for name in _FLAGS:
                if name not in spec:
                    here.at(name).error("say true or false")
            if spec.get("sources") is None:
                here.at("sources").error("say where the wording comes from")
        flags = {f: _DEFAULTS[f] if given[f] is None else bool(given[f]) for f in _FLAGS}
        merged[tid] = _Spec(
            tid,
            title or "",
            fix or "",
            flags["architectural"],
            flags["resilience"],
            flags["from_actions"],
            phrases=phrases,
            sources=sources or (where.source,),
        )
    return tuple(merged.values())


def _phrases(
    value: Any,
    where: Where,
    owner: dict[str, str] | None = None,
    tid: str = "",
    new_file: bool = True,
) -> tuple[str, ...]:
    """Valid phrases of a list; with `owner`, a phrase may belong to one theme only."""
    out = []
    for i, text in enumerate(_texts(value, where)):
        problem = phrase_problem(text)
        if problem is None and owner is not None:
            other = owner.setdefault(_norm(text), tid)
            if other != tid:
                problem = f"already belongs to theme {other!r}"
            elif new_file and text in out:
                problem = "listed twice"
        if problem:
            where.at(i).error(f"{text!r}: {problem}")
        elif text not in out:
            out.append(text)
    return tuple(out)


def _texts(value: Any, where: Where) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        where.error("expected a list of non-empty texts")
        return ()
    return tuple(" ".join(v.split()) for v in value)


def _text(spec: Mapping[str, Any], name: str, where: Where) -> str | None:
    value = spec.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        where.at(name).error("expected a line of text")
        return None
    return " ".join(value.split())


def _flag(spec: Mapping[str, Any], name: str, where: Where) -> bool | None:
    value = spec.get(name)
    if value is not None and not isinstance(value, bool):
        where.at(name).error(f"expected true or false, got {value!r}")
        return None
    return value


def _norm(text: str) -> str:
    return " ".join(text.lower().split())
