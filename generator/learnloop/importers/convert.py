"""HTML to Markdown, through markdownify: tables, lists, links and code blocks kept.

Google Docs exports mark bold and italics with CSS classes and wrap every link in a
redirect; Confluence exports wrap the page in navigation and code in macros. Those are undone
first, so the converter sees the plain HTML it knows.
"""

from __future__ import annotations

import re
import warnings
from html import escape
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlparse

if TYPE_CHECKING:
    from bs4 import BeautifulSoup

_TAG = re.compile(
    r"</?(?:p|br|ul|ol|li|strong|b|em|i|a|code|pre|h[1-6]|div|span|table|tr|td|th|blockquote|"
    r"html|body)\b[^>]*>",
    re.IGNORECASE,
)
_STYLE_RULE = re.compile(r"\.([A-Za-z0-9_-]+)\s*\{([^}]*)\}")
_BLANK_RUNS = re.compile(r"\n{3,}")


Rules = tuple[tuple[re.Pattern[str], str], ...]  # a markup's forms and their Markdown


def rewritten(text: str, rules: Rules) -> str:
    """The text with each rule's pattern replaced in turn, in the rules' order."""
    for pattern, replacement in rules:
        text = pattern.sub(replacement, text)
    return text


def table_lines(rows: list[list[str]]) -> list[str]:
    """A Markdown table of rows of cells, the first row its header, padded to one width, with
    a blank line around it (a wiki's or AsciiDoc's table, converted)."""
    rows = [row for row in rows if any(row)]
    if not rows:
        return []
    width = max(len(row) for row in rows)
    out = [""]
    for number, row in enumerate(rows):
        cells = [c.replace("|", "\\|") for c in row] + [""] * (width - len(row))
        out.append("| " + " | ".join(cells) + " |")
        if number == 0:
            out.append("|" + " --- |" * width)
    out.append("")
    return out


def looks_like_html(text: str) -> bool:
    """Whether a text is marked up with HTML tags (not just a '<' in prose)."""
    return bool(_TAG.search(text))


def _parsed(html: str) -> BeautifulSoup:
    """The parsed markup. What the parser rejects outright ("<![0", a declaration cut short)
    is read as the text it is, so nothing of it is lost and nothing raises."""
    from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning
    from bs4.exceptions import ParserRejectedMarkup

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        try:
            return BeautifulSoup(html, "html.parser")
        except ParserRejectedMarkup:
            return BeautifulSoup(escape(html, quote=False), "html.parser")


def html_to_markdown(html: str) -> str:
    """The Markdown for an HTML fragment or page; never raises on malformed markup."""
    from markdownify import MarkdownConverter

    soup = _parsed(html)
    _google_docs(soup)
    _confluence(soup)
    _notion(soup)
    for tag in soup.find_all(["script", "style", "head", "nav", "footer"]):
        tag.decompose()
    main = soup.find(id="main-content") or soup.find("body") or soup
    # A table with no header cells (Notion, Google Docs) has its first row as its header, as
    # its author laid it out ("Time (PT) | Event"), not an empty one above it.
    converter = MarkdownConverter(
        heading_style="ATX", bullets="-", strip=["img"], table_infer_header=True
    )
    text = converter.convert_soup(main)
    return _BLANK_RUNS.sub("\n\n", text).strip() + "\n"


def page_title(html: str) -> str | None:
    """A page's own title: Confluence's title heading, else <title> (its space prefix cut)."""
    soup = _parsed(html)
    node = soup.find(id="title-text") or soup.find(class_="title") or soup.find("title")
    if node is None:
        return None
    text = " ".join(node.get_text(" ").split())
    return text.split(" : ", 1)[1].strip() if " : " in text else (text or None)


def _google_docs(soup: object) -> None:
    """Bold, italic and monospace classes become tags; redirect links become their target."""
    from bs4 import BeautifulSoup

    assert isinstance(soup, BeautifulSoup)
    styles = " ".join(tag.get_text() for tag in soup.find_all("style"))
    wrap: dict[str, list[str]] = {}
    for name, rule in _STYLE_RULE.findall(styles):
        rule = rule.replace(" ", "").lower()
        if "font-weight:700" in rule or "font-weight:bold" in rule:
            wrap.setdefault(name, []).append("strong")
        if "font-style:italic" in rule:
            wrap.setdefault(name, []).append("em")
        if re.search(r"font-family:\"?(courier|consolas|roboto mono|source code)", rule):
            wrap.setdefault(name, []).append("code")
    if wrap:
        for span in soup.find_all("span"):
            for name in span.get("class") or []:
                for element in wrap.get(name, []):
                    span.wrap(soup.new_tag(element))
    for link in soup.find_all("a", href=True):
        href = str(link["href"])
        parsed = urlparse(href)
        if parsed.netloc.endswith("google.com") and parsed.path == "/url":
            target = parse_qs(parsed.query).get("q")
            if target:
                link["href"] = target[0]


def _notion(soup: object) -> None:
    """A Notion page's property of several values ("payments-webhooks", "stripe-gateway" as
    pills side by side) is a list of them, and a callout's icon is no word of it."""
    from bs4 import BeautifulSoup

    assert isinstance(soup, BeautifulSoup)
    for pill in soup.find_all("span", class_="selected-value"):
        before = pill.find_previous_sibling()
        if before is not None and "selected-value" in (before.get("class") or []):
            pill.insert_before(", ")
    for icon in soup.select("figure.callout .icon"):
        icon.decompose()


def _confluence(soup: object) -> None:
    """Confluence's code macro (storage format) becomes a <pre> block."""
    from bs4 import BeautifulSoup

    assert isinstance(soup, BeautifulSoup)
    for macro in soup.find_all("ac:structured-macro"):
        if macro.get("ac:name") in ("code", "noformat"):
            body = macro.find("ac:plain-text-body")
            pre = soup.new_tag("pre")
            pre.string = body.get_text() if body else ""
            macro.replace_with(pre)
