"""Quality of the reader and the pattern engine, measured against labelled data.

`python -m benchmarks.quality` prints, in one run:
1. Real post-mortems (../shared/datasets), each collection imported with `learnloop import`:
   the engine's patterns against the recurring failures labelled by hand
   (benchmarks/labels/groupings), beside plain TF-IDF whose threshold is tuned on those very
   labels (an oracle no user has). Pair precision and recall, ARI; all pairs pooled.
2. The reader: line-level precision and recall of the root cause and the mitigation against
   the lines labelled by hand (benchmarks/labels/parts), per collection.
3. `similar`: precision@5, Recall@5 and MRR of the engine and of plain TF-IDF on the labelled
   collections (a hit is an incident of the query's group), and on danluu's summaries against
   the categories a person filed them under (coarse root-cause classes, as researchers label
   vendor RCAs), beside what a random ranking scores there.
4. The simulator (benchmarks/simulator): the engine's settings were chosen on seed 11 written
   in three styles (`--tune` prints that sweep); scores are on seed 7 written in the four other
   styles, and `similar` queries new occurrences (seed 23) of seed 7's failures.
5. The simulator by style, as the independent check reads its two collections: vendor RCAs
   alone, and prose by many hands (narrative, non-native, tables). Per corpus: ARI of the
   patterns; `similar` precision@5 of the engine and of plain TF-IDF against the simulated
   failure (the vendor RCAs' researchers label causes, not occurrences); purity of the patterns
   against the failure beside grouping by first service, and the share of incidents in a
   pattern.

`--tune` prints the sweeps the engine's settings were chosen from, all on the simulator:
vector weights and the cut, the cut across corpus sizes, and how much `similar` leans on a
draft's place when its failure mode could not be read (hand-written stand-ins over fifteen
seeds against vendor RCAs over five).

One setting of the engine was chosen on the real labels, where the simulator could not tell
its choices apart: how much the combined view weighs why it failed and the failure modes
(analyze/documents.py FIELD_WEIGHTS), on DFDS, Chia and GitHub's groupings; Taskcluster's
grouping was held out of that choice. Everything else is fitted on the simulator or nowhere.
"""

from __future__ import annotations

import argparse
import itertools
import logging
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import adjusted_rand_score

from benchmarks import datasets, groupings, labels, reader
from benchmarks.runbooks import purity
from benchmarks.simulator import SimulatedCorpus, simulate
from benchmarks.simulator.catalog import load as load_catalog
from learnloop.analyze import clusters, similar
from learnloop.analyze.engine import build_index, find_patterns
from learnloop.analyze.patterns import Patterns
from learnloop.analyze.similar import Query, search
from learnloop.analyze.vectors import IncidentVectorizer, document
from learnloop.model import Incident
from learnloop.read import incident_from_bytes
from learnloop.state import State

TUNING_SEED, SCORING_SEED, QUERY_SEED = 11, 7, 23
TUNING_STYLES = ("template", "labels", "terse")
HELD_OUT_STYLES = ("narrative", "vendor-rca", "non-native", "tables")


def simulated(
    seed: int,
    styles: Sequence[str] | None = None,
    count: int = 170,
    pattern_seed: int | None = None,
) -> tuple[list[Incident], dict[str, str | None]]:
    """A simulated corpus, loaded and read as learnloop reads any repo, and its truth."""
    corpus = simulate(seed, count, styles, pattern_seed=pattern_seed)
    return read(corpus), corpus.truth()["incidents"]


def read(corpus: SimulatedCorpus) -> list[Incident]:
    """A simulated corpus's files, read as learnloop reads any repo."""
    incidents = []
    for f in corpus.files:
        incident, _ = incident_from_bytes(f.text.encode(), f"incidents/{f.path}")
        assert incident is not None, f.path
        incidents.append(incident)
    return incidents


