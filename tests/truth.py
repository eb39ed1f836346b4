"""Reading generated documents and post-mortems without learnloop, to check the one against
the other.

Everything here is written apart from the package on purpose: the post-mortems are read with
PyYAML and regular expressions, durations and quantiles are computed by hand, so a test built
on these helpers checks what a document says against what its sources say, not the code that
wrote it against itself. The one thing taken from learnloop is its own testimony of where a
time was read in a file (`check --explain`'s contract); the tests check that testimony against
the line it names before they use it.
"""

from __future__ import annotations

import math
import posixpath
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

import yaml

GENERATED_DIRS = ("runbooks", "kb", "adr")
# A link to a post-mortem: [INC-1](../incidents/2025/x.md).
CITATION = re.compile(r"\[([A-Za-z0-9][A-Za-z0-9._-]*)\]\(([^)\s]+\.(?:md|ya?ml))\)")
_REGION = re.compile(r"<!-- learnloop:begin (\S+) -->\n(.*?)<!-- learnloop:end \1 -->", re.DOTALL)
_MORE = re.compile(r"\+(\d+) more")


# --- post-mortems --------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """One post-mortem as its file says it."""

    id: str
    path: str  # relative to the repository root
    front: dict[str, Any]
    lines: tuple[str, ...]  # the file's lines, for checking where a time was read
    # Every word of it (body and front-matter values), normalised; and the same read the
    # ways a quote may fairly have been taken: fenced code left out, table rows as cells.
    said: str
    readings: tuple[str, ...] = ()

    @property
    def restricted(self) -> bool:
        return str(self.front.get("visibility", "")).strip().lower() == "restricted"

    @property
    def title(self) -> str:
        return str(self.front.get("title", ""))

    @property
    def severity(self) -> str:
        """P0…P4, from any of the spellings people use (SEV2, sev-2, S2, P2)."""
        raw = str(self.front.get("severity", "")).strip()
        match = re.fullmatch(r"(?i)(?:p|sev-?|s)([0-4])", raw)
        return f"P{match.group(1)}" if match else raw

    @property
    def services(self) -> list[str]:
        value = self.front.get("services")
        return [str(s) for s in value] if isinstance(value, list) else [str(value)]

    def impact(self, key: str) -> Any:
        value = self.front.get("impact")
        return value.get(key) if isinstance(value, dict) else None

    def says(self, text: str) -> bool:
        """Whether the post-mortem contains this text (after `normalise`)."""
        wanted = normalise(text)
        return any(wanted in reading for reading in (self.said, *self.readings))


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def read_source(root: Path, path: Path) -> Source | None:
    """A post-mortem file read with PyYAML alone; None for one without an id."""
    raw = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix in (".yaml", ".yml"):
        front = yaml.safe_load(raw)
        body = ""
    elif raw.startswith("---\n") and "\n---" in raw[3:]:
        head, _, body = raw[4:].partition("\n---")
        front = yaml.safe_load(head)
    else:
        return None
    if not isinstance(front, dict) or "id" not in front:
        return None
    text = "\n".join([body, *_strings(front)])
    readings = (normalise(_FENCED.sub("\n", text)), normalise(_ROW.sub(_cells, text)))
    rel = path.relative_to(root).as_posix()
    return Source(str(front["id"]), rel, front, tuple(raw.split("\n")), normalise(text), readings)


_FENCED = re.compile(r"(?ms)^[ \t]*(```|~~~)[^\n]*\n.*?^[ \t]*\1[ \t]*$")
_ROW = re.compile(r"(?m)^[ \t]*\|(.*)\|[ \t]*$")


def _cells(row: re.Match[str]) -> str:
    """A table row as its cells, joined by a dash ('a — b')."""
    cells = [c.strip() for c in re.split(r"(?<!\\)\|", row.group(1))]
    return " — ".join(c for c in cells if c)


def read_sources(root: Path) -> dict[str, Source]:
    """Every post-mortem under root/incidents, by id."""
    out = {}
    for path in sorted((root / "incidents").rglob("*")):
        if path.is_file() and path.suffix in (".md", ".yaml", ".yml"):
            source = read_source(root, path)
            if source is not None:
                out[source.id] = source
    return out


_FENCE = re.compile(r"(?m)^[ \t]*(?:```|~~~).*$")
_LOOSE = re.compile(r"(?<!\S)[-+*](?!\S)")
_MARKUP = re.compile(r"\*+|__|`|\\(?=[|*_`\[\]#])")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_LIST = re.compile(r"(?m)^[ \t]*(?:[-*+>]|#+|\d+[.)])[ \t]+")
_RULE = re.compile(r"(?m)^[ \t]*\|?(?:[ \t]*:?-{3,}:?[ \t]*\|)+[ \t]*:?-*:?[ \t]*$\n?")
_UNDERLINE = re.compile(r"(?<![\w\\])_+|_+(?!\w)")


