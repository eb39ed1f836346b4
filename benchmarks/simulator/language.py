"""How one wording becomes a sentence in a given voice: full prose, fragments, or the English
of someone who learned it as a second language.

Wordings are stored as clauses (no capital, no final stop) or as verb phrases in the past
without a subject ("rolled back the deploy"); these functions add the rest.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence

_WORD = re.compile(r"[a-z]+")


def capfirst(text: str) -> str:
    """Capitalise a plain first word; leave names, code and acronyms as they are."""
    head = text.split(" ", 1)[0]
    if _WORD.fullmatch(head):
        return text[0].upper() + text[1:]
    return text


def lowerfirst(text: str) -> str:
    """Lower-case a first word that only opens the sentence ('The', 'Our'); names stay."""
    head = text.split(" ", 1)[0]
    if head in _OPENING_WORDS:
        return text[0].lower() + text[1:]
    return text


# Words that are capitalised only because they open a sentence. Anything else at the start of
# a wording is a name (a person, a product, CoreDNS) and keeps its capital.
_OPENING_WORDS = frozenset(
    [
        "The",
        "A",
        "An",
        "This",
        "That",
        "These",
        "Those",
        "Our",
        "We",
        "It",
        "There",
        "Some",
        "Someone",
        "One",
        "Two",
        "Unrelated",
        "Nobody",
        "Everyone",
        "Another",
        "Each",
        "Every",
        "Most",
        "Its",
        "Their",
        "After",
        "Before",
        "During",
    ]
)


def sentence(text: str) -> str:
    """A clause as a sentence: capital first, full stop last."""
    text = capfirst(text.strip())
    return text if text.endswith((".", "!", "?", ":", "`")) else text + "."


def join(items: Sequence[str], word: str = "and") -> str:
    """'a', 'a and b', 'a, b and c'."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {word} {items[-1]}"


# Terse notes: what people cut when they write for themselves at two in the morning.
_TERSE = (
    (r"\b(?:approximately|about|around|roughly) (?=\d)", "~"),
    (r"\bdatabase\b", "db"),
    (r"\bconfiguration\b", "config"),
    (r"\bproduction\b", "prod"),
    (r"\b(\d+) minutes?\b", r"\1 min"),
    (r"\b(\d+) seconds?\b", r"\1s"),
    (r"\b(\d+) hours?\b", r"\1h"),
    (r"\bbecause\b", "b/c"),
    (r"\bwithout\b", "w/o"),
    (r"\bwith\b", "w/"),
    (r"\brequests\b", "reqs"),
    (r"\bconnections\b", "conns"),
    (r"\bKubernetes\b", "k8s"),
    (r"\benvironment\b", "env"),
    (r"\bdeployment\b", "deploy"),
    (r"\bcertificate\b", "cert"),
    (r"\band then\b", "->"),
    (r"\bwhich\b", "->"),
    (r" percent\b", "%"),
)
_ARTICLE = re.compile(r"\b(?:the|a|an) (?=[a-z0-9{`])", re.IGNORECASE)


def _prose(text: str, change: Callable[[str], str]) -> str:
    """Apply a change to the words only: code between backticks stays as written."""
    pieces = text.split("`")
    return "`".join(change(p) if n % 2 == 0 else p for n, p in enumerate(pieces))


def terse(text: str, rng: random.Random) -> str:
    """A clause as a note: no articles, abbreviations, no capital, no full stop."""
    return lowerfirst(_prose(text.strip().rstrip("."), lambda t: _terse(t, rng)))


def _terse(text: str, rng: random.Random) -> str:
    for pattern, short in _TERSE:
        if rng.random() < 0.7:
            text = re.sub(pattern, short, text)
    if rng.random() < 0.8:
        text = _ARTICLE.sub("", text)
    if rng.random() < 0.6:
        text = re.sub(r"\b(?:was|were) (?=\w+ed\b)", "", text)
    return text


