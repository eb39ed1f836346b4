"""Readers' feedback on generated pages, as GitHub issues exported to a JSON file.

The site's "This helped" and "This was wrong or missing something" links open a prefilled
issue (publish/feedback.py) whose body names the page, the digest of the sources it was built
from and the rating, in a marker line this module reads back. An export is what
`gh issue list --state all --json number,title,body,labels,state,createdAt` prints, or the
GitHub REST API's list of issues (`GET /repos/OWNER/REPO/issues?state=all`, its pages joined in
one list), which has `created_at` for `createdAt`. It arrives
with pull requests, so it is untrusted: every problem is a `path:line: message`, never a
traceback, and nothing in it is printed except issue numbers and the paths of known pages.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from learnloop.model import Problem

LABEL = "learnloop-feedback"
HELPFUL = "helpful"
NEEDS_FIX = "needs-fix"
RATINGS = (HELPFUL, NEEDS_FIX)
MAX_BYTES = 20 * 1024 * 1024  # ten thousand issues with long bodies stay well below
# What a page of the site can be: a generated document's path, nothing else.
PAGE = re.compile(r"(?:runbooks|kb|adr)/[A-Za-z0-9._/-]{1,200}\.md")
DIGEST = re.compile(r"sha256:[0-9a-f]{64}")
_MARKER = re.compile(
    r"<!-- learnloop-feedback page=(?P<page>\S{1,300}) digest=(?P<digest>\S{1,100}) "
    r"rating=(?P<rating>[a-z-]{1,20}) -->"
)
_PAGE_LINE = re.compile(r"(?m)^Page: `(?P<page>[^`\n]{1,300})`")
_RATING_LINE = re.compile(r"(?m)^Rating: (?P<rating>helpful|needs fix)\s*$")


SETTING_KEYS = ("issues",)


def export_setting(data: dict[str, Any], err: Callable[[str, str], None]) -> str | None:
    """learnloop.yml `feedback: {issues: PATH}`: the export's path inside the repository, or
    None; what is wrong goes to `err(key, message)`."""
    for key in sorted(set(data) - set(SETTING_KEYS), key=str):
        err(f"feedback.{key}", f"unknown setting; expected one of {', '.join(SETTING_KEYS)}")
    issues = data.get("issues")
    if issues is None:
        return None
    parts = issues.replace("\\", "/").split("/") if isinstance(issues, str) else []
    if (
        not isinstance(issues, str)
        or not issues.strip()
        or issues.startswith(("/", "\\"))
        or re.match(r"[A-Za-z]:", issues)
        or any(p in ("", ".", "..") for p in parts)
    ):
        err(
            "feedback.issues",
            f"expected a path inside the repository such as feedback/issues.json, got {issues!r}",
        )
        return None
    return issues


def marker(page: str, digest: str, rating: str) -> str:
    """The line an issue body carries for this module to read back (hidden when rendered)."""
    return f"<!-- learnloop-feedback page={page} digest={digest or '-'} rating={rating} -->"


@dataclass(frozen=True)
class Feedback:
    """One feedback issue: which page, how it was rated, whether it is still open."""

    number: int
    page: str
    rating: str  # helpful | needs-fix
    open: bool
    created: datetime
    digest: str | None  # the page's source_digest when it was filed, if the body kept it
    line: int  # where it starts in the export


@dataclass(frozen=True)
class Export:
    """What an export held: the feedback issues, and what was wrong with it."""

    issues: tuple[Feedback, ...]
    problems: tuple[Problem, ...]
    read: int = 0  # issues in the file, feedback or not


def read_export(root: Path, rel: str) -> Export:
    """The export at root/rel; a missing file is a warning (none was exported yet)."""
    path = root / rel
    if not path.is_file():
        hint = (
            f"gh issue list --state all --label {LABEL} --limit 10000 "
            f"--json number,title,body,labels,state,createdAt > {rel}"
        )
        return Export((), (Problem(rel, 0, "warning", "no feedback export here yet", hint),))
    if not path.resolve().is_relative_to(root.resolve()):
        return Export((), (Problem(rel, 0, "error", "links to a file outside the repository"),))
    return read_file(path, rel)


def read_file(path: Path, rel: str) -> Export:
    """The export in the file at `path`, named `rel` in problems."""
    if not path.is_file():
        return Export((), (Problem(rel, 0, "error", "no such file"),))
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            return Export(
                (), (Problem(rel, 0, "error", f"{size:,} bytes; at most {MAX_BYTES:,} are read"),)
            )
        raw = path.read_bytes()
    except OSError as exc:
        return Export((), (Problem(rel, 0, "error", f"cannot read: {exc.strerror}"),))
    return parse_export(raw, rel)


def parse_export(raw: bytes, rel: str) -> Export:
    """Feedback issues from an export's bytes; never raises."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return Export((), (Problem(rel, line, "error", "not UTF-8 text"),))
    items, problems = _items(text, rel)
    issues: list[Feedback] = []
    seen: set[int] = set()
    for line, item in items:
        found = _issue(item, line, rel, problems)
        if found is not None and found.number in seen:
            problems.append(_error(rel, line, f"issue #{found.number} is in the export twice"))
        elif found is not None:
            seen.add(found.number)
            issues.append(found)
    issues.sort(key=lambda f: (f.page, f.number))
    return Export(tuple(issues), tuple(sorted(problems)), len(items))


def _line(text: str, at: int) -> int:
    return text.count("\n", 0, at) + 1


