"""Semantic checks over a loaded corpus; every problem reported, none fatal."""

from __future__ import annotations

import contextlib
import difflib
import json
from collections import Counter
from dataclasses import replace
from pathlib import Path

from learnloop import privacy
from learnloop.load import ATTACHMENT, texts
from learnloop.model import Corpus, Incident, Problem
from learnloop.read import blameless
from learnloop.settings import Settings

FORMATS = ("text", "json", "github")
# Problem codes that come from the privacy scan (the finding's kind), not from the schema.
PRIVACY_CODES = frozenset(
    {
        "aws-access-key",
        "aws-secret-key",
        "github-token",
        "gitlab-token",
        "private-key",
        "password-in-url",
        "slack-token",
        "slack-webhook",
        "stripe-key",
        "google-api-key",
        "jwt",
        "generic-secret-assignment",
        "email",
        "phone",
        "card-number",
        "ipv4",
        "ipv6",
    }
)


PERSONAL_CODES = frozenset({"email", "phone", "card-number", "ipv4", "ipv6"})
ALLOW_HINT = (
    "add a regular expression matching it to `privacy.allow` in learnloop.yml, "
    "e.g. privacy: {allow: ['10\\.0\\.12\\.7']}"
)
PERSONAL_HINT = f"remove or mask it; if it is safe to publish, {ALLOW_HINT}"
SECRET_HINT = (
    "remove it from the file and its history, and revoke it; if it is not a secret, " + ALLOW_HINT
)
PUBLIC = "a public build (`learnloop build --public`) refuses it"


def for_public(problems: list[Problem]) -> list[Problem]:
    """The problems as a public build sees them: secrets and personal data are errors.

    `learnloop check --public` reports exactly what would stop `build --public`, so a pull
    request that passes its check never fails to publish.
    """
    out = []
    for problem in problems:
        if problem.code in PRIVACY_CODES and problem.level != "error":
            problem = replace(problem, level="error", message=f"{problem.message}; {PUBLIC}")
        out.append(problem)
    return sorted(out)


def public_refusal(problems: list[Problem]) -> str | None:
    """Why a public build refuses these problems (as `for_public` sees them), or None."""
    found = [p for p in problems if p.level == "error"]
    if not found:
        return None
    private = sum(p.code in PRIVACY_CODES for p in found)
    return (
        f"a public build needs a clean check: {len(found) - private} error(s), "
        f"{private} secret(s) or personal data found; no site was built"
        + (" (allow a known-safe value with `privacy.allow` in learnloop.yml)" if private else "")
    )


def check(corpus: Corpus, settings: Settings, root: Path | None = None) -> list[Problem]:
    """Load problems plus what only the whole corpus or the content can tell, sorted.

    `root` is where texts the corpus does not hold are read from (see `load.texts`).
    """
    problems = list(corpus.problems)
    for path, text in texts(corpus, root):
        for finding in privacy.scan(text, allow=settings.privacy_allow):
            problems.append(
                Problem(
                    path,
                    finding.line,
                    finding.level,
                    finding.message,
                    PERSONAL_HINT if finding.kind in PERSONAL_CODES else SECRET_HINT,
                    code=finding.kind,
                )
            )
    words = blameless.vocabulary(settings.blameless)
    if words is not None:
        for incident in corpus.incidents:
            problems.extend(blameless.scan(incident, words))
    known = {i.id for i in corpus.incidents}
    catalog = settings.services
    runbooks = known_runbooks(root) if root is not None else None
    for incident in corpus.incidents:
        if runbooks is not None and incident.runbook_used:
            problem = unknown_runbook(incident.runbook_used, runbooks)
            if problem:
                message, hint = problem
                problems.append(
                    _warning(incident, "runbook_used", message, "unknown-runbook", hint)
                )
        for index, ref in enumerate(incident.related):
            if ref not in known:
                message = f"related: no incident has id {ref!r}"
                problems.append(_warning(incident, f"related.{index}", message, "unknown-related"))
        if catalog:
            for index, service in enumerate(incident.services):
                if service not in catalog:
                    message = (
                        f"services: {service!r} is not in the service catalog "
                        "(learnloop.yml services)"
                    )
                    key = f"services.{index}"
                    problems.append(_warning(incident, key, message, "unknown-service"))
    return sorted(set(problems))


def _warning(
    incident: Incident, key: str, message: str, code: str, hint: str | None = None
) -> Problem:
    """A warning about one front-matter key of an incident, at that key's line."""
    return Problem(incident.path, incident.line_of(key), "warning", message, hint, code=code)


# Index pages `generate` writes among the runbooks; no incident follows one of them.
RUNBOOK_INDEXES = frozenset({"index", "alerts", "services", "symptoms"})


