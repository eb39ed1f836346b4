"""Charts as inline SVG, drawn at build time with matplotlib: offline, deterministic, themeable.

Every chart is vector only (text as glyph outlines, no embedded images), so a page draws it
without loading anything. Text, axes and grid are drawn in a placeholder colour that becomes
`currentColor`: inlined in a page, the chart takes the theme's text colour, dark on light and
light on dark. Series colours are mid-tones that read on both backgrounds. The same data
always gives the same bytes: fixed hash salt, no date, ids derived from the chart's slug.
"""

from __future__ import annotations

import functools
import html
import io
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, ParamSpec

import matplotlib

matplotlib.use("Agg")  # a build machine has no display; never try one

from matplotlib import colors as mcolors
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.ticker import FixedLocator, FuncFormatter, MaxNLocator

# Drawn as this, published as currentColor; no series uses it.
FOREGROUND = "#123456"
# Mid-tone colours with enough contrast on white and on Material's slate background.
PALETTE = (
    "#4e79a7",
    "#f28e2b",
    "#e15759",
    "#76b7b2",
    "#59a14f",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
    "#bab0ac",
)
SEVERITY_COLOURS = {
    "P0": "#d62728",
    "P1": "#f28e2b",
    "P2": "#edc948",
    "P3": "#4e79a7",
    "P4": "#9da5ad",
}
ACCENT = PALETTE[0]
WIDTH = 8.0  # inches; the page scales the SVG to its column

STYLE: dict[Any, Any] = {
    "svg.fonttype": "path",  # glyph outlines: no font to fetch, the same shapes everywhere
    "svg.image_inline": True,
    "font.family": "DejaVu Sans",  # shipped with matplotlib, so every machine has it
    "font.size": 10,
    "text.parse_math": False,  # a service named "$x$" is text, not a formula
    "text.color": FOREGROUND,
    "axes.edgecolor": FOREGROUND,
    "axes.labelcolor": FOREGROUND,
    "axes.titlecolor": FOREGROUND,
    "axes.facecolor": "none",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": False,
    "xtick.color": FOREGROUND,
    "ytick.color": FOREGROUND,
    "grid.color": FOREGROUND,
    "grid.alpha": 0.18,
    "grid.linewidth": 0.6,
    "figure.facecolor": "none",
    "figure.edgecolor": "none",
    "savefig.facecolor": "none",
    "savefig.edgecolor": "none",
    "savefig.transparent": True,
    "legend.frameon": False,
    "legend.labelcolor": FOREGROUND,
    "patch.edgecolor": FOREGROUND,
    "hatch.color": FOREGROUND,
    "lines.color": FOREGROUND,
    "boxplot.flierprops.markeredgecolor": FOREGROUND,
    "boxplot.boxprops.color": FOREGROUND,
    "boxplot.whiskerprops.color": FOREGROUND,
    "boxplot.capprops.color": FOREGROUND,
    "boxplot.medianprops.color": FOREGROUND,
    "path.simplify": True,
}

P = ParamSpec("P")
_HEAD = re.compile(r"\A.*?(?=<svg)", re.DOTALL)
_METADATA = re.compile(r"\s*<metadata>.*?</metadata>", re.DOTALL)
# Matplotlib repeats each label's text in a comment; the glyphs already draw it.
_COMMENT = re.compile(r"\s*<!--.*?-->", re.DOTALL)
# Matplotlib's one stylesheet selects `*`: inlined, it would restyle the whole page.
_STYLE = re.compile(r"\s*<style[^>]*>.*?</style>", re.DOTALL)
_SIZE = re.compile(r'\s(?:width|height)="[^"]*"')
_ID = re.compile(r'\bid="([^"]+)"')
_REF = re.compile(r'(href="#|url\(#)([^")]+)')


def _themed(draw: Callable[P, str]) -> Callable[P, str]:
    """Run a chart function under the chart style; the global settings stay untouched."""

    @functools.wraps(draw)
    def themed(*args: P.args, **kwargs: P.kwargs) -> str:
        with matplotlib.rc_context(STYLE):
            return draw(*args, **kwargs)

    return themed


@dataclass(frozen=True)
class Series:
    """One named row of values, drawn in one colour."""

    name: str
    values: tuple[float, ...]
    colour: str


@_themed
def stacked_bars(
    slug: str, title: str, labels: Sequence[str], series: Sequence[Series], ylabel: str
) -> str:
    """Bars per label, the series stacked bottom-up; a legend names the series."""
    fig, ax = _figure(3.4)
    x = range(len(labels))
    bottom = [0.0] * len(labels)
    for row in series:
        ax.bar(x, row.values, bottom=bottom, color=row.colour, width=0.8, label=row.name, lw=0)
        bottom = [b + v for b, v in zip(bottom, row.values, strict=True)]
    _category_axis(ax, labels)
    ax.set_ylabel(ylabel)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(axis="y")
    ax.set_axisbelow(True)
    if series:
        ax.legend(ncols=min(len(series), 6), loc="upper left", bbox_to_anchor=(0, 1.12))
    return _svg(fig, slug, title)


