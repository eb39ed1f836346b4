"""Incidents kept as rows: a spreadsheet's CSV or TSV export, JSON Lines, or a JSON list of
flat records, one incident a row.

Teams that keep an incident log in a spreadsheet, or a collection of summaries as records,
import it as they would post-mortems: each row is read as the post-mortem it would be written
as. Columns that name the incident (title, id), when it happened (date, start, detected,
resolved), its severity, services and tags become its front matter; every other column with
text becomes a section under the column's name ("Root cause", "Resolution"), so the reader
finds its parts as it finds a heading's. A column named for the text itself (text, body,
description, details) is the opening text, with no heading.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from dataclasses import replace
from typing import Any

from learnloop.importers import markdown
from learnloop.importers.convert import html_to_markdown, looks_like_html
from learnloop.importers.fields import digest_of
from learnloop.importers.records import Document, Record, Skipped

# The columns that hold the text itself, not a part of it.
_TEXT = frozenset({"text", "body", "content", "description", "details", "narrative", "notes"})
# Column name (its words) -> the front-matter key the Markdown reader knows it by.
_FRONT = {
    **{name: key for key in ("title", "id", "tags") for name in markdown.FRONT_KEYS[key]},
    "subject": "title",
    "incident id": "id",
    "incident": "title",
    "ticket": "id",
    "incident number": "id",
    "opened": "date",
    # Jira's CSV export
    "issue key": "id",
}
# ServiceNow's incident table, by the field names its exports write.
_SERVICENOW = {"short_description": "title", "number": "id", "opened_at": "date"}
_URL = frozenset({"url", "link", "permalink", "source url", "report url", "postmortem url"})
_MEANT = ("started_at", "detected_at", "acknowledged_at", "mitigated_at", "resolved_at")


_FIELDS = ("date", *_MEANT, "severity", "services", "status")


def _role(column: str) -> str | None:
    """What a column gives: a front-matter key (title, id, tags, date, a moment, severity,
    services, status), "url", "text" (the text itself), or None (a part, under its name)."""
    if (exported := _SERVICENOW.get(column.strip().lower())) is not None:
        return exported
    words = _words(_named(column))
    if words in _FRONT:
        return _FRONT[words]
    if words in _DATE:
        return "date"
    if (field := markdown.field_key(_named(column))) in _FIELDS:
        return field
    if words in _URL:
        return "url"
    return "text" if words in _TEXT else None


# Keys an export wraps its list of records in: ServiceNow's list export ("records") and its
# Table API ("result"), and other tools' "rows", "data", "items".
_WRAPPERS = ("records", "result", "rows", "data", "items")


def rows_in(data: Any) -> Any:
    """The records of a JSON document: the list itself, or the list an export wraps in one key
    ({"records": […]}), a reference field given by its shown value ({"display_value": "vpn-gw-01",
    "link": …} is "vpn-gw-01")."""
    if isinstance(data, dict) and len(data) == 1:
        key, value = next(iter(data.items()))
        if key in _WRAPPERS and isinstance(value, list):
            data = value
    if not isinstance(data, list):
        return data
    return [
        {k: _shown(v) for k, v in row.items()} if isinstance(row, dict) else row for row in data
    ]


def _shown(value: Any) -> Any:
    if isinstance(value, dict) and "display_value" in value:
        return value["display_value"]
    return value


def looks_like(data: Any) -> bool:
    """Whether parsed JSON is a list of flat records, each with a title or a text."""
    if not isinstance(data, list) or not data or not all(isinstance(r, dict) for r in data[:20]):
        return False
    return all(
        _flat(r) and any(_role(str(k)) in ("title", "text") and _said(v) for k, v in r.items())
        for r in data[:20]
    )


def is_log(rows: list[dict[str, Any]]) -> bool:
    """Whether rows are incidents: their columns hold a text, or name a title and a date (a
    table of metrics, or of services and their owners, beside the post-mortems is not read
    as incidents)."""
    roles = {_role(str(k)) for row in rows[:20] for k in row}
    # A summary is the text, or the name (Jira's); either way the rows tell incidents.
    summarized = any(_words(str(k)) == "summary" for row in rows[:20] for k in row)
    return "text" in roles or (("title" in roles or summarized) and bool(roles & {"date", *_MEANT}))


def rows_of(text: str, name: str) -> list[dict[str, Any]] | str:
    """The rows of a CSV, TSV or JSON Lines text, or why it holds none."""
    lower = name.lower()
    if lower.endswith((".jsonl", ".ndjson")):
        rows: list[dict[str, Any]] = []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except (json.JSONDecodeError, RecursionError) as exc:
                return f"line {number}: not a JSON record ({exc})"
            if not isinstance(row, dict):
                return f"line {number}: a JSON {type(row).__name__}, not a record"
            rows.append(row)
        return rows
    delimiter = "\t" if lower.endswith(".tsv") else _delimiter(text)
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        if not reader.fieldnames or not any(f and f.strip() for f in reader.fieldnames):
            return "no header row: the first row names the columns"
        return [{k.strip(): v for k, v in row.items() if k} for row in reader]
    except csv.Error as exc:
        return f"line {reader.line_num}: {exc}"


def _delimiter(text: str) -> str:
    # A spreadsheet in a locale that writes decimal commas exports with semicolons.
    head = text.split("\n", 1)[0]
    return ";" if head.count(";") > head.count(",") else ","


def records(doc: Document) -> list[Record]:
    """An incident a row; a row with nothing to read is reported, with its number."""
    rows = doc.data if isinstance(doc.data, list) else []
    out: list[Record] = []
    stem = re.sub(r"\.[A-Za-z]+$", "", doc.name)
    for number, row in enumerate(rows, start=1):
        shown = f"{doc.shown}#{number}"
        front, body = post_mortem(row)
        if not body.strip() and not front.get("title"):
            # A spreadsheet's export ends with blank rows: nothing is lost by passing them.
            out.append(Skipped(shown, "an empty row: no title and no text", error=False))
            continue
        if "id" not in front:
            # The row's own id, else one from what it says: inserting a row above it does
            # not make it another incident on the next import.
            said = json.dumps(row, sort_keys=True, default=str)
            front["id"] = f"{stem}-{hashlib.sha256(said.encode()).hexdigest()[:8]}"
        row_doc = replace(doc, shown=shown, data=body, name=f"{stem}-{number}", fmt="table")
        found = markdown.read(row_doc, front, body, "table")
        if isinstance(found, Skipped):
            out.append(found)
            continue
        url = next((_said(v) for k, v in row.items() if _role(str(k)) == "url" and _said(v)), None)
        out.append(replace(found, digest=digest_of(row), url=url))
    return out


def post_mortem(row: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """(front matter, Markdown body) of one row, as the post-mortem it would be written as."""
    front: dict[str, Any] = {}
    opening: list[str] = []
    sections: list[str] = []
    named = any(_role(str(column)) == "title" and _said(v) for column, v in row.items())
    for column, value in row.items():
        said = _said(value)
        if not said:
            continue
        if looks_like_html(said):
            # A provider's communication kept as HTML ("<p><strong>Root cause:</strong> …"):
            # its words, as the Markdown they would be written as.
            said = html_to_markdown(said).strip()
        role = _role(column)
        if not named and _words(column) == "summary" and _NAME.match(said):
            # Jira's "Summary" is the one-line name; a log's is a paragraph.
            role, named = "title", True
        if role == "url":
            continue  # where the write-up is: the import's link, not a part of its text
        if role == "text":
            opening.append(said)
        elif role is not None and role not in front:
            front[role] = value if isinstance(value, list) else said
        elif (entries := _journal(said)) is not None:
            sections.append(f"## Timeline\n\n{entries}")
        else:  # a part under its name; a second column of one field is kept as written
            sections.append(f"## {_heading(column)}\n\n{said}")
    return front, "\n\n".join([*opening, *sections]) + "\n"


# A journal field as ServiceNow exports it, newest first: "2023-07-02 10:45:12 - Lee Park
# (Work notes)", then what was written.
_JOURNAL_ENTRY = re.compile(
    r"^(?P<at>\d{4}-\d\d-\d\d \d\d:\d\d(?::\d\d)?) - [^\n]*\((?:work notes|additional comments|"
    r"comments)\)[ \t]*$",
    re.IGNORECASE | re.MULTILINE,
)


def _journal(said: str) -> str | None:
    """A journal's entries as a timeline, oldest first, without who wrote each (who did it is
    no word of what was done); None for any other text."""
    heads = list(_JOURNAL_ENTRY.finditer(said))
    if not heads or heads[0].start() != 0:
        return None
    entries = []
    for head, after in zip(heads, [*heads[1:], None], strict=True):
        text = " ".join(said[head.end() : after.start() if after else len(said)].split())
        if text:
            entries.append(f"- {head['at']} {text}")
    return "\n".join(sorted(entries)) if entries else None


def _named(column: str) -> str:
    """A column's own name, without the marks of a custom field: ServiceNow's "u_root_cause"
    and Jira's "Custom field (Root Cause)" are the root cause."""
    column = _CAMEL.sub(" ", column.strip())  # "impactMitigationTime": three words
    custom = _CUSTOM.match(column)
    return custom.group(1).strip() if custom else re.sub(r"^u_(?=[a-z])", "", column)


_NAME = re.compile(r"^[^\n]{1,120}(?<![.!?])$")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z][a-z])")
_CUSTOM = re.compile(r"^custom\s*field\s*\((.+)\)$", re.IGNORECASE)


def _heading(column: str) -> str:
    return _named(column).replace("_", " ")


def _said(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v).strip() for v in value if str(v).strip())
    if value is None or isinstance(value, bool | dict):
        return ""
    return str(value).replace("\r\n", "\n").strip()


def _words(column: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", column.lower()).strip()


# The front matter's names for the start, as a column's words ("created_at" is "Created At").
_DATE = frozenset(map(_words, markdown.FRONT_KEYS["date"]))


def _flat(row: dict[str, Any]) -> bool:
    return all(
        not isinstance(v, dict) and not (isinstance(v, list) and any(isinstance(i, dict | list)
                                                                      for i in v))
        for v in row.values()
    )  # fmt: skip
