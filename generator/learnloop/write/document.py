"""Generated Markdown documents: front matter, marked regions, and respect for human edits.

A generated file (DESIGN §5) starts with front matter the generator owns, except `review`,
which belongs to people. Its body mixes generated regions between
`<!-- learnloop:begin NAME -->` and `<!-- learnloop:end NAME -->` with text people wrote.
Re-rendering replaces only the content of regions whose markers are still there; text
outside markers, a region whose markers a person removed ("adopted"), the review block and
any front-matter key the generator does not own are carried over unchanged.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import yaml

from learnloop.load.fields import as_date
from learnloop.model import Incident
from learnloop.write.cache import RenderCache

GENERATED_BY = "learnloop"
OWNED_KEYS = (
    "generated_by",
    "kind",
    "pattern",
    "title",
    "sources",
    "source_digest",
    "updated",
    "review_due",
    "regions",
    "status",
)
_REGION = re.compile(
    r"<!-- learnloop:begin (?P<name>[a-z0-9_-]+) -->\n(?P<body>.*?)"
    r"<!-- learnloop:end (?P=name) -->",
    re.DOTALL,
)
_FRONT = re.compile(r"\A---\n(?P<yaml>.*?)\n---\n", re.DOTALL)


@dataclass(frozen=True)
class Region:
    name: str
    text: str  # Markdown, without markers


def source_digest(incidents: Sequence[Incident]) -> str:
    """sha256 over the sources' ids and file digests, in id order."""
    return _digest_of(sorted((i.id, i.digest) for i in incidents))


def _digest_of(pairs: Sequence[tuple[str, str]]) -> str:
    # One update over the joined lines digests the same bytes as one update per line, without
    # a call per source (indexes have one source per incident).
    lines = [f"{name}\0{digest}\n" for name, digest in pairs]
    return "sha256:" + hashlib.sha256("".join(lines).encode()).hexdigest()


# The C loader reads what the Python one reads, several times faster.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def split_existing(text: str | None, *, sources: bool = True) -> tuple[dict[str, Any], str]:
    """(front matter, body) of an existing file; ({}, text) when it has no front matter.

    Without `sources` the caller does not read that key, and it may be missing from the front
    matter returned; everything else is as YAML reads it.
    """
    if not text:
        return {}, ""
    match = _FRONT.match(text)
    if not match:
        return {}, text
    front = match.group("yaml")
    try:
        data = yaml.load(front if sources else _without_sources(front), Loader=_LOADER) or {}
    except yaml.YAMLError:
        data = {}
    return (data if isinstance(data, dict) else {}), text[match.end() :]


# A `sources` list as `_dump` writes it: plain ids only, on one line.
_SOURCES = re.compile(r"sources: \[(?:[A-Za-z][A-Za-z0-9._/-]*(?:, [A-Za-z][A-Za-z0-9._/-]*)*)?\]")
_KEY_LINE = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*:(?: |$)")


def _without_sources(front: str) -> str:
    """The front matter without its `sources` line, where that changes nothing else it says.

    A corpus-wide document lists thousands of sources, and reading them with the YAML parser
    costs more than rendering the document. Dropping the line is safe when it is a complete
    entry of the top-level mapping on its own: every line before it is a whole entry by
    itself (it parses alone to a mapping, starting at the margin), the line is a flow list of
    plain ids, and the next line starts another entry. Anything else is parsed whole.
    """
    lines = front.split("\n")
    at = next((n for n, line in enumerate(lines) if line.startswith("sources: [")), None)
    if at is None or not _SOURCES.fullmatch(lines[at]):
        return front
    if at + 1 < len(lines) and not _KEY_LINE.match(lines[at + 1]):
        return front
    for line in lines[:at]:
        if not _KEY_LINE.match(line):
            return front
        try:
            alone = yaml.load(line, Loader=_LOADER)
        except yaml.YAMLError:
            return front
        if not isinstance(alone, dict):
            return front
    return "\n".join(lines[:at] + lines[at + 1 :])


def _review(existing: dict[str, Any]) -> dict[str, Any]:
    review = existing.get("review")
    if isinstance(review, dict):
        return review
    return {"status": "draft", "by": None, "at": None, "digest": None}


def review_due(review: dict[str, Any], updated: date | None, period_days: int) -> date | None:
    """When a review falls due: a period after the last review, or after the newest source."""
    base = as_date(review.get("at")) or updated
    return base + timedelta(days=period_days) if base else None


def render(
    *,
    kind: str,
    title: str,
    regions: Sequence[Region],
    sources: Sequence[Incident],
    existing: str | None,
    review_period_days: int,
    pattern: str | None = None,
    status: str | None = None,
    footer: str = "",
    force_status: bool = False,
) -> str:
    """The whole file: owned front matter, the human review block, regions merged into the body.

    `status` is a default: a status already in the file (an ADR a person accepted) is kept,
    unless `force_status` (a document the generator retires).
    """
    old_front, old_body = split_existing(existing, sources=False)  # replaced, never read
    review = _review(old_front)
    updated = max([s.started_at.date() for s in sources], default=None)
    front: dict[str, Any] = {"generated_by": GENERATED_BY, "kind": kind}
    if pattern:
        front["pattern"] = pattern
    front["title"] = title
    if status:
        kept = old_front.get("status")
        front["status"] = kept if isinstance(kept, str) and kept and not force_status else status
    # Sorted once for both: documents over a whole corpus have ten thousand sources.
    pairs = sorted([(s.id, s.digest) for s in sources])
    front["sources"] = [name for name, _ in pairs]
    front["source_digest"] = _digest_of(pairs)
    front["updated"] = updated
    front["review"] = review
    due = review_due(review, updated, review_period_days)
    front["review_due"] = due
    front["regions"] = [r.name for r in regions]
    for key, value in old_front.items():  # keys people added are theirs
        if key not in front and key not in OWNED_KEYS:
            front[key] = value
    body = merge_body(old_body, regions, old_front.get("regions") or [], title, footer)
    return "---\n" + _dump(front) + "---\n" + body


