"""Helpers for the import tests: run the command, read what it wrote."""

from __future__ import annotations

import json
import re
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
