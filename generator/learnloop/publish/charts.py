"""Charts as inline SVG, written directly: offline, deterministic, themeable, light to build.

Every chart is a handful of rectangles, lines, circles and text elements in a fixed
coordinate space (the page scales it to its column). Text, axes and grid are drawn in
`currentColor`, so a chart takes the theme's text colour, dark on light and light on dark;
series colours are mid-tones that read on both backgrounds. Text is text: the page's font
draws it, search ignores it (the figure is excluded), and nothing is fetched. The same data
always gives the same bytes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from learnloop.publish.svg import (
    ACCENT,
    INK,
    PALETTE,
    WIDTH,
    band_axis,
    draw_circle,
    draw_legend,
    draw_line,
    draw_rect,
    draw_text,
    nice_ticks,
    num,
    shorten,
    svg_document,
    text_width,
    value_axis,
    wrap_words,
)


@dataclass(frozen=True)
class Series:
    """One named row of values, drawn in one colour."""

    name: str
    values: tuple[float, ...]
    colour: str


def stacked_bars(
    slug: str, title: str, labels: Sequence[str], series: Sequence[Series], ylabel: str
) -> str:
    """Bars per label, the series stacked bottom-up; a legend names the series."""
    left, right, top, plot_h = 52.0, WIDTH - 10.0, 34.0, 200.0
    bottom = top + plot_h
    totals = [sum(s.values[i] for s in series) for i in range(len(labels))]
    ticks = nice_ticks(max(totals, default=0))
    high = ticks[-1]

    def y_of(v: float) -> float:
        return bottom - plot_h * v / high

    body = draw_legend([(s.name, s.colour) for s in series], left, 14)
    body += value_axis(ticks, high, left, right, y_of, ylabel)
    band = (right - left) / max(len(labels), 1)
    for i in range(len(labels)):
        base = 0.0
        for row in series:
            value = row.values[i]
            if value:
                y0, y1 = y_of(base), y_of(base + value)
                body.append(draw_rect(left + band * (i + 0.1), y1, band * 0.8, y0 - y1, row.colour))
            base += value
    body += band_axis(labels, left, right, bottom)
    return svg_document(slug, title, bottom + (62 if len(labels) > 8 else 26), body)


def bars_and_line(
    slug: str,
    title: str,
    labels: Sequence[str],
    bars: Sequence[Series],
    line: Series,
    ylabel: str,
) -> str:
    """Grouped bars per label with a line over them (e.g. opened, completed, still open)."""
    left, right, top, plot_h = 52.0, WIDTH - 10.0, 34.0, 200.0
    bottom = top + plot_h
    peak = max([v for s in [*bars, line] for v in s.values], default=0)
    ticks = nice_ticks(peak)
    high = ticks[-1]

    def y_of(v: float) -> float:
        return bottom - plot_h * v / high

    body = draw_legend([(s.name, s.colour) for s in [*bars, line]], left, 14)
    body += value_axis(ticks, high, left, right, y_of, ylabel)
    band = (right - left) / max(len(labels), 1)
    width = band * 0.8 / max(len(bars), 1)
    for n, row in enumerate(bars):
        for i, value in enumerate(row.values):
            if value:
                x = left + band * (i + 0.1) + width * n
                body.append(draw_rect(x, y_of(value), width, y_of(0) - y_of(value), row.colour))
    points = [(left + band * (i + 0.5), y_of(v)) for i, v in enumerate(line.values)]
    if points:
        path = " ".join(
            f"{'M' if i == 0 else 'L'}{num(x)} {num(y)}" for i, (x, y) in enumerate(points)
        )
        body.append(f'<path d="{path}" fill="none" stroke="{line.colour}" stroke-width="2"/>')
        body += [draw_circle(x, y, 2.5, line.colour) for x, y in points]
    body += band_axis(labels, left, right, bottom)
    return svg_document(slug, title, bottom + (62 if len(labels) > 8 else 26), body)


_DURATION_TICKS = (1, 5, 15, 60, 240, 1440, 4320, 10080, 43200)


def _duration_label(minutes: float) -> str:
    if minutes >= 1440:
        return f"{minutes / 1440:g} d"
    if minutes >= 60:
        return f"{minutes / 60:g} h"
    return f"{minutes:g} min"


def duration_boxes(
    slug: str, title: str, groups: Sequence[tuple[str, Sequence[float]]], xlabel: str
) -> str:
    """A horizontal box per group on a log scale of minutes: quartiles, p10–p90 whiskers."""
    names = [shorten(name) for name, _ in groups]
    left = 12 + max((text_width(n, 11) for n in names), default=40)
    right, top, row = WIDTH - 16.0, 10.0, 22.0
    data = [[max(float(v), 0.5) for v in values] for _, values in groups]
    low = min((min(v) for v in data if v), default=1.0)
    high = max((max(v) for v in data if v), default=60.0)
    ticks: list[float] = [float(t) for t in _DURATION_TICKS if low / 3 <= t <= high * 3]
    ticks = ticks or [low, high]
    lo, hi = math.log10(min(low, ticks[0])), math.log10(max(high, ticks[-1]))
    span = max(hi - lo, 1e-9)

    def x_of(v: float) -> float:
        return left + (right - left) * (math.log10(v) - lo) / span

    bottom = top + row * max(len(groups), 1)
    body = []
    for tick in ticks:
        x = x_of(tick)
        body.append(draw_line(x, top, x, bottom, stroke_opacity="0.15"))
        body.append(draw_text(x, bottom + 16, _duration_label(tick), anchor="middle", size=11))
    for n, (name, values) in enumerate(zip(names, data, strict=True)):
        y = top + row * (n + 0.5)
        body.append(draw_text(left - 8, y + 4, name, anchor="end", size=11))
        if not values:
            continue
        p10, q1, med, q3, p90 = (float(v) for v in np.quantile(values, [0.1, 0.25, 0.5, 0.75, 0.9]))
        body.append(draw_line(x_of(p10), y, x_of(q1), y, stroke_opacity="0.8"))
        body.append(draw_line(x_of(q3), y, x_of(p90), y, stroke_opacity="0.8"))
        for end in (p10, p90):
            body.append(draw_line(x_of(end), y - 5, x_of(end), y + 5, stroke_opacity="0.8"))
        body.append(
            draw_rect(
                x_of(q1),
                y - 7,
                x_of(q3) - x_of(q1),
                14,
                ACCENT,
                fill_opacity="0.45",
                stroke=INK,
                stroke_width="0.8",
            )
        )
        body.append(
            draw_line(x_of(med), y - 7, x_of(med), y + 7, colour=PALETTE[1], stroke_width="2.5")
        )
        for value in sorted(v for v in values if v < p10 or v > p90):
            body.append(draw_circle(x_of(value), y, 2, INK, fill_opacity="0.45"))
    body.append(draw_line(left, bottom, right, bottom, stroke_opacity="0.6"))
    body.append(draw_text((left + right) / 2, bottom + 34, xlabel, anchor="middle", size=11))
    return svg_document(slug, title, bottom + 42, body)


def _money(value: float) -> str:
    if abs(value) >= 1e6:
        return f"${value / 1e6:g}M"
    if abs(value) >= 1e3:
        return f"${value / 1e3:g}k"
    return f"${value:g}"


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
    """Points (label, x, y in dollars, colour), each marked with its label (a number that
    matches the table's first column); optional quadrant lines and corner names."""
    left, right, top, plot_h = 64.0, WIDTH - 20.0, 12.0, 320.0
    bottom = top + plot_h
    xs = [x for _, x, _, _ in points] + ([split[0]] if split else [])
    ys = [max(y, 1.0) for _, _, y, _ in points] + ([split[1]] if split else [])
    x_ticks = nice_ticks(max(xs, default=1))
    x_high = x_ticks[-1]
    if log_y:
        lo = math.floor(math.log10(min(ys, default=1)))
        hi = math.ceil(math.log10(max(ys, default=10)))
        hi = max(hi, lo + 1)
        y_ticks = [10.0**p for p in range(lo, hi + 1)]

        def y_of(v: float) -> float:
            return bottom - plot_h * (math.log10(max(v, 1.0)) - lo) / (hi - lo)

    else:
        y_ticks = nice_ticks(max(ys, default=1))

        def y_of(v: float) -> float:
            return bottom - plot_h * v / y_ticks[-1]

    def x_of(v: float) -> float:
        return left + (right - left) * v / x_high

    body = []
    for tick in x_ticks:
        x = x_of(tick)
        body.append(draw_line(x, top, x, bottom, stroke_opacity="0.15"))
        body.append(draw_text(x, bottom + 16, f"{tick:g}", anchor="middle", size=11))
    for tick in y_ticks:
        y = y_of(tick)
        body.append(draw_line(left, y, right, y, stroke_opacity="0.15"))
        body.append(draw_text(left - 6, y + 4, _money(tick), anchor="end", size=11))
    body.append(draw_line(left, bottom, right, bottom, stroke_opacity="0.6"))
    body.append(draw_line(left, top, left, bottom, stroke_opacity="0.6"))
    if split is not None:
        dash = {"stroke_dasharray": "5 4", "stroke_opacity": "0.5"}
        body.append(draw_line(x_of(split[0]), top, x_of(split[0]), bottom, **dash))
        body.append(draw_line(left, y_of(split[1]), right, y_of(split[1]), **dash))
    spots = [
        (left + 6, top + 14, "start"),
        (right - 6, top + 14, "end"),
        (left + 6, bottom - 8, "start"),
        (right - 6, bottom - 8, "end"),
    ]
    for name, (x, y, anchor) in zip(corners, spots, strict=False):
        body.append(draw_text(x, y, name, anchor=anchor, size=11, opacity=0.7))
    taken: list[tuple[float, float, float, float]] = []  # boxes of the labels drawn
    for label, x, y, colour in points:
        cx, cy = x_of(x), y_of(max(y, 1.0))
        body.append(
            draw_circle(cx, cy, 5, colour, fill_opacity="0.85", stroke=INK, stroke_width="0.6")
        )
        if label:
            lx, ly, anchor = _place(cx, cy, text_width(label, 10), taken)
            body.append(draw_text(lx, ly, label, anchor=anchor, size=10, weight="bold"))
    body.append(draw_text((left + right) / 2, bottom + 34, xlabel, anchor="middle", size=11))
    body.append(draw_text(14, (top + bottom) / 2, ylabel, anchor="middle", size=11, rotate=-90))
    return svg_document(slug, title, bottom + 42, body)


def _place(
    x: float, y: float, width: float, taken: list[tuple[float, float, float, float]]
) -> tuple[float, float, str]:
    """Where a point's label goes: beside it where no earlier label is, trying each side in
    turn, then further out to the right; the box it takes is added to `taken`."""
    height = 11.0
    tries = [
        (x + 7, y - 4, "start"),
        (x + 7, y + 8, "start"),
        (x - 7, y - 4, "end"),
        (x - 7, y + 8, "end"),
        (x + 7, y - 14, "start"),
        (x - 7, y - 14, "end"),
    ]
    tries += [(x + 7 + 14 * k, y + 3, "start") for k in range(1, 12)]
    for lx, ly, anchor in tries:
        x0 = lx if anchor == "start" else lx - width
        box = (x0, ly - height + 2, x0 + width, ly + 2)
        if not any(
            box[0] < t[2] and t[0] < box[2] and box[1] < t[3] and t[1] < box[3] for t in taken
        ):
            taken.append(box)
            return lx, ly, anchor
    lx, ly, anchor = tries[0]
    return lx, ly, anchor


def heatmap(
    slug: str,
    title: str,
    grid: Sequence[Sequence[int]],
    rows: Sequence[str],
    columns: Sequence[str],
    *,
    xlabel: str = "Hour of the day (UTC)",
) -> str:
    """Counts as shades of one colour; empty cells stay open, so the page shows."""
    left = 12 + max((text_width(r, 11) for r in rows), default=30)
    right, top, cell_h = WIDTH - 8.0, 8.0, 24.0
    cell_w = (right - left) / max(len(columns), 1)
    peak = max((v for row in grid for v in row), default=0)
    body = []
    for r, row in enumerate(grid):
        y = top + cell_h * r
        body.append(draw_text(left - 8, y + cell_h / 2 + 4, rows[r], anchor="end", size=11))
        for c, value in enumerate(row):
            if value:
                # Square root: a few busy hours must not wash out the rest.
                alpha = 0.12 + 0.88 * math.sqrt(value / peak)
                body.append(_shaded(left + cell_w * c, y, cell_w, cell_h, PALETTE[2], alpha))
    bottom = top + cell_h * len(grid)
    for c, name in enumerate(columns):
        body.append(
            draw_text(left + cell_w * (c + 0.5), bottom + 14, name, anchor="middle", size=10)
        )
    body.append(draw_text((left + right) / 2, bottom + 32, xlabel, anchor="middle", size=11))
    return svg_document(slug, title, bottom + 40, body)


def _shaded(x: float, y: float, w: float, h: float, fill: str, alpha: float) -> str:
    """A cell of a grid with a pixel of gap on each side, its colour as strong as `alpha`."""
    return draw_rect(x + 1, y + 1, w - 2, h - 2, fill, fill_opacity=f"{alpha:.2f}")


def matrix(
    slug: str,
    title: str,
    grid: Sequence[Sequence[int]],
    rows: Sequence[str],
    columns: Sequence[str],
) -> str:
    """A table of counts drawn as shaded cells with their numbers: rows named on the left
    (wrapped), columns named above (slanted)."""
    wrapped = [wrap_words(name, 36) for name in rows]
    left = 16 + max((text_width(line, 11) for lines in wrapped for line in lines), default=40)
    heads = [shorten(name, 34) for name in columns]
    rise = max((text_width(h, 11) for h in heads), default=20) * 0.71 + 16
    cell = min(34.0, (WIDTH - left - 20 - rise * 0.7) / max(len(columns), 1))
    top = rise + 4
    peak = max((v for row in grid for v in row), default=0)
    body = []
    for c, head in enumerate(heads):
        x = left + cell * (c + 0.5)
        body.append(draw_text(x, top - 6, head, size=11, rotate=-45))
    for r, lines in enumerate(wrapped):
        y = top + cell * r
        body.append(draw_line(left, y, left + cell * len(columns), y, stroke_opacity="0.12"))
        first = y + cell / 2 + 4 - (6 if len(lines) > 1 else 0)
        for k, line in enumerate(lines):
            body.append(draw_text(left - 8, first + 12 * k, line, anchor="end", size=11))
        for c, value in enumerate(grid[r]):
            if not value:
                continue
            alpha = 0.15 + 0.85 * math.sqrt(value / peak)
            body.append(_shaded(left + cell * c, y, cell, cell, PALETTE[0], alpha))
            body.append(draw_text(left + cell * (c + 0.5), y + cell / 2 + 4, str(value),
                              anchor="middle", size=11, weight="bold"))  # fmt: skip
    bottom = top + cell * len(wrapped)
    body.append(draw_line(left, bottom, left + cell * len(columns), bottom, stroke_opacity="0.12"))
    return svg_document(slug, title, bottom + 8, body)


def dumbbells(
    slug: str,
    title: str,
    rows: Sequence[tuple[str, float, float, str]],
    xlabel: str,
    legend: Sequence[tuple[str, str]] = (),
) -> str:
    """Per row a hollow dot (before) joined to a filled dot (after), coloured by verdict."""
    names = [shorten(label) for label, *_ in rows]
    left = 12 + max((text_width(n, 11) for n in names), default=40)
    right, top, row_h = WIDTH - 16.0, 30.0, 24.0
    ticks = nice_ticks(max((max(b, a) for _, b, a, _ in rows), default=1))

    def x_of(v: float) -> float:
        return left + (right - left) * v / ticks[-1]

    bottom = top + row_h * max(len(rows), 1)
    body = draw_legend(legend, left, 14)
    for tick in ticks:
        x = x_of(tick)
        body.append(draw_line(x, top, x, bottom, stroke_opacity="0.15"))
        body.append(draw_text(x, bottom + 16, f"{tick:g}", anchor="middle", size=11))
    for n, (name, (_, before, after, colour)) in enumerate(zip(names, rows, strict=True)):
        y = top + row_h * (n + 0.5)
        body.append(draw_text(left - 8, y + 4, name, anchor="end", size=11))
        body.append(draw_line(x_of(before), y, x_of(after), y, stroke_opacity="0.5"))
        body.append(draw_circle(x_of(before), y, 5, "none", stroke=colour, stroke_width="1.5"))
        body.append(draw_circle(x_of(after), y, 5, colour))
    body.append(draw_line(left, bottom, right, bottom, stroke_opacity="0.6"))
    body.append(draw_text((left + right) / 2, bottom + 34, xlabel, anchor="middle", size=11))
    return svg_document(slug, title, bottom + 42, body)
