"""Finding the inputs under the given paths and telling their formats apart (`--format auto`).

Every file found is either read as a Document of some format or reported as Skipped with the
reason: nothing under a path given is passed over in silence.
"""

from __future__ import annotations

import codecs
import json
import os
import re
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from learnloop.importers import alertmanager, gcp, jira, opsgenie, pagerduty, statuspage, table
from learnloop.importers.markdown import split_front_matter
from learnloop.importers.records import Document, Skipped
from learnloop.load import HTML_SUFFIXES, JSON_SUFFIXES, MARKUP_SUFFIXES, TABLE_SUFFIXES

MAX_BYTES = 64 * 1024 * 1024  # an export page of thousands of incidents is a few MB
MARKDOWN = MARKUP_SUFFIXES
HTML = HTML_SUFFIXES
JSON = JSON_SUFFIXES
TABLES = TABLE_SUFFIXES
JSON_FORMATS = ("statuspage", "gcp", "pagerduty", "opsgenie", "jira", "alertmanager")
# Files that sit beside post-mortems and are about the folder, not an incident.
_ABOUT = re.compile(
    r"^(readme|licen[cs]e|copying|notice|authors|contributors|contributing|changelog|changes|"
    r"code_of_conduct|codeowners|security|sources?|index|makefile|dockerfile)(\.[a-z0-9.]+)?$",
    re.IGNORECASE,
)
_NOT_TEXT = re.compile(
    r"\.(png|jpe?g|gif|svg|webp|ico|pdf|docx?|xlsx?|pptx?|gz|tgz|tar|7z|mp4|mov|woff2?|ttf|"
    r"ya?ml|toml|css|js|py|rb|sh|lock)$",
    re.IGNORECASE,
)
_CSTATE_KEYS = {"affected", "resolvedwhen", "informational", "pin"}
_CSTATE_SEVERITIES = {"down", "disrupted", "notice"}


def shown_path(path: Path, cwd: Path) -> str:
    """A path as the user can find it from where the command runs."""
    try:
        return os.path.relpath(path, cwd)
    except ValueError:  # another drive
        return str(path)


def gather(
    paths: Sequence[Path], fmt: str, cwd: Path, own: Path | None = None
) -> list[Document | Skipped]:
    """Documents under the paths, each with its format; skips with the reason for the rest.

    `own` is the repository's incidents/ folder: what an import wrote is never read back.
    """
    out: list[Document | Skipped] = []
    for start in paths:
        base = start.parent
        for path in _walk(start, own):
            shown = shown_path(path, cwd)
            if own is not None and path == own:
                out.append(
                    Skipped(
                        shown, "this repository's own incidents/; not imported again", error=False
                    )
                )
                continue
            source = path.relative_to(base).as_posix() if path != base else path.name
            out.append(read(path, shown, source, fmt))
    return out


def _doc(fmt: str, shown: str, source: str, data: Any, name: str) -> Document:
    return Document(shown, source, data, name, fmt)


def _walk(start: Path, own: Path | None) -> Iterator[Path]:
    if not start.is_dir() or _is_slack_export(start) or start == own:
        yield start
        return
    entries = sorted(start.iterdir(), key=lambda p: p.name)
    for entry in entries:
        if entry.name.startswith("."):
            continue  # .git, .DS_Store: never anyone's post-mortem
        if entry.is_dir():
            yield from _walk(entry, own)
        elif entry.is_file():
            yield entry


def _is_slack_export(folder: Path) -> bool:
    return (folder / "channels.json").is_file() or (
        (folder / "users.json").is_file() and any(p.is_dir() for p in folder.iterdir())
    )


