"""New post-mortems from the team's template, each with a fresh unique id.

The template is `incidents/_template.md` as the team left it (`init` writes one; people edit
it), else the package's. A new file is that template with its placeholders filled: id,
title, start, severity and services in the front matter, the start's date and time where
the body asks for them, and the line that points editors at the JSON Schema.
"""

from __future__ import annotations

import os
import re
import tempfile
from datetime import date, datetime
from importlib import resources
from pathlib import Path

import jinja2
import yaml

from learnloop.errors import LearnloopError, UsageError
from learnloop.load import INCIDENTS_DIR, load_corpus, texts, zone_named
from learnloop.load.fields import normalize_severity
from learnloop.slugs import slug

SCHEMA_IN_REPO = Path("generator/learnloop/schema/incident.schema.json")
# Where `init` puts a copy of the schema in a learning repo.
SCHEMA_COPY = Path(".learnloop/incident.schema.json")
TEMPLATE_FILE = f"{INCIDENTS_DIR}/_template.md"
SLUG_LIMIT = 60
# The template's placeholders, as `postmortem_template` writes them.
PLACEHOLDERS = {
    "id": "INC-YYYY-NNN",
    "title_yaml": "What users saw, in one line",
    "started_at": "YYYY-MM-DDTHH:MM:00Z",
    "severity": "P3",
    "services": "service-name",
    "clock": "HH:MM",
}
_SCHEMA_LINE = re.compile(r"^#\s*yaml-language-server:.*$")
_FRONT = re.compile(r"\A---[ \t]*\n(.*?\n)---[ \t]*(?:\n|\Z)", re.DOTALL)


def slugify(text: str, limit: int = SLUG_LIMIT) -> str:
    """An incident file's slug: 'Checkout 5xx after…' -> 'checkout-5xx-after'."""
    return slug(text, limit=limit, default="incident")


def next_id(existing: set[str], year: int) -> str:
    """INC-<year>-NNN, one past the highest number used this year."""
    pattern = re.compile(rf"^INC-{year}-(\d+)$")
    used = [int(m.group(1)) for i in existing if (m := pattern.match(i))]
    return f"INC-{year}-{max(used, default=0) + 1:03d}"


def postmortem_template() -> str:
    """incidents/_template.md as `init` writes it: the post-mortem with its placeholders."""
    source = resources.files("learnloop").joinpath("templates/postmortem.md.j2").read_text()
    return jinja2.Template(source, keep_trailing_newline=True).render(schema=None, **PLACEHOLDERS)


def parse_start(text: str, zone_name: str = "UTC") -> datetime | date:
    """`--started`: a date (2025-03-14) or a time (2025-03-14T09:12, 2025-03-14 09:12+02:00);
    a time without a zone is in the repository's time zone (learnloop.yml `timezone`)."""
    value = text.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return date.fromisoformat(value)
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise UsageError(
            f"--started: expected a date or a time such as 2025-03-14 or 2025-03-14T09:12, "
            f"got {text!r}"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone_named(zone_name) or zone_named("UTC"))
    return moment


def new_incident(
    root: Path,
    title: str,
    services: tuple[str, ...],
    severity: str,
    now: datetime,
    *,
    started: datetime | date | None = None,
) -> Path:
    """Write a post-mortem from the template under incidents/<year>/ and return its path.

    It is named and numbered by when the incident started: `started` when given, else now.
    """
    if not title.strip():
        raise LearnloopError("the title is empty")
    normal = normalize_severity(severity)
    if normal is None:
        raise LearnloopError(f"severity: expected one of P0–P4 (or SEV0–SEV4), got {severity!r}")
    start = started if started is not None else now
    day = start if not isinstance(start, datetime) else start.date()
    corpus = load_corpus(root)
    # Ids in files that failed to load still count: reusing one would collide once fixed.
    taken = {i.id for i in corpus.incidents} | set(
        re.findall(r"(?m)^id:\s*['\"]?([^\s'\"#]+)", "\n".join(t for _, t in texts(corpus, root)))
    )
    ident = next_id(taken, day.year)
    folder = root / INCIDENTS_DIR / str(day.year)
    path = folder / f"{day:%Y-%m-%d}-{slugify(title)}.md"
    if path.exists():
        path = folder / f"{day:%Y-%m-%d}-{slugify(title)}-{ident.lower()}.md"
    schema = None
    for candidate in (SCHEMA_IN_REPO, SCHEMA_COPY):
        if (root / candidate).is_file():
            schema = os.path.relpath(root / candidate, folder).replace(os.sep, "/")
            break
    if isinstance(start, datetime):
        started_at = start.strftime("%Y-%m-%dT%H:%M:00") + _offset(start)
        clock = start.strftime("%H:%M")
    else:
        started_at, clock = f"'{start.isoformat()}'", PLACEHOLDERS["clock"]
    values = {
        "id": ident,
        "title": yaml.safe_dump(title.strip(), width=1000).removesuffix("\n...\n").strip(),
        "started_at": started_at,
        "severity": normal,
        "services": f"[{', '.join(services) if services else 'unassigned'}]",
    }
    template = team_template(root)
    text = fill(template, values, schema=schema, clock=clock, day=day)
    write_new(path, text)
    return path


def _offset(moment: datetime) -> str:
    offset = moment.utcoffset()
    if not offset:
        return "Z"
    text = moment.strftime("%z")  # +0200
    return f"{text[:3]}:{text[3:]}"


def team_template(root: Path) -> str:
    """The team's incidents/_template.md when there is one, else the package's."""
    path = root / TEMPLATE_FILE
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return postmortem_template()
    except (OSError, UnicodeDecodeError) as exc:
        raise LearnloopError(f"{TEMPLATE_FILE}: cannot read: {exc}") from None


def fill(
    template: str, values: dict[str, str], *, schema: str | None, clock: str, day: date
) -> str:
    """The template with its front-matter values replaced (comments after them kept), the
    schema line set, and the body's HH:MM and YYYY-MM-DD placeholders filled."""
    match = _FRONT.match(template)
    if not match:
        raise LearnloopError(
            f"{TEMPLATE_FILE}:1: error: the template has no front matter (--- … ---)",
        )
    lines = [line for line in match.group(1).split("\n")[:-1] if not _SCHEMA_LINE.match(line)]
    missing = []
    for key, value in values.items():
        at = next((n for n, line in enumerate(lines) if re.match(rf"{key}\s*:", line)), None)
        if at is None:
            missing.append(f"{key}: {value}")
            continue
        comment = re.search(r"\s+#.*$", lines[at]) if key != "title" else None
        lines[at] = f"{key}: {value}" + (comment.group(0) if comment else "")
    head = ([f"# yaml-language-server: $schema={schema}"] if schema else []) + missing + lines
    body = template[match.end() :]
    body = body.replace(PLACEHOLDERS["clock"], clock).replace("YYYY-MM-DD", day.isoformat())
    return "---\n" + "\n".join(head) + "\n---\n" + body


def write_new(path: Path, text: str) -> None:
    """Create a file atomically, with the permissions any new file gets here; refuse to
    replace one that exists."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        # A temporary file is owner-only; a post-mortem is read by everyone who can read
        # the repository (0644 under the usual umask).
        mask = os.umask(0o022)
        os.umask(mask)
        os.chmod(tmp, 0o666 & ~mask)
        os.link(tmp, path)  # fails if path appeared meanwhile, unlike rename
    except FileExistsError:
        raise LearnloopError(f"{path} already exists; not overwritten") from None
    finally:
        os.unlink(tmp)
