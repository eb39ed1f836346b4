"""The writing edge: rendered text to files, atomically, only where something changed."""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path, PurePosixPath

from learnloop.errors import LearnloopError
from learnloop.settings import CODEOWNERS_FILES

# What `generate` may write: its folders and the pattern record, nothing else. A name that
# comes from an input (a pattern id, a service) must never lead a write elsewhere.
GENERATED = ("runbooks", "kb", "adr", "patterns.yml", "patterns.members.yml")
# Single files it may write elsewhere: the CODEOWNERS block (write/codeowners.py), in one of
# the places GitHub reads the file from.
GENERATED_FILES = CODEOWNERS_FILES
_TMP = re.compile(r"^\..+\.(?P<pid>\d+)\.[^.]+\.tmp$")


def _umask() -> int:
    # Read by setting it: there is no other way, and it is put back at once.
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def atomic_write(path: Path, text: str) -> None:
    """Replace path's content in one step: readers see the old file or the new, never half.

    The file gets the permissions any new file gets here (0644 under the usual umask), not
    the owner-only mode of a temporary file.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp"
    )
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def target(root: Path, rel: str, allowed: Iterable[str] = GENERATED) -> Path:
    """root/rel, refused (LearnloopError) unless it stays inside one of the allowed places.

    Checked by name (no '..', not absolute, under an allowed folder) and by where it really
    leads (a folder replaced by a link to elsewhere is refused too).
    """
    if rel in GENERATED_FILES and allowed is GENERATED:
        path = root / rel
        if not path.resolve().is_relative_to(root.resolve()):
            raise LearnloopError(f"refusing to write {rel!r}: it leads outside the repository")
        return path
    parts = PurePosixPath(rel).parts
    top = parts[0] if parts else ""
    if (
        not parts
        or rel.startswith("/")
        or "\\" in rel
        or ".." in parts
        or top not in allowed
        or (len(parts) == 1 and top != rel)
    ):
        raise LearnloopError(f"refusing to write {rel!r}: outside {', '.join(allowed)}")
    path = root / rel
    base = (root / top).resolve() if len(parts) > 1 else root.resolve()
    if not path.resolve().is_relative_to(base) or not base.is_relative_to(root.resolve()):
        raise LearnloopError(f"refusing to write {rel!r}: it leads outside the repository")
    return path


def remove_leftovers(
    root: Path, places: Iterable[str] = (*GENERATED, *GENERATED_FILES, ".learnloop-cache")
) -> list[str]:
    """Delete temporary files an interrupted run left (a writer killed mid-write).

    Only files whose writer is gone: a temporary name carries its process id, and a file of
    a process still running belongs to a concurrent run.
    """
    removed = []
    for place in places:
        folder = root / place
        where = (root / place).parent
        candidates = (
            folder.rglob(".*.tmp") if folder.is_dir() else where.glob(f".{folder.name}.*.tmp")
        )
        for path in sorted(candidates):
            match = _TMP.match(path.name)
            if match is None or running(int(match.group("pid"))):
                continue
            path.unlink(missing_ok=True)
            removed.append(path.relative_to(root).as_posix())
    return removed


def running(pid: int) -> bool:
    """Whether a process of this id is alive (this one included)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, owned by another user
        return True
    return True


def changes(
    rendered: Mapping[str, str], root: Path, current: Mapping[str, str | None] | None = None
) -> list[str]:
    """Relative paths whose content on disk differs from the rendered text, sorted.

    `current` holds texts already read from disk this run (None: absent); others are read.
    """
    out = []
    for rel, text in rendered.items():
        if current is not None and rel in current:
            now = current[rel]
        else:
            try:
                now = (root / rel).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                now = None
        if now != text:
            out.append(rel)
    return sorted(out)


def write_all(
    rendered: Mapping[str, str], root: Path, current: Mapping[str, str | None] | None = None
) -> list[str]:
    """Write every changed file (see `changes`); return what was written."""
    changed = changes(rendered, root, current)
    paths = {rel: target(root, rel) for rel in changed}  # every name checked before any write
    for rel in changed:
        atomic_write(paths[rel], rendered[rel])
    return changed
