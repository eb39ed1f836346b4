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
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Any

from learnloop.model import Incident, Problem
from learnloop.write.cache import RenderCache
from learnloop.write.front_matter import (
    FRONT,
    dump,
    flow_list,
    plain_scalar,
    review_block_text,
    review_due,
    review_of,
    split_existing,
)

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


_MARKER = re.compile(r"^<!-- learnloop:(?P<end>begin|end) (?P<name>[a-z0-9_-]+) -->$")


_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


@dataclass(frozen=True)
class Region:
    name: str
    text: str  # Markdown, without markers


@dataclass(frozen=True)
class Span:
    """A live region in a file: where its markers are and what is between them."""

    name: str
    start: int  # offset of its begin marker
    end: int  # offset just past its end marker
    text: str  # between the markers, without the line breaks that frame it
    line: int  # 1-based line of the begin marker within the text scanned


@dataclass(frozen=True)
class Scan:
    """The regions of a body: each name's first pair of markers outside code, and what is odd."""

    spans: tuple[Span, ...]
    unclosed: tuple[tuple[str, int], ...]  # (name, line) of a begin marker with no end after it


def scan(body: str) -> Scan:
    """The live regions of a body.

    Only markers on lines of their own, outside fenced code, count, and only the first pair
    of each name: a marker quoted in an example or copied further down is text.
    """
    spans: list[Span] = []
    unclosed: list[tuple[str, int]] = []
    opened: dict[str, tuple[int, int, int]] = {}  # name -> (offset, content offset, line)
    done: set[str] = set()
    fence: str | None = None
    offset = 0
    for number, line in enumerate(body.split("\n"), start=1):
        after = offset + len(line) + 1
        fenced = _FENCE.match(line)
        if fence is None and fenced:
            fence = fenced.group(1)
        elif (
            fence is not None
            and fenced
            and fenced.group(1)[0] == fence[0]
            and len(fenced.group(1)) >= len(fence)
            and not line.strip()[len(fenced.group(1)) :]
        ):
            fence = None
        elif fence is None and (marker := _MARKER.match(line.rstrip())):
            name = marker.group("name")
            if marker.group("end") == "begin":
                if name not in done and name not in opened:
                    opened[name] = (offset, after, number)
            elif name in opened:
                begin, content, first = opened.pop(name)
                done.add(name)
                text = body[content:offset].strip("\n") if content <= offset else ""
                spans.append(Span(name, begin, min(after - 1, len(body)), text, first))
        offset = after
    unclosed = sorted((name, line) for name, (_, _, line) in opened.items())
    return Scan(tuple(sorted(spans, key=lambda s: s.start)), tuple(unclosed))


def region_digest(text: str) -> str:
    """A short digest of a region's text, as recorded in the front matter's `regions`."""
    return hashlib.sha256(text.strip("\n").encode("utf-8", "surrogatepass")).hexdigest()[:12]


def recorded_digests(front: dict[str, Any]) -> dict[str, str | None]:
    """Each region the generator last wrote, with the digest of what it wrote (None when the
    file predates digests: a list of names)."""
    value = front.get("regions")
    if isinstance(value, dict):
        return {str(k): (str(v) if v is not None else None) for k, v in value.items()}
    if isinstance(value, list):
        return {str(k): None for k in value}
    return {}


def forget_edits(text: str) -> str:
    """The file as if no digest of its regions were recorded: every region is then refreshed,
    edits inside them included (`generate --replace-edited`)."""
    match = FRONT.match(text)
    if not match:
        return text
    head = re.sub(
        r"(?m)^regions: \{(.*)\}$",
        lambda m: (
            "regions: ["
            + ", ".join(p.split(":")[0].strip() for p in m.group(1).split(",") if p.strip())
            + "]"
        ),
        match.group(0),
        count=1,
    )
    return head + text[match.end() :]


def edited(span: Span, recorded: dict[str, str | None]) -> bool:
    """Whether a person changed the region's text since the generator wrote it."""
    digest = recorded.get(span.name)
    return digest is not None and region_digest(span.text) != digest


