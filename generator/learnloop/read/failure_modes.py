"""Failure modes: the vocabulary of why production systems fail, found in an incident's text.

The catalogue is data (read/data/failure_modes.yml, its syntax documented there); a team adds
modes, or words for an existing one, under `failure_modes:` in learnloop.yml. All entries of
a catalogue become one regular expression, so a text is read once whatever the catalogue size.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache, cached_property
from typing import Any

from learnloop.errors import SettingsError
from learnloop.load.yamlsafe import shipped_data
from learnloop.read.failure_catalogue import PHRASE_TOKEN, Family, Mode, Where, merge
from learnloop.read.failure_catalogue import families as families_of
from learnloop.regexes import compile_all

__all__ = [
    "GAP_WORD",
    "Catalogue",
    "Family",
    "Match",
    "Mode",
    "alternation",
    "denied",
    "families",
    "load_catalogue",
    "match",
    "phrase_regex",
]

CATALOGUE_FILE = "failure_modes.yml"
_SEP = r"[\s-]+"  # a space in a phrase: any whitespace, or a hyphen ("follow up", "follow-up")
# A word in a gap: a quoted or coded word is one too ("makes the "medium" profile available",
# "restarted the `ingest` workers"), and an apostrophe either way ("didn't", "didn’t").
GAP_WORD = r"[\w'’\"“”`-]+"
_GAP = rf"(?:[\s-]+{GAP_WORD}){{0,3}}[\s-]+"  # `...`: up to three words, never across punctuation
_MORE = rf"(?:{GAP_WORD}[\s-]+){{0,3}}"  # `...` right after `...`: up to three words more
_VERSION = r"v?\d+(?:\.\d+)+"  # `<version>`: 1.13, v2.5, 2.319.3; never a count
_NUMBER = r"~?\d+(?:[.,]\d+)?(?:x|%)?"  # `<number>`: 4, 10x, 2.5, 30%
# Negation looks back only within the clause of the match: these end a clause.
_CLAUSE_END = re.compile(
    r"[.;:!?,()\[\]\n]|\b(?:but|because|although|though|however|whereas|while|since|after|"
    r"when|until|which|and|so|due to|because of|caused by|as a result of|led to|leading to|"
    r"result(?:ed|ing|s)? in)\b"
)
_DENIED_BEFORE = re.compile(
    r"\b(?:no (?:evidence|sign|signs|indication|trace|proof)|not (?:a|an|the|due|caused|related|"
    r"from|because)|unrelated to|nothing to do with|rule[sd]? out|rather than|instead of|"
    r"neither|nor|never|(?:was|were|is|are|did|does|do|has|have|had|could)(?:n't| not)|"
    # what might happen is not what happened: "alert if the disk is full", "to prevent …"
    r"if|unless|whether|in case of|in the event of|prevent|avoid|guard against|protect against|"
    # what a change was for is not what broke: "a rule intended to block a SQL injection"
    r"defend against|intended to|designed to|meant to|aimed at)\b"
)
_NEGATOR = re.compile(r"\b(?:no|not|never|without)\b|n't\b")
_DENIED_AFTER = re.compile(
    r"^\W{0,3}(?:(?:was|were|is|has been|had been|could be|can be) )?(?:ruled out|excluded|"
    r"(?:was |were |is )?not (?:the|a|an) (?:cause|issue|problem|factor)|not involved|unrelated)\b"
)


@dataclass(frozen=True)
class Match:
    """A failure mode found in a text, with the catalogue's entries that betrayed it."""

    id: str
    family: str
    title: str
    matched: tuple[str, ...]  # as written in the catalogue: signatures first, then phrases
    strength: int  # two per distinct signature, one per distinct phrase

    def as_dict(self) -> dict[str, Any]:
        """The form `check --explain --json` shows."""
        return {"id": self.id, "family": self.family, "matched": list(self.matched)}


@dataclass(frozen=True)
class _Entry:
    mode: int  # index in Catalogue.modes
    text: str  # as written in the catalogue
    signature: bool
    pattern: re.Pattern[str]  # the entry alone: tells which one the combined pattern found


