"""Recurring patterns: stable identity through patterns.yml, reviewers' corrections, names.

The clusters come from `clusters`; here they become patterns: matched to the patterns already
recorded, corrected as reviewers said, and named by how they failed and where.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from learnloop.analyze.clusters import MIN_SIZE, NO_PLACE
from learnloop.analyze.text import STOPWORDS
from learnloop.model import Incident
from learnloop.slugs import slug
from learnloop.state import PatternRecord, State


@dataclass(frozen=True)
class Pattern:
    """A recurring failure: two or more incidents with a stable id."""

    id: str
    title: str
    incidents: tuple[str, ...]  # sorted
    terms: tuple[str, ...] = ()  # the words that set it apart, most distinctive first


@dataclass(frozen=True)
class Patterns:
    """The engine's answer: patterns by size then id, the rest, and what corrections did."""

    patterns: tuple[Pattern, ...]
    unclustered: tuple[str, ...]
    notes: tuple[str, ...]  # corrections obeyed, in words
    records: tuple[PatternRecord, ...]  # the state to record (all ids ever given, retired too)
    since_refit: tuple[str, ...] = ()  # incidents placed into the fit rather than learned from

    def of(self) -> dict[str, str]:
        """incident id -> pattern id, for clustered incidents."""
        return {i: p.id for p in self.patterns for i in p.incidents}


def assign(
    incidents: Sequence[Incident], labels: Sequence[int], state: State
) -> tuple[dict[str, str | None], list[str], dict[str, str]]:
    """Membership after identity and corrections: (id -> pattern, notes, new pattern seeds).

    Recorded memberships are kept (reviewers approved them); incidents not yet in a pattern
    follow the fresh clustering: into the recorded pattern their cluster overlaps most, or
    together into a new pattern. New patterns are keyed by a seed incident id until named.
    """
    ids = [i.id for i in incidents]
    present = set(ids)
    records = {r.id: r for r in state.patterns}
    active = {r.id: r for r in state.patterns if not r.retired and not r.merged_into}
    result: dict[str, str | None] = dict.fromkeys(ids)
    for record in sorted(records.values(), key=lambda r: r.id):
        target = _merge_target(record.id, records)
        if target not in active and not record.merged_into:
            continue  # retired: its incidents are free to go where the clustering puts them
        for member in record.incidents:
            if member in present and result[member] is None:
                result[member] = target
    members_of_cluster: dict[int, list[str]] = defaultdict(list)
    for ident, label in zip(ids, labels, strict=True):
        members_of_cluster[label].append(ident)
    seeds: dict[str, str] = {}
    for label in sorted(members_of_cluster, key=lambda lb: members_of_cluster[lb][0]):
        members = members_of_cluster[label]
        overlap = Counter(result[m] for m in members if result[m] is not None)
        loose = [m for m in members if result[m] is None]
        if overlap:
            best = min(overlap, key=lambda pid: (-overlap[pid], str(pid)))
            for m in loose:
                result[m] = best
        elif len(loose) >= MIN_SIZE:
            seed = f"new:{min(loose)}"
            seeds[seed] = min(loose)
            for m in loose:
                result[m] = seed
    notes: list[str] = []
    # Reviewers' corrections, recorded state first, then each incident's own front matter.
    for record in sorted(records.values(), key=lambda r: r.id):
        if record.merged_into:
            target = _merge_target(record.id, records)
            moved = [m for m in record.incidents if m in present and result[m] == target]
            notes.append(f"{record.id} merged into {target} ({len(moved)} incidents, {_SRC})")
        # Every run says which corrections it obeyed, also once they are recorded as members.
        for m in record.pin:
            if m in present:
                result[m] = record.id
                notes.append(f"{m} pinned to {record.id} ({_SRC})")
        for m in record.exclude:
            if m in present and result[m] == record.id:
                result[m] = None
                notes.append(f"{m} kept out of {record.id} ({_SRC})")
    for incident in incidents:
        if incident.pattern:
            result[incident.id] = incident.pattern
            notes.append(f"{incident.id} pinned to {incident.pattern} ({incident.path})")
    return result, notes, seeds


_SRC = "patterns.yml"


def _merge_target(pid: str, records: dict[str, PatternRecord]) -> str:
    """Follow merged_into links to the pattern that now holds the incidents (cycles stop)."""
    seen = {pid}
    while (record := records.get(pid)) is not None and record.merged_into:
        if record.merged_into in seen:
            break
        pid = record.merged_into
        seen.add(pid)
    return pid


Namer = Callable[[list[str]], tuple[str, str, tuple[str, ...]]]


