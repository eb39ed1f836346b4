"""How well the reader finds the root cause and the mitigation in real post-mortems.

`python -m benchmarks.reader` reads every post-mortem whose lines were labelled by hand
(benchmarks/labels/parts/), as a user would commit it (the original text below the required
front-matter keys), and prints line-level precision and recall per collection and pooled:

    precision = labelled lines the reader put in the part / lines it put there
    recall    = labelled lines the reader put in the part / labelled lines

The collections are split in two: those the reader's vocabulary was developed against
(DEVELOPED) and those it never was (HELD_OUT); both are printed, and the pooled figures too.
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC

from benchmarks import datasets, labels
from learnloop.model import Incident
from learnloop.read import incident_from_bytes

DEVELOPED = ("dfds-postmortems", "chia-postmortems", "2i2c-incident-reports")
HELD_OUT = ("taskcluster-retrospectives", "posthog-postmortems")
FIELDS = ("root_cause", "mitigation")
# The labels' "mitigation" is any action that eased or ended the impact; the reader also
# keeps the fix of the cause apart, as resolution. Both are printed: the part alone, and the
# two together ("actions").
SCORED = {
    "root_cause": ("root_cause",),
    "mitigation": ("mitigation",),
    "actions": ("mitigation", "resolution"),
}
LABEL_OF = {"root_cause": "root_cause", "mitigation": "mitigation", "actions": "mitigation"}


@dataclass
class Score:
    hit: int = 0
    predicted: int = 0
    labelled: int = 0

    def add(self, predicted: set[int], labelled: frozenset[int]) -> None:
        self.hit += len(predicted & labelled)
        self.predicted += len(predicted)
        self.labelled += len(labelled)

    @property
    def precision(self) -> float:
        return self.hit / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.hit / self.labelled if self.labelled else 0.0


def committed(collection: str, name: str, text: str) -> tuple[str, int]:
    """The post-mortem as a user commits it, and how many lines the front matter adds."""
    front = datasets.committed(f"L-{abs(hash(name)) % 10**8}", name, "unknown", "", "2020-01-01")
    return front + text, front.count("\n")


def lines_of(incident: Incident, field: str, offset: int) -> set[int]:
    """The original file's lines the reader put in the parts a field is scored on."""
    out: set[int] = set()
    for part in SCORED[field]:
        for statement in incident.part(part):
            out.update(n - offset for n in range(statement.line, statement.end + 1))
    return {n for n in out if n > 0}


def score(collections: Iterable[str]) -> dict[str, dict[str, Score]]:
    """Scores per collection and field."""
    out: dict[str, dict[str, Score]] = defaultdict(lambda: {f: Score() for f in SCORED})
    for collection in collections:
        for label in labels.parts(collection):
            if label.root_cause_updates or label.mitigation_updates:
                continue  # Statuspage JSON: labelled by update, not by line
            path = labels.locate(collection, label.file)
            text, offset = committed(collection, label.file, path.read_text(errors="replace"))
            incident, problems = incident_from_bytes(text.encode(), "incidents/x.md", UTC)
            if incident is None:
                raise ValueError(f"{path}: {problems}")
            for field in SCORED:
                labelled = getattr(label, LABEL_OF[field])
                out[collection][field].add(lines_of(incident, field, offset), labelled)
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--misses", metavar="COLLECTION", help="list wrong and missed lines")
    args = parser.parse_args(argv)
    if not datasets.available():
        print("../shared/datasets is not here: nothing to measure")
        return
    found = score([*DEVELOPED, *HELD_OUT])
    print(f"{'collection':<30} {'field':<11} {'P':>6} {'R':>6} {'lines':>6}")
    for group, names in (("developed on", DEVELOPED), ("held out", HELD_OUT)):
        pooled = {f: Score() for f in SCORED}
        for name in names:
            for field in SCORED:
                s = found[name][field]
                print(f"{name:<30} {field:<11} {s.precision:6.2f} {s.recall:6.2f} {s.labelled:6d}")
                for attr in ("hit", "predicted", "labelled"):
                    setattr(pooled[field], attr, getattr(pooled[field], attr) + getattr(s, attr))
        for field in SCORED:
            s = pooled[field]
            print(f"{'pooled, ' + group:<30} {field:<11} {s.precision:6.2f} {s.recall:6.2f}")
    if args.misses:
        _misses(args.misses)


def _misses(collection: str) -> None:
    for label in labels.parts(collection):
        if label.root_cause_updates or label.mitigation_updates:
            continue
        path = labels.locate(collection, label.file)
        raw = path.read_text(errors="replace")
        text, offset = committed(collection, label.file, raw)
        incident, _ = incident_from_bytes(text.encode(), "incidents/x.md", UTC)
        assert incident is not None
        lines = raw.split("\n")
        for field in FIELDS:
            got = lines_of(incident, field, offset)
            want = getattr(label, field)
            for n in sorted(got - want):
                print(f"{label.file}:{n}: extra {field}: {lines[n - 1][:110]}")
            for n in sorted(want - got):
                print(f"{label.file}:{n}: missed {field}: {lines[n - 1][:110]}")


if __name__ == "__main__":
    main()
