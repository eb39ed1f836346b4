"""Helpers for the import tests: run the command, read what it wrote."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from learnloop.cli import cli
from learnloop.model import Incident
from learnloop.read import load_corpus

DATA = Path(__file__).resolve().parent / "data" / "import"


def run_import(root: Path, *args: str | Path) -> tuple[Result, dict[str, Any]]:
    """`learnloop --root ROOT import --json ARGS…`: the result and its parsed JSON."""
    result = CliRunner().invoke(
        cli, ["--root", str(root), "import", "--json", *map(str, args)], catch_exceptions=False
    )
    assert "Traceback" not in result.output
    return result, json.loads(result.stdout)


def invoke(root: Path, *args: str | Path) -> Result:
    """Any learnloop command on the repo at root."""
    return CliRunner().invoke(cli, ["--root", str(root), *map(str, args)], catch_exceptions=False)


def incidents(root: Path) -> dict[str, Incident]:
    """The repo's incidents by id, failing the test on any load error."""
    corpus = load_corpus(root)
    errors = [p.format() for p in corpus.problems if p.level == "error"]
    assert not errors, errors
    return {i.id: i for i in corpus.incidents}


def front(text: str) -> str:
    """The front matter block of a file's text."""
    return text.split("\n---\n", 1)[0]


def body(text: str) -> str:
    """Everything after the front matter."""
    return text.split("\n---\n", 1)[1]


def reasons(out: dict[str, Any]) -> dict[str, str]:
    """Skipped sources (file names) -> reasons."""
    return {re.split(r"[/\\]", s["source"])[-1]: s["reason"] for s in out["skipped"]}


def imports_the_billing_report(root: Path, src: Path, report: str, name: str) -> None:
    """The billing report of a markup test, written as `name` and as other.txt (told apart
    from Markdown by its markup alone), imports with its metadata, parts and steps."""
    src.mkdir()
    (src / name).write_text(report)
    (src / "other.txt").write_text(
        report.replace("Billing", "Invoice").replace("2024-05-02", "2024-05-03")
    )
    result, out = run_import(root, src)
    assert result.exit_code == 0, out
    found = incidents(root)
    billing = found[name.rsplit(".", 1)[0]]
    assert (billing.title, billing.severity) == ("Billing queue backlog", "P2")
    assert billing.services == ("billing-worker", "billing-db")
    # The day from the document's date, the time from the first entry of the timeline.
    assert billing.started_at == datetime(2024, 5, 2, 9, 10, tzinfo=UTC)
    assert [s.text for s in billing.part("mitigation")] == ["Rolled back billing-worker to 4.1."]
    assert [s.text for s in billing.part("follow_ups")][:2] == [
        "Load test batch size changes — Ana",
        "Alert on rebalance rate — Raj",
    ]
    assert found["other"].title == "Invoice queue backlog"
