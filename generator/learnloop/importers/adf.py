"""Atlassian's rich text as Markdown: Document Format (Jira Cloud, Opsgenie post-mortems) and
Jira wiki markup (Jira Server, REST v2)."""

from __future__ import annotations

import re
from typing import Any

from learnloop.importers.convert import Rules, rewritten

_MAX_DEPTH = 60  # real documents nest a few levels; a deeper one is cut, not a crash


def adf_to_markdown(doc: Any) -> str:
    """A Markdown rendering of an ADF document; unknown nodes keep their text."""
    return _blocks(doc, 0).strip() + "\n"


def _children(node: Any) -> list[Any]:
    content = node.get("content") if isinstance(node, dict) else None
    return content if isinstance(content, list) else []


def _blocks(node: Any, depth: int) -> str:
    if depth > _MAX_DEPTH or not isinstance(node, dict):
        return ""
    return "\n\n".join(b for b in (_block(c, depth + 1) for c in _children(node)) if b.strip())


def _block(node: Any, depth: int) -> str:
    if not isinstance(node, dict) or depth > _MAX_DEPTH:
        return ""
    kind = node.get("type")
    attrs: dict[str, Any] = node["attrs"] if isinstance(node.get("attrs"), dict) else {}
    if kind == "paragraph":
        return _inline(node, depth)
    if kind == "heading":
        level: int = attrs["level"] if isinstance(attrs.get("level"), int) else 2
        return "#" * min(max(level, 1), 6) + " " + _inline(node, depth)
    if kind in ("bulletList", "orderedList", "taskList", "decisionList"):
        return _list(node, depth, ordered=kind == "orderedList")
    if kind == "codeBlock":
        language = attrs.get("language") if isinstance(attrs.get("language"), str) else ""
        return f"```{language}\n{_text(node)}\n```"
    if kind in ("blockquote", "panel"):
        inner = _blocks(node, depth)
        return "\n".join("> " + line if line else ">" for line in inner.split("\n"))
    if kind == "rule":
        return "---"
    if kind == "table":
        return _table(node, depth)
    if kind in ("mediaSingle", "mediaGroup", "media"):
        return "*(attachment)*"
    if kind in ("text", "hardBreak", "mention", "emoji", "inlineCard", "status", "date"):
        return _inline({"content": [node]}, depth)
    return _blocks(node, depth)  # expand, layoutSection, …: their content, as blocks


def _list(node: dict[str, Any], depth: int, *, ordered: bool) -> str:
    lines = []
    for index, item in enumerate(_children(node), start=1):
        marker = f"{index}." if ordered else "-"
        if isinstance(item, dict) and item.get("type") in ("taskItem", "decisionItem"):
            done = isinstance(item.get("attrs"), dict) and item["attrs"].get("state") == "DONE"
            text = _inline(item, depth)
            lines.append(f"- [{'x' if done else ' '}] {text}")
            continue
        inner = _blocks(item, depth).split("\n")
        pad = " " * (len(marker) + 1)
        lines.append(f"{marker} {inner[0]}")
        lines.extend(pad + line if line else "" for line in inner[1:])
    return "\n".join(lines)


def _table(node: dict[str, Any], depth: int) -> str:
    rows = []
    for row in _children(node):
        cells = [_blocks(c, depth).replace("\n", " ").replace("|", "\\|") for c in _children(row)]
        rows.append("| " + " | ".join(cells) + " |")
    if not rows:
        return ""
    width = rows[0].count(" | ") + 1
    return "\n".join([rows[0], "|" + " --- |" * width, *rows[1:]])


def _text(node: Any) -> str:
    if isinstance(node, dict) and node.get("type") == "text":
        return str(node.get("text", ""))
    return "".join(_text(c) for c in _children(node))