# Literal phrasings a non-native writer brings from their first language; safe anywhere.
_PHRASES = (
    (r"\bthe root cause\b", ("the reason of problem", "root reason")),
    (r"\bbecause of\b", ("due to reason of", "because")),
    (r"\bcustomers\b", ("clients", "customers")),
    (r"\buntil\b", ("till", "until")),
    (r"\bin production\b", ("on production", "in prod")),
    (r"\bit turned out\b", ("it was found out", "finally we understood")),
    (r"\bdiscussed\b", ("discussed about", "discussed")),
    (r"\bexplained\b", ("explained about", "explained")),
    (r"\ba few\b", ("few", "some")),
    (r"\bat the same time\b", ("in same time", "in the same moment")),
    (r"\binformation\b", ("informations", "information")),
    (r"\bwent down\b", ("was down", "fell down")),
    (r"\bcould not\b", ("was not able to", "could not")),
    (r"\bagain\b", ("once again", "again")),
    (r"\bmore than\b", ("more then", "more than")),
    (r"\breverted\b", ("reverted back", "reverted")),
    (r"\breturned\b", ("returned back", "returned")),
    (r"\bpeople\b", ("peoples", "people")),
)
# A verb phrase's own verb, said the long way ("made restart of"): only at its start.
_VERBS = (
    (r"^restarted\b", ("made restart of", "did restart of")),
    (r"^rolled back\b", ("made rollback of", "did rollback of")),
    (r"^rolled (\S+) back to\b", (r"made rollback of \1 to", r"did rollback of \1 to")),
    (r"^deployed\b", ("made deploy of", "did deploy of")),
    (r"^checked\b", ("did check of", "made check of")),
    (r"^fixed\b", ("made fix for", "repaired")),
    (r"^increased\b", ("made increase of", "increased")),
    (r"^scaled\b", ("did scaling of", "scaled")),
    (r"^looked at\b", ("had look on", "looked on")),
)
_PARTICIPLE = {"ran": "run", "took": "taken", "saw": "seen", "went": "gone", "wrote": "written",
               "did": "done", "gave": "given", "began": "begun", "drove": "driven",
               "rose": "risen", "fell": "fallen", "broke": "broken", "chose": "chosen"}  # fmt: skip


def non_native(text: str, rng: random.Random) -> str:
    """A clause as a second-language writer might put it: literal phrasings, few articles."""
    return _prose(text, lambda t: _non_native(t, rng))


def _non_native(text: str, rng: random.Random) -> str:
    for pattern, options in _PHRASES:
        if rng.random() < 0.55:
            text = re.sub(pattern, rng.choice(options), text)
    return _ARTICLE.sub(lambda m: "" if rng.random() < 0.6 else m.group(0), text)


def non_native_act(phrase: str, rng: random.Random) -> str:
    """A past verb phrase as a second-language writer says it: 'have restarted', 'did
    restart of', or as it is; then the phrasing and articles of `non_native`."""
    roll = rng.random()
    if roll < 0.4:
        phrase = perfect(phrase)
    elif roll < 0.75:
        for pattern, options in _VERBS:
            if re.match(pattern, phrase):
                phrase = re.sub(pattern, rng.choice(options), phrase, count=1)
                break
    return non_native(phrase, rng)


# Verbs a follow-up starts with when it is written as an instruction, not a noun phrase.
IMPERATIVES = frozenset(
    [
        "add",
        "alert",
        "allow",
        "automate",
        "avoid",
        "block",
        "cache",
        "check",
        "give",
        "document",
        "drain",
        "enable",
        "evaluate",
        "fix",
        "get",
        "honour",
        "improve",
        "keep",
        "let",
        "lint",
        "load",
        "make",
        "monitor",
        "move",
        "notify",
        "page",
        "prepare",
        "protect",
        "prune",
        "put",
        "rate",
        "record",
        "reduce",
        "remove",
        "replace",
        "require",
        "review",
        "roll",
        "run",
        "scale",
        "scrape",
        "separate",
        "set",
        "share",
        "shorten",
        "show",
        "split",
        "stagger",
        "stop",
        "test",
        "throttle",
        "track",
        "turn",
        "use",
        "validate",
        "write",
    ]
)


def imperative(text: str) -> bool:
    """Whether a follow-up reads as an instruction ('alert on …', 'add a check …')."""
    return text.split(" ", 1)[0].lower() in IMPERATIVES


def perfect(phrase: str) -> str:
    """A past verb phrase in the present perfect: 'have taken', as many writers use it."""
    head, _, rest = phrase.partition(" ")
    head = _PARTICIPLE.get(head, head)
    return f"have {head} {rest}".rstrip()


def acted(phrase: str, subject: str) -> str:
    """A subject-less verb phrase with its subject: 'we restarted …'."""
    return f"{subject} {phrase}" if subject else phrase
