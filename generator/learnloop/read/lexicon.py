"""The reader's vocabulary: the names of a post-mortem's parts, and the cues of what a
sentence does. Both are data (read/data/parts.yml and cues.yml) that a team extends in
learnloop.yml under `reader:`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from learnloop.errors import SettingsError
from learnloop.load.yamlsafe import shipped_data
from learnloop.read.failure_catalogue import phrase_problem
from learnloop.read.failure_modes import alternation, phrase_regex
from learnloop.regexes import compile_all

PARTS = (
    "summary",
    "impact",
    "symptoms",
    "trigger",
    "root_cause",
    "contributing_factors",
    "whys",
    "detection",
    "diagnosis",
    "mitigation",
    "resolution",
    "verification",
    "timeline",
    "lessons",
    "follow_ups",
)
# Headings and labels that close the part before them and open none: what tells none of the
# story (a feedback survey, advice to customers, a FAQ). Nothing under them is read.
ASIDE = "aside"
CUES = (
    "mitigation",
    "diagnosis",
    "detection",
    "acknowledgement",
    "recovery",
    "resolved",
    "cause",
    "named_cause",
    "fault",
    "finding",
    "unknown",
    "intent",
    "ineffective",
    "conclusion",
    "verification",
    "well",
    "announced",
    "milestone",
    "began",
    "done",
    "responders",
    "pending",
    "change",
    "change_present",
    "change_headline",
    "informed",
    "apology",
    "praise",
    "response",
)


_NAMED = (*PARTS, ASIDE)  # what parts.yml and a team's `reader.parts` may name


_PLURAL_MARK = re.compile(r"(?<=[a-z])\((s|es)\)")


def words(text: str) -> str:
    """A heading or label as compared: lower case, letters and digits, numbering and emoji gone."""
    text = re.sub(r"[’']", "", text.lower())
    text = _PLURAL_MARK.sub(r"\1", text)  # "Contributing Factor(s)" names the factors
    text = re.sub(r"[^a-z0-9]+", " ", text).strip()
    return re.sub(r"^(?:\d+ )+|^(?:[ivx]+ )(?=[a-z])", "", text).strip()


@dataclass(frozen=True, eq=False)
class Lexicon:
    """Part names (headings, labels) and cue patterns, compiled once."""

    headings: Mapping[str, str]  # a name's words -> the part it names
    labels: Mapping[str, str]
    cues: Mapping[str, re.Pattern[str]]

    def heading(self, text: str) -> str | None:
        """The part a heading names: its words, or its first words, are a known name (the
        longest that is)."""
        said = words(text).split(" ")
        for count in range(len(said), 0, -1):
            part = self.headings.get(" ".join(said[:count]))
            if part is not None:
                return part
        # A label said whole is a heading too ("## Why"); only whole, since a question word
        # opens many a heading that names no part ("Why we are sharing this").
        return self.labels.get(" ".join(said))

    def named(self, text: str) -> str | None:
        """The part a name names said whole, as a table's label cell says it: "Impact started
        at" names a time, not the impact."""
        said = words(text)
        return self.headings.get(said) or self.labels.get(said)

    def label(self, text: str) -> tuple[str, int] | None:
        """(part, where its text starts) when a paragraph or item opens with a known label."""
        match = _LABEL.match(text)
        if match is None:
            return None
        part = self.labels.get(words(match.group("label")))
        return (part, match.end()) if part is not None else None

    def labelled(self, text: str) -> bool:
        """Whether a text opens as a label does ("Additional information: …"), known or not."""
        return _LABEL.match(text) is not None

    def cue(self, kind: str, text: str) -> re.Match[str] | None:
        """Where a sentence says it does `kind` (see CUES), or None."""
        return self.cues[kind].search(_as_matched(text))

    def every(self, kind: str, text: str) -> Iterator[re.Match[str]]:
        """Each place a sentence says `kind`, left to right."""
        return self.cues[kind].finditer(_as_matched(text))


