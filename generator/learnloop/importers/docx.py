"""Post-mortems written in Word or Google Docs and saved as .docx: converted to Markdown, then
read as Markdown is.

A .docx file is a zip of XML parts. The text is in word/document.xml: paragraphs (a heading
by its style), list items (a paragraph with numbering), tables, and runs of text within them.
Only the standard library reads it; members are size-checked before they are read, so a zip
bomb is refused, and a part that declares a document type or entities (Word never writes
one) is refused before it is parsed.
"""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any
from xml.etree import ElementTree

from learnloop.importers.convert import table_lines
from learnloop.importers.markdown import read
from learnloop.importers.records import Document, Record, Skipped

MAX_XML = 32 * 1024 * 1024  # a 300-page report's document.xml is a few MB
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_DC = "{http://purl.org/dc/elements/1.1/}"
_HEADING_NAME = re.compile(r"^(?:heading|überschrift|titre|título|titolo|kop)\s*(\d)$", re.I)


def records(doc: Document) -> list[Record]:
    """The incident a Word document describes; one that cannot be read is skipped."""
    data = doc.data if isinstance(doc.data, bytes) else b""
    try:
        body, title = to_markdown(data)
    except Unreadable as exc:
        return [Skipped(doc.shown, str(exc))]
    if not body.strip():
        return [Skipped(doc.shown, "a Word document with no text")]
    return [read(doc, {"title": title} if title else {}, body, "docx")]


class Unreadable(ValueError):
    """Why a .docx file cannot be read."""


def to_markdown(data: bytes) -> tuple[str, str]:
    """(Markdown, the document's title) of a .docx file's bytes; Unreadable says why not."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = {name: _part(archive, name) for name in _PARTS}
    except (zipfile.BadZipFile, EOFError, OSError) as exc:
        raise Unreadable(f"not a readable Word document ({exc})") from None
    document = parts["word/document.xml"]
    if document is None:
        raise Unreadable("not a Word document: no word/document.xml")
    try:
        root = ElementTree.fromstring(document)
        styles = _heading_levels(parts["word/styles.xml"])
        title = _title(parts["docProps/core.xml"])
    except ElementTree.ParseError as exc:
        raise Unreadable(f"a Word document whose XML does not parse ({exc})") from None
    body = root.find(f"{_W}body")
    if body is None:
        return "", title
    out: list[str] = []
    titled = ""  # the text in the Title style names the document; its properties may be stale
    for element in body:
        if element.tag == f"{_W}p":
            level = _style_level(element, styles)
            if level == 0:
                titled = titled or _text(element).strip()
                continue
            out.append(_paragraph(element, level))
        elif element.tag == f"{_W}tbl":
            out.extend(_table(element))
    title = titled or title
    text = "\n\n".join(line for line in out if line.strip())
    # List items one after the other are one list, not paragraphs apart.
    return re.sub(r"(?m)^(\s*(?:-|1\.) .*)\n\n(?=\s*(?:-|1\.) )", r"\1\n", text) + "\n", title


_PARTS = ("word/document.xml", "word/styles.xml", "docProps/core.xml")
_LIST = -1  # a style whose paragraphs are list items ("List Bullet")


def _part(archive: zipfile.ZipFile, name: str) -> bytes | None:
    try:
        info = archive.getinfo(name)
    except KeyError:
        return None
    if info.file_size > MAX_XML:
        raise Unreadable(f"a Word document whose {name} is too large to read")
    data = archive.read(name)
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise Unreadable(f"a Word document whose {name} declares a document type; refused")
    return data


def _heading_levels(styles: bytes | None) -> dict[str, int]:
    """Style id -> heading level (0 for the title), from the styles' names or outline levels:
    ids differ between Word's languages and Google Docs, names and outline levels do not."""
    levels = {"Title": 0, **{f"Heading{n}": n for n in range(1, 7)}}
    if styles is None:
        return levels
    for style in ElementTree.fromstring(styles).iter(f"{_W}style"):
        ident = style.get(f"{_W}styleId") or ""
        name = style.find(f"{_W}name")
        said = (name.get(f"{_W}val") or "") if name is not None else ""
        heading = _HEADING_NAME.match(said.strip())
        outline = style.find(f"{_W}pPr/{_W}outlineLvl")
        if said.strip().lower() == "title":
            levels[ident] = 0
        elif style.find(f"{_W}pPr/{_W}numPr") is not None:
            levels[ident] = _LIST
        elif heading:
            levels[ident] = int(heading.group(1))
        elif outline is not None and (outline.get(f"{_W}val") or "").isdigit():
            levels[ident] = int(outline.get(f"{_W}val") or "0") + 1
    return levels


def _title(core: bytes | None) -> str:
    if core is None:
        return ""
    found = ElementTree.fromstring(core).find(f"{_DC}title")
    return (found.text or "").strip() if found is not None else ""


def _style_level(paragraph: Any, styles: dict[str, int]) -> int | None:
    """The heading level of a paragraph's style (0 the title, _LIST a list's), or None."""
    style = paragraph.find(f"{_W}pPr/{_W}pStyle")
    return styles.get(style.get(f"{_W}val") or "") if style is not None else None


def _paragraph(paragraph: Any, level: int | None) -> str:
    text = _text(paragraph)
    if not text.strip():
        return ""
    if level is not None and level > 0:
        return "#" * level + " " + text.strip()
    props = paragraph.find(f"{_W}pPr")
    numbered = props.find(f"{_W}numPr") if props is not None else None
    if numbered is not None or level == _LIST:
        depth = numbered.find(f"{_W}ilvl") if numbered is not None else None
        indent = int(depth.get(f"{_W}val") or "0") if depth is not None else 0
        return "  " * min(indent, 8) + "- " + text.strip()
    return text.strip()


def _text(element: Any) -> str:
    """The words of a paragraph: its runs' text, tabs and breaks as spaces, code as code."""
    out: list[str] = []
    for node in element.iter():
        if node.tag == f"{_W}t" and node.text:
            out.append(node.text)
        elif node.tag in (f"{_W}tab", f"{_W}br", f"{_W}cr"):
            out.append(" ")
    return "".join(out)


def _table(table: Any) -> list[str]:
    rows = [
        [" ".join(said for p in cell.iter(f"{_W}p") if (said := _text(p).strip())) for cell in
         row.iter(f"{_W}tc")]
        for row in table.iter(f"{_W}tr")
    ]  # fmt: skip
    lines = table_lines(rows)
    return ["\n".join(lines).strip()] if lines else []
