"""AsciiDoc (a docs-as-code team's post-mortem in .adoc) as Markdown.

Section titles (`== Timeline`), the document title (`= Checkout outage`) and its attributes
(`:revdate: 2024-04-18`), lists, emphasis, links, listing blocks and tables, so that the
reader finds the parts as in any Markdown post-mortem. Every sentence is kept; what has no
Markdown form (block attributes, comments, anchors) is dropped.
"""

from __future__ import annotations

import re

from learnloop.importers.convert import Rules, rewritten, table_lines

_TITLE = re.compile(r"^=\s+(?P<text>\S.*)$")
_SECTION = re.compile(r"^(?P<marks>={2,6})\s+(?P<text>\S.*?)\s*=*\s*$")
_ATTRIBUTE = re.compile(r"^:(?P<name>[\w-]+):\s*(?P<value>.*)$")
_BLOCK_ATTRIBUTES = re.compile(r"^\[[^\]\n]*\]\s*$")  # [source,bash], [NOTE], [cols="1,3"]
_SOURCE = re.compile(r"^\[source(?:,\s*(?P<lang>[\w+-]+))?[^\]]*\]\s*$")
_DELIMITER = re.compile(r"^(?:-{4,}|\.{4,})\s*$")  # a listing or literal block
_TABLE = re.compile(r"^\|={3,}\s*$")
_ORDERED = re.compile(r"^(?P<dots>\.{1,5})\s+(?P<text>\S.*)$")
_UNORDERED = re.compile(r"^(?P<stars>[*-]{1,5})\s+(?P<text>\S.*)$")
_LABELLED = re.compile(r"^(?P<term>[^:\n]{1,60})::\s*(?P<text>.*)$")  # Term:: definition
_ADMONITION = re.compile(r"^(?:NOTE|TIP|IMPORTANT|WARNING|CAUTION):\s+")
_INLINE: Rules = (
    (re.compile(r"(?P<url>https?://[^\s\[]+)\[(?P<text>[^\]]+)\]"), r"[\g<text>](\g<url>)"),
    (re.compile(r"link:(?P<url>\S+?)\[(?P<text>[^\]]+)\]"), r"[\g<text>](\g<url>)"),
    (re.compile(r"<<[^,>]+,\s*([^>]+)>>"), r"\1"),
    (re.compile(r"<<([^>]+)>>"), r"\1"),
    (re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])"), r"**\1**"),
    (re.compile(r"(?<![\w_])_(?=\S)([^_\n]+?)(?<=\S)_(?![\w_])"), r"*\1*"),
    (re.compile(r"`\+([^`]+)\+`"), r"`\1`"),
)


def looks_like_asciidoc(body: str) -> bool:
    """Whether a text is written in AsciiDoc (`== Summary` sections), not Markdown."""
    lines = body.split("\n")
    sections = sum(1 for line in lines if _SECTION.match(line) and not line.rstrip().endswith("="))
    return sections >= 2 and not re.search(r"(?m)^#{1,6}\s+\S", body)


def to_markdown(text: str) -> tuple[str, str, dict[str, str]]:
    """(Markdown, the document's title, its attributes) of an AsciiDoc text."""
    out: list[str] = []
    title = ""
    attributes: dict[str, str] = {}
    lines = text.replace("\r\n", "\n").split("\n")
    index = 0
    language = ""
    in_header = True  # the title, then its attribute lines, before the first blank line
    while index < len(lines):
        line = lines[index]
        index += 1
        if line.startswith("//"):
            continue  # a comment
        if in_header and not title and (titled := _TITLE.match(line)):
            title = _inline(titled["text"])
            continue
        if in_header and (attribute := _ATTRIBUTE.match(line)):
            attributes[attribute["name"].lower()] = attribute["value"].strip()
            continue
        if in_header and title and line.strip() and not out:
            continue  # the author and revision lines under the title
        if not line.strip():
            in_header = False
        if source := _SOURCE.match(line):
            language = source["lang"] or ""
            continue
        if _BLOCK_ATTRIBUTES.match(line):
            continue
        if _DELIMITER.match(line):
            fence = line.strip()
            out.append("```" + language)
            language = ""
            while index < len(lines) and lines[index].strip() != fence:
                out.append(lines[index])
                index += 1
            index += 1
            out.append("```")
            continue
        if _TABLE.match(line):
            # Cells run on, a line holding one or a row of them; the first line's count is
            # the table's width, as AsciiDoc reads it without a cols attribute.
            cells: list[str] = []
            width = 0
            while index < len(lines) and not _TABLE.match(lines[index]):
                said = lines[index]
                index += 1
                if said.lstrip().startswith("|"):
                    found = [c.strip() for c in said.split("|")[1:]]
                    width = width or len(found)
                    cells.extend(_inline(c) for c in found)
                elif said.strip() and cells:  # a cell's text goes on
                    cells[-1] = f"{cells[-1]} {_inline(said.strip())}".strip()
            index += 1
            width = max(width, 1)
            out.extend(table_lines([cells[n : n + width] for n in range(0, len(cells), width)]))
            continue
        if section := _SECTION.match(line):
            out.append("#" * (len(section["marks"]) - 1) + " " + _inline(section["text"]))
            continue
        if ordered := _ORDERED.match(line):
            depth = len(ordered["dots"]) - 1
            out.append("  " * depth + "1. " + _inline(ordered["text"]))
            continue
        if unordered := _UNORDERED.match(line):
            depth = len(unordered["stars"]) - 1
            out.append("  " * depth + "- " + _inline(unordered["text"]))
            continue
        if labelled := _LABELLED.match(line):
            out.append(f"**{labelled['term'].strip()}**: {_inline(labelled['text'])}")
            continue
        if line.strip() == "+":
            continue  # a list continuation
        out.append(_inline(_ADMONITION.sub("", line)))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(out)).strip() + "\n", title, attributes


def _inline(text: str) -> str:
    return rewritten(text, _INLINE)
