"""Slugs: the lower-case ASCII words of a text joined by hyphens, for file names and ids."""

from __future__ import annotations

import re
import unicodedata

_WORD = re.compile(r"[a-z0-9]+")


def slug(text: str, *, default: str, words: int | None = None, limit: int | None = None) -> str:
    """'Checkout 5xx after…' -> 'checkout-5xx-after'.

    Accents fold to their letters (Ünïcode -> unicode) and the rest of non-ASCII goes. At
    most `words` words and `limit` characters, cut where a word ends (a single word longer
    than the limit is cut where it must be); `default` when nothing is left.
    """
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    found = _WORD.findall(folded.lower())
    out = "-".join(found[:words] if words is not None else found)
    if limit is not None and len(out) > limit:
        head = out[: limit + 1]
        out = (head[: head.rfind("-")] if "-" in head else out[:limit]).rstrip("-")
    return out or default