def build(
    incidents: Sequence[Incident], labels: Sequence[int], state: State, namer: Namer
) -> Patterns:
    """Patterns from the clustering; `namer` gives (slug, title, terms) for new members."""
    result, notes, seeds = assign(incidents, labels, state)
    recorded = {r.id: r for r in state.patterns}
    taken = set(recorded)
    final: dict[str, str] = {}
    names = {
        seed: namer(sorted(i for i, p in result.items() if p == seed)) for seed in sorted(seeds)
    }
    for key in sorted(seeds):
        final[key] = unique_slug(names[key][0], taken)
        taken.add(final[key])
    groups: dict[str, list[str]] = defaultdict(list)
    for incident in incidents:
        pid = result[incident.id]
        if pid is None:
            continue
        pid = final.get(pid, pid)
        if pid in incident.not_pattern:  # checked after naming: new patterns have ids now
            notes.append(f"{incident.id} kept out of {pid} ({incident.path})")
            result[incident.id] = None
            continue
        groups[pid].append(incident.id)
    patterns: list[Pattern] = []
    unclustered = sorted(i for i, p in result.items() if p is None)
    records: dict[str, PatternRecord] = dict(recorded)
    for pid, members in groups.items():
        members.sort()
        seed = next((s for s, f in final.items() if f == pid), None)
        _, title, terms = names[seed] if seed is not None else namer(members)
        if pid in recorded:
            title = recorded[pid].title  # a reviewer's title sticks
        elif seed is None:  # pinned by a reviewer to an id the state does not know yet
            title = pid.replace("-", " ").capitalize()
        old = recorded.get(pid)
        records[pid] = PatternRecord(
            id=pid,
            title=title,
            incidents=tuple(members),
            pin=old.pin if old else (),
            exclude=old.exclude if old else (),
            merged_into=old.merged_into if old else None,
            retired=False,
            renamed_from=old.renamed_from if old else (),
        )
        if len(members) >= MIN_SIZE:
            patterns.append(Pattern(pid, title, tuple(members), tuple(terms)))
        else:
            unclustered.extend(members)
    for pid, old in recorded.items():
        if pid not in groups and not old.merged_into and not old.retired:
            records[pid] = PatternRecord(
                id=pid,
                title=old.title,
                incidents=(),
                pin=old.pin,
                exclude=old.exclude,
                retired=True,
                renamed_from=old.renamed_from,
            )
    patterns.sort(key=lambda p: (-len(p.incidents), p.id))
    return Patterns(
        patterns=tuple(patterns),
        unclustered=tuple(sorted(set(unclustered))),
        notes=tuple(notes),
        records=tuple(sorted(records.values(), key=lambda r: r.id)),
    )


def unique_slug(slug: str, taken: set[str]) -> str:
    """slug, or slug-2, slug-3 … when a pattern (even a retired one) already has it."""
    if slug not in taken:
        return slug
    n = 2
    while f"{slug}-{n}" in taken:
        n += 1
    return f"{slug}-{n}"


WORD = re.compile(r"[a-z0-9][a-z0-9_]*[a-z_](?:-[a-z0-9_]+)*")
_NAME_STOP = STOPWORDS | {
    "after",
    "during",
    "from",
    "with",
    "errors",
    "error",
    "failure",
    "failed",
    "failing",
    "outage",
    "degraded",
    "slow",
    "down",
    "high",
    "instead",
    "again",
    "while",
    "broke",
    "caused",
    "causes",
    "since",
    "across",
    "some",
    "most",
    "partial",
    "intermittent",
    # Pronoun-like words: "nothing else", "everything" name no failure.
    "nothing",
    "else",
    "everything",
    "something",
    "anything",
    "everyone",
    "someone",
    "anyone",
    "even",
    "already",
    "only",
    # How a status page says a service was hurt, never how it failed: "Service disruption",
    # "Availability degradation", "… may have appeared unavailable".
    "disruption",
    "disruptions",
    "degradation",
    "degradations",
    "availability",
    "unavailable",
    "unavailability",
    "appeared",
    "became",
    "become",
    "becomes",
    # When it happened and what kind of write-up tells it ("Retrospective: Worker Manager
    # Overprovisioning - November 2019") name no failure.
    *(  # noqa: SIM905 - a word list reads better as text
        "january february march april may june july august september october november december"
        " jan feb mar apr jun jul aug sep sept oct nov dec monday tuesday wednesday thursday"
        " friday saturday sunday retrospective retro postmortem post-mortem mortem rca review"
        " report"
    ).split(),
}
# Host names, file names and versions ("internal.example.io", "values.yaml", "1.20.0"): names
# of things, not of how they failed, and no words to split.
_DOTTED = re.compile(r"\b[\w-]+(?:\.[\w-]+)+\b")


# Words of a name: identifiers as WORD has them, and status codes ("returning 503").
_NAME_WORD = re.compile(WORD.pattern + r"|\b[1-5]\d\d\b")
# A name may hold these but not end on them: "logs not" says less than "logs not shipped".
_NO_END = frozenset({"not", "no", "non", "never", "being"})


def phrases(text: str) -> set[str]:
    """Runs of one to three words with no stop word among them, none across a dotted name."""
    out: set[str] = set()
    for piece in _DOTTED.split(text.lower()):
        out |= _runs(_NAME_WORD.findall(piece))
    return out