@dataclass(frozen=True, eq=False)
class Catalogue:
    """Families and modes, validated; compiled to one pattern on first use."""

    families: tuple[Family, ...]
    modes: tuple[Mode, ...]

    @cached_property
    def signatures(self) -> dict[str, frozenset[str]]:
        """Each mode's error strings, by id."""
        return {m.id: frozenset(m.signatures) for m in self.modes}

    @cached_property
    def _compiled(self) -> tuple[re.Pattern[str], dict[str, list[_Entry]]]:
        entries = [
            (index, text, signature)
            for index, mode in enumerate(self.modes)
            for signature, texts in ((True, mode.signatures), (False, mode.phrases))
            for text in texts
        ]
        # At one position the first alternative that matches wins: signatures, then the
        # longest phrases, so "ddos ourselves" is read before "ddos".
        entries.sort(key=lambda e: (not e[2], -len(e[1]), e[1]))
        every: list[str] = []
        each: list[list[str]] = []
        for _index, text, signature in entries:
            each.append([_signature(text)] if signature else _phrase(text))
            every += each[-1]
        *patterns, pattern = compile_all(
            [("|".join(rf"(?<!\w){v}" if v[0].isalnum() else v for v in variants), 0)
             for variants in each] + [(alternation(every), 0)]
        )  # fmt: skip
        by_letter: dict[str, list[_Entry]] = {}
        for (index, text, signature), variants, compiled in zip(
            entries, each, patterns, strict=True
        ):
            entry = _Entry(index, text, signature, compiled)
            for variant in variants:
                if entry not in (found := by_letter.setdefault(first_letter(variant), [])):
                    found.append(entry)
        return pattern, by_letter


def first_letter(variant: str) -> str:
    """The letter a pattern variant must open on, or "" where it opens on anything else."""
    return variant[0] if variant[:1].isalnum() and variant[1:2] not in ("?", "*", "+", "{") else ""


def alternation(variants: Sequence[str]) -> str:
    """One pattern for all variants, each matched from a word's start where it opens on a
    letter. They are grouped by that letter, so at each word the engine tries one group, not
    hundreds of branches (a thousand incidents take a fraction of a second). Within a group
    they keep their order: at any place the same variant wins as in the plain alternation,
    since only variants of that place's letter can match there."""
    groups: dict[str, list[str]] = {}
    for variant in variants:
        letter = first_letter(variant)
        groups.setdefault(letter, []).append(variant[len(letter) :])
    words = "|".join(f"{c}(?:{'|'.join(rest)})" for c, rest in groups.items() if c)
    alternatives = [rf"(?<!\w)(?:{words})"] if words else []
    alternatives += groups.get("", [])
    return "|".join(alternatives) or "(?!)"


def _word(word: str) -> str:
    if word == "<version>":
        return _VERSION
    if word == "<number>":
        return _NUMBER
    parts = [re.escape(part) for part in word.rstrip("*").lower().split("-")]
    return r"[\s-]?".join(parts) + (r"\w*" if word.endswith("*") else "")


def _alternatives(token: str) -> tuple[list[str], bool]:
    alts = [alt.strip() for alt in token[1:-1].split("|")]
    return [_SEP.join(_word(w) for w in alt.split()) for alt in alts if alt], "" in alts


def _phrase(phrase: str) -> list[str]:
    """Regexes of a phrase, one per word it can start with (so each starts with a letter)."""
    tokens = PHRASE_TOKEN.findall(phrase)
    if tokens[0].startswith("("):
        rest = phrase[len(tokens[0]) :]
        return [_phrase(alt + rest)[0] for alt in tokens[0][1:-1].split("|") if alt.strip()]
    out = ""
    for token in tokens:
        sep = "" if not out or out.endswith((_GAP, _MORE)) else _SEP
        if token == "...":
            # A gap after a gap ("... ...") is three words more, each followed by its space.
            out += _MORE if out.endswith(_GAP) or out.endswith(_MORE) else _GAP
        elif token.startswith("("):
            words, optional = _alternatives(token)
            group = f"(?:{'|'.join(words)})"
            out += f"(?:{sep}{group})?" if optional else sep + group
        else:
            out += sep + _word(token)
    return [out + r"(?!\w)"]


def phrase_regex(phrase: str) -> list[str]:
    """Regexes (without the leading word boundary) for a phrase in the catalogue's syntax."""
    return _phrase(phrase)


