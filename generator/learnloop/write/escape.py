"""Incident text made safe for the site's Markdown: raw HTML shows as text, never runs.

Post-mortems are written by people and arrive by pull request, but the site must not run
anything they contain. Rather than hoping Markdown agrees with us on where code begins and
ends, every `<`, `>` and `&` of the source leaves here escaped, and code spans and code
blocks become `<code>`/`<pre>` elements built here with escaped contents. The only raw HTML
in the output is what this module writes itself, so a disagreement with the Markdown
parser about code can change how text looks, never whether it runs.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable

# Characters Markdown's inline syntax reacts to: inside code they become character
# references, so the Markdown around our <code> cannot turn them into emphasis or links.
_CODE_ENTITIES = {
    "&": "&amp;",
    "<": "&lt;",
    ">": "&gt;",
    **{c: f"&#{ord(c)};" for c in "\\`*_[]{}|~"},
}
_CODE_TABLE = str.maketrans(_CODE_ENTITIES)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_SPECIAL = re.compile(r"[\n\\`<>&]")
_CELL_SPECIAL = re.compile(r"[\n\\`<>&|]")
_TEXT_TABLE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
# Python-Markdown's backslash escapes; the escaped character is copied as written.
_ESCAPABLE = frozenset("\\`*_{}[]()>#+-.!|")
_AUTOLINK = re.compile(r"<https?://[^\s<>\"'`\\|]+>", re.IGNORECASE)
_QUOTE_PREFIX = re.compile(r"(?: {0,3}> ?)+")
_FENCE_OPEN = re.compile(r"^( {0,3})(`{3,}|~{3,})(.*)$")
_LIST_ITEM = re.compile(r"^ {0,3}(?:[*+-]|\d+[.)])(?: |$)")
# A list that may interrupt a paragraph, as GitHub renders it: a bullet or "1." with text.
_INTERRUPTING_ITEM = re.compile(r"^ {0,3}(?:[*+-]|1[.)]) +\S")
# A line that starts a block of its own, so that a code span cannot run on into it.
_BLOCK_START = re.compile(r" {0,3}(?:(?:[*+-]|\d+[.)])(?: |$)|#{1,6}(?:\s|$)|>)")
_TICKS = re.compile(r"`+")
_ATX_H1 = re.compile(r"^ {0,3}#(?=\s|$)")
_SETEXT_H1 = re.compile(r"^ {0,3}=+\s*$")
# `](javascript:…)` and `[id]: javascript:…` (also inside quotes and lists, so anywhere);
# browsers ignore tabs and newlines inside a URL.
_LINK_SCHEME = re.compile(
    r"(\]\(\s*(?:&lt;)?\s*|\]:\s*(?:&lt;)?\s*)([a-z][a-z0-9+.\-\s]{0,40}?)\s*:", re.IGNORECASE
)
_UNSAFE_SCHEMES = frozenset({"javascript", "vbscript", "data", "livescript"})
# An image source with a scheme or two leading slashes (browsers read `\` as `/`) is remote;
# Markdown also takes the source inside angle brackets, kept as `<` (an autolink) or `&lt;`.
_REMOTE_SOURCE = re.compile(r"\s*(?:<|&lt;)?\s*(?:[a-z][a-z0-9+.\-]*:|[/\\]{2})", re.IGNORECASE)
_INLINE_LINK = re.compile(r"(!?)\[([^\]\n]*)\]\(([^()\s]+)((?:\s+\"[^\"\n]*\")?\s*)\)")


def block(text: str, *, demote: bool = False) -> str:
    """A Markdown body with its raw HTML shown as text and its code kept as code.

    With `demote`, a leading H1 is dropped (the page has its own title) and other H1s become H2s.
    """
    lines = _normalize(text).split("\n")
    out: list[str] = []
    prose: list[str] = []  # consecutive text lines, escaped together (comments span lines)
    index = 0
    previous_block_is_list = False
    blank_before = True
    seen_text = False
    while index < len(lines):
        line = lines[index]
        fence = _FENCE_OPEN.match(line)
        if fence and not (fence.group(2)[0] == "`" and "`" in fence.group(3)):
            end = _fence_end(lines, index + 1, fence.group(2))
            body = [_dedent(lines[i], len(fence.group(1))) for i in range(index + 1, end)]
            out.extend(_flush(prose))
            out.append(fence.group(1) + _pre(body, fence.group(3).strip()))
            index = end + 1
            blank_before, seen_text = False, True
            continue
        if blank_before and not previous_block_is_list and _indent(line) >= 4:
            end = _indented_end(lines, index)
            out.extend(_flush(prose))
            out.append(_pre([_dedent(lines[i], 4) for i in range(index, end)], ""))
            index = end
            blank_before, seen_text = False, True
            continue
        if line.strip():
            if blank_before:
                # Indented text after a list item belongs to the item, not to a code block.
                previous_block_is_list = bool(_LIST_ITEM.match(line)) or _indent(line) > 0
            elif not previous_block_is_list and _INTERRUPTING_ITEM.match(line):
                # "All times UTC." then "- 08:24 …": GitHub starts a list there, Python-Markdown
                # only after a blank line, so the blank line is added.
                prose.append("")
                previous_block_is_list = True
            blank_before = False
            if demote:
                if _ATX_H1.match(line):
                    line = "" if not seen_text else line.replace("#", "##", 1)
                elif _SETEXT_H1.match(line) and prose and prose[-1].strip():
                    line = line.replace("=", "-")
            seen_text = True
        else:
            blank_before = True
        prose.append(line)
        index += 1
    out.extend(_flush(prose))
    return "\n".join(out)


def inline(text: str) -> str:
    """One line of Markdown (a title, a list item) with raw HTML shown as text."""
    return _defuse(_escape(" ".join(text.split()), line_start=False))


def cell(text: str) -> str:
    """Text for a Markdown table cell: one line, raw HTML shown as text, `|` escaped."""
    return _defuse(_escape(" ".join(text.split()), line_start=False, cell=True))


def heading(text: str) -> str:
    """Text for an ATX heading: as `inline`, with a trailing `#` kept as text."""
    escaped = inline(text)
    return escaped[:-1] + "\\#" if escaped.endswith("#") else escaped


def rewrite_links(markdown: str, resolve: Callable[[str, bool], str | None]) -> str:
    """Apply `resolve(target, is_image)` to inline links; None turns a link into its text."""

    def replace(match: re.Match[str]) -> str:
        bang, text, target, title = match.groups()
        new = resolve(target, bool(bang))
        if new is None:
            return text
        return f"{bang}[{text}]({new}{title})"

    # A link reduced to its text can make the brackets around it a new link or image.
    return _defuse(_INLINE_LINK.sub(replace, markdown))


def _normalize(text: str) -> str:
    # Python-Markdown expands tabs too; doing it first keeps our columns equal to its columns.
    # Control characters go: browsers drop some of them inside URLs (`\x01javascript:`).
    text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    return "\n".join(
        "" if not line.strip() else line.expandtabs(4).rstrip(" ") + _hard_break(line)
        for line in text.split("\n")
    )


def _hard_break(line: str) -> str:
    # Two trailing spaces are a line break in Markdown; keep them, drop other trailing blanks.
    return "  " if line.endswith("  ") and line.strip() else ""


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _dedent(line: str, width: int) -> str:
    return line[min(width, _indent(line)) :]


def _fence_end(lines: list[str], start: int, fence: str) -> int:
    closing = re.compile(rf"^ {{0,3}}{re.escape(fence[0])}{{{len(fence)},}}\s*$")
    for index in range(start, len(lines)):
        if closing.match(lines[index]):
            return index
    return len(lines)  # an unclosed fence runs to the end, as in CommonMark


def _indented_end(lines: list[str], start: int) -> int:
    end = start
    for index in range(start, len(lines)):
        if _indent(lines[index]) >= 4:
            end = index + 1
        elif lines[index].strip():
            break
    return end


def _pre(lines: list[str], info: str) -> str:
    """A code block as one HTML element that no Markdown context can take apart."""
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    lang = re.match(r"[\w#+.-]*", info.lstrip("{."))
    cls = f' class="language-{lang.group(0)}"' if lang and lang.group(0) else ""
    # A blank line would end an HTML block inside a list item; a newline reference does not.
    text, pending = [], ""
    for line in lines:
        if not line.strip():
            pending += "&#10;"
            continue
        code = line.rstrip().translate(_CODE_TABLE)
        # Inside a list item the block is paragraph text, where `#` or `---` opening a line
        # would start a heading or a rule; as references they only show.
        stripped = code.lstrip(" ")
        if stripped[:1] in ("#", "-", "+", "="):
            code = code[: len(code) - len(stripped)] + f"&#{ord(stripped[0])};" + stripped[1:]
        text.append(pending + code)
        pending = ""
    return f"<pre><code{cls}>" + "\n".join(text) + "</code></pre>"


def _flush(prose: list[str]) -> list[str]:
    if not prose:
        return []
    text = _defuse(_escape("\n".join(prose), line_start=True))
    prose.clear()
    return [text]


# Link text longer than this is not a link anyone wrote: log lines pasted with brackets.
MAX_LINK_TEXT = 1000


def _defuse(text: str) -> str:
    """Escaped Markdown without script URLs, without images that load from elsewhere, and
    without brackets that open no link.

    Python-Markdown looks for the end of every `[` it meets, to the end of the paragraph:
    a log pasted with thousands of `[WARN …` lines took minutes to build. A `[` that closes
    nowhere (or only after MAX_LINK_TEXT characters) is escaped; it shows the same.
    """
    text = _LINK_SCHEME.sub(_defuse_scheme, text)
    closes = _brackets(text)
    out = []
    done = 0
    for start in sorted(closes):
        end = closes[start]
        if end >= 0 and end - start <= MAX_LINK_TEXT:
            if start > 0 and text[start - 1] == "!" and not _escaped(text, start - 1):
                # Keep `![alt](path)` only for a path on this site; any other `![` loses its
                # `!`, reference-style ones too (their definition may be anywhere). A link
                # to the image is left in its place.
                local = text.startswith("(", end + 1) and not _REMOTE_SOURCE.match(text, end + 2)
                if not local:
                    out.append(text[done : start - 1])
                    done = start
            continue
        out.append(text[done:start])
        out.append("\\[")
        done = start + 1
    out.append(text[done:])
    return "".join(out)


def _brackets(text: str) -> dict[int, int]:
    """Each unescaped `[` with the index of the `]` closing it (as Python-Markdown nests
    them), or -1 where none does before the paragraph ends. One pass, whatever the text."""
    closes: dict[int, int] = {}
    stack: list[int] = []
    index = 0
    length = len(text)
    while index < length:
        char = text[index]
        if char == "\\":
            index += 2  # an escaped character is text
            continue
        if char == "[":
            stack.append(index)
        elif char == "]" and stack:
            closes[stack.pop()] = index
        elif char == "\n" and text.startswith("\n", index + 1):
            closes.update((opened, -1) for opened in stack)  # a blank line ends a paragraph
            stack.clear()
        index += 1
    closes.update((opened, -1) for opened in stack)
    return closes


def _escaped(text: str, index: int) -> bool:
    backslashes = 0
    while index - backslashes > 0 and text[index - backslashes - 1] == "\\":
        backslashes += 1
    return backslashes % 2 == 1


def _defuse_scheme(match: re.Match[str]) -> str:
    scheme = re.sub(r"\s+", "", match.group(2)).lower()
    if scheme in _UNSAFE_SCHEMES:
        # Percent-encoding the colon leaves a harmless relative URL with the same text.
        return match.group(1) + match.group(2) + "%3A"
    return match.group(0)


def _escape(text: str, *, line_start: bool, cell: bool = False) -> str:
    out: list[str] = []
    spans = _Spans(text)
    special = _CELL_SPECIAL if cell else _SPECIAL
    i, n = 0, len(text)
    at_line_start = line_start
    while i < n:
        if at_line_start:
            quote = _QUOTE_PREFIX.match(text, i)
            if quote:
                out.append(quote.group(0))  # blockquote markers are Markdown, not HTML
                i = quote.end()
            at_line_start = False
        found = special.search(text, i)
        j = found.start() if found else n
        out.append(text[i:j])  # nothing in a run of ordinary characters needs escaping
        if j == n:
            break
        char, i = text[j], j
        if char == "\n":
            out.append(char)
            i += 1
            at_line_start = line_start
        elif char == "\\" and i + 1 < n and text[i + 1] in _ESCAPABLE:
            out.append(text[i : i + 2] if text[i + 1] != ">" else "&gt;")
            i += 2
        elif char == "`":
            i = _code_span(text, i, out, spans)
        elif char == "<" and text.startswith("<!--", i) and (end := text.find("-->", i + 4)) >= 0:
            # Comments are invisible in every Markdown view; keep them so (template hints).
            i = end + 3
        elif char == "<" and (link := _AUTOLINK.match(text, i)):
            out.append(link.group(0))
            i = link.end()
        elif char == "|":
            out.append("\\|")
            i += 1
        else:
            out.append(char.translate(_TEXT_TABLE))
            i += 1
    return "".join(out)


class _Spans:
    """Where code spans of a text may close: its backtick runs by length, and its paragraphs.

    A code span may run over several lines of one paragraph (an editor wraps it); found by
    lookup, so a text full of unmatched backticks costs no more than one pass over it.
    """

    def __init__(self, text: str) -> None:
        self.runs: dict[int, list[int]] = {}
        for match in _TICKS.finditer(text):
            self.runs.setdefault(len(match.group(0)), []).append(match.start())
        self.breaks: list[int] = []  # offsets of line ends after which a new block starts
        offset = text.find("\n")
        while offset >= 0:
            following = text.find("\n", offset + 1)
            line = text[offset + 1 : following if following >= 0 else len(text)]
            if not line.strip() or _BLOCK_START.match(line):
                self.breaks.append(offset)
            offset = following
        self.length = len(text)

    def closing(self, after: int, ticks: int) -> int:
        """The start of the run of `ticks` backticks closing a span opened before `after`,
        or -1 when the paragraph ends first."""
        runs = self.runs.get(ticks, [])
        at = bisect.bisect_left(runs, after)
        end_at = bisect.bisect_left(self.breaks, after)
        end = self.breaks[end_at] if end_at < len(self.breaks) else self.length
        return runs[at] if at < len(runs) and runs[at] < end else -1


def _code_span(text: str, start: int, out: list[str], spans: _Spans) -> int:
    """Append the code span opening at `start` (or its backticks, escaped); return the end."""
    run = start
    while run < len(text) and text[run] == "`":
        run += 1
    ticks = run - start
    close = spans.closing(run, ticks)
    if close >= 0:
        # Line breaks inside a span are spaces, as in every Markdown.
        content = text[run:close].replace("\n", " ").strip()
        out.append("<code>" + content.translate(_CODE_TABLE) + "</code>")
        return close + ticks
    out.append("\\`" * ticks)
    return run
