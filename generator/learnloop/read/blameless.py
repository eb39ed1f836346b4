"""Blaming language: where a post-mortem makes a person, not the system, the cause.

The words are data (read/data/blameless.yml, its shape documented there); a team adds its
own, or switches entries off, under `blameless:` in learnloop.yml. Every finding is a
warning with a hint that turns the sentence toward the condition that allowed the slip:
a check that only ever warns, so that a post-mortem is never held back by its wording.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, cached_property
from typing import Any

from learnloop.errors import SettingsError
from learnloop.load.yamlsafe import shipped_data
from learnloop.model import Incident, Problem
from learnloop.read.failure_catalogue import SLUG, phrase_problem
from learnloop.read.failure_modes import denied, phrase_regex
from learnloop.read.markdown import Block, blocks, line_at, plain, sentences

DATA_FILE = "blameless.yml"
CODE = "blameless"
KINDS = ("label", "subject", "named")
_ENTRY_KEYS = {"id", "kind", "phrases", "message", "hint", "sources"}
_SETTING_KEYS = {"check", "disabled", "people", "phrases"}
# Parts where a sentence states why it failed: a name there makes a person the cause.
CAUSE_PARTS = ("root_cause", "trigger", "contributing_factors", "whys")
# Words between a person and a `subject` phrase that make someone or something else its
# subject: "the engineer noticed that the job failed to start".
_SUBORDINATE = re.compile(
    r"[,;:()]|\b(?:that|which|when|whenever|while|because|since|so|if|after|before|until|"
    r"where|as|whose|whom|whether|although|though|once)\b"
)
# A person named just after one of these is an object, not a subject ("sent to the on-call").
_PREPOSITIONS = frozenset(
    re.findall(
        r"\w+", "to for with by from of at on about into onto towards toward via per than like"
    )
)
_DETERMINERS = frozenset(re.findall(r"\w+", "the a an our their one another that this each every"))
# A label just after one of these is a guess the timeline records, not the cause the authors
# state: "assumed user error at the time".
_GUESSED = re.compile(
    r"\b(?:assum\w*|suspect\w*|presum\w*|thought|believed|guess\w*|blamed on|"
    r"initially)\W+(?:(?:it|this|that|was|to|be|a|an|the)\W+){0,3}$"
)
_AND_BUT = re.compile(r"\b(?:and|but)(?:\s+(?:then|also|later|still|simply|just))?\s*$")
_HANDLE = r"(?<![\w@.])@[A-Za-z0-9][A-Za-z0-9-]{0,38}(?:/[A-Za-z0-9][\w.-]*)?"
_INLINE_CODE = re.compile(r"`[^`\n]*`")
_LABEL = re.compile(r"^\s*[A-Z][\w /'-]{0,40}:\s+")  # "Root cause: …" opens a sentence
# A possessive after a named person that carries the blame to their work: "Alice's change".
_WORK = (
    r"(?:change|commit|deploy|deployment|push|merge|pull request|PR|script|command|mistake|"
    r"error|typo|code|config)"
)


@dataclass(frozen=True)
class Entry:
    """One kind of blaming language: its words, what is wrong with it, and a better way."""

    id: str
    kind: str  # label | subject | named
    phrases: tuple[str, ...]
    message: str
    hint: str
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class Settings:
    """learnloop.yml `blameless:`: whether to check, entries switched off, a team's words."""

    check: bool = True
    disabled: tuple[str, ...] = ()
    people: tuple[str, ...] = ()
    entries: tuple[Entry, ...] = ()  # new entries, or more words for a shipped one (same id)


@dataclass(frozen=True)
class Finding:
    """Blaming words found in a text: which entry, the words, where (offset in the text)."""

    entry: Entry
    words: str
    offset: int


