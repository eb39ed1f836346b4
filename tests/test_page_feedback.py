"""Was it helpful? The prefilled issue links under runbooks and articles, the export of those
issues read back, and `learnloop stale` judging a page stale when readers said it was wrong.

The links are checked field by field after parsing them as a browser would; the export is read
in both shapes GitHub gives it (`gh issue list --json` and the REST API); a "wrong" issue made
from the very link a page shows turns a fresh runbook stale.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from learnloop.cli import cli
from learnloop.load import feedback as export
from learnloop.publish import feedback
from learnloop.publish.generated import rated_links
from tests.conftest import incident_text

REPO_URL = "https://github.com/acme/incidents"
PAGE = "runbooks/db-pool.md"
DIGEST = "sha256:" + "ab" * 32
TODAY = "2025-05-02"


def fields(url: str) -> tuple[str, dict[str, list[str]]]:
    """scheme://host/path and the query's fields, decoded as a browser decodes them."""
    parts = urlsplit(url)
    assert not parts.fragment
    return f"{parts.scheme}://{parts.netloc}{parts.path}", parse_qs(
        parts.query, keep_blank_values=True, strict_parsing=True
    )


@pytest.mark.parametrize(
    ("rating", "title", "label", "said", "question"),
    [
        ("helpful", "Helpful: DB pool", "helpful", "Rating: helpful", "What helped most?"),
        (
            "needs-fix",
            "Needs fix: DB pool",
            "needs-fix",
            "Rating: needs fix",
            "What was wrong or missing?",
        ),
    ],
)
def test_the_issue_url_prefills_every_field(
    rating: str, title: str, label: str, said: str, question: str
) -> None:
    url = feedback.issue_url(REPO_URL, PAGE, "DB pool", DIGEST, rating)
    assert url is not None
    base, query = fields(url)
    assert base == f"{REPO_URL}/issues/new"
    assert set(query) == {"title", "body", "labels"}
    assert query["title"] == [title]
    assert query["labels"] == [f"learnloop-feedback,{label}"]
    (body,) = query["body"]
    lines = body.split("\n")
    assert lines[:3] == [f"Page: `{PAGE}`", f"Source digest: `{DIGEST}`", said]
    assert "**What were you doing?**" in lines
    assert f"**{question}**" in lines
    assert "**Incident id, if any:**" in lines
    assert lines[-2] == f"<!-- learnloop-feedback page={PAGE} digest={DIGEST} rating={rating} -->"


@pytest.mark.parametrize(
    "given_url",
    ["https://github.com/acme/incidents/", "https://github.com/acme/incidents.git", REPO_URL],
)
def test_the_repository_address_is_normalised(given_url: str) -> None:
    url = feedback.issue_url(given_url, PAGE, "DB pool", DIGEST, "helpful")
    assert url is not None
    assert fields(url)[0] == f"{REPO_URL}/issues/new"


@pytest.mark.parametrize(
    "bad",
    [None, "", "javascript:alert(1)", "ftp://example.com/x", "github.com/acme/x", "https://"],
)
def test_no_link_without_an_http_repository(bad: object) -> None:
    assert feedback.issue_url(bad, PAGE, "DB pool", DIGEST, "helpful") is None
    assert feedback.links_html(bad, PAGE, "DB pool", DIGEST) == ""


def test_a_long_title_is_shortened_and_the_url_stays_short() -> None:
    url = feedback.issue_url(REPO_URL, PAGE, "word " * 3000, DIGEST, "needs-fix")
    assert url is not None
    assert len(url) <= feedback.MAX_URL
    (title,) = fields(url)[1]["title"]
    assert title.startswith("Needs fix: word word")
    assert title.endswith("…")
    assert len(title) <= len("Needs fix: ") + feedback.TITLE_CHARS


@given(st.text(max_size=feedback.TITLE_CHARS))
def test_any_title_survives_the_round_trip(title: str) -> None:
    url = feedback.issue_url(REPO_URL, PAGE, title, DIGEST, "helpful")
    assert url is not None
    _, query = fields(url)
    assert query["title"][0] == "Helpful: " + (" ".join(title.split()) or PAGE)
    assert f"Page: `{PAGE}`" in query["body"][0]


