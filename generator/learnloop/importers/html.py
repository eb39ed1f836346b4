"""Post-mortems exported as HTML (Confluence, Google Docs): converted to Markdown, then read
as Markdown is. The page's own title wins over its first heading."""

from __future__ import annotations

import re

from learnloop.importers.convert import html_to_markdown, looks_like_html, page_title
from learnloop.importers.markdown import read
from learnloop.importers.records import Document, Record, Skipped

_OPENED = re.compile(r"<html\b", re.IGNORECASE)
_CLOSED = re.compile(r"</html\s*>", re.IGNORECASE)


def records(doc: Document) -> list[Record]:
    """The incident an HTML page describes; a page cut short or not HTML is skipped."""
    text = doc.data if isinstance(doc.data, str) else ""
    if not text.strip():
        return [Skipped(doc.shown, "the file is empty")]
    if not looks_like_html(text):
        return [Skipped(doc.shown, "not HTML: no markup found")]
    if _OPENED.search(text) and not _CLOSED.search(text):
        return [Skipped(doc.shown, "truncated HTML: the page has no closing </html>")]
    body = html_to_markdown(text)
    if not body.strip():
        return [Skipped(doc.shown, "an HTML page with no text")]
    title = page_title(text)
    front = {"title": title} if title else {}
    return [read(doc, front, body, "html")]
