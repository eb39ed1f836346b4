"""The writing edge: rendered text to files, atomically, only where something changed."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path


def atomic_write(path: Path, text: str) -> None:
    """Replace path's content in one step: readers see the old file or the new, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


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
    for rel in changed:
        atomic_write(root / rel, rendered[rel])
    return changed