def _as_matched(text: str) -> str:
    # Code marks are not words: "Alert `X` fires" is an alert that fires, and so are quotes
    # around a name ('alert "auth-login-5xx" fires'); quotes around a word stay ('"Fix"
    # applied, service fully down' says it was no fix). The length is kept, so that a
    # match's place is the sentence's.
    lowered = text.lower().replace("’", "'").replace("`", " ")
    if '"' in lowered:
        lowered = _QUOTED_NAME.sub(lambda m: f" {m.group(1)} ", lowered)
    return lowered


# A name in quotes: one token with a mark that plain words do not have ("auth-login-5xx").
_QUOTED_NAME = re.compile(r'"([\w.:/-]*[-_.:/\d][\w.:/-]*)"')


def _by_name(names: list[tuple[str, str]]) -> dict[str, str]:
    """Each name's part; a name given to two parts keeps the first of them alphabetically."""
    out: dict[str, str] = {}
    for name, part in sorted(set(names)):
        out.setdefault(name, part)
    return out


# A label: a few words (bold or not) closed by a colon, at the start of a paragraph or item.
# Vendors ask their labels as questions ("**How did we respond?**"): a question mark closes
# one as a colon does, and a bold question, or one alone on its line, needs neither.
_LABEL = re.compile(
    r"^\s*(?:\*\*|__)?(?P<label>[A-Za-z][A-Za-z0-9 ,'’/&()-]{1,80}?)\s*"
    r"(?:(?:\?\s*)?(?:\*\*|__)\s*:|\??\s*:\s*(?:\*\*|__)?|\?\s*(?:\*\*|__)(?!\S)|\?[ \t]*(?=\n|$)"
    # The question run on into its answer, as a review's page reads with its markup gone:
    # "What went wrong and why? A configuration change …".
    r"|\?[ \t]+(?=[A-Z0-9]))"
    r"\s*"
)


def _names(data: Any, key: str, where: str, problems: list[str]) -> list[str]:
    value = data.get(key) if isinstance(data, dict) else None
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        problems.append(f"{where}.{key}: expected a list of names")
        return []
    return [words(v) for v in value]


def build(parts: Any, cues: Any, source: str) -> Lexicon:
    """A lexicon from the data of parts.yml and cues.yml (or a team's extension of them)."""
    problems: list[str] = []
    headings: list[tuple[str, str]] = []
    labels: list[tuple[str, str]] = []
    for part, spec in (parts or {}).items():
        if part not in _NAMED:
            problems.append(f"{source}: parts: {part!r} is not one of {', '.join(_NAMED)}")
            continue
        headings += [(n, part) for n in _names(spec, "headings", f"parts.{part}", problems)]
        labels += [(n, part) for n in _names(spec, "labels", f"parts.{part}", problems)]
    sources: dict[str, str] = {}
    for kind in CUES:
        phrases = (cues or {}).get(kind) or []
        if not isinstance(phrases, list):
            problems.append(f"{source}: cues.{kind}: expected a list of phrases")
            phrases = []
        for phrase in phrases:
            if not isinstance(phrase, str):
                # YAML reads `- detected: x` (or a phrase ending in a colon) as a mapping.
                problems.append(
                    f"{source}: cues.{kind}: {phrase!r} is not a phrase; quote a phrase "
                    "that holds a colon"
                )
        phrases = [p for p in phrases if isinstance(p, str)]
        problems += [f"{source}: cues.{kind}: {p!r}: {wrong}" for p in phrases
                     if (wrong := _syntax(p))]  # fmt: skip
        variants = [v for phrase in phrases for v in phrase_regex(str(phrase))]
        # Every variant from a word's start, the few that open on no letter too.
        sources[kind] = rf"(?<!\w)(?:{alternation(variants)})"
    if problems:
        raise SettingsError([f"{p}" for p in problems])
    patterns = compile_all([(source, re.IGNORECASE) for source in sources.values()])
    return Lexicon(_by_name(headings), _by_name(labels), dict(zip(sources, patterns, strict=True)))


