"""The Jinja2 environment for the site's Markdown templates, with the escaping filters."""

from __future__ import annotations

from functools import cache
from typing import Any

import jinja2

from learnloop.publish import display
from learnloop.write import escape


@cache
def environment() -> jinja2.Environment:
    """Templates from publish/templates; Markdown out, so escaping is by explicit filters."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("learnloop.publish", "templates"),
        autoescape=False,  # the output is Markdown: the filters below escape what needs it
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        cell=lambda v: display.DASH if v is None or v == "" else escape.cell(str(v)),
        inline=lambda v: escape.inline(str(v)),
        heading=lambda v: escape.heading(str(v)),
        duration=display.duration,
        number=display.number,
        day=display.day,
    )
    return env


def render(template: str, **context: Any) -> str:
    """A template rendered to Markdown, ending in exactly one newline."""
    text = environment().get_template(template).render(**context)
    return text.rstrip("\n") + "\n"
