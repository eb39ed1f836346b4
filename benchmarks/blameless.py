"""Blameless warnings on real post-mortems: how many fire per collection, and how many are wrong.

`python -m benchmarks.blameless` reads every post-mortem of every collection under
../shared/datasets as a user would commit it (the text below the required front-matter keys),
runs the blameless check and prints, per collection: files, warnings, and the share judged
wrong by hand (benchmarks/blameless_judged.yml: each warning read in its sentence and judged
right when the sentence does make a person the cause or asks people to try harder, wrong when
it does not). A warning not judged yet is counted apart, never as right.
`--show COLLECTION` prints each warning with its judgement and the line it is on.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path

import yaml

from benchmarks import datasets
from benchmarks.failure_modes import COLLECTIONS, documents
from learnloop.read import blameless, incident_from_bytes

JUDGED = Path(__file__).with_name("blameless_judged.yml")


@dataclass(frozen=True)
class Warning:
    collection: str
    document: str
    line: int  # in the original text
    entry: str
    words: str
    text: str  # the original line

    @property
    def key(self) -> str:
        return f"{self.document}:{self.line}:{self.entry}"


def _documents(collection: str) -> list[tuple[str, str]]:
    if collection == "danluu":
        # A summary's title is its first words cut short: read once, in the text.
        rows = (datasets.SHARED / "danluu-postmortems.jsonl").read_text(encoding="utf-8")
        return [(r["id"], r["text"]) for r in map(json.loads, rows.splitlines())]
    return documents(collection)


def warnings(collection: str) -> tuple[int, list[Warning]]:
    """(post-mortems read, warnings) of a collection."""
    words = blameless.vocabulary()
    assert words is not None
    docs = _documents(collection)
    out = []
    for name, text in docs:
        front = datasets.committed("BL-1", "x", "unknown", "", "2020-01-01")
        offset = front.count("\n")
        incident, _ = incident_from_bytes((front + text).encode(), "incidents/x.md", UTC)
        if incident is None:
            continue
        lines = text.split("\n")
        for problem in blameless.scan(incident, words):
            line = problem.line - offset
            entry = next(e.id for e in words.entries if problem.message.endswith(e.message))
            quoted = problem.message.split('"')[1]
            shown = lines[line - 1].strip() if 0 < line <= len(lines) else ""
            out.append(Warning(collection, str(name), line, entry, quoted, shown))
    return len(docs), out


def judged() -> dict[str, dict[str, str]]:
    """collection -> warning key -> 'right' | 'wrong'."""
    data = yaml.safe_load(JUDGED.read_text(encoding="utf-8")) or {}
    return {c: {str(k): str(v) for k, v in (d or {}).items()} for c, d in data.items()}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show", metavar="COLLECTION", help="list each warning of a collection")
    args = parser.parse_args(argv)
    if not datasets.available():
        print("../shared/datasets is not here: nothing to measure")
        return
    verdicts = judged()
    total = {"files": 0, "fired": 0, "right": 0, "wrong": 0, "unjudged": 0}
    heads = ("files", "warned", "right", "wrong", "unjudged", "wrong %")
    print(f"{'collection':<13} " + " ".join(f"{h:>8}" for h in heads))
    for collection in COLLECTIONS:
        files, found = warnings(collection)
        mine = verdicts.get(collection, {})
        right = sum(mine.get(w.key) == "right" for w in found)
        wrong = sum(mine.get(w.key) == "wrong" for w in found)
        unjudged = len(found) - right - wrong
        share = f"{wrong / (right + wrong):.0%}" if right + wrong else "—"
        cells = (files, len(found), right, wrong, unjudged, share)
        print(f"{collection:<13} " + " ".join(f"{c:>8}" for c in cells))
        for key, value in (("files", files), ("fired", len(found)), ("right", right),
                           ("wrong", wrong), ("unjudged", unjudged)):  # fmt: skip
            total[key] += value
        if args.show == collection:
            for w in found:
                verdict = mine.get(w.key, "unjudged")
                print(f'  {verdict:<8} {w.key}  "{w.words}"  | {w.text[:140]}')
    judged_n = total["right"] + total["wrong"]
    share = f"{total['wrong'] / judged_n:.0%}" if judged_n else "—"
    cells = (*(total[k] for k in ("files", "fired", "right", "wrong", "unjudged")), share)
    print(f"{'all':<13} " + " ".join(f"{c:>8}" for c in cells))


if __name__ == "__main__":
    main()