def cluster_scores(
    incidents: list[Incident], truth: dict[str, str | None], found: Patterns | None = None
) -> dict[str, float]:
    """The engine's patterns (`found`, else found here) against the true grouping."""
    found = found or find_patterns(incidents, State())
    ids = sorted(i.id for i in incidents)
    s = groupings.score(found.of(), {i: truth.get(i) for i in ids})
    return {
        "patterns": len(found.patterns),
        "true patterns": len({v for v in truth.values() if v}),
        "ARI": s.ari,
        "pair precision": s.precision,
        "pair recall": s.recall,
    }


def retrieval(
    base: list[Incident], base_truth: dict, queries: list[Incident], query_truth: dict
) -> dict[str, float]:
    """Recall@1, Recall@5 and MRR of `similar` for queries whose failure the base holds."""
    index = build_index(base)
    by_id = {i.id: i for i in base}
    ranks = []
    for q in queries:
        want = query_truth.get(q.id)
        if not want or want not in set(base_truth.values()):
            continue
        hits = search(index, Query(document(q), f"{q.title} {q.body}", None), by_id, {}, top=20)
        ranks.append(next((n for n, h in enumerate(hits, 1) if base_truth.get(h.id) == want), 0))
    n = len(ranks) or 1
    return {
        "queries": len(ranks),
        "Recall@1": sum(r == 1 for r in ranks) / n,
        "Recall@5": sum(0 < r <= 5 for r in ranks) / n,
        "MRR": sum(1 / r for r in ranks if r) / n,
    }


def precision_at_5(
    incidents: dict[str, Incident], truth: dict[str, str | None]
) -> tuple[float, float]:
    """Share of the top five that is the query's group: the engine's `similar`, plain TF-IDF.
    Queries are the grouped incidents; each is left out of its own answers."""
    found = left_out(incidents, truth)
    return found["learnloop"]["P@5"], found["tf-idf"]["P@5"]


def left_out(
    incidents: dict[str, Incident], truth: dict[str, str | None]
) -> dict[str, dict[str, float]]:
    """`similar` and plain TF-IDF asked for each grouped incident, left out of its own
    answers: precision@5 (the share of the top five in its group), Recall@5 (one of its
    group in the top five) and MRR (of the first of its group in the top twenty)."""
    names = sorted(incidents)
    by_id = {incidents[n].id: incidents[n] for n in names}
    name_of = {incidents[n].id: n for n in names}
    index = build_index(list(by_id.values()))
    texts = [f"{incidents[n].title}\n{incidents[n].body}" for n in names]
    matrix = TfidfVectorizer(sublinear_tf=True, stop_words="english").fit_transform(texts)
    plain = (matrix @ matrix.T).toarray()
    np.fill_diagonal(plain, -1)
    ranked: dict[str, list[list[bool]]] = {"learnloop": [], "tf-idf": []}
    for row, name in enumerate(names):
        group = truth.get(name)
        if group is None:
            continue
        q = incidents[name]
        hits = search(index, Query(document(q), f"{q.title} {q.body}", q), by_id, {}, top=20)
        ranked["learnloop"].append([truth.get(name_of[h.id]) == group for h in hits])
        top = np.argsort(-plain[row], kind="stable")[:20]
        ranked["tf-idf"].append([truth.get(names[j]) == group for j in top])
    out = {}
    for who, answers in ranked.items():
        first = [next((n for n, same in enumerate(a, 1) if same), 0) for a in answers]
        out[who] = {
            "P@5": float(np.mean([np.mean(a[:5]) if a else 0.0 for a in answers])),
            "Recall@5": float(np.mean([0 < f <= 5 for f in first])),
            "MRR": float(np.mean([1 / f if f else 0.0 for f in first])),
        }
    return out


