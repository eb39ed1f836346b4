"""Severity from a source's own scale: P1, SEV-2, "major", "down", urgency, Jira priority.

A team whose scale means something else maps its labels in learnloop.yml
(`import: {severity: {major: P1}}`, or per format: `{statuspage: {critical: P0}}`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from learnloop.load.fields import normalize_severity

# The common scales, worst first. P0 is left to labels that say so (P0, SEV0): a tool's
# "critical" is most teams' SEV1.
DEFAULT_LABELS: dict[str, str] = {
    # Statuspage impact; Jira's older priority names; Opsgenie and incident tools' words
    "critical": "P1",
    "blocker": "P1",
    "highest": "P1",
    "emergency": "P1",
    "major": "P2",
    "high": "P2",
    "urgent": "P2",
    "medium": "P3",
    "moderate": "P3",
    "normal": "P3",
    "minor": "P3",
    "low": "P4",
    "lowest": "P4",
    "trivial": "P4",
    "none": "P4",
    "info": "P4",
    "informational": "P4",
    # cState (and Hugo status themes): how bad it looked from outside
    "down": "P1",
    "outage": "P1",
    "major outage": "P1",
    "disrupted": "P2",
    "partial outage": "P2",
    "degraded": "P3",
    "degraded performance": "P3",
    "notice": "P3",
}
# PagerDuty urgency is two-valued: high pages someone now, low waits for working hours.
URGENCY = {"high": "P2", "low": "P4"}
# Opsgenie and PagerDuty priorities run to P5; past our scale's end is its end.
_BEYOND = re.compile(r"^\s*(?:p|sev|s|severity)?[\s-]*([5-9])\s*$", re.IGNORECASE)


def label_key(label: str) -> str:
    """A label as the mapping compares it: lower case, single spaces, no trailing dots."""
    return re.sub(r"[\s_-]+", " ", label.strip().lower()).strip(" .")


def map_severity(
    label: object,
    fmt: str,
    overrides: Mapping[str, object] | None = None,
    defaults: Mapping[str, str] | None = None,
) -> str | None:
    """The P-level for a source's label, or None when it is not one we know.

    Overrides from learnloop.yml come first (a format's own, then the shared ones), then
    the P/SEV forms, then the format's defaults and the common scales.
    """
    if label is None or isinstance(label, bool):
        return None
    text = str(label).strip()
    if not text:
        return None
    key = label_key(text)
    overrides = overrides or {}
    for table in (overrides.get(fmt), overrides):
        if isinstance(table, Mapping):
            for raw, level in table.items():
                if isinstance(level, str) and label_key(str(raw)) == key:
                    return normalize_severity(level)
    normal = normalize_severity(label if isinstance(label, int) else text)
    if normal is not None:
        return normal
    if _BEYOND.match(text):
        return "P4"
    for table in (defaults or {}, DEFAULT_LABELS):
        if key in table:
            return table[key]
    numbered = _NUMBERED.match(text)
    if numbered:
        # ServiceNow's "1 - Critical" … "5 - Planning": the word if it is known, else the number.
        said = label_key(numbered["word"])
        return DEFAULT_LABELS.get(said) or f"P{min(int(numbered['number']), 4)}"
    return None


_NUMBERED = re.compile(r"^\s*(?P<number>[1-5])\s*[-–:]\s*(?P<word>[A-Za-z][A-Za-z ]{0,20})$")


_LABEL = re.compile(
    r"\b(?:(?:sev|severity|priority|p)[\s:-]*[0-4]\b|"
    r"(?:severity|priority)\s*(?:level)?\s*[:=]\s*[A-Za-z0-9 -]{1,24})",
    re.IGNORECASE,
)


def labels_in_text(text: str) -> list[str]:
    """Severity labels a text states, in order: 'SEV-2', 'P1', 'Severity: major' (as major)."""
    found: list[str] = []
    for match in _LABEL.finditer(text):
        label = match.group(0)
        if ":" in label or "=" in label:
            label = re.split(r"[:=]", label, maxsplit=1)[1]
            label = re.split(r"\s{2,}|[.,;(/]", label.strip())[0].strip()
        if label:
            # "High impact on users": the phrase may be a label ("major outage") or start one.
            found.extend([label, label.split()[0]] if " " in label else [label])
    return found