def read(path: Path, shown: str, source: str, fmt: str) -> Document | Skipped:
    """One path as a Document of its format, or why it is not imported."""
    name = path.name
    if path.is_dir():  # a Slack export folder
        if fmt not in ("auto", "slack"):
            return Skipped(shown, f"a Slack export folder, not {fmt} (use --format slack)")
        return _doc("slack", shown, source, slack_members_from_folder(path), name)
    if _ABOUT.match(name):
        return Skipped(shown, f"not an incident: {name} describes the folder", error=False)
    if name.startswith("_") or "template" in name.lower():
        return Skipped(shown, "a template, not an incident", error=False)
    lower = name.lower()
    if lower.endswith(".zip"):
        if fmt not in ("auto", "slack"):
            return Skipped(shown, f"a zip archive, not {fmt}")
        return _zip(path, shown, source)
    word = lower.endswith(".docx") and fmt in ("auto", "docx")
    if not word and _NOT_TEXT.search(lower):
        return Skipped(
            shown, f"not an incident file ({path.suffix} files are not imported)", error=False
        )
    raw = _bytes(path, shown)
    if isinstance(raw, Skipped):
        return raw
    if word:
        return replace(_doc("docx", shown, source, raw, name), origin=str(path))
    decoded = decode(raw)
    if isinstance(decoded, Skipped):
        return replace(decoded, source=shown)
    text, notes = decoded
    found = classify(text, shown, source, name, fmt)
    return replace(found, origin=str(path), notes=notes) if isinstance(found, Document) else found


# A byte-order mark says the encoding outright: Windows PowerShell's `>` writes UTF-16.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def decode(raw: bytes) -> tuple[str, tuple[str, ...]] | Skipped:
    """The text of a file, with a note where its encoding had to be guessed.

    UTF-8 unless a byte-order mark says otherwise; text that is not UTF-8 and reads whole as
    Windows-1252 (what Word and older Windows editors save) is read so, and the note says it.
    """
    encoding = next((name for bom, name in _BOMS if raw.startswith(bom)), "utf-8")
    notes: tuple[str, ...] = ()
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as exc:
        where = f"byte 0x{raw[exc.start]:02x} at offset {exc.start}"
        try:
            text = raw.decode("cp1252")
        except UnicodeDecodeError:
            return Skipped("", f"not UTF-8 text ({where})")
        if _CONTROL.search(text):
            return Skipped("", f"not UTF-8 text ({where})")
        notes = (f"not UTF-8 ({where}): read as Windows-1252; check its accents and quotes",)
    text = text.removeprefix("\ufeff")
    if "\x00" in text:
        return Skipped("", "a binary file, not text")
    return text, notes


def classify(text: str, shown: str, source: str, name: str, fmt: str) -> Document | Skipped:
    """The format of a text file's content, given what was asked for."""
    lower = name.lower()
    if lower.endswith(TABLES) and fmt in ("auto", "table"):
        rows = table.rows_of(text, name)
        if isinstance(rows, str):
            return Skipped(shown, rows)
        if not table.is_log(rows):
            return Skipped(
                shown,
                "not an incident log: no column holds its text (description, text), nor "
                "names a title (title, incident, subject) and a date",
                error=fmt == "table",
            )
        return _doc("table", shown, source, rows, name)
    if lower.endswith(TABLES):
        return Skipped(shown, f"a table of incidents, not {fmt} (use --format table)")
    is_json = lower.endswith(JSON) or (fmt in JSON_FORMATS and not lower.endswith(MARKDOWN + HTML))
    if is_json or (
        fmt == "auto" and text.lstrip()[:1] in ("{", "[") and not lower.endswith(MARKDOWN + HTML)
    ):
        return _json(text, shown, source, name, fmt)
    if fmt in JSON_FORMATS or fmt == "slack":
        return Skipped(shown, f"not JSON, so not {fmt}")
    if fmt == "table":
        return Skipped(shown, "not a table of incidents (CSV, TSV, JSON Lines or JSON records)")
    is_html = lower.endswith(HTML) or (not lower.endswith(MARKDOWN) and _html_start(text))
    if fmt == "html" or (fmt == "auto" and is_html):
        if fmt == "html" and not (is_html or "<" in text):
            return Skipped(shown, "not HTML")
        return _doc("html", shown, source, text, name)
    if fmt == "auto" and not (lower.endswith(MARKDOWN) or "." not in name):
        return Skipped(shown, f"unknown format: not Markdown, HTML or JSON ({name})")
    kind = (
        "cstate" if fmt == "cstate" or (fmt == "auto" and looks_like_cstate(text)) else "markdown"
    )
    return _doc(kind, shown, source, text, name)


def _html_start(text: str) -> bool:
    head = text.lstrip()[:200].lower()
    return head.startswith(("<!doctype html", "<html", "<?xml")) or "<body" in head


