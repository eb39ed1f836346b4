"""New post-mortems from the template, each with a fresh unique id."""

from __future__ import annotations

import os
import re
import tempfile
import unicodedata
from datetime import datetime
from importlib import resources
from pathlib import Path

import jinja2
import yaml

from learnloop.errors import LearnloopError
from learnloop.load import INCIDENTS_DIR, load_corpus, texts
from learnloop.load.fields import normalize_severity

SCHEMA_IN_REPO = Path("generator/learnloop/schema/incident.schema.json")


def slugify(text: str, limit: int = 60) -> str:
    """A lower-case ASCII slug: 'Checkout 5xx after…' -> 'checkout-5xx-after'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:limit].rstrip("-") or "incident"


def next_id(existing: set[str], year: int) -> str:
    """INC-<year>-NNN, one past the highest number used this year."""
    pattern = re.compile(rf"^INC-{year}-(\d+)$")
    used = [int(m.group(1)) for i in existing if (m := pattern.match(i))]
    return f"INC-{year}-{max(used, default=0) + 1:03d}"


def new_incident(
    root: Path,
    title: str,
    services: tuple[str, ...],
    severity: str,
    now: datetime,
) -> Path:
    """Write a post-mortem skeleton under incidents/<year>/ and return its path."""
    if not title.strip():
        raise LearnloopError("the title is empty")
    normal = normalize_severity(severity)
    if normal is None:
        raise LearnloopError(f"severity: expected one of P0–P4 (or SEV0–SEV4), got {severity!r}")
    corpus = load_corpus(root)
    # Ids in files that failed to load still count: reusing one would collide once fixed.
    taken = {i.id for i in corpus.incidents} | set(
        re.findall(r"(?m)^id:\s*['\"]?([^\s'\"#]+)", "\n".join(t for _, t in texts(corpus, root)))
    )
    ident = next_id(taken, now.year)
    folder = root / INCIDENTS_DIR / str(now.year)
    path = folder / f"{now:%Y-%m-%d}-{slugify(title)}.md"
    if path.exists():
        path = folder / f"{now:%Y-%m-%d}-{slugify(title)}-{ident.lower()}.md"
    schema = None
    if (root / SCHEMA_IN_REPO).is_file():
        schema = os.path.relpath(root / SCHEMA_IN_REPO, folder).replace(os.sep, "/")
    template = resources.files("learnloop").joinpath("templates/postmortem.md.j2").read_text()
    text = jinja2.Template(template, keep_trailing_newline=True).render(
        schema=schema,
        id=ident,
        title_yaml=yaml.safe_dump(title.strip(), width=1000).removesuffix("\n...\n").strip(),
        started_at=now.strftime("%Y-%m-%dT%H:%M:00Z"),
        severity=normal,
        services=", ".join(services) if services else "unassigned",
        clock=now.strftime("%H:%M"),
    )
    write_new(path, text)
    return path


def write_new(path: Path, text: str) -> None:
    """Create a file atomically; refuse to replace one that exists."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.link(tmp, path)  # fails if path appeared meanwhile, unlike rename
    except FileExistsError:
        raise LearnloopError(f"{path} already exists; not overwritten") from None
    finally:
        os.unlink(tmp)