def real() -> None:
    print("1. Real post-mortems: patterns against hand-labelled recurring failures")
    print(f"   {'collection':<28} {'n':>4} {'who':<16} {'P':>5} {'R':>5} {'ARI':>6}")
    pooled: dict[str, list[groupings.Scores]] = {"learnloop": [], "tf-idf (oracle)": []}
    # Every collection's incidents as one corpus of labels, each collection's groups its own:
    # the ARI of all the pairs pooled (no pair across collections is ever the same failure).
    pooled_labels: dict[str, dict[str, str | None]] = {"truth": {}, "learnloop": {}}
    pooled_labels["tf-idf (oracle)"] = {}
    p_at_5 = []
    for collection in groupings.COLLECTIONS:
        truth = labels.groupings(collection).group_of()
        with tempfile.TemporaryDirectory() as folder:
            incidents = groupings.imported(collection, Path(folder))
            ours = groupings.engine(Path(folder), incidents)
        threshold, oracle = groupings.tfidf_oracle(incidents, truth)
        for name, group in truth.items():
            pooled_labels["truth"][f"{collection}/{name}"] = (
                f"{collection}/{group}" if group else None
            )
        for who, predicted in (("learnloop", ours), ("tf-idf (oracle)", oracle)):
            for name, cluster in predicted.items():
                pooled_labels[who][f"{collection}/{name}"] = (
                    f"{collection}/{cluster}" if cluster is not None else None
                )
            s = groupings.score(predicted, truth)
            pooled[who].append(s)
            note = f"  threshold {threshold}" if who != "learnloop" else ""
            print(
                f"   {collection:<28} {len(truth):>4} {who:<16} {s.precision:5.2f} "
                f"{s.recall:5.2f} {s.ari:6.3f}{note}"
            )
        p_at_5.append((collection, left_out(incidents, truth)))
    for who, all_scores in pooled.items():
        total = groupings.Scores(
            sum(s.tp for s in all_scores),
            sum(s.fp for s in all_scores),
            sum(s.fn for s in all_scores),
            0.0,
        )
        f1 = 2 * total.precision * total.recall / ((total.precision + total.recall) or 1)
        ari = groupings.score(pooled_labels[who], pooled_labels["truth"]).ari
        print(
            f"   {'all pairs pooled':<28} {'':>4} {who:<16} {total.precision:5.2f} "
            f"{total.recall:5.2f} {ari:6.3f}  pair F1 {f1:.3f}"
        )
    print("2. The reader: lines of root cause and mitigation, against lines labelled by hand")
    found = reader.score([*reader.DEVELOPED, *reader.HELD_OUT])
    for collection, fields in found.items():
        shown = "  ".join(
            f"{field} P {s.precision:.2f} R {s.recall:.2f}" for field, s in fields.items()
        )
        part = "developed on" if collection in reader.DEVELOPED else "held out"
        print(f"   {collection:<28} ({part:<12}) {shown}")
    print("3. similar on the grouped incidents, each left out of its own answers")
    print(f"   {'collection':<28} {'who':<10} {'P@5':>6} {'R@5':>6} {'MRR':>6}")
    for collection, found in p_at_5:
        for who, got in found.items():
            print(
                f"   {collection:<28} {who:<10} {got['P@5']:6.3f} {got['Recall@5']:6.3f}"
                f" {got['MRR']:6.3f}"
            )
    # Coarse root-cause categories a person filed summaries from many companies under, as
    # researchers label vendor RCAs: a hit is a neighbour of the same category. Skewed (most
    # are configuration errors), so the share a random ranking scores is printed beside.
    incidents, categories = datasets.danluu(include_uncategorized=False)
    category_of = {i.id: c for i, c in zip(incidents, categories, strict=True)}
    sizes = {c: categories.count(c) for c in set(categories)}
    chance = float(np.mean([(sizes[c] - 1) / (len(categories) - 1) for c in categories]))
    for who, got in left_out({i.id: i for i in incidents}, category_of).items():
        print(
            f"   {'danluu (categories)':<28} {who:<10} {got['P@5']:6.3f} {got['Recall@5']:6.3f}"
            f" {got['MRR']:6.3f}"
        )
    print(f"   {'':<28} {'chance':<10} {chance:6.3f}   ({len(categories)} categorised)")


