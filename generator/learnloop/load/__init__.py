"""Read incident files into a Corpus; never raises on bad input, reports it instead."""

from __future__ import annotations

import hashlib
import logging
import os
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, timedelta, timezone, tzinfo
from functools import partial
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from learnloop.load.fields import NARRATIVE_KEYS, Reader
from learnloop.load.front import read_optional, read_required
from learnloop.load.yamlsafe import YamlError, parse
from learnloop.model import Corpus, Incident, Problem, key_lines

log = logging.getLogger(__name__)

INCIDENTS_DIR = "incidents"
SUFFIXES = (".md", ".markdown", ".yaml", ".yml")  # compared in lower case: .MD is Markdown
OUTSIDE_LINK = "outside-link"
ATTACHMENT = "an attachment"
MAX_BYTES = 1024 * 1024  # a long post-mortem is ~30 KB; megabytes mean a pasted log dump
# Characters that break a page's address or its HTML when a file name carries them.
_UNSAFE_NAME = re.compile(r'[<>"|?*#%\\\x00-\x1f\x7f]')
# Files beside incidents that pages link to: known for what they are, not listed one by one.
ATTACHMENT_SUFFIXES = frozenset(
    {".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg", ".pdf", ".csv", ".log", ".har"}
)
# What `learnloop import` reads, by the form it takes (its own format is told apart by content).
MARKUP_SUFFIXES = (
    ".md", ".markdown", ".mdx", ".mdown", ".txt", ".erb", ".wiki", ".mediawiki", ".adoc",
    ".asciidoc", ".rst", ".rest",
)  # fmt: skip
HTML_SUFFIXES = (".html", ".htm", ".xhtml")
JSON_SUFFIXES = (".json",)
TABLE_SUFFIXES = (".csv", ".tsv", ".jsonl", ".ndjson")
IMPORTED_SUFFIXES = (*MARKUP_SUFFIXES, *HTML_SUFFIXES, *JSON_SUFFIXES, *TABLE_SUFFIXES, ".docx")


@dataclass(frozen=True)
class Survey:
    """What is under incidents/: files to read, files not read (and why), links refused."""

    files: list[Path]
    skipped: list[tuple[str, str]]  # (path as shown, why it is not read)
    problems: list[Problem]


def survey(root: Path, paths: Iterable[Path] = ()) -> Survey:
    """Incident files under the given paths (default: incidents/), sorted; nothing unsaid.

    A file is read, or listed as skipped with its reason, or refused with an error (a link to
    a file outside the repository: a pull request must not publish the reader's own files).
    """
    walk = _Walk(root, os.path.realpath(root))
    for start in list(paths) or [root / INCIDENTS_DIR]:
        if start.is_dir():
            walk.folder(str(start))
        elif start.exists() or start.is_symlink():
            walk.file(str(start), start.name)
    # In the order paths sort (part by part), with strings: ten thousand Path comparisons
    # cost more than the walk.
    files = [Path(p) for p in sorted(walk.found, key=lambda p: p.split(os.sep))]
    return Survey(files, sorted(walk.skipped.items()), sorted(walk.problems))


def discover(root: Path, paths: Iterable[Path] = ()) -> list[Path]:
    """Incident files under the given paths (default: incidents/), sorted (see `survey`)."""
    return survey(root, paths).files


@dataclass
class _Walk:
    root: Path
    real_root: str
    found: set[str] = field(default_factory=set)
    skipped: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def folder(self, folder: str) -> None:
        # scandir rather than rglob: the directory entries say what is a file without a
        # stat each, and skipped folders are never entered.
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    if entry.name.startswith((".", "_")):
                        self.skipped[display_path(Path(entry.path), self.root) + "/"] = (
                            "a folder whose name starts with '_' or '.' (archives, "
                            "templates): its files are not read"
                        )
                    else:
                        self.folder(entry.path)
                elif entry.is_symlink() and entry.is_dir():
                    self.skipped[display_path(Path(entry.path), self.root) + "/"] = (
                        "a link to a folder is not followed; move the files here instead"
                    )
                else:
                    self.file(entry.path, entry.name)

    def file(self, path: str, name: str) -> None:
        shown = display_path(Path(path), self.root)
        why = _skip_reason(name)
        if why is not None:
            self.skipped[shown] = why
            return
        if os.path.islink(path):
            target = os.path.realpath(path)
            if not os.path.exists(target):
                self.skipped[shown] = "a link to nothing (its target does not exist)"
                return
            if os.path.commonpath([self.real_root, target]) != self.real_root:
                self.problems.append(
                    Problem(
                        shown,
                        0,
                        "error",
                        "a link to a file outside the repository is refused",
                        "copy the post-mortem into incidents/ instead of linking to it",
                        code=OUTSIDE_LINK,
                    )
                )
                return
        if not os.path.isfile(path):
            self.skipped[shown] = "not a regular file"
            return
        self.found.add(path)


