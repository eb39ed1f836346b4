"""A seeded incident simulator: a realistic corpus of post-mortems with known ground truth.

The same arguments always give byte-identical files. The ground truth (which recurring
failure each incident is an instance of) is returned separately and never written into
the incident files themselves.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from learnloop.simulate import catalog
from learnloop.simulate.plan import default_months, plan
from learnloop.simulate.render import Writer

__all__ = ["SimulatedCorpus", "SimulatedFile", "simulate", "write_corpus"]

DEFAULT_START = date(2024, 5, 1)
_OURS = re.compile(r"\d{4}-\d{2}-\d{2}-[a-z0-9-]+\.(?:md|yaml)")


@dataclass(frozen=True)
class SimulatedFile:
    """One incident file: path relative to the incidents folder, text, id and true pattern."""

    path: str
    text: str
    id: str
    pattern: str | None


@dataclass(frozen=True)
class SimulatedCorpus:
    """A simulated corpus: its files, sorted by path, and how it was made."""

    seed: int
    style: str
    files: tuple[SimulatedFile, ...]

    def truth(self) -> dict[str, Any]:
        """The ground truth: pattern per incident, members per pattern, one-offs."""
        incidents = {f.id: f.pattern for f in sorted(self.files, key=lambda f: f.id)}
        patterns: dict[str, list[str]] = {}
        for incident_id, slug in incidents.items():
            if slug is not None:
                patterns.setdefault(slug, []).append(incident_id)
        return {
            "incidents": incidents,
            "one_off": sorted(i for i, slug in incidents.items() if slug is None),
            "patterns": {slug: sorted(ids) for slug, ids in sorted(patterns.items())},
            "seed": self.seed,
            "style": self.style,
        }

    def truth_json(self) -> str:
        """The ground truth as the JSON text written to the --truth file."""
        return json.dumps(self.truth(), sort_keys=True, indent=1) + "\n"


def simulate(
    seed: int = 7,
    count: int = 170,
    *,
    start: date = DEFAULT_START,
    months: int | None = None,
    style: str = "main",
) -> SimulatedCorpus:
    """Simulate `count` incidents from `start` over `months` months in a writing style."""
    if style not in catalog.STYLES:
        raise ValueError(f"unknown style {style!r}; expected one of {', '.join(catalog.STYLES)}")
    if count < 1:
        raise ValueError("count must be at least 1")
    months = months if months is not None else default_months(count)
    if months < 1:
        raise ValueError("months must be at least 1")
    files: list[SimulatedFile] = []
    taken: set[str] = set()
    for case in plan(seed, count, start, months):
        writer = Writer(case, style, seed)
        text = writer.render()
        path = writer.path()
        stem, dot, ext = path.rpartition(".")
        n = 2
        while path in taken:
            path = f"{stem}-{n}{dot}{ext}"
            n += 1
        taken.add(path)
        files.append(SimulatedFile(path, text, case.id, case.truth))
    return SimulatedCorpus(seed, style, tuple(sorted(files, key=lambda f: f.path)))


def write_corpus(
    corpus: SimulatedCorpus, out: Path, truth: Path | None = None, *, clean: bool = False
) -> None:
    """Write the incident files under `out` (and the ground truth to `truth`, if given).

    With `clean`, incident files already under `out` are removed first, so a smaller
    corpus does not leave stale files behind.
    """
    if clean and out.is_dir():
        # Only files shaped like ours (YYYY/YYYY-MM-DD-slug.md): templates and READMEs stay.
        for old in sorted(out.glob("[0-9][0-9][0-9][0-9]/*")):
            if old.is_file() and _OURS.fullmatch(old.name):
                old.unlink()
        for folder in sorted(out.glob("[0-9][0-9][0-9][0-9]")):
            if folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()
    for item in corpus.files:
        target = out / item.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(item.text, encoding="utf-8", newline="\n")
    if truth is not None:
        truth.parent.mkdir(parents=True, exist_ok=True)
        truth.write_text(corpus.truth_json(), encoding="utf-8", newline="\n")
