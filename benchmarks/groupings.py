"""Recurring failures found in real post-mortems, scored against groupings labelled by hand.

`python -m benchmarks.groupings` imports each labelled collection with `learnloop import`, as
a team adopting learnloop would, runs the pattern engine on the result (it never sees the
labels; only the weights of its combined view were chosen on three of these collections,
Taskcluster's held out: see analyze/documents.py), and scores its patterns against the hand-made
reference grouping (benchmarks/labels/groupings/). Beside it, in the same run, plain TF-IDF
over each post-mortem's whole text, average linkage, with its distance threshold tuned on
these very labels: an oracle no user has.

Printed per collection and for all pairs pooled: pair precision and recall (two incidents of
one reference group that land in one pattern), and the adjusted Rand index (one-offs count as
groups of one).
"""

from __future__ import annotations

import argparse
import logging
import tempfile
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

import numpy as np
from sklearn.cluster import AgglomerativeClustering
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import adjusted_rand_score

from benchmarks import datasets, labels
from learnloop.analyze.analysis import analyze_repo
from learnloop.importers.run import run as run_import
from learnloop.model import Incident
from learnloop.settings import Settings

COLLECTIONS = (
    "dfds-postmortems",
    "chia-postmortems",
    "taskcluster-retrospectives",
    "github-status-history",
)
THRESHOLDS = tuple(round(0.05 * n, 2) for n in range(2, 20))


@dataclass
class Scores:
    tp: int
    fp: int
    fn: int
    ari: float

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0


def score(predicted: Mapping[str, object], truth: Mapping[str, str | None]) -> Scores:
    """Pair counts and ARI of a clustering (item -> cluster) against a reference grouping."""
    items = sorted(truth)
    same_truth = {
        (a, b) for a, b in combinations(items, 2) if truth[a] is not None and truth[a] == truth[b]
    }
    same_pred = {
        (a, b)
        for a, b in combinations(items, 2)
        if predicted.get(a) is not None and predicted.get(a) == predicted.get(b)
    }
    tp = len(same_truth & same_pred)
    truth_labels = [truth[i] if truth[i] is not None else f"one-off:{i}" for i in items]
    pred_labels = [
        str(predicted[i]) if predicted.get(i) is not None else f"one-off:{i}" for i in items
    ]
    ari = adjusted_rand_score(truth_labels, pred_labels)
    return Scores(tp, len(same_pred - same_truth), len(same_truth - same_pred), float(ari))


def imported(collection: str, root: Path) -> dict[str, Incident]:
    """The collection's labelled population, imported into root; incident by label name."""
    grouping = labels.groupings(collection)
    paths = [labels.locate(collection, name) for name in grouping.population]
    report = run_import(root, paths, "auto", Settings())
    by_source = {Path(p.source).name: p.ident for p in [*report.imported, *report.unchanged]}
    analysis = analyze_repo(root)
    incidents = analysis.corpus.by_id()
    out = {}
    for name in grouping.population:
        ident = by_source.get(Path(name).name)
        if ident is None or ident not in incidents:
            raise ValueError(f"{collection}: {name} was not imported")
        out[name] = incidents[ident]
    return out


def engine(root: Path, incidents: Mapping[str, Incident]) -> dict[str, object]:
    """Each labelled incident's pattern as `learnloop patterns` finds it (None: a one-off)."""
    of = analyze_repo(root).patterns.of()
    return {name: of.get(incident.id) for name, incident in incidents.items()}


def tfidf_oracle(
    incidents: Mapping[str, Incident], truth: Mapping[str, str | None]
) -> tuple[float, dict[str, object]]:
    """Plain TF-IDF on title and body, average linkage, threshold tuned on the labels."""
    names = sorted(incidents)
    texts = [f"{incidents[n].title}\n{incidents[n].body}" for n in names]
    matrix = TfidfVectorizer(sublinear_tf=True, stop_words="english").fit_transform(texts)
    distances = np.clip(1.0 - (matrix @ matrix.T).toarray(), 0.0, 2.0)
    best: tuple[float, float, dict[str, object]] | None = None
    for threshold in THRESHOLDS:
        model = AgglomerativeClustering(
            n_clusters=None,
            metric="precomputed",
            linkage="average",
            distance_threshold=threshold,
        )
        found = model.fit_predict(distances)
        sizes = np.bincount(found)
        predicted = {
            n: (int(c) if sizes[c] > 1 else None) for n, c in zip(names, found, strict=True)
        }
        ari = score(predicted, truth).ari
        if best is None or ari > best[0]:
            best = (ari, threshold, predicted)
    assert best is not None
    return best[1], best[2]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("collections", nargs="*", default=COLLECTIONS)
    parser.add_argument("--show", action="store_true", help="print each pattern's members")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.collections) - set(labels.GROUPED_COLLECTIONS))
    if unknown:
        parser.error(
            f"no reference grouping for {', '.join(unknown)}; "
            f"labelled: {', '.join(sorted(labels.GROUPED_COLLECTIONS))}"
        )
    if not datasets.available():
        print("../shared/datasets is not here: nothing to measure")
        return
    logging.disable(logging.WARNING)
    print(f"{'collection':<28} {'n':>4} {'who':<16} {'P':>5} {'R':>5} {'ARI':>6}")
    pooled: dict[str, list[Scores]] = {"learnloop": [], "tf-idf (oracle)": []}
    for collection in args.collections:
        truth = labels.groupings(collection).group_of()
        with tempfile.TemporaryDirectory() as folder:
            root = Path(folder)
            started = time.perf_counter()
            incidents = imported(collection, root)
            ours = engine(root, incidents)
            seconds = time.perf_counter() - started
        threshold, oracle = tfidf_oracle(incidents, truth)
        for who, predicted in (("learnloop", ours), ("tf-idf (oracle)", oracle)):
            s = score(predicted, truth)
            pooled[who].append(s)
            extra = f"  threshold {threshold}" if who != "learnloop" else f"  {seconds:.1f} s"
            print(
                f"{collection:<28} {len(truth):>4} {who:<16} {s.precision:5.2f} {s.recall:5.2f}"
                f" {s.ari:6.3f}{extra}"
            )
        if args.show:
            _show(ours, truth)
    for who, all_scores in pooled.items():
        tp = sum(s.tp for s in all_scores)
        fp = sum(s.fp for s in all_scores)
        fn = sum(s.fn for s in all_scores)
        total = Scores(tp, fp, fn, 0.0)
        print(
            f"{'all pairs pooled':<28} {'':>4} {who:<16} {total.precision:5.2f} {total.recall:5.2f}"
        )


def _show(predicted: Mapping[str, object], truth: Mapping[str, str | None]) -> None:
    groups: dict[object, list[str]] = {}
    for name, cluster in predicted.items():
        if cluster is not None:
            groups.setdefault(cluster, []).append(name)
    for cluster, members in sorted(groups.items(), key=lambda kv: str(kv[0])):
        print(f"  {cluster}: " + "; ".join(f"{m[:40]} [{truth.get(m)}]" for m in sorted(members)))


def _names(values: Iterable[str]) -> list[str]:
    return sorted(values)


if __name__ == "__main__":
    main()