def _skip_reason(name: str) -> str | None:
    """Why a file of this name is not a post-mortem, or None when it is read as one."""
    lower = name.lower()
    if lower.endswith(".tmp") and name.startswith("."):
        return "an unfinished write left behind by an interrupted run"
    if name.startswith("."):
        return "a hidden file"
    if name.startswith("_"):
        return "a template (its name starts with '_')"
    if lower in ("readme.md", "index.md", "readme.markdown", "index.markdown"):
        return "a folder's README or index page, not a post-mortem"
    if not lower.endswith(SUFFIXES):
        suffix = os.path.splitext(lower)[1]
        if suffix in ATTACHMENT_SUFFIXES:
            return ATTACHMENT
        said = (
            f"not an incident file ({suffix or 'no extension'}); post-mortems are "
            ".md, .markdown, .yaml or .yml"
        )
        if lower.endswith(IMPORTED_SUFFIXES):
            # A post-mortem kept in another form: how it comes in.
            said += f"; a {suffix} post-mortem or export comes in with `learnloop import PATH`"
        return said
    return None


def read_files(root: Path, paths: Iterable[Path] = ()) -> list[tuple[Path, bytes | OSError]]:
    """Every incident file's bytes (or why it could not be read), in path order."""
    return read_each(survey(root, paths).files)


def read_each(files: list[Path]) -> list[tuple[Path, bytes | OSError]]:
    """Each file's bytes, or why it could not be read."""
    out: list[tuple[Path, bytes | OSError]] = []
    for path in files:
        try:
            out.append((path, path.read_bytes()))
        except OSError as exc:
            out.append((path, exc))
    return out


def load_corpus(root: Path, paths: Iterable[Path] = (), zone: tzinfo | None = None) -> Corpus:
    """Every incident under root (or the given paths), with every problem found on the way.

    Timestamps written without a zone are read in `zone`, by default the repository's
    (`timezone:` in learnloop.yml, else UTC).
    """
    found = survey(root, paths)
    return parse_files(root, read_each(found.files), zone=zone or repo_zone(root), survey=found)


def repo_zone(root: Path) -> tzinfo:
    """The zone learnloop.yml sets with `timezone:`, else UTC (a bad value is UTC here;
    reading the settings reports it)."""
    try:
        text = (root / "learnloop.yml").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return UTC
    if "timezone" not in text:
        return UTC
    try:
        data = parse(text).data
    except YamlError:
        return UTC
    name = data.get("timezone") if isinstance(data, dict) else None
    return zone_named(name) or UTC


def zone_named(name: object) -> tzinfo | None:
    """The IANA zone (`Europe/Paris`) or UTC offset (`+02:00`) a setting names, or None."""
    if not isinstance(name, str) or not name.strip():
        return None
    text = name.strip()
    if text.upper() in ("UTC", "Z", "GMT"):
        return UTC
    offset = re.fullmatch(r"([+-])(\d{2}):?(\d{2})", text)
    if offset:
        sign = 1 if offset.group(1) == "+" else -1
        return timezone(sign * timedelta(hours=int(offset.group(2)), minutes=int(offset.group(3))))
    try:
        return ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def parse_files(
    root: Path,
    files: Sequence[tuple[Path, bytes | OSError | None]],
    load: Callable[[bytes | None, str], tuple[Incident | None, list[Problem]]] | None = None,
    *,
    zone: tzinfo = UTC,
    survey: Survey | None = None,
) -> Corpus:
    """A Corpus from files already read: incidents, problems, and the text of each file.

    A file given as None was not read, as it did not change since the last run: `load`
    must know it by its path (see load/cache.py), and its text is read only if asked for.
    """
    incidents: list[Incident] = []
    problems: list[Problem] = list(survey.problems) if survey else []
    sources: list[tuple[str, str | None]] = []
    for path, raw in files:
        shown = display_path(path, root)
        if isinstance(raw, OSError):
            problems.append(Problem(shown, 0, "error", f"cannot read file: {raw.strerror}"))
            continue
        incident, found = (load or partial(_load_read, zone=zone))(raw, shown)
        problems.extend(found)
        if incident is not None:
            incidents.append(incident)
        if raw is None or len(raw) <= MAX_BYTES:
            sources.append((shown, _text(raw)))
    unique, duplicates = _dedupe(incidents)
    problems.extend(duplicates)
    skipped = tuple(survey.skipped) if survey else ()
    return Corpus(tuple(unique), tuple(sorted(problems)), len(files), tuple(sources), skipped)


