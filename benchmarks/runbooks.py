"""What the runbooks generated from real post-mortems carry of what responders did.

`python -m benchmarks.runbooks` imports each shared collection (../shared/datasets) into an
empty learning repository with `learnloop import`, as a team adopting learnloop would, runs
`learnloop generate` there, reads the runbooks it wrote, and prints per collection:

- files: the collection's files, less those that describe the folder (LICENSE, README,
  SOURCE); loaded: the incidents `generate` read; every file not loaded, with why;
- in a pattern: the share of incidents in a recurring pattern (two or more incidents), and
  the number of those patterns;
- D / M / R: the share of the recurring patterns' runbooks whose Diagnosis, Mitigation and
  Resolution are non-empty. Non-empty means the region is in the runbook and holds at least
  one list item (a step) that links to an incident of the pattern: a heading alone, a line
  citing nothing, or a note that nothing was recorded does not count. A Diagnosis holds what
  responders looked at (numbered) and the causes found before (bulleted): "looks" is the
  share with at least one of the first;
- M top 10: of the ten runbooks with the most incidents, those whose Mitigation is non-empty;
- purity: where benchmarks/labels/groupings labels the collection, the share of incidents in
  recurring patterns that are in their pattern's most common labelled group (a one-off is a
  group of its own), beside the same figure for grouping by first service (groups of two or
  more, as patterns). danluu's summaries carry a person's category: purity against it too.

Last, regression checks on two simulated corpora: one written in the simulator's vendor-RCA
style (paragraphs opened by labels), one in the prose styles of a company's own post-mortems
by many hands (narrative, non-native English, tables): the same figures, with purity against
the simulated failure. They are not tuning data: nothing in the reader was fitted to them.

danluu's summaries are one JSON object a line with no date. `import` reads them as a table
(JSON Lines), dating each by the file; here each is written out as the Markdown file a person
would keep (its title as a heading, then its text, dated in its file name), and that folder
imported, so that its category is known by its path.

Options: `--keep DIR` leaves each generated repository under DIR to read; `--show` prints,
per recurring pattern, its size and which of the three regions are empty.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import tempfile
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks import datasets, labels
from benchmarks.simulator import simulate, write_corpus
from learnloop.commands.generate import generate
from learnloop.importers.run import run as run_import
from learnloop.load import INCIDENTS_DIR
from learnloop.model import Incident
from learnloop.settings import Settings
from learnloop.write.runbook import path_of

COLLECTIONS = (*datasets.IMPORTABLE, "danluu-postmortems")
# Simulated corpora, by the name that asks for one: (the name printed, the styles). Vendor
# RCAs; and prose by many hands, the styles a company's own post-mortems are written in.
SIMULATED = {
    "simulated": ("simulated vendor-rca", ("vendor-rca",)),
    "simulated-prose": ("simulated prose", ("narrative", "non-native", "tables")),
}
SIMULATED_SEED, SIMULATED_COUNT = 7, 170
STEP_REGIONS = ("diagnosis", "mitigation", "resolution")
_DESCRIBES_FOLDER = "describes the folder"
_REGION = re.compile(
    r"<!-- learnloop:begin (?P<name>[\w-]+) -->\n(?P<body>.*?)<!-- learnloop:end (?P=name) -->",
    re.DOTALL,
)
_STEP = re.compile(r"^\s*(?:[-*]|\d+\.)\s")
_NUMBERED = re.compile(r"^\d+\.\s")
_CITATION = re.compile(r"\]\(\.\./incidents/[^)]+\)")


def regions(text: str) -> dict[str, str]:
    """A generated document's regions by name."""
    return {m["name"]: m["body"] for m in _REGION.finditer(text)}


def cited_steps(body: str, marker: re.Pattern[str] = _STEP) -> int:
    """The steps of a region that cite an incident: list items (with their continuation
    lines, where a command block sits) holding a link to an incident file."""
    items: list[str] = []
    for line in body.split("\n"):
        if _STEP.match(line) and not line.startswith(" "):
            items.append(line)
        elif items:
            items[-1] += "\n" + line
    return sum(1 for item in items if marker.match(item) and _CITATION.search(item))


@dataclass
class Figures:
    """What one collection's runbooks carry."""

    name: str
    files: int = 0
    loaded: int = 0
    not_loaded: list[tuple[str, str]] = field(default_factory=list)  # (file, why)
    in_pattern: float = 0.0
    patterns: int = 0
    runbooks: int = 0
    filled: dict[str, int] = field(default_factory=dict)  # region -> runbooks with a step
    top_mitigated: tuple[int, int] = (0, 0)
    purity: list[tuple[str, float, float, int]] = field(default_factory=list)
    shown: list[str] = field(default_factory=list)

    def share(self, region: str) -> float:
        return self.filled.get(region, 0) / self.runbooks if self.runbooks else 0.0