def render_cached(cache: RenderCache, path: str, existing: str | None, **fields: Any) -> str:
    """`render(existing=existing, **fields)` for the document at path, kept in the cache.

    `render` reads nothing but its arguments, so they are a complete key. For documents whose
    regions are worked out on every run; what this saves is merging them into the file.
    """
    return cache.document(
        path,
        tuple(fields.items()),
        existing,
        lambda: fields,
        lambda given, text: render(existing=text, **given),
    )


def _dump(front: dict[str, Any]) -> str:
    lines = []
    for key, value in front.items():
        if key == "review" and isinstance(value, dict):
            inner = ", ".join(f"{k}: {_scalar(v)}" for k, v in value.items())
            lines.append(f"review: {{{inner}}}")
        elif isinstance(value, list):
            lines.append(f"{key}: [{_flow(value)}]")
        else:
            lines.append(f"{key}: {_scalar(value)}")
    return "\n".join(lines) + "\n"


_PLAIN = re.compile(r"^[A-Za-z][A-Za-z0-9._/-]*$")
_PLAIN_LIST = re.compile(r"[A-Za-z][A-Za-z0-9._/-]*(?:, [A-Za-z][A-Za-z0-9._/-]*)*")
_YAML_WORDS = frozenset({"true", "false", "yes", "no", "on", "off", "null", "y", "n", "~"})


def _flow(values: list[Any]) -> str:
    """`", ".join(_scalar(v) for v in values)`, with a list of plain ids checked at once.

    A corpus-wide document lists thousands of sources and is written twice a run; one match
    over the joined ids replaces a match per id. The ids are all plain when the whole matches
    and the separators counted are exactly those between items (so no item holds one).
    """
    if all(type(v) is str for v in values):
        joined = ", ".join(values)
        plain = not values or (
            _PLAIN_LIST.fullmatch(joined) is not None and joined.count(", ") == len(values) - 1
        )
        if plain and _YAML_WORDS.isdisjoint(v.lower() for v in values):
            return joined
    return ", ".join(_scalar(v) for v in values)


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    # Ids and slugs are most of what is written here; they need no quoting.
    if _PLAIN.match(text) and text.lower() not in _YAML_WORDS:
        return text
    dumped = yaml.safe_dump(text, width=10_000, allow_unicode=True).strip()
    return dumped.removesuffix("\n...").removesuffix("...").strip()


def block(region: Region) -> str:
    """A region with its markers."""
    text = region.text.strip("\n")
    return f"<!-- learnloop:begin {region.name} -->\n{text}\n<!-- learnloop:end {region.name} -->"


def merge_body(
    old_body: str,
    regions: Sequence[Region],
    emitted_before: Sequence[str],
    title: str,
    footer: str,
) -> str:
    """The new body: old text with marked regions refreshed; new regions appended in place.

    A region emitted before whose markers are gone was adopted by a person: it is not
    re-added. A region never emitted before is appended after the last generated region.
    """
    if not old_body.strip():
        parts = [f"# {title}", *(block(r) for r in regions)]
        if footer:
            parts.append(footer.strip("\n"))
        return "\n\n".join(parts) + "\n"
    new = {r.name: r for r in regions}
    present = {m.group("name") for m in _REGION.finditer(old_body)}

    def refresh(match: re.Match[str]) -> str:
        name = match.group("name")
        return block(new[name]) if name in new else match.group(0)

    body = _REGION.sub(refresh, old_body)
    missing = [r for r in regions if r.name not in present and r.name not in emitted_before]
    if missing:
        ends = [m.end() for m in _REGION.finditer(body)]
        insert_at = ends[-1] if ends else len(body.rstrip("\n"))
        addition = "".join("\n\n" + block(r) for r in missing)
        body = body[:insert_at] + addition + body[insert_at:]
    return body if body.endswith("\n") else body + "\n"


def freshness(front: dict[str, Any], today: date, period_days: int) -> tuple[str, str]:
    """('fresh' | 'stale' | 'due', reason) for a generated document's front matter.

    The due date is recomputed from the review block, so a reviewer's sign-off counts at
    once, before the next `generate` rewrites `review_due`.
    """
    review = _review(front)
    digest = front.get("source_digest")
    if review.get("digest") != digest:
        if review.get("digest") is None:
            return "stale", "never reviewed"
        return "stale", "its sources changed since the last review"
    updated = front.get("updated")
    due = review_due(review, updated if isinstance(updated, date) else None, period_days)
    if due and due < today:
        return "due", f"review was due {due.isoformat()}"
    return "fresh", "reviewed and current"
