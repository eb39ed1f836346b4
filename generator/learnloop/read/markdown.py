"""A post-mortem's Markdown as blocks with their lines: what a reader needs, not a renderer.

Headings (ATX and underlined), bold lines standing alone, paragraphs, list items, table rows
and code, each with the file lines it spans. It is lenient where people are: a bullet
indented four spaces is still a bullet (a renderer would make it code), a line of bold text
is a heading, and writing guidance in HTML comments is blanked out, lines kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Kind = Literal["heading", "paragraph", "item", "row", "code"]

_ATX = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)[ \t]*#*[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})(.*)$")
_ITEM = re.compile(
    r"^(?P<indent>[ \t]*)(?:[-*+•]|\d{1,3}[.)])[ \t]+(?:\[[ xX]\][ \t]+)?(?P<text>.*)$"
)
# A chat tool's emoji code (":rotating_light:", ":white_check_mark:"): no word of the story.
_EMOJI = re.compile(r"(?<![\w:/]):(?=[a-z0-9_+-]*[a-z])[a-z0-9_+-]{2,40}:(?![\w/])")
_QUOTE = re.compile(r"^[ ]{0,3}(?:>[ ]?)+")
_ROW = re.compile(r"^[ \t]*\|(?P<cells>.*)\|?[ \t]*$")
_RULE = re.compile(r"^[ \t]*(?:[-*_][ \t]*){3,}$")
_CELL_EDGE = re.compile(r"(?<!\\)\|")
_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_BOLD_LINE = re.compile(r"^[ \t]*(\*\*|__)(?P<text>[^*_\n]{1,80}?)(?::[ \t]*)?\1[ \t]*:?[ \t]*$")
# A status page's update tag on a line of its own ("[Final message]", "[Update 3]"): it names
# the message below it, as a heading would. A link's text has a target after it; this has none.
_TAG_LINE = re.compile(r"^[ \t]*\[(?P<text>[A-Za-z][\w ,'’-]{0,40})\][ \t]*:?[ \t]*$")
_TAG_LEVEL = 6
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
# `[label]: target`: where a reference link points, not a sentence of the post-mortem.
_LINK_DEFINITION = re.compile(
    r"^ {0,3}\[[^\]\n]+\]:[ \t]*\S+(?:[ \t]+(?:\"[^\"]*\"|'[^']*'|\([^)]*\)))?[ \t]*$"
)


@dataclass(frozen=True)
class Block:
    """One block of a post-mortem: its kind, text and the file lines it spans."""

    kind: Kind
    text: str  # a heading's title, a paragraph's or item's text (lines joined), a row's cells
    line: int  # 1-based file line where it starts
    end: int  # 1-based file line where it ends
    level: int = 0  # a heading's level (7 for a bold line standing alone)
    cells: tuple[str, ...] = ()  # a table row's cells
    raw: str = ""  # the lines as written (code keeps its layout)
    header: bool = False  # a table's header row (the row above its |---| line)


def blocks(text: str, first_line: int = 1) -> list[Block]:
    """The blocks of a Markdown text whose first line is file line `first_line`."""
    written = _COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), text).split("\n")
    lines = _unwrapped(_unquoted(written))
    out: list[Block] = []
    index = 0
    para: list[tuple[int, str]] = []  # (index, text) of the open paragraph or item
    para_kind: Kind = "paragraph"
    borderless = False  # in a table written without its outer pipes ("Time | Event")

    def close() -> None:
        nonlocal para
        if para:
            joined = " ".join(_no_emoji(line).strip() for _, line in para).strip()
            if joined:
                out.append(
                    Block(
                        para_kind,
                        joined,
                        first_line + para[0][0],
                        first_line + para[-1][0],
                        raw="\n".join(written[n] for n, _ in para),  # as written, markers and all
                    )
                )
        para = []

    while index < len(lines):
        line = lines[index]
        fence = _FENCE.match(line)
        if fence:
            close()
            end = _fence_end(lines, index, fence.group(1))
            body = lines[index + 1 : end]
            out.append(
                Block(
                    "code",
                    "\n".join(body),
                    first_line + index,
                    first_line + min(end, len(lines) - 1),
                    level=0,
                    raw="\n".join(written[index : end + 1]),
                )
            )
            index = end + 1
            continue
        if not line.strip():
            close()
            borderless = False
            index += 1
            continue
        atx = _ATX.match(line)
        if atx:
            close()
            out.append(
                _heading(atx.group(2), len(atx.group(1)), first_line + index, written[index])
            )
            index += 1
            continue
        if (
            para
            and para_kind == "paragraph"
            and len(para) == 1
            and _SETEXT.match(line)
            and not _RULE.match(para[0][1])
        ):
            heading = para[0]
            para = []
            level = 1 if line.strip().startswith("=") else 2
            out.append(_heading(heading[1].strip(), level, first_line + heading[0], heading[1]))
            index += 1
            continue
        if _RULE.match(line) or (not para and _LINK_DEFINITION.match(line)):
            close()
            index += 1
            continue
        bold = _BOLD_LINE.match(line)
        if bold and not para:
            out.append(_heading(bold.group("text").strip(), 7, first_line + index, line))
            index += 1
            continue
        tag = _TAG_LINE.match(line)
        if tag and (not para or para_kind == "paragraph"):
            # Unlike a bold line, a tag ends the message before it, even one of no known name
            # ("[Update]" after "[Final message]"): each tag opens a message of its own.
            close()
            out.append(_heading(tag.group("text").strip(), _TAG_LEVEL, first_line + index, line))
            index += 1
            continue
        if not borderless and _opens_borderless(lines, index):
            borderless = True
        row = _ROW.match(line) or (_BARE_ROW.match(line) if borderless and "|" in line else None)
        borderless = borderless and row is not None
        if row and (line.count("|") >= 2 or borderless):
            close()
            if not _SEPARATOR.match(line):
                # `\|` is a pipe inside a cell (GitHub's tables), often in a quoted command.
                parts = _CELL_EDGE.split(row.group("cells"))
                cells = tuple(_no_emoji(c).strip().replace("\\|", "|") for c in parts)
                cells = tuple(c for c in cells if c) or ("",)
                out.append(
                    Block(
                        "row",
                        " — ".join(cells),
                        first_line + index,
                        first_line + index,
                        cells=cells,
                        raw=written[index],
                        header=index + 1 < len(lines) and bool(_SEPARATOR.match(lines[index + 1])),
                    )
                )
            index += 1
            continue
        item = _ITEM.match(line)
        if item:
            close()
            para_kind = "item"
            para = [(index, item.group("text"))]
            index += 1
            continue
        if not para:
            para_kind = "paragraph"
        para.append((index, line))
        index += 1
    close()
    return out


def _unquoted(lines: list[str]) -> list[str]:
    """The lines with their block-quote markers taken off ("> 14:05 sam: seeing 502s", a chat
    quoted in a narrative): a quote holds Markdown like any other. Code keeps its lines."""
    out: list[str] = []
    fence: str | None = None
    for line in lines:
        if fence is None:
            line = _unquote(line)
            opened = _FENCE.match(line)
            fence = opened.group(1) if opened else None
        elif line.strip().startswith(fence):
            fence = None
        out.append(line)
    return out


def _unquote(line: str) -> str:
    # Most lines hold no quote: the pattern runs only where one may open.
    return _QUOTE.sub("", line) if line[:4].lstrip().startswith(">") else line


def _no_emoji(text: str) -> str:
    return _EMOJI.sub("", text) if ":" in text else text


def unquoted_lines(block: Block) -> list[str]:
    """A block's lines as written, without the markers of a quote ("> 14:05 sam: …")."""
    return [_unquote(line) for line in block.raw.split("\n")]