def purity(clusters: Mapping[str, object], truth: Mapping[str, str | None]) -> tuple[float, int]:
    """Share of the incidents in clusters of two or more that are in their cluster's most
    common reference group (None: a group of its own); and how many were counted."""
    members: dict[object, list[str]] = {}
    for item, cluster in clusters.items():
        if cluster is not None and item in truth:
            members.setdefault(cluster, []).append(item)
    counted = agreeing = 0
    for items in members.values():
        if len(items) < 2:
            continue
        groups = Counter(truth[i] if truth[i] is not None else f"one-off:{i}" for i in items)
        counted += len(items)
        agreeing += groups.most_common(1)[0][1]
    return (agreeing / counted if counted else 0.0), counted


def by_first_service(incidents: Mapping[str, Incident]) -> dict[str, object]:
    """The baseline grouping: each incident under its first service."""
    return {name: (i.services[0] if i.services else None) for name, i in incidents.items()}


def measure(
    name: str,
    root: Path,
    sources: Sequence[Path],
    fmt: str = "auto",
    truths: Callable[[dict[str, Incident]], list[tuple[str, dict[str, str | None]]]] | None = None,
    show: bool = False,
) -> Figures:
    """Import `sources` into root, generate, and read the runbooks that were written."""
    figures = Figures(name)
    source_of: dict[str, str] = {}
    if sources:
        report = run_import(root, sources, fmt, Settings(), cwd=root)
        for skipped in report.skipped:
            if _DESCRIBES_FOLDER not in skipped.reason:
                figures.not_loaded.append((_short(skipped.source), skipped.reason))
        planned = [*report.imported, *report.updated, *report.unchanged]
        figures.files = len(planned) + len(figures.not_loaded)
        source_of = {p.ident: str((root / p.source).resolve()) for p in planned}
    else:
        figures.files = sum(1 for _ in (root / INCIDENTS_DIR).rglob("*.md"))
    analysis, rendered, _, _ = generate(root, write=True)
    incidents = analysis.corpus.by_id()
    figures.loaded = len(incidents)
    figures.not_loaded.extend(
        (p.path, p.message) for p in analysis.corpus.problems if p.level == "error"
    )
    figures.not_loaded.extend(analysis.corpus.skipped)
    recurring = [p for p in analysis.patterns.patterns if len(p.incidents) >= 2]
    figures.patterns = len(recurring)
    grouped = {i for p in recurring for i in p.incidents}
    figures.in_pattern = len(grouped) / len(incidents) if incidents else 0.0
    sized = []
    for pattern in sorted(recurring, key=lambda p: (-len(p.incidents), p.id)):
        text = rendered.get(path_of(pattern.id))
        if text is None:
            continue
        found = regions(text)
        steps = {r: cited_steps(found.get(r, "")) for r in STEP_REGIONS}
        steps["looks"] = cited_steps(found.get("diagnosis", ""), _NUMBERED)
        figures.runbooks += 1
        for region, count in steps.items():
            figures.filled[region] = figures.filled.get(region, 0) + (count > 0)
        sized.append(steps["mitigation"] > 0)
        if show:
            empty = [r for r in STEP_REGIONS if not steps[r]]
            gaps = f"empty: {', '.join(empty)}" if empty else "all three"
            figures.shown.append(f"{pattern.id} ({len(pattern.incidents)}): {gaps}")
    top = sized[:10]
    figures.top_mitigated = (sum(top), len(top))
    if truths is not None:
        named = {source_of.get(i, i): incident for i, incident in incidents.items()}
        clusters = {source_of.get(i, i): c for i, c in analysis.patterns.of().items()}
        for label, truth in truths(named):
            ours, counted = purity(clusters, truth)
            services, _ = purity(by_first_service(named), truth)
            figures.purity.append((label, ours, services, counted))
    return figures


def _short(source: str) -> str:
    return source.split("/datasets/", 1)[-1]


def _grouping_truth(collection: str) -> Callable[[dict[str, Incident]], list]:
    """The labelled groups, keyed as `measure` keys incidents: by resolved source path."""

    def truths(named: dict[str, Incident]) -> list[tuple[str, dict[str, str | None]]]:
        grouping = labels.groupings(collection).group_of()
        truth = {str(labels.locate(collection, n).resolve()): g for n, g in grouping.items()}
        return [("labelled groups", {k: v for k, v in truth.items() if k in named})]

    return truths