@_themed
def bars_and_line(
    slug: str,
    title: str,
    labels: Sequence[str],
    bars: Sequence[Series],
    line: Series,
    ylabel: str,
) -> str:
    """Grouped bars per label with a line over them (e.g. opened, completed, still open)."""
    fig, ax = _figure(3.4)
    width = 0.8 / max(len(bars), 1)
    for n, row in enumerate(bars):
        offset = (n - (len(bars) - 1) / 2) * width
        xs = [i + offset for i in range(len(labels))]
        ax.bar(xs, row.values, width=width, color=row.colour, label=row.name, lw=0)
    ax.plot(range(len(labels)), line.values, color=line.colour, lw=2, marker="o", ms=3)
    ax.lines[-1].set_label(line.name)
    _category_axis(ax, labels)
    ax.set_ylabel(ylabel)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(axis="y")
    ax.set_axisbelow(True)
    ax.legend(ncols=len(bars) + 1, loc="upper left", bbox_to_anchor=(0, 1.12))
    return _svg(fig, slug, title)


@_themed
def duration_boxes(
    slug: str, title: str, groups: Sequence[tuple[str, Sequence[float]]], xlabel: str
) -> str:
    """A horizontal box per group on a log scale of minutes: quartiles, p10–p90 whiskers."""
    fig, ax = _figure(0.9 + 0.32 * max(len(groups), 3))
    data = [[max(v, 0.5) for v in values] for _, values in groups]
    if data:
        boxes = ax.boxplot(
            data,
            orientation="horizontal",
            whis=(10, 90),
            widths=0.6,
            patch_artist=True,
            flierprops={"marker": "o", "markersize": 2.5, "alpha": 0.5, "markeredgewidth": 0.6},
            medianprops={"color": PALETTE[1], "linewidth": 2},
        )
        for box in boxes["boxes"]:
            box.set_facecolor(mcolors.to_rgba(ACCENT, 0.45))
            box.set_edgecolor(FOREGROUND)
        ax.set_yticks(range(1, len(groups) + 1), [_short(name) for name, _ in groups])
        ax.invert_yaxis()  # the first group on top, as in the table
        ax.set_xscale("log")
        low = min(min(v) for v in data)
        high = max(max(v) for v in data)
        ticks: list[float] = [t for t in _DURATION_TICKS if low / 3 <= t <= high * 3] or [low, high]
        ax.xaxis.set_major_locator(FixedLocator(ticks))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: _duration_label(v)))
        ax.xaxis.set_minor_locator(FixedLocator([]))
        ax.grid(axis="x")
        ax.set_axisbelow(True)
    ax.set_xlabel(xlabel)
    return _svg(fig, slug, title)


@_themed
def scatter(
    slug: str,
    title: str,
    points: Sequence[tuple[str, float, float, str]],
    xlabel: str,
    ylabel: str,
    *,
    log_y: bool = False,
    split: tuple[float, float] | None = None,
    corners: Sequence[str] = (),
) -> str:
    """Labelled points (label, x, y in dollars, colour); optional quadrant lines and corners."""
    fig, ax = _figure(4.6)
    for label, x, y, colour in points:
        ax.scatter([x], [y], s=46, color=colour, alpha=0.85, lw=0.6, edgecolors=FOREGROUND)
        if label:
            ax.annotate(
                _short(label, 28),
                (x, y),
                xytext=(5, 4),
                textcoords="offset points",
                fontsize=8,
            )
    if log_y and any(y > 0 for _, _, y, _ in points):
        ax.set_yscale("log")
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: _money_label(v)))
    if split is not None:
        ax.axvline(split[0], color=FOREGROUND, lw=0.8, ls="--", alpha=0.5)
        ax.axhline(split[1], color=FOREGROUND, lw=0.8, ls="--", alpha=0.5)
    for text, (x, y, ha, va) in zip(corners, _CORNERS, strict=False):
        ax.text(x, y, text, transform=ax.transAxes, ha=ha, va=va, fontsize=9, alpha=0.7)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(True)
    ax.set_axisbelow(True)
    return _svg(fig, slug, title)


