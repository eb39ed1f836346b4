"""Quality of the pattern engine, measured against labelled data; prints every figure.

Simulator (benchmarks.simulator): `--tune` sweeps the threshold on seed 11 written in the
learnloop template style; scores are on seed 7 written in every style, and on a corpus (seed
23, the same recurring failures as seed 7 happening again) written only in styles far from
the template, clustered on its own and queried against seed 7.
Real data: post-mortems by other companies under ../shared/datasets, labelled by people; the
engine never sees the labels and is not tuned on them.
"""

from __future__ import annotations

import argparse
import itertools
from collections.abc import Sequence

import numpy as np
from sklearn.cluster import KMeans
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

from benchmarks import datasets
from benchmarks.simulator import simulate
from learnloop.analyze import patterns as pat
from learnloop.analyze import semantic
from learnloop.analyze.engine import build_index, find_patterns
from learnloop.analyze.similar import Query, search
from learnloop.analyze.vectors import document
from learnloop.errors import UsageError
from learnloop.load import load_bytes
from learnloop.model import Incident
from learnloop.state import State

TUNING_SEED, SCORING_SEED, ALT_SEED = 11, 7, 23
TUNING_STYLES = ("template",)
HELD_OUT_STYLES = ("narrative", "vendor-rca", "non-native", "tables")


def simulated(
    seed: int,
    styles: Sequence[str] | None = None,
    count: int = 170,
    pattern_seed: int | None = None,
) -> tuple[list[Incident], dict]:
    corpus = simulate(seed, count, styles, pattern_seed=pattern_seed)
    incidents = []
    for f in corpus.files:
        incident, _ = load_bytes(f.text.encode(), f"incidents/{f.path}")
        assert incident is not None, f.path
        incidents.append(incident)
    return incidents, corpus.truth()["incidents"]


def singletons(ids: Sequence[str], label_of: dict[str, str | None]) -> list[str]:
    """Labels where an unlabelled (one-off) incident is a cluster of its own."""
    return [label_of.get(i) or f"single:{i}" for i in ids]


def pairwise(truth: Sequence[str], pred: Sequence[str]) -> tuple[float, float]:
    same_t = same_p = both = 0
    for a, b in itertools.combinations(range(len(truth)), 2):
        t, p = truth[a] == truth[b], pred[a] == pred[b]
        same_t += t
        same_p += p
        both += t and p
    return (both / same_p if same_p else 1.0), (both / same_t if same_t else 1.0)


def cluster_scores(incidents: list[Incident], truth: dict, threshold: float | None = None):
    found = find_patterns(incidents, State(), threshold)
    ids = sorted(i.id for i in incidents)
    t = singletons(ids, truth)
    p = singletons(ids, found.of())
    precision, recall = pairwise(t, p)
    return {
        "patterns": len(found.patterns),
        "true_patterns": len({v for v in truth.values() if v}),
        "NMI": normalized_mutual_info_score(t, p),
        "ARI": adjusted_rand_score(t, p),
        "pair_precision": precision,
        "pair_recall": recall,
    }


def semantic_model() -> semantic.Model | None:
    """The optional sentence-embedding model, when its extra is installed."""
    try:
        return semantic.load_model()
    except UsageError:
        return None


def embedded(model: semantic.Model, incidents: Sequence[Incident]) -> np.ndarray:
    return np.vstack([semantic.embed(model, semantic.incident_text(i)) for i in incidents])


def retrieval(
    base: list[Incident],
    base_truth: dict,
    queries: list[Incident],
    qtruth: dict,
    model: semantic.Model | None = None,
):
    index = build_index(base)
    by_id = {i.id: i for i in base}
    matrix = embedded(model, [by_id[i] for i in index.ids]) if model else None
    ranks = []
    for q in queries:
        want = qtruth.get(q.id)
        if not want:
            continue
        query = Query(document(q), " ".join((q.title, q.body)), None)
        extra = matrix @ embedded(model, [q])[0] if model and matrix is not None else None
        hits = search(index, query, by_id, {}, top=20, semantic=extra)
        rank = next((n for n, h in enumerate(hits, 1) if base_truth.get(h.id) == want), None)
        ranks.append(rank)
    n = len(ranks)
    return {
        "queries": n,
        "Recall@1": sum(1 for r in ranks if r == 1) / n,
        "Recall@5": sum(1 for r in ranks if r and r <= 5) / n,
        "MRR": sum(1 / r for r in ranks if r) / n,
    }