def _runs(words: Sequence[str]) -> set[str]:
    # A run may not hold a stop word or a one-letter word, and must end on 3+ letters.
    usable = [w not in _NAME_STOP and len(w) >= 2 for w in words]
    out = set()
    for start in range(len(words)):
        for end in range(start, min(start + 3, len(words))):
            if not usable[end]:
                break
            run = words[start : end + 1]
            # A run that says a word twice ("repository subversion repository") stutters.
            if len(words[end]) >= 3 and words[end] not in _NO_END and len(set(run)) == len(run):
                out.add(" ".join(run))
    return out


def name_by_mode(
    modes: Sequence[tuple[str, ...]],
    services: Sequence[Sequence[str]],
    titles: dict[str, str],
    triggers: frozenset[str] = frozenset(),
) -> tuple[str, str] | None:
    """(slug, title) by mechanism and place ("Connection pool exhaustion on orders-db") when
    its members agree on how they failed; None when they do not.

    `modes` are each member's failure modes, strongest first. The mode most members share
    names the pattern; between modes as widely shared, a mechanism (connections ran out) goes
    before a trigger (`triggers`: a config change), then the one ranked stronger. Members
    agree when most of those whose text names a mode name this one, and these are at least
    two and a third of all members. A member that names no mode does not vote against, nor
    does a trigger against a mechanism (or the reverse): one failure has both.
    """
    size = len(modes)
    counts: Counter[str] = Counter()
    ranks: Counter[str] = Counter()
    for group in modes:
        for position, mode in enumerate(dict.fromkeys(group)):
            if mode in titles:
                counts[mode] += 1
                ranks[mode] += position
    if not counts:
        return None
    mode = min(counts, key=lambda m: (-counts[m], m in triggers, ranks[m], m))
    votes = counts[mode]
    kind = mode in triggers
    voters = sum(
        1 for group in modes if any(m in titles and (m in triggers) == kind for m in group)
    )
    if votes * 2 <= voters or votes < MIN_SIZE or votes * 3 < size:
        return None
    places = Counter(s for group in services for s in dict.fromkeys(group) if s not in NO_PLACE)
    place = None
    if places:
        top, seen = min(places.items(), key=lambda kv: (-kv[1], kv[0]))
        place = top if seen * 2 > size else None
    title = titles[mode] + (f" on {place}" if place else "")
    return slug(f"{mode} {place or ''}", limit=60, default=mode), title


def name_pattern(
    titles: Sequence[str],
    causes: Sequence[str],
    corpus_df: Counter[str],
    n_docs: int,
    services: Sequence[str],
) -> tuple[str, str, tuple[str, ...]]:
    """(slug, title, terms) from the phrases that set a cluster's titles and causes apart.

    A phrase scores by how many members use it (titles count double: they are where people
    name the failure), times its rarity in the corpus, times a bonus for longer phrases (a
    bigram such as "connection pool" names a failure better than either word). The name
    takes the best phrase and, when it is one word, the best word that does not repeat it.
    """
    size = len(titles)
    counts: Counter[str] = Counter()
    for title, cause in zip(titles, causes, strict=True):
        in_title = phrases(title)
        counts.update({p: 2 for p in in_title})
        counts.update(phrases(cause) - in_title)
    service_names = {s.lower() for s in services}
    scored = []
    for phrase, count in counts.items():
        if count < max(2, size // 2) or service_names & set(phrase.split()):
            continue  # services are named beside the title, not in it
        idf = np.log((1 + n_docs) / (1 + corpus_df.get(phrase, 0))) + 1
        bonus = 1.0 + 0.35 * (phrase.count(" "))
        scored.append((-(count / size) * idf * bonus, phrase))
    ranked = [p for _, p in sorted(scored)]
    terms = tuple(ranked[:6])
    if not ranked:
        # Nothing its incidents say in common names it. Where most say no cause at all (a
        # status page's "degraded performance … resolved"), the name says that, not "pattern".
        unexplained = sum(1 for cause in causes if not cause.strip()) * 2 > size
        chosen = "cause not recorded" if unexplained else "pattern"
    else:
        chosen = ranked[0]
        if " " not in chosen:
            extra = next((p for p in ranked[1:] if " " not in p and p not in chosen), None)
            if extra:
                # Word order as the titles that use both words have it.
                votes = sum(
                    1 if low.find(chosen) < low.find(extra) else -1
                    for low in (t.lower() for t in [*titles, *causes])
                    if chosen in low and extra in low
                )
                chosen = f"{chosen} {extra}" if votes >= 0 else f"{extra} {chosen}"
    ident = slug(chosen, limit=60, default="pattern")
    top_service = Counter(services).most_common(1)
    title = chosen.replace("_", " ").capitalize()
    if top_service and top_service[0][1] * 2 > size:
        title += f" ({top_service[0][0]})"
        if not ranked:  # only the place tells these apart
            ident = slug(f"{chosen} {top_service[0][0]}", limit=60, default="pattern")
    return ident, title, terms
