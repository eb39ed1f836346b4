"""Root causes, contributing factors and systemic issues, from the incidents' own words.

Post-mortems state the same factor differently each time ("cart-db max_connections was last
reviewed two years ago", "payments-db max_connections …"). Statements are merged greedily in
a fixed order when the Jaccard overlap of their `tokens()` sets reaches `SIMILARITY`, and
counted with the incidents that stated them.

Systemic issues are causes that recur across patterns: a small lexicon of themes (`THEMES`)
matched against contributing factors, whys, root-cause text, lessons and follow-up titles,
plus clusters of factor and why statements that span patterns and no theme explains. A theme
counts when it reaches at least two incidents in at least two groups (a pattern, or a one-off
incident on its own). Ranking:

    score = frequency × mean impact = Σ impact(incident)
    impact = severity weight × (1 + log10(1 + customers / 1000) + log10(1 + revenue / 10000))

with severity weights P0 8, P1 4, P2 2, P3 1, P4 0.5: a P0 counts like eight P3s before its
customers and revenue are added, and large figures count with diminishing returns.
"""

from __future__ import annotations

import math
import re
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import partial

from learnloop.analyze.patterns import Pattern
from learnloop.analyze.similar import first_sentences
from learnloop.analyze.text import alerts, tokens
from learnloop.enrich import timings
from learnloop.memo import PerIncident
from learnloop.model import Incident

SIMILARITY = 0.5  # token Jaccard from which two statements say the same thing
SEVERITY_WEIGHT = {"P0": 8.0, "P1": 4.0, "P2": 2.0, "P3": 1.0, "P4": 0.5}
NOT_RECORDED = "not recorded"
CUSTOMER = "customer-report"


@dataclass(frozen=True)
class Finding:
    """A statement as most often worded, with every incident that made it."""

    text: str
    incidents: tuple[str, ...]  # sorted
    source: str  # the incident whose wording `text` is
    variants: int = 1  # distinct wordings merged into it
    origin: str = ""  # for a why: "whys", "root cause" or "contributing factor"


@dataclass(frozen=True)
class DetectionSummary:
    """How a group of incidents was noticed."""

    methods: tuple[tuple[str, int], ...]  # how it was detected, most first
    first_signals: tuple[tuple[str, int], ...]  # alert or source that fired first
    median_ttd: float | None
    ttd_known: int
    by_customers: tuple[str, ...]  # incidents customers noticed first
    customer_share: float | None  # of incidents whose detection is known
    slowest: tuple[tuple[str, float], ...]  # (incident, minutes to detect), slowest first


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


@dataclass(frozen=True)
class Theme:
    """A systemic theme of the lexicon: how post-mortems word it, and the fix's direction."""

    id: str
    title: str
    pattern: re.Pattern[str]
    fix: str
    architectural: bool = False
    resilience: bool = False  # also reported per pattern as a resilience failure
    from_actions: bool = True  # a follow-up's title is evidence too


def _re(*alternatives: str) -> re.Pattern[str]:
    return re.compile("|".join(alternatives), re.IGNORECASE)