def _inline(node: dict[str, Any], depth: int) -> str:
    out = []
    for child in _children(node):
        if not isinstance(child, dict):
            continue
        kind = child.get("type")
        attrs: dict[str, Any] = child["attrs"] if isinstance(child.get("attrs"), dict) else {}
        if kind == "text":
            out.append(_marked(str(child.get("text", "")), child.get("marks")))
        elif kind == "hardBreak":
            out.append("  \n")
        elif kind == "mention":
            out.append(str(attrs.get("text") or "@someone"))
        elif kind == "emoji":
            out.append(str(attrs.get("text") or attrs.get("shortName") or ""))
        elif kind == "inlineCard":
            out.append(f"<{attrs.get('url')}>" if attrs.get("url") else "")
        elif kind == "status":
            out.append(f"**{attrs.get('text', '')}**")
        elif kind == "date":
            out.append(str(attrs.get("timestamp", "")))
        else:
            out.append(_inline(child, depth + 1) if depth < _MAX_DEPTH else "")
    return "".join(out)


def _marked(text: str, marks: Any) -> str:
    if not text:
        return ""
    for mark in marks if isinstance(marks, list) else []:
        kind = mark.get("type") if isinstance(mark, dict) else None
        if kind == "code":
            text = f"`{text}`"
        elif kind == "strong":
            text = f"**{text}**"
        elif kind == "em":
            text = f"*{text}*"
        elif kind == "strike":
            text = f"~~{text}~~"
        elif kind == "link":
            attrs = mark.get("attrs") if isinstance(mark.get("attrs"), dict) else {}
            if attrs.get("href"):
                text = f"[{text}]({attrs['href']})"
    return text


_WIKI_RULES: Rules = (
    (re.compile(r"^h([1-6])\.\s*", re.M), "HEADING\\1 "),
    (re.compile(r"\{(?:code|noformat)(?::([a-zA-Z0-9+#-]+))?[^}]*\}"), "```\\1"),
    (re.compile(r"\[([^|\]\n]+)\|([^\]\n]+)\]"), "[\\1](\\2)"),
    (re.compile(r"\[(https?://[^\]\s]+)\]"), "<\\1>"),
    (re.compile(r"\{\{([^}\n]+)\}\}"), "`\\1`"),
    (re.compile(r"(?<![\w*])\*(\S[^*\n]*?\S|\S)\*(?![\w*])"), "**\\1**"),
    (re.compile(r"(?<![\w_])_(\S[^_\n]*?\S|\S)_(?![\w_])"), "*\\1*"),
    (re.compile(r"(?<![\w-])-(\S[^-\n]*?\S)-(?![\w-])"), "~~\\1~~"),
    (re.compile(r"^bq\.\s*", re.M), "> "),
    (re.compile(r"^\|\|(.*)\|\|\s*$", re.M), "HEADER_ROW|\\1|"),
)


def wiki_to_markdown(text: str) -> str:
    """Jira wiki markup as Markdown: headings, lists, code, links, emphasis, tables."""
    out: list[str] = []
    fenced = False
    for line in text.replace("\r\n", "\n").split("\n"):
        if re.match(r"^\s*\{(code|noformat)", line) or (
            fenced and re.match(r"^\s*\{(code|noformat)\}", line)
        ):
            fenced = not fenced
            language = re.match(r"^\s*\{(?:code|noformat)(?::([a-zA-Z0-9+#-]+))?", line)
            out.append("```" + ((language.group(1) or "") if fenced and language else ""))
            continue
        if fenced:
            out.append(line)
            continue
        bullet = re.match(r"^\s*([*#]+)\s+(.*)$", line)
        if bullet:
            marks = bullet.group(1)
            marker = "1." if marks[-1] == "#" else "-"
            line = "  " * (len(marks) - 1) + f"{marker} {bullet.group(2)}"
        line = rewritten(line, _WIKI_RULES)
        heading = re.match(r"^HEADING(\d) (.*)$", line)
        if heading:
            line = "#" * int(heading.group(1)) + " " + heading.group(2)
        if line.startswith("HEADER_ROW|"):
            cells = [c.strip() for c in line[len("HEADER_ROW|") :].strip("|").split("||")]
            line = "| " + " | ".join(cells) + " |\n|" + " --- |" * len(cells)
        out.append(line)
    return "\n".join(out).strip() + "\n"
