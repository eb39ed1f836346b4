"""Root causes, contributing factors and systemic issues, from the incidents' own words.

Post-mortems state the same factor again, in other words each time ("No version lock on Flux
component", "Flux was not pinned to a version"). Statements are merged greedily in a fixed
order when the Jaccard overlap of their `tokens()` sets reaches `SIMILARITY`, and counted with
the incidents that stated them.

Systemic issues are causes that recur across patterns: a lexicon of themes (analyze/data/
themes.yml, extended by a team's `themes:`) matched against contributing factors, whys, the
root cause, lessons and follow-ups (`evidence`), plus clusters of factor and why statements
that span patterns and no theme explains. A theme counts when it reaches at least two
incidents in at least two groups (a pattern, or a one-off incident on its own). Ranking:

    score = frequency × mean impact = Σ impact(incident)
    impact = severity weight × (1 + log10(1 + customers / 1000) + log10(1 + revenue / 10000))

with severity weights P0 8, P1 4, P2 2, P3 1, P4 0.5: a P0 counts like eight P3s before its
customers and revenue are added, and large figures count with diminishing returns.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import partial

from learnloop.analyze.detection import (
    CUSTOMER,
    DetectionSummary,
    counts,
    detection_method,
    detection_summary,
    first_signal,
)
from learnloop.analyze.patterns import Pattern
from learnloop.analyze.similar import first_sentences
from learnloop.analyze.text import tokens
from learnloop.memo import PerIncident
from learnloop.model import Incident
from learnloop.read.themes import Lexicon, Theme, shipped
from learnloop.slugs import slug

SIMILARITY = 0.5  # token Jaccard from which two statements say the same thing
SEVERITY_WEIGHT = {"P0": 8.0, "P1": 4.0, "P2": 2.0, "P3": 1.0, "P4": 0.5}
FOLLOW_UP = "follow-up"  # the field of a follow-up written in the body, not in front matter


@dataclass(frozen=True)
class Finding:
    """A statement as most often worded, with every incident that made it."""

    text: str
    incidents: tuple[str, ...]  # sorted
    source: str  # the incident whose wording `text` is
    variants: int = 1  # distinct wordings merged into it
    origin: str = ""  # for a why: "whys", "root cause" or "contributing factor"


@dataclass(frozen=True)
class PatternSynthesis:
    """What a pattern's incidents say about why it happens, taken together."""

    pattern: str
    incidents: tuple[str, ...]
    primary_cause: Finding | None
    causes: tuple[Finding, ...]
    categories: tuple[tuple[str, int], ...]
    contributing_factors: tuple[Finding, ...]
    triggers: tuple[tuple[str, int], ...]
    detection: DetectionSummary
    resilience_failures: tuple[Finding, ...]  # text: the failure; evidence via `source`
    whys: tuple[Finding, ...]  # the aggregated chain, outermost symptom first


@dataclass(frozen=True)
class SystemicIssue:
    """A cause that recurs across patterns, with its evidence and its score."""

    id: str
    title: str
    incidents: tuple[str, ...]
    patterns: tuple[str, ...]
    services: tuple[str, ...]
    architectural: bool  # is the fix an architecture change?
    score: float
    evidence: tuple[Finding, ...]  # statements that show it, merged, most incidents first
    fix: str
    one_offs: tuple[str, ...] = ()  # incidents in no pattern
    actions: tuple[tuple[str, str], ...] = ()  # (incident, action id) follow-ups that address it
    origin: str = "lexicon"  # or "cluster"


_NEVER = re.compile(r"(?!)")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(?:\[[ xX]\]\s+)?(.+)$")
# The shipped vocabulary (read/data/themes.yml); a team's additions come in as a Lexicon.
SHIPPED = shipped()
THEMES: tuple[Theme, ...] = SHIPPED.themes
ARCHITECTURE = SHIPPED.architecture  # follow-ups that change the architecture, not a setting


def _flat(text: str) -> str:
    return " ".join(text.split())


def items(text: str) -> list[str]:
    """The list items of a Markdown section, or else the sentences of each of its paragraphs
    (the reader keeps a part's statements apart with blank lines, its list markers gone)."""
    found = [_flat(m.group(1)) for line in text.splitlines() if (m := _LIST_ITEM.match(line))]
    if found:
        return found
    return [s for paragraph in re.split(r"\n\s*\n", text) for s in sentences(paragraph)]


def prose(text: str) -> str:
    """The text without fenced code blocks, which are commands, not statements."""
    return re.sub(r"^ {0,3}(```|~~~).*?^ {0,3}\1[^\n]*$", "", text, flags=re.M | re.S)