def source_digest(incidents: Sequence[Incident]) -> str:
    """sha256 over the sources' ids and file digests, in id order."""
    return _digest_of(sorted((i.id, i.digest) for i in incidents))


def _digest_of(pairs: Sequence[tuple[str, str]]) -> str:
    # One update over the joined lines digests the same bytes as one update per line, without
    # a call per source (indexes have one source per incident).
    lines = [f"{name}\0{digest}\n" for name, digest in pairs]
    return "sha256:" + hashlib.sha256("".join(lines).encode()).hexdigest()


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
    replace_edited: bool = False,
) -> str:
    """The whole file: owned front matter, the human review block, regions merged into the body.

    `status` is a default: a status already in the file (an ADR a person accepted) is kept,
    unless `force_status` (a document the generator retires). A region a person edited is
    kept as they left it (see `merge_body`) unless `replace_edited`.
    """
    old_front, old_body = split_existing(existing, sources=False)  # replaced, never read
    review = review_of(old_front)
    kept_review = review_block_text(existing) if isinstance(old_front.get("review"), dict) else None
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
    recorded = recorded_digests(old_front)
    body, written = merge_body(
        old_body,
        regions,
        recorded,
        title,
        footer,
        old_title=old_front.get("title") if isinstance(old_front.get("title"), str) else None,
        replace_edited=replace_edited,
    )
    front["regions"] = written
    for key, value in old_front.items():  # keys people added are theirs
        if key not in front and key not in OWNED_KEYS:
            front[key] = value
    return "---\n" + dump(front, kept_review) + "---\n" + body


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


def merger(
    kind: str,
    title: str,
    sources: Sequence[Incident],
    review_period_days: int,
    footer: str,
    pattern: str | None = None,
) -> Callable[[Sequence[Region], str | None], str]:
    """The `merge` of `RenderCache.document` for a document whose regions alone are worked
    out: `render` of them into the file's current text, with every other field fixed here."""

    def merge(regions: Sequence[Region], existing: str | None) -> str:
        return render(
            kind=kind,
            title=title,
            regions=regions,
            sources=sources,
            existing=existing,
            review_period_days=review_period_days,
            pattern=pattern,
            footer=footer,
        )

    return merge


def block(region: Region) -> str:
    """A region with its markers."""
    text = region.text.strip("\n")
    return f"<!-- learnloop:begin {region.name} -->\n{text}\n<!-- learnloop:end {region.name} -->"


def merge_body(
    old_body: str,
    regions: Sequence[Region],
    recorded: dict[str, str | None],
    title: str,
    footer: str,
    *,
    old_title: str | None = None,
    replace_edited: bool = False,
) -> tuple[str, dict[str, str]]:
    """The new body, and the digest of each region as it now stands.

    Old text with its live regions refreshed; new regions appended after the last one. A
    region emitted before whose markers are gone was adopted by a person: it is not re-added.
    A region whose text a person changed since it was written is kept as they left it (and
    keeps the digest of what was written, so it is still known as edited). A heading that
    is still the generated title follows a title changed in patterns.yml.
    """
    new = {r.name: r for r in regions}
    if not old_body.strip():
        parts = [f"# {title}", *(block(r) for r in regions)]
        if footer:
            parts.append(footer.strip("\n"))
        return "\n\n".join(parts) + "\n", {r.name: region_digest(r.text) for r in regions}
    found = scan(old_body)
    written: dict[str, str] = {}
    pieces: list[str] = []
    at = 0
    for span in found.spans:
        pieces.append(old_body[at : span.start])
        region = new.get(span.name)
        if region is None:
            pieces.append(old_body[span.start : span.end])
        elif edited(span, recorded) and not replace_edited:
            pieces.append(old_body[span.start : span.end])
            written[span.name] = str(recorded[span.name])
        else:
            pieces.append(block(region))
            written[span.name] = region_digest(region.text)
        at = span.end
    pieces.append(old_body[at:])
    body = "".join(pieces)
    if old_title and old_title != title:
        body = re.sub(
            rf"(?m)^# {re.escape(old_title)}[ \t]*$", f"# {_heading(title)}", body, count=1
        )
    present = {span.name for span in found.spans} | {name for name, _ in found.unclosed}
    missing = [r for r in regions if r.name not in present and r.name not in recorded]
    if missing:
        ends = [span.end for span in scan(body).spans]
        insert_at = ends[-1] if ends else len(body.rstrip("\n"))
        addition = "".join("\n\n" + block(r) for r in missing)
        body = body[:insert_at] + addition + body[insert_at:]
        written.update({r.name: region_digest(r.text) for r in missing})
    # A region people adopted (markers removed) stays on record, or it would come back.
    kept = {
        name: digest or region_digest(new[name].text)
        for name, digest in recorded.items()
        if name in new
    }
    ordered = {
        r.name: written.get(r.name) or kept[r.name]
        for r in regions
        if r.name in written or r.name in kept
    }
    return (body if body.endswith("\n") else body + "\n"), ordered


