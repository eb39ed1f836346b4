"""Failure modes on real post-mortems: coverage per collection and precision against judgement.

`python -m benchmarks.failure_modes` prints, per collection under ../shared/datasets: files,
the share with at least one mode, the most frequent modes, and, on the post-mortems judged by
hand (benchmarks/failure_modes_judged.yml: the modes a reader finds in each, from its text),
the share whose top mode is wrong and the precision of every mode that fired.
`--show COLLECTION` prints each file's modes with the words that matched.
"""

from __future__ import annotations

import argparse
import collections
import html
import json
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from benchmarks.datasets import SHARED, available
from learnloop.read.failure_modes import Catalogue, Match, load_catalogue, match

JUDGED = Path(__file__).with_name("failure_modes_judged.yml")
COLLECTIONS = (
    "dfds",
    "chia",
    "taskcluster",
    "posthog",
    "2i2c",
    "jenkins",
    "github",
    "danluu",
)


def _markdown(folder: str) -> Iterator[tuple[str, str]]:
    for path in sorted((SHARED / folder / "files").rglob("*")):
        if path.is_file() and path.name not in ("LICENSE", "SOURCE.md", "README.md"):
            yield path.stem, path.read_text(encoding="utf-8", errors="replace")


def documents(collection: str) -> list[tuple[str, str]]:
    """(id, text) of every post-mortem in a collection, as its authors wrote it."""
    if collection == "dfds":
        out = []
        for path in sorted((SHARED / "dfds-postmortems").iterdir()):
            if path.name.startswith("PM"):
                text = path.read_text(encoding="utf-8", errors="replace")
                # The stats list holds the category a person gave: it is not the author's prose.
                out.append((path.name.split(" ")[0], re.split(r"(?m)^#+\s*Stats\s*$", text)[0]))
        return out
    if collection == "github":
        out = []
        for path in sorted((SHARED / "github-status-history" / "files").rglob("*.json")):
            incident = json.loads(path.read_text(encoding="utf-8"))["incident"]
            updates = sorted(incident["incident_updates"], key=lambda u: u["created_at"])
            bodies = [html.unescape(re.sub(r"<[^>]+>", " ", u["body"] or "")) for u in updates]
            out.append((incident["id"], "\n".join([incident["name"], *bodies])))
        return out
    if collection == "danluu":
        rows = (SHARED / "danluu-postmortems.jsonl").read_text(encoding="utf-8").splitlines()
        return [(r["id"], f"{r['title']}\n{r['text']}") for r in map(json.loads, rows)]
    folder = {
        "chia": "chia-postmortems",
        "taskcluster": "taskcluster-retrospectives",
        "posthog": "posthog-postmortems",
        "2i2c": "2i2c-incident-reports",
        "jenkins": "jenkins-status",
    }[collection]
    return list(_markdown(folder))


def judged() -> dict[str, dict[str, dict[str, frozenset[str]]]]:
    """Per section (tuned, held_out), per collection, per post-mortem: the modes a reader finds."""
    data = yaml.safe_load(JUDGED.read_text(encoding="utf-8"))
    return {
        section: {
            name: {str(doc): frozenset(modes or ()) for doc, modes in docs.items()}
            for name, docs in collections_.items()
        }
        for section, collections_ in data.items()
    }


def measure(collection: str, catalogue: Catalogue) -> dict[str, Any]:
    """Coverage and the most frequent modes of one collection, and the time it took."""
    docs = documents(collection)
    start = time.perf_counter()
    found = {ident: match(text, catalogue) for ident, text in docs}
    seconds = time.perf_counter() - start
    counts = collections.Counter(m.id for ms in found.values() for m in ms)
    return {
        "files": len(docs),
        "covered": sum(bool(ms) for ms in found.values()),
        "top": counts.most_common(6),
        "found": found,
        "seconds": seconds,
    }


def judge(found: dict[str, list[Match]], labels: dict[str, frozenset[str]]) -> dict[str, Any]:
    """Top-mode and every-mode precision of what fired on the judged post-mortems."""
    fired = [i for i in labels if found.get(i)]
    modes = [(i, m.id) for i in fired for m in found[i]]
    expected = [i for i in labels if labels[i]]
    return {
        "judged": len(labels),
        "fired": len(fired),
        "top_wrong": [i for i in fired if found[i][0].id not in labels[i]],
        "modes_fired": len(modes),
        "modes_right": sum(mode in labels[i] for i, mode in modes),
        "expected": len(expected),
        "recalled": sum(bool({m.id for m in found.get(i, [])} & labels[i]) for i in expected),
    }


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "-"


def show(collection: str, catalogue: Catalogue, labels: dict[str, frozenset[str]]) -> None:
    for ident, text in documents(collection):
        found: list[Match] = match(text, catalogue)
        mark = ""
        if ident in labels:
            mark = " [judged: " + (", ".join(sorted(labels[ident])) or "none") + "]"
            if found and found[0].id not in labels[ident]:
                mark += " TOP WRONG"
        print(f"== {ident}{mark}")
        for m in found:
            print(f"   {m.strength:>2} {m.id}: {' | '.join(m.matched)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show", choices=COLLECTIONS, help="print each file's modes")
    args = parser.parse_args()
    if not available():
        print(f"no datasets at {SHARED}: nothing to measure")
        return
    catalogue = load_catalogue()
    labels = judged()
    if args.show:
        merged = {**labels["tuned"].get(args.show, {}), **labels["held_out"].get(args.show, {})}
        show(args.show, catalogue, merged)
        return
    print(f"{len(catalogue.modes)} modes in {len(catalogue.families)} families\n")
    totals: dict[str, collections.Counter[str]] = {s: collections.Counter() for s in labels}
    for name in COLLECTIONS:
        r = measure(name, catalogue)
        files, covered = r["files"], r["covered"]
        print(f"{name}: {files} files, {_pct(covered, files)} with a mode ({r['seconds']:.2f} s)")
        print("  most frequent: " + ", ".join(f"{m} {n}" for m, n in r["top"]))
        for section in labels:
            if name not in labels[section]:
                continue
            j = judge(r["found"], labels[section][name])
            totals[section].update({k: v for k, v in j.items() if isinstance(v, int)})
            totals[section]["wrong"] += len(j["top_wrong"])
            fired, wrong = j["fired"], len(j["top_wrong"])
            print(
                f"  {section} {j['judged']}: fired on {fired}; top mode right "
                f"{fired - wrong}/{fired} ({_pct(fired - wrong, fired)}); every mode fired "
                f"right {j['modes_right']}/{j['modes_fired']} "
                f"({_pct(j['modes_right'], j['modes_fired'])}); a judged mode found in "
                f"{j['recalled']}/{j['expected']}"
            )
            if wrong:
                print(f"    top mode wrong: {', '.join(j['top_wrong'])}")
    for section, t in totals.items():
        right = t["fired"] - t["wrong"]
        print(
            f"\n{section}, all collections: top mode right {right}/{t['fired']} "
            f"({_pct(right, t['fired'])}); every mode fired right {t['modes_right']}/"
            f"{t['modes_fired']} ({_pct(t['modes_right'], t['modes_fired'])}); a judged mode "
            f"found in {t['recalled']}/{t['expected']}"
        )


if __name__ == "__main__":
    main()
