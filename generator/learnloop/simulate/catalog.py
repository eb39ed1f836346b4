"""What the simulated platform is made of: services, people, failure patterns, phrasings.

Every narrative pool is tagged by writing style ("main" or "alt"). The two styles describe
the same failures with disjoint title and narrative templates, so a clustering engine tuned
on one can be scored on text written differently. Commands, log lines and alert names are
shared: they are what systems print, not how people write.

A pattern has cause variants (a slow query and a scale-out both exhaust a pool). A template
may start with a tag such as `0,2|` (only for those variants), `pre|` or `post|` (only
before or after the pattern's fix landed); untagged templates fit every incident.

Templates use `{name}` placeholders filled from an incident's context; braces that do not
name a context key (PromQL label matchers, JSON, jsonpath) are left alone.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

STYLES = ("main", "alt")

Styled = Mapping[str, tuple[str, ...]]
Context = dict[str, object]


def st(main: tuple[str, ...], alt: tuple[str, ...] = ()) -> dict[str, tuple[str, ...]]:
    """A pool of templates per writing style; `alt` falls back to `main` when empty."""
    return {"main": main, "alt": alt or main}


@dataclass(frozen=True)
class Step:
    """A diagnosis or mitigation step: narrative per style, plus a copy-pasteable command."""

    main: str
    alt: str
    cmd: str = ""
    only: str = ""  # a variant tag such as "0,2" or "post": when the step makes sense

    def text(self, style: str) -> str:
        """The narrative for a writing style."""
        return self.alt if style == "alt" else self.main


@dataclass(frozen=True)
class Action:
    """An action item template; `owner` may be `{team}` (the primary service's owner)."""

    kind: str
    owner: str
    main: str
    alt: str
    effort: tuple[float, ...] = (1, 2, 3)

    def title(self, style: str) -> str:
        """The title for a writing style."""
        return self.alt if style == "alt" else self.main


@dataclass(frozen=True)
class Service:
    """A service of the platform: owner team, tier, CamelCase for alert names, namespace."""

    name: str
    team: str
    tier: int
    camel: str
    ns: str


@dataclass(frozen=True)
class Person:
    """A responder: a stable cast member with a role and the failures they usually work on."""

    name: str
    role: str
    regulars: tuple[str, ...] = ()


@dataclass(frozen=True)
class Pattern:
    """A failure: recurring when `weight` > 0, else a one-off described by the same fields."""

    slug: str
    weight: float
    targets: tuple[Mapping[str, str], ...]
    triggers: tuple[str, ...]
    category: str
    severity: tuple[float, float, float, float, float]  # P0..P4
    ttr_median: float  # minutes
    detection: tuple[tuple[str, float], ...]
    alerts: tuple[str, ...]
    logs: tuple[str, ...]
    short: tuple[str, ...]  # how a customer or colleague would name the symptom
    titles: Styled
    symptoms: Styled
    causes: Styled
    fixes: Styled
    starts: Styled
    factors: Styled
    lessons: Styled
    diagnosis: tuple[Step, ...]
    mitigation: tuple[Step, ...]
    actions: tuple[Action, ...]  # the first `prevent` item is the fix that may be completed
    tags: tuple[str, ...]
    roles: tuple[str, ...]
    whys: Mapping[str, tuple[tuple[str, ...], ...]] = field(default_factory=dict)
    impacts: Styled = field(default_factory=dict)  # when the generic impact wording does not fit
    params: Mapping[str, tuple[object, ...]] = field(default_factory=dict)
    derive: Callable[[Context, random.Random], None] | None = None
    variants: tuple[str, ...] = ()  # the trigger of each cause variant, in `causes` order
    fix_works: bool = True
    fix_done: bool = True
    hours: tuple[int, ...] = ()  # preferred start hours (UTC); empty means office-hours bias
    slow_burn: bool = False  # may be noticed days later and written up with a date only
    customer_facing: bool = True
    revenue: bool = False  # whether lost orders are usually counted


# --- the platform ----------------------------------------------------------------------

SERVICES: tuple[Service, ...] = (
    Service("api-gateway", "platform", 1, "ApiGateway", "edge"),
    Service("auth-db", "dba-team", 1, "AuthDb", "identity"),
    Service("auth-svc", "identity-team", 1, "Auth", "identity"),
    Service("cart-db", "dba-team", 1, "CartDb", "checkout"),
    Service("cart-svc", "checkout-team", 1, "Cart", "checkout"),
    Service("catalog-db", "dba-team", 2, "CatalogDb", "catalog"),
    Service("catalog-svc", "catalog-team", 2, "Catalog", "catalog"),
    Service("cdn-edge", "platform", 1, "CdnEdge", "edge"),
    Service("checkout-api", "checkout-team", 1, "Checkout", "checkout"),
    Service("inventory-db", "dba-team", 2, "InventoryDb", "inventory"),
    Service("inventory-svc", "fulfilment-team", 2, "Inventory", "inventory"),
    Service("k8s-platform", "platform", 1, "Kubernetes", "kube-system"),
    Service("kafka", "data-platform", 2, "Kafka", "kafka"),
    Service("notifications-worker", "messaging-team", 3, "Notifications", "notifications"),
    Service("orders-api", "orders-team", 1, "Orders", "orders"),
    Service("orders-db", "dba-team", 1, "OrdersDb", "orders"),
    Service("payments-db", "dba-team", 1, "PaymentsDb", "payments"),
    Service("payments-gateway", "payments-team", 1, "PaymentsGateway", "payments"),
    Service("redis-cache", "platform", 2, "Redis", "cache"),
    Service("search-api", "search-team", 2, "Search", "search"),
    Service("search-cluster", "search-team", 2, "SearchCluster", "search"),
    Service("warehouse-sync", "fulfilment-team", 3, "WarehouseSync", "inventory"),
)
SERVICE_BY_NAME: dict[str, Service] = {s.name: s for s in SERVICES}

# Cells (regional copies of the platform) used when a large corpus needs more services.
CELLS = ("eu1", "us1", "ap1", "eu2", "us2", "ap2", "eu3", "us3", "sa1", "me1", "af1", "ca1")

PEOPLE: tuple[Person, ...] = (
    Person("Priya Raman", "incident-commander", ("db-connection-pool-exhaustion",)),
    Person("Marco Rossi", "incident-commander", ("third-party-payment-provider-outage",)),
    Person("Olu Adeyemi", "incident-commander", ("k8s-node-pressure-eviction",)),
    Person("Carmen Ortiz", "incident-commander", ("bad-config-push",)),
    Person("Henrik Lund", "incident-commander", ("kafka-consumer-lag",)),
    Person(
        "Tomasz Nowak",
        "database",
        ("db-connection-pool-exhaustion", "cron-job-thundering-herd", "disk-full-logs"),
    ),
    Person("Jonas Berg", "database", ("db-connection-pool-exhaustion", "disk-full-logs")),
    Person("Aisha Bello", "sre", ("dns-resolution-failure", "k8s-node-pressure-eviction")),
    Person("Daniel Okafor", "sre", ("tls-certificate-expiry", "cdn-purge-origin-overload")),
    Person("Ines Carvalho", "sre", ("redis-cache-eviction-storm", "memory-leak-oom-kill")),
    Person("Pedro Santos", "sre", ("disk-full-logs", "k8s-node-pressure-eviction")),
    Person("Kenji Watanabe", "platform", ("k8s-node-pressure-eviction", "dns-resolution-failure")),
    Person("Viktor Horvath", "platform", ("bad-config-push", "k8s-node-pressure-eviction")),
    Person("Ravi Menon", "networking", ("dns-resolution-failure", "rate-limiter-misconfiguration")),
    Person("Sofia Alvarez", "payments", ("third-party-payment-provider-outage",)),
    Person("Samuel Adjei", "payments", ("third-party-payment-provider-outage",)),
    Person("Hannah Schmidt", "search", ("memory-leak-oom-kill", "kafka-consumer-lag")),
    Person("Lucas Pereira", "backend", ("deploy-regression-rollback", "bad-config-push")),
    Person(
        "Fatima Zahra", "backend", ("cron-job-thundering-herd", "db-connection-pool-exhaustion")
    ),
    Person("Yuki Tanaka", "backend", ("cdn-purge-origin-overload", "redis-cache-eviction-storm")),
    Person("Mei Lin", "data", ("kafka-consumer-lag",)),
    Person("Arjun Shah", "data", ("kafka-consumer-lag", "cron-job-thundering-herd")),
    Person(
        "Elena Petrova", "security", ("tls-certificate-expiry", "rate-limiter-misconfiguration")
    ),
    Person("Lena Novak", "backend", ("rate-limiter-misconfiguration", "tls-certificate-expiry")),
    Person("Noah Fischer", "release", ("deploy-regression-rollback", "bad-config-push")),
    Person("Grace Kim", "communications"),
    Person("Chloe Martin", "support"),
)

SEVERITIES = ("P0", "P1", "P2", "P3", "P4")

# Writing habits per owning team: which document shape they reach for, how they write
# timeline bullets, whether they wrap lines and which severity spelling they use.
TEAM_HABITS: dict[str, dict[str, object]] = {
    "checkout-team": {"form": "full", "clock": "dash", "wrap": True, "sev": "P"},
    "orders-team": {"form": "narrative", "clock": "utc", "wrap": False, "sev": "P"},
    "payments-team": {"form": "full", "clock": "date", "wrap": True, "sev": "P"},
    "dba-team": {"form": "terse", "clock": "bold", "wrap": False, "sev": "SEV"},
    "platform": {"form": "terse", "clock": "dash", "wrap": False, "sev": "P"},
    "search-team": {"form": "narrative", "clock": "bold", "wrap": True, "sev": "P"},
    "catalog-team": {"form": "full", "clock": "utc", "wrap": False, "sev": "P"},
    "identity-team": {"form": "terse", "clock": "date", "wrap": False, "sev": "SEV"},
    "data-platform": {"form": "yaml", "clock": "dash", "wrap": False, "sev": "P"},
    "messaging-team": {"form": "terse", "clock": "utc", "wrap": False, "sev": "sev"},
    "fulfilment-team": {"form": "narrative", "clock": "dash", "wrap": True, "sev": "P"},
}

# Section headings as teams write them; the first entries are the house style of "main",
# the later ones what the held-out "alt" style leans on.
HEADINGS: dict[str, dict[str, tuple[str, ...]]] = {
    "summary": {"main": ("Summary", "Summary", "Overview"), "alt": ("What happened", "TL;DR")},
    "impact": {"main": ("Impact", "Impact", "Customer impact"), "alt": ("User impact", "Impact")},
    "timeline": {"main": ("Timeline", "Timeline", "Sequence of events"), "alt": ("Chronology",)},
    "detection": {"main": ("Detection",), "alt": ("How we noticed", "How it was detected")},
    "root_cause": {
        "main": ("Root cause", "Root cause", "Cause", "Root Cause"),
        "alt": ("Why it happened", "What went wrong", "Root cause analysis"),
    },
    "factors": {"main": ("Contributing factors",), "alt": ("What made it worse", "Contributors")},
    "whys": {"main": ("Five whys", "5 Whys"), "alt": ("Whys", "The five whys")},
    "investigation": {"main": ("Investigation", "Diagnosis"), "alt": ("What we checked",)},
    "resolution": {
        "main": ("Resolution", "Resolution", "Remediation"),
        "alt": ("How we fixed it", "Recovery", "The fix"),
    },
    "lessons": {"main": ("Lessons learned", "Lessons learned", "Learnings"), "alt": ("Takeaways",)},
    "actions": {"main": ("Action items", "Action items", "Follow-ups"), "alt": ("Next steps",)},
}

ALL_TIMES = st(("All times UTC.", "All times UTC.", "Times are UTC."), ("Times in UTC.",))

# --- generic narrative pools -------------------------------------------------------------

DETECT_EVENTS: dict[str, Styled] = {
    "alert": st(
        (
            "Alert `{alert}` fires.",
            "`{alert}` fires and pages the on-call.",
            "PagerDuty pages the on-call: `{alert}`.",
            "Alert `{alert}` fires after five minutes above its threshold.",
        ),
        (
            "Monitoring raises `{alert}`; on-call paged.",
            "Page received for `{alert}`.",
            "`{alert}` goes red and the primary on-call gets paged.",
        ),
    ),
    "customer-report": st(
        (
            "Support escalates customer reports of {short}.",
            "First customer tickets about {short} reach the support channel.",
        ),
        (
            "Customer care flags a rising number of complaints about {short}.",
            "Support lead reports in #incidents: customers report {short}.",
        ),
    ),
    "synthetic-check": st(
        ("Synthetic check `{synthetic}` fails from two regions.", "Synthetic `{synthetic}` fails."),
        ("Probe `{synthetic}` starts failing; page sent.", "Uptime probe `{synthetic}` alerts."),
    ),
    "internal-report": st(
        (
            "An engineer in #eng-help reports {short}.",
            "A developer notices {short} on a dashboard and raises it.",
        ),
        (
            "Someone from {team} reports {short} in #incidents.",
            "Internal report in #ops: {short}.",
        ),
    ),
}

ACK_EVENTS = st(
    (
        "{ic} acknowledges and opens #inc-{idl}.",
        "{ic} acknowledges the page.",
        "{ic} acknowledges and takes incident command.",
    ),
    (
        "{ic} picks up the page (acknowledged) and starts a channel.",
        "On-call ({ic}) acknowledges; incident channel #inc-{idl} opened.",
    ),
)
JOIN_EVENTS = st(
    ("{expert} joins to help with {focus}.", "{ic} pulls in {expert} ({role})."),
    ("{expert} from {role} joins the call.", "{expert} is brought in for {focus}."),
)
RESOLVED_EVENTS = st(
    (
        "Error rate at baseline for 20 minutes; incident resolved.",
        "Metrics back to normal; resolved.",
        "Monitoring confirms recovery; incident resolved.",
    ),
    (
        "All signals green for 15 minutes; we call it resolved.",
        "Recovery confirmed; IC declares the incident resolved.",
        "Back to steady state; incident resolved.",
    ),
)
TRIGGER_EVENTS: dict[str, Styled] = {
    "deploy": st(
        ("Deploy of {svc} starts.", "{svc} release rolls out to production."),
        ("A new {svc} build begins rolling out.", "Release train ships {svc}."),
    ),
    "config-change": st(
        ("PR #{pr} for {svc} merged; config rollout starts.",),
        ("Settings change PR #{pr} for {svc} approved and merged.",),
    ),
    "traffic-spike": st(
        (
            "Traffic to {edge} climbs to {traffic_x}x the usual level.",
            "Marketing campaign goes out; {edge} traffic doubles.",
        ),
        ("Request volume on {edge} surges ({traffic_x}x normal).",),
    ),
    "hardware": st(
        ("Cloud provider reports degraded hardware on one host.",),
        ("Provider notice: a host in our zone has a failing component.",),
    ),
}
DETECTION_TEXT = st(
    (
        "The first signal was {detect_desc}, {ttd} minutes after the start.",
        "Detected by {detect_desc} after {ttd} minutes.",
        "{detect_desc_cap} caught it {ttd} minutes in.",
    ),
    (
        "We learned about it from {detect_desc}, {ttd} minutes in.",
        "It took {ttd} minutes before {detect_desc} told us.",
    ),
)
DETECT_DESC: dict[str, Styled] = {
    "alert": st(("the `{alert}` alert", "alert `{alert}`"), ("a page for `{alert}`",)),
    "customer-report": st(
        ("customer reports via support",), ("complaints reaching customer care",)
    ),
    "synthetic-check": st(("the `{synthetic}` synthetic check",), ("our uptime probe",)),
    "internal-report": st(("an engineer's report",), ("a colleague's message in #incidents",)),
    "none": st(("nobody, at the time",), ("no signal at all",)),
}
IMPACT_TEXT = st(
    (
        "{pct}% of {edge} requests failed for {impact_mins} minutes.",
        "About {customers} customers were affected over {impact_mins} minutes.",
        "{customers} customers saw errors or timeouts for {impact_mins} minutes.",
    ),
    (
        "Roughly {customers} shoppers hit errors during a {impact_mins}-minute window.",
        "{edge} error ratio peaked at {pct}% for {impact_mins} minutes.",
    ),
)
NO_IMPACT_TEXT = st(
    ("No direct customer impact.", "Internal impact only; customers were not affected."),
    ("Customers did not notice.", "Nothing customer-visible."),
)
REVENUE_TEXT = st(
    ("About ${revenue} of orders were lost or delayed.", "Estimated ${revenue} in lost orders."),
    ("Roughly ${revenue} of sales did not complete.",),
)
SLA_TEXT = st(
    ("The {edge} availability SLO (99.9% monthly) was breached.",),
    ("This used up more than the monthly error budget for {edge}.",),
)
RUNBOOK_GOOD = st(
    (
        "The {runbook} runbook was used and cut diagnosis to minutes.",
        "Following the {runbook} runbook got us to the cause quickly.",
    ),
    ("The existing {runbook} runbook paid off: its first two checks found the cause.",),
)
RUNBOOK_BAD = st(
    (
        "The {runbook} runbook was used but was out of date: its dashboard link is gone.",
        "The {runbook} runbook did not match this variant and cost us time.",
    ),
    ("The {runbook} runbook misled us: its commands assumed the old namespace.",),
)
POST_FIX_FACTORS = st(
    (
        "The fix from {origin_id} is in place, yet the failure came back through another path.",
        "{origin_id}'s follow-up shipped, but did not cover {svc}.",
    ),
    ("The earlier remediation ({origin_id}) did not prevent this one.",),
)
WONTFIX_REASONS = (
    "Superseded by the platform migration planned for next quarter.",
    "Cost outweighs the benefit at current traffic.",
    "Covered by another action item.",
    "The component is being decommissioned.",
    "Vendor does not support it.",
    "Not worth it after the architecture change.",
)
DETECTION_SOURCES: dict[str, tuple[str, ...]] = {
    "alert": (
        "alertmanager: {alert}",
        "alertmanager: {alert}",
        "pagerduty: {alert}",
        "grafana: {alert}",
    ),
    "customer-report": ("support tickets", "customer support chat", "support escalation"),
    "synthetic-check": ("checkly: {synthetic}", "blackbox-exporter: {synthetic}"),
    "internal-report": ("#eng-help", "on-call dashboard review", "#incidents"),
    "none": ("post-hoc review",),
}
SYNTHETICS = ("checkout-flow", "{edge}-smoke", "product-page", "login-flow", "{edge}-health")
CALENDAR = (  # (month, first day, last day, tag)
    (3, 10, 24, "spring-sale"),
    (7, 8, 21, "summer-sale"),
    (11, 20, 30, "black-friday"),
    (12, 1, 3, "cyber-monday"),
    (12, 10, 23, "holiday-peak"),
)

# --- recurring failure patterns ------------------------------------------------------------

_KUBE_RESTART = "kubectl rollout restart deployment/{svc} -n {ns}"
_KUBE_UNDO = "kubectl rollout undo deployment/{svc} -n {ns}"
_ERRORS_5XX = 'sum(rate(http_requests_total{service="{edge}",code=~"5.."}[5m]))'


def _pool(ctx: Context, rng: random.Random) -> None:
    pods, pool = int(str(ctx["pods"])), int(str(ctx["pool"]))
    ctx["want"] = pods * pool
    ctx["used"] = int(str(ctx["maxconn"])) - rng.randint(0, 3)
    ctx["pods_safe"] = max(8, int(str(ctx["maxconn"])) // pool - 2)
    ctx["pods_before"] = max(4, pods // 3)
    ctx["pool_old"] = max(5, pool // 2)


DB_POOL = Pattern(
    slug="db-connection-pool-exhaustion",
    variants=("traffic-spike", "capacity", "deploy", "deploy"),
    weight=1.25,
    targets=(
        {"svc": "orders-api", "dep": "orders-db", "edge": "checkout-api"},
        {"svc": "payments-gateway", "dep": "payments-db", "edge": "checkout-api"},
        {"svc": "inventory-svc", "dep": "inventory-db", "edge": "orders-api"},
        {"svc": "checkout-api", "dep": "orders-db", "edge": "checkout-api"},
        {"svc": "cart-svc", "dep": "cart-db", "edge": "checkout-api"},
    ),
    triggers=("traffic-spike", "traffic-spike", "deploy", "capacity", "capacity"),
    category="capacity",
    severity=(0.03, 0.2, 0.45, 0.27, 0.05),
    ttr_median=55,
    detection=(("alert", 0.75), ("customer-report", 0.15), ("synthetic-check", 0.1)),
    alerts=("{Edge}HighErrorRate", "{Svc}DbPoolSaturated", "{Dep}ConnectionsNearLimit"),
    logs=(
        "FATAL: sorry, too many clients already",
        "HikariPool-1 - Connection is not available, request timed out after 30000ms",
        "remaining connection slots are reserved for non-replication superuser connections",
        "pq: sorry, too many clients already",
    ),
    short=("failed checkouts", "checkout timeouts", "errors when placing orders"),
    params={
        "pool": (20, 25, 30, 40),
        "pods": (24, 28, 32, 36, 38, 42),
        "maxconn": (200, 300, 400, 450),
        "p99": (4, 8, 12, 30),
    },
    derive=_pool,
    titles=st(
        (
            "Checkout 5xx after {svc} exhausted its database connection pool",
            "{svc} ran out of DB connections to {dep}",
            "{dep}: too many clients, {edge} errors",
            "0|HikariCP timeouts in {svc} during peak traffic",
            "Connection pool exhaustion on {svc} caused checkout failures",
            "{edge} errors: {svc} could not get connections to {dep}",
        ),
        (
            "No free sessions on {dep}; {svc} requests stalled",
            "{dep} hit max_connections and {svc} writes piled up",
            "Drained {svc} pool left shoppers waiting",
            "0|Session limit on {dep} reached under autoscaling",
            "Database handle starvation in {svc}",
        ),
    ),
    symptoms=st(
        (
            "{edge} returned HTTP 500 for about {pct}% of requests because {svc} could not get "
            "connections to {dep} (`{log}`).",
            "{svc} ran out of DB connections and {edge} requests failed with 5xx and timeouts.",
            "Requests to {svc} hung on HikariCP timeouts and the {edge} error rate spiked to "
            "{pct}%.",
            "{dep} refused new sessions with `too many clients`, taking {svc} and part of "
            "checkout down.",
        ),
        (
            "The {svc} connection pool was drained; callers queued for a {dep} session until they "
            "gave up, and {edge} surfaced errors to {pct}% of users.",
            "0|{dep} hit its max_connections ceiling. Every new {svc} replica asked for more "
            "sessions than the server would grant, so writes stalled.",
            "Checkout degraded: {svc} threads blocked on acquiring a database handle and the "
            "upstream gave up after its deadline.",
            "No free sessions on {dep}: {svc} saturated the server's connection limit and "
            "requests piled up behind it.",
        ),
    ),
    causes=st(
        (
            "0|Connection pools are per pod, so scaling out multiplies the sessions asked of "
            "{dep}. "
            "{pods} pods with a pool of {pool} need {want} sessions; {dep} allows {maxconn}.",
            "1|A slow query held connections for seconds at a time; the pool of {pool} per pod "
            "emptied and requests waited on HikariCP until they timed out.",
            "2|A deploy of {svc} raised the pool size from {pool_old} to {pool} without checking "
            "the database budget; {dep} ran out of connection slots.",
            "3|Leaked connections: an error path in {svc} never returned connections to the pool, "
            "so it slowly drained until every request timed out.",
        ),
        (
            "0|Each replica of {svc} keeps its own set of {pool} sessions; at {pods} replicas that "
            "demand ({want}) is well past the {maxconn} limit configured on {dep}.",
            "1|Long-running transactions from a report query pinned sessions, and {svc} had no "
            "spare handles for normal traffic.",
            "0|The sum of all client pools across services was never compared with the "
            "server-side limit; the new autoscaling ceiling pushed it over.",
            "2|A release of {svc} doubled its pool size ({pool_old} to {pool}) and {dep} could "
            "not serve that many sessions.",
            "3|Sessions leaked: when a request failed, {svc} never handed its connection back, "
            "and the pool drained over hours.",
        ),
    ),
    fixes=st(
        (
            "0|Lowered the HPA ceiling for {svc} to stop new pods from opening connections, then "
            "restarted the pods that were stuck waiting.",
            "1,2|Killed the idle-in-transaction sessions on {dep}, which freed the pool, and "
            "rolled "
            "back the pool size change.",
            "3|Restarted {svc} to clear leaked connections and shipped a fix that closes "
            "connections on the error path.",
        ),
        (
            "0|Capped the replica count of {svc} and terminated stale sessions; traffic recovered "
            "within minutes.",
            "2|Reverted the pool-size bump and cleared the backlog of blocked sessions on {dep}.",
            "1,3|Bounced the affected pods, which released the held sessions, and raised the "
            "server-side limit temporarily.",
        ),
    ),
    starts=st(
        (
            "{svc} starts timing out on database calls; p99 latency climbs past {p99}s.",
            "0|HPA scales {svc} from {pods_before} to {pods} pods; new pods log `{log}`.",
            "First `{log}` errors in {svc} logs.",
        ),
        (
            "{svc} requests begin to stall waiting for a free connection to {dep}.",
            "0|Pod count for {svc} jumps to {pods}; fresh replicas cannot open sessions on {dep}.",
        ),
    ),
    factors=st(
        (
            "No alert on database session saturation; the first signal was customer-facing 5xx.",
            "0,2|Pool size per pod was never written down next to the HPA ceiling.",
            "The pool acquire timeout (30 s) is longer than the upstream request timeout, so "
            "callers gave up before the pool did.",
            "0|The load test did not include autoscaling, so the combined pool size was never "
            "exercised.",
            "{dep} max_connections was last reviewed two years ago.",
        ),
        (
            "Nobody watches the ratio of used to allowed sessions on {dep}.",
            "0,2|Service and database settings live in separate repositories and are changed by "
            "different teams.",
            "The upstream deadline is shorter than the pool acquire timeout, hiding the real "
            "error behind generic timeouts.",
            "0|Capacity tests ran with a fixed replica count.",
        ),
    ),
    whys={
        "main": (
            (
                "0,2|{edge} failed because {svc} could not get database connections.",
                "Connections ran out because pods times pool size exceeded max_connections on "
                "{dep}.",
                "The product of the two was never checked because they live in different "
                "repositories.",
            ),
            (
                "1|Requests timed out because every connection in the pool was busy.",
                "Connections were busy because a slow query held them for seconds.",
                "The query was slow because a missing index was not caught in review.",
            ),
        ),
        "alt": (
            (
                "0,2|Users saw errors because {svc} had no free sessions.",
                "There were none because demand from all replicas exceeded what {dep} accepts.",
                "Demand grew because autoscaling had no notion of the database limit.",
            ),
            (
                "3|Writes stalled because threads waited on the pool.",
                "The pool was empty because sessions leaked on an exception path.",
                "The leak went unnoticed because pool metrics were on no dashboard.",
            ),
        ),
    },
    lessons=st(
        (
            "0,2|Capacity limits that multiply across services need one owner and one check.",
            "Pool metrics belong on the service dashboard, not only on the database one.",
            "Session saturation is a better early signal than the error rate.",
        ),
        (
            "0|Any autoscaler ceiling must be checked against downstream limits.",
            "Short upstream timeouts hide the real cause; log the acquire timeout explicitly.",
        ),
    ),
    diagnosis=(
        Step(
            "`{cmd}` shows {used} of {maxconn} sessions in use.",
            "Session count on {dep} via `{cmd}`: {used} used, limit {maxconn}.",
            "SELECT count(*) FROM pg_stat_activity;",
        ),
        Step(
            "Grouped sessions by client with `{cmd}`; almost all belong to {svc}.",
            "Breakdown by application (`{cmd}`) points at {svc}.",
            "SELECT application_name, state, count(*) FROM pg_stat_activity "
            "GROUP BY 1, 2 ORDER BY 3 DESC;",
        ),
        Step(
            "`{cmd}` confirms {pods} replicas.",
            "Replica count checked with `{cmd}`: {pods}.",
            "kubectl get hpa {svc} -n {ns}",
            only="0,2",
        ),
        Step(
            "Pending connection requests climbing: `{cmd}`.",
            "`{cmd}` shows threads queued for a connection.",
            'sum(hikaricp_connections_pending{application="{svc}"})',
        ),
        Step(
            "Found long transactions with `{cmd}`.",
            "Oldest open transactions listed with `{cmd}`.",
            "SELECT pid, now() - xact_start AS age, state, left(query, 60) FROM pg_stat_activity "
            "WHERE state <> 'idle' ORDER BY age DESC LIMIT 10;",
            only="1",
        ),
    ),
    mitigation=(
        Step(
            "Lowered HPA max to {pods_safe} (`{cmd}`); errors fall below 1%.",
            "Replica ceiling for {svc} cut to {pods_safe} (`{cmd}`); error rate recovers.",
            """kubectl patch hpa {svc} -n {ns} -p '{"spec":{"maxReplicas":{pods_safe}}}'""",
            only="0",
        ),
        Step(
            "Terminated idle-in-transaction sessions: `{cmd}`.",
            "Killed stuck sessions on {dep} with `{cmd}`.",
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE state = "
            "'idle in transaction' AND now() - state_change > interval '5 minutes';",
            only="1,2",
        ),
        Step(
            "Rolling restart of {svc}: `{cmd}`.",
            "Restarted {svc} pods (`{cmd}`) to release held connections.",
            _KUBE_RESTART,
            only="0,1,3",
        ),
        Step(
            "Rolled back {svc} to the previous release: `{cmd}`.",
            "Reverted the {svc} deploy with `{cmd}`.",
            _KUBE_UNDO,
            only="2,3",
        ),
    ),
    actions=(
        Action(
            "prevent",
            "dba-team",
            "Put pgbouncer in transaction mode in front of {dep}",
            "Introduce a connection pooler for {dep}",
            (3, 5, 8),
        ),
        Action(
            "prevent",
            "platform",
            "Lint HPA max replicas x pool size against the database budget in CI",
            "Check replica ceiling times pool size against the {dep} limit in CI",
            (2, 3),
        ),
        Action(
            "detect",
            "sre",
            "Alert when {dep} sessions exceed 80% of max_connections",
            "Page on {dep} session saturation above 80%",
            (0.5, 1),
        ),
        Action(
            "detect",
            "sre",
            "Add a HikariCP pending-connections panel and alert for {svc}",
            "Dashboard and alert for threads waiting on the {svc} pool",
            (1, 2),
        ),
        Action(
            "mitigate",
            "{team}",
            "Document how to cap HPA replicas during pool exhaustion",
            "Write down the replica-cap procedure for {svc}",
            (0.5, 1),
        ),
        Action(
            "prevent",
            "{team}",
            "Return connections in a finally block on every error path in {svc}",
            "Fix connection handling on exceptions in {svc}",
            (2, 3),
        ),
        Action(
            "process",
            "dba-team",
            "Review max_connections and pool sizes quarterly",
            "Quarterly review of the database connection budget",
            (1,),
        ),
    ),
    tags=("postgres", "hikaricp", "autoscaling", "database", "java", "latency"),
    roles=("database", "backend", "sre"),
    revenue=True,
)


def _tls(ctx: Context, rng: random.Random) -> None:
    ctx["host_secret"] = str(ctx["host"]).replace(".", "-") + "-tls"


TLS = Pattern(
    slug="tls-certificate-expiry",
    variants=("expiry", "expiry", "expiry", "expiry"),
    weight=0.7,
    targets=(
        {"svc": "cdn-edge", "edge": "checkout-api", "host": "www.example.com"},
        {"svc": "payments-gateway", "edge": "checkout-api", "host": "psp-mtls.payments.internal"},
        {"svc": "auth-svc", "edge": "auth-svc", "host": "login.example.com"},
        {"svc": "api-gateway", "edge": "checkout-api", "host": "api.example.com"},
        {"svc": "kafka", "edge": "orders-api", "host": "kafka-broker-2.kafka.svc"},
    ),
    triggers=("expiry",),
    category="process",
    severity=(0.06, 0.34, 0.4, 0.17, 0.03),
    ttr_median=45,
    detection=(("alert", 0.45), ("customer-report", 0.25), ("synthetic-check", 0.3)),
    alerts=("BlackboxProbeFailed", "{Edge}HighErrorRate", "{Svc}TLSHandshakeErrors"),
    logs=(
        "x509: certificate has expired or is not yet valid",
        "SSL routines:tls_process_server_certificate:certificate verify failed",
        "javax.net.ssl.SSLHandshakeException: PKIX path validation failed: validity check failed",
        "remote error: tls: bad certificate",
    ),
    short=("a browser security warning", "login and checkout errors", "failed API calls"),
    params={"days_fail": (9, 17, 26, 41), "issuer": ("the internal CA", "the ACME issuer")},
    derive=_tls,
    titles=st(
        (
            "Expired TLS certificate on {host}",
            "TLS certificate for {host} expired; {edge} down",
            "x509 certificate expired errors calling {svc}",
            "Cert expiry broke {svc} handshakes",
            "{host} served an expired certificate",
        ),
        (
            "{host} certificate lapsed; handshakes rejected",
            "Out-of-date x509 credential took {svc} offline",
            "notAfter passed on {host}, clients refused to connect",
            "Lapsed cert on {svc} endpoint",
        ),
    ),
    symptoms=st(
        (
            "The TLS certificate for {host} expired and clients calling {svc} failed with "
            "`{log}`; {edge} returned 5xx to {pct}% of requests.",
            "Expired certificate on {host}: browsers showed a security warning and API clients "
            "failed the handshake.",
            "Requests to {svc} failed because the mTLS client certificate had expired.",
            "Cert expiry on {host} broke TLS for {svc}; everything behind it timed out or errored.",
        ),
        (
            "{host} started presenting a certificate past its validity window, so every "
            "handshake with {svc} was rejected.",
            "Clients refused to talk to {svc}: the x509 chain was no longer valid once the "
            "notAfter date passed.",
            "A lapsed TLS credential on {host} made {edge} calls fail closed.",
            "The served cert on {host} ran out. Anything speaking TLS to {svc} got handshake "
            "errors.",
        ),
    ),
    causes=st(
        (
            "0|The certificate for {host} was renewed by hand every year and the renewal reminder "
            "went to a shared inbox nobody reads.",
            "1|cert-manager renewed the certificate, but {svc} only reads it at start-up and was "
            "never reloaded.",
            "2|Auto-renewal had failed silently for {days_fail} days because the ACME DNS "
            "challenge "
            "lost its permissions after an IAM change.",
            "3|The intermediate certificate in the bundle expired; the leaf was fine but the chain "
            "was not.",
        ),
        (
            "0|Renewal of the {host} cert depended on one person's calendar reminder, and that "
            "person had changed teams.",
            "1|A renewed secret sat in the cluster, but the process kept serving the old one from "
            "memory.",
            "2|The automated issuer had been failing its challenge for {days_fail} days; no one "
            "looked at its events.",
            "3|The chain we served still contained an intermediate that had run out; clients "
            "rejected it even though the leaf was current.",
        ),
    ),
    fixes=st(
        (
            "0,2|Issued a new certificate from {issuer}, updated the secret and restarted {svc}; "
            "handshakes succeeded immediately.",
            "1,2|Forced a cert-manager renewal and rolled {svc} so it loaded the new certificate.",
            "3|Replaced the expired intermediate in the bundle and redeployed.",
        ),
        (
            "0|Put a fresh certificate in place and reloaded the listener; clients reconnected.",
            "1,2|Triggered a manual reissue and bounced the pods to pick up the new key pair.",
            "3|Rebuilt the chain with the current intermediate and pushed it out.",
        ),
    ),
    starts=st(
        (
            "Certificate for {host} expires; TLS handshakes to {svc} start failing.",
            "{edge} begins logging `{log}`.",
        ),
        (
            "The {host} cert passes its notAfter date; clients reject the handshake.",
            "Handshake failures appear in {edge} logs.",
        ),
    ),
    factors=st(
        (
            "The expiry alert existed but routed to a muted channel.",
            "No synthetic check validates the certificate chain.",
            "1|Renewal ran but nothing reloaded the process.",
            "0|Certificates for partner mTLS are outside cert-manager.",
            "0|Expiry dates were tracked in a spreadsheet.",
        ),
        (
            "Warnings about the coming expiry went to a place nobody watches.",
            "Nothing probes the chain the way clients see it.",
            "0|Partner-facing certificates are managed by hand.",
        ),
    ),
    whys={
        "main": (
            (
                "0|Clients failed because the certificate on {host} had expired.",
                "It expired because renewal was manual and the reminder was missed.",
                "Renewal was manual because the endpoint predates cert-manager.",
            ),
        ),
        "alt": (
            (
                "1|Handshakes failed because {host} served a lapsed certificate.",
                "The new certificate existed but the process never reloaded it.",
                "Reloading was never automated because renewals used to be yearly.",
            ),
        ),
    },
    lessons=st(
        (
            "Every certificate needs an owner, automation and an alert well before expiry.",
            "1|Renewal is not done until the serving process has loaded the new certificate.",
        ),
        (
            "Probe certificates from the outside, the way clients see them.",
            "0|Manual yearly tasks get forgotten; automate or calendar them for a team.",
        ),
    ),
    diagnosis=(
        Step(
            "`{cmd}` shows notAfter in the past.",
            "Checked validity dates with `{cmd}`: expired.",
            "openssl s_client -connect {host}:443 -servername {host} </dev/null 2>/dev/null "
            "| openssl x509 -noout -dates",
        ),
        Step(
            "`{cmd}` shows the Certificate not Ready.",
            "Certificate resource status via `{cmd}`: renewal failing.",
            "kubectl get certificate -n {ns}",
            only="2",
        ),
        Step(
            "Issuer events with `{cmd}` show the failed challenge.",
            "Looked at issuer events: `{cmd}`.",
            "kubectl describe certificaterequest -n {ns}",
            only="2",
        ),
        Step(
            "Expiry metric confirms it: `{cmd}`.",
            "`{cmd}` is negative for {host}.",
            'probe_ssl_earliest_cert_expiry{instance="{host}:443"} - time()',
        ),
        Step(
            "Verified the chain with `{cmd}`.",
            "Chain check with `{cmd}` fails on the intermediate.",
            "openssl verify -untrusted chain.pem leaf.pem",
            only="3",
        ),
    ),
    mitigation=(
        Step(
            "Applied the renewed certificate: `{cmd}`.",
            "New cert loaded into the secret with `{cmd}`.",
            "kubectl create secret tls {host_secret} -n {ns} --cert=tls.crt --key=tls.key "
            "--dry-run=client -o yaml | kubectl apply -f -",
            only="0,3",
        ),
        Step(
            "Forced renewal: `{cmd}`.",
            "Manual reissue with `{cmd}`.",
            "cmctl renew {host_secret} -n {ns}",
            only="2",
        ),
        Step(
            "Restarted {svc} to load the new certificate: `{cmd}`.",
            "Bounced {svc} (`{cmd}`) so it reads the new cert.",
            _KUBE_RESTART,
        ),
    ),
    actions=(
        Action(
            "prevent",
            "platform",
            "Move {host} to cert-manager with automatic renewal",
            "Automate issuance and renewal for {host}",
            (2, 3, 5),
        ),
        Action(
            "prevent",
            "platform",
            "Reload {svc} automatically when its TLS secret changes",
            "Hot-reload certificates in {svc}",
            (1, 2),
        ),
        Action(
            "detect",
            "sre",
            "Alert 21 days before any certificate expires",
            "Early warning three weeks ahead of expiry for all certs",
            (1,),
        ),
        Action(
            "detect",
            "sre",
            "Add a blackbox TLS probe for {host}",
            "External TLS probe for {host}",
            (0.5,),
        ),
        Action(
            "process",
            "security",
            "Keep an inventory of all certificates with owners",
            "Certificate register with an owner per entry",
            (2, 3),
        ),
    ),
    tags=("tls", "certificates", "cert-manager", "openssl", "security"),
    roles=("sre", "security", "platform"),
    hours=(0, 0, 1, 8, 9, 12, 14),
    revenue=True,
)

KAFKA_LAG = Pattern(
    slug="kafka-consumer-lag",
    variants=("traffic-spike", "traffic-spike", "deploy", "unknown"),
    weight=1.15,
    targets=(
        {
            "svc": "notifications-worker",
            "dep": "kafka",
            "edge": "notifications-worker",
            "topic": "order-events",
            "group": "notifications-worker",
        },
        {
            "svc": "inventory-svc",
            "dep": "kafka",
            "edge": "orders-api",
            "topic": "order-events",
            "group": "inventory-reservations",
        },
        {
            "svc": "search-api",
            "dep": "kafka",
            "edge": "search-api",
            "topic": "catalog-changes",
            "group": "search-indexer",
        },
        {
            "svc": "orders-api",
            "dep": "kafka",
            "edge": "checkout-api",
            "topic": "payment-events",
            "group": "orders-payment-sync",
        },
    ),
    triggers=("traffic-spike", "traffic-spike", "deploy", "capacity", "unknown"),
    category="capacity",
    severity=(0.0, 0.08, 0.42, 0.4, 0.1),
    ttr_median=95,
    detection=(("alert", 0.7), ("customer-report", 0.15), ("internal-report", 0.15)),
    alerts=("KafkaConsumerLagHigh", "{Svc}ProcessingDelay", "KafkaConsumerGroupRebalancing"),
    logs=(
        "consumer poll timeout has expired; sending LeaveGroup request to coordinator",
        "CommitFailedException: Commit cannot be completed since the group has already rebalanced",
        "Attempting to rebalance group {group}",
        "Offset commit failed on partition {topic}-7: The coordinator is not aware of this member",
    ),
    short=("late order confirmations", "stale stock levels", "delayed updates"),
    params={
        "lag": ("180k", "420k", "1.2M", "2.5M"),
        "partitions": (12, 24, 48),
        "consumers": (6, 8, 12),
        "consumers_new": (24, 32, 48),
        "delay_min": (20, 45, 90, 150),
        "drain": (25, 40, 70),
    },
    titles=st(
        (
            "Kafka consumer lag on {topic}; {svc} hours behind",
            "{group} consumer lag grew to {lag} messages",
            "0,2|Delayed {svc} processing: consumer group rebalancing loop",
            "Kafka lag on {topic} delayed order updates",
            "{svc} fell behind on {topic}",
            "Consumer lag alert for {group}",
        ),
        (
            "Backlog of {lag} events piled up on {topic}",
            "0,2|{group} stuck in rebalance; events handled late",
            "Stale downstream data: {svc} could not keep up with the stream",
            "Event processing delay in {svc}",
        ),
    ),
    symptoms=st(
        (
            "Kafka consumer lag on {topic} grew to {lag} messages; {svc} processed events "
            "{delay_min} minutes late.",
            "{svc} fell behind on {topic}: order confirmations and stock updates arrived late and "
            "customers saw stale data.",
            "0,2|Consumer group {group} kept rebalancing and lag climbed to {lag}; downstream data "
            "was delayed.",
            "Lag on {topic} spiked; {edge} showed outdated status and support tickets piled up.",
        ),
        (
            "Events on {topic} were consumed far behind real time (a backlog of {lag}), so {svc} "
            "acted on old information.",
            "0,2|The {group} consumers were stuck in a rebalance loop, and the backlog on {topic} "
            "kept growing.",
            "Processing delay: {svc} handled messages roughly {delay_min} minutes after they were "
            "produced.",
            "The {topic} backlog ballooned to {lag}; downstream views were stale.",
        ),
    ),
    causes=st(
        (
            "0|A slow downstream call inside the consumer loop pushed processing past "
            "max.poll.interval.ms, so consumers were kicked out and the group rebalanced over and "
            "over.",
            "1|Producers outpaced the consumers: {group} ran {consumers} instances against "
            "{partitions} partitions and could not scale further.",
            "2|A deploy of {svc} added a synchronous lookup per message, cutting throughput by two "
            "thirds.",
            "3|A poison message made {svc} retry the same batch in a loop, blocking the partition.",
        ),
        (
            "0|Per-message work exceeded the poll interval, which made the broker evict members "
            "and "
            "reshuffle partitions repeatedly.",
            "1|Partition count capped parallelism at {partitions}; adding pods did nothing.",
            "3|One malformed event kept failing and was retried forever, holding up everything "
            "behind it.",
            "2|A new {svc} release did a blocking lookup for every message and throughput fell by "
            "two thirds.",
        ),
    ),
    fixes=st(
        (
            "0,2|Raised max.poll.interval.ms and cut the batch size so consumers stopped getting "
            "evicted; lag drained in {drain} minutes.",
            "1|Scaled {svc} consumers up to the partition count and let the backlog drain.",
            "3|Skipped the poison message by moving the offset past it and parked it on the "
            "dead-letter topic.",
            "2|Rolled back {svc} to the previous release; lag drained in {drain} minutes.",
        ),
        (
            "0,2|Tuned poll settings and batch size; the group settled and caught up.",
            "1|Added consumers up to the number of partitions; the backlog cleared in {drain} "
            "minutes.",
            "3|Advanced the committed offset beyond the bad record and replayed it later by hand.",
            "2|Reverted the {svc} release; the backlog cleared in {drain} minutes.",
        ),
    ),
    starts=st(
        (
            "Consumer group {group} starts falling behind on {topic}.",
            "0,2|Lag on {topic} begins to grow after a rebalance of {group}.",
        ),
        (
            "{group} stops keeping up with {topic}; offsets commit slowly.",
            "Throughput of {svc} consumers drops; messages pile up on {topic}.",
        ),
    ),
    factors=st(
        (
            "Lag is alerted in messages, not in seconds, so the threshold means little at peak.",
            "0,2|The consumer does a synchronous HTTP call per message.",
            "3|No dead-letter topic, so one bad message blocks a partition.",
            "1|Partition count was sized three years ago.",
        ),
        (
            "The alert threshold is a message count that does not reflect real delay.",
            "0,2|Blocking I/O inside the poll loop.",
            "3|Bad records have nowhere to go.",
        ),
    ),
    whys={
        "main": (
            (
                "0,2|Order updates were late because {group} lagged on {topic}.",
                "It lagged because consumers were evicted for exceeding the poll interval.",
                "Processing was slow because each message waits on a synchronous call.",
            ),
        ),
        "alt": (
            (
                "0,2|Downstream views were stale because the backlog on {topic} grew.",
                "The backlog grew because the group kept rebalancing.",
                "Rebalances happened because batches took longer than the broker allows.",
            ),
        ),
    },
    lessons=st(
        (
            "Measure consumer lag in time, and alert on it.",
            "Keep slow I/O out of the consumer poll loop.",
        ),
        (
            "Delay in seconds is what users feel; message counts are not.",
            "1|Partition count is a hard ceiling on consumer parallelism.",
        ),
    ),
    diagnosis=(
        Step(
            "`{cmd}` shows LAG around {lag} across partitions.",
            "Group state via `{cmd}`: backlog on all partitions.",
            "kafka-consumer-groups --bootstrap-server kafka:9092 --describe --group {group}",
        ),
        Step(
            "Lag graph: `{cmd}`.",
            "`{cmd}` shows the backlog climbing.",
            'sum by (consumergroup) (kafka_consumergroup_lag{consumergroup="{group}"})',
        ),
        Step(
            "Rebalance loop visible in the logs: `{cmd}`.",
            "Counted rebalances with `{cmd}`.",
            "kubectl logs -n {ns} deploy/{svc} --since=30m | grep -c 'Attempting to rebalance'",
            only="0,2",
        ),
        Step(
            "Checked the partition count: `{cmd}`.",
            "Partitions on {topic} per `{cmd}`: {partitions}.",
            "kafka-topics --bootstrap-server kafka:9092 --describe --topic {topic}",
            only="1",
        ),
        Step(
            "Batch processing time from `{cmd}`.",
            "p99 batch duration via `{cmd}`.",
            "histogram_quantile(0.99, sum by (le) "
            '(rate(consumer_batch_duration_seconds_bucket{app="{svc}"}[5m])))',
            only="0,2",
        ),
    ),
    mitigation=(
        Step(
            "Scaled consumers: `{cmd}`.",
            "More consumer replicas with `{cmd}`.",
            "kubectl scale deployment/{svc} -n {ns} --replicas={consumers_new}",
            only="1",
        ),
        Step(
            "Raised the poll interval and lowered the batch size: `{cmd}`.",
            "Tuned poll settings via `{cmd}`.",
            "kubectl set env deployment/{svc} -n {ns} KAFKA_MAX_POLL_INTERVAL_MS=600000 "
            "KAFKA_MAX_POLL_RECORDS=100",
            only="0,2",
        ),
        Step(
            "Skipped the poison message: `{cmd}`.",
            "Moved the offset past the bad record with `{cmd}`.",
            "kafka-consumer-groups --bootstrap-server kafka:9092 --group {group} "
            "--topic {topic}:7 --reset-offsets --shift-by 1 --execute",
            only="3",
        ),
        Step("Rolled back {svc}: `{cmd}`.", "Reverted {svc} with `{cmd}`.", _KUBE_UNDO, only="2"),
    ),
    actions=(
        Action(
            "prevent",
            "data-platform",
            "Increase partitions on {topic} so {group} can scale out",
            "Repartition {topic} for more consumer parallelism",
            (2, 3),
        ),
        Action(
            "prevent",
            "{team}",
            "Move the slow lookup out of the {svc} consumer loop",
            "Make per-message work in {svc} non-blocking",
            (3, 5),
        ),
        Action(
            "detect",
            "sre",
            "Alert on consumer lag in seconds, not messages",
            "Time-based lag alert for {group}",
            (1,),
        ),
        Action(
            "prevent",
            "data-platform",
            "Add a dead-letter topic for {group}",
            "Dead-letter handling for bad records in {group}",
            (2,),
        ),
        Action(
            "mitigate",
            "{team}",
            "Autoscale {svc} on consumer lag with KEDA",
            "Lag-driven autoscaling for {svc}",
            (2, 3),
        ),
        Action(
            "process",
            "data-platform",
            "Capacity review for {topic} before sales events",
            "Pre-sale throughput check for {topic}",
            (1,),
        ),
    ),
    impacts=st(
        (
            "About {customers} customers got late order confirmations or saw stale stock over "
            "{impact_mins} minutes.",
            "Updates reached {customers} customers up to {delay_min} minutes late.",
        ),
        ("Roughly {customers} shoppers saw outdated order status for up to {delay_min} minutes.",),
    ),
    tags=("kafka", "consumers", "event-driven", "keda", "async"),
    roles=("data", "backend", "sre"),
    fix_works=False,
    slow_burn=True,
)


def _redis(ctx: Context, rng: random.Random) -> None:
    ctx["maxmem_new"] = {"4gb": "6gb", "8gb": "12gb", "12gb": "16gb"}[str(ctx["maxmem"])]


REDIS = Pattern(
    slug="redis-cache-eviction-storm",
    variants=("deploy", "capacity", "config-change", "traffic-spike"),
    weight=0.95,
    targets=(
        {"svc": "catalog-svc", "dep": "redis-cache", "edge": "catalog-svc", "origin": "catalog-db"},
        {"svc": "cart-svc", "dep": "redis-cache", "edge": "checkout-api", "origin": "cart-db"},
        {
            "svc": "search-api",
            "dep": "redis-cache",
            "edge": "search-api",
            "origin": "search-cluster",
        },
        {"svc": "auth-svc", "dep": "redis-cache", "edge": "auth-svc", "origin": "auth-db"},
    ),
    triggers=("traffic-spike", "config-change", "capacity", "deploy"),
    category="capacity",
    severity=(0.02, 0.15, 0.48, 0.3, 0.05),
    ttr_median=50,
    detection=(("alert", 0.8), ("customer-report", 0.1), ("synthetic-check", 0.1)),
    alerts=("RedisEvictionsHigh", "RedisMemoryHigh", "{Svc}CacheHitRatioLow", "{Edge}HighLatency"),
    logs=(
        "OOM command not allowed when used memory > 'maxmemory'",
        "redis: connection pool timeout",
        "i/o timeout reading from redis-cache:6379",
    ),
    short=("very slow product pages", "slow pages and timeouts", "users logged out"),
    params={
        "maxmem": ("4gb", "8gb", "12gb"),
        "evicted_rate": ("9k", "14k", "30k"),
        "hit_before": (95, 96, 98),
        "hit_after": (38, 51, 62),
    },
    derive=_redis,
    titles=st(
        (
            "Redis eviction storm emptied the {svc} cache",
            "redis-cache hit maxmemory; {origin} overloaded",
            "Cache hit ratio collapse in {svc} after Redis evictions",
            "{edge} latency spike: Redis evicting hot keys",
            "Redis memory full, mass evictions, {svc} slow",
        ),
        (
            "Shared cache ran out of memory and dropped hot keys",
            "{svc} fell through to {origin} after cache purge by Redis",
            "Key eviction wave on redis-cache",
            "Cache tier memory ceiling hit; backing store swamped",
        ),
    ),
    symptoms=st(
        (
            "Redis started evicting keys at {evicted_rate}/s; the cache hit ratio for {svc} fell "
            "from {hit_before}% to {hit_after}% and the load went straight to {origin}, pushing "
            "{edge} latency up and causing timeouts.",
            "An eviction storm on redis-cache emptied the {svc} cache; {origin} took the full read "
            "load and {edge} returned 5xx.",
            "Cache misses for {svc} spiked after redis-cache hit maxmemory; p99 latency went from "
            "80 ms to several seconds.",
            "redis-cache was full and evicting hot keys; {svc} hammered {origin} and checkout "
            "slowed down.",
        ),
        (
            "The shared Redis reached its memory ceiling and began throwing away keys, including "
            "the hottest ones. {svc} fell through to {origin} on most reads.",
            "Hit ratio collapsed ({hit_before}% to {hit_after}%) after Redis hit its memory "
            "limit; the backing store could not absorb the extra reads.",
            "Memory pressure on the cache tier caused mass key removal; {edge} slowed to a crawl.",
            "Keys vanished from Redis faster than they could be refilled and {origin} buckled.",
        ),
    ),
    causes=st(
        (
            "0|A new feature stored large per-session blobs without a TTL in the shared instance, "
            "filling maxmemory ({maxmem}); allkeys-lru then evicted the hot product keys.",
            "1|Many keys were written with the same TTL during a bulk import and expired together; "
            "the refill traffic pushed memory over the limit.",
            "2|The eviction policy was changed to allkeys-random during a config cleanup, evicting "
            "hot keys as readily as cold ones.",
            "3|Memory fragmentation after a traffic spike left the instance effectively full at "
            "{maxmem}.",
        ),
        (
            "0|Keys without an expiry accumulated in the shared cache until it reached its ceiling "
            "and the LRU policy started dropping hot data.",
            "1|Synchronized expiry: a batch load set identical TTLs, so a large slice of the cache "
            "vanished at once.",
            "2|A cleanup PR switched maxmemory-policy, and the new policy did not favour recently "
            "used keys.",
            "3|After a burst of traffic the allocator held on to fragmented memory; Redis counted "
            "itself full at {maxmem} and started evicting.",
        ),
    ),
    fixes=st(
        (
            "0,3|Deleted the offending key prefix, raised maxmemory temporarily and let the cache "
            "warm up; latency recovered.",
            "2|Restored the eviction policy to allkeys-lru and throttled the refill job.",
            "0|Moved session blobs to their own instance with a TTL.",
            "1|Raised maxmemory, throttled the refill and spread the TTLs of the imported keys.",
        ),
        (
            "0,3|Removed the runaway keys, gave the instance headroom and watched the hit ratio "
            "climb "
            "back.",
            "2|Reverted the policy change and warmed the cache gradually.",
            "0|Split the noisy data set onto a separate Redis with expiry.",
            "1|Gave the instance headroom, slowed the refill and added jitter to expiry times.",
        ),
    ),
    starts=st(
        (
            "redis-cache reaches maxmemory ({maxmem}); evictions begin.",
            "Evictions on redis-cache jump to {evicted_rate}/s.",
        ),
        (
            "Cache memory hits its ceiling; Redis starts dropping keys.",
            "{svc} cache misses surge as keys disappear.",
        ),
    ),
    factors=st(
        (
            "0|No TTL is enforced on keys written to the shared instance.",
            "The hit ratio is on a dashboard but not alerted.",
            "{svc} has no request coalescing, so every miss goes to {origin}.",
            "Several teams share one Redis instance without quotas.",
        ),
        (
            "0|Nothing stops a client from writing keys that never expire.",
            "A miss stampede: concurrent misses for the same key all hit the origin.",
            "The cache is a shared resource with no per-team budget.",
        ),
    ),
    whys={
        "main": (
            (
                "0|{edge} slowed down because {svc} read from {origin} instead of the cache.",
                "The cache was empty because Redis evicted hot keys at maxmemory.",
                "Memory filled because keys without a TTL accumulated.",
            ),
        ),
        "alt": (
            (
                "0|Pages were slow because most reads missed the cache.",
                "Reads missed because Redis was dropping keys to stay under its limit.",
                "It was at its limit because one feature wrote blobs that never expire.",
            ),
        ),
    },
    lessons=st(
        (
            "A shared cache needs TTLs by default and per-team quotas.",
            "Alert on the hit ratio, not only on memory.",
        ),
        (
            "The origin must survive a cold cache, or fall back gracefully.",
            "2|Policy settings on shared infrastructure deserve review like code.",
        ),
    ),
    diagnosis=(
        Step(
            "`{cmd}` shows used_memory at maxmemory.",
            "Memory stats from `{cmd}`: at the ceiling.",
            "redis-cli -h redis-cache info memory",
        ),
        Step(
            "`{cmd}` shows evicted_keys climbing by thousands per second.",
            "Evictions and misses via `{cmd}`.",
            "redis-cli -h redis-cache info stats | grep -E 'evicted_keys|keyspace_misses'",
        ),
        Step(
            "Largest keys by prefix: `{cmd}`.",
            "Found the biggest keys with `{cmd}`.",
            "redis-cli -h redis-cache --bigkeys",
            only="0",
        ),
        Step(
            "Hit ratio: `{cmd}`.",
            "`{cmd}` shows the hit ratio collapse.",
            "rate(redis_keyspace_hits_total[5m]) / (rate(redis_keyspace_hits_total[5m]) + "
            "rate(redis_keyspace_misses_total[5m]))",
        ),
        Step(
            "Checked the policy: `{cmd}`.",
            "Eviction policy per `{cmd}`.",
            "redis-cli -h redis-cache config get maxmemory-policy",
            only="2",
        ),
    ),
    mitigation=(
        Step(
            "Raised maxmemory: `{cmd}`.",
            "More headroom with `{cmd}`.",
            "redis-cli -h redis-cache config set maxmemory {maxmem_new}",
            only="0,1,3",
        ),
        Step(
            "Deleted the session blobs: `{cmd}`.",
            "Unlinked the runaway keys with `{cmd}`.",
            "redis-cli -h redis-cache --scan --pattern 'sess:blob:*' "
            "| xargs -n 500 redis-cli -h redis-cache unlink",
            only="0",
        ),
        Step(
            "Restored the eviction policy: `{cmd}`.",
            "Policy back to LRU via `{cmd}`.",
            "redis-cli -h redis-cache config set maxmemory-policy allkeys-lru",
            only="2",
        ),
        Step(
            "Limited cache refills from {svc}: `{cmd}`.",
            "Throttled refill concurrency: `{cmd}`.",
            "kubectl set env deployment/{svc} -n {ns} CACHE_REFILL_CONCURRENCY=8",
            only="1,3",
        ),
    ),
    actions=(
        Action(
            "prevent",
            "platform",
            "Require a TTL on every key written to redis-cache (client wrapper)",
            "Client library enforces expiry on all cache writes",
            (3, 5),
        ),
        Action(
            "prevent",
            "{team}",
            "Add jitter to cache TTLs in {svc}",
            "Randomize expiry times in {svc}",
            (1,),
        ),
        Action(
            "detect",
            "sre",
            "Alert on evicted_keys rate and hit ratio below 80%",
            "Page when cache hit ratio drops under 80%",
            (1,),
        ),
        Action(
            "mitigate",
            "platform",
            "Separate Redis instance for session data",
            "Dedicated cache for sessions",
            (3, 5),
        ),
        Action(
            "prevent",
            "{team}",
            "Request coalescing on cache miss in {svc}",
            "Single-flight loading for cache misses in {svc}",
            (2, 3),
        ),
    ),
    tags=("redis", "cache", "latency", "memory"),
    roles=("sre", "backend", "platform"),
    revenue=True,
)


def _config(ctx: Context, rng: random.Random) -> None:
    ctx["flag"] = f"{ctx['svc']}.{rng.choice(('new-router', 'fast-path', 'v2-pricing'))}"


BAD_CONFIG = Pattern(
    slug="bad-config-push",
    variants=("config-change", "config-change", "config-change", "config-change"),
    weight=1.2,
    targets=(
        {"svc": "api-gateway", "edge": "checkout-api", "thing": "route table", "variants": "0,1,2"},
        {"svc": "checkout-api", "edge": "checkout-api", "thing": "feature flag"},
        {"svc": "cdn-edge", "edge": "catalog-svc", "thing": "edge rules", "variants": "0,1,2"},
        {"svc": "search-api", "edge": "search-api", "thing": "ranking config", "variants": "1,2"},
        {"svc": "cart-svc", "edge": "checkout-api", "thing": "service config", "variants": "0,1,2"},
    ),
    triggers=("config-change",),
    category="configuration",
    severity=(0.05, 0.25, 0.42, 0.23, 0.05),
    ttr_median=35,
    detection=(("alert", 0.75), ("synthetic-check", 0.15), ("customer-report", 0.1)),
    alerts=("{Edge}HighErrorRate", "{Svc}5xxRatio", "{Edge}SyntheticCheckFailed"),
    logs=(
        "upstream connect error or disconnect/reset before headers. reset reason: connection "
        "failure",
        "no healthy upstream",
        "yaml: line 42: did not find expected key",
        "unknown field timeout_ms in config",
    ),
    short=("errors on every page", "checkout failing", "broken pages"),
    params={"pr": tuple(range(2100, 9800, 37))},
    derive=_config,
    titles=st(
        (
            "Bad config push to {svc} caused 5xx",
            "{svc} {thing} change broke {edge}",
            "Config change took {edge} down",
            "Misconfigured {thing} on {svc} returned errors",
            "0|Bad {thing} push: no healthy upstream",
        ),
        (
            "Settings rollout to {svc} failed traffic",
            "Faulty {thing} update reached every {svc} instance",
            "Invalid {thing} value shipped to production",
            "Production settings regression in {svc}",
        ),
    ),
    symptoms=st(
        (
            "A config push to {svc} ({thing}) broke routing; {edge} returned 5xx for {pct}% of "
            "requests until it was reverted.",
            "Bad configuration change in {svc}: requests failed with `{log}` right after the "
            "rollout.",
            "A {thing} change went live to all regions at once and took {edge} down.",
            "1|A typo in the {svc} {thing} made every request time out; checkout saw 5xx.",
        ),
        (
            "Right after a settings rollout to {svc}, traffic started failing with `{log}`.",
            "A faulty {thing} update reached every instance of {svc} simultaneously, and {edge} "
            "errors shot up.",
            "Misconfiguration shipped through the config pipeline; the service accepted it and "
            "then failed on real traffic.",
            "An invalid {thing} value made {svc} reject or drop requests.",
        ),
    ),
    causes=st(
        (
            "0|The {thing} change in PR #{pr} pointed the upstream at a cluster name that does not "
            "exist; the config validator only checked syntax.",
            "1|A unit mix-up: the timeout was written as 30 (read as milliseconds) instead of 30s.",
            "2|The config was pushed to all regions at once instead of going through one region "
            "first.",
            "3|A feature flag default flipped to on for 100% of traffic because the rollout "
            "percentage field was left empty.",
        ),
        (
            "0|The settings change referenced an upstream that was never created; validation "
            "checked format, not meaning.",
            "1|Units confusion: a duration without a suffix was interpreted as milliseconds.",
            "2|The change went everywhere in one step, without a staged rollout.",
            "3|An empty rollout percentage on a new flag defaulted to everyone, switching the new "
            "path on for all traffic.",
        ),
    ),
    fixes=st(
        (
            "0,1,2|Reverted the config change; errors stopped within two minutes of the revert.",
            "0,1,2|Rolled back to the previous config version from the config repository.",
            "3|Disabled the flag and restored the last known good {thing}.",
        ),
        (
            "0,1,2|Put back the previous settings; recovery was immediate.",
            "0,1,2|Restored the last good revision and re-ran the pipeline.",
            "3|Turned the flag off and reloaded the prior {thing}.",
        ),
    ),
    starts=st(
        (
            "Config change for {svc} ({thing}) applied; 5xx start immediately.",
            "{svc} picks up the new {thing}; requests begin failing with `{log}`.",
        ),
        (
            "New settings reach {svc}; failures begin within seconds.",
            "The {thing} rollout completes and {edge} errors rise.",
        ),
    ),
    factors=st(
        (
            "Config changes skip the canary stage that code deploys go through.",
            "The validator checks YAML syntax only.",
            "The reviewer approved the PR from the diff without seeing the rendered config.",
            "Rollback of config takes several manual steps.",
        ),
        (
            "Settings bypass staged rollout.",
            "Validation stops at the schema.",
            "Undoing a settings change is not one command.",
        ),
    ),
    whys={
        "main": (
            (
                "0|{edge} failed because {svc} routed traffic to an upstream that does not exist.",
                "The bad value reached production because validation only checks syntax.",
                "It reached all regions at once because config has no canary stage.",
            ),
        ),
        "alt": (
            (
                "Requests failed because the new {thing} was wrong.",
                "Nobody caught it because checks look at format only.",
                "It hit everything at once because settings skip the staged rollout.",
            ),
        ),
    },
    lessons=st(
        (
            "Config is code: canary it, validate its meaning, make rollback one command.",
            "Correlate error spikes with config pushes on the main dashboard.",
        ),
        (
            "A settings change deserves the same rollout safety as a binary.",
            "Show recent changes next to error graphs.",
        ),
    ),
    diagnosis=(
        Step(
            "Correlated the error spike with the config rollout: `{cmd}`.",
            "Recent settings commits via `{cmd}`.",
            "git log --since='2 hours ago' --oneline -- config/{svc}/",
        ),
        Step(
            "Diffed live against the repository: `{cmd}`.",
            "Live versus desired settings with `{cmd}`.",
            "kubectl diff -f config/{svc}/ -n {ns}",
        ),
        Step(
            "Envoy upstream health: `{cmd}`.",
            "Checked upstream health flags with `{cmd}`.",
            "kubectl exec -n {ns} deploy/{svc} -c envoy -- curl -s localhost:15000/clusters "
            "| grep health_flags",
            only="0",
        ),
        Step(
            "`{cmd}` shows the error rate stepping up at the rollout time.",
            "Error graph (`{cmd}`) jumps at the moment of the push.",
            _ERRORS_5XX,
        ),
    ),
    mitigation=(
        Step(
            "Reverted the change: `{cmd}`.",
            "Undid PR #{pr} with `{cmd}`.",
            "git revert --no-edit HEAD && make deploy-config SERVICE={svc}",
            only="0,1,2",
        ),
        Step(
            "Re-applied the previous config: `{cmd}`.",
            "Restored the last good revision: `{cmd}`.",
            "kubectl apply -f config/{svc}/previous.yaml -n {ns} "
            "&& kubectl rollout restart deployment/{svc} -n {ns}",
            only="0,1,2",
        ),
        Step(
            "Disabled the flag: `{cmd}`.",
            "Flag switched off with `{cmd}`.",
            "flagctl set {flag} --off --env production",
            only="3",
        ),
    ),
    actions=(
        Action(
            "prevent",
            "release-eng",
            "Canary config pushes through one region before global rollout",
            "Staged rollout for settings changes",
            (3, 5, 8),
        ),
        Action(
            "prevent",
            "platform",
            "Validate {thing} semantics (upstreams exist, units present) in CI",
            "Semantic checks for {thing} before merge",
            (2, 3),
        ),
        Action(
            "detect",
            "sre",
            "Annotate dashboards with config pushes and alert on error change after a push",
            "Change markers on dashboards plus post-push error alert",
            (1, 2),
        ),
        Action(
            "mitigate",
            "release-eng",
            "One-command rollback for config changes",
            "Single-step undo for settings",
            (2,),
        ),
        Action(
            "process",
            "{team}",
            "Require a second reviewer for production config changes",
            "Two approvals for production settings",
            (0.5,),
        ),
    ),
    tags=("configuration", "envoy", "feature-flags", "gitops", "ci"),
    roles=("platform", "release", "backend"),
    revenue=True,
)


def _dns(ctx: Context, rng: random.Random) -> None:
    ctx["coredns_new"] = int(str(ctx["coredns"])) * 3


DNS = Pattern(
    slug="dns-resolution-failure",
    variants=("traffic-spike", "capacity", "config-change", "unknown"),
    weight=0.75,
    targets=(
        {"svc": "k8s-platform", "edge": "checkout-api", "dep": "payments-gateway"},
        {"svc": "k8s-platform", "edge": "orders-api", "dep": "orders-db"},
        {"svc": "k8s-platform", "edge": "search-api", "dep": "search-cluster"},
        {"svc": "k8s-platform", "edge": "cart-svc", "dep": "redis-cache"},
    ),
    triggers=("traffic-spike", "config-change", "capacity", "unknown"),
    category="infrastructure",
    severity=(0.05, 0.28, 0.45, 0.2, 0.02),
    ttr_median=70,
    detection=(("alert", 0.8), ("customer-report", 0.1), ("synthetic-check", 0.1)),
    alerts=("CoreDNSErrorsHigh", "CoreDNSLatencyHigh", "{Edge}HighErrorRate"),
    logs=(
        "dial tcp: lookup {dep}.{dep_ns}.svc.cluster.local: i/o timeout",
        "java.net.UnknownHostException: {dep}",
        "getaddrinfo EAI_AGAIN {dep}",
        "[ERROR] plugin/errors: 2 {dep}. A: read udp: i/o timeout",
    ),
    short=("intermittent errors across the site", "random timeouts", "checkout errors"),
    params={"coredns": (2, 3, 4)},
    derive=_dns,
    titles=st(
        (
            "DNS resolution failures in the cluster",
            "CoreDNS overload: lookups for {dep} timed out",
            "Intermittent DNS timeouts broke {edge}",
            "UnknownHostException calling {dep}",
            "Cluster DNS errors caused 5xx on {edge}",
        ),
        (
            "Name lookups dropped inside Kubernetes",
            "Service discovery failing for {dep}",
            "Resolver saturation made {edge} time out",
            "It was DNS: {edge} could not find {dep}",
        ),
    ),
    symptoms=st(
        (
            "DNS lookups inside the cluster timed out intermittently; {edge} calls to {dep} "
            "failed with `{log}` and the error rate rose to {pct}%.",
            "CoreDNS was overloaded and name resolution failed for part of the lookups; services "
            "saw timeouts and 5xx.",
            "Pods could not resolve {dep}; requests failed with UnknownHostException and "
            "EAI_AGAIN.",
            "Intermittent DNS failures made {edge} time out on calls to {dep}.",
        ),
        (
            "Name lookups from workloads were dropped or answered late, so {edge} could not find "
            "{dep} and errored.",
            "The cluster resolver was saturated; service discovery broke for a slice of requests.",
            "Resolution of internal names failed now and then, surfacing as timeouts in {edge}.",
            "Workloads got no answer for {dep} on some lookups.",
        ),
    ),
    causes=st(
        (
            "0|CoreDNS ran with {coredns} replicas and ndots:5 multiplied every lookup by the "
            "search "
            "domains; a traffic spike pushed it past its limits.",
            "1|A conntrack race on UDP DNS packets dropped queries under load (the known 5-second "
            "timeout issue).",
            "2|A change to the CoreDNS ConfigMap forwarded to an upstream resolver that "
            "rate-limited the cluster.",
            "3|All CoreDNS pods were scheduled on the same node, which was drained.",
        ),
        (
            "0|Too few resolver replicas ({coredns}) and a high ndots value turned each lookup "
            "into "
            "several queries; the spike overwhelmed them.",
            "1|UDP DNS packets were dropped by a conntrack race in the kernel under load.",
            "2|The forwarder was repointed to an upstream that throttles high query volumes.",
            "3|Every resolver replica ran on one node; when that node was drained, lookups had "
            "nowhere to go until the pods came back.",
        ),
    ),
    fixes=st(
        (
            "0,1,3|Scaled CoreDNS and enabled NodeLocal DNSCache; resolution errors stopped.",
            "2|Reverted the CoreDNS ConfigMap change and restarted the pods.",
            "0|Set ndots:2 on the busiest deployments and scaled CoreDNS.",
        ),
        (
            "0,1,3|Added resolver replicas and a per-node DNS cache.",
            "2|Put the forwarder back to the previous upstream.",
            "0|Lowered ndots on hot workloads and gave the resolver more capacity.",
        ),
    ),
    starts=st(
        (
            "CoreDNS latency rises; first `{log}` errors.",
            "Lookups for {dep} start timing out.",
        ),
        (
            "Resolver answers slow down; {edge} logs lookup failures.",
            "DNS queries begin to go unanswered.",
        ),
    ),
    factors=st(
        (
            "CoreDNS had a fixed replica count unrelated to cluster size.",
            "0|The default ndots:5 multiplies queries for external names.",
            "No alert on DNS error rate.",
        ),
        (
            "Resolver capacity did not grow with the cluster.",
            "0|Search-domain expansion multiplies queries.",
            "DNS health was not monitored at all.",
        ),
    ),
    whys={
        "main": (
            (
                "0|{edge} failed because lookups for {dep} timed out.",
                "Lookups timed out because CoreDNS was saturated.",
                "It was saturated because replicas were fixed while the cluster doubled.",
            ),
        ),
        "alt": (
            (
                "0,1|Calls failed because names did not resolve.",
                "The resolver dropped queries under load.",
                "Nobody had sized it since the cluster grew.",
            ),
        ),
    },
    lessons=st(
        ("DNS is a tier-1 dependency; monitor and scale it like one.",),
        ("A node-local cache removes most of the load on the cluster resolver.",),
    ),
    diagnosis=(
        Step(
            "`{cmd}` times out about one lookup in five.",
            "Lookup test with `{cmd}`: intermittent timeouts.",
            "kubectl run -it --rm dnsutils --image=registry.k8s.io/e2e-test-images/"
            "jessie-dnsutils:1.3 --restart=Never -- nslookup {dep}.{dep_ns}.svc.cluster.local",
        ),
        Step(
            "CoreDNS logs: `{cmd}`.",
            "Resolver errors via `{cmd}`.",
            "kubectl logs -n kube-system -l k8s-app=kube-dns --since=15m | grep -i error",
        ),
        Step(
            "`{cmd}` shows the query rate doubled.",
            "Query volume by type (`{cmd}`).",
            "sum(rate(coredns_dns_requests_total[5m])) by (type)",
        ),
        Step(
            "CoreDNS CPU at its limit: `{cmd}`.",
            "Resolver pods pegged per `{cmd}`.",
            "kubectl top pods -n kube-system -l k8s-app=kube-dns",
        ),
        Step(
            "Checked conntrack insert failures: `{cmd}`.",
            "`{cmd}` shows insert_failed rising.",
            "conntrack -S | grep insert_failed",
            only="1",
        ),
    ),
    mitigation=(
        Step(
            "Scaled CoreDNS: `{cmd}`.",
            "More resolver replicas with `{cmd}`.",
            "kubectl scale deployment/coredns -n kube-system --replicas={coredns_new}",
            only="0,1,3",
        ),
        Step(
            "Reverted the CoreDNS config: `{cmd}`.",
            "Restored the old forwarder with `{cmd}`.",
            "kubectl apply -f coredns-configmap-previous.yaml -n kube-system "
            "&& kubectl rollout restart deployment/coredns -n kube-system",
            only="2",
        ),
        Step(
            "Lowered ndots on {edge}: `{cmd}`.",
            "ndots:2 for {edge} via `{cmd}`.",
            """kubectl patch deployment {edge} -n {edge_ns} -p '{"spec":{"template":{"spec":"""
            """{"dnsConfig":{"options":[{"name":"ndots","value":"2"}]}}}}}'""",
            only="0",
        ),
    ),
    actions=(
        Action(
            "prevent",
            "platform",
            "Deploy NodeLocal DNSCache on all node pools",
            "Per-node DNS cache everywhere",
            (3, 5),
        ),
        Action(
            "prevent",
            "platform",
            "Autoscale CoreDNS with cluster-proportional-autoscaler",
            "Resolver replicas proportional to cluster size",
            (1, 2),
        ),
        Action(
            "detect",
            "sre",
            "Alert on CoreDNS SERVFAIL rate and p99 latency",
            "Resolver error and latency alerts",
            (1,),
        ),
        Action(
            "prevent",
            "{team}",
            "Set ndots:2 and use fully qualified names in {edge}",
            "Trim search-domain expansion in {edge}",
            (1,),
        ),
        Action(
            "process",
            "platform",
            "Load-test CoreDNS config changes before rollout",
            "Resolver changes get a load test",
            (1, 2),
        ),
    ),
    tags=("dns", "coredns", "kubernetes", "networking"),
    roles=("sre", "platform", "networking"),
)


def _disk(ctx: Context, rng: random.Random) -> None:
    ctx["pod"] = f"{ctx['svc']}-{rng.randint(0, 2)}"
    ctx["size"] = int(str(ctx["gb"])) * 4


DISK_FULL = Pattern(
    slug="disk-full-logs",
    variants=("config-change", "deploy", "deploy", "capacity"),
    weight=0.85,
    targets=(
        {"svc": "orders-db", "edge": "orders-api", "vol": "/var/lib/postgresql/data/log"},
        {"svc": "kafka", "edge": "notifications-worker", "vol": "/var/lib/kafka"},
        {"svc": "search-cluster", "edge": "search-api", "vol": "/usr/share/elasticsearch/logs"},
        {"svc": "checkout-api", "edge": "checkout-api", "vol": "/var/log/app"},
        {"svc": "warehouse-sync", "edge": "inventory-svc", "vol": "/var/log/app"},
    ),
    triggers=("capacity", "capacity", "config-change", "deploy"),
    category="capacity",
    severity=(0.0, 0.1, 0.4, 0.38, 0.12),
    ttr_median=75,
    detection=(("alert", 0.65), ("internal-report", 0.2), ("customer-report", 0.15)),
    alerts=("NodeFilesystemAlmostOutOfSpace", "{Svc}DiskUsageHigh", "{Edge}HighErrorRate"),
    logs=(
        "No space left on device",
        "could not write to file pg_wal/xlogtemp: No space left on device",
        "java.io.IOException: No space left on device",
        "write /var/log/app/app.log: no space left on device",
    ),
    short=("failed writes", "errors saving orders", "stuck jobs"),
    params={"gb": (40, 85, 120, 200)},
    derive=_disk,
    titles=st(
        (
            "Disk full on {svc}: logs filled {vol}",
            "{svc} out of disk space, writes failing",
            "No space left on device on {svc}",
            "Log volume on {svc} hit 100%",
            "0|Debug logging filled the disk on {svc}",
        ),
        (
            "Storage exhausted on {svc} by log files",
            "{svc} volume ran out of free bytes",
            "0|Verbose logs ate all free space on {svc}",
            "Zero free space on {vol}",
        ),
    ),
    symptoms=st(
        (
            "{vol} on {svc} filled to 100% with logs; writes failed with `No space left on "
            "device` and {edge} errors followed.",
            "0|Disk full on {svc}: debug logging left on after an investigation wrote {gb} GB in a "
            "day.",
            "{svc} stopped accepting writes because the log volume was full.",
            "1|Log rotation stopped on {svc} and the disk filled; requests failed with 5xx.",
        ),
        (
            "The volume at {vol} ran out of space, mostly log files, and {svc} could no longer "
            "write.",
            "0|Verbose logs ate the remaining free space on {svc}; {edge} began to fail.",
            "1|Out of disk on {svc}. Logs were not rotated, and writes failed.",
            "Storage on {svc} hit zero free bytes and the process crashed on its next write.",
        ),
    ),
    causes=st(
        (
            "0|Debug logging was switched on during an earlier investigation and never switched "
            "off; {gb} GB of logs accumulated.",
            "1|logrotate had been failing since an OS image change because its config path moved.",
            "2|A retry loop logged a full stack trace per attempt, writing {gb} GB in hours.",
            "3|Retention for log segments was misconfigured after a migration.",
        ),
        (
            "0|Verbose log level stayed on after troubleshooting and filled the disk.",
            "1|Rotation silently broke after a base-image update.",
            "2|An error loop wrote a stack trace on every retry ({gb} GB).",
            "3|After the storage migration, retention for old log segments was never set, so "
            "nothing was ever deleted.",
        ),
    ),
    fixes=st(
        (
            "0|Deleted rotated logs and truncated the active file, then lowered the log level.",
            "1,3|Expanded the volume and fixed logrotate.",
            "2|Fixed the retry loop and set log retention.",
        ),
        (
            "0|Freed space by removing old log files and restored the normal log level.",
            "1,3|Grew the volume online and repaired rotation.",
            "2|Stopped the error loop and capped retention.",
        ),
    ),
    starts=st(
        ("{vol} on {svc} reaches 100%.", "{svc} starts logging `{log}`."),
        ("Free space on {svc} hits zero.", "First write failures on {svc}."),
    ),
    factors=st(
        (
            "The disk alert fired at 95%, far too late for a volume growing this fast.",
            "0|Nothing resets a debug log level after an investigation.",
            "Logs are kept on the node instead of being shipped off it.",
        ),
        (
            "The free-space warning had no lead time.",
            "0|Temporary debug settings have no expiry.",
            "Local log files are the only copy.",
        ),
    ),
    whys={
        "main": (
            (
                "0|Writes failed because {vol} was full.",
                "It was full because debug logs accumulated for days.",
                "Debug logging stayed on because nothing reverts it after an investigation.",
            ),
        ),
        "alt": (
            (
                "1|{svc} crashed because it could not write.",
                "There was no free space because log rotation was broken.",
                "Rotation broke silently in a base-image update that had no test for it.",
            ),
        ),
    },
    lessons=st(
        ("Alert on the rate of disk growth, not only on a threshold.",),
        ("0|Temporary debug settings need an automatic expiry.",),
    ),
    diagnosis=(
        Step(
            "`{cmd}` shows {vol} at 100%.",
            "Checked free space with `{cmd}`: none left.",
            "kubectl exec -n {ns} {pod} -- df -h {vol}",
        ),
        Step(
            "Largest directories: `{cmd}`.",
            "Found what filled it with `{cmd}`.",
            "du -xh {vol} --max-depth=2 | sort -rh | head -20",
        ),
        Step(
            "Growth trend: `{cmd}`.",
            "`{cmd}` had predicted it a day earlier.",
            'predict_linear(node_filesystem_avail_bytes{mountpoint="/"}[6h], 24 * 3600) < 0',
        ),
        Step(
            "Deleted files still held open: `{cmd}`.",
            "`{cmd}` shows space held by deleted logs.",
            "lsof +L1 | grep deleted",
        ),
        Step(
            "Checked the log level: `{cmd}`.",
            "Log level per `{cmd}`: debug.",
            "kubectl get configmap {svc}-config -n {ns} -o yaml | grep -i log_level",
            only="0",
        ),
    ),
    mitigation=(
        Step(
            "Removed rotated logs: `{cmd}`.",
            "Freed space with `{cmd}`.",
            "find {vol} -name '*.gz' -mtime +2 -delete",
            only="1,2,3",
        ),
        Step(
            "Expanded the volume: `{cmd}`.",
            "Grew the PVC with `{cmd}`.",
            "kubectl patch pvc data-{svc}-0 -n {ns} "
            """-p '{"spec":{"resources":{"requests":{"storage":"{size}Gi"}}}}'""",
            only="1,3",
        ),
        Step(
            "Lowered the log level: `{cmd}`.",
            "Log level back to info via `{cmd}`.",
            "kubectl set env deployment/{svc} -n {ns} LOG_LEVEL=info",
            only="0,2",
        ),
    ),
    actions=(
        Action(
            "prevent",
            "platform",
            "Ship logs off-node and cap local log size",
            "Central log shipping with a local size cap",
            (3, 5),
        ),
        Action(
            "detect",
            "sre",
            "Alert at 80% disk and on predicted full within 24 hours",
            "Predictive disk-full alert",
            (1,),
        ),
        Action(
            "prevent",
            "{team}",
            "Reset the log level automatically after 24 hours",
            "Auto-expiry for debug log level in {svc}",
            (1, 2),
        ),
        Action(
            "prevent",
            "platform",
            "Test logrotate in the base image pipeline",
            "Rotation check in base-image CI",
            (1,),
        ),
        Action(
            "process",
            "sre",
            "Checklist: revert debug settings after an investigation",
            "Close-out checklist for troubleshooting sessions",
            (0.5,),
        ),
    ),
    tags=("disk", "logging", "storage", "linux"),
    roles=("sre", "database", "platform"),
    slow_burn=True,
    customer_facing=False,
)


def _mem(ctx: Context, rng: random.Random) -> None:
    ctx["heap_cmd"] = {
        "JVM": "jcmd 1 GC.heap_dump /tmp/heap.hprof",
        "Node.js": "kill -USR2 1",
        "Go": "curl -s -o /tmp/heap.pprof localhost:6060/debug/pprof/heap",
    }[str(ctx["lang"])]
    ctx["limit_new"] = {"1Gi": "2Gi", "2Gi": "3Gi", "4Gi": "6Gi"}[str(ctx["limit"])]


MEMORY_LEAK = Pattern(
    slug="memory-leak-oom-kill",
    variants=("deploy", "deploy", "deploy", "unknown"),
    weight=1.05,
    targets=(
        {"svc": "catalog-svc", "edge": "catalog-svc", "lang": "JVM"},
        {"svc": "search-api", "edge": "search-api", "lang": "JVM"},
        {"svc": "cart-svc", "edge": "checkout-api", "lang": "Node.js"},
        {"svc": "notifications-worker", "edge": "notifications-worker", "lang": "Go"},
        {"svc": "checkout-api", "edge": "checkout-api", "lang": "Node.js"},
    ),
    triggers=("deploy", "deploy", "unknown", "traffic-spike"),
    category="software",
    severity=(0.0, 0.12, 0.45, 0.35, 0.08),
    ttr_median=85,
    detection=(("alert", 0.8), ("internal-report", 0.1), ("customer-report", 0.1)),
    alerts=("KubePodCrashLooping", "{Svc}MemoryNearLimit", "{Edge}HighErrorRate"),
    logs=(
        "OOMKilled (exit code 137)",
        "java.lang.OutOfMemoryError: Java heap space",
        "FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory",
        "fatal error: runtime: out of memory",
    ),
    short=("intermittent 503s", "random errors", "slow and failing pages"),
    params={
        "limit": ("1Gi", "2Gi", "4Gi"),
        "hours_to_oom": (6, 9, 14, 20),
        "restarts": (12, 27, 40),
        "replicas": (12, 16, 20),
    },
    derive=_mem,
    titles=st(
        (
            "{svc} OOMKilled repeatedly: memory leak",
            "Memory leak in {svc} caused restarts and 503s",
            "{svc} pods crash-looping on OOM",
            "0,1,2|OOM kills on {svc} after release",
            "{svc} memory grows until killed",
        ),
        (
            "Resident memory creep in {svc} ended in container kills",
            "{svc} kept dying with exit code 137",
            "Heap growth without bound in {svc}",
            "Replicas of {svc} terminated for breaching the memory limit",
        ),
    ),
    symptoms=st(
        (
            "{svc} pods were OOM-killed every {hours_to_oom} hours; during restarts {edge} "
            "returned 5xx and latency spiked.",
            "A memory leak in {svc} caused repeated OOMKilled restarts ({restarts} in an hour) and "
            "intermittent 503s.",
            "{svc} memory grew steadily until the container hit its {limit} limit and was killed.",
            "CrashLoopBackOff on {svc} after pods were killed for exceeding memory; checkout "
            "partially failed.",
        ),
        (
            "Resident memory of {svc} crept up until the kernel killed the container; while "
            "replicas restarted, {edge} shed requests.",
            "{svc} kept dying with exit code 137; each cycle dropped in-flight requests.",
            "Heap usage rose without bound and {svc} restarted over and over.",
            "Replicas of {svc} were terminated again and again for breaching the {limit} memory "
            "limit.",
        ),
    ),
    causes=st(
        (
            "0|An in-process cache in {svc} had no size bound; a new key dimension (per-customer "
            "pricing) made it grow without limit.",
            "1|A listener was registered per request and never removed, leaking objects on every "
            "call.",
            "2|A {lang} runtime upgrade changed default heap sizing, so the heap exceeded the "
            "container limit.",
            "3|An HTTP client created per request kept connection buffers alive.",
        ),
        (
            "0|Unbounded in-memory caching: entries were added per customer and never evicted.",
            "1|Event handlers were attached on every request and never detached.",
            "2|{lang} defaults changed after an upgrade; the heap no longer fit in the container.",
            "3|Every request built a new HTTP client whose buffers were never released.",
        ),
    ),
    fixes=st(
        (
            "Rolled back {svc} to the previous release; memory flattened.",
            "0|Raised the memory limit as a stopgap and shipped a bounded cache.",
            "Restarted pods on a schedule until the fix for the leak shipped.",
            "2|Set the heap size explicitly below the container limit and redeployed.",
        ),
        (
            "Reverted to the last release without the leak.",
            "0|Bought time with a higher limit, then bounded the cache.",
            "Periodic restarts kept it alive until the patch landed.",
            "2|Pinned the heap size under the container limit.",
        ),
    ),
    starts=st(
        (
            "First {svc} pod OOMKilled; memory had grown since the last deploy.",
            "{svc} pods start restarting: `{log}`.",
        ),
        (
            "A {svc} container exits with code 137.",
            "Memory on {svc} pods reaches the {limit} limit.",
        ),
    ),
    factors=st(
        (
            "No memory growth check in the release pipeline.",
            "Heap dumps on OOM were not enabled, so the first hours went to reproducing it.",
            "The memory alert only fires after the kill.",
        ),
        (
            "Releases are not soak-tested.",
            "No heap dump was captured at the moment of the crash.",
            "Alerting starts only once the container is already gone.",
        ),
    ),
    whys={
        "main": (
            (
                "0|Requests failed because {svc} pods were restarting.",
                "They restarted because they were OOM-killed at {limit}.",
                "Memory grew because an in-process cache had no bound.",
            ),
        ),
        "alt": (
            (
                "1|{edge} shed requests because replicas kept dying.",
                "They died because memory grew past the container limit.",
                "A per-request handler leaked objects, and nothing tests for growth.",
            ),
        ),
    },
    lessons=st(
        ("0|Every in-process cache needs a bound.", "Capture a heap dump on OOM by default."),
        ("Soak tests catch slow leaks that unit tests never will.",),
    ),
    diagnosis=(
        Step(
            "`{cmd}` shows OOMKilled with exit code 137.",
            "Restart reasons from `{cmd}`.",
            "kubectl get pods -n {ns} -l app={svc} -o custom-columns=NAME:.metadata.name,"
            "RESTARTS:.status.containerStatuses[0].restartCount,"
            "REASON:.status.containerStatuses[0].lastState.terminated.reason",
        ),
        Step(
            "Memory trend: `{cmd}`.",
            "`{cmd}` shows a sawtooth up to the limit.",
            'max by (pod) (container_memory_working_set_bytes{namespace="{ns}",container="{svc}"})',
        ),
        Step(
            "Took a heap dump: `{cmd}`.",
            "Captured the heap with `{cmd}`.",
            "kubectl exec -n {ns} deploy/{svc} -- {heap_cmd}",
        ),
        Step(
            "`{cmd}` confirms memory near the limit.",
            "Usage per pod via `{cmd}`.",
            "kubectl top pods -n {ns} -l app={svc}",
        ),
    ),
    mitigation=(
        Step("Rolled back: `{cmd}`.", "Reverted the release with `{cmd}`.", _KUBE_UNDO),
        Step(
            "Raised the limit: `{cmd}`.",
            "More memory with `{cmd}`.",
            "kubectl set resources deployment/{svc} -n {ns} --limits=memory={limit_new}",
        ),
        Step(
            "Rolling restart to reset memory: `{cmd}`.",
            "Restarted all pods (`{cmd}`).",
            _KUBE_RESTART,
        ),
        Step(
            "Scaled out to absorb the restarts: `{cmd}`.",
            "More replicas with `{cmd}`.",
            "kubectl scale deployment/{svc} -n {ns} --replicas={replicas}",
        ),
    ),
    actions=(
        Action(
            "prevent",
            "{team}",
            "Bound the in-process cache in {svc} (max entries and TTL)",
            "Size limit for the {svc} in-memory cache",
            (2, 3),
        ),
        Action(
            "detect",
            "sre",
            "Alert when memory working set exceeds 85% of the limit for 15 minutes",
            "Early memory-pressure alert per container",
            (1,),
        ),
        Action(
            "prevent",
            "{team}",
            "Add a soak test with a memory growth check to the {svc} pipeline",
            "Long-running load test gate for {svc} releases",
            (3, 5),
        ),
        Action(
            "mitigate",
            "platform",
            "Set runtime memory limits (GOMEMLIMIT, MaxRAMPercentage) on all services",
            "Runtime-aware heap limits everywhere",
            (2,),
        ),
        Action(
            "process",
            "{team}",
            "Enable heap dump on OOM by default",
            "Automatic heap capture when a container is killed",
            (0.5,),
        ),
    ),
    tags=("memory", "kubernetes", "profiling", "heap", "crashloop"),
    roles=("backend", "sre", "search"),
    fix_works=False,
    slow_burn=True,
)


def _psp(ctx: Context, rng: random.Random) -> None:
    providers = ("CardHub", "PayNova", "Tallypay")
    ctx["provider"] = providers[int(str(ctx["provider_index"])) % 3]
    ctx["provider2"] = providers[(int(str(ctx["provider_index"])) + 1) % 3]
    ctx["provider_slug"] = str(ctx["provider"]).lower()
    ctx["provider2_slug"] = str(ctx["provider2"]).lower()


PAYMENT_PROVIDER = Pattern(
    slug="third-party-payment-provider-outage",
    variants=("dependency", "dependency", "dependency", "dependency"),
    weight=1.0,
    targets=(
        {"svc": "payments-gateway", "edge": "checkout-api"},
        {"svc": "payments-gateway", "edge": "checkout-api", "dep": "orders-api"},
    ),
    triggers=("dependency",),
    category="dependency",
    severity=(0.08, 0.4, 0.37, 0.13, 0.02),
    ttr_median=80,
    detection=(("alert", 0.7), ("customer-report", 0.2), ("synthetic-check", 0.1)),
    alerts=("PaymentsProviderErrorRate", "CheckoutPaymentFailuresHigh", "{Svc}UpstreamLatencyHigh"),
    logs=(
        "upstream {provider} returned 503 Service Unavailable",
        "context deadline exceeded (Client.Timeout exceeded while awaiting headers)",
        "provider_error: processing_error",
        "circuit breaker OPEN for provider {provider_slug}",
    ),
    short=("payments failing at checkout", "card payments declined", "checkout payment errors"),
    params={"provider_index": (0, 0, 0, 1, 2)},
    derive=_psp,
    titles=st(
        (
            "{provider} outage: card payments failing at checkout",
            "Payment provider {provider} degraded, checkout payments timed out",
            "Third-party payment outage ({provider})",
            "Checkout payment failures: {provider} returning 5xx",
            "{provider} authorisation timeouts",
        ),
        (
            "External card processor down; shoppers could not pay",
            "PSP incident at {provider} broke card authorisation",
            "Vendor-side payments failure via {provider}",
            "Card processing vendor unavailable",
        ),
    ),
    symptoms=st(
        (
            "{provider}, our card payment provider, had an outage; {pct}% of card payments at "
            "checkout failed or timed out.",
            "Payment authorisations through {provider} timed out; checkout showed 'payment "
            "failed' and orders were abandoned.",
            "Elevated 5xx and latency from {provider} caused checkout payment failures.",
            "{provider} degraded: authorisations took over 20 s and most timed out.",
        ),
        (
            "Our external card processor ({provider}) was down, so customers could not pay.",
            "The PSP returned errors and slow responses; the payment step failed for many buyers.",
            "A vendor incident at {provider} broke card authorisation.",
            "{provider} had a partial outage; our gateway's calls to it mostly timed out.",
        ),
    ),
    causes=st(
        (
            "0|{provider} had a regional outage on their side (their status page confirmed). We "
            "have no failover to a second provider.",
            "1|{provider} degraded; our client's 30-second timeout held connections and exhausted "
            "gateway workers, so even wallet payments failed.",
            "2|A {provider} API change rolled out without notice and rejected our requests.",
            "3|{provider} rate-limited us after a retry storm from our gateway.",
        ),
        (
            "0,pre|Vendor-side incident at {provider}; without a secondary processor there was "
            "nowhere "
            "to route payments.",
            "1|Long client timeouts against the slow vendor tied up all gateway workers.",
            "3|Aggressive retries against the struggling vendor got us throttled.",
            "2|{provider} changed their API without telling us and started rejecting our requests.",
        ),
    ),
    fixes=st(
        (
            "0,2|Waited for {provider} to recover while the status page and checkout banner kept "
            "customers informed.",
            "post|Switched card traffic to the backup provider {provider2} with the feature flag.",
            "1,3|Lowered the client timeout and opened the circuit breaker to fail fast.",
        ),
        (
            "post|Routed authorisations to the secondary processor, {provider2}.",
            "1,3|Failed fast with a short timeout and showed a retry message at checkout.",
            "0,2|Waited out the vendor incident and kept customers informed on the status page.",
        ),
    ),
    starts=st(
        (
            "{provider} error rate starts climbing.",
            "Authorisation latency to {provider} jumps above 10 s.",
        ),
        (
            "Calls to {provider} begin failing.",
            "The card processor starts answering slowly, then not at all.",
        ),
    ),
    factors=st(
        (
            "pre|Single payment provider, no failover.",
            "Provider client timeout of 30 s is longer than the checkout request budget.",
            "Retries without backoff amplified the load on the provider.",
            "Nobody on call was subscribed to the provider's status page.",
        ),
        (
            "pre|All card traffic depends on one vendor.",
            "Client timeouts were far longer than the checkout budget.",
            "The vendor's status updates reached us late.",
        ),
    ),
    whys={
        "main": (
            (
                "pre|Payments failed because {provider} was unavailable.",
                "There was no failover because we integrate with one provider only.",
                "A second provider was deprioritised twice in planning.",
            ),
        ),
        "alt": (
            (
                "pre|Shoppers could not pay because the card vendor was down.",
                "We depended on that vendor alone.",
                "Multi-vendor routing was never funded.",
            ),
        ),
    },
    lessons=st(
        (
            "Fail fast on a degraded provider; slow failures hurt more than quick ones.",
            "pre|A second provider is insurance worth paying for.",
        ),
        ("Short timeouts and circuit breakers contain vendor incidents.",),
    ),
    diagnosis=(
        Step(
            "{provider} status page confirms degraded authorisations.",
            "Vendor status page shows an ongoing incident.",
        ),
        Step(
            "Provider error rate: `{cmd}`.",
            "`{cmd}` shows most calls to {provider} failing.",
            'sum(rate(payment_provider_requests_total{provider="{provider_slug}",outcome="error"}'
            '[5m])) / sum(rate(payment_provider_requests_total{provider="{provider_slug}"}[5m]))',
        ),
        Step(
            "`{cmd}` shows a p99 of 25 s.",
            "Latency to the vendor via `{cmd}`.",
            "histogram_quantile(0.99, sum by (le) (rate("
            'payment_provider_request_duration_seconds_bucket{provider="{provider_slug}"}[5m])))',
        ),
        Step(
            "Probed the provider directly: `{cmd}`.",
            "Direct health probe with `{cmd}`.",
            "curl -s -o /dev/null -w '%{http_code} %{time_total}' "
            "https://api.{provider_slug}.example/health",
        ),
    ),
    mitigation=(
        Step(
            "Switched to the backup provider: `{cmd}`.",
            "Failover to {provider2} with `{cmd}`.",
            "flagctl set payments.primary_provider {provider2_slug} --env production",
            only="post",
        ),
        Step(
            "Opened the circuit breaker: `{cmd}`.",
            "Breaker forced open with `{cmd}`.",
            "flagctl set payments.{provider_slug}.circuit open --env production",
            only="1,3",
        ),
        Step(
            "Reduced the client timeout: `{cmd}`.",
            "Shorter vendor timeout via `{cmd}`.",
            "kubectl set env deployment/payments-gateway -n payments PROVIDER_TIMEOUT_MS=5000",
            only="1",
        ),
        Step(
            "Posted a status page update and enabled the checkout banner.",
            "Status page updated; banner on at checkout.",
        ),
    ),
    actions=(
        Action(
            "prevent",
            "payments-team",
            "Integrate a second card provider with automatic failover",
            "Multi-vendor payment routing with health-based failover",
            (10, 15, 20),
        ),
        Action(
            "mitigate",
            "payments-team",
            "Circuit breaker with a 5 s timeout on provider calls",
            "Fail-fast breaker for vendor calls",
            (2, 3),
        ),
        Action(
            "detect",
            "sre",
            "Alert on provider error rate above 5%",
            "Vendor error-rate alert",
            (0.5, 1),
        ),
        Action(
            "process",
            "payments-team",
            "Subscribe the on-call channel to {provider} status updates",
            "Vendor status feed into the on-call channel",
            (0.5,),
        ),
        Action(
            "prevent",
            "payments-team",
            "Retry with exponential backoff and jitter, at most 2 attempts",
            "Bounded retries with backoff towards the vendor",
            (1, 2),
        ),
    ),
    impacts=st(
        (
            "{pct}% of card payments failed for {impact_mins} minutes; about {customers} "
            "customers could not pay.",
            "About {customers} customers could not complete payment over {impact_mins} minutes.",
        ),
        ("Roughly {customers} buyers were unable to pay during a {impact_mins}-minute window.",),
    ),
    tags=("payments", "vendor", "psp", "checkout", "circuit-breaker"),
    roles=("payments", "sre", "communications"),
    revenue=True,
)


def _deploy(ctx: Context, rng: random.Random) -> None:
    ctx["feature"] = rng.choice(str(ctx["features"]).split(";"))
    minor, patch = rng.randint(3, 48), rng.randint(0, 9)
    ctx["version"] = f"v{rng.randint(1, 4)}.{minor}.{patch}"
    ctx["version_prev"] = f"{str(ctx['version']).rsplit('.', 1)[0]}.{max(0, patch - 1)}"
    ctx["flag"] = f"{ctx['svc']}.{str(ctx['feature']).replace(' ', '-')}"


DEPLOY_REGRESSION = Pattern(
    slug="deploy-regression-rollback",
    variants=("deploy", "deploy", "deploy", "deploy"),
    weight=1.2,
    targets=(
        {
            "svc": "checkout-api",
            "edge": "checkout-api",
            "field": "shipping address",
            "features": "guest checkout;discount codes;address validation",
        },
        {
            "svc": "orders-api",
            "edge": "checkout-api",
            "field": "shipping address",
            "features": "order history;order confirmation",
        },
        {
            "svc": "search-api",
            "edge": "search-api",
            "field": "category id",
            "features": "search filters;autocomplete",
        },
        {
            "svc": "cart-svc",
            "edge": "checkout-api",
            "field": "currency",
            "features": "saved carts;discount codes",
        },
        {
            "svc": "catalog-svc",
            "edge": "catalog-svc",
            "field": "brand",
            "features": "product pages;size charts",
        },
        {
            "svc": "auth-svc",
            "edge": "auth-svc",
            "field": "locale",
            "features": "login;account settings",
        },
    ),
    triggers=("deploy",),
    category="software",
    severity=(0.02, 0.2, 0.45, 0.28, 0.05),
    ttr_median=40,
    detection=(("alert", 0.7), ("customer-report", 0.15), ("internal-report", 0.15)),
    alerts=("{Edge}HighErrorRate", "{Svc}LatencyP99High", "{Svc}ErrorBudgetBurn"),
    logs=(
        "TypeError: Cannot read properties of undefined (reading 'amount')",
        "NullPointerException at OrderMapper.toDto",
        "panic: runtime error: invalid memory address or nil pointer dereference",
        "400 Bad Request: field 'currency' is required",
    ),
    short=("errors on {feature}", "{feature} broken", "failing {feature}"),
    derive=_deploy,
    titles=st(
        (
            "{svc} {version} regression broke {feature}",
            "Bad deploy of {svc}: 5xx on {feature}",
            "Release {version} of {svc} rolled back after errors",
            "Regression in {svc} {version}",
            "{feature} failing after {svc} deploy",
        ),
        (
            "New {svc} build misbehaved in production",
            "Code shipped in {version} threw errors on {feature}",
            "{feature} outage traced to latest {svc} release",
            "Reverted {svc} {version}: {feature} path broken",
        ),
    ),
    symptoms=st(
        (
            "Release {version} of {svc} introduced a regression; the {edge} error rate rose to "
            "{pct}% until we rolled back.",
            "After deploying {svc} {version}, a share of requests failed with `{log}`.",
            "A bad deploy of {svc} broke {feature}; rolling back fixed it.",
            "{svc} {version} shipped a bug that caused 5xx on {feature}.",
        ),
        (
            "A new build of {svc} ({version}) misbehaved in production and we reverted it.",
            "Shortly after the {version} rollout, {feature} started failing with `{log}`.",
            "The latest {svc} release broke {feature} for some users.",
            "Code shipped in {version} threw errors on a path tests did not cover.",
        ),
    ),
    causes=st(
        (
            "0|A refactor in {version} assumed every request carries a {field}; some real "
            "requests do not, and the mapper threw.",
            "1|A dependency bump changed JSON serialisation of decimals, so a downstream service "
            "rejected the amounts.",
            "2|A database migration shipped with the release added a NOT NULL column that old pods "
            "still wrote without.",
            "3|The new code path was behind a flag in staging but on by default in production.",
        ),
        (
            "0|A code change assumed that {field} is always present; in real data it is optional.",
            "1|A library upgrade altered serialisation; a downstream consumer rejected the new "
            "format.",
            "2|Schema change and code change were not backwards compatible during the rolling "
            "deploy.",
            "3|The new path was meant to stay dark, but its flag defaulted to on in production.",
        ),
    ),
    fixes=st(
        (
            "0,1|Rolled back to the previous release; errors stopped within minutes. The fix "
            "shipped "
            "the next day with a regression test.",
            "3|Disabled the new code path with its flag, then rolled back.",
            "2|Rolled back and reverted the migration.",
        ),
        (
            "0,1|Reverted to the prior build; the error rate dropped right away.",
            "3|Turned the feature off and redeployed the last good version.",
            "2|Undid the release and the schema change together.",
        ),
    ),
    starts=st(
        (
            "{svc} {version} reaches 100% of pods; `{log}` in the logs.",
            "New {svc} pods start throwing `{log}`.",
        ),
        (
            "Rollout of {version} completes; {feature} requests begin failing.",
            "Error logs from the new {svc} replicas: `{log}`.",
        ),
    ),
    factors=st(
        (
            "The canary stage was skipped for this release.",
            "0|Tests use fixtures where every optional field is set.",
            "2|The migration and the code shipped in one deploy.",
        ),
        (
            "No canary for this change.",
            "0|Test data is cleaner than production data.",
            "2|Schema and code changed in the same release.",
        ),
    ),
    whys={
        "main": (
            (
                "0|{feature} failed because {svc} {version} threw on some requests.",
                "It threw because it assumed a field that is optional.",
                "Tests did not catch it because fixtures always set that field.",
            ),
        ),
        "alt": (
            (
                "Users hit errors because the new build had a bug.",
                "The bug reached everyone because the canary was skipped.",
                "Skipping the canary is allowed without approval.",
            ),
        ),
    },
    lessons=st(
        ("Canary analysis should gate every deploy, not be optional.",),
        ("2|Expand-and-contract: never change schema and code in one step.",),
    ),
    diagnosis=(
        Step(
            "The error spike lines up with the deploy: `{cmd}`.",
            "Deploy history via `{cmd}`.",
            "kubectl rollout history deployment/{svc} -n {ns}",
        ),
        Step(
            "`{cmd}` shows the 5xx only on the new version.",
            "Errors split by version with `{cmd}`.",
            'sum by (version) (rate(http_requests_total{service="{svc}",code=~"5.."}[5m]))',
        ),
        Step(
            "Stack traces: `{cmd}`.",
            "Pulled errors with `{cmd}`.",
            "kubectl logs -n {ns} deploy/{svc} --since=20m | grep -m 20 -A5 ERROR",
        ),
        Step(
            "Compared the releases: `{cmd}`.",
            "Diff of the release with `{cmd}`.",
            "git log --oneline {version_prev}..{version}",
        ),
    ),
    mitigation=(
        Step(
            "Rolled back: `{cmd}`.", "Reverted the rollout with `{cmd}`.", _KUBE_UNDO, only="0,1,2"
        ),
        Step(
            "Rolled back the release: `{cmd}`.",
            "Helm rollback: `{cmd}`.",
            "helm rollback {svc} -n {ns}",
            only="0,1,2",
        ),
        Step(
            "Disabled the new code path: `{cmd}`.",
            "Flag off with `{cmd}`.",
            "flagctl set {flag} --off --env production",
            only="3",
        ),
    ),
    actions=(
        Action(
            "prevent",
            "release-eng",
            "Automated canary analysis gating every {svc} deploy",
            "Mandatory canary with automatic judgement for {svc}",
            (5, 8),
        ),
        Action(
            "prevent",
            "{team}",
            "Regression test for {feature}",
            "Test covering {feature} with optional fields missing",
            (1,),
        ),
        Action(
            "detect",
            "sre",
            "Alert on the error-rate difference between canary and baseline",
            "Canary versus baseline error alert",
            (1, 2),
        ),
        Action(
            "process",
            "release-eng",
            "Expand-and-contract rule for schema changes in the review checklist",
            "Review checklist item for backwards-compatible migrations",
            (0.5,),
        ),
        Action(
            "mitigate",
            "release-eng",
            "Automatic rollback when error budget burn exceeds 10x for 5 minutes",
            "Auto-revert on fast error-budget burn",
            (3, 5),
        ),
    ),
    tags=("release", "ci", "canary", "testing", "helm"),
    roles=("backend", "release", "sre"),
    revenue=True,
)

RATE_LIMIT = Pattern(
    slug="rate-limiter-misconfiguration",
    variants=("config-change", "traffic-spike", "deploy", "deploy"),
    weight=0.7,
    targets=(
        {"svc": "api-gateway", "edge": "checkout-api"},
        {"svc": "api-gateway", "edge": "search-api"},
        {"svc": "auth-svc", "edge": "auth-svc"},
        {"svc": "cdn-edge", "edge": "catalog-svc"},
    ),
    triggers=("config-change", "config-change", "traffic-spike", "deploy"),
    category="configuration",
    severity=(0.02, 0.2, 0.45, 0.28, 0.05),
    ttr_median=45,
    detection=(("alert", 0.55), ("customer-report", 0.35), ("synthetic-check", 0.1)),
    alerts=("{Edge}HighErrorRate", "{Svc}TooManyRequestsHigh", "{Edge}TrafficDrop"),
    logs=(
        "429 Too Many Requests",
        "rate limit exceeded for key client_ip",
        "local_rate_limited",
        "ratelimit: over limit for descriptor generic_key",
    ),
    short=("'too many requests' errors", "being blocked by the site", "the app refusing to load"),
    params={
        "limit_rps": (50, 100, 200),
        "commit": ("a41c9e2", "7be03f1", "c9d2e84", "f03a6b1", "2d7e51c"),
    },
    titles=st(
        (
            "{svc} rate limiter throttled legitimate {edge} traffic",
            "429 Too Many Requests for real users on {edge}",
            "Rate limit misconfiguration on {svc}",
            "Customers throttled by {svc} after limit change",
            "1|Wrong rate limit blocked mobile users",
        ),
        (
            "Our own throttling locked out shoppers",
            "{svc} refused legitimate calls with 429",
            "Request quota set far below peak on {svc}",
            "Throttle rule on {svc} hit normal traffic",
        ),
    ),
    symptoms=st(
        (
            "{svc} returned 429 Too Many Requests to {pct}% of legitimate {edge} traffic after a "
            "rate limit change.",
            "Customers were throttled: the rate limiter on {svc} kicked in at normal traffic "
            "levels.",
            "1|Mobile app users behind carrier NAT got 429s because the limit was per client "
            "address.",
            "{edge} traffic dropped by half: requests rejected with `{log}`.",
        ),
        (
            "Legitimate requests were throttled by {svc}; {edge} callers saw 429 responses.",
            "Our own limiter blocked real shoppers; the limit was set far below normal peak.",
            "1|Throttling keyed on source address hit many users sharing an address.",
            "Request volume to {edge} fell sharply as {svc} refused calls with `{log}`.",
        ),
    ),
    causes=st(
        (
            "0|The limit was set to {limit_rps} requests per second per route, a value copied from "
            "staging.",
            "1|The limiter keyed on client address, and traffic from a large mobile carrier "
            "arrives "
            "through a few NAT gateways.",
            "2|A gateway upgrade changed the limit units from per-minute to per-second semantics.",
            "3|Limits were applied per pod, so scaling in during a deploy cut the global limit in "
            "half.",
        ),
        (
            "0|Staging numbers ({limit_rps} rps) were copied into the production limiter config.",
            "1|Limiting by source address penalised users behind carrier-grade NAT.",
            "2|Units changed in an upgrade: a per-minute figure was read as per-second.",
            "3|Each gateway pod enforced its own share of the limit; when a deploy scaled the "
            "gateway in, the effective limit halved.",
        ),
    ),
    fixes=st(
        (
            "0,2,3|Raised the limit and reloaded the gateway config.",
            "1|Switched the limiter key to the authenticated customer id and redeployed.",
            "Disabled the new rule until it could be sized from real traffic.",
        ),
        (
            "0,2,3|Lifted the quota to match real peak and reloaded.",
            "1|Changed the throttle key from address to customer.",
            "Turned the rule off pending proper sizing.",
        ),
    ),
    starts=st(
        ("{svc} starts answering 429 to {edge} requests.", "Share of 429s on {edge} jumps."),
        ("{svc} begins throttling normal traffic.", "Throttled responses appear on {edge}."),
    ),
    factors=st(
        (
            "Rate limit changes are not tried in shadow mode first.",
            "No alert on the share of 429 responses.",
            "Limits are copied between environments by hand.",
        ),
        (
            "Throttle rules go live without a dry run.",
            "Nobody watches the 429 ratio.",
            "Production and staging share one hand-edited file.",
        ),
    ),
    whys={
        "main": (
            (
                "Users got 429s because {svc} throttled them.",
                "It throttled them because the limit was far below real traffic.",
                "The limit was never sized from production data.",
            ),
        ),
    },
    lessons=st(
        ("Size rate limits from observed traffic and try them in shadow mode first.",),
        ("A throttle rule is a production change with blast radius; stage it.",),
    ),
    diagnosis=(
        Step(
            "`{cmd}` shows the 429s come from the gateway, not the backend.",
            "Response codes by route (`{cmd}`): 429s at the edge.",
            'sum by (route) (rate(envoy_http_downstream_rq_xx{envoy_response_code_class="4"}[5m]))',
        ),
        Step(
            "Rate limit stats: `{cmd}`.",
            "Limiter counters via `{cmd}`.",
            "kubectl exec -n {ns} deploy/{svc} -- curl -s localhost:9901/stats | grep ratelimit",
        ),
        Step(
            "Compared with normal peak: `{cmd}`.",
            "Seven-day peak from `{cmd}`.",
            'max_over_time(sum(rate(http_requests_total{service="{edge}"}[1m]))[7d:5m])',
        ),
        Step(
            "Found the change: `{cmd}`.",
            "Recent limiter changes via `{cmd}`.",
            "git log -p -3 -- gateway/ratelimit.yaml",
        ),
    ),
    mitigation=(
        Step(
            "Reverted the limiter change: `{cmd}`.",
            "Undid commit {commit} with `{cmd}`.",
            "git revert --no-edit {commit} && make deploy-gateway",
            only="0,2",
        ),
        Step(
            "Disabled the rule: `{cmd}`.",
            "Rule off via `{cmd}`.",
            "kubectl annotate route {edge} -n {ns} ratelimit.enabled=false --overwrite",
        ),
        Step(
            "Raised the limit and re-applied: `{cmd}`.",
            "New limit applied with `{cmd}`.",
            "kubectl apply -f gateway/ratelimit.yaml -n {ns}",
            only="0,2,3",
        ),
    ),
    actions=(
        Action(
            "prevent",
            "platform",
            "Size rate limits from observed p99 traffic with 3x headroom",
            "Data-driven quota sizing with headroom",
            (2, 3),
        ),
        Action(
            "prevent",
            "platform",
            "Key the limiter on customer id, not client address",
            "Throttle per customer instead of per source address",
            (3, 5),
        ),
        Action(
            "detect",
            "sre",
            "Alert when 429s exceed 1% of requests",
            "Alert on throttled-response ratio",
            (0.5,),
        ),
        Action(
            "process",
            "platform",
            "Rate limit changes run a week in shadow mode first",
            "Dry-run period for new throttle rules",
            (1,),
        ),
        Action(
            "mitigate",
            "platform",
            "Kill switch for all rate limit rules",
            "One switch to disable throttling",
            (1, 2),
        ),
    ),
    tags=("envoy", "api-gateway", "mobile", "traffic"),
    roles=("platform", "networking", "security"),
    fix_done=False,
    revenue=True,
)

CRON_HERD = Pattern(
    slug="cron-job-thundering-herd",
    variants=("capacity", "deploy", "capacity", "unknown"),
    weight=0.9,
    targets=(
        {"svc": "orders-db", "edge": "orders-api", "job": "nightly-reconciliation"},
        {"svc": "orders-db", "edge": "notifications-worker", "job": "daily-digest"},
        {"svc": "inventory-db", "edge": "inventory-svc", "job": "stock-sync"},
        {"svc": "catalog-db", "edge": "catalog-svc", "job": "price-refresh"},
    ),
    triggers=("traffic-spike", "capacity", "deploy"),
    category="capacity",
    severity=(0.0, 0.08, 0.42, 0.4, 0.1),
    ttr_median=50,
    detection=(("alert", 0.8), ("internal-report", 0.2)),
    alerts=("{Svc}CPUHigh", "{Edge}HighLatencyP99", "KubeJobFailed", "{Edge}HighErrorRate"),
    logs=(
        "canceling statement due to statement timeout",
        "Job has reached the specified backoff limit",
        "deadline exceeded after 30s",
    ),
    short=("slow responses at night", "timeouts during the batch window", "failed night jobs"),
    params={"pods": (12, 18, 24, 40), "hour": ("00", "01", "02", "06")},
    titles=st(
        (
            "Thundering herd from {job} cron overloaded {svc}",
            "{job} jobs ran all at once; {edge} timeouts",
            "Midnight {job} batch saturated {svc}",
            "0|Overlapping {job} runs piled load on {svc}",
            "Cron stampede against {svc}",
        ),
        (
            "Scheduled batch {job} swamped {svc}",
            "All copies of {job} woke up together",
            "Top-of-the-hour burst starved online traffic on {edge}",
            "{job} schedule collision",
        ),
    ),
    symptoms=st(
        (
            "At {hour}:00 UTC every instance of the {job} job started at once and saturated "
            "{svc}; {edge} latency rose and some requests timed out.",
            "1|The {job} cron fired on {pods} pods simultaneously, a thundering herd against "
            "{svc}.",
            "The night batch run of {job} overloaded {svc}; API calls timed out.",
            "0,3|{job} runs stacked up after a slow run and all retried at the top of the hour.",
        ),
        (
            "A scheduled batch ({job}) ran everywhere in the same minute and swamped {svc}.",
            "All copies of {job} woke up together and hit {svc} in the same second.",
            "0|Overlapping runs of the {job} schedule piled load onto {svc}.",
            "A top-of-the-hour burst from {job} starved online traffic.",
        ),
    ),
    causes=st(
        (
            "0|The CronJob had concurrencyPolicy Allow and an hourly schedule; a slow run "
            "overlapped "
            "the next, doubling the load each hour.",
            "1|Every pod ran the scheduler in-process, so scaling {edge} to {pods} pods multiplied "
            "the job.",
            "2|All tenants' jobs were scheduled at exactly {hour}:00 UTC with no jitter.",
            "3|Failed batches retried immediately and all together, without backoff.",
        ),
        (
            "0|Overlapping runs were allowed, so one slow run stacked on the next.",
            "1|The schedule lived inside the app, so every replica ({pods}) executed it.",
            "2|No jitter: all jobs were pinned to the same minute.",
            "3|Failed batches were retried at once and all together, so every failure doubled "
            "the load.",
        ),
    ),
    fixes=st(
        (
            "Suspended the CronJob, cancelled the running queries and let {svc} recover; the "
            "job was re-run later with concurrency 1.",
            "0,2,3|Set concurrencyPolicy to Forbid and added a random start delay.",
            "1|Moved the scheduler out of the app into a single leader-elected runner.",
        ),
        (
            "Paused the schedule, killed the batch queries and resumed it one run at a time.",
            "0,2,3|Forbade overlapping runs and spread start times.",
            "1|One runner now owns the schedule instead of every replica.",
        ),
    ),
    starts=st(
        (
            "{job} runs start on {pods} pods at once.",
            "{svc} CPU jumps to 100% as {job} begins.",
        ),
        (
            "Batch window opens; every {job} copy starts together.",
            "Load on {svc} spikes at the top of the hour.",
        ),
    ),
    factors=st(
        (
            "Batch jobs share the primary with online traffic.",
            "No alert on concurrent job runs.",
            "Schedules are defined in five different places.",
        ),
        (
            "Night jobs run against the same database as the shop.",
            "Nothing notices when runs overlap.",
            "No single list of scheduled work.",
        ),
    ),
    whys={
        "main": (
            (
                "0,2|{edge} timed out because {svc} was saturated.",
                "It was saturated because {pods} copies of {job} ran at once.",
                "They ran at once because the schedule had no jitter and allowed overlap.",
            ),
        ),
        "alt": (
            (
                "1|Online requests were starved by batch load.",
                "Every replica executed the in-app schedule.",
                "The scheduler was embedded in the service for convenience years ago.",
            ),
        ),
    },
    lessons=st(
        ("Every scheduled job needs jitter, a concurrency policy and an owner.",),
        ("Batch and online traffic should not compete for the same primary.",),
    ),
    diagnosis=(
        Step(
            "`{cmd}` shows {pods} jobs active at once.",
            "Active runs per `{cmd}`.",
            "kubectl get jobs -n {ns} --sort-by=.status.startTime | tail -20",
        ),
        Step(
            "Queries from the job: `{cmd}`.",
            "Batch sessions via `{cmd}`.",
            "SELECT usename, count(*), max(now() - query_start) FROM pg_stat_activity "
            "WHERE application_name = '{job}' GROUP BY 1;",
        ),
        Step(
            "CPU spike aligned with the schedule: `{cmd}`.",
            "`{cmd}` shows the spike exactly on the hour.",
            'sum(rate(container_cpu_usage_seconds_total{namespace="{ns}"}[1m]))',
        ),
        Step(
            "Checked the CronJob spec: `{cmd}`.",
            "Schedule and policy via `{cmd}`.",
            "kubectl get cronjob {job} -n {ns} -o jsonpath='{.spec.schedule} "
            "{.spec.concurrencyPolicy}'",
        ),
    ),
    mitigation=(
        Step(
            "Suspended the job: `{cmd}`.",
            "Paused the schedule with `{cmd}`.",
            """kubectl patch cronjob {job} -n {ns} -p '{"spec":{"suspend":true}}'""",
        ),
        Step(
            "Cancelled the job's queries: `{cmd}`.",
            "Stopped batch queries with `{cmd}`.",
            "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE application_name = '{job}';",
        ),
        Step(
            "Set concurrencyPolicy to Forbid: `{cmd}`.",
            "No more overlap: `{cmd}`.",
            """kubectl patch cronjob {job} -n {ns} -p '{"spec":{"concurrencyPolicy":"Forbid"}}'""",
            only="0",
        ),
    ),
    actions=(
        Action(
            "prevent",
            "{team}",
            "Add random jitter and concurrencyPolicy Forbid to {job}",
            "Spread and serialise {job} runs",
            (1, 2),
        ),
        Action(
            "prevent",
            "{team}",
            "Move in-process schedulers to a single leader-elected runner",
            "One owner process for scheduled work",
            (3, 5),
        ),
        Action(
            "detect",
            "sre",
            "Alert when more than one {job} run is active",
            "Alert on overlapping batch runs",
            (0.5,),
        ),
        Action(
            "process",
            "platform",
            "Keep a registry of batch schedules and spread them across the night",
            "Central list of scheduled jobs with assigned slots",
            (2,),
        ),
        Action(
            "mitigate",
            "{team}",
            "Make {job} resumable with checkpoints",
            "Checkpointing for {job}",
            (3,),
        ),
    ),
    tags=("cron", "batch", "scheduling", "kubernetes", "postgres"),
    roles=("backend", "database", "data"),
    hours=(0, 0, 0, 1, 2, 6),
    customer_facing=False,
)


def _node(ctx: Context, rng: random.Random) -> None:
    ctx["node"] = f"{ctx['pool']}-{rng.choice(('4c1e', '9b2f', '07ad', 'e5d3', '31fa'))}"


K8S_NODE = Pattern(
    slug="k8s-node-pressure-eviction",
    variants=("capacity", "capacity", "traffic-spike", "deploy"),
    weight=0.9,
    targets=(
        {"svc": "k8s-platform", "edge": "checkout-api", "pool": "general-pool"},
        {"svc": "k8s-platform", "edge": "search-api", "pool": "search-pool"},
        {"svc": "k8s-platform", "edge": "orders-api", "pool": "general-pool"},
        {"svc": "k8s-platform", "edge": "cart-svc", "pool": "general-pool"},
        {"svc": "k8s-platform", "edge": "catalog-svc", "pool": "batch-pool"},
    ),
    triggers=("capacity", "capacity", "hardware", "deploy"),
    category="infrastructure",
    severity=(0.02, 0.18, 0.45, 0.3, 0.05),
    ttr_median=65,
    detection=(("alert", 0.85), ("customer-report", 0.1), ("synthetic-check", 0.05)),
    alerts=(
        "KubeletEvictingPods",
        "KubeNodeNotReady",
        "NodeMemoryPressure",
        "{Edge}PodsUnavailable",
    ),
    logs=(
        "0,2,3|The node was low on resource: memory. Container {edge} was using 1843Mi, which "
        "exceeds "
        "its request of 512Mi.",
        "1|Evicted: The node had condition: [DiskPressure]",
        "1|eviction manager: attempting to reclaim ephemeral-storage",
        "0,2|0/18 nodes are available: 6 Insufficient memory, 12 node(s) had untolerated taint",
    ),
    short=("errors and slow pages", "{edge} failing", "intermittent 503s"),
    params={"nodes": (3, 4, 6, 9), "max_nodes": (40, 60, 80)},
    derive=_node,
    titles=st(
        (
            "Node pressure evictions in {pool} took down {edge} pods",
            "0,2,3|Kubelet evicted {edge} pods under memory pressure",
            "1|DiskPressure evictions on {nodes} nodes",
            "Pods evicted and pending: {pool} out of capacity",
            "Kubernetes node pressure, {edge} below minimum replicas",
        ),
        (
            "The kubelet reclaimed resources by killing pods on {nodes} nodes",
            "Workloads thrown off overcommitted nodes",
            "Eviction wave in the {pool} node group",
            "Nodes flipped to pressure conditions; {edge} under-provisioned",
        ),
    ),
    symptoms=st(
        (
            "0,2,3|Several nodes in {pool} hit memory pressure and the kubelet evicted pods, "
            "including "
            "{edge}; {pct}% of requests failed while pods were rescheduled.",
            "1|Pods were evicted under DiskPressure on {nodes} nodes; {edge} dropped below its "
            "minimum replicas.",
            "0,2|Node pressure evictions cascaded across {pool}; evicted pods could not be "
            "rescheduled (Insufficient memory).",
            "{edge} lost most replicas to kubelet evictions and served 503s.",
        ),
        (
            "The kubelet started reclaiming resources by killing pods on {nodes} nodes; {edge} ran "
            "short of replicas.",
            "Workloads got evicted from nodes under memory or disk pressure and had nowhere to go.",
            "A wave of evictions in the {pool} node group left {edge} under-provisioned.",
            "Nodes flipped to pressure conditions; pods were thrown off and stayed pending.",
        ),
    ),
    causes=st(
        (
            "0|Pods had memory requests far below their real usage, so the scheduler packed nodes "
            "until they ran out and the kubelet evicted the biggest over-users.",
            "1|Container images and logs filled ephemeral storage, triggering DiskPressure "
            "evictions.",
            "2|The cluster autoscaler was at its maximum for {pool} ({max_nodes} nodes), so "
            "evicted "
            "pods stayed Pending.",
            "3|A DaemonSet update doubled per-node memory use.",
        ),
        (
            "0|Requests understated real memory use; the scheduler overcommitted nodes.",
            "1|Ephemeral storage on the nodes filled with images and logs.",
            "2|The autoscaler ceiling ({max_nodes}) was reached, so there was no room to "
            "reschedule.",
            "3|A new version of a node agent DaemonSet used twice the memory per node, squeezing "
            "every workload.",
        ),
    ),
    fixes=st(
        (
            "0,2|Raised the node group maximum, drained the worst nodes and raised memory requests "
            "for the heaviest deployments.",
            "1|Cleaned up images on the nodes and raised the image GC thresholds.",
            "3|Rolled back the DaemonSet and let pods reschedule.",
        ),
        (
            "0,2|Gave the node group more room, moved pods off the hottest nodes and corrected "
            "requests.",
            "1|Reclaimed disk on the nodes and tuned image garbage collection.",
            "3|Reverted the agent update; pods found homes again.",
        ),
    ),
    starts=st(
        (
            "0,2,3|Nodes in {pool} report MemoryPressure; the kubelet starts evicting.",
            "`{log}`",
        ),
        (
            "Pressure conditions appear on {nodes} nodes.",
            "First evictions in {pool}.",
        ),
    ),
    factors=st(
        (
            "0|Memory requests were set once and never compared with usage.",
            "No PodDisruptionBudget for {edge}.",
            "2|The autoscaler maximum had not been raised since last year's peak.",
        ),
        (
            "0|Requests do not reflect reality.",
            "Nothing kept a minimum of {edge} replicas alive.",
            "2|The node-group ceiling was stale.",
        ),
    ),
    whys={
        "main": (
            (
                "0|{edge} failed because its pods were evicted.",
                "They were evicted because nodes ran out of memory.",
                "Nodes ran out because requests were far below real usage.",
            ),
        ),
        "alt": (
            (
                "2|{edge} lacked replicas after evictions.",
                "Evicted pods could not be placed because the node group was at its ceiling.",
                "The ceiling was last reviewed a year ago.",
            ),
        ),
    },
    lessons=st(
        ("Requests must track real usage; VPA recommendations make that cheap.",),
        ("Tier-1 services need disruption budgets and priority classes.",),
    ),
    diagnosis=(
        Step(
            "`{cmd}` shows MemoryPressure=True.",
            "Node conditions via `{cmd}`.",
            "kubectl describe nodes | grep -E 'Name:|MemoryPressure|DiskPressure'",
        ),
        Step(
            "Evicted pods: `{cmd}`.",
            "Listed evictions with `{cmd}`.",
            "kubectl get pods -A --field-selector=status.phase=Failed | grep Evicted",
        ),
        Step(
            "`{cmd}` shows usage well above requests.",
            "Node usage per `{cmd}`.",
            "kubectl top nodes",
        ),
        Step(
            "Autoscaler status: `{cmd}`.",
            "Checked the autoscaler with `{cmd}`.",
            "kubectl -n kube-system describe configmap cluster-autoscaler-status",
            only="2",
        ),
        Step(
            "Pressure over time: `{cmd}`.",
            "`{cmd}` shows the pressure conditions.",
            'sum by (node) (kube_node_status_condition{condition="MemoryPressure",status="true"})',
        ),
    ),
    mitigation=(
        Step(
            "Drained the worst node: `{cmd}`.",
            "Moved pods off {node} with `{cmd}`.",
            "kubectl drain {node} --ignore-daemonsets --delete-emptydir-data",
        ),
        Step(
            "Raised the node group maximum: `{cmd}`.",
            "More node headroom via `{cmd}`.",
            "aws autoscaling update-auto-scaling-group --auto-scaling-group-name {pool} "
            "--max-size {max_nodes}",
            only="2",
        ),
        Step(
            "Cleaned up evicted pods: `{cmd}`.",
            "Removed failed pods with `{cmd}`.",
            "kubectl delete pods -A --field-selector=status.phase=Failed",
        ),
        Step(
            "Raised memory requests of {edge}: `{cmd}`.",
            "Corrected requests with `{cmd}`.",
            "kubectl set resources deployment/{edge} -n {edge_ns} --requests=memory=1536Mi",
            only="0",
        ),
    ),
    actions=(
        Action(
            "prevent",
            "platform",
            "Set memory requests from VPA recommendations for all deployments",
            "Right-size requests from observed usage",
            (5, 8),
        ),
        Action(
            "prevent",
            "platform",
            "Raise ephemeral-storage limits and image GC thresholds",
            "Node disk hygiene: image GC and storage limits",
            (1, 2),
        ),
        Action(
            "detect",
            "sre",
            "Alert on node pressure conditions before evictions start",
            "Early node-pressure alert",
            (1,),
        ),
        Action(
            "mitigate",
            "platform",
            "PodDisruptionBudgets and priority classes for tier-1 services",
            "Disruption budgets for critical workloads",
            (2, 3),
        ),
        Action(
            "process",
            "platform",
            "Monthly review of node group maximums against peak",
            "Regular check of node-group ceilings",
            (0.5,),
        ),
    ),
    tags=("kubernetes", "kubelet", "scheduling", "capacity", "nodes"),
    roles=("platform", "sre"),
    revenue=True,
)

CDN_PURGE = Pattern(
    slug="cdn-purge-origin-overload",
    variants=("config-change", "deploy", "config-change", "deploy"),
    weight=0.6,
    targets=(
        {"svc": "cdn-edge", "edge": "catalog-svc", "origin": "catalog-svc"},
        {"svc": "cdn-edge", "edge": "search-api", "origin": "search-api"},
        {"svc": "cdn-edge", "edge": "catalog-svc", "origin": "catalog-svc", "dep": "catalog-db"},
    ),
    triggers=("config-change", "deploy", "deploy"),
    category="configuration",
    severity=(0.02, 0.25, 0.45, 0.25, 0.03),
    ttr_median=40,
    detection=(("alert", 0.7), ("synthetic-check", 0.2), ("customer-report", 0.1)),
    alerts=("CdnOriginErrorRate", "CdnCacheHitRatioLow", "{Origin}HighLatency"),
    logs=(
        "504 Gateway Timeout from origin",
        "origin connection limit reached",
        "upstream timed out (110: Connection timed out) while reading response header from "
        "upstream",
    ),
    short=("very slow product pages", "pages not loading", "504 errors"),
    params={
        "hit_before": (92, 94, 97),
        "hit_after": (8, 15, 31),
        "n_urls": ("40,000", "120,000", "300,000"),
        "replicas": (30, 40, 60),
    },
    titles=st(
        (
            "CDN purge overloaded {origin}",
            "Full cache purge sent all traffic to {origin}",
            "0|Wildcard CDN purge, origin 504s",
            "Edge cache invalidation swamped {origin}",
            "Product pages slow after CDN purge",
        ),
        (
            "Invalidating the whole edge cache knocked over {origin}",
            "0,1,2|Purge-all left the CDN empty and the backend drowning",
            "Mass invalidation, origin flooded with misses",
            "Edge hit ratio collapse after invalidation",
        ),
    ),
    symptoms=st(
        (
            "0,1,2|A full CDN cache purge sent all traffic to {origin}; the origin could not cope "
            "and "
            "the CDN served 504s for product pages.",
            "The cache hit ratio at the edge fell from {hit_before}% to {hit_after}% after a "
            "purge, overloading {origin}.",
            "0|Product pages timed out after a wildcard purge; {origin} was flooded with cache "
            "misses.",
            "{origin} was overloaded by CDN misses after cache invalidation; shoppers saw slow "
            "pages and 504s.",
        ),
        (
            "Invalidating the whole edge cache pushed every request back to {origin}, which fell "
            "over.",
            "0,1|The edge hit ratio collapsed after a purge-all; origin latency climbed into "
            "seconds.",
            "A mass invalidation left the CDN empty, and the backend took the full load.",
            "0,1,2|Purging everything at the CDN sent a wave of misses to {origin}.",
        ),
    ),
    causes=st(
        (
            "0|A content editor's purge of one category used a wildcard that matched the whole "
            "site.",
            "1|The deploy pipeline purges the full CDN cache on every release of {origin}.",
            "2|A price update job purged product URLs one by one, {n_urls} in a few minutes: in "
            "effect a full purge.",
            "3|Cache keys changed in a release (a new query parameter), so every URL missed.",
        ),
        (
            "0|A wildcard invalidation matched far more than intended.",
            "1|The release pipeline invalidates the entire edge cache by default.",
            "3|Changing the cache key made every lookup a miss.",
            "2|A price update job invalidated product URLs one at a time ({n_urls} in a few "
            "minutes), which emptied the edge as well as a full purge would.",
        ),
    ),
    fixes=st(
        (
            "Enabled serve-stale at the edge, scaled {origin} and let the cache refill.",
            "Limited origin connections at the CDN and pre-warmed the top pages.",
            "3|Reverted the cache key change and scaled the origin until the hit ratio recovered.",
        ),
        (
            "Served stale content, gave {origin} more replicas and waited for the cache to fill.",
            "Capped concurrent origin fetches and warmed the most visited pages.",
            "3|Restored the old cache key; hits came back within minutes.",
        ),
    ),
    starts=st(
        (
            "0,1,2|CDN purge issued; edge hit ratio drops.",
            "Origin request rate on {origin} triples.",
        ),
        ("0,1,2|Edge cache invalidated; misses surge.", "{origin} load jumps as the CDN empties."),
    ),
    factors=st(
        (
            "0|Purge-all is one click in the CDN console and allowed for editors.",
            "Origin capacity assumes a hit ratio above 90%.",
            "serve-stale was not enabled.",
        ),
        (
            "0|Anyone with console access can invalidate everything.",
            "The backend is sized for a warm cache only.",
            "The edge did not fall back to stale copies.",
        ),
    ),
    whys={
        "main": (
            (
                "0,1,2|Pages failed because {origin} was overloaded.",
                "It was overloaded because the CDN cache had been purged.",
                "A purge-all was possible from the pipeline and the console.",
            ),
        ),
    },
    lessons=st(
        ("Purge by surrogate key; never purge everything.",),
        ("The origin must survive a cold edge, or the edge must serve stale.",),
    ),
    diagnosis=(
        Step(
            "`{cmd}` shows the hit ratio collapse.",
            "Edge hit ratio via `{cmd}`.",
            'sum(rate(cdn_requests_total{cache_status="HIT"}[5m])) / '
            "sum(rate(cdn_requests_total[5m]))",
        ),
        Step(
            "Purge audit log: `{cmd}`.",
            "Found the purge with `{cmd}`.",
            "cdnctl purge history --since 2h",
            only="0,1,2",
        ),
        Step(
            "Origin load: `{cmd}`.",
            "Requests reaching {origin} per `{cmd}`.",
            'sum(rate(http_requests_total{service="{origin}"}[1m]))',
        ),
        Step(
            "Checked cache headers: `{cmd}`.",
            "Response headers via `{cmd}`: all MISS.",
            "curl -sI https://www.example.com/p/12345 | grep -i -E 'x-cache|age|cache-control'",
        ),
    ),
    mitigation=(
        Step(
            "Enabled serve-stale at the edge: `{cmd}`.",
            "Stale content allowed with `{cmd}`.",
            "cdnctl config set serve_stale=true --service www",
        ),
        Step(
            "Scaled {origin}: `{cmd}`.",
            "More origin replicas via `{cmd}`.",
            "kubectl scale deployment/{origin} -n {origin_ns} --replicas={replicas}",
        ),
        Step(
            "Limited origin fetches: `{cmd}`.",
            "Capped origin connections with `{cmd}`.",
            "cdnctl config set origin_max_connections=400 --service www",
        ),
        Step(
            "Pre-warmed the top pages: `{cmd}`.",
            "Warmed the cache with `{cmd}`.",
            "./scripts/warm-cache.sh --top 5000",
        ),
    ),
    actions=(
        Action(
            "prevent",
            "platform",
            "Forbid purge-all from the pipeline; purge by surrogate key only",
            "Targeted invalidation only, no full purges",
            (2, 3),
        ),
        Action(
            "mitigate",
            "platform",
            "Enable origin shield and serve-stale on errors",
            "Stale-on-error and origin shielding at the edge",
            (1, 2),
        ),
        Action(
            "detect",
            "sre",
            "Alert on edge hit ratio below 85%",
            "Edge hit-ratio alert",
            (0.5,),
        ),
        Action(
            "process",
            "{team}",
            "Limit purge permissions to on-call and release tooling",
            "Restrict who can invalidate the edge cache",
            (0.5,),
        ),
        Action(
            "prevent",
            "{team}",
            "Request collapsing at the origin for product pages",
            "Coalesce concurrent misses at {origin}",
            (3,),
        ),
    ),
    impacts=st(
        (
            "About {customers} customers saw slow or failing product pages for {impact_mins} "
            "minutes.",
        ),
        ("Roughly {customers} shoppers hit slow pages or 504s over {impact_mins} minutes.",),
    ),
    tags=("cdn", "caching", "latency", "product-pages"),
    roles=("sre", "backend", "platform"),
)

PATTERNS: tuple[Pattern, ...] = (
    BAD_CONFIG,
    CDN_PURGE,
    CRON_HERD,
    DB_POOL,
    DEPLOY_REGRESSION,
    DISK_FULL,
    DNS,
    K8S_NODE,
    KAFKA_LAG,
    MEMORY_LEAK,
    PAYMENT_PROVIDER,
    RATE_LIMIT,
    REDIS,
    TLS,
)

# --- one-off failures ----------------------------------------------------------------------
# Each is its own failure; written with the same fields so the renderer treats them alike.

_SEV_MID = (0.02, 0.15, 0.45, 0.3, 0.08)
_SEV_HIGH = (0.1, 0.45, 0.35, 0.1, 0.0)
_SEV_LOW = (0.0, 0.05, 0.35, 0.45, 0.15)


def _one(
    slug: str,
    target: Mapping[str, str],
    *,
    trigger: str,
    category: str,
    titles: tuple[tuple[str, ...], tuple[str, ...]],
    symptom: tuple[str, str],
    cause: tuple[str, str],
    fix: tuple[str, str],
    start: tuple[str, str],
    diagnosis: tuple[Step, ...],
    mitigation: tuple[Step, ...],
    actions: tuple[Action, ...],
    tags: tuple[str, ...],
    alert: str,
    log: str,
    short: str,
    factor: tuple[str, str],
    lesson: tuple[str, str],
    roles: tuple[str, ...] = ("backend", "sre"),
    severity: tuple[float, float, float, float, float] = _SEV_MID,
    ttr: float = 70,
    detection: tuple[tuple[str, float], ...] = (("alert", 0.7), ("customer-report", 0.3)),
    customer_facing: bool = True,
    revenue: bool = False,
) -> Pattern:
    return Pattern(
        slug=slug,
        weight=0.0,
        targets=(target,),
        triggers=(trigger,),
        category=category,
        severity=severity,
        ttr_median=ttr,
        detection=detection,
        alerts=(alert,),
        logs=(log,),
        short=(short,),
        titles=st(*titles),
        symptoms=st((symptom[0],), (symptom[1],)),
        causes=st((cause[0],), (cause[1],)),
        fixes=st((fix[0],), (fix[1],)),
        starts=st((start[0],), (start[1],)),
        factors=st((factor[0],), (factor[1],)),
        lessons=st((lesson[0],), (lesson[1],)),
        diagnosis=diagnosis,
        mitigation=mitigation,
        actions=actions,
        tags=tags,
        roles=roles,
        customer_facing=customer_facing,
        revenue=revenue,
    )


ONE_OFFS: tuple[Pattern, ...] = (
    _one(
        "search-mapping-explosion",
        {"svc": "search-cluster", "edge": "search-api"},
        trigger="deploy",
        category="software",
        titles=(
            ("Search indexing rejected after field mapping explosion",),
            ("Too many index fields: new product attributes broke search updates",),
        ),
        symptom=(
            "Indexing into search-cluster failed with `{log}`; new and changed products did not "
            "appear in search for hours.",
            "Catalog changes stopped reaching search because the index refused new fields.",
        ),
        cause=(
            "A catalog import added free-form product attributes as dynamic fields; the index hit "
            "its 1,000-field mapping limit.",
            "Dynamic mapping turned every supplier attribute into an index field until the limit "
            "was reached.",
        ),
        fix=(
            "Switched the attributes to a flattened field, reindexed into a new index and moved "
            "the alias.",
            "Stored supplier attributes as one flattened field and rebuilt the index behind the "
            "alias.",
        ),
        start=("Indexer starts logging `{log}`.", "Index updates begin to bounce."),
        diagnosis=(
            Step(
                "`{cmd}` shows the mapping at its field limit.",
                "Field count via `{cmd}`.",
                "curl -s 'search-cluster:9200/products/_mapping' | jq '[.. | .type? // empty] "
                "| length'",
            ),
        ),
        mitigation=(
            Step(
                "Reindexed and moved the alias: `{cmd}`.",
                "Alias switched with `{cmd}`.",
                "curl -s -X POST 'search-cluster:9200/_aliases' -H 'Content-Type: "
                "application/json' -d @alias-swap.json",
            ),
        ),
        actions=(
            Action(
                "prevent",
                "search-team",
                "Disable dynamic mapping on the products index",
                "Strict mapping for products",
                (2,),
            ),
            Action(
                "detect",
                "search-team",
                "Alert on indexing rejections",
                "Indexing error alert",
                (1,),
            ),
        ),
        tags=("elasticsearch", "search", "indexing"),
        alert="SearchIndexingErrors",
        log="Limit of total fields [1000] has been exceeded",
        short="new products missing from search",
        factor=(
            "Supplier data is imported without a schema.",
            "Nobody reviews what the import adds to the index.",
        ),
        lesson=(
            "Dynamic mappings are a liability for user-supplied data.",
            "Treat the search schema as a contract.",
        ),
        roles=("search", "backend"),
        severity=_SEV_LOW,
        ttr=180,
        customer_facing=False,
    ),
    _one(
        "cart-quantity-overflow",
        {"svc": "cart-svc", "edge": "checkout-api"},
        trigger="unknown",
        category="software",
        titles=(
            ("Cart totals overflowed for a bulk order",),
            ("Integer overflow in cart line totals",),
        ),
        symptom=(
            "A business customer added 40,000 units of one item; the cart total overflowed a "
            "32-bit integer and cart-svc returned 500 for that cart and the carts sharing its "
            "cache shard.",
            "A very large B2B cart broke total calculation and errors spread to neighbouring "
            "carts.",
        ),
        cause=(
            "Line totals in cents were stored in a 32-bit integer; 40,000 units at 599.00 exceed "
            "its range.",
            "Amounts in minor units used a 32-bit type that a large order could overflow.",
        ),
        fix=(
            "Capped quantities per line at 999 as a hotfix, then moved totals to 64-bit integers.",
            "Limited line quantities and widened the amount type.",
        ),
        start=("cart-svc logs `{log}` for one cart.", "First 500 from cart-svc on a large cart."),
        diagnosis=(
            Step(
                "Found the cart with `{cmd}`.",
                "Failing carts via `{cmd}`.",
                "kubectl logs -n checkout deploy/cart-svc --since=1h | grep -m 5 "
                "ArithmeticException",
            ),
        ),
        mitigation=(
            Step(
                "Hotfix quantity cap: `{cmd}`.",
                "Cap applied with `{cmd}`.",
                "kubectl set env deployment/cart-svc -n checkout MAX_LINE_QUANTITY=999",
            ),
        ),
        actions=(
            Action(
                "prevent",
                "checkout-team",
                "Use 64-bit integers for all money amounts",
                "Widen money types to 64 bits",
                (3,),
            ),
            Action(
                "prevent",
                "checkout-team",
                "Property-based tests for cart totals",
                "Generated test cases for large carts",
                (2,),
            ),
        ),
        tags=("cart", "b2b", "java"),
        alert="CartHighErrorRate",
        log="java.lang.ArithmeticException: integer overflow",
        short="a customer unable to check out a large order",
        factor=("No upper bound on quantity per line.", "Input limits were never defined."),
        lesson=(
            "Money needs wide types and tests at the edges.",
            "Define input limits explicitly.",
        ),
        ttr=95,
        revenue=True,
    ),
    _one(
        "cdn-wrong-language",
        {"svc": "cdn-edge", "edge": "catalog-svc"},
        trigger="config-change",
        category="configuration",
        titles=(
            ("CDN served product pages in the wrong language",),
            ("Cache key ignored Accept-Language; shoppers got foreign-language pages",),
        ),
        symptom=(
            "Shoppers in Germany and France saw product pages in whichever language was cached "
            "first.",
            "Visitors got pages in a language they had not chosen; the edge mixed up variants.",
        ),
        cause=(
            "A CDN config cleanup removed Accept-Language from the cache key, so one language "
            "variant was served to everyone.",
            "The Vary handling for language was dropped from the edge cache key.",
        ),
        fix=(
            "Restored the cache key and purged the product pages by surrogate key.",
            "Put language back in the cache key and invalidated the affected pages.",
        ),
        start=("CDN config change goes live.", "New edge rules deployed."),
        diagnosis=(
            Step(
                "Reproduced with `{cmd}`.",
                "Compared variants with `{cmd}`.",
                "curl -s -H 'Accept-Language: de-DE' https://www.example.com/p/12345 | grep -o "
                "'<html lang=\"[a-z-]*\"'",
            ),
        ),
        mitigation=(
            Step(
                "Purged product pages: `{cmd}`.",
                "Targeted purge via `{cmd}`.",
                "cdnctl purge key product-pages --service www",
            ),
        ),
        actions=(
            Action(
                "prevent",
                "platform",
                "Test cache-key variants in the CDN config pipeline",
                "Automated variant checks for edge config",
                (2,),
            ),
        ),
        tags=("cdn", "i18n", "caching"),
        alert="CdnEdgeConfigDrift",
        log="x-cache: HIT, content-language: fr",
        short="product pages in the wrong language",
        factor=("The CDN config has no tests.", "Edge changes are reviewed by eye only."),
        lesson=("Cache keys are correctness, not just performance.", "Test edge config."),
        roles=("platform", "backend"),
        detection=(("customer-report", 1.0),),
        severity=_SEV_LOW,
    ),
    _one(
        "jwt-clock-skew",
        {"svc": "auth-svc", "edge": "auth-svc", "dep": "k8s-platform"},
        trigger="hardware",
        category="infrastructure",
        titles=(
            ("Logins failing: token not yet valid due to clock skew",),
            ("Node clock drift rejected fresh sessions",),
        ),
        symptom=(
            "About a third of logins failed with `{log}`; requests served by one node were "
            "rejected.",
            "Fresh sessions were refused on requests that landed on one node with a drifting "
            "clock.",
        ),
        cause=(
            "NTP on one node had stopped after a network policy change; its clock ran 94 seconds "
            "behind, so tokens issued elsewhere looked like they came from the future.",
            "Time sync failed on a node and its clock fell behind; issued-at checks rejected "
            "valid tokens.",
        ),
        fix=(
            "Cordoned the node, restored NTP and added 60 seconds of leeway to token validation.",
            "Took the node out of rotation, fixed time sync and allowed small clock leeway.",
        ),
        start=("auth-svc on one node starts rejecting tokens.", "Login errors begin."),
        diagnosis=(
            Step(
                "Compared clocks with `{cmd}`.",
                "Clock offset via `{cmd}`.",
                "kubectl get nodes -o name | xargs -I{} kubectl debug {} -it --image=busybox "
                "-- date -u",
            ),
        ),
        mitigation=(
            Step(
                "Cordoned the node: `{cmd}`.",
                "Node out of rotation with `{cmd}`.",
                "kubectl cordon general-pool-7c2d",
            ),
        ),
        actions=(
            Action(
                "detect",
                "platform",
                "Alert on node clock offset above 1 second",
                "Clock drift alert",
                (1,),
            ),
            Action(
                "prevent",
                "identity-team",
                "Allow 60 s leeway in token time checks",
                "Clock leeway in token validation",
                (0.5,),
            ),
        ),
        tags=("ntp", "authentication", "kubernetes"),
        alert="AuthLoginFailuresHigh",
        log="token used before issued (iat in the future)",
        short="users unable to log in",
        factor=("No alert on clock offset.", "Time sync health is invisible."),
        lesson=("Monitor time like any other dependency.", "Clocks drift; validate with leeway."),
        roles=("platform", "security"),
        severity=_SEV_HIGH,
        ttr=110,
    ),
    _one(
        "orders-migration-lock",
        {"svc": "orders-db", "edge": "orders-api"},
        trigger="deploy",
        category="software",
        titles=(
            ("Migration locked the orders table; order writes blocked",),
            ("ALTER TABLE held an exclusive lock on orders",),
        ),
        symptom=(
            "A schema migration took an ACCESS EXCLUSIVE lock on orders; every order write queued "
            "behind it and checkout timed out for 14 minutes.",
            "Writes to the orders table stalled behind a DDL lock and checkout could not complete.",
        ),
        cause=(
            "The migration added a column with a volatile default, which rewrites the whole table "
            "under an exclusive lock.",
            "The DDL rewrote the table while holding the strongest lock.",
        ),
        fix=(
            "Cancelled the migration, then re-ran it as add-column, backfill in batches, set "
            "default.",
            "Aborted the DDL and applied the change in non-blocking steps.",
        ),
        start=("Migration job starts on orders-db.", "DDL begins on the orders table."),
        diagnosis=(
            Step(
                "Lock waits via `{cmd}`.",
                "`{cmd}` shows everything waiting on one pid.",
                "SELECT pid, wait_event_type, left(query, 60) FROM pg_stat_activity "
                "WHERE wait_event_type = 'Lock';",
            ),
        ),
        mitigation=(
            Step(
                "Cancelled the migration: `{cmd}`.",
                "Stopped the DDL with `{cmd}`.",
                "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE query LIKE 'ALTER "
                "TABLE orders%';",
            ),
        ),
        actions=(
            Action(
                "prevent",
                "dba-team",
                "Lint migrations for table rewrites and set lock_timeout",
                "Migration linter plus lock timeout",
                (2,),
            ),
        ),
        tags=("postgres", "migrations", "locking"),
        alert="CheckoutHighErrorRate",
        log="canceling statement due to lock timeout",
        short="checkout hanging",
        factor=("No lock_timeout on migrations.", "Migrations run with no lock budget."),
        lesson=(
            "Every migration needs a lock budget.",
            "Schema changes on hot tables need a plan.",
        ),
        roles=("database", "backend"),
        severity=_SEV_HIGH,
        ttr=30,
        revenue=True,
    ),
    _one(
        "jpy-rounding",
        {"svc": "payments-gateway", "edge": "checkout-api"},
        trigger="deploy",
        category="software",
        titles=(
            ("Yen orders charged 100 times the price",),
            ("Zero-decimal currency handled as two-decimal in payments",),
        ),
        symptom=(
            "Orders paid in JPY were authorised for 100 times their amount; 312 customers were "
            "over-charged before we stopped it.",
            "Japanese customers saw authorisations a hundredfold too high.",
        ),
        cause=(
            "A refactor multiplied all amounts by 100 to get minor units, but JPY has no minor "
            "unit.",
            "Minor-unit conversion ignored zero-decimal currencies.",
        ),
        fix=(
            "Disabled JPY checkout, voided the over-authorisations and shipped a per-currency "
            "exponent table.",
            "Turned off JPY, reversed the bad authorisations and fixed the conversion.",
        ),
        start=(
            "payments-gateway release with the new amount code goes live.",
            "New gateway build reaches production.",
        ),
        diagnosis=(
            Step(
                "Found affected payments with `{cmd}`.",
                "Listed the bad authorisations via `{cmd}`.",
                "SELECT count(*), sum(amount_minor) FROM payments WHERE currency = 'JPY' AND "
                "created_at > now() - interval '1 day';",
            ),
        ),
        mitigation=(
            Step(
                "Disabled JPY checkout: `{cmd}`.",
                "Currency switched off with `{cmd}`.",
                "flagctl set checkout.currency.jpy --off --env production",
            ),
        ),
        actions=(
            Action(
                "prevent",
                "payments-team",
                "Use ISO 4217 exponents for all currency conversions",
                "Currency exponent table from ISO 4217",
                (2,),
            ),
        ),
        tags=("payments", "currency", "japan"),
        alert="PaymentsAmountAnomaly",
        log="authorised amount deviates from order total by 9900%",
        short="customers charged far too much",
        factor=("Tests only used EUR and USD.", "No test for zero-decimal currencies."),
        lesson=(
            "Test money code with every currency you sell in.",
            "Currencies differ in more than symbol.",
        ),
        roles=("payments", "communications"),
        severity=_SEV_HIGH,
        ttr=150,
        detection=(("customer-report", 1.0),),
        revenue=True,
    ),
    _one(
        "inventory-oversell-race",
        {"svc": "inventory-svc", "edge": "orders-api", "dep": "inventory-db"},
        trigger="traffic-spike",
        category="software",
        titles=(
            ("Limited sneaker drop oversold by 212 pairs",),
            ("Race in stock reservation allowed negative stock",),
        ),
        symptom=(
            "During a limited product drop, inventory-svc reserved more units than existed; 212 "
            "orders had to be cancelled.",
            "Stock went negative during a flash sale and orders were cancelled afterwards.",
        ),
        cause=(
            "Reservation read stock and wrote the decrement in two statements without a lock; "
            "concurrent requests read the same value.",
            "A read-then-write reservation without row locking let parallel buyers take the same "
            "units.",
        ),
        fix=(
            "Changed the reservation to a single conditional UPDATE and cancelled the oversold "
            "orders with an apology voucher.",
            "Made the decrement atomic and compensated affected customers.",
        ),
        start=("Drop goes live; reservations spike.", "Flash sale starts."),
        diagnosis=(
            Step(
                "Negative stock via `{cmd}`.",
                "`{cmd}` shows stock below zero.",
                "SELECT sku, on_hand FROM stock WHERE on_hand < 0;",
            ),
        ),
        mitigation=(
            Step(
                "Stopped sales of the SKU: `{cmd}`.",
                "Paused the item with `{cmd}`.",
                "flagctl set catalog.sku.drop-0424 --off --env production",
            ),
        ),
        actions=(
            Action(
                "prevent",
                "fulfilment-team",
                "Atomic conditional UPDATE for stock reservation",
                "Make stock reservation atomic",
                (2,),
            ),
        ),
        tags=("inventory", "concurrency", "flash-sale"),
        alert="InventoryNegativeStock",
        log="stock for sku drop-0424 is -212",
        short="order cancellations after a sale",
        factor=("The drop was not load-tested.", "No concurrency test for reservations."),
        lesson=(
            "Concurrency bugs show up at peak; test at peak.",
            "Read-modify-write needs a lock or a condition.",
        ),
        roles=("backend", "database"),
        detection=(("internal-report", 1.0),),
        ttr=240,
        revenue=True,
    ),
    _one(
        "mailing-list-bounces",
        {"svc": "notifications-worker", "edge": "notifications-worker"},
        trigger="config-change",
        category="process",
        titles=(
            ("Delivery provider suspended our sending after bounce spike",),
            ("Stale recipient list import got our messages throttled",),
        ),
        symptom=(
            "Our message delivery provider paused sending after a bounce rate of 18%; order "
            "confirmations were delayed for most of a day.",
            "Order confirmation messages stopped going out after the provider throttled us.",
        ),
        cause=(
            "Marketing imported a five-year-old recipient list into the transactional stream, so "
            "bounces hit the same sending reputation.",
            "An old recipient list was sent through the transactional channel and ruined its "
            "reputation.",
        ),
        fix=(
            "Split marketing onto its own sending domain and asked the provider to lift the pause.",
            "Separated marketing and transactional sending and got the pause lifted.",
        ),
        start=("Campaign send starts on the transactional stream.", "Bulk send begins."),
        diagnosis=(
            Step(
                "Bounce rate from `{cmd}`.",
                "`{cmd}` shows bounces at 18%.",
                "sum(rate(notifications_bounced_total[1h])) / "
                "sum(rate(notifications_sent_total[1h]))",
            ),
        ),
        mitigation=(
            Step(
                "Paused the campaign: `{cmd}`.",
                "Campaign stopped with `{cmd}`.",
                "kubectl scale deployment/campaign-sender -n notifications --replicas=0",
            ),
        ),
        actions=(
            Action(
                "process",
                "messaging-team",
                "Separate sending domains for marketing and transactional messages",
                "Split sending streams",
                (3,),
            ),
        ),
        tags=("messaging", "deliverability"),
        alert="NotificationsDeliveryDelayed",
        log="provider: sending paused due to high bounce rate",
        short="missing order confirmations",
        factor=("One sending reputation for everything.", "Anyone could send bulk."),
        lesson=(
            "Transactional messages need an isolated reputation.",
            "Keep bulk and critical sending apart.",
        ),
        roles=("backend", "support"),
        severity=_SEV_LOW,
        ttr=420,
        customer_facing=False,
    ),
    _one(
        "zone-network-partition",
        {"svc": "k8s-platform", "edge": "checkout-api", "dep": "orders-db"},
        trigger="dependency",
        category="infrastructure",
        titles=(
            ("Cloud zone network partition degraded checkout",),
            ("Availability zone connectivity loss",),
        ),
        symptom=(
            "A network partition in one cloud availability zone cut a third of pods off from "
            "orders-db; checkout error rate hit {pct}%.",
            "One zone lost connectivity to the rest and requests routed there failed.",
        ),
        cause=(
            "Cloud provider networking incident in one zone; our load balancer kept sending "
            "traffic there because health checks passed locally.",
            "Provider-side partition; local health checks did not see the cross-zone failure.",
        ),
        fix=(
            "Drained the affected zone from the load balancer until the provider recovered.",
            "Took the zone out of rotation and waited for the provider.",
        ),
        start=("Cross-zone packet loss begins.", "Connectivity from one zone degrades."),
        diagnosis=(
            Step(
                "Errors by zone: `{cmd}`.",
                "`{cmd}` isolates the failing zone.",
                'sum by (zone) (rate(http_requests_total{service="checkout-api",code=~"5.."}[5m]))',
            ),
        ),
        mitigation=(
            Step(
                "Cordoned the zone's nodes: `{cmd}`.",
                "Zone drained with `{cmd}`.",
                "kubectl cordon -l topology.kubernetes.io/zone=eu-west-1b",
            ),
        ),
        actions=(
            Action(
                "mitigate",
                "platform",
                "Health checks that test a dependency across zones",
                "Deep health checks",
                (3,),
            ),
            Action(
                "process",
                "platform",
                "Runbook for evacuating a zone",
                "Zone evacuation procedure",
                (1,),
            ),
        ),
        tags=("cloud", "networking", "availability-zone"),
        alert="CheckoutHighErrorRate",
        log="dial tcp orders-db.orders.svc:5432: connect: no route to host",
        short="checkout failing for some users",
        factor=(
            "Health checks only test the pod itself.",
            "Shallow health checks hid the failure.",
        ),
        lesson=("Plan for losing a zone.", "Test zone failure regularly."),
        roles=("platform", "sre", "networking"),
        severity=_SEV_HIGH,
        ttr=130,
        revenue=True,
    ),
    _one(
        "giant-image-upload",
        {"svc": "catalog-svc", "edge": "catalog-svc"},
        trigger="unknown",
        category="software",
        titles=(
            ("Image resizer crashed on a 300-megapixel upload",),
            ("Huge product photo took down image processing",),
        ),
        symptom=(
            "A supplier uploaded a 300-megapixel product photo; the resizer in catalog-svc "
            "crashed on every retry and the upload queue stalled for three hours.",
            "One enormous image blocked the catalog image pipeline.",
        ),
        cause=(
            "No limit on image dimensions; decoding the image needed 1.2 GB and the worker was "
            "killed, then retried forever.",
            "Unbounded decode of a giant image, retried without limit.",
        ),
        fix=(
            "Removed the image from the queue, added a dimension check before decoding and a "
            "retry limit.",
            "Dropped the poison upload and added size and retry limits.",
        ),
        start=(
            "Resizer worker crashes on an upload.",
            "Image processing queue stops moving.",
        ),
        diagnosis=(
            Step(
                "Queue depth: `{cmd}`.",
                "`{cmd}` shows the stuck queue.",
                "redis-cli -h redis-cache llen image-resize-queue",
            ),
        ),
        mitigation=(
            Step(
                "Removed the poison job: `{cmd}`.",
                "Dropped the job with `{cmd}`.",
                "redis-cli -h redis-cache lpop image-resize-queue",
            ),
        ),
        actions=(
            Action(
                "prevent",
                "catalog-team",
                "Reject images above 50 megapixels before decoding",
                "Dimension limit on uploads",
                (1,),
            ),
        ),
        tags=("images", "queues", "catalog"),
        alert="CatalogImageQueueStalled",
        log="worker exited: decompression bomb check failed",
        short="new product images not appearing",
        factor=("Retries had no limit.", "The queue had no dead-letter path."),
        lesson=("Validate untrusted input before expensive work.", "Retries need a ceiling."),
        roles=("backend",),
        severity=_SEV_LOW,
        ttr=190,
        customer_facing=False,
        detection=(("internal-report", 1.0),),
    ),
    _one(
        "address-autocomplete-script",
        {"svc": "checkout-api", "edge": "checkout-api"},
        trigger="dependency",
        category="dependency",
        titles=(
            ("Third-party address autocomplete script blocked checkout page",),
            ("External address widget hung the checkout form",),
        ),
        symptom=(
            "The checkout page did not become interactive for many shoppers because the "
            "address autocomplete script from a vendor hung.",
            "A vendor's address widget stalled and the checkout form never finished loading.",
        ),
        cause=(
            "The vendor script was loaded synchronously in the page head; their CDN was slow.",
            "A blocking third-party script in the page head.",
        ),
        fix=(
            "Loaded the script asynchronously with a timeout and a plain form fallback.",
            "Deferred the widget and fell back to a normal form.",
        ),
        start=("Vendor script requests start hanging.", "Checkout page loads stall."),
        diagnosis=(
            Step(
                "Timed the vendor script: `{cmd}`.",
                "Vendor latency via `{cmd}`.",
                "curl -s -o /dev/null -w '%{time_total}' "
                "https://widgets.address-vendor.example/ac.js",
            ),
        ),
        mitigation=(
            Step(
                "Disabled the widget: `{cmd}`.",
                "Widget off with `{cmd}`.",
                "flagctl set checkout.address_autocomplete --off --env production",
            ),
        ),
        actions=(
            Action(
                "prevent",
                "checkout-team",
                "Load all third-party scripts async with a timeout",
                "No blocking vendor scripts",
                (2,),
            ),
        ),
        tags=("frontend", "vendor", "checkout"),
        alert="CheckoutConversionDrop",
        log="Long task blocked main thread for 28000 ms",
        short="the checkout page not loading",
        factor=("No real-user monitoring on checkout.", "Front-end errors were invisible."),
        lesson=("Every third-party script is a dependency.", "Vendor code must not block."),
        roles=("backend", "sre"),
        detection=(("customer-report", 0.6), ("alert", 0.4)),
        ttr=60,
        revenue=True,
    ),
    _one(
        "kafka-broker-disk-failure",
        {"svc": "kafka", "edge": "orders-api"},
        trigger="hardware",
        category="infrastructure",
        titles=(
            ("Kafka broker disk failure left partitions under-replicated",),
            ("Broker hardware fault, ISR shrink on order topics",),
        ),
        symptom=(
            "A failing disk on kafka-broker-3 made it drop out; partitions went under-replicated "
            "and producers with acks=all stalled.",
            "One broker lost its disk and writes requiring full acknowledgement blocked.",
        ),
        cause=(
            "Hardware fault on the broker's volume; min.insync.replicas=2 with only two healthy "
            "replicas for some partitions.",
            "Disk failure on one broker; replication settings left no slack.",
        ),
        fix=(
            "Replaced the broker, reassigned partitions and let replication catch up.",
            "Swapped the broker and rebalanced partitions.",
        ),
        start=("kafka-broker-3 logs I/O errors.", "Broker 3 drops out of the ISR."),
        diagnosis=(
            Step(
                "Under-replicated partitions: `{cmd}`.",
                "`{cmd}` lists partitions short of replicas.",
                "kafka-topics --bootstrap-server kafka:9092 --describe "
                "--under-replicated-partitions",
            ),
        ),
        mitigation=(
            Step(
                "Reassigned partitions: `{cmd}`.",
                "Moved partitions off broker 3 with `{cmd}`.",
                "kafka-reassign-partitions --bootstrap-server kafka:9092 "
                "--reassignment-json-file move-off-3.json --execute",
            ),
        ),
        actions=(
            Action(
                "prevent",
                "data-platform",
                "Replication factor 3 for all order topics",
                "Three replicas for order topics",
                (2,),
            ),
        ),
        tags=("kafka", "hardware", "replication"),
        alert="KafkaUnderReplicatedPartitions",
        log="java.io.IOException: Input/output error",
        short="orders stuck in processing",
        factor=("Some topics had replication factor 2.", "Topic defaults were too weak."),
        lesson=("Hardware fails; plan replication for it.", "Check topic defaults."),
        roles=("data", "platform"),
        ttr=160,
    ),
    _one(
        "redis-failover-stale-replica",
        {"svc": "redis-cache", "edge": "auth-svc"},
        trigger="hardware",
        category="infrastructure",
        titles=(
            ("Redis failover promoted a stale replica; users logged out",),
            ("Sessions lost after cache primary failover",),
        ),
        symptom=(
            "After the Redis primary's host failed, Sentinel promoted a replica that was minutes "
            "behind; sessions created in that window vanished and users were logged out.",
            "A failover to a lagging replica dropped recent sessions.",
        ),
        cause=(
            "Replication lag on the replica had grown to four minutes because of a slow disk; "
            "failover did not check lag.",
            "The promoted replica was far behind and nothing checked before promoting it.",
        ),
        fix=(
            "Accepted the session loss, replaced the slow replica and set min-replicas-max-lag.",
            "Rebuilt the replica and limited failover to replicas that are in sync.",
        ),
        start=("Redis primary host becomes unreachable.", "Sentinel starts a failover."),
        diagnosis=(
            Step(
                "Replication state: `{cmd}`.",
                "`{cmd}` shows the replica offset gap.",
                "redis-cli -h redis-cache info replication",
            ),
        ),
        mitigation=(
            Step(
                "Set a replica lag limit: `{cmd}`.",
                "Limit with `{cmd}`.",
                "redis-cli -h redis-cache config set min-replicas-max-lag 10",
            ),
        ),
        actions=(
            Action(
                "detect",
                "platform",
                "Alert on Redis replication lag above 10 s",
                "Replica lag alert",
                (1,),
            ),
        ),
        tags=("redis", "sessions", "failover"),
        alert="RedisPrimaryDown",
        log="+switch-master mymaster redis-1 6379 redis-2 6379",
        short="users logged out",
        factor=("No alert on replica lag.", "Replica health was not watched."),
        lesson=("A failover is only as good as the replica.", "Watch replica lag."),
        roles=("platform", "sre"),
        ttr=55,
    ),
    _one(
        "xid-wraparound",
        {"svc": "orders-db", "edge": "orders-api"},
        trigger="capacity",
        category="capacity",
        titles=(
            ("orders-db close to transaction ID wraparound",),
            ("Emergency vacuum to avoid XID wraparound on orders",),
        ),
        symptom=(
            "orders-db warned that it would stop accepting writes within 10 million transactions "
            "to avoid wraparound; we ran an emergency vacuum during business hours.",
            "Postgres threatened to go read-only to protect itself from ID wraparound.",
        ),
        cause=(
            "Autovacuum on the order_events table could not finish because a forgotten "
            "replication slot held back the xmin horizon for weeks.",
            "An abandoned replication slot blocked vacuum from freezing old rows.",
        ),
        fix=(
            "Dropped the abandoned slot and ran VACUUM FREEZE on the table.",
            "Removed the stale slot and froze the table.",
        ),
        start=("orders-db logs wraparound warnings.", "Age of datfrozenxid crosses 1.9 billion."),
        diagnosis=(
            Step(
                "Oldest xmin: `{cmd}`.",
                "Slots holding xmin via `{cmd}`.",
                "SELECT slot_name, active, xmin, catalog_xmin FROM pg_replication_slots;",
            ),
        ),
        mitigation=(
            Step(
                "Dropped the slot: `{cmd}`.",
                "Slot removed with `{cmd}`.",
                "SELECT pg_drop_replication_slot('analytics_cdc_old');",
            ),
        ),
        actions=(
            Action(
                "detect",
                "dba-team",
                "Alert on transaction ID age and inactive replication slots",
                "XID age alert",
                (1,),
            ),
        ),
        tags=("postgres", "vacuum"),
        alert="PostgresXidAgeHigh",
        log="WARNING: database must be vacuumed within 10000000 transactions",
        short="database warnings",
        factor=("Inactive slots are not monitored.", "Nobody owns old slots."),
        lesson=("Replication slots need owners and alerts.", "Watch xmin age."),
        roles=("database",),
        detection=(("alert", 1.0),),
        severity=_SEV_LOW,
        ttr=210,
        customer_facing=False,
    ),
    _one(
        "header-size-431",
        {"svc": "api-gateway", "edge": "checkout-api"},
        trigger="deploy",
        category="configuration",
        titles=(
            ("431 errors for users with large cookies",),
            ("Gateway header limit rejected returning customers",),
        ),
        symptom=(
            "After a gateway upgrade, returning customers with many cookies got 431 Request "
            "Header Fields Too Large.",
            "Some loyal shoppers could not load any page because of their cookie size.",
        ),
        cause=(
            "The new gateway version lowered the default maximum header size from 64 KB to "
            "16 KB; analytics cookies pushed some users over.",
            "A smaller default header limit after the upgrade.",
        ),
        fix=(
            "Set the header limit back to 64 KB explicitly and trimmed analytics cookies.",
            "Pinned the header limit and shrank cookies.",
        ),
        start=("Gateway upgrade completes.", "New gateway build live."),
        diagnosis=(
            Step(
                "Status codes: `{cmd}`.",
                "`{cmd}` shows 431s.",
                'sum by (code) (rate(http_requests_total{service="api-gateway",code="431"}[5m]))',
            ),
        ),
        mitigation=(
            Step(
                "Raised the limit: `{cmd}`.",
                "Limit applied with `{cmd}`.",
                "kubectl apply -f gateway/http-options.yaml -n edge",
            ),
        ),
        actions=(
            Action(
                "prevent",
                "platform",
                "Pin important gateway defaults explicitly in config",
                "Explicit gateway limits",
                (1,),
            ),
        ),
        tags=("gateway", "cookies", "http"),
        alert="ApiGateway4xxRatioHigh",
        log="431 Request Header Fields Too Large",
        short="pages not loading for some customers",
        factor=("Upgrade notes were not read.", "Defaults changed silently."),
        lesson=("Pin defaults that matter.", "Read release notes for limits."),
        roles=("platform",),
        detection=(("customer-report", 1.0),),
        ttr=100,
    ),
    _one(
        "search-scraper-bot",
        {"svc": "search-api", "edge": "search-api", "dep": "search-cluster"},
        trigger="traffic-spike",
        category="capacity",
        titles=(
            ("Scraper hammered search with wildcard queries",),
            ("Bot traffic with expensive queries overloaded search",),
        ),
        symptom=(
            "A scraper sent thousands of leading-wildcard queries per minute; search-cluster CPU "
            "hit 100% and search latency went to 8 s for everyone.",
            "Expensive bot queries slowed search for all users.",
        ),
        cause=(
            "search-api allowed leading wildcards, each a full index scan; the bot was not "
            "identified as one.",
            "Unbounded query syntax let one client cause full scans.",
        ),
        fix=(
            "Blocked the bot's user agent at the edge and disallowed leading wildcards.",
            "Blocked the scraper and restricted the query syntax.",
        ),
        start=("Query rate with wildcards surges.", "search-cluster CPU climbs."),
        diagnosis=(
            Step(
                "Top clients: `{cmd}`.",
                "`{cmd}` shows one client dominating.",
                "kubectl logs -n search deploy/search-api --since=15m | awk '{print $7}' "
                "| sort | uniq -c | sort -rn | head",
            ),
        ),
        mitigation=(
            Step(
                "Blocked the bot: `{cmd}`.",
                "Edge block via `{cmd}`.",
                "cdnctl rules add block-ua --match 'ProductHarvester' --service www",
            ),
        ),
        actions=(
            Action(
                "prevent",
                "search-team",
                "Reject leading-wildcard queries",
                "Restrict query syntax",
                (1,),
            ),
        ),
        tags=("search", "bots", "elasticsearch"),
        alert="SearchLatencyHigh",
        log="rejected execution of search on thread pool [search], queue capacity 1000",
        short="search being very slow",
        factor=("No bot detection at the edge.", "Bots are indistinguishable from users."),
        lesson=(
            "Expensive query features need guard rails.",
            "Know who your heaviest clients are.",
        ),
        roles=("search", "platform"),
        ttr=50,
    ),
    _one(
        "waf-rule-blocked-checkout",
        {"svc": "cdn-edge", "edge": "checkout-api"},
        trigger="dependency",
        category="dependency",
        titles=(
            ("CDN WAF rule update blocked checkout submissions",),
            ("Managed firewall rules rejected legitimate checkout POSTs",),
        ),
        symptom=(
            "A managed WAF rule update from the CDN vendor flagged checkout form submissions as "
            "SQL injection; about {pct}% of orders got 403.",
            "The vendor's firewall update blocked real checkouts.",
        ),
        cause=(
            "Vendor-managed rules auto-updated; a new rule matched a field in our checkout "
            "payload.",
            "Automatic vendor rule updates with no staging.",
        ),
        fix=(
            "Excluded the checkout path from the new rule and pinned the rule set version.",
            "Exempted checkout from the rule and pinned the rule set.",
        ),
        start=("CDN vendor pushes a rule set update.", "WAF update goes live at the edge."),
        diagnosis=(
            Step(
                "WAF hits: `{cmd}`.",
                "`{cmd}` shows the rule firing.",
                "cdnctl waf events --since 1h --action block --path /checkout",
            ),
        ),
        mitigation=(
            Step(
                "Excluded the path: `{cmd}`.",
                "Exclusion via `{cmd}`.",
                "cdnctl waf exclude --rule 942100 --path /checkout/submit --service www",
            ),
        ),
        actions=(
            Action(
                "prevent",
                "platform",
                "Pin WAF rule set versions and stage updates",
                "Staged WAF updates",
                (2,),
            ),
        ),
        tags=("waf", "cdn", "checkout"),
        alert="CheckoutConversionDrop",
        log="403 Forbidden (rule 942100)",
        short="checkout failing with 403",
        factor=("WAF updates are automatic.", "No control over vendor rule timing."),
        lesson=(
            "Vendor-managed rules are changes we do not control; stage them.",
            "Pin and stage.",
        ),
        roles=("platform", "security"),
        severity=_SEV_HIGH,
        ttr=55,
        revenue=True,
    ),
    _one(
        "webhook-signing-rotation",
        {"svc": "payments-gateway", "edge": "orders-api"},
        trigger="dependency",
        category="dependency",
        titles=(
            ("Payment webhooks rejected after provider rotated signing keys",),
            ("Webhook signature checks failed; orders stuck unpaid",),
        ),
        symptom=(
            "Payment confirmations from the provider failed signature verification; paid orders "
            "stayed in pending and were not shipped for six hours.",
            "Paid orders were stuck because webhook signatures no longer verified.",
        ),
        cause=(
            "The provider rotated its webhook signing keys; we had pinned the old public key "
            "instead of fetching the key set.",
            "A pinned verification key went stale after the vendor rotated.",
        ),
        fix=(
            "Fetched the new key set, replayed the failed webhooks from the provider dashboard.",
            "Updated the key set and replayed the deliveries.",
        ),
        start=("Webhook verification failures begin.", "First rejected provider callback."),
        diagnosis=(
            Step(
                "Rejected webhooks: `{cmd}`.",
                "Counted failures with `{cmd}`.",
                "kubectl logs -n payments deploy/payments-gateway --since=2h "
                "| grep -c 'signature verification failed'",
            ),
        ),
        mitigation=(
            Step(
                "Reloaded the key set: `{cmd}`.",
                "Key refresh via `{cmd}`.",
                _KUBE_RESTART.replace("{svc}", "payments-gateway").replace("{ns}", "payments"),
            ),
        ),
        actions=(
            Action(
                "prevent",
                "payments-team",
                "Fetch webhook verification keys from the provider key set",
                "Dynamic webhook key retrieval",
                (1,),
            ),
        ),
        tags=("payments", "webhooks", "vendor"),
        alert="PaymentsWebhookFailures",
        log="webhook signature verification failed",
        short="paid orders still showing as pending",
        factor=("The key was pinned in config.", "No alert on webhook failures."),
        lesson=("Never pin keys a vendor may rotate.", "Follow the vendor's key-set endpoint."),
        roles=("payments",),
        ttr=360,
        detection=(("customer-report", 0.5), ("internal-report", 0.5)),
    ),
    _one(
        "duplicate-confirmations",
        {"svc": "notifications-worker", "edge": "notifications-worker", "dep": "kafka"},
        trigger="deploy",
        category="software",
        titles=(
            ("Customers received duplicate order confirmations",),
            ("Offset reset resent a day of confirmation messages",),
        ),
        symptom=(
            "After a deploy, notifications-worker reprocessed a full day of order-events and "
            "customers received duplicate confirmations.",
            "A day's worth of confirmations went out twice.",
        ),
        cause=(
            "The new release changed the consumer group name, so it started from the earliest "
            "retained offset.",
            "A renamed consumer group began from the start of the topic.",
        ),
        fix=(
            "Stopped the worker, set the new group's offsets to the old group's position and "
            "restarted.",
            "Aligned the offsets of the new group with the old one.",
        ),
        start=("notifications-worker restarts with the new release.", "New release starts."),
        diagnosis=(
            Step(
                "Group offsets: `{cmd}`.",
                "`{cmd}` shows the new group at offset 0.",
                "kafka-consumer-groups --bootstrap-server kafka:9092 --describe --all-groups "
                "| grep order-events",
            ),
        ),
        mitigation=(
            Step(
                "Reset offsets: `{cmd}`.",
                "Offsets moved with `{cmd}`.",
                "kafka-consumer-groups --bootstrap-server kafka:9092 --group "
                "notifications-worker-v2 --topic order-events --reset-offsets --to-datetime "
                "2025-01-01T00:00:00.000 --execute",
            ),
        ),
        actions=(
            Action(
                "prevent",
                "messaging-team",
                "Idempotency keys for outgoing notifications",
                "Deduplicate outgoing messages",
                (3,),
            ),
        ),
        tags=("kafka", "notifications", "idempotency"),
        alert="NotificationsSendRateAnomaly",
        log="Resetting offset for partition order-events-0 to position FetchPosition{offset=0}",
        short="duplicate order confirmation messages",
        factor=("Sending is not idempotent.", "No deduplication."),
        lesson=("Consumers must be idempotent.", "Offsets follow the group name."),
        roles=("data", "backend"),
        detection=(("customer-report", 1.0),),
        severity=_SEV_LOW,
        ttr=80,
        customer_facing=False,
    ),
    _one(
        "warehouse-cutoff-timezone",
        {"svc": "warehouse-sync", "edge": "inventory-svc"},
        trigger="config-change",
        category="configuration",
        titles=(
            ("Wrong delivery dates: warehouse cutoff read in UTC",),
            ("Time zone setting shifted same-day shipping cutoff",),
        ),
        symptom=(
            "Orders placed between 13:00 and 15:00 local time were promised next-day delivery but "
            "shipped a day later.",
            "Promised delivery dates were wrong for afternoon orders.",
        ),
        cause=(
            "A config migration dropped the warehouse time zone, so the 15:00 cutoff was "
            "interpreted as UTC.",
            "The cutoff lost its time zone in a config migration.",
        ),
        fix=(
            "Restored the time zone, recalculated promised dates and notified affected customers.",
            "Put the zone back and corrected the promises.",
        ),
        start=("Config migration for warehouse-sync applied.", "New warehouse config live."),
        diagnosis=(
            Step(
                "Checked the config: `{cmd}`.",
                "Zone missing per `{cmd}`.",
                "kubectl get configmap warehouse-sync-config -n inventory -o yaml | grep -i cutoff",
            ),
        ),
        mitigation=(
            Step(
                "Restored the zone: `{cmd}`.",
                "Fixed with `{cmd}`.",
                "kubectl set env deployment/warehouse-sync -n inventory CUTOFF_TZ=Europe/Amsterdam",
            ),
        ),
        actions=(
            Action(
                "prevent",
                "fulfilment-team",
                "Store cutoffs with an explicit time zone and validate on load",
                "Explicit zone for cutoffs",
                (1,),
            ),
        ),
        tags=("timezones", "fulfilment", "configuration"),
        alert="FulfilmentSlaMisses",
        log="cutoff=15:00 tz=UTC",
        short="late deliveries",
        factor=("Config schema allowed a missing zone.", "No validation on load."),
        lesson=("Times without zones are bugs waiting.", "Validate config on load."),
        roles=("backend", "support"),
        detection=(("customer-report", 1.0),),
        severity=_SEV_LOW,
        ttr=300,
    ),
    _one(
        "registry-rate-limit",
        {"svc": "k8s-platform", "edge": "checkout-api"},
        trigger="dependency",
        category="dependency",
        titles=(
            ("Image pulls throttled by the public registry during a mass redeploy",),
            ("ImagePullBackOff across the cluster: registry rate limit",),
        ),
        symptom=(
            "A node pool upgrade restarted hundreds of pods; pulls from the public registry were "
            "throttled and pods sat in ImagePullBackOff, leaving checkout-api at two replicas.",
            "Pods could not pull images during a node upgrade and capacity fell.",
        ),
        cause=(
            "Base images were pulled straight from the public registry with anonymous limits; "
            "there was no pull-through cache.",
            "No pull-through cache for public images.",
        ),
        fix=(
            "Paused the node upgrade, authenticated pulls and set up a pull-through cache.",
            "Stopped the upgrade and mirrored the images.",
        ),
        start=("Node pool upgrade begins.", "Mass pod restarts start."),
        diagnosis=(
            Step(
                "Pull errors: `{cmd}`.",
                "`{cmd}` shows ImagePullBackOff.",
                "kubectl get events -A --field-selector reason=Failed | grep -i 'too many "
                "requests'",
            ),
        ),
        mitigation=(
            Step(
                "Paused the upgrade: `{cmd}`.",
                "Upgrade paused with `{cmd}`.",
                "kubectl annotate nodepool general-pool upgrade.paused=true --overwrite",
            ),
        ),
        actions=(
            Action(
                "prevent",
                "platform",
                "Pull-through cache for all public images",
                "Mirror public images",
                (3,),
            ),
        ),
        tags=("kubernetes", "registry", "images"),
        alert="KubePodNotReady",
        log="toomanyrequests: You have reached your pull rate limit",
        short="checkout slow and failing",
        factor=("Upgrades restart everything at once.", "No surge limit."),
        lesson=("Own the images you depend on.", "Mirror what you pull."),
        roles=("platform",),
        ttr=90,
    ),
    _one(
        "lb-idle-timeout",
        {"svc": "api-gateway", "edge": "checkout-api"},
        trigger="config-change",
        category="configuration",
        titles=(
            ("Sporadic 502s from keep-alive timeout mismatch",),
            ("Load balancer idle timeout shorter than upstream keep-alive",),
        ),
        symptom=(
            "About 0.5% of checkout requests failed with 502 at random for three days before we "
            "found the pattern.",
            "A trickle of random 502s on checkout.",
        ),
        cause=(
            "The upstream keep-alive timeout (75 s) was longer than the load balancer's idle "
            "timeout (60 s), so the balancer reused connections the backend had closed.",
            "Idle timeouts were mismatched between balancer and backend.",
        ),
        fix=(
            "Set the backend keep-alive timeout below the balancer's idle timeout.",
            "Aligned the timeouts.",
        ),
        start=("Sporadic 502s begin after a load balancer change.", "Random 502s start."),
        diagnosis=(
            Step(
                "502s by upstream: `{cmd}`.",
                "`{cmd}` shows a steady trickle.",
                'sum(rate(envoy_cluster_upstream_cx_destroy_remote_with_active_rq{cluster_name="checkout-api"}[5m]))',
            ),
        ),
        mitigation=(
            Step(
                "Lowered keep-alive: `{cmd}`.",
                "Keep-alive changed with `{cmd}`.",
                "kubectl set env deployment/checkout-api -n checkout KEEPALIVE_TIMEOUT_S=55",
            ),
        ),
        actions=(
            Action(
                "process",
                "platform",
                "Document timeout chains across the request path",
                "Timeout map for the request path",
                (2,),
            ),
        ),
        tags=("load-balancer", "http", "timeouts"),
        alert="CheckoutErrorBudgetBurn",
        log="upstream prematurely closed connection while reading response header",
        short="occasional checkout errors",
        factor=(
            "Low error rate stayed under the alert threshold.",
            "Slow burns do not page.",
        ),
        lesson=(
            "Timeouts must decrease along the request path.",
            "Watch error budget burn, not only spikes.",
        ),
        roles=("platform", "networking"),
        severity=_SEV_LOW,
        ttr=400,
    ),
    _one(
        "finance-export-replica",
        {"svc": "orders-db", "edge": "orders-api"},
        trigger="unknown",
        category="process",
        titles=(
            ("Finance export query stalled the orders read replica",),
            ("Ad-hoc report saturated the replica used for order history",),
        ),
        symptom=(
            "A month-end finance export ran a full scan on the orders read replica; order history "
            "pages timed out for 40 minutes.",
            "Order history was unavailable while a huge report ran on the replica.",
        ),
        cause=(
            "The finance team had direct access to the replica that also serves customer order "
            "history; the export query had no limits.",
            "Analytics and customers shared one replica.",
        ),
        fix=(
            "Cancelled the query and gave finance a separate analytics replica.",
            "Killed the report and moved finance elsewhere.",
        ),
        start=("Finance export starts on the replica.", "Long-running export begins."),
        diagnosis=(
            Step(
                "Long queries on the replica: `{cmd}`.",
                "`{cmd}` finds the export.",
                "SELECT pid, usename, now() - query_start AS age FROM pg_stat_activity "
                "ORDER BY age DESC LIMIT 5;",
            ),
        ),
        mitigation=(
            Step(
                "Cancelled it: `{cmd}`.",
                "Stopped with `{cmd}`.",
                "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE usename = 'finance_ro';",
            ),
        ),
        actions=(
            Action(
                "prevent",
                "dba-team",
                "Separate analytics replica with statement_timeout for finance",
                "Dedicated replica for reporting",
                (3,),
            ),
        ),
        tags=("postgres", "reporting"),
        alert="OrdersHistoryLatencyHigh",
        log="canceling statement due to conflict with recovery",
        short="order history not loading",
        factor=("No statement timeout for report users.", "Reports had no limits."),
        lesson=("Separate analytical and customer workloads.", "Reports need limits."),
        roles=("database",),
        severity=_SEV_LOW,
        ttr=45,
    ),
    _one(
        "oauth-provider-deprecation",
        {"svc": "auth-svc", "edge": "auth-svc"},
        trigger="dependency",
        category="dependency",
        titles=(
            ("Social login broke after provider retired an API version",),
            ("Sign-in with an external identity provider failing",),
        ),
        symptom=(
            "Sign-in with a social identity provider failed for everyone using it (about 22% of "
            "logins) for five hours.",
            "One external sign-in option stopped working entirely.",
        ),
        cause=(
            "The provider retired the API version we called; deprecation notices went to a "
            "former employee's inbox.",
            "A retired vendor API version; the notices never reached the team.",
        ),
        fix=(
            "Upgraded the client to the current API version and redeployed auth-svc.",
            "Moved to the supported API and shipped.",
        ),
        start=("Provider returns errors for the old API version.", "Social login errors begin."),
        diagnosis=(
            Step(
                "Error from the provider: `{cmd}`.",
                "Logs via `{cmd}`.",
                "kubectl logs -n identity deploy/auth-svc --since=1h | grep -m 10 oauth",
            ),
        ),
        mitigation=(
            Step(
                "Deployed the upgraded client: `{cmd}`.",
                "Shipped with `{cmd}`.",
                "helm upgrade auth-svc charts/auth-svc -n identity --set image.tag=v3.8.0",
            ),
        ),
        actions=(
            Action(
                "process",
                "identity-team",
                "Vendor notices go to a team alias",
                "Team-owned vendor contacts",
                (0.5,),
            ),
        ),
        tags=("oauth", "authentication", "vendor"),
        alert="AuthLoginFailuresHigh",
        log="oauth: error=invalid_request: API version no longer supported",
        short="social login not working",
        factor=("Vendor contacts were personal.", "Notices reached one person."),
        lesson=("Vendor contacts must be team-owned.", "Track dependency deprecations."),
        roles=("security", "backend"),
        ttr=300,
    ),
    _one(
        "supplier-price-decimal",
        {"svc": "catalog-svc", "edge": "catalog-svc", "dep": "catalog-db"},
        trigger="config-change",
        category="process",
        titles=(
            ("Supplier price feed imported prices 100x too low",),
            ("Decimal separator mix-up in supplier feed",),
        ),
        symptom=(
            "A supplier feed with comma decimals was parsed as whole cents; 1,840 products were "
            "listed at one hundredth of their price for 35 minutes.",
            "Hundreds of products went on sale at a fraction of their price by mistake.",
        ),
        cause=(
            "The supplier switched their export locale; our importer had no sanity check on "
            "price changes.",
            "No plausibility check on imported prices.",
        ),
        fix=(
            "Rolled back the import, cancelled the affected orders with a goodwill voucher and "
            "added a price-change guard.",
            "Reverted the prices and added a limit on price changes per import.",
        ),
        start=("Supplier feed import runs.", "New price feed imported."),
        diagnosis=(
            Step(
                "Price drops: `{cmd}`.",
                "`{cmd}` lists the suspicious changes.",
                "SELECT sku, old_price, new_price FROM price_changes WHERE new_price < "
                "old_price * 0.2 AND changed_at > now() - interval '1 hour';",
            ),
        ),
        mitigation=(
            Step(
                "Rolled back the import: `{cmd}`.",
                "Reverted with `{cmd}`.",
                "kubectl create job --from=cronjob/price-import-rollback price-rollback -n catalog",
            ),
        ),
        actions=(
            Action(
                "prevent",
                "catalog-team",
                "Reject imports that change more than 5% of prices by over 50%",
                "Price change guard on imports",
                (2,),
            ),
        ),
        tags=("pricing", "imports", "catalog"),
        alert="CatalogPriceAnomaly",
        log="imported 1840 price changes, median change -99%",
        short="prices shown far too low",
        factor=("No guard on price changes.", "Imports are trusted blindly."),
        lesson=("Validate plausibility, not just format.", "Guard automated price changes."),
        roles=("backend", "communications"),
        severity=_SEV_HIGH,
        ttr=35,
        detection=(("internal-report", 0.6), ("alert", 0.4)),
        revenue=True,
    ),
)

_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def fill(template: str, ctx: Mapping[str, object]) -> str:
    """A template with its `{name}` placeholders replaced from ctx; unknown names are kept."""
    if "{" not in template:
        return template
    return _PLACEHOLDER.sub(
        lambda m: str(ctx[m.group(1)]) if m.group(1) in ctx else m.group(0), template
    )


_TAG = re.compile(r"(?:\d+|pre|post)(?:,(?:\d+|pre|post))*")


def fits(tag: str, variant: int, post_fix: bool) -> bool:
    """Whether a template tag (without the bar) allows this variant and fix state."""
    tokens = tag.split(",")
    numbers = [int(t) for t in tokens if t.isdigit()]
    if numbers and variant not in numbers:
        return False
    if "post" in tokens and not post_fix:
        return False
    return not ("pre" in tokens and post_fix)


def split_tag(template: str) -> tuple[str | None, str]:
    """(tag or None, text) of a template."""
    head, bar, rest = template.partition("|")
    return (head, rest) if bar and _TAG.fullmatch(head) else (None, template)


def usable(pool: Sequence[str], variant: int, post_fix: bool) -> list[str]:
    """The templates of a pool that fit an incident, tags removed; never empty for a pool."""
    fitting, generic, everything = [], [], []
    for template in pool:
        tag, text = split_tag(template)
        everything.append(text)
        if tag is None:
            generic.append(text)
        if tag is None or fits(tag, variant, post_fix):
            fitting.append(text)
    return fitting or generic or everything