# The systemic themes, in the words post-mortems use. Each regex is matched against single
# statements (a factor, a why, a sentence of the root cause, a lesson, a follow-up title).
# fmt: off
THEMES: tuple[Theme, ...] = (
    Theme("detection-gap", "Alerts missing, late or unrouted", _re(
        r"\bno (synthetic check|alert|alerting|monitoring)\b", r"\bnot (alerted|monitored)\b",
        "only fires after", r"fired at \d+%", "far too late", "muted channel",
        "first signal was customer", "under the alert threshold", "subscribed to the provider",
        "alerted in messages", "early signal", r"\balert on (it|the)\b",
        r"\bmonitor (it|time|and)\b", "belong on the service dashboard", "went unnoticed"),
        "Alert on the saturation signal that comes before the failure; route it to on-call.",
        from_actions=False),
    Theme("no-canary", "Changes reach production without a canary or a meaning check", _re(
        r"\bcanary\b", "all regions at once", "one region first", "yaml syntax only",
        "only checked syntax", "without seeing the rendered", "shadow mode", "copied from staging",
        "copied between environments", "flag in staging but on by default",
        "validate (its|their) meaning", "semantics"),
        "Send every change, code or config, through a canary stage with automatic judgement.",
        architectural=True),
    Theme("no-circuit-breaker", "Retries, timeouts and circuit breakers not designed for failure",
        _re("circuit breaker", r"retr(y|ies|ied)\b[^.]*(storm|without backoff|no limit|"
            r"immediately|forever|in a loop|all together)", "retry (storm|loop)",
            "without backoff", "exponential backoff", "timeout[^.]*longer than",
            "longer than the [^.]*timeout", r"\bno (statement|lock)[ _]timeout", "lock_timeout",
            "fail fast"),
        "Give every remote call a timeout inside its caller's budget, bounded retries with "
        "backoff and a circuit breaker.", architectural=True, resilience=True),
    Theme("capacity-untracked", "Capacity limits not tracked against demand", _re(
        "max_connections", "pool size", r"\bnever (sized|written down|compared|checked)\b",
        "last reviewed", "fixed replica count", "could not scale further", "at its maximum",
        "requests far below", "capacity review", "headroom", "without checking the "
        "(database )?budget", "node group maximums", "multiply across services", "sized from"),
        "Write each capacity limit next to the demand that uses it up, and check both in CI."),
    Theme("single-point-of-failure", "Single points of failure: one provider, node or replica",
        _re("single (payment )?provider", "no failover", "one provider only",
            r"second [\w ]*provider", "same node", "replication factor 2", "poddisruptionbudget",
            "failover did not", "only two healthy replicas"),
        "Remove the single point: a second provider, spread replicas, disruption budgets.",
        architectural=True, resilience=True),
    Theme("expiry-unmonitored", "Certificates, keys and vendor deadlines without owner or alert",
        _re("certificat", r"\bcerts?\b", r"\btls\b", "renew", "signing keys",
            "deprecation notices", "retired the api", "vendor contacts"),
        "Keep an inventory of everything that expires, with an owner, automation and an alert."),
    Theme("runbook-gap", "Runbooks missing, outdated or not matching the variant", _re(
        "runbook (did not match|was used but was out of date)", r"\bno runbook\b",
        "runbook[^.]*(out of date|did not help)"),
        "Keep one runbook per pattern, generated from the incidents and reviewed on a schedule."),
    Theme("shared-without-isolation", "Shared infrastructure without isolation or quotas", _re(
        r"\bshare[sd]? (one|the|a) ", "shared (instance|redis|primary|cluster)", "without quotas",
        "per-team quotas", "also serves", "one sending reputation",
        "separate (redis|analytics|sending)", "noisy neighbou?r"),
        "Isolate workloads that can hurt each other: separate instances, replicas or quotas.",
        architectural=True, resilience=True),
    Theme("unbounded-work", "Unbounded work: no TTL, size bound or input limit", _re(
        r"\bno (size )?bound\b", "no upper bound", "without (a )?ttl", r"\bno ttl\b",
        "ttl on every key", r"had no limits?\b", r"\bno limits\b", "grow without limit",
        "no limit on", r"\bno guard\b", r"\bunbounded\b", r"\bbound the\b",
        "reject (images|imports|leading)"),
        "Bound every cache, queue and input: TTLs, size limits and validation before work.",
        resilience=True),
    Theme("synchronized-load", "Synchronized load: no jitter, coalescing or concurrency limit",
        _re("thundering herd", "no jitter", "random jitter", r"jitter (to|and)\b",
            "request (coalescing|collapsing)", "every miss goes", "expired together", "same ttl",
            r"at exactly \d", "all together", "purges? the full", "full purge", "whole site",
            "one by one", "multiplied the job", "overlapped the next", "concurrencypolicy"),
        "Spread load in time: jitter schedules and TTLs, coalesce misses, limit concurrency.",
        resilience=True),
    Theme("slow-work-in-hot-path", "Slow or failing work blocks the hot path", _re(
        "synchronous (http )?(call|lookup)", "consumer (poll )?loop", "poll loop", "dead-letter",
        "poison message", "blocks? (a|the) partition", "slow query held", "slow lookup"),
        "Move slow and failing work off the request and consumer path: async, dead-letter.",
        architectural=True, resilience=True),
    Theme("partial-fix", "Fixes covered one service or path, not the class of failure", _re(
        r"fix from inc-[\w.-]+ is in place", "follow-up shipped, but did not cover",
        "came back through another path"),
        "Scope follow-ups to the failure class: every service and path with the same shape.",
        from_actions=False),
    Theme("uncontrolled-change", "Upstream changes we do not control: upgrades, defaults, vendors",
        _re("upgrade (changed|notes)", "changed (the )?default", "default[^.]*(flipped|lowered)",
            "auto-?updated", "updates are automatic", "without notice", "runtime upgrade",
            "dependency bump", "pin (defaults|important|waf)", "gateway defaults"),
        "Pin the versions and defaults that matter; stage vendor and upgrade changes."),
)