def normalise(text: str) -> str:
    """Text as words: fences, list markers (also inside a line flattened from a list), table
    rules, Markdown emphasis, code marks, links and escapes dropped, quotes and dashes made
    plain, whitespace collapsed, case folded."""
    text = _FENCE.sub("", text)
    text = _RULE.sub("", text)
    text = _LIST.sub("", text)
    text = _LOOSE.sub("", text)
    text = _LINK.sub(r"\1", text)
    text = _MARKUP.sub("", text)
    text = _UNDERLINE.sub("", text)
    for fancy, plain in (("’", "'"), ("‘", "'"), ("“", '"'), ("”", '"'), ("–", "-")):
        text = text.replace(fancy, plain)
    return " ".join(text.split()).casefold()


_WORD = re.compile(r"[a-z][a-z0-9_]{3,}")


def words(text: str) -> set[str]:
    """The distinct longer words of a text (four letters or more), case folded."""
    return set(_WORD.findall(normalise(text)))


def share_of_words(text: str, source: Source) -> float:
    """How many of a text's words the post-mortem uses, as a share."""
    mine = words(text)
    if not mine:
        return 1.0
    theirs = set(_WORD.findall(source.said))
    return len(mine & theirs) / len(mine)


# --- times ----------------------------------------------------------------------------------


def as_datetime(value: Any) -> datetime | None:
    """A front-matter time as an aware datetime; a date alone is its midnight, UTC."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime.combine(value, time(0), tzinfo=UTC)
    text = str(value).strip().replace("Z", "+00:00")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def minutes(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return (end - start).total_seconds() / 60


def quantile(values: Sequence[float], q: float) -> float:
    """Linear interpolation between order statistics (the 'inclusive' method), by hand."""
    data = sorted(values)
    position = q * (len(data) - 1)
    low = math.floor(position)
    high = min(low + 1, len(data) - 1)
    return data[low] + (data[high] - data[low]) * (position - low)


def median(values: Sequence[float]) -> float:
    return quantile(values, 0.5)


_DURATION = re.compile(r"^(?:(\d+) d )?(?:(\d+) h )?(\d+) min$")


def shown_minutes(text: str) -> float:
    """'7 min', '1 h 05 min', '2 d 03 h 10 min' back to minutes."""
    match = _DURATION.match(text.strip())
    assert match, f"not a duration: {text!r}"
    days, hours, mins = (int(g) if g else 0 for g in match.groups())
    return days * 1440 + hours * 60 + mins


def agrees(shown: str, value: float) -> bool:
    """Whether a duration as printed (whole minutes) is this value, rounded."""
    return abs(shown_minutes(shown) - value) <= 0.5 + 1e-6


# --- generated documents --------------------------------------------------------------------


@dataclass(frozen=True)
class Document:
    path: str  # relative to the repository root
    front: dict[str, Any]
    body: str
    regions: dict[str, str] = field(default_factory=dict)

    @property
    def sources(self) -> list[str]:
        return [str(s) for s in self.front.get("sources") or []]


def read_document(root: Path, path: Path) -> Document | None:
    """A generated document (front matter says so); None for anything else."""
    text = path.read_text(encoding="utf-8")
    if not text.startswith("---\n"):
        return None
    head, _, body = text[4:].partition("\n---\n")
    front = yaml.safe_load(head)
    if not isinstance(front, dict) or front.get("generated_by") != "learnloop":
        return None
    regions = {m.group(1): m.group(2) for m in _REGION.finditer(body)}
    return Document(path.relative_to(root).as_posix(), front, body, regions)


def read_documents(root: Path) -> list[Document]:
    """Every generated document under runbooks/, kb/ and adr/, sorted by path."""
    out = []
    for folder in GENERATED_DIRS:
        for path in sorted((root / folder).rglob("*.md")):
            found = read_document(root, path)
            if found is not None:
                out.append(found)
    return out


@dataclass(frozen=True)
class Cited:
    """A line of a document that quotes or counts incidents, and the incidents it links."""

    text: str  # what the line says before its citations
    ids: tuple[str, ...]  # the incidents linked, in order
    more: int  # how many more the line counts without linking ("+N more")
    line: str  # the whole line, for messages


def citations(doc: Document, line: str) -> list[tuple[str, str]]:
    """(id, repository path) of every post-mortem a line links, resolved from the document."""
    base = posixpath.dirname(doc.path)
    found = [
        (ident, posixpath.normpath(posixpath.join(base, target)))
        for ident, target in CITATION.findall(line)
    ]
    return [(ident, path) for ident, path in found if path.startswith("incidents/")]


def cited_ids(text: str) -> list[str]:
    """The ids of the post-mortems a text links (links into incidents/ from any depth)."""
    return [i for i, target in CITATION.findall(text) if re.match(r"(\.\./)*incidents/", target)]


def more_of(text: str) -> int:
    match = _MORE.search(text)
    return int(match.group(1)) if match else 0


def table(text: str) -> list[list[str]]:
    """The rows of the first Markdown table in a text, cells stripped (header dropped)."""
    rows = []
    lines = [line for line in text.split("\n") if line.startswith("|")]
    for line in lines[2:]:
        cells = re.split(r"(?<!\\)\|", line.strip())[1:-1]
        rows.append([c.strip() for c in cells])
    return rows
