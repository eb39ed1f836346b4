"""reStructuredText (a Sphinx team's post-mortem in .rst) as Markdown.

Section titles (a line underlined, or over- and underlined, with `=`, `-`, `~` …, their level
given by the order each style first appears), the document title and its field list
(`:Date: 2023-03-14`), lists, emphasis, links, literal and code blocks, directives' content,
definition lists, and grid and simple tables, so that the reader finds the parts as in any
Markdown post-mortem. Every sentence is kept; what has no Markdown form (comments, targets,
directive options, substitution definitions) is dropped.
"""

from __future__ import annotations

import itertools
import re

from learnloop.importers.convert import Rules, rewritten, table_lines

_ADORNMENT = re.compile(r"^([=\-~^\"'`#*+_:.])\1{2,}\s*$")
_FIELD = re.compile(r"^:(?P<name>[^:\n]{1,40}):\s*(?P<value>.*)$")
_BULLET = re.compile(r"^(?P<indent>\s*)[*+\-•]\s+(?P<text>\S.*)$")
_ENUMERATED = re.compile(r"^(?P<indent>\s*)\(?(?:\d+|#)[.)]\s+(?P<text>\S.*)$")
_DIRECTIVE = re.compile(r"^\.\.\s+(?P<name>[\w:-]+)::\s*(?P<argument>.*)$")
_EXPLICIT = re.compile(r"^\.\.(?:\s|$)")  # a comment, a target or a substitution
_GRID_BORDER = re.compile(r"^\s*\+(?:[-=]+\+)+\s*$")
_SIMPLE_BORDER = re.compile(r"^\s*=+(?:\s+=+)+\s*$")
# Code blocks: what follows is shown as written.
_CODE_DIRECTIVES = frozenset({"code", "code-block", "sourcecode", "highlight"})
# Blocks with no text a reader wants: pictures, a table of contents, raw markup.
_SKIPPED_DIRECTIVES = frozenset({"image", "figure", "contents", "toctree", "raw", "include"})
_INLINE: Rules = (
    (re.compile(r"`(?P<text>[^`<\n]+?)\s*<(?P<url>[^>\n]+)>`__?"), r"[\g<text>](\g<url>)"),
    # :ref:`…`, :doc:`the design <design>`: the text, not where it points.
    (re.compile(r":[\w:+-]+:`(?P<text>[^`<\n]+?)(?:\s*<[^>\n]*>)?`"), r"\g<text>"),
    (re.compile(r"`(?P<text>[^`\n]+?)`_(?!\w)"), r"\g<text>"),  # a reference to a target
    (re.compile(r"(?<![\w`])`(?P<text>[^`\n]+?)`(?![\w`])"), r"*\g<text>*"),  # interpreted
    (re.compile(r"\|(?P<text>[\w -]+)\|(?!\w)"), r"\g<text>"),  # a substitution's name
)


def looks_like_rst(body: str) -> bool:
    """Whether a text is written in reStructuredText, not Markdown: sections underlined and
    something only reStructuredText writes (a directive, ``literal``, `link <…>`_, an
    overlined title, a field list), and no Markdown heading."""
    if re.search(r"(?m)^#{1,6}\s+\S", body):
        return False
    lines = body.split("\n")
    underlined = sum(
        1
        for above, line in itertools.pairwise(lines)
        if _ADORNMENT.match(line)
        and above.strip()
        and not _ADORNMENT.match(above)
        and len(line.strip()) >= len(above.strip())  # as long as its title, or longer
    )
    only_rst = re.search(
        r"(?m)^\.\.\s+[\w:-]+::|``[^`\n]+``|`[^`\n]+<[^>\n]+>`_|^:[\w ]+:\s+\S", body
    ) or any(
        _ADORNMENT.match(a) and b.strip() and _ADORNMENT.match(c)
        for a, b, c in zip(lines, lines[1:], lines[2:], strict=False)
    )
    return underlined >= 2 and bool(only_rst)