def line_at(block: Block, offset: int) -> int:
    """The file line of a character of a block's text (its lines joined by spaces)."""
    seen = 0
    for number, line in enumerate(block.raw.split("\n")):
        line = _unquote(line)  # a quote's marker is no part of its text
        if number == 0 and block.kind == "item" and (item := _ITEM.match(line)):
            line = item.group("text")
        seen += len(line.strip()) + 1
        if offset < seen:
            return block.line + number
    return block.end


def _opens_borderless(lines: list[str], index: int) -> bool:
    """Whether a line is the header of a table written without its outer pipes: cells apart
    by pipes, then a line of dashes apart by pipes ("---|---"), as GitHub reads one."""
    line = lines[index]
    return (
        "|" in line
        and not _ROW.match(line)
        and index + 1 < len(lines)
        and "|" in lines[index + 1]
        and _SEPARATOR.match(lines[index + 1]) is not None
    )


_BARE_ROW = re.compile(r"^[ \t]*(?P<cells>.*?)[ \t]*$")


def _heading(text: str, level: int, line: int, raw: str) -> Block:
    return Block("heading", _strip_inline(text), line, line, level=level, raw=raw)


def _strip_inline(text: str) -> str:
    """A heading's words without emphasis, links' targets or trailing colons."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    # An underscore inside a word is the word's ("root_cause", "DB_POOL"), as in CommonMark.
    text = re.sub(r"\*\*|\*|`|(?<!\w)_+|_+(?!\w)", "", text)
    return text.strip().rstrip(":").strip()


def _fence_end(lines: list[str], start: int, fence: str) -> int:
    for index in range(start + 1, len(lines)):
        closing = _FENCE.match(lines[index])
        if (
            closing
            and closing.group(1)[0] == fence[0]
            and len(closing.group(1)) >= len(fence)
            and not closing.group(2).strip()
        ):
            return index
    return len(lines) - 1


# A line that only opens or closes an HTML box around the text (Notion's `<aside>` callout, a
# collapsible `<details>`): no words of it. A `<summary>` names what the box holds.
_WRAPPER = re.compile(
    r"^[ \t]*(?:</?(?:aside|details|div|section|article|figure|center|span|p)\b[^>]*>[ \t]*)+$",
    re.IGNORECASE,
)
_SUMMARY = re.compile(
    r"^[ \t]*(?:<details\b[^>]*>)?[ \t]*<summary\b[^>]*>(.*?)</summary>[ \t]*$", re.I
)


def _unwrapped(lines: list[str]) -> list[str]:
    """The lines, with HTML boxes around the text taken away outside code (line for line)."""
    out = []
    fence = ""
    for line in lines:
        opened = _FENCE.match(line)
        if opened and (not fence or opened.group(1).startswith(fence)):
            fence = "" if fence else opened.group(1)[:3]
        elif not fence:
            if _WRAPPER.match(line):
                line = ""
            elif named := _SUMMARY.match(line):
                line = named.group(1).strip()
            elif "\\" in line:
                line = _unescaped(line)
        out.append(line)
    return out


# A character escaped with a backslash, as Google Docs' Markdown download writes "14:02 \- Alert
# fired" and "auth 3\.1": the character itself. Not where the escape keeps a line from being
# a heading or a list ("\# not a heading", "1\. not a list"), nor inside code.
_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")
_LINE_START = re.compile(r"^\s*\d*.")


def _unescaped(line: str) -> str:
    start = _LINE_START.match(line)
    keep = start.end() if start else 0
    pieces = re.split(r"(`[^`]*`)", line[keep:])
    return line[:keep] + "".join(
        piece if piece.startswith("`") else _ESCAPED.sub(r"\1", piece) for piece in pieces
    )


def plain(text: str) -> str:
    """Inline Markdown reduced to its words: links to their text, emphasis gone. Code spans
    keep their backticks: a command quoted in a step must stay a command."""
    # A code span is kept as written: "count(*) … count(*)" is no emphasis.
    spans: list[str] = []

    def held(match: re.Match[str]) -> str:
        spans.append(match.group(0))
        return f"\x00{len(spans) - 1}\x00"

    text = _CODE_SPAN.sub(held, text)
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)
    # A line break written in HTML (a table cell of two lines, a pasted chat log) is a space.
    text = re.sub(r"\s*<br\s*/?>\s*", " ", text, flags=re.IGNORECASE).strip()
    text = re.sub(r"(\*\*|__)(.+?)\1", r"\2", text)
    text = re.sub(r"(?<![\w*`])[*_](?![\s*_])(.+?)(?<![\s*_])[*_](?![\w*`])", r"\1", text)
    return re.sub(r"\x00(\d+)\x00", lambda m: spans[int(m.group(1))], text)


_CODE_SPAN = re.compile(r"(`+)[^`]+?\1")
# A code span in single backticks on one line, its words in group 1: what runbooks quote as a
# command or a log line, and what the reader looks inside for a command an action ran.
INLINE_CODE = re.compile(r"`([^`\n]+)`")


_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[A-Z0-9\"'(\[`*_])")
_ABBREVIATIONS = re.compile(r"\b(?:e\.g|i\.e|etc|vs|approx|incl|ca|mr|ms|dr|no|fig|inc)\.$", re.I)


def sentences(text: str) -> list[tuple[int, str]]:
    """(offset, sentence) of a paragraph's sentences; abbreviations do not end one."""
    out: list[tuple[int, str]] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        piece = text[start : match.start()]
        if _ABBREVIATIONS.search(piece) or len(piece.strip()) < 3:
            continue
        out.append((start, piece.strip()))
        start = match.end()
    rest = text[start:].strip()
    if rest:
        out.append((start, rest))
    return out
