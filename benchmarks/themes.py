"""Systemic themes on real post-mortems: coverage per collection and precision against judgement.

`python -m benchmarks.themes` loads every collection under ../shared/datasets as a team would
commit it (the required keys, then the authors' text), finds each one's themes with the
shipped vocabulary (read/data/themes.yml), and prints per collection: files, the share
with at least one theme, and each theme's count; the same for the bundled corpus
(incidents/). On the matches judged by hand (benchmarks/themes_judged.yml: for each judged
post-mortem, the themes its matched statements really show) it prints the precision of every
theme that fired: a match is right when the statement it fired on shows that weakness.
`--show COLLECTION` prints each file's themes with the statements they fired on.
"""

from __future__ import annotations

import argparse
import collections
import re
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from benchmarks import datasets
from benchmarks.failure_modes import documents
from learnloop.analyze import rootcause
from learnloop.model import Incident
from learnloop.read import load_corpus
from learnloop.read.themes import Lexicon, shipped

JUDGED = Path(__file__).with_name("themes_judged.yml")
REPO = Path(__file__).resolve().parent.parent
COLLECTIONS = ("dfds", "chia", "taskcluster", "posthog", "2i2c", "jenkins", "github", "danluu")
_FRONT = re.compile(r"\A---\n.*?\n---\n", re.S)


def _ident(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.")[:60] or "x"


def incidents(collection: str) -> list[Incident]:
    """A collection's post-mortems, each loaded as committed (its own front matter dropped)."""
    return list(_loaded(collection))


@cache
def _loaded(collection: str) -> tuple[Incident, ...]:
    # Read once per process: tests and the benchmark ask for the same collections often.
    if collection == "dfds":
        return tuple(datasets.dfds()[0])
    if collection == "danluu":
        return tuple(datasets.danluu()[0])
    out = []
    for name, text in documents(collection):
        ident = _ident(str(name))
        body = _FRONT.sub("", text)
        committed = datasets.committed(ident, ident, "unknown", body, "2020-01-01")
        out.append(datasets.loaded(f"{ident}.md", committed))
    return tuple(out)


def bundled() -> list[Incident]:
    """The bundled example corpus under incidents/."""
    return list(load_corpus(REPO).incidents)


def measure(found: Mapping[str, Mapping[str, list[str]]]) -> dict[str, Any]:
    """Coverage of incident id -> theme id -> statements: files, covered, count per theme."""
    per_theme = collections.Counter(t for themes in found.values() for t in themes)
    return {
        "files": len(found),
        "covered": sum(bool(themes) for themes in found.values()),
        "themes": dict(sorted(per_theme.items(), key=lambda kv: (-kv[1], kv[0]))),
    }


def themes_in(members: list[Incident], lexicon: Lexicon) -> dict[str, dict[str, list[str]]]:
    """incident id -> theme id -> the statements it fired on."""
    return {i.id: rootcause.themes_of(i, lexicon) for i in members}


def judged() -> dict[str, dict[str, dict[str, frozenset[str]]]]:
    """collection -> post-mortem -> {"right": themes, "wrong": themes}, as judged by hand."""
    data = yaml.safe_load(JUDGED.read_text(encoding="utf-8")) or {}
    return {
        collection: {
            str(doc): {k: frozenset(v or ()) for k, v in (verdict or {}).items()}
            for doc, verdict in docs.items()
        }
        for collection, docs in data.items()
    }


def precision(
    found: Mapping[str, Mapping[str, list[str]]], labels: Mapping[str, Mapping[str, frozenset[str]]]
) -> tuple[int, int, list[str]]:
    """(right, fired, unjudged) over the judged post-mortems: a theme fired on one is right
    when judged right; a firing nobody judged is listed, so the judgement stays complete."""
    right = fired = 0
    unjudged = []
    for doc, verdict in sorted(labels.items()):
        for theme in sorted(found.get(doc, {})):
            if theme in verdict.get("right", ()):
                right += 1
                fired += 1
            elif theme in verdict.get("wrong", ()):
                fired += 1
            else:
                unjudged.append(f"{doc}: {theme}")
    return right, fired, unjudged


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "-"


def show(found: Mapping[str, Mapping[str, list[str]]], lexicon: Lexicon) -> None:
    """Each file's themes, each with the words that fired and a little of what surrounds them."""
    by_id = {t.id: t for t in lexicon.themes}
    for ident, themes in sorted(found.items()):
        print(f"== {ident}")
        for theme, hits in sorted(themes.items()):
            for hit in hits:
                m = by_id[theme].pattern.search(hit)
                if m is None:  # a fact, not words: "Customers noticed first"
                    print(f"   {theme}: {hit}")
                    continue
                before, after = hit[max(0, m.start() - 70) : m.start()], hit[m.end() : m.end() + 70]
                print(f"   {theme}: …{before}«{m.group()}»{after}…")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--show", choices=(*COLLECTIONS, "bundled"), help="print each file's themes"
    )
    args = parser.parse_args()
    lexicon = shipped()
    if args.show:
        members = bundled() if args.show == "bundled" else incidents(args.show)
        show(themes_in(members, lexicon), lexicon)
        return
    print(f"{len(lexicon.themes)} themes\n")
    rows = [("bundled", bundled())]
    if datasets.available():
        rows += [(name, incidents(name)) for name in COLLECTIONS]
    else:
        print(f"no datasets at {datasets.SHARED}: the bundled corpus only\n")
    labels = judged()
    total = collections.Counter()
    for name, members in rows:
        found = themes_in(members, lexicon)
        r = measure(found)
        print(f"{name}: {r['files']} files, {_pct(r['covered'], r['files'])} with a theme")
        print("  " + ", ".join(f"{t} {n}" for t, n in r["themes"].items()))
        if name in labels:
            right, fired, unjudged = precision(found, labels[name])
            total.update(right=right, fired=fired, judged=len(labels[name]))
            print(f"  judged {len(labels[name])}: right {right}/{fired} ({_pct(right, fired)})")
            for item in unjudged:
                print(f"    not judged: {item}")
    print(
        f"\nall judged: {total['judged']} post-mortems, theme matches right "
        f"{total['right']}/{total['fired']} ({_pct(total['right'], total['fired'])})"
    )


if __name__ == "__main__":
    main()