def _load_read(
    raw: bytes | None, shown: str, zone: tzinfo = UTC
) -> tuple[Incident | None, list[Problem]]:
    if raw is None:
        raise ValueError(f"{shown}: not read, and nothing to take its parse from")
    return load_bytes(raw, shown, zone)


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


def load_file(path: Path, shown: str, zone: tzinfo = UTC) -> tuple[Incident | None, list[Problem]]:
    """One incident file: the Incident (None when unusable) and its problems."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, [Problem(shown, 0, "error", f"cannot read file: {exc.strerror}")]
    return load_bytes(raw, shown, zone)


def load_bytes(raw: bytes, shown: str, zone: tzinfo = UTC) -> tuple[Incident | None, list[Problem]]:
    """Parse an incident from the bytes of a file named `shown` (.md, .markdown, .yaml, .yml).

    Timestamps written without a zone are read in `zone` (with a warning).
    """

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
    name = shown.rsplit("/", 1)[-1]
    if bad := _UNSAFE_NAME.search(name):
        return fail(
            0,
            f"the file name contains {bad.group()!r}, which breaks the page's address",
            "rename it with letters, digits, spaces, '-', '_' and '.'",
        )
    # Line endings of old Mac editors (CR alone) are line endings too.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if shown.lower().endswith((".md", ".markdown")):
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
    reader = Reader(
        data=parsed.data, path=shown, lines=parsed.lines, offset=offset, raw=parsed.raw, zone=zone
    )
    return _build(reader, body, body_line, digest)


def _split_front_matter(text: str) -> tuple[str, int, str, int] | Problem:
    """(YAML text, its line offset, body, the body's first line) or what is wrong."""
    lines = text.split("\n")
    if lines[0].strip() != "---":
        return Problem(
            "",
            1,
            "error",
            "no front matter: the file must start with a line '---'",
            "put the YAML keys between two '---' lines at the top; a post-mortem written in "
            "another template is brought in with `learnloop import PATH` from outside incidents/",
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
    reader: Reader, body: str, body_line: int, digest: str
) -> tuple[Incident | None, list[Problem]]:
    shown, lines, offset = reader.path, reader.lines, reader.offset
    required = read_required(reader)
    if required is None:
        return None, reader.problems
    optional = read_optional(reader, required["started_at"])
    narrative = _narrative(reader)
    if (
        not body.strip()
        and not narrative
        and not getattr(optional.get("root_cause"), "summary", None)
    ):
        reader.problems.append(
            Problem(
                shown,
                0,
                "warning",
                "no summary, timeline or cause: the post-mortem has front matter only",
                "write what happened, when, and why below the front matter",
                code="empty-body",
            )
        )
    incident = Incident(
        **required,
        **optional,
        path=shown,
        body=body,
        body_line=body_line,
        narrative=narrative,
        digest=digest,
        lines=key_lines({k: v + offset for k, v in lines.items()}),
    )
    return incident, reader.problems


def _narrative(reader: Reader) -> tuple[tuple[str, str, int], ...]:
    """The story told in front-matter keys (a .yaml incident's `summary`, `timeline`, …):
    (key, text, line) per text, for the reader to read as it reads a body."""
    out: list[tuple[str, str, int]] = []
    for key in NARRATIVE_KEYS:
        value = reader.get(key)
        if isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, str | int | float) and str(item).strip():
                    out.append(
                        (
                            key,
                            str(reader.as_written(f"{key}.{index}", item)).strip(),
                            reader.line(f"{key}.{index}"),
                        )
                    )
        elif isinstance(value, str) and value.strip():
            # A block scalar's text starts on the line after its key.
            line = reader.line(key)
            out.append((key, value.strip(), line + (1 if "\n" in value.strip() else 0)))
    return tuple(out)