def simulator() -> None:
    styles = ", ".join(HELD_OUT_STYLES)
    print(f"4. Simulator: seed {SCORING_SEED} in the styles {styles} (not tuned on)")
    incidents, truth = simulated(SCORING_SEED, HELD_OUT_STYLES)
    for key, value in cluster_scores(incidents, truth).items():
        print(f"   {key}: {value:.3f}" if isinstance(value, float) else f"   {key}: {value}")
    base, base_truth = simulated(SCORING_SEED)
    queries, query_truth = simulated(QUERY_SEED, HELD_OUT_STYLES, 120, SCORING_SEED)
    print(f"   similar: seed {QUERY_SEED}'s incidents queried against seed {SCORING_SEED}'s")
    for key, value in retrieval(base, base_truth, queries, query_truth).items():
        print(f"   {key}: {value:.3f}" if isinstance(value, float) else f"   {key}: {value}")


BY_STYLE = {"vendor-rca": ("vendor-rca",), "prose": ("narrative", "non-native", "tables")}


def by_style() -> None:
    print(f"5. Simulator by style: seed {SCORING_SEED}, 170 incidents each")
    print(
        f"   {'style':<12} {'ARI':>6} {'P@5':>6} {'tf-idf':>7} {'purity':>7} {'service':>8} "
        f"{'in':>5}"
    )
    for name, styles in BY_STYLE.items():
        corpus = simulate(SCORING_SEED, 170, styles)
        incidents = read(corpus)
        failure = {f.id: f.failure for f in corpus.files}
        patterns = find_patterns(incidents, State())
        scores = cluster_scores(incidents, corpus.truth()["incidents"], patterns)
        ours_p, plain_p = precision_at_5({i.id: i for i in incidents}, failure)
        found = patterns.of()
        in_pattern = [i for i, c in found.items() if c is not None]
        ours_purity, _ = purity(found, failure)
        services = {i.id: (i.services[0] if i.services else None) for i in incidents}
        service_purity, _ = purity(services, failure)
        print(
            f"   {name:<12} {scores['ARI']:6.3f} {ours_p:6.3f} {plain_p:7.3f} "
            f"{ours_purity:7.3f} {service_purity:8.3f} {len(in_pattern) / len(incidents):5.0%}"
        )


def _by_position(
    incidents: list[Incident], truth: dict[str, str | None], vectors: np.ndarray
) -> str:
    """The ARI at each of POSITIONS, as one line."""
    return "  ".join(
        f"{position}: {_ari_at(incidents, truth, vectors, position):.3f}" for position in POSITIONS
    )


def _ari_at(
    incidents: list[Incident],
    truth: dict[str, str | None],
    vectors: np.ndarray,
    position: float,
) -> float:
    """ARI of the narrowed clustering cut at `position` (incidents sorted by id)."""
    found = clusters.narrow(
        clusters.cluster(vectors, clusters.adaptive_cut(vectors, position)),
        [i.services for i in incidents],
        vectors,
    )
    sizes = np.bincount(found)
    predicted = [
        str(label) if sizes[label] > 1 else f"one-off:{i.id}"
        for i, label in zip(incidents, found, strict=True)
    ]
    return adjusted_rand_score([truth[i.id] or f"one-off:{i.id}" for i in incidents], predicted)


# Corpora the cut position is checked on across sizes: (seed, incidents), every style.
SIZE_SWEEP = ((3, 40), (5, 80), (13, 170), (17, 400), (19, 1000))
POSITIONS = (0.2, 0.25, 0.3, 0.35, 0.4, 0.5)