def test_the_links_are_html_with_escaped_addresses() -> None:
    html = feedback.links_html(REPO_URL, PAGE, 'DB "pool" <x>', DIGEST)
    assert html.count("<a ") == 2
    assert ">This helped</a>" in html
    assert ">This was wrong or missing something</a>" in html
    assert "<x>" not in html
    assert '"pool"' not in html
    assert "&amp;body=" in html  # query separators escaped inside the attribute


def front(kind: str = "runbook") -> dict[str, object]:
    return {
        "generated_by": "learnloop",
        "kind": kind,
        "title": "DB pool",
        "source_digest": DIGEST,
        "review": {"status": "draft"},
    }


def test_runbooks_and_articles_are_rated_indexes_and_reports_are_not() -> None:
    assert "This helped" in rated_links(PAGE, front(), REPO_URL)
    assert "This helped" in rated_links("kb/patterns/db-pool.md", front("article"), REPO_URL)
    assert rated_links("kb/index.md", front("article"), REPO_URL) == ""
    assert rated_links("runbooks/index.md", front(), REPO_URL) == ""
    assert rated_links("kb/reports/2025.md", front("report"), REPO_URL) == ""
    assert rated_links("adr/0001-x.md", front("adr"), REPO_URL) == ""
    assert rated_links(PAGE, front(), None) == ""


def issue_from(url: str, number: int, state: str, *, rest: bool = False) -> dict[str, object]:
    """The issue GitHub files from a prefilled link, as an export lists it."""
    _, query = fields(url)
    labels = [{"name": name} for name in query["labels"][0].split(",")]
    when = {"created_at" if rest else "createdAt": "2025-04-01T09:00:00Z"}
    return {
        "number": number,
        "title": query["title"][0],
        "body": query["body"][0],
        "labels": labels,
        "state": state.lower() if rest else state,
        **when,
    }


@pytest.mark.parametrize("rest", [False, True], ids=["gh", "rest-api"])
def test_an_issue_filed_from_a_link_reads_back_as_its_page_and_rating(rest: bool) -> None:
    url = feedback.issue_url(REPO_URL, PAGE, "DB pool", DIGEST, "needs-fix")
    assert url is not None
    raw = json.dumps([issue_from(url, 7, "OPEN", rest=rest)]).encode()
    read = export.parse_export(raw, "feedback/issues.json")
    assert read.problems == ()
    (issue,) = read.issues
    assert (issue.number, issue.page, issue.rating, issue.open, issue.digest) == (
        7,
        PAGE,
        "needs-fix",
        True,
        DIGEST,
    )


def test_an_issue_with_only_labels_still_counts() -> None:
    item = {
        "number": 3,
        "title": "Runbook step 3 is out of date",
        "body": f"Page: `{PAGE}`\n\nThe command moved.",
        "labels": [{"name": "learnloop-feedback"}, {"name": "needs-fix"}],
        "state": "open",
        "created_at": "2025-04-01T09:00:00Z",
    }
    (issue,) = export.parse_export(json.dumps([item]).encode(), "x.json").issues
    assert (issue.page, issue.rating, issue.open) == (PAGE, "needs-fix", True)


@given(st.binary(max_size=400))
def test_reading_any_bytes_never_raises(raw: bytes) -> None:
    read = export.parse_export(raw, "x.json")
    assert all(p.path == "x.json" for p in read.problems)


def runbook() -> str:
    """A runbook as `generate` writes it, signed off on 2025-03-01 with its current digest."""
    return (
        "---\ngenerated_by: learnloop\nkind: runbook\npattern: db-pool\ntitle: DB pool\n"
        f"sources: [INC-1, INC-2]\nsource_digest: {DIGEST}\nupdated: 2025-02-10\n"
        f"review: {{status: reviewed, by: ana, at: 2025-03-01, digest: '{DIGEST}'}}\n"
        "---\n# DB pool\n"
    )


@pytest.fixture
def rated_repo(make_repo: Callable[..., Path]) -> Path:
    root = make_repo(
        {
            f"INC-{n}.md": incident_text(
                id=f"INC-{n}",
                started_at=f"2025-0{n}-10T10:00:00Z",
                resolved_at=f"2025-0{n}-10T11:00:00Z",
            )
            for n in (1, 2)
        }
    )
    (root / "runbooks").mkdir()
    (root / PAGE).write_text(runbook(), encoding="utf-8")
    return root


