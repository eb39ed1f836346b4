"""Read incident files into a Corpus; never raises on bad input, reports it instead."""

from __future__ import annotations

import hashlib
import logging
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from learnloop.load import body as body_mod
from learnloop.load.fields import NARRATIVE_KEYS, Reader, read_optional, read_required
from learnloop.load.yamlsafe import YamlError, parse
from learnloop.model import Corpus, Incident, Problem, key_lines

log = logging.getLogger(__name__)

INCIDENTS_DIR = "incidents"
SUFFIXES = (".md", ".yaml", ".yml")
MAX_BYTES = 1024 * 1024  # a long post-mortem is ~30 KB; megabytes mean a pasted log dump


def discover(root: Path, paths: Iterable[Path] = ()) -> list[Path]:
    """Incident files under the given paths (default: incidents/), sorted, templates skipped."""
    found: set[str] = set()
    for start in list(paths) or [root / INCIDENTS_DIR]:
        if start.is_file():
            found.add(str(start))
        elif start.is_dir():
            found.update(_walk(str(start)))
    # In the order paths sort (part by part), with strings: ten thousand Path comparisons
    # cost more than the walk.
    return [Path(p) for p in sorted(found, key=lambda p: p.split(os.sep))]


def _walk(folder: str) -> Iterator[str]:
    # scandir rather than rglob: the directory entries say what is a file without a stat
    # each, and skipped folders are never entered.
    with os.scandir(folder) as entries:
        for entry in entries:
            if _hidden(entry.name):
                continue
            if entry.is_dir(follow_symlinks=False):
                yield from _walk(entry.path)
            elif entry.name.endswith(SUFFIXES) and not _skipped(entry.name) and entry.is_file():
                yield entry.path


def _hidden(name: str) -> bool:
    return name.startswith(("_", "."))


def _skipped(name: str) -> bool:
    # Templates (_template.md), hidden files and folder READMEs are not post-mortems.
    return _hidden(name) or name.lower() in ("readme.md", "index.md")


def read_files(root: Path, paths: Iterable[Path] = ()) -> list[tuple[Path, bytes | OSError]]:
    """Every incident file's bytes (or why it could not be read), in path order."""
    out: list[tuple[Path, bytes | OSError]] = []
    for path in discover(root, paths):
        try:
            out.append((path, path.read_bytes()))
        except OSError as exc:
            out.append((path, exc))
    return out


def load_corpus(root: Path, paths: Iterable[Path] = ()) -> Corpus:
    """Every incident under root (or the given paths), with every problem found on the way."""
    return parse_files(root, read_files(root, paths))


def parse_files(
    root: Path,
    files: Sequence[tuple[Path, bytes | OSError | None]],
    load: Callable[[bytes | None, str], tuple[Incident | None, list[Problem]]] | None = None,
) -> Corpus:
    """A Corpus from files already read: incidents, problems, and the text of each file.

    A file given as None was not read, as it did not change since the last run: `load`
    must know it by its path (see load/cache.py), and its text is read only if asked for.
    """
    incidents: list[Incident] = []
    problems: list[Problem] = []
    sources: list[tuple[str, str | None]] = []
    for path, raw in files:
        shown = display_path(path, root)
        if isinstance(raw, OSError):
            problems.append(Problem(shown, 0, "error", f"cannot read file: {raw.strerror}"))
            continue
        incident, found = (load or _load_read)(raw, shown)
        problems.extend(found)
        if incident is not None:
            incidents.append(incident)
        if raw is None or len(raw) <= MAX_BYTES:
            sources.append((shown, _text(raw)))
    unique, duplicates = _dedupe(incidents)
    problems.extend(duplicates)
    return Corpus(tuple(unique), tuple(sorted(problems)), len(files), tuple(sources))


def _load_read(raw: bytes | None, shown: str) -> tuple[Incident | None, list[Problem]]:
    if raw is None:
        raise ValueError(f"{shown}: not read, and nothing to take its parse from")
    return load_bytes(raw, shown)


def _text(raw: bytes | None) -> str | None:
    return None if raw is None else raw.decode("utf-8", errors="replace")


def texts(corpus: Corpus, root: Path | None = None) -> Iterator[tuple[str, str]]:
    """(path, text) of every readable file of the corpus; texts it does not hold (files a run
    did not need to read) are read from root, and left out without one."""
    for shown, text in corpus.sources:
        if text is None and root is not None:
            try:
                raw = (root / shown).read_bytes()
            except OSError:
                continue
            text = _text(raw) if len(raw) <= MAX_BYTES else None
        if text is not None:
            yield shown, text


def display_path(path: Path, root: Path) -> str:
    """The path as users see it in messages: relative to the repo when inside it."""
    text, base = str(path), str(root)
    prefix = base if base.endswith(os.sep) else base + os.sep
    if os.sep == "/" and base != "." and text.startswith(prefix):
        # A file found under root, as discover() finds them: only the prefix to drop.
        rest = text[len(prefix) :]
        if rest and ".." not in rest.split("/"):
            return rest
    if path.is_absolute() == root.is_absolute() and ".." not in path.parts:
        try:  # found under root, as discover() finds them: no symlink to resolve
            return path.relative_to(root).as_posix()
        except ValueError:
            pass
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def _dedupe(incidents: list[Incident]) -> tuple[list[Incident], list[Problem]]:
    first: dict[str, Incident] = {}
    problems = []
    for incident in sorted(incidents, key=lambda i: (i.path, i.id)):
        seen = first.get(incident.id)
        if seen is None:
            first[incident.id] = incident
            continue
        problems.append(
            Problem(
                incident.path,
                incident.line_of("id"),
                "error",
                f"id: {incident.id!r} is already used by {seen.path}:{seen.line_of('id')}",
                "every incident needs its own id; `learnloop new` picks a free one",
                code="duplicate-id",
            )
        )
    return sorted(first.values(), key=lambda i: i.id), problems