def to_markdown(text: str) -> tuple[str, str, dict[str, str]]:
    """(Markdown, the document's title, its field list) of a reStructuredText text."""
    lines = [line.expandtabs(4) for line in text.replace("\r\n", "\n").split("\n")]
    headings = {i: h for i in range(len(lines)) if (h := _section(lines, i)) is not None}
    # The first title is the document's when its style titles nothing else (docutils reads
    # a lone top-level section so); sections take their level from the order styles appear.
    first = min(headings, default=None)
    lone = first is not None and [h[1] for h in headings.values()].count(headings[first][1]) == 1
    out: list[str] = []
    styles: list[tuple[str, bool]] = []
    title = ""
    fields: dict[str, str] = {}
    index = 0
    while index < len(lines):
        line = lines[index]
        if index in headings:
            words, style, used = headings[index]
            if index == first and lone and not any(o.strip() for o in out):
                title = _inline(words)
            else:
                if style not in styles:
                    styles.append(style)
                out.extend(["", "#" * min(styles.index(style) + 1, 6) + " " + _inline(words), ""])
            index += used
            continue
        index += 1
        if (field := _FIELD.match(line)) and not any(o.strip() for o in out):
            # The field list before any text: the document's metadata (its docinfo).
            fields[field["name"].strip().lower()] = field["value"].strip()
            continue
        if directive := _DIRECTIVE.match(line):
            name = directive["name"].lower()
            block, index = _indented(lines, index)
            body = [b for b in block if not _FIELD.match(b.strip())]  # its options
            argument = directive["argument"].strip()
            if name in _CODE_DIRECTIVES:
                out.extend(["```" + argument, *_trimmed(body), "```"])
            elif name not in _SKIPPED_DIRECTIVES:
                out.extend(_inline(b) for b in ([argument] if argument else []) + _trimmed(body))
            continue
        if _EXPLICIT.match(line):
            _, index = _indented(lines, index)  # a comment or a target, and its lines
            continue
        if _GRID_BORDER.match(line):
            rows, index = _grid_table(lines, index)
            out.extend(table_lines(rows))
            continue
        if _SIMPLE_BORDER.match(line):
            rows, index = _simple_table(lines, index - 1)
            out.extend(table_lines(rows))
            continue
        if line.rstrip().endswith("::"):
            # "… the query showed::" then an indented literal block, kept as written.
            said = line.strip()[:-2].rstrip()
            block, after = _indented(lines, index)
            if any(b.strip() for b in block):
                if said:
                    out.append(_inline(said if said.endswith(":") else said + ":"))
                out.extend(["```", *_trimmed(block), "```"])
                index = after
                continue
        if bullet := _BULLET.match(line):
            out.append("  " * (len(bullet["indent"]) // 2) + "- " + _inline(bullet["text"]))
            continue
        if numbered := _ENUMERATED.match(line):
            out.append("  " * (len(numbered["indent"]) // 2) + "1. " + _inline(numbered["text"]))
            continue
        if (
            line.strip()
            and not line[0].isspace()
            and index < len(lines)
            and lines[index][:1].isspace()
            and lines[index].strip()
            and (not out or not out[-1].strip())
        ):
            # A definition list: the term, then its definition indented under it.
            block, index = _indented(lines, index)
            definition = " ".join(b.strip() for b in block if b.strip())
            out.append(f"**{_inline(line.strip())}**: {_inline(definition)}")
            continue
        out.append(_inline(line.strip()))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(out)).strip() + "\n", title, fields


def _section(lines: list[str], index: int) -> tuple[str, tuple[str, bool], int] | None:
    """(title, style, lines used) where a section title starts at index, else None."""
    line = lines[index]
    after = lines[index + 1] if index + 1 < len(lines) else ""
    if (
        _ADORNMENT.match(line)
        and index + 2 < len(lines)
        and lines[index + 1].strip()
        and lines[index + 2].strip() == line.strip()
    ):
        return lines[index + 1].strip(), (line.strip()[0], True), 3
    if (
        line.strip()
        and not line[0].isspace()
        and not _ADORNMENT.match(line)
        and _ADORNMENT.match(after)
        and len(after.strip()) >= min(len(line.strip()), 3)
        and not _SIMPLE_BORDER.match(after)
    ):
        return line.strip(), (after.strip()[0], False), 2
    return None


def _indented(lines: list[str], index: int) -> tuple[list[str], int]:
    """The block indented under the line before index (blank lines within it kept), and the
    index after it."""
    block: list[str] = []
    while index < len(lines) and (not lines[index].strip() or lines[index][0].isspace()):
        if not lines[index].strip() and (
            index + 1 >= len(lines) or not lines[index + 1][:1].isspace()
        ):
            break
        block.append(lines[index])
        index += 1
    return block, index


def _trimmed(block: list[str]) -> list[str]:
    """A block's lines with their common indent taken off, blank lines at its ends dropped."""
    widths = [len(b) - len(b.lstrip()) for b in block if b.strip()]
    cut = min(widths, default=0)
    lines = [b[cut:] for b in block]
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    return lines


def _grid_table(lines: list[str], index: int) -> tuple[list[list[str]], int]:
    """The rows of a grid table whose top border was the line before index; a row's cells
    run over the lines between two borders."""
    rows: list[list[str]] = []
    cells: list[str] = []
    while index < len(lines) and lines[index].strip().startswith(("|", "+")):
        line = lines[index].strip()
        index += 1
        if _GRID_BORDER.match(line):
            if cells:
                rows.append([_inline(c.strip()) for c in cells])
            cells = []
            continue
        parts = [p.strip() for p in line.strip("|").split("|")]
        cells = [f"{c} {p}".strip() for c, p in zip(cells, parts, strict=False)] or parts
    if cells:
        rows.append([_inline(c.strip()) for c in cells])
    return rows, index


def _simple_table(lines: list[str], index: int) -> tuple[list[list[str]], int]:
    """The rows of a simple table whose first border is at index: its columns are where the
    border's runs of `=` are; the last column takes the rest of the line."""
    border = lines[index]
    spans = [m.span() for m in re.finditer(r"=+", border)]
    rows: list[list[str]] = []
    borders = 1
    index += 1
    while index < len(lines) and borders < 3:
        line = lines[index]
        index += 1
        if _SIMPLE_BORDER.match(line):
            borders += 1
            continue
        if not line.strip():
            if borders >= 2 and index < len(lines) and not lines[index].strip():
                break
            continue
        cells = [
            line[start : (spans[n + 1][0] if n + 1 < len(spans) else len(line))].strip()
            for n, (start, _) in enumerate(spans)
        ]
        if rows and not cells[0] and any(cells[1:]):
            # A line whose first column is empty goes on the row above it.
            rows[-1] = [f"{a} {b}".strip() for a, b in zip(rows[-1], cells, strict=False)]
        else:
            rows.append(cells)
    return [[_inline(c) for c in row] for row in rows], index


def _inline(text: str) -> str:
    """A line's inline markup as Markdown; a ``literal`` is kept as code, untouched."""
    parts = re.split(r"``([^`\n]+?)``", text)
    return "".join(
        f"`{part}`" if n % 2 else rewritten(part, _INLINE) for n, part in enumerate(parts)
    )