def stale(root: Path, *args: str) -> tuple[int, dict[str, object], str]:
    result = CliRunner().invoke(
        cli,
        ["--root", str(root), "stale", "--json", "--today", TODAY, *args],
        catch_exceptions=False,
    )
    return result.exit_code, json.loads(result.stdout), result.stderr


def write_export(root: Path, issues: list[dict[str, object]]) -> Path:
    path = root / "feedback" / "issues.json"
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(issues, indent=2), encoding="utf-8")
    return path


def link(rating: str) -> str:
    url = feedback.issue_url(REPO_URL, PAGE, "DB pool", DIGEST, rating)
    assert url is not None
    return url


@pytest.mark.parametrize("how", ["setting", "option"])
def test_a_wrong_feedback_issue_makes_stale_report_the_runbook(rated_repo: Path, how: str) -> None:
    code, before, _ = stale(rated_repo)
    assert (code, before["documents"]) == (0, [])  # reviewed, unchanged: fresh
    path = write_export(
        rated_repo,
        [issue_from(link("helpful"), 4, "OPEN"), issue_from(link("needs-fix"), 9, "OPEN")],
    )
    if how == "setting":
        (rated_repo / "learnloop.yml").write_text("feedback:\n  issues: feedback/issues.json\n")
        code, found, _ = stale(rated_repo)
    else:
        code, found, _ = stale(rated_repo, "--issues", str(path))
    assert code == 0
    (doc,) = found["documents"]
    assert (doc["path"], doc["state"]) == (PAGE, "stale")
    assert doc["reasons"] == [
        "readers reported it wrong or missing something since the review on 2025-03-01: "
        "open issue #9"
    ]
    assert found["feedback"] == [{"path": PAGE, "helpful": 1, "needs_fix": 1}]


def test_helpful_or_closed_feedback_leaves_the_runbook_fresh(rated_repo: Path) -> None:
    path = write_export(
        rated_repo,
        [issue_from(link("helpful"), 4, "OPEN"), issue_from(link("needs-fix"), 9, "CLOSED")],
    )
    code, found, _ = stale(rated_repo, "--issues", str(path))
    assert (code, found["documents"]) == (0, [])
    assert found["feedback"] == [{"path": PAGE, "helpful": 1, "needs_fix": 1}]


def test_a_broken_export_is_reported_with_its_line(rated_repo: Path) -> None:
    path = rated_repo / "issues.json"
    path.write_text('[\n  {"number": 1,\n  "state": }\n]\n', encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["--root", str(rated_repo), "stale", "--issues", str(path)], catch_exceptions=False
    )
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{path}:3: error: invalid JSON")
    assert "Traceback" not in result.output


def test_readers_ratings_join_the_technical_reports_runbook_figures(rated_repo: Path) -> None:
    write_export(
        rated_repo,
        [issue_from(link("helpful"), 4, "OPEN"), issue_from(link("needs-fix"), 9, "OPEN")],
    )
    (rated_repo / "learnloop.yml").write_text("feedback:\n  issues: feedback/issues.json\n")
    runner = CliRunner()
    base = ["--root", str(rated_repo), "report", "technical", "--today", TODAY]
    data = json.loads(runner.invoke(cli, [*base, "--format", "json"]).stdout)
    assert data["feedback"]["runbooks"]["readers"] == {
        "export": "feedback/issues.json",
        "rows": [{"runbook": PAGE, "helpful": 1, "needs_fix": 1, "open_needs_fix": [9]}],
    }
    text = runner.invoke(cli, base, catch_exceptions=False).stdout
    assert "| runbooks/db-pool.md | 1 | 1 | #9 |" in text
    (rated_repo / "learnloop.yml").unlink()
    without = json.loads(runner.invoke(cli, [*base, "--format", "json"]).stdout)
    assert "readers" not in without["feedback"]["runbooks"]
    assert "Readers' ratings" not in runner.invoke(cli, base, catch_exceptions=False).stdout
