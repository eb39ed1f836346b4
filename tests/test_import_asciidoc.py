"""A post-mortem written in AsciiDoc, imported as Markdown and read."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from learnloop.importers import asciidoc
from tests.importing import imports_the_billing_report

REPORT = """\
= Billing queue backlog
Ana Lopez <ana@example.com>
:revdate: 2024-05-02
:severity: SEV-2
:services: billing-worker, billing-db

// Template: docs/postmortem-template.adoc

== Summary

For 2 hours, invoices were not sent after a deploy raised the batch size.

== Timeline

* 09:10 Deploy of billing-worker 4.2 raises `BATCH_SIZE` from 100 to 5000.
* 09:14 Consumer lag alert fires; on-call paged.
** 09:16 acknowledged
* 10:52 Rolled back billing-worker to 4.1.

== Root cause

Processing one batch took longer than `max.poll.interval.ms`: a *rebalance storm*.
See https://kafka.apache.org/documentation[the consumer docs].

[source,bash]
----
kafka-consumer-groups --describe --group billing
* not a list item
----

=== Follow-ups

[cols="3,1"]
|===
|Action |Owner

|Load test batch size changes
|Ana

|Alert on rebalance rate
|Raj
|===
"""


def test_markup_becomes_markdown():
    body, title, attributes = asciidoc.to_markdown(REPORT)
    assert title == "Billing queue backlog"
    assert attributes == {
        "revdate": "2024-05-02",
        "severity": "SEV-2",
        "services": "billing-worker, billing-db",
    }
    assert body.startswith("# Summary\n\nFor 2 hours")  # no author line, no comment
    assert "- 09:14 Consumer lag alert fires; on-call paged.\n  - 09:16 acknowledged\n" in body
    assert "a **rebalance storm**." in body
    assert "[the consumer docs](https://kafka.apache.org/documentation)" in body
    assert (
        "```bash\nkafka-consumer-groups --describe --group billing\n* not a list item\n```" in body
    )
    assert "## Follow-ups\n\n| Action | Owner |\n| --- | --- |\n" in body
    assert "| Load test batch size changes | Ana |\n| Alert on rebalance rate | Raj |" in body


def test_an_asciidoc_post_mortem_imports_with_its_attributes(make_repo, tmp_path):
    imports_the_billing_report(
        make_repo({}), tmp_path / "docs", REPORT, "2024-05-02-queue-backlog.adoc"
    )


def test_markdown_and_mediawiki_are_not_taken_for_asciidoc():
    assert not asciidoc.looks_like_asciidoc("# Title\n\n== a\n\n== b\n")
    assert not asciidoc.looks_like_asciidoc("== Summary ==\n\n== Timeline ==\n")
    assert asciidoc.looks_like_asciidoc("== Summary\ntext\n\n== Timeline\n")


@given(st.text(alphabet=st.sampled_from(list("=*.|-:[]/+_` \nabc")), max_size=300))
def test_any_text_converts_without_error(text):
    body, _, _ = asciidoc.to_markdown(text)
    assert isinstance(body, str)