# Follow-up titles that describe an architecture change rather than a tweak.
ARCHITECTURE = _re(
    "circuit breaker", "pgbouncer", "connection pooler", r"\bpooler\b", r"\bqueue\b",
    "dead-letter", "cache layer", "pull-through cache", r"\bfailover\b", "multi-region",
    "read replica", r"\bcanary\b", "leader-elected", "leader election",
    "request (coalescing|collapsing)", r"second [\w ]*provider",
    r"separate [\w-]+ (instance|replica|cluster|database)", "origin shield", "nodelocal",
    r"\bsharding\b", r"\bbulkhead\b",
)
# fmt: on
_NEVER = re.compile(r"(?!)")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(?:\[[ xX]\]\s+)?(.+)$")
_DETECTING = _re(r"\b(alerts?|fires|fired|paged|pages|reported|reports|tickets?|noticed|synthetic)")


def _flat(text: str) -> str:
    return " ".join(text.split())


def items(text: str) -> list[str]:
    """The list items of a Markdown section, or its sentences when it has no list."""
    found = [_flat(m.group(1)) for line in text.splitlines() if (m := _LIST_ITEM.match(line))]
    if found:
        return found
    return sentences(text)


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


def _counts(values: Iterable[str | None]) -> tuple[tuple[str, int], ...]:
    counter = Counter(v or NOT_RECORDED for v in values)
    return tuple(sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])))


def detection_method(incident: Incident) -> str:
    """How the incident was noticed: as recorded, else read from the source or the timeline."""
    if incident.detection.method:
        return incident.detection.method
    return _method_read(incident)


def _read_method(incident: Incident) -> str:
    texts = [incident.detection.source or ""]
    texts += [e.text for e in incident.timeline if _DETECTING.search(e.text)][:1]
    for text in texts:
        low = text.lower()
        if re.search(r"customer|support|ticket|complain", low):
            return CUSTOMER
        if "synthetic" in low or "probe" in low:
            return "synthetic-check"
        if re.search(r"alert|pager|page|fire|grafana|opsgenie", low):
            return "alert"
        if low:
            return "internal-report"
    return NOT_RECORDED


def first_signal(incident: Incident) -> str | None:
    """The alert or source that noticed first, as a short name."""
    source = (incident.detection.source or "").strip()
    if source:
        system, _, name = source.partition(":")
        return name.strip() if name.strip() and " " not in system.strip() else source.lower()
    texts = [incident.section("detection")]
    texts += [e.text for e in incident.timeline if _DETECTING.search(e.text)][:1]
    for text in texts:
        found = alerts([text])
        if found:
            return found[0]
    return None


def _by_customers(methods: Mapping[str, str]) -> tuple[tuple[str, ...], float | None]:
    """(incidents customers noticed first, their share of those whose detection is known)."""
    known = [i for i, method in methods.items() if method not in (NOT_RECORDED,)]
    by_customers = tuple(sorted(i for i in known if methods[i] == CUSTOMER))
    return by_customers, round(len(by_customers) / len(known), 3) if known else None