def load_file(path: Path, shown: str) -> tuple[Incident | None, list[Problem]]:
    """One incident file: the Incident (None when unusable) and its problems."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, [Problem(shown, 0, "error", f"cannot read file: {exc.strerror}")]
    return load_bytes(raw, shown)


def load_bytes(raw: bytes, shown: str) -> tuple[Incident | None, list[Problem]]:
    """Parse an incident from the bytes of a file named `shown` (.md, .yaml or .yml)."""

    def fail(line: int, message: str, hint: str | None = None) -> tuple[None, list[Problem]]:
        return None, [Problem(shown, line, "error", message, hint)]

    if len(raw) > MAX_BYTES:
        return fail(
            0,
            f"file is {len(raw) / 1e6:.1f} MB; the limit is {MAX_BYTES // 1024} KB",
            "link large logs instead of pasting them",
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return fail(
            line,
            f"file is not UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start})",
            "save the file as UTF-8",
        )
    if "\x00" in text:
        return fail(text[: text.index("\x00")].count("\n") + 1, "file contains NUL characters")
    if not text.strip():
        return fail(0, "file is empty", "start from `learnloop new TITLE`")
    if shown.endswith(".md"):
        split = _split_front_matter(text)
        if isinstance(split, Problem):
            return None, [Problem(shown, split.line, "error", split.message, split.hint)]
        yaml_text, offset, body, body_line = split
    else:
        yaml_text, offset, body, body_line = text, 0, "", 1
    try:
        parsed = parse(yaml_text)
    except YamlError as exc:
        return fail(exc.line + offset, exc.message)
    if not isinstance(parsed.data, dict):
        return fail(offset + 1, "front matter must be a mapping of keys (id: …, title: …)")
    digest = "sha256:" + hashlib.sha256(raw).hexdigest()
    return _build(parsed.data, parsed.lines, offset, body, body_line, shown, digest)


def _split_front_matter(text: str) -> tuple[str, int, str, int] | Problem:
    """(YAML text, its line offset, body, the body's first line) or what is wrong."""
    lines = text.split("\n")
    if lines[0].strip() != "---":
        return Problem(
            "",
            1,
            "error",
            "no front matter: the file must start with a line '---'",
            "put the YAML keys between two '---' lines at the top",
        )
    for number, line in enumerate(lines[1:], start=1):
        if line.rstrip() in ("---", "..."):
            return "\n".join(lines[1:number]), 1, "\n".join(lines[number + 1 :]), number + 2
    return Problem(
        "",
        1,
        "error",
        "front matter is not terminated: no closing '---' line",
        "end the YAML keys with a line '---'",
    )


def _build(
    data: dict[str, Any],
    lines: dict[str, int],
    offset: int,
    body: str,
    body_line: int,
    shown: str,
    digest: str,
) -> tuple[Incident | None, list[Problem]]:
    reader = Reader(data=data, path=shown, lines=lines, offset=offset)
    required = read_required(reader)
    if required is None:
        return None, reader.problems
    optional = read_optional(reader, required["started_at"])
    sections, timeline_lines, timeline_line = _sections(reader, body, body_line)
    timeline = body_mod.parse_timeline(timeline_lines, required["started_at"], timeline_line)
    far = body_mod.far_from_start(timeline, required["started_at"])
    if far is not None and far.at is not None:
        days = (far.at - required["started_at"]).days
        reader.problems.append(
            Problem(
                shown,
                far.line,
                "warning",
                f"timeline: {far.at:%Y-%m-%d} is {abs(days)} days "
                f"{'after' if days >= 0 else 'before'} started_at "
                f"({required['started_at']:%Y-%m-%d}); durations read from it will be wrong",
                "check the dates of started_at and of the timeline",
                code="timeline-date",
            )
        )
    incident = Incident(
        **required,
        **optional,
        path=shown,
        sections=tuple(sorted((sys.intern(k), v) for k, v in sections.items())),
        timeline=tuple(timeline),
        body=body,
        digest=digest,
        lines=key_lines({k: v + offset for k, v in lines.items()}),
    )
    return incident, reader.problems


def _sections(
    reader: Reader, body: str, body_first_line: int
) -> tuple[dict[str, str], list[str], int]:
    """Canonical sections from the body, with front-matter narrative where the body is silent."""
    sections: dict[str, str] = {}
    timeline_lines: list[str] = []
    timeline_line = 1
    body_lines = body.split("\n")
    for key, text, start, end in body_mod.split_sections(body):
        if text and key not in sections:
            sections[key] = text
            if key == "timeline":
                timeline_lines = body_lines[start + 1 : end]
                timeline_line = body_first_line + start + 1
    fallbacks = {k: reader.get(k) for k in NARRATIVE_KEYS}
    fallbacks["root_cause"] = reader.get("root_cause.summary")
    fallbacks["impact"] = reader.get("impact.summary")
    for key, value in fallbacks.items():
        if key in sections or value in (None, "", []):
            continue
        if isinstance(value, list):
            items = [str(v) for v in value if isinstance(v, str | int | float)]
            if key == "timeline":
                timeline_lines = [f"- {v}" for v in items]
                timeline_line = reader.line("timeline") + 1
            sections[key] = "\n".join(f"- {v}" for v in items)
        elif isinstance(value, str):
            sections[key] = value.strip()
            if key == "timeline":
                timeline_lines = value.split("\n")
                timeline_line = reader.line("timeline") + 1
    return sections, timeline_lines, timeline_line
