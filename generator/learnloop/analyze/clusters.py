"""Clustering incident vectors: where the cut falls, average linkage, resuming it for new
incidents, and narrowing each cluster by where its failure recurs.

Algorithm: average-linkage agglomerative clustering on cosine distances between incident
vectors, cut at a distance threshold, so the number of patterns is found rather than given.
Average linkage resists the chaining that single linkage suffers from on text (one incident
sharing words with two failures would glue them together), and unlike k-means or a Gaussian
mixture it leaves outliers as singletons: the one-off incidents every real corpus has.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import numpy as np

MIN_SIZE = 2
# Services that name no place: an importer's placeholder, a whole company.
NO_PLACE = frozenset({"unknown", "none", "n/a", "various", "all"})
# Where the cut falls between how alike two unrelated incidents of this corpus are (the
# median pair) and how alike its most alike pairs are (the top 1%): a corpus of long,
# wordy post-mortems and one of one-line status updates each get the cut their own texts
# call for, with no threshold fitted to anyone's corpus. Once patterns are narrowed by place
# (`narrow`), simulated corpora of 40 to 1,000 incidents score alike anywhere from 0.2 to
# 0.35 (benchmarks/quality.py --tune): the middle of that plateau.
CUT_POSITION = 0.25
CUT_FLOOR, CUT_CEILING = 0.1, 0.9  # the similarity a cut may ask for
CUT_SAMPLE = 200_000  # pairs looked at on a large corpus; a fixed sample, same every run


def adaptive_cut(vectors: np.ndarray, position: float = CUT_POSITION) -> float:
    """The distance threshold for a corpus: `position` of the way from its median pair's
    similarity to the similarity of its top 1% of pairs."""
    n = len(vectors)
    if n < 3:
        return 0.5  # too few to have a typical pair: half alike, as a default
    rows = vectors.astype(np.float64)
    pairs = n * (n - 1) // 2
    if pairs <= CUT_SAMPLE:
        upper = np.triu_indices(n, 1)
        sims = (rows @ rows.T)[upper]
    else:
        rng = np.random.default_rng(0)
        a = rng.integers(0, n, CUT_SAMPLE)
        b = rng.integers(0, n, CUT_SAMPLE)
        keep = a != b
        sims = np.einsum("ij,ij->i", rows[a[keep]], rows[b[keep]])
    median = float(np.median(sims))
    top = float(np.quantile(sims, 0.99))
    # Bounded: in a corpus of one failure told six times the typical pair is already alike,
    # and near-copies must still group; nothing under a tenth alike ever does.
    similar = min(max(median + position * (top - median), CUT_FLOOR), CUT_CEILING)
    return round(1.0 - similar, 6)


def cluster(vectors: np.ndarray, threshold: float) -> list[int]:
    """Cluster labels (0-based, ordered by first member) for unit row vectors."""
    # Imported here: a run that reuses a recorded fit never clusters, and this import is slow.
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import pdist

    n = len(vectors)
    if n == 0:
        return []
    if n == 1:
        return [0]
    distances = np.clip(pdist(vectors.astype(np.float64), metric="cosine"), 0.0, 2.0)
    tree = linkage(distances, method="average")
    raw = fcluster(tree, t=threshold, criterion="distance")
    relabel: dict[int, int] = {}
    return [relabel.setdefault(int(label), len(relabel)) for label in raw]


def place(
    basis: np.ndarray, labels: Sequence[int], extra: np.ndarray, threshold: float
) -> list[int]:
    """Group labels for basis rows then extra rows: average linkage resumed from the basis.

    The basis clusters are where average linkage stopped, so any two of them are further
    apart than the threshold; adding rows can only start merges that involve a new row.
    Clusters are kept as the sum of their unit vectors, which makes the average cosine
    distance between two clusters exact: 1 - (sum_a . sum_b) / (n_a n_b).
    """
    k = max(labels, default=-1) + 1
    m = len(extra)
    width = basis.shape[1] if len(basis) else extra.shape[1]
    sums = np.zeros((k + m, width), dtype=np.float64)
    np.add.at(sums, np.asarray(labels, dtype=np.intp), basis.astype(np.float64))
    sums[k:] = extra
    counts = np.concatenate([np.bincount(labels, minlength=k), np.ones(m)]).astype(np.float64)
    group = list(range(k + m))  # node of each basis cluster and each extra row
    alive = np.ones(k + m, dtype=bool)
    active = list(range(k, k + m))  # nodes holding new rows: the only ones that can merge

    def row(node: int) -> np.ndarray:
        distance = 1.0 - (sums @ sums[node]) / (counts * counts[node])
        distance[~alive] = np.inf
        distance[node] = np.inf
        return distance

    table = np.vstack([row(n) for n in active]) if active else np.zeros((0, k + m))
    while active:
        flat = int(np.argmin(table))
        at, other = divmod(flat, k + m)
        if not table[at, other] <= threshold:
            break
        keep, gone = min(active[at], other), max(active[at], other)
        sums[keep] += sums[gone]
        counts[keep] += counts[gone]
        alive[gone] = False
        group = [keep if g == gone else g for g in group]
        if gone in active:
            drop = active.index(gone)
            active.pop(drop)
            table = np.delete(table, drop, axis=0)
        if keep not in active:
            active.append(keep)
            table = np.vstack([table, np.zeros((1, k + m))])
        position = active.index(keep)
        table[position] = row(keep)
        table[:, gone] = np.inf
        others = np.array(active)
        column = 1.0 - (sums[others] @ sums[keep]) / (counts[others] * counts[keep])
        column[position] = np.inf
        table[:, keep] = column
    owner = [group[label] for label in labels] + group[k:]
    return owner


def narrow(
    labels: Sequence[int], services: Sequence[Sequence[str]], vectors: np.ndarray
) -> list[int]:
    """Split each cluster by where its failure recurs: the service only narrows a pattern.

    A member's place is its first service. A cluster whose places form two or more groups of
    at least MIN_SIZE members (the same failure recurring on orders-db and on ledger-db),
    none of whose members names another group's place among its services, becomes one cluster
    per group; a member whose place recurs nowhere in the cluster, or that names none, joins
    the group its text is most like. An incident that touched both places ties them, so a
    failure shared by services that fail together stays one pattern.
    """
    members: dict[int, list[int]] = defaultdict(list)
    for row, label in enumerate(labels):
        members[label].append(row)
    out = list(labels)
    fresh = max(labels, default=-1) + 1
    for label in sorted(members):
        rows = members[label]
        homes = _homes(rows, services)
        if len(homes) < 2:
            continue
        centres = np.vstack([vectors[g].astype(np.float64).sum(axis=0) for g in homes])
        centres /= np.maximum(np.linalg.norm(centres, axis=1, keepdims=True), 1e-12)
        home_of = {row: n for n, g in enumerate(homes) for row in g}
        for row in rows:
            n = home_of.get(row)
            if n is None:
                n = int(np.argmax(centres @ vectors[row].astype(np.float64)))
            out[row] = label if n == 0 else fresh + n - 1
        fresh += len(homes) - 1
    relabel: dict[int, int] = {}
    return [relabel.setdefault(label, len(relabel)) for label in out]


def _homes(rows: Sequence[int], services: Sequence[Sequence[str]]) -> list[list[int]]:
    """The rows of a cluster grouped by a place that recurs in it, places that any member
    names together joined into one; ordered by first row."""
    by_place: dict[str, list[int]] = defaultdict(list)
    for row in rows:
        if services[row] and services[row][0] not in NO_PLACE:
            by_place[services[row][0]].append(row)
    places = sorted(p for p, g in by_place.items() if len(g) >= MIN_SIZE)
    if len(places) < 2:
        return []
    parent = {p: p for p in places}

    def root(p: str) -> str:
        while parent[p] != p:
            p = parent[p]
        return p

    for row in rows:
        named = sorted({root(s) for s in services[row] if s in parent})
        for other in named[1:]:
            parent[other] = named[0]
    joined: dict[str, list[int]] = defaultdict(list)
    for p in places:
        joined[root(p)].extend(by_place[p])
    return sorted((sorted(g) for g in joined.values()), key=lambda g: g[0])