def detection_summary(members: Sequence[Incident]) -> DetectionSummary:
    """How a group of incidents was detected, how fast, and by whom first."""
    methods = {m.id: detection_method(m) for m in members}
    ttds = {m.id: t for m in members if (t := timings(m).ttd) is not None}
    by_customers, share = _by_customers(methods)
    return DetectionSummary(
        methods=_counts(methods[m.id] for m in members),
        first_signals=_counts(first_signal(m) for m in members),
        median_ttd=statistics.median(ttds.values()) if ttds else None,
        ttd_known=len(ttds),
        by_customers=by_customers,
        customer_share=share,
        slowest=tuple(sorted(ttds.items(), key=lambda kv: (-kv[1], kv[0]))[:3]),
    )


@dataclass(frozen=True)
class Tallies:
    """The counts of a synthesis alone: what a whole corpus is summed up by."""

    categories: tuple[tuple[str, int], ...]
    triggers: tuple[tuple[str, int], ...]
    methods: tuple[tuple[str, int], ...]  # how it was detected, most first
    customer_share: float | None  # of incidents whose detection is known


def tallies(members: Sequence[Incident]) -> Tallies:
    """Root-cause categories, triggers and detection methods of a group, as its synthesis
    counts them, without merging its statements (the costly part of a synthesis)."""
    methods = {m.id: detection_method(m) for m in members}
    return Tallies(
        categories=_counts(m.root_cause.category for m in members),
        triggers=_counts(m.trigger for m in members),
        methods=_counts(methods[m.id] for m in members),
        customer_share=_by_customers(methods)[1],
    )


def _theme_hits(incident: Incident, said: Sequence[tuple[str, str]], theme: Theme) -> list[str]:
    hits = [
        text
        for field, text in said
        if (theme.from_actions or not field.startswith("action:")) and theme.pattern.search(text)
    ]
    if theme.id == "detection-gap" and detection_method(incident) == CUSTOMER:
        hits.append(f"Customers noticed first ({first_signal(incident) or 'customer report'}).")
    if theme.id == "runbook-gap" and incident.runbook_helpful is False:
        hits.append(f"The runbook used ({incident.runbook_used or 'unnamed'}) did not help.")
    return hits


# theme id -> the statements that show it, for one incident: `themes_of`, or a stored copy.
Themes = Callable[[Incident], Mapping[str, list[str]]]


def themes_of(incident: Incident) -> dict[str, list[str]]:
    """theme id -> the statements of the incident that show the theme."""
    return _themes_kept(incident)


def _themes(incident: Incident) -> dict[str, list[str]]:
    said = statements(incident)
    return {t.id: hits for t in THEMES if (hits := _theme_hits(incident, said, t))}


def matches(
    incidents: Iterable[Incident], themes: Themes = themes_of
) -> dict[str, dict[str, list[str]]]:
    """theme id -> incident id -> the statements that show the theme."""
    out: dict[str, dict[str, list[str]]] = {t.id: {} for t in THEMES}
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
    key: str, members: Sequence[Incident], themes: Themes = themes_of
) -> PatternSynthesis:
    """The synthesis of any group of incidents: a pattern, a service, the whole corpus."""
    members = sorted(members, key=lambda m: m.id)
    causes = tuple(dedupe((m.id, cause_text(m)) for m in members))
    contributing = tuple(dedupe((m.id, f) for m in members for f in factors(m)))
    hits = matches(members, themes)
    resilience = []
    for theme in THEMES:
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
        categories=_counts(m.root_cause.category for m in members),
        contributing_factors=contributing,
        triggers=_counts(m.trigger for m in members),
        detection=detection_summary(members),
        resilience_failures=tuple(resilience),
        whys=_why_chain(members, primary, contributing),
    )


def synthesize(
    incidents: Sequence[Incident], patterns: Sequence[Pattern]
) -> dict[str, PatternSynthesis]:
    """pattern id -> its root-cause synthesis."""
    by_id = {i.id: i for i in incidents}
    return {
        p.id: synthesize_group(p.id, [by_id[i] for i in p.incidents if i in by_id])
        for p in sorted(patterns, key=lambda p: p.id)
    }


def _groups(ids: Iterable[str], of: Mapping[str, str]) -> set[str]:
    return {of.get(i, f"one-off:{i}") for i in ids}