def real(
    name: str,
    incidents: list[Incident],
    labels: list[str],
    model: semantic.Model | None,
    reference: Sequence[Sequence[str]] = (),
) -> None:
    label_of = {i.id: lab for i, lab in zip(incidents, labels, strict=True)}
    ids = sorted(label_of)
    truth = [label_of[i] for i in ids]
    found = find_patterns(incidents, State())
    ours = singletons(ids, found.of())
    texts = {i.id: " ".join([i.title, *(s for _, s in i.sections)]) for i in incidents}
    matrix = TfidfVectorizer(stop_words="english").fit_transform([texts[i] for i in ids])
    k = len(set(truth))
    km = KMeans(n_clusters=k, random_state=0, n_init=10).fit_predict(matrix)
    print(f"  {name}: {len(ids)} post-mortems, {k} human categories")
    print(
        f"    engine (k found): {len(found.patterns)} patterns, "
        f"{len(found.unclustered)} unclustered; ARI {adjusted_rand_score(truth, ours):.3f} "
        f"NMI {normalized_mutual_info_score(truth, ours):.3f}"
    )
    print(
        f"    baseline TF-IDF + k-means (told k={k}): ARI {adjusted_rand_score(truth, km):.3f} "
        f"NMI {normalized_mutual_info_score(truth, km):.3f}"
    )
    # One k-means seed is one draw: the spread over twenty says how much that draw weighs.
    draws = [
        KMeans(n_clusters=k, random_state=seed, n_init=10).fit_predict(matrix) for seed in range(20)
    ]
    aris = [adjusted_rand_score(truth, d) for d in draws]
    nmis = [normalized_mutual_info_score(truth, d) for d in draws]
    print(
        f"    baseline over seeds 0-19: ARI mean {np.mean(aris):.3f} "
        f"(min {min(aris):.3f}, max {max(aris):.3f}); NMI mean {np.mean(nmis):.3f}"
    )
    if reference:
        # What a perfect recurrence engine would score: every failure that happened twice
        # grouped (judged by reading the titles), every other incident left on its own.
        group = {m: f"ref{n}" for n, members in enumerate(reference) for m in members}
        ideal = [group.get(i, f"single:{i}") for i in ids]
        print(
            f"    reference grouping of repeated failures ({len(reference)} groups): "
            f"ARI {adjusted_rand_score(truth, ideal):.3f} "
            f"NMI {normalized_mutual_info_score(truth, ideal):.3f}"
        )
        precision, recall = pairwise(ideal, ours)
        print(
            f"    engine against that grouping: ARI {adjusted_rand_score(ideal, ours):.3f}, "
            f"pair precision {precision:.3f}, pair recall {recall:.3f}"
        )
    # similar: share of the top five (leave-one-out) with the query's human category
    index = build_index(incidents)
    by_id = {i.id: i for i in incidents}
    plain = (matrix @ matrix.T).toarray()
    np.fill_diagonal(plain, -1)
    assert index.ids == ids  # both sorted: a row of one is the same incident's row in the other
    vectors = embedded(model, [by_id[i] for i in ids]) if model else None
    ours_p, plain_p, semantic_p = [], [], []
    for row, ident in enumerate(ids):
        q = by_id[ident]
        query = Query(document(q), texts[ident], q)
        hits = search(index, query, by_id, {}, top=5)
        ours_p.append(np.mean([label_of[h.id] == label_of[ident] for h in hits]))
        top = np.argsort(-plain[row], kind="stable")[:5]
        plain_p.append(np.mean([truth[j] == label_of[ident] for j in top]))
        if vectors is not None:
            extra = vectors @ vectors[row]
            hits = search(index, query, by_id, {}, top=5, semantic=extra)
            semantic_p.append(np.mean([label_of[h.id] == label_of[ident] for h in hits]))
    print(
        f"    similar precision@5: engine {np.mean(ours_p):.3f}, "
        f"plain TF-IDF cosine {np.mean(plain_p):.3f}"
        + (f", engine + semantic extra {np.mean(semantic_p):.3f}" if semantic_p else "")
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tune", action="store_true", help="sweep thresholds on the tuning seed")
    args = parser.parse_args()
    if args.tune:
        incidents, truth = simulated(TUNING_SEED, TUNING_STYLES)
        for threshold in np.arange(0.40, 0.86, 0.04):
            s = cluster_scores(incidents, truth, float(threshold))
            print(
                f"threshold {threshold:.2f}: "
                + "  ".join(
                    f"{k} {v:.3f}" if isinstance(v, float) else f"{k} {v}" for k, v in s.items()
                )
            )
        return
    print(
        f"Simulator, seed {SCORING_SEED}, every style (threshold {pat.DEFAULT_THRESHOLD}; "
        f"--tune sweeps seed {TUNING_SEED} in the {', '.join(TUNING_STYLES)} style):"
    )
    incidents, truth = simulated(SCORING_SEED)
    for key, value in cluster_scores(incidents, truth).items():
        print(f"  {key}: {value:.3f}" if isinstance(value, float) else f"  {key}: {value}")
    # New occurrences of seed 7's recurring failures, told anew in the held-out styles.
    alt, alt_truth = simulated(ALT_SEED, HELD_OUT_STYLES, 120, pattern_seed=SCORING_SEED)
    held_out = ", ".join(HELD_OUT_STYLES)
    print(f"Simulator, clustering a corpus in the styles {held_out} (seed {ALT_SEED}):")
    for key, value in cluster_scores(alt, alt_truth).items():
        print(f"  {key}: {value:.3f}" if isinstance(value, float) else f"  {key}: {value}")
    print(f"similar: those incidents (seed {ALT_SEED}) queried against seed {SCORING_SEED}:")
    for key, value in retrieval(incidents, truth, alt, alt_truth).items():
        print(f"  {key}: {value:.3f}" if isinstance(value, float) else f"  {key}: {value}")
    model = semantic_model()
    if model is None:
        print(f"Semantic extra not installed ({semantic.INSTALL}): its figures are skipped.")
    else:
        print("similar with the semantic extra, same queries:")
        for key, value in retrieval(incidents, truth, alt, alt_truth, model).items():
            print(f"  {key}: {value:.3f}" if isinstance(value, float) else f"  {key}: {value}")
    if not datasets.available():
        print("Real post-mortems: ../shared/datasets not present; skipped.")
        return
    print("Real post-mortems (labels by people; never used for tuning):")
    real("danluu, categorized only", *datasets.danluu(include_uncategorized=False), model)
    real("danluu, all (Uncategorized as one class)", *datasets.danluu(), model)
    real("dfds", *datasets.dfds(), model, datasets.DFDS_REPEATED)


if __name__ == "__main__":
    main()
