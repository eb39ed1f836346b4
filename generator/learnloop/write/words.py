"""Shared terms as people wrote them: the analysis compares stems ("redi evict"); a reader is
shown the words of the texts ("Redis evictions").

A term is looked up in the texts it came from, in order: two stems are a phrase only where
the words stand next to each other, so a pair the analysis made across a full stop or a
dropped word is not shown as a phrase. A
term found in no text is not shown at all, and a word inside a phrase already shown is not
repeated.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from learnloop.analyze.text import STOPWORDS, stem

SHARED = "shared terms: "
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]*[A-Za-z0-9]|[1-5]xx\b|\b[1-5]\d\d\b|[A-Za-z]")
# Between the two words of a phrase: spaces, hyphens or a slash, nothing else.
_GAP = re.compile(r"[ \t\-/]+")
MAX_TERMS = 6


@lru_cache(maxsize=4096)
def _words(text: str) -> tuple[tuple[str, int, int], ...]:
    """(stem, start, end) of each meaningful word. The parts of a CamelCase name are not
    words here: alerts are named whole, in a reason of their own."""
    out = []
    for match in _WORD.finditer(text):
        low = match.group(0).lower()
        if low in STOPWORDS or (len(low) < 2 and not low.isdigit()):
            continue
        out.append((stem(low), match.start(), match.end()))
    return tuple(out)


def surface(term: str, texts: Sequence[str]) -> str | None:
    """The words of the first text that says `term` (stems separated by a space), or None."""
    stems = term.split()
    for text in texts:
        words = _words(text)
        for n, (first, start, end) in enumerate(words):
            if first != stems[0]:
                continue
            if len(stems) == 1:
                return text[start:end]
            if n + 1 < len(words):
                later, later_start, later_end = words[n + 1]
                if later == stems[1] and _GAP.fullmatch(text[end:later_start]):
                    return text[start:later_end]
    return None


def readable(reasons: Sequence[str], texts: Sequence[str]) -> tuple[str, ...]:
    """The reasons with their shared terms as written in `texts`; a reason left with no
    term is dropped."""
    out = []
    for reason in reasons:
        if not reason.startswith(SHARED):
            out.append(reason)
            continue
        shown: list[str] = []
        for term in reason.removeprefix(SHARED).split(", "):
            found = surface(term, texts)
            if not found:
                continue
            low = found.lower()
            if any(
                low == s.lower() or re.search(rf"\b{re.escape(low)}\b", s.lower()) for s in shown
            ):
                continue
            shown.append(found)
        if shown:
            out.append(SHARED + ", ".join(shown[:MAX_TERMS]))
    return tuple(out)