def known_runbooks(root: Path) -> set[str]:
    """The runbooks an incident may name: files in runbooks/ and patterns in patterns.yml
    (a pattern's runbook is written by the next `generate`)."""
    from learnloop.errors import LearnloopError
    from learnloop.state import read_state

    folder = root / "runbooks"
    names = {p.stem for p in folder.glob("*.md")} - RUNBOOK_INDEXES if folder.is_dir() else set()
    with contextlib.suppress(LearnloopError):  # a broken patterns.yml: `generate` says so
        names |= {p.id for p in read_state(root).patterns}
    return names


def unknown_runbook(name: str, known: set[str]) -> tuple[str, str] | None:
    """(message, hint) when `runbook_used` names no runbook; None when it names one."""
    stem = name.strip().removeprefix("./").removeprefix("runbooks/").removesuffix(".md")
    if stem in known:
        return None
    close = difflib.get_close_matches(stem, sorted(known), n=3, cutoff=0.6)
    hint = (
        f"did you mean {', '.join(repr(c) for c in close)}? "
        if close
        else ("the runbooks are: " + ", ".join(sorted(known)) + ". " if known else "")
    )
    return (
        f"runbook_used: no runbook is named {name!r}",
        hint + "Name the runbook you followed (a file in runbooks/, without .md); "
        "remove the key, or write `runbook_used: none`, when no runbook was used",
    )


def alerts_without_runbook(
    corpus: Corpus, alert_index: str | None, root: Path | None = None
) -> list[Problem]:
    """Alerts named in incidents that runbooks/alerts.md maps to no runbook (one warning each).

    The index is what `generate` wrote; an alert rule's `runbook_url` should point into it.
    """
    from learnloop.analyze.text import incident_alerts

    covered: set[str] = set()
    current = None
    for line in (alert_index or "").splitlines():
        if line.startswith("## "):
            current = line[3:].strip()
        elif current and line.startswith("- [") and "](" in line:
            covered.add(current)
    by_path = dict(texts(corpus, root))
    found: dict[str, Problem] = {}
    for incident in sorted(corpus.incidents, key=lambda i: (i.path, i.id)):
        for name in incident_alerts(incident):
            if name in covered or name in found:
                continue
            lines = by_path.get(incident.path, "").splitlines()
            at = next((n for n, text in enumerate(lines, 1) if name in text), 0)
            found[name] = Problem(
                incident.path,
                at,
                "warning",
                f"alert {name} has no runbook yet",
                "it recurs in no pattern so far; write its runbook by hand or wait for a "
                "second incident",
                code="alert-without-runbook",
            )
    return sorted(found.values())


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"


def summary(corpus: Corpus, problems: list[Problem]) -> str:
    """One line: how many files were checked and what was found."""
    counts = Counter(p.level for p in problems)
    text = (
        f"checked {_plural(corpus.files, 'file')}: "
        f"{_plural(len(corpus.incidents), 'incident')} loaded, "
        f"{_plural(counts['error'], 'error')}, {_plural(counts['warning'], 'warning')}"
    )
    if corpus.skipped:
        text += f", {len(corpus.skipped)} skipped"
    return text


def skipped_lines(corpus: Corpus) -> list[str]:
    """`path: skipped: why` for each file not read; attachments counted on one line."""
    attachments = [path for path, why in corpus.skipped if why == ATTACHMENT]
    lines = [f"{path}: skipped: {why}" for path, why in corpus.skipped if why != ATTACHMENT]
    if attachments:
        lines.append(
            f"{_plural(len(attachments), 'attachment')} (images, PDFs, logs) beside the "
            "incidents: published with the pages that link to them, not read as incidents"
        )
    return lines


def render(corpus: Corpus, problems: list[Problem], fmt: str) -> str:
    """The problems in one of FORMATS, ending with a newline."""
    if fmt == "json":
        counts = Counter(p.level for p in problems)
        payload = {
            "files": corpus.files,
            "incidents": len(corpus.incidents),
            "errors": counts["error"],
            "warnings": counts["warning"],
            "problems": [p.as_json() for p in problems],
            "skipped": [{"path": path, "reason": why} for path, why in corpus.skipped],
        }
        return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"
    if fmt == "github":
        lines = [_annotation(p) for p in problems]
        lines.extend(
            f"::notice file={_escape(path, prop=True)},title=learnloop skipped::{_escape(why)}"
            for path, why in corpus.skipped
            if why != ATTACHMENT
        )
        lines.append(summary(corpus, problems))
        return "\n".join(lines) + "\n"
    return (
        "\n".join(
            [*(p.format() for p in problems), *skipped_lines(corpus), summary(corpus, problems)]
        )
        + "\n"
    )


def _escape(text: str, *, prop: bool = False) -> str:
    """Newlines and % escaped as the workflow runner requires (and : , in properties)."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if prop else text


def _annotation(problem: Problem) -> str:
    """A GitHub Actions workflow command."""
    escape = _escape
    message = problem.message + (f"\nHint: {problem.hint}" if problem.hint else "")
    props = f"file={escape(problem.path, prop=True)}"
    if problem.line:
        props += f",line={problem.line}"
    props += f",title={escape('learnloop ' + problem.code, prop=True)}"
    return f"::{problem.level} {props}::{escape(message)}"