@dataclass(frozen=True, eq=False)
class Vocabulary:
    """The words that name a person, and the entries; compiled once, on first use."""

    people: tuple[str, ...]
    entries: tuple[Entry, ...]

    @cached_property
    def _phrases(self) -> re.Pattern[str]:
        groups = []
        for n, entry in enumerate(self.entries):
            if entry.kind == "named" or not entry.phrases:
                continue
            variants = [v for phrase in entry.phrases for v in phrase_regex(phrase)]
            groups.append(f"(?P<e{n}>{'|'.join(variants)})")
        return re.compile(r"(?<!\w)(?:" + "|".join(groups) + ")" if groups else "(?!)")

    @cached_property
    def _people(self) -> re.Pattern[str]:
        words = sorted({" ".join(p.lower().split()) for p in self.people}, key=len, reverse=True)
        alternatives = [r"[\s-]+".join(map(re.escape, w.split())) for w in words]
        return re.compile(r"(?<![\w-])(?:" + "|".join(alternatives) + r")(?![\w-])")

    @cached_property
    def _any(self) -> re.Pattern[str]:
        # Grouped by first letter, so that at each word one group is tried, not every phrase.
        groups: dict[str, list[str]] = {}
        for entry in self.entries:
            for variant in (v for p in entry.phrases for v in phrase_regex(p)):
                groups.setdefault(variant[0], []).append(variant[1:])
        words = "|".join(f"{c}(?:{'|'.join(rest)})" for c, rest in sorted(groups.items()))
        return re.compile(rf"(?<!\w)(?:{words})" if words else "(?!)")

    def anywhere(self, text: str) -> bool:
        """Whether any phrase occurs in the text at all: most post-mortems use none, and
        this one pass spares them reading their blocks."""
        return self._any.search(text.lower().replace("’", "'")) is not None

    def named(self) -> Entry | None:
        """The entry for named people as a cause, unless switched off."""
        return next((e for e in self.entries if e.kind == "named"), None)

    def find(self, text: str, names: Sequence[str] = ()) -> list[Finding]:
        """Blaming words in one text (a paragraph, an item, a sentence), in order."""
        clean = _INLINE_CODE.sub(lambda m: " " * len(m.group(0)), text.replace("’", "'"))
        lowered = clean.lower()
        out = []
        for match in self._phrases.finditer(lowered):
            group = match.lastgroup
            if group is None:
                continue
            entry = self.entries[int(group[1:])]
            start, end = match.span()
            if denied(lowered, start, end):
                continue
            if entry.kind == "label" and _GUESSED.search(lowered[max(0, start - 60) : start]):
                continue
            if entry.kind == "subject":
                who = self._subject(clean, lowered, start, names)
                if who is None:
                    continue
                words = clean[who:end] if end - who <= 80 else clean[start:end]
                out.append(Finding(entry, " ".join(words.split()), who))
            else:
                out.append(Finding(entry, " ".join(clean[start:end].split()), start))
        return out

    def _subject(self, text: str, lowered: str, start: int, names: Sequence[str]) -> int | None:
        """Where the person who is the subject of the phrase at `start` is named, or None."""
        begin = max((offset for offset, _ in sentences(text) if offset <= start), default=0)
        before = lowered[begin:start]
        mentions = [(m.start(), m.end()) for m in self._people.finditer(before)]
        mentions += [(m.start(), m.end()) for m in re.finditer(_HANDLE, text[begin:start])]
        for name in names:
            mentions += [(m.start(), m.end()) for m in _name(name).finditer(text[begin:start])]
        for at, end in sorted(mentions, key=lambda m: (-m[1], m[0])):
            if before[end : end + 2] == "'s":
                continue  # "the engineer's change failed to …": the change is the subject
            ahead = re.findall(r"[\w'-]+", before[:at])
            while ahead and ahead[-1] in _DETERMINERS:
                ahead.pop()
            if ahead and ahead[-1] in _PREPOSITIONS:
                continue
            gap = before[end:]
            close = len(gap.split()) <= 2 and not _SUBORDINATE.search(gap)
            joined = bool(_AND_BUT.search(gap)) and not _SUBORDINATE.search(gap)
            if close or joined:
                return begin + at
            return None  # the nearest person is not its subject: nobody further back is
        return None


def _name(name: str) -> re.Pattern[str]:
    return _names((name,))