def _data(name: str) -> Any:
    return shipped_data("learnloop.read", name)[0]


@cache
def shipped() -> Lexicon:
    """The vocabulary learnloop ships."""
    return build(_data("parts.yml"), _data("cues.yml"), "read/data")


def extended(extension: Mapping[str, Any] | None) -> Lexicon:
    """The shipped vocabulary with a team's words added (learnloop.yml `reader:`).

    Every mistake in the team's words is a problem, all raised together, each opening with
    its key ("reader.cues.mitigation: expected a list of phrases"): a misspelt cue or a
    phrase given as a string must not be dropped without a word.
    """
    if not extension:
        return shipped()
    problems = _problems(extension)
    if problems:
        raise SettingsError(problems)
    if not extension.get("parts") and not extension.get("cues"):
        return shipped()  # only the team's tools (`commands`), which read/commands.py reads
    parts = _merge(_data("parts.yml"), extension.get("parts") or {}, nested=True)
    cues = _merge(_data("cues.yml"), extension.get("cues") or {}, nested=False)
    return build(parts, cues, "learnloop.yml: reader")


def _problems(extension: Any) -> list[str]:
    """What is wrong with a team's `reader:` words, each as 'reader.KEY: message'."""
    if not isinstance(extension, Mapping):
        return ["reader: expected a mapping with parts and cues"]
    problems = [
        f"reader.{key}: unknown key; the keys are commands, cues, parts"
        # The tools a team runs are read by read/commands.py, not here.
        for key in sorted(set(map(str, extension)) - {"parts", "cues", "commands"})
    ]
    for section, known in (("parts", _NAMED), ("cues", CUES)):
        given = extension.get(section)
        if given is None:
            continue
        if not isinstance(given, Mapping):
            problems.append(f"reader.{section}: expected names, one of {', '.join(known)}")
            continue
        for name, value in given.items():
            key = f"reader.{section}.{name}"
            if name not in known:
                problems.append(f"{key}: {name!r} is not one of {', '.join(known)}")
            elif section == "cues" and not _texts(value):
                problems.append(f"{key}: expected a list of phrases")
            elif section == "cues":
                problems += [f"{key}: {phrase!r}: {wrong}" for phrase in value
                             if (wrong := _syntax(phrase))]  # fmt: skip
            elif section == "parts" and not isinstance(value, Mapping):
                problems.append(f"{key}: expected a mapping with headings and labels")
            elif section == "parts":
                for inner in sorted(set(map(str, value)) - {"headings", "labels"}):
                    problems.append(f"{key}.{inner}: unknown key; the keys are headings, labels")
                for inner in ("headings", "labels"):
                    if value.get(inner) is not None and not _texts(value[inner]):
                        problems.append(f"{key}.{inner}: expected a list of names")
    return problems


def _syntax(phrase: str) -> str | None:
    """What is wrong with a cue's syntax (the catalogue's), or None. Unlike a failure mode,
    a cue may be one plain word ("resolved")."""
    wrong = phrase_problem(phrase)
    return None if wrong is None or wrong.startswith("too generic") else wrong


def _texts(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value)


def _merge(base: dict[str, Any], extra: Any, *, nested: bool) -> dict[str, Any]:
    """The shipped words with a team's added: names per part (nested) or phrases per cue."""
    if not isinstance(extra, dict):
        raise SettingsError(["learnloop.yml: reader: expected a mapping"])
    out: dict[str, Any] = {}
    for key in sorted({*base, *map(str, extra)}):
        mine, theirs = base.get(key), extra.get(key)
        if nested:
            mine = mine if isinstance(mine, dict) else {}
            theirs = theirs if isinstance(theirs, dict) else {}
            out[key] = {
                inner: [*(mine.get(inner) or []), *(theirs.get(inner) or [])]
                for inner in ("headings", "labels")
            }
        else:
            out[key] = [*(mine or []), *(theirs if isinstance(theirs, list) else [])]
    return out