@_themed
def heatmap(
    slug: str,
    title: str,
    grid: Sequence[Sequence[int]],
    rows: Sequence[str],
    columns: Sequence[str],
) -> str:
    """Counts as shades of one colour; empty cells stay transparent, so the page shows."""
    fig, ax = _figure(2.9)
    top = max((v for row in grid for v in row), default=0)
    for r, row in enumerate(grid):
        for c, value in enumerate(row):
            if value:
                # Square root: a few busy hours must not wash out the rest.
                alpha = 0.12 + 0.88 * math.sqrt(value / top)
                ax.add_patch(
                    Rectangle((c, r), 0.94, 0.9, color=mcolors.to_rgba(PALETTE[2], alpha), lw=0)
                )
    ax.set_xlim(0, len(columns))
    ax.set_ylim(len(rows), 0)
    ax.set_xticks([c + 0.47 for c in range(len(columns))], list(columns), fontsize=8)
    ax.set_yticks([r + 0.45 for r in range(len(rows))], list(rows))
    ax.tick_params(length=0)
    for side in ("left", "bottom"):
        ax.spines[side].set_visible(False)
    ax.set_xlabel("Hour of the day (UTC)")
    return _svg(fig, slug, title)


@_themed
def dumbbells(
    slug: str,
    title: str,
    rows: Sequence[tuple[str, float, float, str]],
    xlabel: str,
    legend: Sequence[tuple[str, str]] = (),
) -> str:
    """Per row a hollow dot (before) joined to a filled dot (after), coloured by verdict."""
    fig, ax = _figure(0.9 + 0.34 * max(len(rows), 3))
    for n, (_, before, after, colour) in enumerate(rows):
        ax.plot([before, after], [n, n], color=FOREGROUND, lw=1, alpha=0.5)
        ax.scatter([before], [n], s=40, facecolors="none", edgecolors=colour, lw=1.5, zorder=3)
        ax.scatter([after], [n], s=40, color=colour, zorder=3, lw=0)
    ax.set_yticks(range(len(rows)), [_short(label) for label, *_ in rows])
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.set_xlim(left=0)
    ax.set_xlabel(xlabel)
    ax.grid(axis="x")
    ax.set_axisbelow(True)
    for label, colour in legend:
        ax.scatter([], [], s=40, color=colour, label=label, lw=0)
    if legend:
        ax.legend(ncols=len(legend), loc="lower left", bbox_to_anchor=(0, 1.0))
    return _svg(fig, slug, title)


# --- shared ------------------------------------------------------------------------------

_DURATION_TICKS = (1, 5, 15, 60, 240, 1440, 4320, 10080, 43200)
_CORNERS = ((0.01, 0.99, "left", "top"), (0.99, 0.99, "right", "top"),
            (0.01, 0.01, "left", "bottom"), (0.99, 0.01, "right", "bottom"))  # fmt: skip


def _figure(height: float) -> tuple[Figure, Any]:
    fig = Figure(figsize=(WIDTH, height))
    return fig, fig.add_subplot()


def _category_axis(ax: Any, labels: Sequence[str]) -> None:
    """Labels under bars, thinned so that at most about 24 show."""
    step = max(1, math.ceil(len(labels) / 24))
    ax.set_xticks(range(0, len(labels), step), [labels[i] for i in range(0, len(labels), step)])
    ax.tick_params(axis="x", labelrotation=90 if len(labels) > 8 else 0, labelsize=8)
    ax.set_xlim(-0.6, len(labels) - 0.4)


def _short(text: str, limit: int = 34) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _duration_label(minutes: float) -> str:
    if minutes >= 1440:
        return f"{minutes / 1440:g} d"
    if minutes >= 60:
        return f"{minutes / 60:g} h"
    return f"{minutes:g} min"


def _money_label(value: float) -> str:
    if abs(value) >= 1e6:
        return f"${value / 1e6:g}M"
    if abs(value) >= 1e3:
        return f"${value / 1e3:g}k"
    return f"${value:g}"


def _svg(fig: Figure, slug: str, title: str) -> str:
    """The figure as an SVG element ready to inline: themed, titled, ids unique to the slug."""
    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": slug}):
        fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    text = _HEAD.sub("", buffer.getvalue(), count=1)
    text = _COMMENT.sub("", _STYLE.sub("", _METADATA.sub("", text)))
    text = text.replace(FOREGROUND, "currentColor")
    text = _ID.sub(lambda m: f'id="{slug}-{m.group(1)}"', text)
    text = _REF.sub(lambda m: f"{m.group(1)}{slug}-{m.group(2)}", text)
    head, rest = text.split(">", 1)
    head = _SIZE.sub("", head)
    label = html.escape(title)
    head += f' role="img" aria-labelledby="{slug}-title"'
    # A blank line would end the HTML block that Markdown passes through untouched.
    body = "\n".join(line for line in rest.split("\n") if line.strip())
    return f'{head}>\n<title id="{slug}-title">{label}</title>\n{body}'