def collection(name: str, root: Path, show: bool) -> Figures:
    """One shared collection, imported into root and generated."""
    (root / INCIDENTS_DIR).mkdir(parents=True)
    if name == "danluu-postmortems":
        return _danluu(root, show)
    truths = _grouping_truth(name) if name in labels.GROUPED_COLLECTIONS else None
    return measure(name, root, [datasets.SHARED / name], truths=truths, show=show)


def _danluu(root: Path, show: bool) -> Figures:
    folder = root.parent / "danluu-as-markdown"
    folder.mkdir()
    categories: dict[str, str | None] = {}
    for line in (datasets.SHARED / "danluu-postmortems.jsonl").read_text().splitlines():
        row = json.loads(line)
        path = folder / f"2020-01-01-{row['id'].replace(':', '-')}.md"
        path.write_text(f"# {row['title']}\n\n{row['text']}\n", encoding="utf-8")
        category = (row.get("categories") or ["Uncategorized"])[0]
        categories[str(path.resolve())] = None if category == "Uncategorized" else category

    def truths(named: dict[str, Incident]) -> list[tuple[str, dict[str, str | None]]]:
        # Uncategorized is a catch-all, not a class: only the categorised are counted.
        known = {k: v for k, v in categories.items() if v is not None and k in named}
        return [("category (categorised only)", known)]

    return measure("danluu-postmortems", root, [folder], "markdown", truths, show)


def simulated(root: Path, show: bool, name: str) -> Figures:
    """A simulated corpus (a key of SIMULATED), committed as written, generated."""
    shown, styles = SIMULATED[name]
    corpus = simulate(SIMULATED_SEED, SIMULATED_COUNT, styles)
    write_corpus(corpus, root / INCIDENTS_DIR)
    by_id = {f.id: f for f in corpus.files}

    def truths(named: dict[str, Incident]) -> list[tuple[str, dict[str, str | None]]]:
        return [
            ("simulated pattern", {i: by_id[i].pattern for i in named if i in by_id}),
            ("simulated failure", {i: by_id[i].failure for i in named if i in by_id}),
        ]

    return measure(shown, root, [], truths=truths, show=show)


def print_figures(figures: Figures) -> None:
    f = figures
    filled = "  ".join(f"{r[0].upper()} {f.share(r):4.0%}" for r in STEP_REGIONS)
    print(
        f"{f.name:<28} files {f.files:5}  loaded {f.loaded:5}  in a pattern {f.in_pattern:4.0%} "
        f"({f.patterns} patterns, {f.runbooks} runbooks)  {filled}  looks {f.share('looks'):4.0%}  "
        f"M top 10 {f.top_mitigated[0]}/{f.top_mitigated[1]}"
    )
    for label, ours, services, counted in f.purity:
        print(
            f"{'':28} purity against {label}: patterns {ours:.2f}, by first service "
            f"{services:.2f} (n={counted})"
        )
    reasons = Counter(_reason(why) for _, why in f.not_loaded)
    for why, count in sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0])):
        example = next(name for name, w in f.not_loaded if _reason(w) == why)
        print(f"{'':28} not loaded: {count} × {why} (e.g. {example})")
    for line in f.shown:
        print(f"{'':28} {line}")


def _reason(text: str) -> str:
    """A reason without what differs per file, so alike reasons count together."""
    text = re.sub(r"\s*(\([^)]*\)|'[^']*'|\"[^\"]*\")", " …", text)
    return re.sub(r"\d+", "N", text)[:90]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("collections", nargs="*", help=f"default: all, then {', '.join(SIMULATED)}")
    parser.add_argument("--keep", type=Path, help="leave the generated repositories here")
    parser.add_argument("--show", action="store_true", help="each runbook's empty regions")
    args = parser.parse_args(argv)
    logging.disable(logging.WARNING)
    chosen = args.collections or [*COLLECTIONS, *SIMULATED]
    if not datasets.available() and not set(chosen) <= set(SIMULATED):
        print("../shared/datasets is not here: only the simulated corpora are measured")
        chosen = list(SIMULATED)
    for name in chosen:
        with tempfile.TemporaryDirectory() as folder:
            base = args.keep.resolve() / name if args.keep else Path(folder)
            root = base / "repo"
            root.mkdir(parents=True, exist_ok=False)
            if name in SIMULATED:
                figures = simulated(root, args.show, name)
            else:
                figures = collection(name, root, args.show)
        print_figures(figures)


if __name__ == "__main__":
    main()