@cache
def _names(names: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = sorted({r"\s+".join(map(re.escape, n.split())) for n in names}, key=len)
    return re.compile(r"(?<![\w@])(?:" + "|".join(reversed(alternatives)) + r")(?![\w])")


def people_named(incident: Incident) -> tuple[str, ...]:
    """The names of an incident's responders as people write them: full, and the first name.

    A role or team given as a name ("sre-oncall", "platform team") names nobody.
    """
    out: set[str] = set()
    for responder in incident.responders:
        name = " ".join(responder.name.split())
        words = name.split()
        if not words or not all(w[:1].isupper() and re.fullmatch(r"[\w.'-]+", w) for w in words):
            continue
        if any(w.lower() in ("team", "oncall", "on-call", "rotation", "bot") for w in words):
            continue
        out.add(name)
        if len(words) > 1 and len(words[0]) >= 3:
            out.add(words[0])
    return tuple(sorted(out))


def scan(incident: Incident, words: Vocabulary) -> list[Problem]:
    """Warnings for the blaming language of one incident (body and front-matter text)."""
    names = people_named(incident)
    seen: set[tuple[int, str, str]] = set()
    out: list[Problem] = []

    def add(line: int, finding: Finding) -> None:
        key = (line, finding.entry.id, finding.words.lower())
        if key in seen:
            return
        seen.add(key)
        out.append(_problem(incident.path, line, finding.entry, finding.words))

    if words.anywhere(incident.body):
        for block in _prose(incident.body, incident.body_line):
            for finding in words.find(block.text, names):
                add(line_at(block, finding.offset), finding)
    for statement in (s for _, part in incident.parts for s in part):
        if statement.how == "front matter" and words.anywhere(statement.text):
            for finding in words.find(statement.text, names):
                add(statement.line, finding)
    entry = words.named()
    if entry is not None:
        handles = re.compile(_HANDLE)
        for part in CAUSE_PARTS:
            for statement in incident.part(part):
                if statement.how == "timeline" or not (
                    "@" in statement.text or any(n in statement.text for n in names)
                ):
                    continue  # who did what when is a timeline's job; a cause names no one
                pattern = _names(names) if names else None
                for who in _named_causes(statement.text, pattern, handles):
                    add(statement.line, Finding(entry, who, 0))
    return sorted(out)


def _prose(body: str, first_line: int) -> Iterable[Block]:
    """The blocks a person wrote as prose: no code, no quoted lines (a chat log, an email)."""
    for block in blocks(body, first_line):
        if block.kind == "code" or block.raw.lstrip().startswith(">"):
            continue
        yield block


def _named_causes(text: str, names: re.Pattern[str] | None, handles: re.Pattern[str]) -> list[str]:
    """The people a cause names as its subject, its agent ("by …") or the owner of the work."""
    out = []
    for _, sentence in sentences(plain(text)):
        sentence = _INLINE_CODE.sub(lambda m: " " * len(m.group(0)), sentence)
        opening = _LABEL.match(sentence)
        body = sentence[opening.end() :] if opening else sentence
        for pattern in (p for p in (names, handles) if p is not None):
            for match in pattern.finditer(body):
                ahead = body[: match.start()].split()
                while ahead and ahead[-1].lower() in _DETERMINERS | {"because", "when", "as"}:
                    ahead.pop()
                after = body[match.end() :]
                subject = len(ahead) == 0 and re.match(r"\s+[a-z]", after) is not None
                agent = bool(ahead) and ahead[-1].lower() == "by"
                owner = re.match(rf"'s\s+(?:\w+\s+)?{_WORK}\b", after, re.IGNORECASE)
                if subject or agent or owner:
                    out.append(match.group(0))
    return out


def _problem(path: str, line: int, entry: Entry, words: str) -> Problem:
    return Problem(
        path,
        line,
        "warning",
        f'blameless: "{words}" {entry.message}',
        entry.hint,
        code=CODE,
    )


# --- the vocabulary, shipped and extended ---------------------------------------------------


def vocabulary(settings: Settings | None = None) -> Vocabulary | None:
    """The shipped words with a team's (learnloop.yml `blameless:`); None when switched off."""
    settings = settings or Settings()
    if not settings.check:
        return None
    return _vocabulary(settings)


@cache
def _vocabulary(settings: Settings) -> Vocabulary:
    people, shipped = _shipped()
    merged = {e.id: e for e in shipped}
    for extra in settings.entries:
        old = merged.get(extra.id)
        if old is None:
            merged[extra.id] = extra
            continue
        phrases = (*old.phrases, *(p for p in extra.phrases if p not in old.phrases))
        merged[extra.id] = Entry(
            old.id,
            old.kind,
            phrases,
            extra.message or old.message,
            extra.hint or old.hint,
            (*old.sources, *extra.sources),
        )
    entries = tuple(e for e in merged.values() if e.id not in settings.disabled)
    return Vocabulary((*people, *settings.people), entries)


@cache
def _shipped() -> tuple[tuple[str, ...], tuple[Entry, ...]]:
    data, lines = shipped_data("learnloop.read", DATA_FILE)
    problems: list[str] = []
    where = _Where(DATA_FILE, lines, problems)
    people = _texts(data.get("people"), where, "people")
    entries = _entries(data.get("entries"), where, "entries", {}, shipped=True)
    if problems:
        raise SettingsError(problems)
    return people, entries


@dataclass
class _Where:
    source: str
    lines: Mapping[str, int]
    problems: list[str] = field(default_factory=list)

    def error(self, key: str, message: str) -> None:
        near = key
        while near not in self.lines and "." in near:
            near = near.rsplit(".", 1)[0]
        self.problems.append(f"{self.source}:{self.lines.get(near, 1)}: error: {key}: {message}")


def _texts(value: Any, where: _Where, key: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        where.error(key, "expected a list of non-empty texts")
        return ()
    return tuple(" ".join(v.split()) for v in value)


def _entries(
    value: Any, where: _Where, key: str, known: Mapping[str, Entry], *, shipped: bool
) -> tuple[Entry, ...]:
    """Entries from data; a team's entry with a shipped id only adds words (or a new hint)."""
    if value is None:
        return ()
    if not isinstance(value, list):
        where.error(key, "expected a list of entries")
        return ()
    out: list[Entry] = []
    ids: set[str] = set()
    for n, spec in enumerate(value):
        here = f"{key}.{n}"
        if not isinstance(spec, dict) or not isinstance(spec.get("id"), str):
            where.error(here, "expected a mapping with at least `id`")
            continue
        eid = spec["id"]
        for unknown in sorted(set(map(str, spec)) - _ENTRY_KEYS):
            where.error(
                f"{here}.{unknown}", f"unknown key; the keys are {', '.join(sorted(_ENTRY_KEYS))}"
            )
        if not SLUG.fullmatch(eid) or eid in ids:
            where.error(
                f"{here}.id", "duplicate" if eid in ids else "expected lowercase words and hyphens"
            )
            continue
        ids.add(eid)
        phrases = _texts(spec.get("phrases"), where, f"{here}.phrases")
        for i, phrase in enumerate(phrases):
            problem = phrase_problem(phrase)
            if problem:
                where.error(f"{here}.phrases.{i}", f"{phrase!r}: {problem}")
        sources = _texts(spec.get("sources"), where, f"{here}.sources")
        message, hint = (str(spec.get(k) or "").strip() for k in ("message", "hint"))
        old = known.get(eid)
        kind = spec.get("kind", old.kind if old else None)
        if old is not None and kind != old.kind:
            where.error(f"{here}.kind", f"{eid!r} is a {old.kind!r} entry; it cannot change kind")
            continue
        if old is None:
            if kind not in KINDS:
                where.error(f"{here}.kind", f"must be one of {', '.join(KINDS)}, got {kind!r}")
                continue
            if kind != "named" and not phrases:
                where.error(here, "a new entry needs phrases")
            if not message or not hint:
                where.error(here, "a new entry needs a message and a hint")
            if shipped and not sources:
                where.error(f"{here}.sources", "say where the words come from")
        out.append(Entry(eid, str(kind), phrases, message, " ".join(hint.split()), sources))
    return tuple(out)


def settings_from(value: Any, lines: Mapping[str, int], source: str = "learnloop.yml") -> Settings:
    """learnloop.yml's `blameless:` (false, or a mapping), validated: SettingsError lists
    every problem at once."""
    if value is None:
        return Settings()
    problems: list[str] = []
    where = _Where(source, lines, problems)
    if isinstance(value, bool):
        return Settings(check=value)
    if not isinstance(value, dict):
        where.error(
            "blameless", "expected false, or a mapping with check, disabled, people, phrases"
        )
        raise SettingsError(problems)
    for unknown in sorted(set(map(str, value)) - _SETTING_KEYS):
        where.error(
            f"blameless.{unknown}",
            f"unknown setting; expected one of {', '.join(sorted(_SETTING_KEYS))}",
        )
    check = value.get("check", True)
    if not isinstance(check, bool):
        where.error("blameless.check", f"expected true or false, got {check!r}")
        check = True
    _, shipped = _shipped()
    known = {e.id: e for e in shipped}
    entries = _entries(value.get("phrases"), where, "blameless.phrases", known, shipped=False)
    names = known.keys() | {e.id for e in entries}
    disabled = _texts(value.get("disabled"), where, "blameless.disabled")
    for n, eid in enumerate(disabled):
        if eid not in names:
            where.error(
                f"blameless.disabled.{n}",
                f"no entry {eid!r}; the entries are {', '.join(sorted(names))}",
            )
    people = _texts(value.get("people"), where, "blameless.people")
    if problems:
        raise SettingsError(problems)
    return Settings(check=check, disabled=disabled, people=people, entries=entries)