def _slug(text: str, words: int = 6) -> str:
    return "-".join(re.findall(r"[a-z0-9]+", text.lower())[:words]) or "issue"


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
    themes: Themes = themes_of,
    value: Store = _computed,
) -> list[SystemicIssue]:
    """Causes recurring across patterns, ranked by frequency × impact, then id.

    `themes` is `themes_of` or a function giving the same from a store: matching every
    incident against the lexicon is most of the cost. `value(kind, inputs, compute)` is
    `compute()`, or a store of it keyed by inputs: each lexicon issue is a function of its
    theme's matches and their incidents, and a new incident reaches few themes.
    """
    by_id = {i.id: i for i in incidents}
    of = {i: p.id for p in patterns for i in p.incidents}
    found = matches(incidents, themes)
    out = []
    for theme in THEMES:
        hits = found[theme.id]
        if len(hits) < 2 or len(_groups(hits, of)) < 2:
            continue
        ids = sorted(hits)
        inputs = (theme.id, hits, [by_id[i] for i in ids], [of.get(i) for i in ids])
        out.append(value("systemic-issue", inputs, partial(_issue, theme, hits, by_id, of)))
    # Factors and whys that recur across patterns in words no theme knows.
    said = [(i.id, t) for i in incidents for t in (*factors(i), *whys(i))]
    taken = {issue.id for issue in out}
    for finding in dedupe(said):
        if len(finding.incidents) < 2 or len(_groups(finding.incidents, of)) < 2:
            continue
        ident = "recurring-" + _slug(finding.text)
        if ident in taken or any(t.pattern.search(finding.text) for t in THEMES):
            continue
        taken.add(ident)
        theme = Theme(
            ident,
            finding.text.rstrip("."),
            _NEVER,
            "Remove the cause everywhere it recurs, not only where it hit.",
            architectural=bool(ARCHITECTURE.search(finding.text)),
            from_actions=False,
        )
        out.append(
            _issue(
                theme, {i: [finding.text] for i in finding.incidents}, by_id, of, origin="cluster"
            )
        )
    return sorted(out, key=lambda s: (-s.score, s.id))


def _node(prefix: str, ident: str) -> str:
    return prefix + re.sub(r"[^A-Za-z0-9]+", "_", ident).strip("_")


def _label(text: str) -> str:
    return text.replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")


def cause_symptom_map(
    incidents: Sequence[Incident],
    patterns: Sequence[Pattern],
    systemic: Sequence[SystemicIssue],
    min_edge: int = 2,
) -> str:
    """A Mermaid `flowchart LR`: systemic causes on the left, the patterns they produce right."""
    # Edges carry incident counts; those below `min_edge` are left out so the diagram stays
    # readable (the systemic articles list every incident).
    known = {i.id for i in incidents}
    of = {i: p.id for p in patterns for i in p.incidents if i in known}
    titles = {p.id: p.title for p in patterns}
    sizes = Counter(of.values())
    causes, edges, used = [], [], set()
    for issue in systemic:
        per = Counter(of.get(i, "") for i in issue.incidents if i in known)
        kept = sorted(
            ((p, n) for p, n in per.items() if n >= min_edge), key=lambda x: (-x[1], x[0])
        )
        if not kept:
            continue
        node = _node("c_", issue.id)
        causes.append(f'    {node}["{_label(issue.title)} · score {issue.score:g}"]')
        for pid, count in kept:
            used.add(pid)
            edges.append(f"    {node} -->|{count}| {_node('p_', pid) if pid else 'o_one_off'}")
    symptoms = [
        f'    {_node("p_", pid)}(["{_label(titles[pid])} · {sizes[pid]} incidents"])'
        for pid in sorted(p for p in used if p)
    ]
    if "" in used:
        symptoms.append('    o_one_off(["One-off incidents"])')
    return "\n".join(["flowchart LR", *causes, *symptoms, *edges]) + "\n"


# An incident's themes do not depend on the group it is read in (a pattern, a service, the
# corpus), and each incident is read in several; how it was detected is asked by every report,
# tally and systemic issue: each is worked out once per incident.
_themes_kept = PerIncident(_themes)
_method_read = PerIncident(_read_method)
