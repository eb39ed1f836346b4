"""Incident text quoted in generated Markdown: one line, table-safe, otherwise as written.

Generated files are committed and read on the forge as plain Markdown, so they quote incident
text as it is; the site escapes every generated page when it publishes it (publish/), which
is where raw HTML must be shown as text.
"""

from __future__ import annotations


def inline(text: str) -> str:
    """Text on one line."""
    return " ".join(str(text).split())


def cell(text: str) -> str:
    """Text for a Markdown table cell: one line, `|` escaped."""
    return inline(text).replace("|", "\\|")


def heading(text: str) -> str:
    """Text for a heading: one line, a trailing `#` kept as text."""
    line = inline(text)
    return line[:-1] + "\\#" if line.endswith("#") else line