def sentences(text: str) -> list[str]:
    """Sentences of flattened prose."""
    flat = _flat(re.sub(r"^[#>]+\s*", "", prose(text), flags=re.M))
    return [s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z0-9`])", flat) if s]


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))


def factors(incident: Incident) -> list[str]:
    """Contributing factors from the front matter and the body section, once each."""
    body = incident.section("contributing_factors")
    return _unique([*map(_flat, incident.contributing_factors), *(items(body) if body else [])])


def whys(incident: Incident) -> list[str]:
    """The five whys in order: the front matter's, else the body section's."""
    if incident.whys:
        return _unique(map(_flat, incident.whys))
    body = incident.section("whys")
    return _unique(items(body)) if body else []


def cause_text(incident: Incident) -> str:
    """The root cause in a sentence or two."""
    text = prose(incident.root_cause.summary or incident.section("root_cause"))
    return first_sentences(text, 300) if text.strip() else ""


def statements(incident: Incident) -> list[tuple[str, str]]:
    """(field, text): everything the incident says about why, most specific first."""
    out = [("factor", t) for t in factors(incident)]
    out += [("why", t) for t in whys(incident)]
    out += [("cause", t) for t in sentences(cause_text(incident))]
    out += [("lesson", t) for t in items(incident.section("lessons"))]
    out += [(f"action:{a.id}", _flat(a.title)) for a in incident.action_items if a.kind != "detect"]
    return out


def evidence(incident: Incident) -> list[tuple[str, str]]:
    """(field, text) where themes are looked for: the statements with the whole root cause,
    and the follow-ups however they are written (front matter, else the body's list).

    A write-up that states no cause, factor, why or lesson (a one-paragraph summary, a status
    page) says why, if anywhere, in its summary or its text: those sentences stand in.
    """
    out = [(f, t) for f, t in statements(incident) if f != "cause" and not _is_action(f)]
    root = incident.root_cause.summary or incident.section("root_cause")
    out += [("cause", t) for t in _unique(sentences(root))]
    if not out:
        told = incident.section("summary") or ("" if incident.sections else incident.body)
        # With the causes the reader found where no part is named for them ("The issue was
        # identified to be …" in a status page's last message).
        found = [s.text for s in incident.part("root_cause") if "\n" not in s.text]
        out = [("summary", t) for t in _unique([*sentences(told), *found])]
    if incident.action_items:
        out += [(f, t) for f, t in statements(incident) if _is_action(f)]
    else:
        out += [(FOLLOW_UP, t) for t in _unique(items(prose(incident.section("action_items"))))]
    return out


def _is_action(field: str) -> bool:
    return field.startswith("action:") or field == FOLLOW_UP


def impact(incident: Incident) -> float:
    """How much one incident weighs in a systemic issue's score (see the module docstring)."""
    customers = max(incident.impact.customers_affected or 0, 0)
    revenue = max(incident.impact.revenue_usd or 0.0, 0.0)
    weight = SEVERITY_WEIGHT.get(incident.severity, 1.0)
    return weight * (1 + math.log10(1 + customers / 1000) + math.log10(1 + revenue / 10000))


def _cluster(texts: Sequence[str], threshold: float) -> list[list[str]]:
    """Statements in order, each joined to the first cluster it is most similar to (its
    highest token Jaccard with a member, at least threshold), else starting its own.

    Comparing each statement with every one before it is quadratic: at 10,000 incidents it
    was most of the systemic issues' time. Statements sharing no token have similarity 0, so
    only those reached through an index of tokens are scored, as |a ∩ b| / |a ∪ b| from the
    count of shared tokens; a cluster none of them is in is at 0, which only a threshold of 0
    or less accepts.
    """
    clusters: list[list[str]] = []
    posting: dict[str, list[int]] = defaultdict(list)  # token -> statements having it
    sizes: list[int] = []  # statement -> its number of distinct tokens
    home: list[int] = []  # statement -> its cluster
    for text in texts:
        shape = frozenset(tokens(text))
        shared: Counter[int] = Counter()
        for token in shape:
            shared.update(posting.get(token, ()))
        size = len(shape)
        # cluster -> its best similarity to this statement
        best_of = dict.fromkeys(range(len(clusters)), 0.0) if threshold <= 0 else {}
        for other, common in shared.items():
            sim = common / (size + sizes[other] - common)
            cluster = home[other]
            if sim > best_of.get(cluster, -1.0):
                best_of[cluster] = sim
        best, best_sim = -1, threshold
        for n in sorted(best_of):
            sim = best_of[n]
            if sim >= best_sim and (best < 0 or sim > best_sim):
                best, best_sim = n, sim
        index = len(sizes)
        sizes.append(size)
        if best < 0:
            home.append(len(clusters))
            clusters.append([text])
        else:
            home.append(best)
            clusters[best].append(text)
        for token in shape:
            posting[token].append(index)
    return clusters


def dedupe(pairs: Iterable[tuple[str, str]], threshold: float = SIMILARITY) -> list[Finding]:
    """(incident, statement) pairs merged where they say the same; most incidents first."""
    by_text: dict[str, set[str]] = defaultdict(set)
    for incident, text in pairs:
        if _flat(text):
            by_text[_flat(text)].add(incident)
    clusters = _cluster(sorted(by_text, key=lambda t: (min(by_text[t]), t)), threshold)
    out = []
    for texts in clusters:
        lead = min(texts, key=lambda t: (-len(by_text[t]), min(by_text[t]), t))
        ids = sorted({i for t in texts for i in by_text[t]})
        out.append(Finding(lead, tuple(ids), min(by_text[lead]), len(texts)))
    return sorted(out, key=lambda f: (-len(f.incidents), f.source, f.text))


def _theme_hits(incident: Incident, said: Sequence[tuple[str, str]], theme: Theme) -> list[str]:
    hits = [
        text
        for field, text in said
        if (theme.from_actions or not _is_action(field)) and theme.pattern.search(text)
    ]
    if theme.id == "detection-gap" and detection_method(incident) == CUSTOMER:
        hits.append(f"Customers noticed first ({first_signal(incident) or 'customer report'}).")
    if theme.id == "runbook-gap" and incident.runbook_helpful is False:
        hits.append(f"The runbook used ({incident.runbook_used or 'unnamed'}) did not help.")
    return hits


# theme id -> the statements that show it, for one incident: `themes_of`, or a stored copy.
Themes = Callable[[Incident], Mapping[str, list[str]]]


def themes_of(incident: Incident, lexicon: Lexicon = SHIPPED) -> dict[str, list[str]]:
    """theme id -> the statements of the incident that show the theme."""
    kept = _themes_kept.get(lexicon.digest)
    if kept is None:
        kept = _themes_kept[lexicon.digest] = PerIncident(partial(_themes, lexicon=lexicon))
    return kept(incident)


def _themes(incident: Incident, lexicon: Lexicon) -> dict[str, list[str]]:
    said = evidence(incident)
    return {t.id: hits for t in lexicon.themes if (hits := _theme_hits(incident, said, t))}


def matches(
    incidents: Iterable[Incident], themes: Themes | None = None, lexicon: Lexicon = SHIPPED
) -> dict[str, dict[str, list[str]]]:
    """theme id -> incident id -> the statements that show the theme.

    `themes` is `themes_of` with the same lexicon, or a store of it (the default: `themes_of`).
    """
    themes = themes or partial(themes_of, lexicon=lexicon)
    out: dict[str, dict[str, list[str]]] = {t.id: {} for t in lexicon.themes}
    for incident in sorted(incidents, key=lambda i: i.id):
        for theme_id, hits in themes(incident).items():
            out[theme_id][incident.id] = list(hits)
    return out


def _why_chain(
    members: Sequence[Incident], primary: Finding | None, top: Sequence[Finding]
) -> tuple[Finding, ...]:
    levels: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for m in members:
        for level, text in enumerate(whys(m)):
            levels[level].append((m.id, text))
    chain = [replace(dedupe(levels[level])[0], origin="whys") for level in sorted(levels)]
    if chain:
        return tuple(chain)
    # No one asked why five times: the cause and the factor most often behind it stand in.
    if primary is not None:
        chain.append(replace(primary, origin="root cause"))
    if top:
        chain.append(replace(top[0], origin="contributing factor"))
    return tuple(chain)


def synthesize_group(
    key: str,
    members: Sequence[Incident],
    themes: Themes | None = None,
    lexicon: Lexicon = SHIPPED,
) -> PatternSynthesis:
    """The synthesis of any group of incidents: a pattern, a service, the whole corpus."""
    members = sorted(members, key=lambda m: m.id)
    causes = tuple(dedupe((m.id, cause_text(m)) for m in members))
    contributing = tuple(dedupe((m.id, f) for m in members for f in factors(m)))
    hits = matches(members, themes, lexicon)
    resilience = []
    for theme in lexicon.themes:
        found = hits[theme.id]
        if theme.resilience and found:
            first = min(found)
            resilience.append(Finding(theme.title, tuple(sorted(found)), first, 1, found[first][0]))
    resilience.sort(key=lambda f: (-len(f.incidents), f.text))
    primary = causes[0] if causes else None
    return PatternSynthesis(
        pattern=key,
        incidents=tuple(m.id for m in members),
        primary_cause=primary,
        causes=causes,
        categories=counts(m.root_cause.category for m in members),
        contributing_factors=contributing,
        triggers=counts(m.trigger for m in members),
        detection=detection_summary(members),
        resilience_failures=tuple(resilience),
        whys=_why_chain(members, primary, contributing),
    )


def synthesize(
    incidents: Sequence[Incident], patterns: Sequence[Pattern], lexicon: Lexicon = SHIPPED
) -> dict[str, PatternSynthesis]:
    """pattern id -> its root-cause synthesis."""
    by_id = {i.id: i for i in incidents}
    return {
        p.id: synthesize_group(p.id, [by_id[i] for i in p.incidents if i in by_id], None, lexicon)
        for p in sorted(patterns, key=lambda p: p.id)
    }


def _groups(ids: Iterable[str], of: Mapping[str, str]) -> set[str]:
    return {of.get(i, f"one-off:{i}") for i in ids}


def _issue(
    theme: Theme,
    hits: Mapping[str, Sequence[str]],
    by_id: Mapping[str, Incident],
    of: Mapping[str, str],
    origin: str = "lexicon",
) -> SystemicIssue:
    ids = sorted(hits)
    members = [by_id[i] for i in ids]
    actions = [
        (i.id, a.id)
        for i in members
        for a in i.action_items
        if theme.from_actions and theme.pattern.search(a.title)
    ]
    return SystemicIssue(
        id=theme.id,
        title=theme.title,
        incidents=tuple(ids),
        patterns=tuple(sorted({of[i] for i in ids if i in of})),
        services=tuple(sorted({s for m in members for s in m.services})),
        architectural=theme.architectural,
        score=round(sum(impact(m) for m in members), 1),
        evidence=tuple(dedupe((i, text) for i in ids for text in hits[i])),
        fix=theme.fix,
        one_offs=tuple(i for i in ids if i not in of),
        actions=tuple(sorted(actions)),
        origin=origin,
    )


Store = Callable[[str, tuple[object, ...], Callable[[], "SystemicIssue"]], "SystemicIssue"]


def _computed(
    kind: str, inputs: tuple[object, ...], compute: Callable[[], SystemicIssue]
) -> SystemicIssue:
    return compute()


def systemic_issues(
    incidents: Sequence[Incident],
    patterns: Sequence[Pattern],
    themes: Themes | None = None,
    value: Store = _computed,
    lexicon: Lexicon = SHIPPED,
) -> list[SystemicIssue]:
    """Causes recurring across patterns, ranked by frequency × impact, then id.

    `lexicon` is the shipped themes or a team's (`Settings.themes`). `themes` is `themes_of`
    with it, or a function giving the same from a store: matching every incident against the
    lexicon is most of the cost. `value(kind, inputs, compute)` is `compute()`, or a store of
    it keyed by inputs: each lexicon issue is a function of its theme's matches and their
    incidents, and a new incident reaches few themes.
    """
    by_id = {i.id: i for i in incidents}
    of = {i: p.id for p in patterns for i in p.incidents}
    found = matches(incidents, themes, lexicon)
    out = []
    for theme in lexicon.themes:
        hits = found[theme.id]
        if len(hits) < 2 or len(_groups(hits, of)) < 2:
            continue
        ids = sorted(hits)
        inputs = (lexicon.digest, theme.id, hits, [by_id[i] for i in ids], [of.get(i) for i in ids])
        out.append(value("systemic-issue", inputs, partial(_issue, theme, hits, by_id, of)))
    # Factors and whys that recur across patterns in words no theme knows.
    said = [(i.id, t) for i in incidents for t in (*factors(i), *whys(i))]
    taken = {issue.id for issue in out}
    for finding in dedupe(said):
        if len(finding.incidents) < 2 or len(_groups(finding.incidents, of)) < 2:
            continue
        ident = "recurring-" + slug(finding.text, words=6, default="issue")
        if ident in taken or any(t.pattern.search(finding.text) for t in lexicon.themes):
            continue
        taken.add(ident)
        theme = Theme(
            ident,
            finding.text.rstrip("."),
            _NEVER,
            "Remove the cause everywhere it recurs, not only where it hit.",
            architectural=bool(lexicon.architecture.search(finding.text)),
            from_actions=False,
        )
        out.append(
            _issue(
                theme, {i: [finding.text] for i in finding.incidents}, by_id, of, origin="cluster"
            )
        )
    return sorted(out, key=lambda s: (-s.score, s.id))


# An incident's themes do not depend on the group it is read in (a pattern, a service, the
# corpus), and each incident is read in several: they are worked out once per incident.
_themes_kept: dict[str, PerIncident[dict[str, list[str]]]] = {}  # by the lexicon's digest
