"""Incident post-mortems written the way different people write them, with known ground truth.

A benchmark and test tool, not part of learnloop: failure kinds live as data
(failures/*.yml, one file per kind), and styles write each incident in one author's voice
(terse notes, narrative prose, inline labels, vendor RCAs, tables, non-native English, the
learnloop template). The same arguments always give byte-identical files; the ground truth
(which recurring failure each incident is, and on which lines a post-mortem states its root
cause and its mitigation actions) is returned separately and never written into the files.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from benchmarks.simulator import catalog
from benchmarks.simulator.doc import Stated, located
from benchmarks.simulator.frontmatter import front_matter
from benchmarks.simulator.plan import Planned, plan
from benchmarks.simulator.story import tell
from benchmarks.simulator.styles import RENDERERS, STYLES
from benchmarks.simulator.styles.stub import render as render_stub

__all__ = [
    "DEFAULT_START",
    "STYLES",
    "SimulatedCorpus",
    "SimulatedFile",
    "failure_kinds",
    "simulate",
    "write_corpus",
]

DEFAULT_START = date(2024, 5, 1)
_SLUG = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class SimulatedFile:
    """One written incident and what is true about it (which the file never says)."""

    path: str  # relative to the incidents folder
    text: str
    id: str
    pattern: str | None  # "failure@system" for a recurring failure; None for a one-off
    failure: str
    system: str
    style: str
    stub: bool
    root_cause: tuple[Stated, ...]  # where the file states the root cause
    mitigation: tuple[Stated, ...]  # where it states each mitigation action

    def detail(self) -> dict[str, Any]:
        """This file's ground truth as plain data."""
        return {
            "path": self.path,
            "pattern": self.pattern,
            "failure": self.failure,
            "system": self.system,
            "style": self.style,
            "stub": self.stub,
            "root_cause": [{"line": s.line, "text": s.text} for s in self.root_cause],
            "mitigation": [{"line": s.line, "text": s.text} for s in self.mitigation],
        }


@dataclass(frozen=True)
class SimulatedCorpus:
    """A simulated corpus: its files, sorted by path, and how it was made."""

    seed: int
    styles: tuple[str, ...]
    files: tuple[SimulatedFile, ...]
    pattern_seed: int | None = None

    def truth(self) -> dict[str, Any]:
        """Each incident's pattern, members per pattern, one-offs, and each file's details."""
        ordered = sorted(self.files, key=lambda f: f.id)
        incidents = {f.id: f.pattern for f in ordered}
        patterns: dict[str, list[str]] = {}
        for ident, pattern in incidents.items():
            if pattern is not None:
                patterns.setdefault(pattern, []).append(ident)
        return {
            "seed": self.seed,
            "pattern_seed": self.seed if self.pattern_seed is None else self.pattern_seed,
            "styles": list(self.styles),
            "incidents": incidents,
            "one_off": sorted(i for i, p in incidents.items() if p is None),
            "patterns": {p: sorted(ids) for p, ids in sorted(patterns.items())},
            "details": {f.id: f.detail() for f in ordered},
        }

    def truth_json(self) -> str:
        """The ground truth as the JSON text written to the --truth file."""
        return json.dumps(self.truth(), sort_keys=True, indent=1, ensure_ascii=False) + "\n"


def failure_kinds() -> tuple[str, ...]:
    """The ids of the failure kinds the simulator knows (one per file under failures/)."""
    return tuple(f.id for f in catalog.load().failures)


def _slug(title: str) -> str:
    words = _SLUG.sub("-", title.lower()).strip("-").split("-")
    out: list[str] = []
    for word in words:
        if len("-".join([*out, word])) > 48:
            break
        out.append(word)
    return "-".join(out) or "incident"


def _write(planned: Planned, seed: int, pattern_seed: int | None) -> SimulatedFile:
    cat = catalog.load()
    story = tell(planned, cat, seed, pattern_seed)
    rng = random.Random(f"write:{seed}:{planned.id}:{planned.style}")
    if planned.stub:
        doc, clock, extras = render_stub(story, rng, planned.style)
    else:
        doc, clock, extras = RENDERERS[planned.style](story, rng)
    head, head_marks = front_matter(story, clock, rng, extras)
    blank = rng.random() < 0.6
    first_body_line = len(head) + 3 + (1 if blank else 0)
    text = "---\n" + "\n".join(head) + "\n---\n" + ("\n" if blank else "") + doc.text()
    stated = located(doc, first_body_line)
    for part, index, said in head_marks:
        stated[part].insert(0, Stated(index + 2, said))
    path = f"{planned.started:%Y}/{planned.started:%Y-%m-%d}-{_slug(story.title)}.md"
    return SimulatedFile(
        path=path,
        text=text,
        id=planned.id,
        pattern=planned.pattern,
        failure=planned.failure,
        system=planned.system,
        style=planned.style,
        stub=planned.stub,
        root_cause=tuple(stated["root_cause"]),
        mitigation=tuple(stated["mitigation"]),
    )


def simulate(
    seed: int = 7,
    count: int = 170,
    styles: Sequence[str] | None = None,
    start: date = DEFAULT_START,
    months: int | None = None,
    pattern_seed: int | None = None,
) -> SimulatedCorpus:
    """`count` incidents from `start` on, each written in one of `styles` (default: all).

    With `pattern_seed`, the recurring failures are those of the corpus simulated with that
    seed (a subset when this corpus is smaller): new occurrences of known failures, told
    anew, to query one corpus with another.
    """
    chosen = tuple(styles) if styles else STYLES
    unknown = sorted(set(chosen) - set(STYLES))
    if unknown:
        raise ValueError(f"unknown style {unknown[0]!r}; choose among {', '.join(STYLES)}")
    if count < 1:
        raise ValueError("count must be at least 1")
    if months is not None and months < 1:
        raise ValueError("months must be at least 1")
    files: list[SimulatedFile] = []
    taken: set[str] = set()
    for planned in plan(seed, count, chosen, start, months, pattern_seed):
        item = _write(planned, seed, pattern_seed)
        path, n = item.path, 2
        while path in taken:
            path = f"{item.path.removesuffix('.md')}-{n}.md"
            n += 1
        taken.add(path)
        if path != item.path:
            item = SimulatedFile(**{**item.__dict__, "path": path})
        files.append(item)
    ordered = tuple(sorted(files, key=lambda f: f.path))
    return SimulatedCorpus(seed, chosen, ordered, pattern_seed)


def write_corpus(corpus: SimulatedCorpus, folder: Path, truth_path: Path | None = None) -> None:
    """Write the incident files under `folder`, and the ground truth to `truth_path` if given."""
    for item in corpus.files:
        target = folder / item.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(item.text, encoding="utf-8", newline="\n")
    if truth_path is not None:
        truth_path.parent.mkdir(parents=True, exist_ok=True)
        truth_path.write_text(corpus.truth_json(), encoding="utf-8", newline="\n")
