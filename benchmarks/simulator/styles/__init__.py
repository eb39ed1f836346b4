"""Writing styles: each turns a story into a Markdown body in one kind of author's voice."""

from __future__ import annotations

import random
from collections.abc import Callable

from benchmarks.simulator.clock import Clock
from benchmarks.simulator.doc import Doc
from benchmarks.simulator.story import Story
from benchmarks.simulator.styles import (
    labels,
    narrative,
    non_native,
    tables,
    template,
    terse,
    vendor_rca,
)

Render = Callable[[Story, random.Random], tuple[Doc, Clock, float]]

RENDERERS: dict[str, Render] = {
    "terse": terse.render,
    "narrative": narrative.render,
    "labels": labels.render,
    "vendor-rca": vendor_rca.render,
    "tables": tables.render,
    "non-native": non_native.render,
    "template": template.render,
}
STYLES = tuple(RENDERERS)
