"""A post-mortem written in reStructuredText, imported as Markdown and read."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from learnloop.importers import rst
from tests.importing import imports_the_billing_report

REPORT = """\
=======================
Billing queue backlog
=======================

:Date: 2024-05-02
:Severity: SEV-2
:Services: billing-worker, billing-db

.. Template: docs/postmortem-template.rst

Summary
=======

For 2 hours, invoices were not sent after a deploy raised the batch size.
See `the runbook <https://runbooks.example.com/billing>`_ and :doc:`the design <design>`.

Timeline
========

* 09:10 Deploy of billing-worker 4.2 raises ``BATCH_SIZE`` from 100 to 5000.
* 09:14 Consumer lag alert fires; on-call paged.

  * 09:16 acknowledged

* 10:52 Rolled back billing-worker to 4.1.

Root cause
==========

Processing one batch took longer than ``max.poll.interval.ms``: a *rebalance storm*.
The consumer group showed::

    GROUP    TOPIC     LAG
    billing  invoices  48210

.. code-block:: bash
   :caption: what was run

   kafka-consumer-groups --describe --group billing

.. note::

   The ``*`` in ``BATCH_SIZE=*`` is no emphasis.

Impact
------

Customers affected
    About 1,200 accounts got their invoices late.

Follow-ups
==========

+------------------------------+-------+
| Action                       | Owner |
+==============================+=======+
| Load test batch size changes | Ana   |
+------------------------------+-------+
| Alert on rebalance rate      | Raj   |
+------------------------------+-------+

=====  ===============================
When   What
=====  ===============================
11:00  Status page updated
11:30  Customers told by e-mail,
       with the new invoice dates
=====  ===============================
"""


def test_markup_becomes_markdown():
    body, title, fields = rst.to_markdown(REPORT)
    assert title == "Billing queue backlog"
    assert fields == {
        "date": "2024-05-02",
        "severity": "SEV-2",
        "services": "billing-worker, billing-db",
    }
    assert body.startswith("# Summary\n\nFor 2 hours")  # no comment, no field list
    assert "[the runbook](https://runbooks.example.com/billing) and the design." in body
    assert "- 09:10 Deploy of billing-worker 4.2 raises `BATCH_SIZE` from 100 to 5000.\n" in body
    assert "  - 09:16 acknowledged" in body
    assert "`max.poll.interval.ms`: a *rebalance storm*." in body
    assert "The consumer group showed:\n```\nGROUP    TOPIC     LAG\n" in body
    assert "```bash\nkafka-consumer-groups --describe --group billing\n```" in body
    assert "The `*` in `BATCH_SIZE=*` is no emphasis." in body
    # A second style is a level below the first.
    assert "## Impact\n\n**Customers affected**: About 1,200 accounts" in body
    assert "| Action | Owner |\n| --- | --- |\n| Load test batch size changes | Ana |\n" in body
    assert "| Alert on rebalance rate | Raj |" in body
    assert "| 11:30 | Customers told by e-mail, with the new invoice dates |" in body


def test_a_rst_post_mortem_imports_with_its_fields(make_repo, tmp_path):
    imports_the_billing_report(
        make_repo({}), tmp_path / "docs", REPORT, "2024-05-02-queue-backlog.rst"
    )


def test_markdown_is_not_taken_for_rst():
    # Markdown's own underlined headings, with nothing only reStructuredText writes.
    assert not rst.looks_like_rst("Summary\n=======\n\ntext\n\nTimeline\n--------\n\n- a\n")
    assert not rst.looks_like_rst("# Summary\n\n``x``\n\nTimeline\n========\n")
    assert rst.looks_like_rst("Summary\n=======\n\n``x``\n\nTimeline\n========\n")


@given(st.text(alphabet=st.sampled_from(list("=-~*.|+:`<>_#() \nabc1")), max_size=300))
def test_any_text_converts_without_error(text):
    body, _, _ = rst.to_markdown(text)
    assert isinstance(body, str)
