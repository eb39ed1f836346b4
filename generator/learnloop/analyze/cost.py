"""What an incident cost, from the cost model in learnloop.yml, with every input kept.

An incident's cost is the sum of four parts, each shown with the figures it came from:

- engineering: `engineer_hourly_usd` × responders × hours from start to resolution (one
  responder is assumed when none is listed; nothing when the resolution time is unknown);
- downtime: minutes customers were affected (start to mitigation, else to resolution) ×
  the cost of a minute of downtime: by the highest listed tier among the incident's services
  when `downtime_per_minute_by_tier_usd` is set for one of them, else by severity
  (defaults P0 $2,000, P1 $500, P2 $100, P3 $10, P4 $0);
- revenue: `impact.revenue_usd` as recorded on the incident;
- SLA: `sla_penalty_usd` when `impact.sla_breached` is true (default $0).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from functools import partial
from typing import Any

from learnloop.enrich import timings
from learnloop.model import SEVERITIES, Incident
from learnloop.settings import CostModel, Settings


@dataclass(frozen=True)
class IncidentCost:
    """An incident's cost in parts, with the inputs of each."""

    id: str
    severity: str
    responders: int  # as counted for the cost (1 when none is listed)
    responders_assumed: bool
    hourly_usd: float
    resolve_minutes: float | None
    engineering_usd: float
    downtime_minutes: float | None
    downtime_rate_usd: float
    rate_basis: str  # "severity P2" or "tier 1 (checkout-api)"
    downtime_usd: float
    revenue_usd: float
    sla_usd: float

    @property
    def total_usd(self) -> float:
        """The four parts added up."""
        return round(self.engineering_usd + self.downtime_usd + self.revenue_usd + self.sla_usd, 2)

    def as_dict(self) -> dict[str, Any]:
        """Plain values, the total included."""
        return {**asdict(self), "total_usd": self.total_usd}

    def explain(self) -> str:
        """The arithmetic behind the total, in one line."""
        parts = []
        if self.resolve_minutes is None:
            parts.append("engineering $0 (resolution time unknown)")
        else:
            who = f"{self.responders} responder{'s' if self.responders != 1 else ''}"
            if self.responders_assumed:
                who += " (assumed: none listed)"
            parts.append(
                f"engineering {who} × {self.resolve_minutes / 60:.2f} h × "
                f"{usd(self.hourly_usd)}/h = {usd(self.engineering_usd)}"
            )
        if self.downtime_minutes is None:
            parts.append("downtime $0 (duration unknown)")
        else:
            parts.append(
                f"downtime {self.downtime_minutes:g} min × {usd(self.downtime_rate_usd)}/min "
                f"({self.rate_basis}) = {usd(self.downtime_usd)}"
            )
        parts.append(f"revenue {usd(self.revenue_usd)} (recorded)")
        parts.append(f"SLA {usd(self.sla_usd)}")
        return "; ".join(parts) + f"; total {usd(self.total_usd)}"


def usd(value: float | None) -> str:
    """$12,345 (whole dollars)."""
    if value is None:
        return "—"
    return f"-${-value:,.0f}" if value < 0 else f"${value:,.0f}"


def downtime_rate(incident: Incident, settings: Settings) -> tuple[float, str]:
    """(dollars per minute, where that rate came from) for the incident."""
    cost = settings.cost
    tiered: list[tuple[float, int, str]] = []
    for name in incident.services:
        service = settings.services.get(name)
        tier = service.tier if service is not None else None
        if tier is not None and tier in cost.downtime_per_minute_by_tier_usd:
            tiered.append((cost.downtime_per_minute_by_tier_usd[tier], -tier, name))
    if tiered:
        rate, tier, name = max(tiered)
        return rate, f"tier {-tier} ({name})"
    return cost.downtime_per_minute_usd.get(incident.severity, 0.0), f"severity {incident.severity}"


def incident_cost(incident: Incident, settings: Settings) -> IncidentCost:
    """The incident's cost by the cost model, with its inputs."""
    model: CostModel = settings.cost
    t = timings(incident)
    listed = len(incident.responders)
    responders = max(1, listed)
    engineering = (
        round(model.engineer_hourly_usd * responders * t.ttr / 60, 2) if t.ttr is not None else 0.0
    )
    downtime_minutes = t.ttm if t.ttm is not None else t.ttr
    rate, basis = downtime_rate(incident, settings)
    downtime = round(downtime_minutes * rate, 2) if downtime_minutes is not None else 0.0
    return IncidentCost(
        id=incident.id,
        severity=incident.severity,
        responders=responders,
        responders_assumed=listed == 0,
        hourly_usd=model.engineer_hourly_usd,
        resolve_minutes=t.ttr,
        engineering_usd=engineering,
        downtime_minutes=downtime_minutes,
        downtime_rate_usd=rate,
        rate_basis=basis,
        downtime_usd=downtime,
        revenue_usd=float(incident.impact.revenue_usd or 0.0),
        sla_usd=model.sla_penalty_usd if incident.impact.sla_breached else 0.0,
    )


def costs(
    incidents: Iterable[Incident],
    settings: Settings,
    each: Callable[[Incident], IncidentCost] | None = None,
) -> dict[str, IncidentCost]:
    """Cost per incident id; `each` is `incident_cost` with these settings, or a store of it."""
    each = each or partial(incident_cost, settings=settings)
    return {i.id: each(i) for i in sorted(incidents, key=lambda i: i.id)}


PARTS = ("engineering_usd", "downtime_usd", "revenue_usd", "sla_usd")


def total(items: Iterable[IncidentCost]) -> dict[str, float]:
    """Each part and the total, summed."""
    listed = list(items)
    sums = {part: round(sum(getattr(c, part) for c in listed), 2) for part in PARTS}
    sums["total_usd"] = round(sum(c.total_usd for c in listed), 2)
    return sums


def summary(incidents: Sequence[Incident], by_id: dict[str, IncidentCost]) -> dict[str, Any]:
    """Totals, per severity, and the most expensive incidents with their arithmetic."""
    chosen = [by_id[i.id] for i in incidents]
    per_severity = {
        sev: {"incidents": len(group), **total(group)}
        for sev in SEVERITIES
        if (group := [c for c in chosen if c.severity == sev])
    }
    top = sorted(chosen, key=lambda c: (-c.total_usd, c.id))[:10]
    return {
        **total(chosen),
        "by_severity": per_severity,
        "costliest": [{**c.as_dict(), "explain": c.explain()} for c in top],
    }


def assumptions(settings: Settings) -> list[str]:
    """The cost model's inputs in words, for a report's footnotes."""
    model = settings.cost
    rates = ", ".join(f"{s} {usd(r)}" for s, r in model.downtime_per_minute_usd.items())
    lines = [
        f"Engineering: {usd(model.engineer_hourly_usd)} per responder-hour, from start to "
        "resolution; one responder assumed where none is listed.",
        f"Downtime per minute by severity: {rates}; minutes from start to mitigation "
        "(else to resolution).",
    ]
    if model.downtime_per_minute_by_tier_usd:
        tiers = ", ".join(
            f"tier {t} {usd(r)}" for t, r in model.downtime_per_minute_by_tier_usd.items()
        )
        lines.append(f"Downtime per minute by service tier (replaces severity): {tiers}.")
    lines.append("Revenue: as recorded in each incident's impact.revenue_usd.")
    lines.append(f"SLA penalty per breach: {usd(model.sla_penalty_usd)}.")
    return lines