def _skip(text: str, at: int) -> int:
    while at < len(text) and text[at] in " \t\r\n":
        at += 1
    return at


def _items(text: str, rel: str) -> tuple[list[tuple[int, Any]], list[Problem]]:
    """The list's items, each with the line it starts on; a syntax error drops them all.

    The list is walked item by item so that a problem in one names its line.
    """
    decoder = json.JSONDecoder()
    at = _skip(text, 0)
    if at >= len(text) or text[at] != "[":
        what = "an empty file" if at >= len(text) else f"{text[at]!r}"
        return [], [_error(rel, _line(text, at), f"expected a JSON list of issues, got {what}")]
    at = _skip(text, at + 1)
    items: list[tuple[int, Any]] = []
    if at < len(text) and text[at] == "]":
        return items, _trailing(text, at + 1, rel)
    while True:
        start = at
        try:
            value, at = decoder.raw_decode(text, at)
        except json.JSONDecodeError as exc:
            return [], [_error(rel, exc.lineno, f"invalid JSON: {exc.msg}")]
        except (ValueError, RecursionError):  # a number too long to read, nesting too deep
            return [], [_error(rel, _line(text, start), "invalid JSON: a value too large to read")]
        items.append((_line(text, start), value))
        at = _skip(text, at)
        if at < len(text) and text[at] == ",":
            at = _skip(text, at + 1)
            continue
        if at < len(text) and text[at] == "]":
            return items, _trailing(text, at + 1, rel)
        where = "the end of the file" if at >= len(text) else f"{text[at]!r}"
        return [], [_error(rel, _line(text, at), f"invalid JSON: expected ',' or ']', got {where}")]


def _trailing(text: str, at: int, rel: str) -> list[Problem]:
    at = _skip(text, at)
    if at < len(text):
        return [_error(rel, _line(text, at), "invalid JSON: more after the list of issues")]
    return []


def _error(rel: str, line: int, message: str) -> Problem:
    return Problem(rel, line, "error", message)


def _issue(item: Any, line: int, rel: str, problems: list[Problem]) -> Feedback | None:
    """One exported issue as feedback; None (and a problem, where one is due) otherwise."""
    if not isinstance(item, dict):
        problems.append(_error(rel, line, f"expected an issue (an object), got {_kind(item)}"))
        return None
    number = item.get("number")
    if type(number) is not int or number <= 0:
        problems.append(_error(rel, line, "issue without a positive whole `number`"))
        return None
    labels = _labels(item.get("labels"))
    body = item.get("body")
    body = body if isinstance(body, str) else ""
    title = item.get("title")
    title = title if isinstance(title, str) else ""
    mark = _MARKER.search(body)
    if LABEL not in labels and mark is None:
        return None  # another issue of the repository: not ours to judge
    state = item.get("state")
    if not isinstance(state, str) or state.upper() not in ("OPEN", "CLOSED"):
        problems.append(_error(rel, line, f"issue #{number}: `state` must be OPEN or CLOSED"))
        return None
    created = _when(item.get("createdAt", item.get("created_at")))
    if created is None:
        problems.append(
            _error(
                rel,
                line,
                f"issue #{number}: `createdAt` must be an ISO 8601 time with a zone "
                "(or `created_at`)",
            )
        )
        return None
    page = mark.group("page") if mark else _first(_PAGE_LINE, body, "page")
    if page is None or not PAGE.fullmatch(page) or ".." in page.split("/"):
        problems.append(
            Problem(
                rel, line, "warning", f"issue #{number}: names no page of the site; not counted"
            )
        )
        return None
    rating = _rating(mark.group("rating") if mark else None, labels, body, title)
    if rating is None:
        problems.append(
            Problem(
                rel, line, "warning", f"issue #{number}: neither helpful nor needs-fix; not counted"
            )
        )
        return None
    digest = mark.group("digest") if mark else None
    return Feedback(
        number=number,
        page=page,
        rating=rating,
        open=state.upper() == "OPEN",
        created=created,
        digest=digest if digest and DIGEST.fullmatch(digest) else None,
        line=line,
    )


def _kind(value: Any) -> str:
    return {list: "a list", str: "a string", type(None): "null", bool: "true or false"}.get(
        type(value), "a number"
    )


def _labels(value: Any) -> set[str]:
    """Label names: `gh` writes objects with a `name`; plain strings are taken too."""
    names = set()
    for label in value if isinstance(value, list) else []:
        name = label.get("name") if isinstance(label, dict) else label
        if isinstance(name, str):
            names.add(name.strip().lower())
    return names


def _first(pattern: re.Pattern[str], text: str, group: str) -> str | None:
    match = pattern.search(text)
    return match.group(group) if match else None


def _rating(marked: str | None, labels: set[str], body: str, title: str) -> str | None:
    """The marker's rating, else a label, else the body's `Rating:` line or the title."""
    if marked in RATINGS:
        return marked
    found = [r for r in RATINGS if r in labels]
    if len(found) == 1:
        return found[0]
    said = _first(_RATING_LINE, body, "rating")
    if said:
        return HELPFUL if said == "helpful" else NEEDS_FIX
    lowered = title.lower()
    if lowered.startswith("helpful:"):
        return HELPFUL
    if lowered.startswith("needs fix:"):
        return NEEDS_FIX
    return None


def _when(value: Any) -> datetime | None:
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.astimezone(UTC) if parsed.tzinfo is not None else None
