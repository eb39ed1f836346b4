"""Relative links in imported text, made to point where the files now are.

A post-mortem that linked a sibling post-mortem links that incident's new file; a link to a
file that was not imported (a screenshot, another document) would be broken in the site, so
it is unlinked and its words are kept.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping
from urllib.parse import quote, unquote, urlsplit

_INLINE = re.compile(r"(!?)\[([^\]\n]*)\]\(\s*(<[^>\n]*>|[^)\s]+)(\s+\"[^\"\n]*\")?\s*\)")
_DEFINITION = re.compile(r"^( {0,3}\[[^\]\n]+\]:\s*)(<[^>\n]*>|\S+)(.*)$", re.MULTILINE)
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_FENCE = re.compile(r"^\s*(```|~~~)")


def _local(target: str) -> bool:
    return not (_SCHEME.match(target) or target.startswith(("#", "/", "//")) or not target)


def rewrite(body: str, origin: str, own: str, targets: Mapping[str, str]) -> tuple[str, int]:
    """The body with relative links moved to the incidents' new files, and how many links
    to files that were not imported lost their target (their words stay)."""
    base = posixpath.dirname(origin.split("#", 1)[0])
    dropped = 0

    def target_of(raw: str) -> tuple[str | None, bool]:
        target = raw[1:-1] if raw.startswith("<") else raw
        if not _local(target):
            return raw, False
        parts = urlsplit(target)
        path = posixpath.normpath(posixpath.join(base, unquote(parts.path)))
        if path in targets:
            link = quote(posixpath.relpath(targets[path], posixpath.dirname(own) or "."))
            return link + (f"#{parts.fragment}" if parts.fragment else ""), False
        return None, True

    def inline(match: re.Match[str]) -> str:
        nonlocal dropped
        image, words, raw = match.group(1), match.group(2), match.group(3)
        new, lost = target_of(raw)
        if lost:
            dropped += 1
            return words
        title = match.group(4) or ""
        return f"{image}[{words}]({new}{title})"

    def definition(match: re.Match[str]) -> str:
        nonlocal dropped
        new, lost = target_of(match.group(2))
        if lost:
            dropped += 1
            return ""
        return f"{match.group(1)}{new}{match.group(3)}"

    out: list[str] = []
    chunk: list[str] = []
    fenced = False
    for line in body.split("\n"):
        if _FENCE.match(line):
            if not fenced:
                out.append(_DEFINITION.sub(definition, _INLINE.sub(inline, "\n".join(chunk))))
                chunk = []
            fenced = not fenced
            out.append(line)
        elif fenced:
            out.append(line)
        else:
            chunk.append(line)
    if chunk:
        out.append(_DEFINITION.sub(definition, _INLINE.sub(inline, "\n".join(chunk))))
    return "\n".join(out), dropped