def _signature(signature: str) -> str:
    body = r"\s+".join(re.escape(part) for part in signature.lower().split())
    return body + (r"(?!\w)" if signature[-1].isalnum() else "")


# A short aside in brackets, between words: "(max 50)", "(*.example.com)", "(see graph)".
_ASIDE = re.compile(r"(?<=\w)\s*\([^()\n]{1,30}\)(?=\s+\w)")


def without_asides(text: str) -> str:
    """The text with each short aside in brackets between words blanked, its length kept (a
    match in it is at the same place in the text)."""
    return _ASIDE.sub(lambda m: " " * len(m.group()), text) if "(" in text else text


def _denied(text: str, start: int, end: int) -> bool:
    """Whether the words just before (or after) a match deny it: "no evidence of a DDoS"."""
    clause = _CLAUSE_END.split(text[max(0, start - 80) : start])[-1]
    words = clause.split()
    return bool(
        _DENIED_BEFORE.search(" ".join(words[-5:]))
        or any(w in ("no", "not", "never", "without") for w in words[-2:])
        or ("any" in words[-2:] and _NEGATOR.search(clause))  # "did not have any data leaks"
        or _DENIED_AFTER.match(text[end : end + 60])
    )


def denied(text: str, start: int, end: int) -> bool:
    """Whether the words around text[start:end] deny it or make it hypothetical ("no evidence
    of …", "to prevent …", "… was ruled out"); `text` is lower case."""
    return _denied(text, start, end)


def match(text: str, catalogue: Catalogue) -> list[Match]:
    """The modes the text speaks of: strongest first, then most entries, earliest, id."""
    pattern, by_letter = catalogue._compiled
    lowered = text.lower().replace("’", "'")
    found: dict[int, dict[str, bool]] = {}
    first: dict[int, int] = {}  # where a mode is first named: summaries come first
    # An aside in brackets between the words of a phrase ("the connection pool (max 50) was
    # exhausted") is read past; the text is read as written too, for what the aside says.
    aside = without_asides(lowered)
    for read in (lowered, aside) if aside != lowered else (lowered,):
        for m in pattern.finditer(read):
            start = m.start()
            letter = read[start] if read[start].isalnum() else ""
            entry = next(e for e in by_letter[letter] if e.pattern.match(read, start))
            if not _denied(read, start, m.end()):
                found.setdefault(entry.mode, {})[entry.text] = entry.signature
                first[entry.mode] = min(first.get(entry.mode, start), start)
    results = []
    for index, entries in found.items():
        mode = catalogue.modes[index]
        strength = sum(2 if signature else 1 for signature in entries.values())
        matched = tuple(sorted(entries, key=lambda e: (not entries[e], e)))
        results.append(((-strength, -len(entries), first[index], mode.id), mode, matched, strength))
    return [
        Match(mode.id, mode.family, mode.title, matched, strength)
        for _, mode, matched, strength in sorted(results, key=lambda r: r[0])
    ]


def families(catalogue: Catalogue) -> list[Family]:
    """The catalogue's families in the order the file gives them."""
    return list(catalogue.families)


def load_catalogue(
    extension: Sequence[Mapping[str, Any]] | None = None,
    *,
    source: str = "learnloop.yml",
    lines: Mapping[str, int] | None = None,
    key: str = "failure_modes",
) -> Catalogue:
    """The shipped catalogue with a team's extension (given as data from learnloop.yml).

    `lines` maps dotted keys ("failure_modes.2.phrases.0") to lines of `source`, as
    load.yamlsafe.parse records them; SettingsError lists every bad entry at once.
    """
    shipped = _shipped()
    if not extension:
        return shipped
    where = Where(source, lines or {}, key=key)
    modes = merge(shipped.families, shipped.modes, extension, where, new_file=False)
    if where.problems:
        raise SettingsError(where.problems)
    return Catalogue(shipped.families, modes)


@cache
def _shipped() -> Catalogue:
    data, lines = shipped_data("learnloop.read", CATALOGUE_FILE)
    where = Where(CATALOGUE_FILE, lines)
    known = families_of(data.get("families"), where.at("families"))
    modes = merge(known, (), data.get("modes"), where.at("modes"), new_file=True)
    if where.problems:
        raise SettingsError(where.problems)
    return Catalogue(known, modes)
