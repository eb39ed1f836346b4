"""SVG drawing for the charts: shapes, text, axes and legends in one coordinate width, with
room reserved for labels."""

from __future__ import annotations

import html
import math
from collections.abc import Sequence

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


WIDTH = 760  # the coordinate width of every chart


FONT = 12  # px in that space


CHAR = 0.58  # a character's width, in font sizes, to reserve room for labels


INK = "currentColor"


def num(value: float) -> str:
    """A coordinate with at most one decimal, the same on every machine."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def draw_text(
    x: float,
    y: float,
    text: str,
    *,
    anchor: str = "start",
    size: float = FONT,
    rotate: float | None = None,
    weight: str | None = None,
    opacity: float | None = None,
) -> str:
    attrs = f'x="{num(x)}" y="{num(y)}" font-size="{num(size)}" fill="{INK}"'
    if anchor != "start":
        attrs += f' text-anchor="{anchor}"'
    if rotate is not None:
        attrs += f' transform="rotate({num(rotate)} {num(x)} {num(y)})"'
    if weight:
        attrs += f' font-weight="{weight}"'
    if opacity is not None:
        attrs += f' opacity="{opacity:g}"'
    return f"<text {attrs}>{html.escape(text, quote=False)}</text>"


def draw_line(
    x1: float, y1: float, x2: float, y2: float, *, colour: str = INK, **style: str
) -> str:
    extra = "".join(f' {k.replace("_", "-")}="{v}"' for k, v in sorted(style.items()))
    ends = f'x1="{num(x1)}" y1="{num(y1)}" x2="{num(x2)}" y2="{num(y2)}"'
    return f'<line {ends} stroke="{colour}"{extra}/>'


def draw_rect(x: float, y: float, w: float, h: float, fill: str, **style: str) -> str:
    extra = "".join(f' {k.replace("_", "-")}="{v}"' for k, v in sorted(style.items()))
    return (
        f'<rect x="{num(x)}" y="{num(y)}" width="{num(max(w, 0))}" height="{num(max(h, 0))}" '
        f'fill="{fill}"{extra}/>'
    )


def draw_circle(x: float, y: float, r: float, fill: str, **style: str) -> str:
    extra = "".join(f' {k.replace("_", "-")}="{v}"' for k, v in sorted(style.items()))
    return f'<circle cx="{num(x)}" cy="{num(y)}" r="{num(r)}" fill="{fill}"{extra}/>'


def svg_document(slug: str, title: str, height: float, body: list[str]) -> str:
    """The chart as an element ready to inline, titled for screen readers."""
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {num(height)}" '
        f'role="img" aria-labelledby="{slug}-title" font-family="inherit">'
    )
    # A blank line would end the HTML block that Markdown passes through untouched.
    return "\n".join(
        [head, f'<title id="{slug}-title">{html.escape(title)}</title>', *body, "</svg>"]
    )


def text_width(text: str, size: float = FONT) -> float:
    return len(text) * size * CHAR


def shorten(text: str, limit: int = 34) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def wrap_words(text: str, limit: int) -> list[str]:
    """Words into lines of at most `limit` characters; two lines at most, the last cut."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= limit:
            lines[-1] += " " + word
        else:
            lines.append(word)
    if len(lines) > 2:
        lines = [lines[0], shorten(" ".join(lines[1:]), limit)]
    return lines


def nice_ticks(top: float, count: int = 5) -> list[float]:
    """Round steps from 0 to at least `top`."""
    if top <= 0:
        return [0.0, 1.0]
    raw = top / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    if step < 1:
        step = 1.0  # counts: whole numbers
    return [step * n for n in range(math.ceil(top / step) + 1)]


def draw_legend(items: Sequence[tuple[str, str]], x: float, y: float) -> list[str]:
    out = []
    for name, colour in items:
        out.append(draw_rect(x, y - 9, 10, 10, colour))
        out.append(draw_text(x + 14, y, name, size=11))
        x += 14 + text_width(name, 11) + 16
    return out


def band_axis(labels: Sequence[str], left: float, right: float, bottom: float) -> list[str]:
    """Category labels under bars, thinned so that at most about 24 show, upright when few."""
    out = []
    step = max(1, math.ceil(len(labels) / 24))
    band = (right - left) / max(len(labels), 1)
    for n in range(0, len(labels), step):
        x = left + band * (n + 0.5)
        if len(labels) > 8:
            out.append(draw_text(x + 4, bottom + 8, labels[n], anchor="end", size=10, rotate=-60))
        else:
            out.append(draw_text(x, bottom + 16, labels[n], anchor="middle", size=11))
    return out


def value_axis(
    ticks: Sequence[float], top: float, left: float, right: float, y_of: object, label: str
) -> list[str]:
    out = []
    for tick in ticks:
        y = y_of(tick)  # type: ignore[operator]
        out.append(draw_line(left, y, right, y, stroke_opacity="0.15"))
        out.append(draw_text(left - 6, y + 4, f"{tick:g}", anchor="end", size=11))
    out.append(draw_line(left, y_of(0), right, y_of(0), stroke_opacity="0.6"))  # type: ignore[operator]
    mid = (y_of(0) + y_of(top)) / 2  # type: ignore[operator]
    out.append(draw_text(14, mid, label, anchor="middle", size=11, rotate=-90))
    return out
