"""A report's data as Markdown, HTML or JSON, section by section from the templates."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import markdown
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from learnloop.analyze import cost, metrics
from learnloop.write import escape

SECTIONS = {
    "executive": ("summary", "cost", "risks", "prevention", "wins"),
    "technical": (
        "summary",
        "durations",
        "patterns",
        "systemic",
        "action-items",
        "detection",
        "recommendations",
        "feedback",
        "cost",
    ),
    "monthly": ("summary", "incidents", "new-patterns", "action-items", "cost"),
    "team": ("summary", "patterns", "overdue", "stale"),
    "review": (
        "summary",
        "discuss",
        "recurred",
        "new",
        "fixes",
        "runbooks",
        "overdue",
        "incidents",
        "action-items",
        "cost",
    ),
}


# Kinds whose sections all show with no incident in the period: what a team owns still is,
# and a quiet month still has fixes to judge and actions overdue.
_ALWAYS = ("team", "review")


# Kinds whose macros live in another kind's template: the review builds on the monthly report.
_TEMPLATE = {"review": "monthly"}


def _minutes(value: float | None) -> str:
    return "—" if value is None else f"{value:,.1f}"


def _interval(pair: Sequence[float] | None) -> str:
    return "—" if not pair else f"{pair[0]:,.1f}–{pair[1]:,.1f}"


def _share(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def _counted(n: int, noun: str, nouns: str | None = None) -> str:
    """ "1 recommendation", "3 recommendations"; an irregular plural is given."""
    return f"{n:,} {noun if n == 1 else nouns or noun + 's'}"


def _number(value: float | None, digits: int = 2) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


_ENV = Environment(
    loader=PackageLoader("learnloop.write", "templates"),
    autoescape=select_autoescape(["html"], default_for_string=False, default=False),
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
    undefined=StrictUndefined,
)

_ENV.filters.update(
    usd=cost.usd,
    minutes=_minutes,
    interval=_interval,
    share=_share,
    number=_number,
    counted=_counted,
    cell=escape.cell,
    text=escape.inline,
    p=metrics.p_text,
)


_BLANKS = re.compile(r"\n{3,}")


@dataclass(frozen=True)
class Section:
    """A headed part of a report: a region of the site's generated document."""

    name: str  # the region's name in a generated document
    markdown: str  # starts with its `## ` heading


def sections(data: dict[str, Any]) -> list[Section]:
    """The report's sections as Markdown; an empty period has only its summary."""
    kind = data["kind"]
    own = _ENV.get_template(f"report_{_TEMPLATE.get(kind, kind)}.md.j2").module
    common = _ENV.get_template("report_common.md.j2").module
    names = SECTIONS[kind] if data["incident_count"] or kind in _ALWAYS else ("summary",)
    out = []
    for name in names:
        macro = getattr(own, name.replace("-", "_"), None) or getattr(
            common, name.replace("-", "_")
        )
        text = _BLANKS.sub("\n\n", str(macro(data))).strip("\n")
        out.append(Section(name, text))
    return out


def to_json(data: dict[str, Any]) -> str:
    """The report's data as JSON (the DESIGN §4 contract and more)."""
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def to_markdown(data: dict[str, Any]) -> str:
    """The report as one Markdown page."""
    parts = [f"# {data['title']}", *(s.markdown for s in sections(data))]
    return "\n\n".join(parts) + "\n"


def to_html(data: dict[str, Any]) -> str:
    """The report as one self-contained HTML page: inline CSS, nothing fetched, text escaped."""
    body = markdown.markdown("\n\n".join(s.markdown for s in sections(data)), extensions=["tables"])
    page = _ENV.get_template("report.html.j2")
    return page.render(title=data["title"], body=Markup(body))


def render_format(data: dict[str, Any], fmt: str) -> str:
    """The report in md, json or html."""
    if fmt == "json":
        return to_json(data)
    if fmt == "html":
        return to_html(data)
    return to_markdown(data)
