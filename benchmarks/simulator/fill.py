"""Placeholders in wordings: `{name}` a value, `{a|b|c}` one of several, `{int:3-40}` a number.

Placeholders nest (`{the {db} primary|the writer}`); the innermost is filled first. Braces
around anything else (`{print $5}`, `{job="api"}`) are left as written. A value never gets
filled again, so a service name or a log line with braces in it is inserted as it is.
"""

from __future__ import annotations

import random
import re
from collections.abc import Mapping

_OPEN, _CLOSE = "\x01", "\x02"  # literal braces while placeholders are being filled
_INNER = re.compile(r"\{([^{}]*)\}")
_INT = re.compile(r"int:(\d+)-(\d+)")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class FillError(KeyError):
    """A wording names a value the incident does not have."""


def _protect(text: str) -> str:
    return text.replace("{", _OPEN).replace("}", _CLOSE)


def fill(template: str, values: Mapping[str, str], rng: random.Random) -> str:
    """The template with every placeholder replaced."""
    if "{" not in template:
        return template
    text = template

    def one(match: re.Match[str]) -> str:
        body = match.group(1)
        if "|" in body:
            return rng.choice(body.split("|"))
        number = _INT.fullmatch(body)
        if number:
            low, high = int(number.group(1)), int(number.group(2))
            return str(rng.randint(low, high))
        if not _NAME.fullmatch(body):
            return _protect(match.group(0))
        try:
            return _protect(values[body])
        except KeyError:
            raise FillError(f"no value for {{{body}}} in {template!r}") from None

    while _INNER.search(text):
        text = _INNER.sub(one, text)
    return text.replace(_OPEN, "{").replace(_CLOSE, "}")


def names(template: str) -> set[str]:
    """The value names a template refers to (for checking wordings against what exists)."""
    return set(re.findall(r"\{([A-Za-z_][A-Za-z0-9_]*)\}", template))
