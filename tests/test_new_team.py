"""A new team's first days: `init`, a few post-mortems from `new`, `generate`, `build`. Every
page reads as English and shows no table without rows."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pytest
from click.testing import CliRunner

from learnloop.cli import cli
from learnloop.commands import init

pytestmark = pytest.mark.slow

COMMIT = "0123456789abcdef0123456789abcdef01234567"
# "1 incidents", "1 recurring patterns"; verbs after a number ("1 is") are fine.
PLURAL_AFTER_ONE = re.compile(r"(?<![\d,.])\b1 (?!is\b|was\b|has\b|does\b)[a-z][a-z-]*s\b")


def run(root: Path, *args: str):
    result = CliRunner().invoke(cli, ["--root", str(root), *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def write_one(root: Path, title: str, service: str, started: str, body: str) -> Path:
    path = root / run(root, "new", title, "--service", service, "--started", started).stdout.strip()
    text = path.read_text()
    path.write_text(text.split("\n---\n", 1)[0] + "\n---\n" + body)
    return path


POOL = """
## Summary
Checkout failed for 20 minutes: {service} exhausted its database connection pool.

## Timeline
All times UTC.
- 10:00 — Errors begin; `FATAL: sorry, too many clients already` in the logs.
- 10:05 — Alert CheckoutDbPoolSaturated fires.
- 10:20 — Pool size lowered; resolved.

## Action items
- [x] AI-1: Alert on pool saturation
- [ ] AI-2: Put a pooler in front of the database
"""


@pytest.fixture(scope="module")
def team(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("team") / "repo"
    init.init(root, install=f"git+https://github.com/acme/learnloop@{COMMIT}")
    write_one(root, "Checkout pool exhausted", "checkout-api", "2025-11-02T10:00",
              POOL.format(service="checkout-api"))  # fmt: skip
    write_one(root, "Orders pool exhausted", "orders-api", "2025-11-10T10:00",
              POOL.format(service="orders-api"))  # fmt: skip
    run(root, "build")
    return root


def pages(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root / "site").as_posix(): p.read_text()
        for p in sorted((root / "site").rglob("index.html"))
    }


def test_no_table_is_only_a_header(team: Path):
    for rel, html in pages(team).items():
        for table in re.findall(r"<table>(.*?)</table>", html, re.DOTALL):
            assert table.count("<tr>") > 1, (rel, re.sub(r"<[^>]+>", " ", table)[:200])
    for path in (team / "runbooks").glob("*.md"):
        lines = path.read_text().splitlines()
        for n, line in enumerate(lines):
            if re.fullmatch(r"\|(-+\|)+", line):
                assert n + 1 < len(lines), path
                assert lines[n + 1].startswith("|"), path


def test_one_of_a_kind_is_singular(team: Path):
    found = {}
    for rel, html in pages(team).items():
        cells = re.sub(r"</t[dh]>", " | ", html.split("<article", 1)[-1])  # not one sentence
        text = unescape(re.sub(r"<[^>]+>", " ", cells))
        hits = PLURAL_AFTER_ONE.findall(" ".join(text.split()))
        if hits:
            found[rel] = hits
    assert found == {}
    patterns = run(team, "patterns").stdout
    assert "1 recurring pattern covers 2 of 2 incidents; none is a one-off." in patterns


def test_ticked_action_items_are_boxes_not_brackets(team: Path):
    [page] = [h for r, h in pages(team).items() if "checkout-pool-exhausted" in r]
    article = page.split("<article", 1)[1]
    assert "[x]" not in article
    assert "[ ]" not in article
    assert article.count('type="checkbox"') == 2
    assert "checked" in article.split("Alert on pool saturation")[0].rsplit("<li", 1)[1]


def test_the_timeline_is_a_list(team: Path):
    [page] = [h for r, h in pages(team).items() if "checkout-pool-exhausted" in r]
    timeline = page.split('id="timeline"', 1)[1].split("<h2", 1)[0]
    assert "<p>All times UTC.</p>" in timeline
    assert timeline.count("<li>") == 3