def looks_like_cstate(text: str) -> bool:
    """Whether a Markdown file's front matter is a cState/Hugo status entry's."""
    front, _, _ = split_front_matter(text)
    if not front:
        return False
    severity = str(front.get("severity", "")).lower()
    return bool(_CSTATE_KEYS & set(front)) or (
        severity in _CSTATE_SEVERITIES and "date" in front and "title" in front
    )


def _json(text: str, shown: str, source: str, name: str, fmt: str) -> Document | Skipped:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        if not text.strip():
            return Skipped(shown, "the file is empty")
        if text.rstrip()[-1:] not in ("}", "]"):
            return Skipped(
                shown,
                f"truncated JSON: the document stops at line {text.rstrip().count(chr(10)) + 1} "
                f"before it closes ({exc.msg})",
            )
        return Skipped(shown, f"malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}")
    except RecursionError:
        return Skipped(shown, "JSON nested too deeply to read")
    found = sniff(data)
    if found is None and table.looks_like(rows := table.rows_in(data)):
        found, data = "table", rows  # a list of flat records: an incident log exported as JSON
    if fmt == "auto":
        if found is None:
            return Skipped(
                shown,
                "unknown format: JSON that is none of " + ", ".join((*JSON_FORMATS, "table")),
            )
        return _doc(found, shown, source, data, name)
    if found not in (fmt, None) and not (fmt == "pagerduty" and found == "opsgenie"):
        return Skipped(shown, f"not a {fmt} document: it looks like {found} (try --format {found})")
    if found is None:
        return Skipped(shown, f"not a {fmt} document (none of its known shapes)")
    return _doc(fmt, shown, source, data, name)


def sniff(data: Any) -> str | None:
    """The tool a parsed JSON document came from, or None."""
    for fmt, module in (
        ("statuspage", statuspage),
        ("gcp", gcp),
        ("jira", jira),
        ("pagerduty", pagerduty),
        ("opsgenie", opsgenie),
        ("alertmanager", alertmanager),
    ):
        if module.looks_like(data):
            return fmt
    if isinstance(data, list) and data and all(isinstance(m, dict) and "ts" in m for m in data[:5]):
        return "slack"
    return None


def _bytes(path: Path, shown: str) -> bytes | Skipped:
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            return Skipped(shown, f"file is {size / 1e6:.0f} MB; too large to import")
        return path.read_bytes()
    except OSError as exc:
        return Skipped(shown, f"cannot read file: {exc.strerror}")


def _zip(path: Path, shown: str, source: str) -> Document | Skipped:
    try:
        with zipfile.ZipFile(path) as archive:
            members = slack_members_from_zip(archive)
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        return Skipped(shown, f"not a readable zip archive ({exc})")
    if "channels.json" not in members["files"]:
        return Skipped(shown, "a zip archive that is not a Slack export (no channels.json)")
    return _doc("slack", shown, source, members, path.name)


def _member(raw: bytes) -> Any:
    try:
        return json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        return ParseError(str(exc))


class ParseError(str):
    """A member of an export that did not parse: the reason, kept to be reported."""


def slack_members_from_folder(folder: Path) -> dict[str, Any]:
    """A Slack export folder as {"files": {member path: parsed JSON or ParseError}}."""
    files: dict[str, Any] = {}
    for path in sorted(folder.rglob("*.json")):
        rel = path.relative_to(folder).as_posix()
        if any(part.startswith(".") for part in rel.split("/")):
            continue
        try:
            files[rel] = _member(path.read_bytes())
        except OSError as exc:
            files[rel] = ParseError(exc.strerror or "cannot read")
    return {"files": files}


def slack_members_from_zip(archive: zipfile.ZipFile) -> dict[str, Any]:
    """A Slack export zip as {"files": {member path: parsed JSON or ParseError}}."""
    names = [n for n in archive.namelist() if n.endswith(".json") and not n.startswith("__MACOSX")]
    # An export zipped with its folder holds "<folder>/channels.json": read from there.
    top = next((n for n in names if n.endswith("/channels.json")), "")
    prefix = top[: -len("channels.json")] if "channels.json" not in names else ""
    names = [n for n in names if n.startswith(prefix)]
    files: dict[str, Any] = {}
    for name in sorted(names):
        info = archive.getinfo(name)
        if info.file_size > MAX_BYTES:
            files[name[len(prefix) :]] = ParseError("member too large")
            continue
        files[name[len(prefix) :]] = _member(archive.read(name))
    return {"files": files}
