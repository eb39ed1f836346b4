"""What an incident says, as weighted text fields and domain-aware tokens."""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterable
from importlib import resources

import yaml

from learnloop.model import Incident, said_once

# Words every post-mortem uses whatever went wrong; they say nothing about the failure.
# Words that carry meaning in error messages ("too many clients", "no space left", "out
# of memory") are deliberately not here.
STOPWORDS = frozenset(
    """
    a about after again all also am an and any are around as at be because been before being
    between both but by can could did do does doing during each for from further had has
    have having he her here hers him his how i if in into is it its itself just me my now of
    on once or other our ours she should so some such than that the their theirs them then
    there these they this those through to until very was we were what when where which
    while who whom why will with would you your yours within without across per via still
    again got get gets incident incidents customer customers user users minute minutes min
    mins hour hours second seconds time times utc team teams engineer engineers oncall on-
    call call page paged started start began begins begin resolved resolve resolution issue
    issues problem problems impact impacted affected affect affecting approximately around
    roughly several some one two three four five first second third noticed notice saw see
    seen found investigated investigation investigating confirmed identified cause caused
    causing root lead led due today yesterday morning afternoon evening night back went go
    going came come due shortly later took take taking made make making way new old still
    even well back able unable
    """.split()  # noqa: SIM905 - a word list reads better as text
)

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
# Identifiers (pg_stat_activity, max_connections, x509, 5xx, OOMKilled) stay whole tokens.
_TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9_]*[A-Za-z0-9]|[1-5]xx\b|\b[1-5]\d\d\b|[A-Za-z]")
_SUFFIXES = ("ations", "ation", "ions", "ion", "ings", "ing", "ies", "ied", "ed", "es", "s")


@functools.lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light suffix strip so 'exhausted', 'exhaustion' and 'exhausts' meet."""
    if "_" in word or len(word) <= 4 or not word.isalpha():
        return word
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            base = word[: -len(suffix)]
            return base + "y" if suffix in ("ies", "ied") else base
    return word


def tokens(text: str) -> list[str]:
    """Lower-case stems of meaningful words; CamelCase names also give their parts."""
    out: list[str] = []
    for raw in _TOKEN.findall(text):
        parts = _CAMEL.split(raw) if any(c.isupper() for c in raw[1:]) else []
        words = [raw, *parts] if len(parts) > 1 else [raw]
        for word in words:
            low = word.lower()
            if low in STOPWORDS or (len(low) < 2 and not low.isdigit()):
                continue
            out.append(stem(low))
    return out


def analyzer(text: str) -> list[str]:
    """Unigrams and adjacent bigrams of `tokens`, for scikit-learn's vectorizers."""
    words = tokens(text)
    return words + [f"{a} {b}" for a, b in itertools.pairwise(words)]


def _said(incident: Incident, *parts: str) -> str:
    return " ".join(s.text for s in said_once(incident.part, parts))


@functools.lru_cache(maxsize=1)
def _places() -> re.Pattern[str]:
    data = resources.files("learnloop.analyze").joinpath("data", "places.yml").read_text("utf-8")
    found = yaml.safe_load(data) or {}
    patterns = [str(p) for group in found.values() for p in group or []]
    return re.compile("|".join(f"(?:{p})" for p in patterns) or "(?!)", re.IGNORECASE)


def without_places(text: str, incident: Incident) -> str:
    """The text without what names where or under which ticket it happened: regions,
    tracking ids, links, and the incident's own services. Patterns group by why."""
    text = _places().sub(" ", text)
    names = _service_words(tuple(incident.services))
    return names.sub(" ", text) if names is not None else text


@functools.lru_cache(maxsize=4096)
def _service_words(services: tuple[str, ...]) -> re.Pattern[str] | None:
    """The words of a set of service names as one pattern (compiled once per set: a pattern
    per word overflowed the regex cache on a large corpus)."""
    found = {w for s in services for w in re.split(r"[^a-z0-9]+", s.lower()) if len(w) > 2}
    if not found:
        return None
    words = "|".join(re.escape(w) for w in sorted(found, key=lambda w: (-len(w), w)))
    return re.compile(rf"\b(?:{words})\b", re.IGNORECASE)


def fields(incident: Incident) -> dict[str, str]:
    """The texts that describe the failure, by field, as the reader found them.

    Why it failed (root cause, trigger, contributing factors, whys) is one field, what it
    looked like another; names of places and tickets are taken out of all of them. An
    incident never read (no parts) falls back to its sections.
    """
    read = bool(incident.parts)
    symptoms = (
        _said(incident, "symptoms", "impact", "summary", "detection")
        if read
        else " ".join(filter(None, (incident.section("summary"), incident.impact.summary)))
    )
    fix = _said(incident, "mitigation", "resolution") if read else incident.section("resolution")
    followup = " ".join(
        filter(
            None,
            (
                _said(incident, "lessons", "follow_ups") if read else incident.section("lessons"),
                " ".join(item.title for item in incident.action_items) if not read else "",
            ),
        )
    )
    raw = {
        "title": incident.title,
        "cause": _cause(incident),
        "symptoms": symptoms,
        "timeline": " ".join(event.text for event in incident.timeline),
        "fix": fix,
        # What the team decided to change says which part of the system failed.
        "followup": followup,
        "modes": " ".join(
            f"failuremode{m.id.replace('-', '')} failurefamily{m.family.replace('-', '')}"
            for m in incident.failure_modes[:2]
        ),
    }
    return {name: without_places(text, incident) for name, text in raw.items()}


def cause_text(incident: Incident) -> str:
    """Why it failed, as `fields` gives it, without working out the other fields: what
    patterns are named from, for up to fifty members of every pattern on each run."""
    return without_places(_cause(incident), incident)


def _cause(incident: Incident) -> str:
    if incident.parts:
        return _said(incident, "root_cause", "trigger", "contributing_factors", "whys")
    return " ".join(
        filter(
            None,
            (
                incident.root_cause.summary,
                incident.section("root_cause"),
                " ".join(incident.contributing_factors),
                " ".join(incident.whys),
            ),
        )
    )


def facets(incident: Incident) -> list[str]:
    """Categorical facts as tokens: services, trigger, root-cause category, tags. (The
    failure modes are words of the document already: counted once, as why.)"""
    out = [f"service={s}" for s in incident.services]
    if incident.trigger:
        out.append(f"trigger={incident.trigger}")
    if incident.root_cause.category:
        out.append(f"category={incident.root_cause.category.lower()}")
    out.extend(f"tag={t.lower()}" for t in incident.tags)
    return out


def alerts(texts: Iterable[str]) -> list[str]:
    """Alert names mentioned in text: CamelCase words that read like alert rules."""
    found: set[str] = set()
    for text in texts:
        found.update(re.findall(r"`?\b([A-Z][a-z0-9]+(?:[A-Z][A-Za-z0-9]+){2,})\b`?", text))
    return sorted(found)


def incident_alerts(incident: Incident) -> list[str]:
    """Alert names an incident mentions: its detection source and its timeline, and those its
    front matter lists (`alerts`, as an alert import attaches them)."""
    texts = [incident.detection.source or "", *(e.text for e in incident.timeline)]
    return sorted({*alerts(texts), *incident.alerts})