def tune() -> None:
    """The sweeps the engine's settings were chosen from, all on the simulator: the weights
    and cut on seed 11 in three styles, then the cut on corpora of 40 to 1,000 incidents."""
    incidents, truth = simulated(TUNING_SEED, TUNING_STYLES)
    incidents = sorted(incidents, key=lambda i: i.id)
    docs = [document(i) for i in incidents]
    for chars, facts in itertools.product((0.0, 0.3, 0.6), (0.0, 0.1, 0.3, 0.5)):
        vectors = IncidentVectorizer(char_weight=chars, fact_weight=facts).fit_transform(docs)
        scores = _by_position(incidents, truth, vectors)
        print(f"seed {TUNING_SEED}, chars {chars} facts {facts}; ARI by cut position  {scores}")
    for seed, count in SIZE_SWEEP:
        incidents, truth = simulated(seed, count=count)
        incidents = sorted(incidents, key=lambda i: i.id)
        vectors = IncidentVectorizer().fit_transform([document(i) for i in incidents])
        scores = _by_position(incidents, truth, vectors)
        print(f"seed {seed}, {count} incidents; ARI by cut position  {scores}")


# Hand-written stand-ins (a company's prose, failures recurring at their own service) and
# vendor RCAs (failures crossing services): the two kinds of corpus `similar`'s place weights
# must both serve. Seeds none of the weights was first chosen on are among them.
HAND_SEEDS = (3, 5, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79)
VENDOR_SEEDS = (3, 5, 7, 11, 13)
PLACE_BLINDS = (0.0, 0.25, 0.5, 0.75, 1.0)
HAND_MRR = 0.85  # the independent check's line for `similar` on hand-written post-mortems


def place_sweep() -> None:
    """`similar` by how much a draft with no failure mode read leans on its place: MRR and
    Recall@5 on the hand-written stand-ins, precision@5 against plain TF-IDF on vendor RCAs
    by failure and by family (what researchers' root-cause categories are closest to)."""
    hand = []
    for seed in HAND_SEEDS:
        base, truth = simulated(seed, BY_STYLE["prose"], 48)
        hand.append((base, truth, *simulated(seed + 1000, BY_STYLE["prose"], 25, seed)))
    catalog = load_catalog()
    vendor = []
    for seed in VENDOR_SEEDS:
        corpus = simulate(seed, 170, BY_STYLE["vendor-rca"])
        failure = {f.id: f.failure for f in corpus.files}
        family = {k: catalog.failure(v).family if v else None for k, v in failure.items()}
        vendor.append(({i.id: i for i in read(corpus)}, failure, family))
    kept = similar.PLACE_BLIND
    try:
        for blind in PLACE_BLINDS:
            similar.PLACE_BLIND = blind
            found = [retrieval(*case) for case in hand]
            mrr = [f["MRR"] for f in found]
            low = sum(m < HAND_MRR for m in mrr)
            # The same failure at another service is another pattern by the truth above; by
            # failure alone it is a right answer (what a set of distinct failures asks).
            alone = [
                retrieval(base, _failure_alone(truth), queries, _failure_alone(asked))["MRR"]
                for base, truth, queries, asked in hand
            ]
            print(
                f"place blind {blind}: hand-written MRR mean {np.mean(mrr):.3f} min {min(mrr):.3f}"
                f" ({low} of {len(mrr)} below {HAND_MRR}), Recall@5 min "
                f"{min(f['Recall@5'] for f in found):.3f}; by failure alone MRR mean "
                f"{np.mean(alone):.3f} min {min(alone):.3f}"
            )
            for by, failure, family in vendor:
                (a, plain_a), (b, plain_b) = precision_at_5(by, failure), precision_at_5(by, family)
                print(
                    f"   vendor P@5 by failure {a:.3f} (tf-idf {plain_a:.3f}), "
                    f"by family {b:.3f} (tf-idf {plain_b:.3f})"
                )
    finally:
        similar.PLACE_BLIND = kept


def _failure_alone(truth: Mapping[str, str | None]) -> dict[str, str | None]:
    """A simulated truth ("disk-full@orders-db" for each incident) as its failure alone."""
    return {k: v.split("@")[0] if v else v for k, v in truth.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tune", action="store_true", help="the settings sweep (simulator)")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    if args.tune:
        tune()
        place_sweep()
        return
    if datasets.available():
        real()
    else:
        print("Real post-mortems: ../shared/datasets is not here; skipped.")
    simulator()
    by_style()


if __name__ == "__main__":
    main()
