"""Incident text renders as GitHub shows it: lists after a line of text, code spans that wrap."""

from __future__ import annotations

import time

import markdown
import pytest

from learnloop.write import escape


def to_html(text: str) -> str:
    return markdown.markdown(text, extensions=["tables"])


def test_a_list_right_after_a_line_of_text_is_a_list() -> None:
    source = "## Timeline\nAll times UTC.\n- 08:24 — Alert fires.\n- 08:30 — Rolled back.\n"
    html = to_html(escape.block(source))
    assert "<p>All times UTC.</p>" in html
    assert "<li>08:24 — Alert fires.</li>" in html
    assert "<li>08:30 — Rolled back.</li>" in html


@pytest.mark.parametrize("marker", ["-", "*", "+", "1."])
def test_every_list_that_may_interrupt_a_paragraph_does(marker: str) -> None:
    html = to_html(escape.block(f"**Steps**\n{marker} first\n{marker} second\n"))
    assert html.count("<li>") == 2, html


def test_lists_that_github_keeps_in_the_paragraph_stay_there() -> None:
    # An ordered list starting elsewhere than 1, and an empty item, do not interrupt text.
    assert "<li>" not in to_html(escape.block("We waited\n2. minutes\n"))
    assert "<li>" not in to_html(escape.block("We waited\n-\n"))


def test_a_list_keeps_its_lazy_lines_and_stays_tight() -> None:
    source = "- first\ncontinued\n- second\n"
    assert escape.block(source) == source


def test_a_code_span_wrapped_over_two_lines_is_code() -> None:
    html = to_html(escape.block("Run `kubectl rollout\nrestart deploy/x` to recover.\n"))
    assert "<code>kubectl rollout restart deploy/x</code>" in html
    assert "`" not in html


def test_a_code_span_does_not_run_into_the_next_paragraph_or_item() -> None:
    for source in ("An `open\n\nclosed` here\n", "- an `open\n- item` here\n"):
        html = to_html(escape.block(source))
        assert "<code>" not in html, html
        assert html.count("`") == 2, html


def test_many_unmatched_backticks_cost_one_pass() -> None:
    source = ("word ` and `` more\n" * 20_000) + "\n"
    started = time.perf_counter()
    escape.block(source)
    assert time.perf_counter() - started < 5
