"""MediaWiki markup (a wiki's incident report pasted or exported as text) as Markdown.

Headings (`== Summary ==`), lists, emphasis, links, templates, code and tables, so that the
reader finds the parts as in any Markdown post-mortem. What has no Markdown form (references,
categories, magic words) is dropped; every sentence is kept.
"""

from __future__ import annotations

import re

from learnloop.importers.convert import Rules, rewritten, table_lines

_HEADING = re.compile(r"^(={1,6})\s*(?P<text>[^=].*?)\s*\1\s*$")
_MARKDOWN_HEADING = re.compile(r"^#{1,6}\s+\S", re.MULTILINE)
_CODE_OPEN = re.compile(
    r"^\s*<(syntaxhighlight|source|pre)\b(?:[^>]*\blang=\"?(?P<lang>[\w+-]+))?[^>]*>(?P<rest>.*)$",
    re.I,
)
_CODE_CLOSE = re.compile(r"</(syntaxhighlight|source|pre)\s*>", re.I)
_LIST = re.compile(r"^(?P<marks>[*#:;]+)\s*(?P<text>.*)$")
_DROPPED = (
    re.compile(r"<ref\b[^>/]*/>|<ref\b[^>]*>.*?</ref>", re.I | re.S),
    re.compile(r"\[\[(?:category|file|image):[^\]]*\]\]", re.I),
    re.compile(r"__[A-Z]+__"),
    re.compile(r"~{3,5}"),
    re.compile(r"</?nowiki\s*/?>", re.I),
)
_INLINE: Rules = (
    (re.compile(r"<code>(.*?)</code>", re.I), r"`\1`"),
    (re.compile(r"<tt>(.*?)</tt>", re.I), r"`\1`"),
    (re.compile(r"'''''(.+?)'''''"), r"***\1***"),
    (re.compile(r"'''(.+?)'''"), r"**\1**"),
    (re.compile(r"''(.+?)''"), r"*\1*"),
    (re.compile(r"\[\[[^\]|]*\|([^\]]+)\]\]"), r"\1"),
    (re.compile(r"\[\[([^\]]+)\]\]"), r"\1"),
    (re.compile(r"\[(https?://[^\s\]]+)\s+([^\]]+)\]"), r"[\2](\1)"),
    (re.compile(r"\[(https?://[^\s\]]+)\]"), r"<\1>"),
)
_TEMPLATE = re.compile(r"\{\{([^{}]*)\}\}")


def looks_like_mediawiki(body: str) -> bool:
    """Whether a text is written in MediaWiki markup (`== Summary ==`), not Markdown."""
    headings = sum(1 for line in body.split("\n") if _HEADING.match(line.strip()))
    return headings >= 2 and not _MARKDOWN_HEADING.search(body)


def to_markdown(text: str) -> str:
    """The text in Markdown, line for line where it can be."""
    for pattern in _DROPPED:
        text = pattern.sub("", text)
    text = _BOX.sub(_fields, text.replace("\r\n", "\n"))
    out: list[str] = []
    table: list[list[str]] | None = None  # rows of cells; the first row is the header
    fence = False
    for line in text.replace("\r\n", "\n").split("\n"):
        if fence:
            closed = _CODE_CLOSE.search(line)
            if closed:
                if line[: closed.start()].strip():
                    out.append(line[: closed.start()])
                out.append("```")
                fence = False
            else:
                out.append(line)
            continue
        opened = _CODE_OPEN.match(line)
        if opened:
            out.append("```" + (opened["lang"] or ""))
            rest = opened["rest"]
            closed = _CODE_CLOSE.search(rest)
            if closed:
                if rest[: closed.start()].strip():
                    out.append(rest[: closed.start()])
                out.append("```")
            else:
                fence = True
                if rest.strip():
                    out.append(rest)
            continue
        stripped = line.strip()
        if table is not None:
            if stripped.startswith("|}"):
                out.extend(table_lines(table))
                table = None
            elif stripped.startswith("|-") or stripped.startswith("|+"):
                table.append([])
            elif stripped.startswith(("!", "|")):
                cells = re.split(r"!!|\|\|", stripped[1:])
                row = table[-1] if table else []
                if not table:
                    table.append(row)
                row.extend(_inline(_cell(c)) for c in cells)
            elif table and table[-1]:
                # a cell's text goes on over lines
                table[-1][-1] = f"{table[-1][-1]} {_inline(stripped)}".strip()
            continue
        if stripped.startswith("{|"):
            table = [[]]
            continue
        heading = _HEADING.match(stripped)
        if heading:
            out.append("#" * len(heading.group(1)) + " " + _inline(heading["text"]))
            continue
        listed = _LIST.match(line)
        if listed and listed["text"].strip():
            marks, said = listed["marks"], _inline(listed["text"])
            if marks[-1] == ";":
                out.append(f"**{said}**")
            elif marks[-1] == ":":
                out.append(said)  # an indent, as replies are written
            else:
                marker = "1." if marks[-1] == "#" else "-"
                out.append("  " * (len(marks) - 1) + f"{marker} {said}")
            continue
        out.append(_inline(line))
    if table is not None:
        out.extend(table_lines(table))
    if fence:
        out.append("```")
    return re.sub(r"\n{3,}", "\n\n", "\n".join(out)).strip() + "\n"


# A template over several lines, one setting a line: an infobox of the incident's fields.
_BOX = re.compile(r"^\{\{[^{}|\n]*\n(?P<lines>(?:[ \t]*\|[^{}\n]*\n)+)\}\}[ \t]*$", re.MULTILINE)
_SETTING = re.compile(r"^\s*\|\s*(?P<key>[\w ]{1,40}?)\s*=\s*(?P<value>.*?)\s*$")


def _fields(match: re.Match[str]) -> str:
    # "| start = 2022-03-09 14:02" is the field "Start: 2022-03-09 14:02", as a report opens.
    said = [_SETTING.match(line) for line in match["lines"].split("\n")]
    lines = [f"{m['key'].strip().capitalize()}: {m['value']}" for m in said if m and m["value"]]
    return "\n".join(["", *lines, ""])


def _inline(text: str) -> str:
    for _ in range(3):  # templates inside templates
        text, count = _TEMPLATE.subn(_template, text)
        if not count:
            break
    return rewritten(text, _INLINE).strip()


def _template(match: re.Match[str]) -> str:
    # "{{Phabricator|T12345}}" says "T12345"; a template of settings ("{{irdoc|status=final}}")
    # says nothing.
    _name, *args = match.group(1).split("|")
    said = [a.strip() for a in args if "=" not in a and a.strip()]
    return " ".join(said)


def _cell(cell: str) -> str:
    # 'style="width: 20%" | Detection': attributes before a single bar are no words of it.
    parts = re.split(r"(?<!\|)\|(?!\|)", cell, maxsplit=1)
    return parts[1] if len(parts) == 2 and "=" in parts[0] else cell
