"""`learnloop stale`: a runbook is stale on evidence from later incidents, not only on digests.

A runbook is stale when its sources changed since the digest a reviewer signed off, or when
incidents of its pattern since the review rated it unhelpful (`runbook_used` naming it with
`runbook_helpful: false`) or, most of them, did not use it (the first two incidents, from
which it was written, never count); it is due when its review date (a review period after the
sign-off, `review_period_days` in learnloop.yml) has passed; else it is fresh and not listed.
Each case is a small repo: incidents and a runbook as `generate` writes one.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from learnloop.cli import cli
from tests.conftest import incident_text

PATTERN = "db-pool"
DIGEST = "sha256:0123abcd"
REVIEWED = "2025-03-01"
# Judged the day after the last incident below, well inside the review period.
TODAY = "2025-05-02"


def incident(ident: str, started: str, **keys: object) -> str:
    return incident_text(
        id=ident,
        started_at=f"{started}T10:00:00Z",
        resolved_at=f"{started}T11:00:00Z",
        **keys,
    )


def runbook(
    sources: list[str],
    *,
    reviewed: str | None = REVIEWED,
    digest: str = DIGEST,
    kind: str = "runbook",
    updated: str = "2025-05-01",
) -> str:
    """A runbook's front matter as `generate` writes it; signed off with `digest` when
    `reviewed` is a date, a draft otherwise."""
    review = (
        f"{{status: reviewed, by: ana, at: {reviewed}, digest: '{digest}'}}"
        if reviewed
        else "{status: draft, by: null, at: null, digest: null}"
    )
    return (
        f"---\ngenerated_by: learnloop\nkind: {kind}\npattern: {PATTERN}\ntitle: DB pool\n"
        f"sources: [{', '.join(sources)}]\nsource_digest: {DIGEST}\nupdated: {updated}\n"
        f"review: {review}\n---\n# DB pool\n"
    )


Assess = Callable[..., dict[str, dict[str, object]]]


@pytest.fixture
def assess(make_repo: Callable[..., Path]) -> Assess:
    """Write the incidents and the runbook, run `stale --json`, return documents by path."""

    def run(
        incidents: dict[str, str],
        document: str,
        *,
        today: str = TODAY,
        settings: str | None = None,
        path: str = f"runbooks/{PATTERN}.md",
    ) -> dict[str, dict[str, object]]:
        root = make_repo({f"{name}.md": text for name, text in incidents.items()})
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(document, encoding="utf-8")
        if settings is not None:
            (root / "learnloop.yml").write_text(settings, encoding="utf-8")
        result = CliRunner().invoke(
            cli,
            ["--root", str(root), "stale", "--json", "--today", today],
            catch_exceptions=False,
        )
        assert result.exit_code == 0, result.output
        return {d["path"]: d for d in json.loads(result.output)["documents"]}

    return run


# The runbook was written from the first two; the review was on 2025-03-01.
BEFORE = {
    "INC-1": incident("INC-1", "2025-01-10"),
    "INC-2": incident("INC-2", "2025-02-10"),
}
BOOK = f"runbooks/{PATTERN}.md"


def used(ident: str, started: str, helpful: str | None = "true", name: str = PATTERN) -> str:
    keys: dict[str, object] = {"runbook_used": name}
    if helpful is not None:
        keys["runbook_helpful"] = helpful
    return incident(ident, started, **keys)


def test_reviewed_current_and_used_helpfully_is_fresh(assess: Assess):
    later = {"INC-3": used("INC-3", "2025-04-01"), "INC-4": used("INC-4", "2025-05-01")}
    found = assess({**BEFORE, **later}, runbook(["INC-1", "INC-2", "INC-3", "INC-4"]))
    assert found == {}


def test_rated_unhelpful_since_the_review_makes_it_stale(assess: Assess):
    later = {
        "INC-3": used("INC-3", "2025-04-01"),
        "INC-4": used("INC-4", "2025-05-01", helpful="false"),
    }
    found = assess({**BEFORE, **later}, runbook(["INC-1", "INC-2", "INC-3", "INC-4"]))
    assert found[BOOK]["state"] == "stale"
    assert found[BOOK]["reasons"] == ["rated unhelpful in INC-4"]


def test_a_rating_the_reviewer_already_saw_does_not_count(assess: Assess):
    """Unhelpful before the sign-off: the reviewer read the runbook with it in mind."""
    rated = {**BEFORE, "INC-2": used("INC-2", "2025-02-10", helpful="false")}
    later = {"INC-3": used("INC-3", "2025-04-01")}
    assert assess({**rated, **later}, runbook(["INC-1", "INC-2", "INC-3"])) == {}


def test_unhelpful_counts_only_for_the_runbook_it_names(assess: Assess):
    other = {"INC-3": used("INC-3", "2025-04-01", helpful="false", name="other-runbook")}
    also = {"INC-4": used("INC-4", "2025-04-15"), "INC-5": used("INC-5", "2025-05-01")}
    found = assess({**BEFORE, **other, **also}, runbook([*BEFORE, "INC-3", "INC-4", "INC-5"]))
    assert found == {}  # INC-3 used another runbook: 1 of 3 unused is no majority


def test_a_runbook_named_by_its_file_counts_as_used(assess: Assess):
    """`check` accepts `runbook_used: db-pool.md`; so does the evidence."""
    later = {
        "INC-3": used("INC-3", "2025-04-01", helpful="false", name=f"{PATTERN}.md"),
        "INC-4": used("INC-4", "2025-05-01", name=f"{PATTERN}.md"),
    }
    found = assess({**BEFORE, **later}, runbook(["INC-1", "INC-2", "INC-3", "INC-4"]))
    assert found[BOOK]["reasons"] == ["rated unhelpful in INC-3"]


def test_unused_by_most_later_incidents_makes_it_stale(assess: Assess):
    later = {
        "INC-3": incident("INC-3", "2025-04-01"),
        "INC-4": incident("INC-4", "2025-04-15", runbook_used="none"),
        "INC-5": used("INC-5", "2025-05-01"),
    }
    found = assess({**BEFORE, **later}, runbook([*BEFORE, *later]))
    assert found[BOOK]["state"] == "stale"
    assert found[BOOK]["reasons"] == ["not used in 2 of 3 later incidents"]


def test_unused_by_half_or_fewer_stays_fresh(assess: Assess):
    later = {"INC-3": incident("INC-3", "2025-04-01"), "INC-4": used("INC-4", "2025-05-01")}
    assert assess({**BEFORE, **later}, runbook([*BEFORE, *later])) == {}


def test_the_incidents_it_was_written_from_never_count_as_unused(assess: Assess):
    """Never reviewed, so every incident is 'since the review'; the first two predate the
    runbook and did not use it, and that is no evidence against it."""
    later = {"INC-3": used("INC-3", "2025-04-01")}
    found = assess({**BEFORE, **later}, runbook([*BEFORE, *later], reviewed=None))
    assert found[BOOK]["state"] == "stale"
    assert found[BOOK]["reasons"] == ["never reviewed"]


def test_evidence_outranks_a_passed_review_date(assess: Assess):
    """Due (the review is older than the period) and rated unhelpful since: stale."""
    later = {"INC-3": used("INC-3", "2025-04-01", helpful="false")}
    found = assess({**BEFORE, **later}, runbook([*BEFORE, *later]), today="2025-06-15")
    assert found[BOOK]["state"] == "stale"
    assert found[BOOK]["reasons"] == ["review was due 2025-05-30", "rated unhelpful in INC-3"]


def test_due_after_the_configured_review_period(assess: Assess):
    later = {"INC-3": used("INC-3", "2025-04-01")}
    files = {**BEFORE, **later}
    book = runbook([*BEFORE, *later])
    # The default period is 90 days: 2025-03-01 + 90 = 2025-05-30.
    assert assess(files, book, today="2025-05-30") == {}
    found = assess(files, book, today="2025-05-31")
    assert found[BOOK]["state"] == "due"
    assert found[BOOK]["reasons"] == ["review was due 2025-05-30"]


def test_a_shorter_review_period_in_learnloop_yml_makes_it_due_sooner(assess: Assess):
    later = {"INC-3": used("INC-3", "2025-04-01")}
    found = assess(
        {**BEFORE, **later}, runbook([*BEFORE, *later]), settings="review_period_days: 30\n"
    )
    assert found[BOOK]["state"] == "due"
    assert found[BOOK]["reasons"] == ["review was due 2025-03-31"]


def test_changed_sources_name_the_incidents_since_the_review(assess: Assess):
    later = {"INC-3": used("INC-3", "2025-04-01", helpful="false")}
    found = assess({**BEFORE, **later}, runbook([*BEFORE, *later], digest="sha256:old"))
    assert found[BOOK]["state"] == "stale"
    assert found[BOOK]["reasons"] == [
        "its sources changed since the last review",
        f"incidents since the review on {REVIEWED}: INC-3",
        "rated unhelpful in INC-3",
    ]


def test_evidence_is_about_runbooks_only(assess: Assess):
    """An article of the same pattern is not followed during an incident: no ratings."""
    later = {
        "INC-3": used("INC-3", "2025-04-01", helpful="false"),
        "INC-4": incident("INC-4", "2025-05-01"),
    }
    path = f"kb/patterns/{PATTERN}.md"
    document = runbook([*BEFORE, *later], kind="article")
    assert assess({**BEFORE, **later}, document, path=path) == {}


def test_the_text_report_says_why(make_repo: Callable[..., Path]):
    later = {"INC-3": used("INC-3", "2025-04-01", helpful="false")}
    root = make_repo({f"{k}.md": v for k, v in {**BEFORE, **later}.items()})
    (root / "runbooks").mkdir()
    (root / BOOK).write_text(runbook([*BEFORE, *later]), encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["--root", str(root), "stale", "--today", TODAY], catch_exceptions=False
    )
    assert result.output == (
        f"stale  {BOOK}: rated unhelpful in INC-3\n1 stale, 0 due for review\n"
    )