# What a withdrawn region says instead of what it quoted.
WITHDRAWN = "_Withdrawn: it was generated from an incident that is now restricted._"


def withdraw(text: str, restricted: Collection[str]) -> str:
    """The file without what was generated from incidents that are now restricted.

    For a document no run writes any more (a retired runbook, an old monthly report):
    generated documents never quote a restricted incident, so when one of its sources became
    restricted, every region the generator still owns says it was withdrawn and those ids
    leave `sources`. What people wrote, in edited regions or outside them, is kept.
    """
    match = FRONT.match(text)
    front, body = split_existing(text)
    listed = [str(s) for s in front.get("sources") or []]
    gone = set(listed) & set(restricted)
    if match is None or not gone:
        return text
    recorded = recorded_digests(front)
    written = dict(recorded)
    pieces: list[str] = []
    at = 0
    for span in scan(body).spans:
        pieces.append(body[at : span.start])
        if edited(span, recorded):
            pieces.append(body[span.start : span.end])
        else:
            pieces.append(block(Region(span.name, WITHDRAWN)))
            if span.name in written:
                written[span.name] = region_digest(WITHDRAWN)
        at = span.end
    pieces.append(body[at:])
    head = match.group(0)
    kept = flow_list([s for s in listed if s not in gone])
    head = re.sub(r"(?m)^sources: .*$", lambda _: f"sources: [{kept}]", head, count=1)
    if isinstance(front.get("regions"), dict):
        inner = ", ".join(f"{plain_scalar(k)}: {plain_scalar(v)}" for k, v in written.items())
        head = re.sub(r"(?m)^regions: .*$", lambda _: f"regions: {{{inner}}}", head, count=1)
    return head + "".join(pieces)


def _heading(title: str) -> str:
    return " ".join(title.split())


def inspect(path: str, text: str) -> list[Problem]:
    """What a person did to a generated file's regions that the generator will not undo.

    Edited text inside a region is kept, and said; so is a begin marker whose end marker
    is gone (the region is then left exactly as it is).
    """
    front, body = split_existing(text, sources=False)
    if front.get("generated_by") != GENERATED_BY:
        return []
    offset = text[: len(text) - len(body)].count("\n")
    recorded = recorded_digests(front)
    found = scan(body)
    problems = [
        Problem(
            path,
            offset + span.line,
            "warning",
            f"region '{span.name}' was edited by hand; it is kept as written and no longer updated",
            "move your text outside the learnloop markers (it is kept there), or run "
            "`learnloop generate --replace-edited` to drop the edit",
            code="edited-region",
        )
        for span in found.spans
        if edited(span, recorded)
    ]
    problems.extend(
        Problem(
            path,
            offset + line,
            "warning",
            f"region '{name}' has a begin marker and no end marker; it is left as it is and "
            "no longer updated",
            f"restore `<!-- learnloop:end {name} -->` after it, or delete the begin marker "
            "to make the text yours",
            code="unclosed-region",
        )
        for name, line in found.unclosed
    )
    return problems
