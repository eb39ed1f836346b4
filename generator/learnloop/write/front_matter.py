"""A generated document's front matter: reading it back, writing it byte-stable, the review
block, and how fresh the document is."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import yaml

from learnloop.load.fields import as_date

FRONT = re.compile(r"\A---\n(?P<yaml>.*?)\n---\n", re.DOTALL)


# The C loader reads what the Python one reads, several times faster.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def split_existing(text: str | None, *, sources: bool = True) -> tuple[dict[str, Any], str]:
    """(front matter, body) of an existing file; ({}, text) when it has no front matter.

    Without `sources` the caller does not read that key, and it may be missing from the front
    matter returned; everything else is as YAML reads it.
    """
    if not text:
        return {}, ""
    match = FRONT.match(text)
    if not match:
        return {}, text
    front = match.group("yaml")
    try:
        data = yaml.load(front if sources else _without_sources(front), Loader=_LOADER) or {}
    except yaml.YAMLError:
        data = {}
    return (data if isinstance(data, dict) else {}), text[match.end() :]


# A `sources` list as `dump` writes it: plain ids only, on one line.
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


def review_of(existing: dict[str, Any]) -> dict[str, Any]:
    review = existing.get("review")
    if isinstance(review, dict):
        return review
    return {"status": "draft", "by": None, "at": None, "digest": None}


def review_due(review: dict[str, Any], updated: date | None, period_days: int) -> date | None:
    """When a review falls due: a period after the last review, or after the newest source."""
    base = as_date(review.get("at")) or updated
    return base + timedelta(days=period_days) if base else None


def review_block_text(existing: str | None) -> str | None:
    """The `review:` entry of a file's front matter exactly as written, comments and all.

    The block belongs to people: it is carried over as text, never parsed and re-emitted.
    """
    match = FRONT.match(existing or "")
    if not match:
        return None
    lines = match.group("yaml").split("\n")
    start = next((n for n, line in enumerate(lines) if re.match(r"review:(\s|$)", line)), None)
    if start is None:
        return None
    end = start + 1
    while end < len(lines) and (not lines[end].strip() or lines[end][:1] in (" ", "\t", "#")):
        end += 1
    while end > start + 1 and not lines[end - 1].strip():
        end -= 1
    return "\n".join(lines[start:end])


def review_line(review: dict[str, Any]) -> str:
    """A review block on one line, as a new document gets it."""
    inner = ", ".join(f"{k}: {plain_scalar(v)}" for k, v in review.items())
    return f"review: {{{inner}}}"


def dump(front: dict[str, Any], review_text: str | None = None) -> str:
    lines = []
    for key, value in front.items():
        if key == "review" and review_text is not None:
            lines.append(review_text)
        elif key == "review" and isinstance(value, dict):
            lines.append(review_line(value))
        elif isinstance(value, dict):
            inner = ", ".join(f"{plain_scalar(k)}: {plain_scalar(v)}" for k, v in value.items())
            lines.append(f"{key}: {{{inner}}}")
        elif isinstance(value, list):
            lines.append(f"{key}: [{flow_list(value)}]")
        else:
            lines.append(f"{key}: {plain_scalar(value)}")
    return "\n".join(lines) + "\n"


_PLAIN = re.compile(r"^[A-Za-z][A-Za-z0-9._/-]*$")


_PLAIN_LIST = re.compile(r"[A-Za-z][A-Za-z0-9._/-]*(?:, [A-Za-z][A-Za-z0-9._/-]*)*")


_YAML_WORDS = frozenset({"true", "false", "yes", "no", "on", "off", "null", "y", "n", "~"})


def flow_list(values: list[Any]) -> str:
    """`", ".join(plain_scalar(v) for v in values)`, with a list of plain ids checked at once.

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
    return ", ".join(plain_scalar(v) for v in values)


def plain_scalar(value: Any) -> str:
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


# Generated indexes: lists of other documents, with nothing of their own to review.
INDEXES = frozenset(
    {"runbooks/index.md", "runbooks/alerts.md", "runbooks/services.md", "runbooks/symptoms.md"}
)


def needs_review(rel: str, front: dict[str, Any]) -> bool:
    """Whether a generated document asks for a reviewer: one people act on or cite, not an
    index of other documents or a report (a snapshot of its period)."""
    return not (rel in INDEXES or rel.endswith("/index.md") or front.get("kind") == "report")


def freshness(front: dict[str, Any], today: date, period_days: int) -> tuple[str, str]:
    """('fresh' | 'stale' | 'due', reason) for a generated document's front matter.

    The due date is recomputed from the review block, so a reviewer's sign-off counts at
    once, before the next `generate` rewrites `review_due`.
    """
    review = review_of(front)
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
