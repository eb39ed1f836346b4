"""The reader: the parts of a post-mortem however it is written, its moments and failure modes."""

from __future__ import annotations

import json
import re
import textwrap
from datetime import UTC, date, datetime, timedelta, timezone
from itertools import pairwise
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import example, given, settings
from hypothesis import strategies as st

from learnloop.cli import cli
from learnloop.model import Incident
from learnloop.read import incident_from_bytes, lexicon, read_incident, says, timeline, times
from learnloop.read.markdown import blocks
from learnloop.read.says import looked
from tests.conftest import incident_text

FRONT = "---\nid: R-1\ntitle: {title}\nstarted_at: {start}\nseverity: P2\nservices: [api]\n---\n"


def read_text(body: str, *, start: str = "2025-03-14T09:00:00Z", title: str = "T") -> Incident:
    text = FRONT.format(title=title, start=start) + textwrap.dedent(body)
    incident, problems = incident_from_bytes(text.encode(), "incidents/a.md", UTC)
    assert incident is not None, problems
    return incident


def texts(incident: Incident, part: str) -> list[str]:
    return [s.text for s in incident.part(part)]


def line_of(incident: Incident, part: str, words: str) -> int:
    return next(s.line for s in incident.part(part) if words in s.text)


def moments_of(incident: Incident) -> dict[str, str]:
    """Each moment the reader found, at its clock time (HH:MM)."""
    return {m.name: m.at.strftime("%H:%M") for m in incident.milestones}


def parse_timeline(lines: list[str], start: datetime | None, first_line: int):
    """The events of timeline lines, as the reader reads a timeline section."""
    zone = start.tzinfo if start and start.tzinfo else UTC
    return timeline.events(blocks("\n".join(lines), first_line), start, zone, None)


# --- Parts, however they are marked ----------------------------------------------------------


def test_headings_under_any_common_name_numbered_or_with_emoji():
    incident = read_text(
        """
        # Checkout outage

        ## 1. What happened
        Checkout returned errors.

        ## 🔥 Root Cause Analysis
        The pool was exhausted by a slow query.

        ### Detail
        An index was missing.

        Mitigation and Resolution
        -------------------------
        We restarted the pool.

        ## Appendix
        Nothing here.
        """
    )
    assert texts(incident, "summary") == ["Checkout returned errors."]
    assert texts(incident, "root_cause")[:2] == [
        "The pool was exhausted by a slow query.",
        "An index was missing.",
    ]
    assert "We restarted the pool." in texts(incident, "resolution")
    assert line_of(incident, "root_cause", "slow query") == 15
    assert not any("Nothing here" in s.text for _, ss in incident.parts for s in ss)


def test_markdown_escapes_as_google_docs_writes_them_are_their_characters():
    incident = read_incident(
        read_text(
            "## Timeline\n\n- 09:02 \\- Login error rate alert fired\n"
            "- 09:20 \\- Rolled back auth 3\\.1 \\(run `kubectl rollout undo \\-n auth`\\)\n"
            "- 09:25 \\- Error rate back to normal\n\n\\# not a heading\n"
        )
    )[0]
    assert texts(incident, "mitigation") == [
        "Rolled back auth 3.1 (run `kubectl rollout undo \\-n auth`)"  # code kept as written
    ]
    assert [b.kind for b in blocks("\\# not a heading\n\n1\\. not a list\n")] == [
        "paragraph",
        "paragraph",
    ]


def test_a_table_without_its_outer_pipes_is_a_table():
    text = (
        "a | b is a choice\n\nTime | Event\n---|---\n14:02 | x | y\n\nc | d\n\n"
        "A | B\n---|---\n1 | 2\nnext\ne | f\n"
    )
    assert [(b.kind, b.header, b.cells or b.text) for b in blocks(text)] == [
        ("paragraph", False, "a | b is a choice"),
        ("row", True, ("Time", "Event")),
        ("row", False, ("14:02", "x", "y")),
        ("paragraph", False, "c | d"),  # a blank line ends the table
        ("row", True, ("A", "B")),
        ("row", False, ("1", "2")),
        ("paragraph", False, "next e | f"),  # so does a line of no cells
    ]
    incident = read_incident(
        read_text(
            "## Timeline\n\nTime | Event\n---|---\n09:02 | Queue stops draining; alert fires\n"
            "09:25 | Restarted the scheduler pods\n09:31 | Queue draining again\n"
        )
    )[0]
    assert texts(incident, "mitigation") == ["Restarted the scheduler pods"]
    assert moments_of(incident)["mitigated_at"] == "09:31"


def test_an_underscore_inside_a_word_of_a_heading_is_the_words():
    assert [b.text for b in blocks("## root_cause\n\n## DB_POOL _exhausted_\n")] == [
        "root_cause",
        "DB_POOL exhausted",
    ]
    incident = read_incident(read_text("## root_cause\n\nThe pool was exhausted.\n"))[0]
    assert texts(incident, "root_cause") == ["The pool was exhausted."]


def test_bold_pseudo_headings_and_bold_bullet_fields():
    incident = read_text(
        """
        **Root cause**
        A certificate expired on the edge.

        - **Resolution**: renewed the certificate by hand.
        - **Impact:** all API calls failed for 40 minutes.
        """
    )
    assert texts(incident, "root_cause") == ["A certificate expired on the edge."]
    assert "renewed the certificate by hand." in texts(incident, "resolution")
    assert texts(incident, "impact") == ["all API calls failed for 40 minutes."]


def test_vendor_rca_paragraphs_with_inline_labels():
    incident = read_text(
        """
        Summary of impact: Between 09:00 and 11:30 UTC a subset of customers in West Europe saw
        errors connecting to the portal.

        Root cause: A configuration push to the front door set a routing rule to an empty
        backend pool.

        Mitigation: We rolled back the configuration at 11:10 UTC and traffic recovered.

        Next steps: We apologize for the impact.
        - Add validation of routing rules before a push.
        """
    )
    assert texts(incident, "impact")[0].startswith("Between 09:00 and 11:30 UTC")
    assert texts(incident, "root_cause")[0].startswith("A configuration push to the front door")
    assert line_of(incident, "root_cause", "configuration push") == 12
    assert texts(incident, "mitigation")[0].startswith("We rolled back the configuration")
    assert "Add validation of routing rules before a push." in texts(incident, "follow_ups")
    assert {m.id for m in incident.failure_modes} & {"config-change"}


def test_a_status_feeds_labels_run_on_with_no_space_after_the_stop():
    # Paragraph markup taken away, as a provider's status feed is scraped: "region.Preliminary".
    incident = read_text(
        "Summary of impact: Between 17:46 and 23:10 UTC on 17 Mar 2020, customers may have "
        "seen data gaps and incorrect alert activations in this region. More at "
        "<https://aka.ms/x> .Preliminary root cause: Engineers determined that a backend "
        "service became unhealthy, preventing requests from completing.Mitigation: Engineers "
        "restarted the backend service.Other notes: A dependency upgrade was open but not merged."
        "Next steps: Engineers will continue to investigate.\n",
        start="2020-03-17T17:46:00Z",
    )
    assert texts(incident, "impact")[0].startswith("Between 17:46 and 23:10 UTC")
    # The impact's words ("incorrect alert activations") are no fault that caused it.
    assert texts(incident, "root_cause") == [
        "Engineers determined that a backend service became unhealthy, preventing requests "
        "from completing."
    ]
    assert texts(incident, "mitigation") == ["Engineers restarted the backend service."]
    assert moments_of(incident)["mitigated_at"] == "23:10"
    # A stop before a capital that opens no label splits nothing ("ASP.NET", "v2.Beta").
    kept = read_text(
        "Summary of impact: The ASP.NET site and v2.Beta were slow. Search was down.\n"
    )
    assert texts(kept, "impact") == ["The ASP.NET site and v2.Beta were slow. Search was down."]
    # A status feed opens an incident with its impact so named.
    opened = read_text(
        "Impact statement: Starting at 09:20 UTC some customers saw packet loss to virtual "
        "machines.Preliminary root cause: A network device in one zone failed.\n"
    )
    assert texts(opened, "impact") == [
        "Starting at 09:20 UTC some customers saw packet loss to virtual machines."
    ]
    assert texts(opened, "root_cause") == ["A network device in one zone failed."]


def test_labels_run_together_in_one_paragraph_each_tell_their_sentences_apart():
    incident = read_text(
        "SUMMARY OF IMPACT: Between 21:41 and 23:40 UTC customers in UK South saw connection "
        "failures. WORKAROUND: Customers who deployed to several regions could fail out of UK "
        "South. ROOT CAUSE AND MITIGATION: The root cause was a bug in the load balancer's "
        "data plane. The issue was mitigated by failing over to another load balancer "
        "instance. NEXT STEPS: We sincerely apologize. In this case, we will: 1. Roll out a fix "
        "to the bug. 2. Improve test coverage for version 2.1 configurations.\n",
        start="2017-07-20T21:41:00Z",
    )
    assert texts(incident, "root_cause") == [
        "The root cause was a bug in the load balancer's data plane."
    ]
    # What customers could do for themselves is advice, no step of the response.
    assert texts(incident, "mitigation") == [
        "The issue was mitigated by failing over to another load balancer instance."
    ]
    # The numbered list run into the paragraph: one plan an item.
    assert texts(incident, "follow_ups") == [
        "Roll out a fix to the bug.",
        "Improve test coverage for version 2.1 configurations.",
    ]
    # A list of steps run in so: each item a step, or a look where it is one; the lead-in none.
    steps = read_text(
        "Mitigation: We took these steps: 1. Engineers reviewed the dashboards and saw the pool "
        "saturated. 2. Engineers raised the pool limit to 200.\n"
    )
    assert texts(steps, "mitigation") == ["Engineers raised the pool limit to 200."]
    assert texts(steps, "diagnosis") == [
        "Engineers reviewed the dashboards and saw the pool saturated."
    ]
    # One number is no list.
    single = read_text("## Next steps\n\nWe will add one alert: 1. Latency above 2 s.\n")
    assert texts(single, "follow_ups") == ["We will add one alert: 1. Latency above 2 s."]


def test_the_fixes_a_resolution_lists_are_each_an_action_and_their_lead_in_none():
    # The lead-in ends on "by:" and each way it was done goes on its sentence.
    by = read_text(
        "## Resolution and recovery\n\nThis issue was addressed in 1.8.0 by:\n\n"
        "Reinstating the verification code for the cost limit.\n\n"
        "Fixing the cost calculation when the byte cost wraps around.\n\n"
        "During the incident the mempool held items above the limit.\n"
    )
    assert texts(by, "mitigation") == [
        "Reinstating the verification code for the cost limit.",
        "Fixing the cost calculation when the byte cost wraps around.",
    ]
    # A list after fixes named as such: each is one of them.
    listed = read_text(
        "## Resolution\n\nVersion 2.5 shipped several fixes, the most important being:\n\n"
        "- Blocks are now always validated before transactions.\n"
        "- Spends that only fast-forward are rejected.\n"
    )
    assert texts(listed, "mitigation") == [
        "Blocks are now always validated before transactions.",
        "Spends that only fast-forward are rejected.",
    ]
    # The list on the very next line of a sentence that names the fixes, with no colon: the
    # sentence says its own, and each entry is a fix. A blank line between parts them.
    attached = read_text(
        "## Resolution\n\nVersion 2.5.2 included fixes that invalidated the stuck items.\n"
        "* 1. Spends that only fast-forward are rejected.\n"
        "* 2. Ingested spends are validated against the latest singleton.\n"
    )
    assert texts(attached, "mitigation") == [
        "Version 2.5.2 included fixes that invalidated the stuck items.",
        "1. Spends that only fast-forward are rejected.",
        "2. Ingested spends are validated against the latest singleton.",
    ]
    parted = read_text(
        "## Resolution\n\nVersion 2.5.2 included fixes that invalidated the stuck items.\n\n"
        "- Spends that only fast-forward were left in the mempool.\n"
    )
    assert texts(parted, "mitigation") == [
        "Version 2.5.2 included fixes that invalidated the stuck items."
    ]
    # A plan's lead-in opens plans, and a paragraph that does not go on "by:" is its own.
    planned = read_text(
        "## Resolution\n\nWe will ship these changes:\n\n- Cap the block creation time.\n"
    )
    assert texts(planned, "mitigation") == []
    apart = read_text(
        "## Resolution\n\nThe release included these changes:\n\n"
        "Monitoring showed the limit held.\n"
    )
    assert texts(apart, "mitigation") == []
    # Under a label, the lead-in's earlier sentence says its own, and short entries are the
    # fixes, not what an action was done to.
    labelled = read_text(
        "## Summary\n\nResolution: Version 2 was released, which solved the issue. It "
        "included fixes, the most important being:\n\n- Blocks validated first\n"
        "- Locks removed from the hot path\n"
    )
    assert texts(labelled, "mitigation") == [
        "Version 2 was released, which solved the issue.",
        "Blocks validated first",
        "Locks removed from the hot path",
    ]
    # Anywhere in the story, a list after how it was resolved is what resolved it.
    summary = read_text(
        "## Summary\n\nStudents saw stuck pages. This was resolved by:\n\n"
        "1. Giving core pods more resource guarantees\n"
        "2. Removing memory overcommit for students\n\n"
        "The outage came from:\n\n- Raising the overcommit ratio last week\n"
    )
    assert texts(summary, "mitigation") == [
        "Giving core pods more resource guarantees",
        "Removing memory overcommit for students",
    ]


def test_a_fix_introduced_and_a_bug_said_fixed_are_actions():
    incident = read_text(
        "## Resolution\n\nA fix was introduced to the codebase in pull request 17247.\n\n"
        "The bug in the timelord code was fixed and shipped in the 2.2.0 release.\n\n"
        "The bug will be fixed in the next release.\n"
    )
    assert texts(incident, "mitigation") == [
        "A fix was introduced to the codebase in pull request 17247.",
        "The bug in the timelord code was fixed and shipped in the 2.2.0 release.",
    ]


def test_improvements_by_when_they_land_are_the_plans_under_a_remediation():
    incident = read_text(
        "## Remediation\n\n### Immediate Actions (Completed)\n\n- Rolled back the release.\n\n"
        "### Short-term Improvements ([Tracked here](https://example.com/1))\n\n"
        "- Implement controls to disable staged rollouts.\n\n"
        "### Long-term Improvements (Q4 2025 - Q1 2026)\n\n- Split the service.\n"
    )
    assert texts(incident, "mitigation") == ["Rolled back the release."]
    assert texts(incident, "follow_ups") == [
        "Implement controls to disable staged rollouts.",
        "Split the service.",
    ]


def test_lines_after_a_colon_each_opening_as_a_sentence_are_a_list():
    # Plain text writes a list with no marks: each line after the lead-in is an item, and
    # the sentences before the lead-in say theirs.
    incident = read_text(
        "## Resolution and recovery\n\n"
        "Version 1.2.11 was released, which solved most of the issues. This included many "
        "fixes, the most important being:\n"
        "Blocks are now always validated before transactions\n"
        "Some locks that made the node wait were removed\n"
    )
    assert texts(incident, "mitigation") == [
        "Version 1.2.11 was released, which solved most of the issues.",
        "Blocks are now always validated before transactions",
        "Some locks that made the node wait were removed",
    ]
    assert [(s.line, s.end) for s in incident.part("mitigation")][1:] == [
        (line_of(incident, "mitigation", "Blocks"),) * 2,
        (line_of(incident, "mitigation", "Blocks") + 1,) * 2,
    ]
    # Quoted from a chat or an e-mail, the same list.
    quoted = read_text(
        "## Resolution\n\n> This issue was addressed in 1.6.1 by:\n"
        "> Validating the proof before running the program\n"
        "> Introducing limits on the stack depth\n"
    )
    assert texts(quoted, "mitigation") == [
        "Validating the proof before running the program",
        "Introducing limits on the stack depth",
    ]
    # One line after a colon is the rest of the sentence as often as an item.
    once = read_text("## Summary\n\nThe error was:\nConnection refused by upstream\n")
    assert texts(once, "summary") == ["The error was: Connection refused by upstream"]


@pytest.mark.parametrize(
    ("sentence", "acted"),
    [
        # What the system went through, in an action's words: no one acted.
        ("Pods were OOM-killed every 20 hours and the checkout returned 5xx.", False),
        ("During restarts the checkout returned 5xx and latency spiked.", False),
        ("The health check failed and GroupExporter pod restarts followed.", False),
        ("The pods were auto-restarted by the kubelet.", False),
        ("We are experiencing a small increase in exception rate.", False),
        ("We increased the connection pool size to 40.", True),
        # A name joined by a hyphen is still the thing done; a responder's verb is a step.
        ("The 1.1.4-hotfix branch was created with a change to reject the blocks.", True),
        ("The on-call restarts the pods.", True),
    ],
)
def test_an_action_word_the_system_went_through_is_no_step(sentence: str, acted: bool):
    incident = read_text(f"## Summary\n\n{sentence}\n")
    assert (texts(incident, "mitigation") == [sentence]) is acted


def test_something_introduced_is_a_change_what_set_it_off_before_the_notice_and_done_after():
    incident = read_text(
        "## Timeline\n\n- 09:00 A caching layer was introduced to the order service\n"
        "- 09:20 The latency alert fired\n"
        "- 11:00 A better eviction policy was introduced to the codebase\n"
    )
    assert texts(incident, "trigger") == ["A caching layer was introduced to the order service"]
    assert texts(incident, "mitigation") == [
        "A better eviction policy was introduced to the codebase"
    ]


def test_a_change_told_with_what_came_of_it_is_what_was_done():
    incident = read_text(
        "## Timeline\n\n- 10:00 DNS alert fired\n"
        "- 10:40 CoreDNS upgraded and issue permanently fixed\n"
        "- 10:50 Errors recovered after the upgrade\n"
    )
    assert texts(incident, "mitigation") == ["CoreDNS upgraded and issue permanently fixed"]


@given(
    st.lists(
        st.text(alphabet=st.sampled_from("Ab1 :.-x"), min_size=1, max_size=12).filter(
            lambda line: line[:1].isalpha()  # no list mark: the lines make one paragraph
        ),
        min_size=1,
        max_size=6,
    )
)
@settings(max_examples=300, deadline=None)
def test_lines_made_a_list_keep_every_line_once_and_in_order(lines: list[str]):
    from learnloop.read.record import _listed_lines_apart

    (paragraph,) = blocks("\n".join(lines), first_line=5)
    out = list(_listed_lines_apart([paragraph]))
    assert out[0].line == paragraph.line
    assert out[-1].end == paragraph.end
    spans = [(b.line, b.end) for b in out]
    assert all(a_end + 1 == b_line for (_, a_end), (b_line, _) in pairwise(spans))
    assert " ".join(b.text for b in out).split() == paragraph.text.split()
    assert all(b.kind == "item" for b in out[1:])


def test_a_quoted_word_is_a_word_between_an_actions_words():
    incident = read_text(
        "## Timeline\n\n- 09:00 Alert fired\n"
        '- 09:10 First engineer makes the "medium" profile available to the users\n'
    )
    assert texts(incident, "mitigation") == [
        'First engineer makes the "medium" profile available to the users'
    ]


def test_an_approach_agreed_is_no_step_until_it_is_carried_out():
    incident = read_text(
        "## Timeline\n\n- 09:00 Alert fired\n"
        "- 09:10 Tech lead confirms approach is to re-deploy prod, and encourages the engineer\n"
        "- 09:20 Primary engineer re-deploys prod with the updated NFS server address\n"
    )
    assert texts(incident, "mitigation") == [
        "Primary engineer re-deploys prod with the updated NFS server address"
    ]


def test_a_release_told_by_what_it_fixed_is_an_action():
    incident = read_text(
        "## Resolution\n\nOn November 4, 1.2.11 was released, which solved most of the "
        "issues.\n\nVersion 2.5.1 contains a workaround that caps the block creation time.\n"
    )
    assert texts(incident, "mitigation") == [
        "On November 4, 1.2.11 was released, which solved most of the issues.",
        "Version 2.5.1 contains a workaround that caps the block creation time.",
    ]


def test_a_recovery_told_by_what_it_held_is_an_action():
    incident = read_text(
        "## Resolution and recovery\n\nThe link came from a compromised account. Recovery "
        "included a reset of passwords and a reset of the laptop.\n"
    )
    assert texts(incident, "mitigation") == [
        "Recovery included a reset of passwords and a reset of the laptop."
    ]


@given(st.text(alphabet=st.sampled_from("12345. :!?abAB\n"), max_size=60))
@settings(max_examples=300, deadline=None)
def test_a_list_run_into_a_text_gives_items_in_order_within_it(text: str):
    from learnloop.read.record import _enumerated

    spans = _enumerated(text)
    assert len(spans) != 1
    ends = [0]
    for begin, end in spans:
        assert ends[-1] <= begin <= end <= len(text)
        ends.append(end)


def test_what_customers_could_no_longer_do_is_the_outcome_of_a_step():
    incident = read_text(
        """
        ## Mitigation
        We blocked the attacker's addresses at the edge. Users could no longer install it.
        """
    )
    assert texts(incident, "mitigation") == [
        "We blocked the attacker's addresses at the edge. Users could no longer install it."
    ]
    advised = read_text(
        """
        ## Mitigation
        We failed over to the replica. Customers can retry any failed uploads.
        """
    )
    assert texts(advised, "mitigation") == ["We failed over to the replica."]
    # Hardware swapped out is a step, the fault in what was swapped no cause.
    swapped = read_text(
        """
        ## Mitigation
        Engineers replaced the faulty line card. Traffic recovered within minutes.
        """
    )
    assert texts(swapped, "mitigation") == [
        "Engineers replaced the faulty line card. Traffic recovered within minutes."
    ]
    assert not swapped.part("root_cause")


def test_a_reviews_questions_run_on_into_their_answers_still_name_its_parts():
    incident = read_text(
        "What happened? Between 08:05 and 18:30 UTC customers saw API failures when activating "
        "roles. What went wrong and why? A configuration change shortened the token cache's "
        "lifetime to zero, so the backing store was throttled. How did we respond? Automated "
        "alerts notified engineers at 08:20 UTC. We rolled the change back at 10:40 UTC. How "
        "are we making incidents like this less likely or less impactful? We are adding "
        "validation to configuration changes. How can customers make incidents like this less "
        "impactful? Retry failed activations with backoff.\n",
        start="2025-12-22T08:05:00Z",
    )
    assert texts(incident, "root_cause") == [
        "A configuration change shortened the token cache's lifetime to zero, so the backing "
        "store was throttled."
    ]
    assert texts(incident, "detection") == ["Automated alerts notified engineers at 08:20 UTC."]
    assert texts(incident, "mitigation") == ["We rolled the change back at 10:40 UTC."]
    assert texts(incident, "follow_ups") == ["We are adding validation to configuration changes."]
    everything = " ".join(s.text for _, told in incident.parts for s in told)
    assert "backoff" not in everything  # advice to customers: no part of the story
    # A question that names no part opens none.
    asked = read_text("## Summary\n\nWhy did the cache empty? Nobody knows yet.\n")
    assert not asked.part("whys")
    assert texts(asked, "summary") == ["Why did the cache empty? Nobody knows yet."]


def test_a_plain_text_e_mail_heads_its_parts_with_lines_of_their_own():
    incident = read_incident(
        read_text(
            """\
            Hi all,

            Here is the write-up for Tuesday's login outage.

            What happened
            Between 08:12 and 09:47 CET, 30% of logins in the EU failed with HTTP 502.

            Why it happened
            The identity service's mesh certificate expired at 08:12: its renewal job had
            been failing for three weeks.

            How we noticed
            Our synthetic login check went red at 08:15 and paged Marta.

            What we did
            Marta looked at the ingress logs and saw "x509: certificate has expired" on every
            failed request. At 08:52 she renewed the certificate with `certbot renew`.

            What we will change
            - Alert when a certificate is within 14 days of expiry

            Thanks,
            Marta
            """,
            start="2024-03-03T08:12:00+01:00",
        )
    )[0]
    assert texts(incident, "root_cause")[0].startswith("The identity service's mesh certificate")
    assert texts(incident, "detection") == [
        "Our synthetic login check went red at 08:15 and paged Marta."
    ]
    assert texts(incident, "diagnosis") == [
        'Marta looked at the ingress logs and saw "x509: certificate has expired" on every '
        "failed request."
    ]
    assert texts(incident, "mitigation") == [
        "At 08:52 she renewed the certificate with `certbot renew`."
    ]
    # The sign-off is no follow-up; a line that is no part's name stays a sentence.
    assert texts(incident, "follow_ups") == ["Alert when a certificate is within 14 days of expiry"]
    assert moments_of(incident)["detected_at"] == "08:15"


def test_html_boxes_around_the_text_are_no_words_of_it():
    incident = read_incident(
        read_text(
            """\
            <aside>
            ⚠️ Customers were charged twice for 1,212 orders.
            </aside>

            <details><summary>Root cause</summary>

            The Redis eviction policy changed in a provider upgrade.

            </details>

            ```html
            <div>
            ```
            """
        )
    )[0]
    assert texts(incident, "root_cause") == [
        "The Redis eviction policy changed in a provider upgrade."
    ]
    assert "<aside>" not in " ".join(s.text for part in ("impact", "summary")
                                     for s in incident.part(part))  # fmt: skip
    assert [b.text for b in blocks("```html\n<div>\n```\n<div>\n") if b.text] == ["<div>"]


def test_a_review_that_asks_its_parts_as_questions():
    # A vendor's post-incident review: bold questions for labels, with or without a colon;
    # its feedback survey and advice to customers tell none of the story.
    incident = read_text(
        """
        **What happened?** Between 14:28 and 16:12 UTC customers saw failed uploads.

        **What went wrong and why?:** A firewall rule change blocked traffic between zones.

        **How did we respond?** We became aware of this when error rates rose. Engineers moved
        traffic away from the affected zone. The remaining zones carried the load. Mitigation
        was complete by 16:12 UTC.

        **How are we making incidents like this less likely or less impactful?** We apologize
        for the impact. To prevent a recurrence we are:

        - Drain a zone automatically when cross-zone errors rise

        **How can customers make incidents like this less impactful?** Deploy to two regions.

        **Provide feedback:** Please take our survey.
        """
    )
    assert texts(incident, "summary")[0].startswith("Between 14:28 and 16:12 UTC")
    cause = "A firewall rule change blocked traffic between zones."
    assert texts(incident, "root_cause")[0] == cause
    assert texts(incident, "detection") == ["We became aware of this when error rates rose."]
    assert texts(incident, "mitigation") == [
        "Engineers moved traffic away from the affected zone. The remaining zones carried the "
        "load. Mitigation was complete by 16:12 UTC."
    ]
    # The sentence that opens the list is not a follow-up; the survey and the advice are none.
    planned = ["Drain a zone automatically when cross-zone errors rise"]
    assert texts(incident, "follow_ups") == planned
    told = " ".join(s.text for _, ss in incident.parts for s in ss)
    assert "survey" not in told
    assert "two regions" not in told
    moments = {m.name: m.at for m in incident.milestones}
    assert moments["mitigated_at"] == datetime(2025, 3, 14, 16, 12, tzinfo=UTC)


def test_a_status_history_review_pasted_as_plain_text():
    # A provider's review copied from its status history: the title again as a plain line,
    # a note about the review itself, questions alone on their lines, and next steps that
    # only say the investigation goes on.
    title = "Networking - Global WAN issues"
    incident = read_text(
        f"""
        {title} - Mitigated (Tracking ID VSG1-B90)

        This is our preliminary review, published within 3 days of incident mitigation.

        What happened?

        Between 07:05 UTC and 12:43 UTC customers experienced connection timeouts. This issue
        is now mitigated.

        What went wrong, and why?

        We determined that a command sent to a router caused every router to recompute its
        forwarding tables.

        Mitigation: Engineers rolled back the router change to mitigate the issue.

        Next steps: Engineers will continue to investigate to establish the full root cause.
        """,
        title=title,
    )
    assert texts(incident, "root_cause") == [
        "We determined that a command sent to a router caused every router to recompute its "
        "forwarding tables."
    ]
    assert texts(incident, "summary")[0].startswith("Between 07:05 UTC and 12:43 UTC")
    assert texts(incident, "mitigation") == [
        "Engineers rolled back the router change to mitigate the issue."
    ]
    assert texts(incident, "follow_ups") == []


def test_remediation_and_prevention_tells_the_actions_then_the_plans():
    # Google's reports: one part for what was done and what will be, in that order.
    incident = read_text(
        """
        # REMEDIATION AND PREVENTION

        Engineers were automatically alerted to elevated error rates at 09:04 and immediately
        began investigating. At 09:27 they identified the configuration change as the trigger
        and rolled it back. Error rates returned to normal by 09:42.

        We are taking the following steps to prevent a recurrence:

        - Push configuration changes of this type gradually, zone by zone.
        - Add a canary check on the cache hit rate.
        """
    )
    assert texts(incident, "detection") == [
        "Engineers were automatically alerted to elevated error rates at 09:04 and immediately "
        "began investigating."
    ]
    assert texts(incident, "mitigation") == [
        "At 09:27 they identified the configuration change as the trigger and rolled it back. "
        "Error rates returned to normal by 09:42."
    ]
    (step,) = incident.part("mitigation")
    assert step.effect_minutes == 15
    # Taking the incident up is no look at the system.
    assert all("began investigating" not in t for t in texts(incident, "diagnosis"))
    assert texts(incident, "follow_ups") == [
        "Push configuration changes of this type gradually, zone by zone.",
        "Add a canary check on the cache hit rate.",
    ]


def test_a_look_and_then_an_action_in_a_timeline_is_both():
    incident = read_text(
        """
        ## Timeline
        - 09:05 errors reported by customers
        - 09:20 identified the leaking worker in the pool and restarted it
        - 09:25 checked `kubectl logs api | grep 'pool exhausted and restarted'`
        - 09:30 errors back to normal
        """
    )
    assert texts(incident, "mitigation") == [
        "identified the leaking worker in the pool and restarted it"
    ]
    # A command's words are no action: the check is a look only.
    assert [t for t in texts(incident, "diagnosis") if "kubectl" in t]
    assert not [t for t in texts(incident, "mitigation") if "kubectl" in t]


def test_a_blog_post_mortem_with_a_timeline_table_and_follow_up_steps():
    incident = read_text(
        """
        ## Timeline

        | Time (UTC) | Event |
        |---|---|
        | 09:04 | First alert fires for the control plane API |
        | 09:40 | Engineers confirmed the facility had lost utility power and the generators had failed |
        | 10:10 | We started failing over the control plane to the recovery site |
        | 11:35 | Control plane API available again from the recovery site |

        ## Remediation and follow-up steps

        - Remove dependencies on the core data center for control plane configuration
        """,  # noqa: E501 - a table row as written
    )
    confirmed = (
        "Engineers confirmed the facility had lost utility power and the generators had failed"
    )
    assert texts(incident, "root_cause") == [confirmed]
    assert texts(incident, "diagnosis") == [confirmed]
    (failover,) = incident.part("mitigation")
    assert failover.effect_minutes == 85
    assert texts(incident, "follow_ups") == [
        "Remove dependencies on the core data center for control plane configuration"
    ]
    assert texts(incident, "resolution") == []


def test_a_narrative_summary_tells_its_cause_after_a_colon_and_its_plans_as_commitments():
    incident = read_text(
        """
        # Summary of the queue service event

        At 9:39 AM PST, we were able to confirm a root cause: the new capacity had caused every
        front-end server to exceed the maximum number of threads the OS allows. We removed the
        new capacity. We will move the fleet to larger servers. We will not be able to reuse
        the old hosts. We'll keep you posted. We plan to do it on Monday.
        """
    )
    assert texts(incident, "root_cause") == [
        "At 9:39 AM PST, we were able to confirm a root cause: the new capacity had caused every "
        "front-end server to exceed the maximum number of threads the OS allows."
    ]
    assert texts(incident, "follow_ups") == ["We will move the fleet to larger servers."]


def test_a_timeline_in_the_present_tense_and_a_table_of_action_items():
    # Google's postmortem template: entries in the present tense, action items as a table.
    incident = read_text(
        """
        ## Action Items

        | Action Item | Type | Owner |
        |---|---|---|
        | Add load shedding to the search backends | prevent | sam |

        ## Timeline

        - 14:51 a blog post sends a surge of traffic to search
        - 14:55 on-call receives pager storm, 500s from all clusters
        - 14:58 on-call starts investigating, finds backend crash rate very high
        - 15:01 on-call declares incident
        - 15:10 on-call redirects traffic to the spare cluster
        - 15:57 OUTAGE MITIGATED, updated index deployed
        """,
        start="2025-03-14T14:51:00Z",
    )
    moments = moments_of(incident)
    assert moments["detected_at"] == "14:55"
    assert moments["acknowledged_at"] == "14:58"
    assert moments["mitigated_at"] == "15:57"
    assert texts(incident, "diagnosis") == [
        "on-call starts investigating, finds backend crash rate very high"
    ]
    assert texts(incident, "mitigation") == ["on-call redirects traffic to the spare cluster"]
    assert texts(incident, "follow_ups") == [
        "Add load shedding to the search backends — prevent — sam"
    ]


def test_atlassians_template_leadup_fault_response_recovery():
    incident = read_text(
        """
        ## Incident summary
        Between 14:02 and 15:10 UTC users of search saw errors. The deploy lowered the
        connection limit of the search client.

        ## Leadup
        At 13:58 UTC a change was introduced to the search client in order to reduce memory.

        ## Fault
        About 20% of search requests returned HTTP 503 for 68 minutes.

        ## Response
        After receiving the page at 14:07 UTC, Priya acknowledged it and opened the incident
        channel.

        She checked the client dashboard and saw the pool saturated.

        ## Recovery
        At 14:41 UTC Priya reverted the config change. Error rates fell back to normal.

        ## Backlog check
        A ticket to load test the search client was never scheduled.

        ## Attendees
        Priya (on call, reverted the change), Sam (search team)
        """
    )
    assert texts(incident, "trigger") == [
        "At 13:58 UTC a change was introduced to the search client in order to reduce memory."
    ]
    # What users saw from 14:02, the span's start, before anyone was paged: a symptom.
    assert texts(incident, "symptoms") == [
        "Between 14:02 and 15:10 UTC users of search saw errors.",
        "About 20% of search requests returned HTTP 503 for 68 minutes.",
    ]
    # Taking the page is no action, in a paragraph of its own too; what a change did is how
    # it failed; a look before any fix verifies nothing; who attended did nothing here.
    assert texts(incident, "mitigation") == ["At 14:41 UTC Priya reverted the config change."]
    assert any("acknowledged it" in t for t in texts(incident, "detection"))
    assert texts(incident, "diagnosis") == [
        "She checked the client dashboard and saw the pool saturated."
    ]
    assert texts(incident, "verification") == []
    assert texts(incident, "lessons") == [
        "A ticket to load test the search client was never scheduled."
    ]


def test_a_look_that_names_what_it_is_at_is_one_after_the_page_and_at_a_sentence_end():
    incident = read_text(
        """
        ## Response
        After being paged at 13:09, the on-call engineer acknowledged at 13:12 and opened the
        pricing database dashboard, which showed CPU at 100%.

        ## Diagnosis
        We looked through the logs. We looked at the issue.
        """,
        start="2026-02-10T13:02:00Z",
    )
    said = "After being paged at 13:09, the on-call engineer acknowledged at 13:12 and opened"
    # How it was noticed, and what was looked at after: both, from the one sentence.
    assert [t for t in texts(incident, "detection") if t.startswith(said)]
    assert [t for t in texts(incident, "diagnosis") if t.startswith(said)]
    assert texts(incident, "mitigation") == []
    assert looked("We looked through the logs.", lexicon.shipped())
    assert not looked("We looked at the issue.", lexicon.shipped())


def test_a_moment_told_under_the_impact_is_when_users_were_hurt_not_what_set_it_off():
    incident = read_text(
        """
        ## Detailed description of impact
        From 10:12 to 11:59 US/Pacific, 38% of the database instances in us-east4 rejected new
        connections.

        ## Root cause
        A configuration change rolled out at 09:58 lowered the proxy's connection limit.

        ## Remediation and prevention
        Engineers were alerted by automated monitoring at 10:19 and began investigating. At
        11:20 they rolled back the configuration.
        """,
        start="2026-03-04T10:12:00-08:00",
    )
    hurt = "From 10:12 to 11:59 US/Pacific, 38% of the database instances in us-east4 rejected"
    assert [t for t in texts(incident, "symptoms") if t.startswith(hurt)]
    assert not [t for t in texts(incident, "trigger") if t.startswith(hurt)]
    assert [t for t in texts(incident, "trigger") if t.startswith("A configuration change")]


def test_a_providers_summary_in_prose_dates_the_alarm_and_the_decline_of_errors():
    # A provider's summary: paragraphs, no headings, the team "engaged" by an alarm.
    incident = read_text(
        """
        Starting at 7:31 AM PDT, customers experienced increased error rates. At 7:29 AM PDT,
        an automated scaling activity added new front-end hosts, and the thread count on each
        back-end host exceeded the limit of the operating system configuration.

        The team was engaged at 7:40 AM PDT by an automated alarm on front-end error rates.
        At 8:20 AM PDT, we stopped the scaling activity. Error rates started to decline at
        8:41 AM PDT, and by 9:52 AM PDT all error rates had returned to normal levels.
        """,
        start="2026-05-12T07:31:00-07:00",
    )
    moments = moments_of(incident)
    assert (moments["detected_at"], moments["acknowledged_at"]) == ("07:40", "07:40")
    assert (moments["mitigated_at"], moments["resolved_at"]) == ("08:41", "09:52")
    stopped = [s for s in incident.part("mitigation") if "stopped the scaling" in s.text]
    assert [s.effect_minutes for s in stopped] == [21]


def test_pagerdutys_template_its_factors_heading_and_a_deploy_named_as_a_thing():
    incident = read_text(
        """
        ## Contributing Factor(s)
        - The dispatcher runs with no resource limits.

        ## Timeline
        | Time (UTC) | Event |
        |---|---|
        | 09:10 | Deploy of dispatcher v2.31 with the new batch size |
        | 09:44 | Consumer lag alert fires; Lee paged |
        | 10:52 | Deploy reverted |
        """,
        start="2026-06-02T09:14:00Z",
    )
    assert texts(incident, "contributing_factors") == [
        "The dispatcher runs with no resource limits."
    ]
    assert "Deploy of dispatcher v2.31 with the new batch size" in texts(incident, "root_cause")
    assert lexicon.words("Action Item(s)") == "action items"


def test_what_went_wrong_is_how_it_failed_on_its_own_and_a_lesson_under_the_lessons():
    incident = read_text(
        """
        ## What went wrong
        A retry loop logged a full stack trace per attempt, writing 120 GB in hours.

        ## Lessons learned

        **What went well**
        - The alert fired within 8 minutes.

        ### What went wrong
        - The runbook for the rollback was out of date.
        """
    )
    assert texts(incident, "root_cause") == [
        "A retry loop logged a full stack trace per attempt, writing 120 GB in hours."
    ]
    assert texts(incident, "lessons") == [
        "The alert fired within 8 minutes.",
        "The runbook for the rollback was out of date.",
    ]


def test_a_label_said_whole_is_a_heading_a_question_word_opening_one_is_not():
    incident = read_text(
        """
        ## Why we are sharing this
        Other teams run the same consumer.

        ## Why
        The consumer keeps the whole batch in memory.
        """
    )
    assert texts(incident, "root_cause") == ["The consumer keeps the whole batch in memory."]
    words = lexicon.shipped()
    assert (words.heading("Why"), words.heading("Why we are sharing this")) == ("root_cause", None)


def test_a_status_page_s_message_tags_name_their_parts_and_end_the_one_before():
    incident = read_text(
        """
        [FINAL]
        The issue was identified to be an undocumented missing permission on the LDAP disk.
        It has been fixed and persisted.

        [Update]
        We are still investigating.

        [Initial message]
        ldap service is down so no authentication works on Jira.
        [Help desk 4531](https://example.org/4531) is tracking progress on the issue.
        """
    )
    assert texts(incident, "resolution") == [
        "The issue was identified to be an undocumented missing permission on the LDAP disk. "
        "It has been fixed and persisted."
    ]
    assert texts(incident, "root_cause") == [
        "The issue was identified to be an undocumented missing permission on the LDAP disk."
    ]
    assert texts(incident, "summary")[0].startswith("ldap service is down")
    assert not any("[" in s.text for part in ("mitigation", "impact") for s in incident.part(part))
    tags = blocks("[Final message]\nDone.\n[Update 2]\nMore.\n\n[Help desk](https://x.org)\n")
    assert [(b.kind, b.text, b.level) for b in tags] == [
        ("heading", "Final message", 6),
        ("paragraph", "Done.", 0),
        ("heading", "Update 2", 6),
        ("paragraph", "More.", 0),
        ("paragraph", "[Help desk](https://x.org)", 0),
    ]


def test_an_action_said_done_is_a_step_where_no_entry_began_it():
    incident = read_text(
        """
        ## Timeline
        - 09:00 Checkout 5xx alert fires.
        - 09:10 Rolled back release 4.2.
        - 09:20 Rollback completed.
        - 09:40 Node rollover completed.
        """
    )
    # The rollback began at 09:10: its end is no second step. Nothing began the rollover.
    assert texts(incident, "mitigation") == [
        "Rolled back release 4.2.",
        "Node rollover completed.",
    ]
    it_was = read_text("It was discovered the fluentd annotations were using the wrong ARN.\n")
    assert texts(it_was, "root_cause") == [
        "It was discovered the fluentd annotations were using the wrong ARN."
    ]


def test_an_incident_tool_s_export_key_moments_status_changes_and_follow_up_table():
    incident = read_text(
        """
        # Retrospective: Payments API returning 502s

        ## Context
        The payments API serves the card payments of the web shop.

        | Detection | A customer ticket at 14:02 |
        | --- | --- |
        | Impact | 18% of card payments failed |

        ## Milestones
        - **Started:** April 2, 2025 13:50 UTC
        - **Detected:** April 2, 2025 13:58 UTC
        - **Acknowledged:** April 2, 2025 14:01 UTC
        - **Resolved:** April 2, 2025 15:30 UTC

        ## Incident timeline
        **14:06** — Status changed from Triage to Investigating
        **14:15** — Priya: memory graph per pod jumps from 600Mi to 1.3Gi after the deploy
        **14:19** — Status changed from Investigating to Fixing
        **14:21** — Priya: rolled back the deployment of payments-api

        ## Summary
        The pods were OOMKilled after a dependency upgrade doubled the size of the cache.

        ## Follow-ups
        | Follow-up | Owner | Status |
        | --- | --- | --- |
        | Bound the merchant cache to 200 MB | Priya Raman | Completed |
        """,
        start="2025-04-02T13:50:00Z",
    )
    # The one top heading is the title: nothing under it is a lesson. A table's first row
    # may be a part and what it says, as the rows under it are.
    assert texts(incident, "lessons") == []
    assert texts(incident, "impact") == ["18% of card payments failed"]
    assert "A customer ticket at 14:02" in texts(incident, "detection")
    assert moments_of(incident)["acknowledged_at"] == "14:01"
    assert moments_of(incident)["resolved_at"] == "15:30"
    assert texts(incident, "trigger") == []  # a moment's name and time tells no trigger
    # A status is no look; a graph's jump is one.
    assert texts(incident, "diagnosis") == [
        "Priya: memory graph per pod jumps from 600Mi to 1.3Gi after the deploy"
    ]
    assert texts(incident, "mitigation") == ["Priya: rolled back the deployment of payments-api"]
    assert texts(incident, "root_cause") == [
        "The pods were OOMKilled after a dependency upgrade doubled the size of the cache."
    ]
    # The table's column names are no plan.
    assert texts(incident, "follow_ups") == [
        "Bound the merchant cache to 200 MB — Priya Raman — Completed"
    ]


def test_key_moments_named_are_when_and_the_story_tells_what_was_done():
    incident = read_text(
        """
        ## Milestones
        - **Detected:** May 14, 2025 09:40 UTC
        - **Mitigated:** May 14, 2025 10:35 UTC

        ## Remediation
        The on-call engineer checked the consumer group, which showed no committed offsets.
        At 10:20 she reduced `max.poll.records` to 500 and redeployed the indexer.
        """,
        start="2025-05-14T08:12:00Z",
    )
    assert moments_of(incident)["mitigated_at"] == "10:35"
    assert [(s.text, s.at and s.at.strftime("%H:%M")) for s in incident.part("mitigation")] == [
        ("At 10:20 she reduced `max.poll.records` to 500 and redeployed the indexer.", "10:20")
    ]
    # How it was fixed opens with what was looked at: that look is the diagnosis.
    assert texts(incident, "diagnosis") == [
        "The on-call engineer checked the consumer group, which showed no committed offsets."
    ]
    assert texts(incident, "resolution") == [
        "At 10:20 she reduced `max.poll.records` to 500 and redeployed the indexer."
    ]


def test_a_chat_log_s_ack_and_what_a_command_showed_the_system_doing():
    incident = read_text(
        """
        [14:31] maya: sessions API p99 is at 4s, writes fail against a read only replica
        [14:33] maya: ack, looking
        [14:36] omar: redis-cli INFO replication says role:slave, so sentinel failed over
        [14:38] omar: client logs show writes to the old primary, then restarted sessions-api
        [14:45] maya: errors gone, p99 back to 80ms
        """,
        start="2025-07-11T14:30:00Z",
    )
    assert moments_of(incident)["acknowledged_at"] == "14:33"
    paged = read_text(
        "## Timeline\n- 14:31 maya: getting paged for sessions latency\n",
        start="2025-07-11T14:30:00Z",
    )
    assert moments_of(paged)["detected_at"] == "14:31"
    # A name in double quotes is words of the sentence, as one in code marks is; a word in
    # quotes says it was not what it claims ("Fix" applied, and the service down).
    quoted = read_text(
        '## Timeline\n- 07:09 Alert "auth-login-error-rate" fires; Dana acks it\n'
        '- 07:20 "Fix" applied, login service fully down\n',
        start="2025-03-14T07:00:00Z",
    )
    assert moments_of(quoted)["detected_at"] == "07:09"
    assert texts(quoted, "mitigation") == []
    assert texts(incident, "mitigation") == [
        "omar: client logs show writes to the old primary, then restarted sessions-api"
    ]
    assert "omar: redis-cli INFO replication says role:slave, so sentinel failed over" in texts(
        incident, "diagnosis"
    )


def test_root_cause_and_mitigation_in_one_paragraph_tells_the_cause_first():
    incident = read_text(
        """
        Root cause and mitigation: During a planned power maintenance, a subset of storage
        scale units lost power when a breaker tripped. The automated failover to the redundant
        power path did not complete because a firmware defect prevented the transfer. Engineers
        manually restored power to the affected racks at 06:12 UTC.
        """,
        start="2018-06-19T03:44:00Z",
    )
    assert texts(incident, "root_cause") == [
        "During a planned power maintenance, a subset of storage scale units lost power when a "
        "breaker tripped.",
        "The automated failover to the redundant power path did not complete because a firmware "
        "defect prevented the transfer.",
    ]
    assert texts(incident, "mitigation") == [
        "Engineers manually restored power to the affected racks at 06:12 UTC."
    ]
    # What did not happen is the object's when a clause of its own says it.
    pods = read_text("## Timeline\n- 10:00 Restarted the pods that did not start.\n")
    assert texts(pods, "mitigation") == ["Restarted the pods that did not start."]


def test_a_timeline_pasted_as_code_and_a_learning_review():
    incident = read_text(
        """
        ## Timeline (UTC)

        ```
        10:00  billing-queue depth alert fires (depth > 50k)
        10:06  @kim acks, starts looking at worker logs
        10:22  kim kills the long-running migration holding the lock (pid 4411)
        10:25  workers resume, queue depth falling
        12:05  queue drained
        ```

        ## Learning review

        The pager worked as it should.

        Surprises:
        - Nobody knew migrations could be run from a laptop against production.

        ## What surprised us

        - The lock blocked reads of the invoice table too.
        """,
        start="2025-03-02T10:00:00Z",
    )
    assert moments_of(incident)["acknowledged_at"] == "10:06"
    assert moments_of(incident)["mitigated_at"] == "10:25"  # the workers resumed: no step
    assert texts(incident, "mitigation") == [
        "kim kills the long-running migration holding the lock (pid 4411)"
    ]
    assert texts(incident, "lessons") == [
        "The pager worked as it should.",
        "Nobody knew migrations could be run from a laptop against production.",
        "The lock blocked reads of the invoice table too.",
    ]


def test_what_a_write_up_says_of_itself_is_no_part_of_the_story():
    incident = read_text(
        """
        This post explains what failed, how we found it in the logs and why we rolled back.
        We rolled back the release at 09:40.
        """
    )
    assert texts(incident, "diagnosis") == []
    assert texts(incident, "mitigation") == ["We rolled back the release at 09:40."]


def test_five_whys_as_a_table_give_the_cause_and_the_mode():
    incident = read_text(
        """
        ## 5 Whys

        | # | Why? | Because |
        |---|---|---|
        | 1 | Why did the export finish late? | The job waited 4 hours for a database connection. |
        | 2 | Why is nothing limiting them? | The replica was never put behind PgBouncer. |
        """
    )
    # The column names say nothing; the last answer is the cause, without the table's marks.
    assert texts(incident, "root_cause") == ["The replica was never put behind PgBouncer."]
    assert [m.id for m in incident.failure_modes] == ["connection-pool-exhaustion"]


def test_a_security_incident_report_in_its_response_phases():
    incident = read_text(
        """
        ## Identification
        The SIEM flagged logins to the admin console from an unknown ASN at 02:14.

        ## Initial access
        A contractor's password was reused from a breached site, and the account had no MFA.

        ## Indicators of compromise
        - Logins from AS9009 with the user agent `python-requests/2.31`

        ## Containment
        We disabled the contractor's account and revoked its sessions.

        ## Eradication
        We rotated every API key the account could read.

        ## Post-incident activity
        MFA is now enforced for contractors.
        """
    )
    assert texts(incident, "detection") == [
        "The SIEM flagged logins to the admin console from an unknown ASN at 02:14."
    ]
    assert texts(incident, "root_cause")[0].startswith("A contractor's password was reused")
    assert texts(incident, "symptoms")[0].startswith("Logins from AS9009")
    assert texts(incident, "resolution") == ["We rotated every API key the account could read."]
    # What is changed after, NIST's last phase: the follow-ups.
    assert texts(incident, "follow_ups") == ["MFA is now enforced for contractors."]


def test_an_incident_tool_s_template_sections_for_what_helped_and_what_was_said():
    incident = read_text(
        """
        ## Investigation timeline
        - 09:10 Rolled back the search deploy.

        ## Mitigators
        - The cache kept most pages up.

        ## Risks
        - A second region on the same release would have doubled the impact.

        ## Key learnings
        - Canary by region, not by host.

        ## Customer communication
        We posted an update on the status page and rolled back our promise of a fix by noon.

        ## Preventative actions
        - Deploy search one region at a time.
        """
    )
    assert texts(incident, "mitigation") == ["Rolled back the search deploy."]
    assert texts(incident, "lessons") == [
        "The cache kept most pages up.",
        "A second region on the same release would have doubled the impact.",
        "Canary by region, not by host.",
    ]
    assert texts(incident, "follow_ups") == ["Deploy search one region at a time."]


def test_a_timeline_stated_in_an_offset_from_utc():
    incident = read_text(
        "## Timeline (all times UTC+2)\n- 11:05 alert fires\n- 11:20 rolled back the deploy\n",
        start="2025-03-14T09:00:00Z",
    )
    assert [e.at.astimezone(UTC).strftime("%H:%M") for e in incident.timeline] == [
        "09:05",
        "09:20",
    ]


def test_a_status_change_takes_the_incident_up_or_ends_it_and_is_no_step():
    incident = read_text(
        """
        ## Timeline
        - 14:00 Datadog monitor "payments-api 5xx" fires
        - 14:06 Status changed from Triage to Investigating
        - 14:19 Status changed from Investigating to Fixing
        - 15:30 Status changed from Monitoring to Resolved
        """,
        start="2025-04-02T14:00:00Z",
    )
    moments = moments_of(incident)
    assert (moments["acknowledged_at"], moments["resolved_at"]) == ("14:06", "15:30")
    assert texts(incident, "mitigation") == []
    assert texts(incident, "diagnosis") == []


def test_a_day_and_a_time_alone_is_only_when():
    # The day alone opens the longer form: each form is tried to the end of the text.
    said = ["May 14, 2025 08:12 UTC", "July 22", "5:20 AM", "May 14, 2025 rollback"]
    assert [times.only_when(t) for t in said] == [True, True, True, False]


def test_noon_and_midnight_say_which_half_of_the_day_a_time_in_words_is():
    said = {
        text: [(s.hour, s.minute, s.twelve_hour) for s in times.within(text)]
        for text in (
            "At five to midnight",
            "at ten past midnight",
            "at quarter to noon",
            "at five to nine",
        )
    }
    assert said == {
        "At five to midnight": [(23, 55, False)],
        "at ten past midnight": [(0, 10, False)],
        "at quarter to noon": [(11, 45, False)],
        "at five to nine": [(8, 55, True)],  # morning or evening: the day around it tells
    }


def test_an_action_done_by_mistake_is_how_it_failed_and_a_faulty_things_undoing_a_step():
    incident = read_text(
        """
        ## Timeline
        - 10:00 Alert fires for pods stuck in Pending; on-call paged.
        - 12:00 A pull request unexpectedly triggers the cluster pipeline, which ungracefully
          reverts changes to the network.
        - 12:30 Buggy release has been fully reverted back to the previous release.
        """,
        start="2026-01-05T10:00:00Z",
    )
    mitigation = texts(incident, "mitigation")
    assert mitigation == ["Buggy release has been fully reverted back to the previous release."]
    assert any(t.startswith("A pull request unexpectedly") for t in texts(incident, "root_cause"))


def test_a_pull_request_is_a_change_not_traffic_that_failed():
    said = "If you don't turn it off, any pull request will trigger the pipeline to run."
    incident = read_text(f"## Summary\n\n{said}\n")
    assert texts(incident, "impact") == []
    incident = read_text(f"## Summary\n\n{said} For 30 minutes, requests to the API failed.\n")
    assert texts(incident, "impact") == ["For 30 minutes, requests to the API failed."]


def test_a_24_hour_clock_with_pm_said_again_and_an_email_forwarded_to_security():
    incident = read_text(
        """
        ## Timeline (all times PST)

        12:11 PM: Impersonator emails the first employee asking for gift cards.

        13:36 PM: Employee two forwards the email to IPS.

        13:43 PM: The email was "Reported as phishing".

        18:41 PM: All machines are verified to be clean.
        """,
        start="2023-07-05T12:11:00-07:00",
    )
    assert [e.at.strftime("%H:%M") for e in incident.timeline] == [
        "12:11",
        "13:36",
        "13:43",
        "18:41",
    ]
    assert moments_of(incident)["detected_at"] == "13:36"
    assert texts(incident, "trigger") == [
        "Impersonator emails the first employee asking for gift cards."
    ]
    assert [s.hour for s in times.within("13:43 AM: the email")] == []  # which is it?
    assert lexicon.shipped().cue("detection", 'The email was "Reported as phishing".')


def test_work_that_resumed_is_the_impact_easing_and_a_new_certificate_generated_a_step():
    incident = read_text(
        """
        Customers reported that our webhook calls were refused by their servers. Turned out
        the client certificate we present had run past its validity date on the 19th.

        ## Timeline
        - 14:10 Support paged on-call.
        - 15:10 New certificates generated, service restored.
        - 15:12 Deliveries resumed.
        """,
        start="2026-07-19T14:00:00Z",
    )
    assert texts(incident, "mitigation") == ["New certificates generated, service restored."]
    assert moments_of(incident)["mitigated_at"] == "15:10"  # the service restored with it
    assert texts(incident, "root_cause") == [
        "Turned out the client certificate we present had run past its validity date on the 19th."
    ]
    assert incident.failure_modes[0].id == "certificate-expiry"


def test_what_a_provider_says_it_did_and_does_to_prevent_a_recurrence_is_the_follow_ups():
    incident = read_text(
        """
        At 9:10 AM PDT, we raised the thread limit on the back-end hosts, and by 9:52 AM PDT
        all error rates had returned to normal levels.

        We have taken several actions to prevent a recurrence. We have raised the thread limit
        on all back-end hosts in every Region. We are also adding an alarm on thread count.
        """,
        start="2026-05-12T07:31:00-07:00",
    )
    assert texts(incident, "follow_ups") == [
        "We have raised the thread limit on all back-end hosts in every Region.",
        "We are also adding an alarm on thread count.",
    ]
    assert [t[:30] for t in texts(incident, "mitigation")] == ["At 9:10 AM PDT, we raised the "]
    # The changes counted before they are told lead them in as well.
    changes = read_text(
        "We are making several changes as a result of this operational event. We have"
        " modified this tool to remove capacity more slowly.\n"
    )
    assert texts(changes, "follow_ups") == [
        "We have modified this tool to remove capacity more slowly."
    ]
    assert texts(changes, "mitigation") == []
    # A wish that names no prevention, or a step done to prevent more harm, leads no plans.
    for lead in ("We should have caught this sooner.", "We paused the jobs to avoid further harm."):
        incident = read_text(f"{lead} We then restarted the pods.\n")
        assert "We then restarted the pods." in texts(incident, "mitigation"), lead
        assert texts(incident, "follow_ups") == [], lead


def test_what_had_happened_before_is_why_and_noticed_at_a_time_is_the_signal():
    incident = read_text(
        """
        At 09:30 the order-events consumer began to fall behind. Morning shift noticed at 09:50
        from the dashboard. A producer had started sending orders with huge line-item arrays.
        The on-call engineer had restarted it twice before. We doubled the memory limit at 10:05.
        """,
        start="2026-02-02T09:30:00Z",
    )
    assert texts(incident, "root_cause") == [
        "A producer had started sending orders with huge line-item arrays."
    ]
    assert moments_of(incident)["detected_at"] == "09:50"


def test_a_pods_state_a_way_of_finding_the_cause_and_a_step_that_had_worked_are_no_steps():
    incident = read_text(
        """
        ## Timeline
        - 14:30 Alert fires; on-call paged.
        - 14:50 We attempted to force delete a terminating pod; it got stuck again.
        - 15:10 Root cause discovered by manually deleting the malformed IngressRoute.
        - 15:20 AMI rolled back to the previous version.
        - 15:40 After observation we decided that the AMI rollback had resolved the issue.
        - 16:00 Issue raised to modify our terraform to allow setting a specific AMI.
        - 16:30 Modules release 0.2.220 contains fix that sets a deregistration timeout.
        """,
        start="2022-10-31T14:30:00Z",
    )
    assert texts(incident, "mitigation") == [
        "AMI rolled back to the previous version.",
        # A table's few words drop the article: still the fix, released.
        "Modules release 0.2.220 contains fix that sets a deregistration timeout.",
    ]


def test_the_parties_involved_are_who_they_are_not_what_was_done():
    incident = read_text(
        """
        ## Issue Summary

        __Involved Parties__:
        Affected employee: Individual whose account was suspended.

        Admin employee: Individual whose account performed the suspension.

        ## Resolution and recovery
        The IT team suspended the admin account.
        """
    )
    assert texts(incident, "mitigation") == ["The IT team suspended the admin account."]


def test_pagerdutys_template_hows_we_do_responders_and_messaging():
    incident = read_text(
        """
        ## Overview
        Checkout was slow because the payment provider answered slowly.

        ## Resolution
        At 09:40 UTC we lowered the payment client timeout to 5 seconds via config.

        ## Responders
        - Alex, incident commander, who restarted the checkout pods

        ## How'd We Do?
        Nobody knew the timeout was 60 seconds.

        ## Messaging
        External: we rolled back the release and checkout is fast again.
        """
    )
    assert texts(incident, "lessons") == ["Nobody knew the timeout was 60 seconds."]
    # Who responded and what was told to customers are no steps of the response.
    assert texts(incident, "mitigation") == [
        "At 09:40 UTC we lowered the payment client timeout to 5 seconds via config."
    ]


def test_a_trigger_is_not_read_again_as_the_cause():
    incident = read_text(
        """
        **Root Causes:** A resource leak when searches failed under very high load.

        **Trigger:** A latent bug triggered by a sudden increase in traffic.
        """
    )
    assert texts(incident, "root_cause") == [
        "A resource leak when searches failed under very high load."
    ]
    assert texts(incident, "trigger") == ["A latent bug triggered by a sudden increase in traffic."]


def test_a_list_under_no_part_is_no_follow_up():
    # As a status notice writes it: no heading, a sentence, then what came back.
    incident = read_text(
        """
        The root certificate was rotated, which repaired every broken service.

        - archives.example.org was back online at 09:55 UTC
        - ldap was back online at 09:55 UTC
        """
    )
    assert texts(incident, "follow_ups") == []


def test_root_cause_and_mitigation_in_one_paragraph_each_sentence_in_its_part():
    incident = read_text(
        """
        Root Cause and Mitigation: A configuration change to the front-end fleet caused the
        servers to exhaust their connection pools. Engineers were alerted by monitoring at
        08:05 UTC. They reviewed the telemetry and identified the change. Engineers rolled back
        the configuration change, which mitigated the issue at 09:10 UTC.
        """,
        start="2021-03-02T08:00:00Z",
    )
    assert texts(incident, "root_cause") == [
        "A configuration change to the front-end fleet caused the servers to exhaust their "
        "connection pools."
    ]
    assert texts(incident, "detection") == ["Engineers were alerted by monitoring at 08:05 UTC."]
    looked = ["They reviewed the telemetry and identified the change."]
    assert texts(incident, "diagnosis") == looked
    assert texts(incident, "mitigation") == [
        "Engineers rolled back the configuration change, which mitigated the issue at 09:10 UTC."
    ]
    moments = moments_of(incident)
    assert (moments["detected_at"], moments["mitigated_at"]) == ("08:05", "09:10")


def test_a_mitigation_paragraph_that_opens_on_what_monitoring_saw():
    # "the increased error rate" is what was seen: a participle after "the", no step taken.
    incident = read_text(
        """
        **Mitigation:** Our monitoring detected the increased error rate at 15:52 UTC and
        engineers were engaged. We then rolled back the configuration pipeline to the previous
        version at 16:35 UTC. Service was fully restored by 16:55 UTC.
        """,
        start="2021-10-13T15:45:00Z",
    )
    assert texts(incident, "detection") == [
        "Our monitoring detected the increased error rate at 15:52 UTC and engineers were engaged."
    ]
    assert texts(incident, "mitigation") == [
        "We then rolled back the configuration pipeline to the previous version at 16:35 UTC. "
        "Service was fully restored by 16:55 UTC."
    ]
    assert moments_of(incident)["detected_at"] == "15:52"


@pytest.mark.parametrize(
    ("sentence", "action"),
    [
        ("We have not completely restarted the index subsystem in years.", None),
        ("The pods had not yet been restarted when the alert fired.", None),
        ("The cache hasn't ever been flushed in production.", None),
        ("We have restarted the pods.", "restarted"),
        ("The on-call had already restarted the pods.", "restarted"),
    ],
)
def test_what_had_not_been_done_is_no_action(sentence: str, action: str | None) -> None:
    found = says.action(sentence, lexicon.shipped())
    assert (found.group() if found else None) == action


@pytest.mark.parametrize(
    "eased",
    [
        "We are seeing checkout error rates returning to normal",
        "Checkout success went back to normal levels",
        "The zero-result rate dropped to normal",
    ],
)
def test_impact_easing_told_as_a_return_to_normal(eased: str) -> None:
    incident = read_text(
        f"""
        ## Timeline
        - 09:05 Checkout errors alert fired
        - 09:20 Rolled back checkout-api to v41
        - 09:26 {eased}
        - 09:40 Incident resolved
        """
    )
    (rollback,) = incident.part("mitigation")
    assert rollback.effect_minutes == 6.0
    assert moments_of(incident)["mitigated_at"] == "09:26"


def test_an_action_said_done_with_the_failure_going_on_eased_nothing():
    incident = read_text(
        """
        ## Timeline

        | Time | Event |
        |---|---|
        | 14:02 | queue-processor v5.12.0 deployed **OUTAGE BEGINS** |
        | 14:19 | QueueDepthHigh alert fires |
        | 14:52 | Rollback to v5.11.3 started |
        | 15:05 | Rollback complete, processors still crashing on the same messages |
        | 15:30 | Poison messages moved to the DLQ; queue draining **OUTAGE MITIGATED** |
        | 17:10 | Queue depth back to zero **OUTAGE ENDS** |
        """,
        start="2025-06-11T14:02:00Z",
    )
    # The rollback was tried and the crashes went on: no step that eased the impact, and the
    # impact eased when the poison messages were moved, not when the rollback completed.
    assert not [t for t in texts(incident, "mitigation") if "Rollback" in t]
    assert moments_of(incident)["mitigated_at"] == "15:30"


def test_a_detected_by_field_with_its_time_in_brackets():
    incident = read_text(
        """
        - **Detected by:** PagerDuty alert `CartErrorRateHigh` (18:09)
        - **Customer impact:** add-to-cart requests failed for 29 minutes

        ## What we did
        - 18:12 acked by @sam
        - 18:36 flushed oversized keys with `redis-cli unlink`
        - 18:51 all clear, closed
        """,
        start="2024-11-02T18:07:00Z",
    )
    assert texts(incident, "detection") == ["PagerDuty alert `CartErrorRateHigh` (18:09)"]
    assert moments_of(incident)["detected_at"] == "18:09"


def test_a_chat_log_under_a_heading_that_states_its_zone():
    incident = read_text(
        """
        ## Summary
        Webhook deliveries were delayed because the workers stalled on a slow endpoint.

        ## Chat log (times in CEST)
        [14:02] pagerduty: Triggered: WebhookQueueLagHigh
        [14:04] maria: ack, looking
        [14:18] maria: lowering the per-request timeout to 5s via config, deploying
        [14:26] maria: deployed, lag dropping fast
        [14:41] maria: queue back to normal, resolving
        """,
        start="2024-09-18T12:02:00Z",
    )
    moments = {m.name: m.at.astimezone(UTC).strftime("%H:%M") for m in incident.milestones}
    # 14:02 CEST is 12:02 UTC: read as UTC, every moment would be two hours after the start.
    assert moments["detected_at"] == "12:02"
    assert moments["resolved_at"] == "12:41"


def test_each_moment_a_template_states_as_a_time_from_the_start():
    incident = read_text(
        """
        ## Root cause
        A new feature stored full product payloads in cart keys.

        ## Stats
        - Time to detection: 2 minutes
        - **TTM:** 29 minutes
        - Time to recovery: 44 minutes
        """,
        start="2024-11-02T18:07:00Z",
    )
    moments = moments_of(incident)
    assert (moments["detected_at"], moments["mitigated_at"]) == ("18:09", "18:36")
    assert moments["resolved_at"] == "18:51"
    sources = {m.name: m.source for m in incident.milestones}
    assert sources["detected_at"] == "stated duration"


def test_several_figures_a_template_states_on_one_line():
    incident = read_text(
        """
        ## Root cause
        A new feature stored full product payloads in cart keys.

        **TTD:** 2m · **TTA:** 4m | **TTM:** 29m
        Time to recovery: 1 hour, 5 minutes; outage duration: 2 hours
        """,
        start="2024-11-02T18:07:00Z",
    )
    moments = moments_of(incident)
    assert (moments["detected_at"], moments["acknowledged_at"]) == ("18:09", "18:11")
    assert moments["mitigated_at"] == "18:36"
    # A comma inside a figure does not cut it; the first figure of a kind counts.
    assert moments["resolved_at"] == "19:12"


def test_a_dated_list_under_another_part_is_its_timeline():
    # As a vendor's review answers "How did we respond?": the day after the clock.
    incident = read_text(
        """
        **What happened?** Between 15:45 UTC and 19:30 UTC on 07 February 2024, customers
        may have experienced failures when accessing storage accounts.

        **How did we respond?**

        - 15:45 UTC on 07 February 2024 – Customer impact began, triggered by a power event.
        - 15:58 UTC on 07 February 2024 – Our monitoring detected failure rates; engineers engaged.
        - 16:31 UTC on 07 February 2024 – We identified the cause as a delayed health signal.
        - 17:10 UTC on 07 February 2024 – We failed over the affected scale units manually.
        - 19:20 UTC on 07 February 2024 – Failover completed.
        - 19:30 UTC on 07 February 2024 – Customer impact mitigated.
        """,
        start="2024-02-07T15:45:00Z",
    )
    moments = {m.name: (m.at.strftime("%H:%M"), m.source) for m in incident.milestones}
    assert moments["detected_at"] == ("15:58", "timeline")
    # The action said complete is when it took effect: no step of its own.
    assert moments["mitigated_at"] == ("19:20", "timeline")
    (failover,) = incident.part("mitigation")  # the entry that acted, not every entry
    assert failover.text == "We failed over the affected scale units manually."
    assert failover.effect_minutes == 130
    assert texts(incident, "diagnosis") == ["We identified the cause as a delayed health signal."]
    assert texts(incident, "impact")[0].startswith("Between 15:45 UTC and 19:30 UTC")


def test_a_step_that_kept_the_harm_from_growing_is_done_and_a_confirmed_recovery_no_look():
    incident = read_text(
        """
        **What happened?** Between 08:51 UTC and 11:37 UTC on 14 March 2024, logins failed.

        **How did we respond?**

        - 09:04 UTC – Automated monitoring alerted us to elevated login failures.
        - 09:20 UTC – We correlated the failures with the configuration deployment.
        - 09:48 UTC – We paused the deployment to prevent further regions from being affected.
        - 10:15 UTC – We rolled back the change to avoid further customer impact.
        - 11:37 UTC – We confirmed that login success rates had returned to normal.
        """,
        start="2024-03-14T08:51:00Z",
    )
    assert texts(incident, "mitigation") == [
        "We paused the deployment to prevent further regions from being affected.",
        "We rolled back the change to avoid further customer impact.",
    ]
    assert texts(incident, "diagnosis") == [
        "We correlated the failures with the configuration deployment."
    ]
    assert texts(incident, "verification") == [
        "We confirmed that login success rates had returned to normal."
    ]


@pytest.mark.parametrize(
    "said",
    [
        "We added a check to prevent further incidents.",
        "We will pause deployments to prevent further impact.",
        "Engineers restarted it to prevent the problem from being repeated.",
    ],
)
def test_preventing_it_again_is_no_step_done(said: str):
    assert says.done(said, lexicon.shipped()) is None


def test_a_provider_summary_tells_what_a_fix_would_take_apart_from_what_was_done():
    incident = read_text(
        """
        At 5:15 AM PST, the first alarms fired for errors on the front-end fleet. At 7:51 AM
        PST, we determined that the likely sources of the problem would require a full restart
        of the fleet. At 9:39 AM PST, we were able to confirm a root cause. At 10:07 AM PST, we
        rolled back the new capacity. At 11:30 AM PST, the service fully returned to normal.
        """,
        start="2020-11-25T13:15:00Z",
    )
    assert texts(incident, "mitigation") == ["At 10:07 AM PST, we rolled back the new capacity."]
    assert texts(incident, "diagnosis") == [
        "At 7:51 AM PST, we determined that the likely sources of the problem would require a "
        "full restart of the fleet.",
        "At 9:39 AM PST, we were able to confirm a root cause.",
    ]


def test_a_terse_table_timeline_dates_each_moment():
    incident = read_text(
        """
        ## Root Cause
        `max.poll.records` was raised without raising `max.poll.interval.ms`.

        ## Timeline
        | Time (UTC) | Event |
        |---|---|
        | 13:38 | dispatcher v3.12 deployed |
        | 14:05 | `WebhookLagHigh` alert pages Kwame |
        | 14:11 | Kwame acks; lag keeps rising |
        | 14:30 | Kwame checks dispatcher logs: "consumer poll timeout has expired" |
        | 14:48 | Sofia declares SEV-2 and takes IC |
        | 15:02 | rollback to v3.11 |
        | 15:41 | lag < 1,000 |
        | 16:20 | replay of failed webhooks done, incident resolved |
        """,
        start="2024-06-03T13:40:00Z",
    )
    moments = moments_of(incident)
    assert (moments["detected_at"], moments["acknowledged_at"]) == ("14:05", "14:11")
    assert (moments["mitigated_at"], moments["resolved_at"]) == ("15:41", "16:20")
    assert texts(incident, "diagnosis") == [
        'Kwame checks dispatcher logs: "consumer poll timeout has expired"'
    ]
    (rollback,) = incident.part("mitigation")
    assert rollback.effect_minutes == 39


def test_a_sentence_that_tells_an_earlier_time_of_its_object_is_dated_by_its_own():
    incident = read_text(
        """
        ## What happened
        At 09:58, an engineer merged a change that emptied the routing table's pools.

        Our error-rate alert fired at 10:04 and the on-call engineer was paged. She saw that the
        spike began right after a push, and at 10:14 she confirmed in the table's diff that 48%
        of hostnames had no pools.

        At 10:21 we stopped the build job, and at 10:27 we pushed the last known good table
        from 09:55 to all edge servers. Error rates dropped back to baseline by 10:39.
        """,
        start="2025-08-14T10:02:00Z",
    )
    (action,) = incident.part("mitigation")
    assert action.text.startswith("At 10:21 we stopped the build job")
    assert action.at is not None
    assert action.at.strftime("%H:%M") == "10:21"
    assert action.effect_minutes == 18
    # The look, once: its sentence, not also the moment told in it.
    (look,) = incident.part("diagnosis")
    assert look.text.startswith("She saw that the spike began")


def test_a_posts_lead_before_its_background_tells_the_impact():
    incident = read_text(
        """
        # Details of the 14 August outage

        On 14 August, requests to our edge API failed for about half of our customers for 37
        minutes. This post explains what happened.

        ## Background
        Every edge server loads a routing table that maps customer hostnames to origin pools.
        """,
        start="2025-08-14T10:02:00Z",
    )
    assert texts(incident, "impact") == [
        "On 14 August, requests to our edge API failed for about half of our customers for 37 "
        "minutes."
    ]


def test_an_exported_fields_table_dates_the_moments_beside_a_chat_timeline():
    incident = read_text(
        """
        | Field | Value |
        |---|---|
        | Severity | SEV2 |
        | Detected | 2024-11-19 08:12 UTC |
        | Mitigated | 2024-11-19 08:57 UTC |
        | Resolved | 2024-11-19 09:30 UTC |

        ## Slack timeline

        **08:12** Datadog: `upload_errors_5xx > 5%` triggered
        **08:31** marco: CloudTrail shows PutBucketPolicy at 07:58 by terraform-ci
        **08:40** priya: diffing the policy against main, PutObject is missing
        **08:52** marco: applying previous policy with `aws s3api put-bucket-policy --bucket m`
        **08:57** priya: uploads succeeding again
        **09:30** priya: module pinned, closing
        """,
        start="2024-11-19T07:58:00Z",
    )
    moments = moments_of(incident)
    assert (moments["mitigated_at"], moments["resolved_at"]) == ("08:57", "09:30")
    # A moment named and dated is no step of its own.
    assert texts(incident, "detection") == ["Datadog: `upload_errors_5xx > 5%` triggered"]
    assert texts(incident, "mitigation") == [
        "marco: applying previous policy with `aws s3api put-bucket-policy --bucket m`"
    ]
    assert texts(incident, "diagnosis") == [
        "marco: CloudTrail shows PutBucketPolicy at 07:58 by terraform-ci",
        "priya: diffing the policy against main, PutObject is missing",
    ]


def test_an_action_then_a_look_of_its_own_is_both():
    incident = read_text(
        """
        ## Timeline
        - 16:35 Alert fired for checkout errors
        - 16:41 Rolled back the deploy; Grafana shows checkout errors at 30%
        - 16:52 Errors back to normal
        """,
        start="2026-04-02T16:30:00Z",
    )
    said = "Rolled back the deploy; Grafana shows checkout errors at 30%"
    assert texts(incident, "mitigation") == [said]
    assert texts(incident, "diagnosis") == [said]


def test_the_entries_of_a_response_section_each_go_to_their_part():
    incident = read_text(
        """
        ## Detection
        Finance noticed the missing data at 08:40 and opened a ticket.

        ## Response and recovery
        - Ben checked `kubectl get cronjob billing-export -o yaml` and saw no run since Sunday.
        - `kubectl get events` showed "Missed scheduled time to start a job".
        - Ben triggered the job by hand at 09:05.
        - The export finished at 10:58 and finance confirmed the reports were correct.
        """,
        start="2025-02-10T02:00:00Z",
    )
    assert texts(incident, "mitigation") == ["Ben triggered the job by hand at 09:05."]
    assert texts(incident, "diagnosis") == [
        "Ben checked `kubectl get cronjob billing-export -o yaml` and saw no run since Sunday.",
        '`kubectl get events` showed "Missed scheduled time to start a job".',
    ]
    assert texts(incident, "verification") == [
        "The export finished at 10:58 and finance confirmed the reports were correct."
    ]


def test_key_timestamps_as_an_incident_tool_names_them_date_their_moments():
    incident = read_text(
        """
        ## Key timestamps
        - Impact started at: 2024-09-03 14:20 UTC
        - Reported at: 2024-09-03 14:26 UTC
        - Accepted at: 2024-09-03 14:29 UTC
        - Closed at: 2024-09-03 15:40 UTC

        ## Updates
        **14:40 UTC** — cart-api pods show "HikariPool-1 - Connection is not available".
        **14:46 UTC** — Reverted the config change; pods restarting.
        **14:51 UTC** — Latency back to normal. Monitoring.
        """,
        start="2024-09-03T14:20:00Z",
    )
    moments = moments_of(incident)
    assert (moments["detected_at"], moments["acknowledged_at"]) == ("14:26", "14:29")
    assert (moments["mitigated_at"], moments["resolved_at"]) == ("14:51", "15:40")
    assert texts(incident, "diagnosis") == [
        '14:40 UTC — cart-api pods show "HikariPool-1 - Connection is not available".'
    ]


def test_a_plain_text_report_reads_its_steps_in_the_zone_its_story_names():
    incident = read_text(
        """
        Description:
        From 2:15pm to 3:05pm ET, the payment page rendered blank for iOS users.

        Steps taken:
        2:22pm - Support escalated three customer reports to the mobile on-call.
        2:30pm - On-call reproduced it on an iPhone and saw a JavaScript error.
        2:48pm - Rolled back the web bundle to the previous release.
        3:05pm - Payment page loads again on iOS.

        Preventive actions:
        - Pin the build target for bundles loaded in WebViews (owner: Dana)
        """,
        start="2024-03-05T19:15:00Z",
    )
    moments = {m.name: m.at.astimezone(UTC).strftime("%H:%M") for m in incident.milestones}
    # 2:22pm EST is 19:22 UTC: read in the start's zone, it came before the start.
    assert (moments["detected_at"], moments["mitigated_at"]) == ("19:22", "20:05")
    assert texts(incident, "diagnosis") == [
        "On-call reproduced it on an iPhone and saw a JavaScript error."
    ]
    (rollback,) = incident.part("mitigation")
    assert rollback.effect_minutes == 17
    assert texts(incident, "follow_ups") == [
        "Pin the build target for bundles loaded in WebViews (owner: Dana)"
    ]


def test_a_failed_response_rate_climbing_before_the_alert_is_a_symptom():
    incident = read_text(
        """
        ## Timeline (UTC)
        | Time  | What happened |
        |-------|---------------|
        | 09:05 | Route 53 record for api-internal updated as part of migration step 4 |
        | 09:10 | 5xx rate on api-gateway starts climbing |
        | 09:13 | Alert `ApiGateway5xxHigh` fires, Omar paged |
        | 09:29 | Record reverted to the previous value |
        | 09:41 | TTL of 600 s expires for most resolvers, errors drop |
        """,
        start="2023-06-14T09:10:00Z",
    )
    assert texts(incident, "trigger") == [
        "Route 53 record for api-internal updated as part of migration step 4"
    ]
    assert texts(incident, "symptoms") == ["5xx rate on api-gateway starts climbing"]
    assert moments_of(incident)["mitigated_at"] == "09:41"


def test_when_it_was_noticed_is_the_first_moment_the_detection_tells_not_the_earliest():
    incident = read_text(
        """
        ## Detection and analysis
        On 2 April at 16:31 UTC, AWS sent a support case saying our account may be compromised.
        The key had been committed to a public example repository at 16:20 UTC.

        ## Containment, eradication and recovery
        The key was deactivated at 16:41 UTC.
        """,
        start="2026-04-02T16:20:00Z",
    )
    assert moments_of(incident)["detected_at"] == "16:31"


def test_a_table_of_figures_dates_the_moments_and_is_no_step():
    incident = read_text(
        """
        ## Overview
        | | |
        |---|---|
        | Severity | SEV-2 |
        | Time to detect | 25 min |
        | Time to mitigate | 1 h 40 min |

        ## How we fixed it
        At 09:20 Aiko restarted the billing-consumer pods; the lag did not change. At 09:40 we
        restarted broker 2, after which the lag started to fall.
        """,
        start="2024-04-10T08:20:00Z",
    )
    moments = moments_of(incident)
    assert moments["detected_at"] == "08:45"
    # A restart that moved nothing is an attempt, no step to repeat.
    assert texts(incident, "mitigation") == [
        "At 09:40 we restarted broker 2, after which the lag started to fall."
    ]


def test_the_same_action_told_again_at_its_time_is_one_step():
    incident = read_text(
        """
        **Resolution:** The alias was pointed back at the previous index at 09:38 and result
        counts returned to normal at 09:40.

        ## Timeline
        * 09:07 Probe pages on-call (Maria)
        * 09:38 Maria pointed the alias back to `products-v41`
        * 09:40 Search results back to normal
        """,
        start="2023-10-08T09:00:00Z",
    )
    (step,) = incident.part("mitigation")
    assert step.text.startswith("The alias was pointed back at the previous index at 09:38")
    assert step.effect_minutes == 2


def test_a_mitigation_paragraph_lists_each_action_with_what_it_did():
    incident = read_text(
        """
        ## Mitigation
        Engineering scaled the consumers out to one per partition. Throughput went up and the
        lag started to fall. Our engineering team fenced the old leader. Writes were
        consistent again. Mitigation was complete by 10:26 UTC. We will automate the failover.
        """
    )
    # A plan is not what the action before it did, nor an action: it is a follow-up.
    assert not [t for t in texts(incident, "mitigation") if "automate" in t]
    assert texts(incident, "follow_ups") == ["We will automate the failover."]
    assert texts(incident, "mitigation")[:2] == [
        "Engineering scaled the consumers out to one per partition. Throughput went up and the "
        "lag started to fall.",
        # No cue names fencing: the responders doing it, in a mitigation section, make it one.
        "Our engineering team fenced the old leader. Writes were consistent again. Mitigation "
        "was complete by 10:26 UTC.",
    ]
    assert [s.line for s in incident.part("mitigation")][:2] == [10, 11]


def test_running_something_is_a_look_only_when_it_is_run_to_see():
    incident = read_text(
        """
        ## Mitigation
        Engineers ran a query to count the records written without a region. The on-call team
        ran the apply again from the correct workspace. The nodes came back.
        """
    )
    assert texts(incident, "diagnosis") == [
        "Engineers ran a query to count the records written without a region."
    ]
    assert texts(incident, "mitigation") == [
        "The on-call team ran the apply again from the correct workspace. The nodes came back."
    ]


def test_a_terse_timeline_of_a_prose_post_mortem():
    incident = read_text(
        """
        ## What happened
        At about ten past nine the checkout page started timing out for some customers.

        ## Timeline
        - 09:10 first customer complaints in #support
        - 09:14 alert OrdersLatencyHigh fired, Tom acked
        - 09:25 thread dumps all showed workers blocked on inventory HTTP calls
        - 09:31 decision: shorten the read timeout via config from 60 s to 4 s
        - 09:36 config pushed, latency back under 300 ms
        - 09:50 batch job paused, inventory recovered

        ## Why it happened
        The inventory client waited 60 seconds on each read, so the workers ran dry.
        """
    )
    moments = moments_of(incident)
    assert moments["acknowledged_at"] == "09:14"
    assert moments["mitigated_at"] == "09:36"
    assert texts(incident, "root_cause") == [
        "The inventory client waited 60 seconds on each read, so the workers ran dry."
    ]
    assert texts(incident, "diagnosis") == [
        "thread dumps all showed workers blocked on inventory HTTP calls"
    ]
    timeout, pushed, paused = incident.part("mitigation")
    assert timeout.text.startswith("decision: shorten the read timeout")
    assert timeout.effect_minutes == 5
    # The change that carried the decision out, with what came of it at once.
    assert (pushed.text, pushed.effect_minutes) == ("config pushed, latency back under 300 ms", 0)
    assert paused.text == "batch job paused, inventory recovered"


def test_what_the_responders_did_first_is_an_action_whatever_follows():
    incident = read_text(
        """
        ## Summary
        Staging was not reachable so I reverted the version bump, which brought staging back
        but was reverted again later. Our nightly job then replaced the nodes, which caused
        the second outage.
        """
    )
    assert texts(incident, "mitigation") == [
        "Staging was not reachable so I reverted the version bump, which brought staging back "
        "but was reverted again later."
    ]
    # A process, not the responders, did the second: its sentence tells the cause.
    assert texts(incident, "root_cause") == [
        "Our nightly job then replaced the nodes, which caused the second outage."
    ]


def test_actions_on_one_line_keep_their_order_and_an_attempt_that_did_not_help_is_no_step():
    incident = read_text(
        """
        **Mitigation:** Our team reverted the route change. Traffic flowed again. Engineering doubled the instances. It did not change much. Engineering fenced the old leader.
        """  # noqa: E501 - a vendor's paragraph, on one line as published
    )
    assert texts(incident, "mitigation") == [
        "Our team reverted the route change. Traffic flowed again.",
        "Engineering fenced the old leader.",
    ]


def test_where_the_incident_stood_is_no_action():
    incident = read_text(
        """
        ## Summary
        Customers may have seen increased latency and failed requests. Retries may have
        succeeded. The service retrieved stale data from the replica.

        ## Timeline
        - 09:10 The issue was mitigated.
        - 09:20 Mitigation was complete; all services have been restored.

        ## How did we respond?
        Our mitigation systems were alerted automatically at 09:01. Traffic returned to
        normal at 09:20 without further remediation, when the impact would have been
        mitigated.
        """
    )
    assert texts(incident, "mitigation") == []
    assert texts(incident, "detection") == [
        "Our mitigation systems were alerted automatically at 09:01."
    ]
    kinds = {e.text: e.kinds for e in incident.timeline}
    assert "milestone" in kinds["Mitigation was complete; all services have been restored."]
    assert "mitigation" not in kinds["The issue was mitigated."]


def test_a_field_table_and_a_definition_of_terms():
    incident = read_text(
        """
        | Field | Value |
        |---|---|
        | Root cause | Disk full on the primary from unrotated logs |
        | Resolution | Truncated the logs and added logrotate |
        """
    )
    assert texts(incident, "root_cause") == ["Disk full on the primary from unrotated logs"]
    assert texts(incident, "resolution") == ["Truncated the logs and added logrotate"]


def test_an_incident_review_asks_its_parts_as_questions_in_a_table():
    incident = read_text(
        """
        ## Detection & Response

        | Question | Answer |
        | -------- | ------ |
        | Who was impacted by this incident? | All GitLab.com users |
        | How was the incident detected? | The WebErrorRateHigh alert paged the SRE on call |
        | What steps were taken to remediate? | We rolled back the deploy and raised the pool size |
        """
    )
    assert texts(incident, "impact") == ["All GitLab.com users"]
    assert texts(incident, "detection") == ["The WebErrorRateHigh alert paged the SRE on call"]
    assert texts(incident, "mitigation") == ["We rolled back the deploy and raised the pool size"]


def test_a_cause_without_a_heading_is_found_by_what_it_says():
    incident = read_text(
        """
        ## Summary
        Checkout failed for an hour. The outage was caused by an expired TLS certificate on
        the payment gateway. This meant every payment was refused.
        """
    )
    causes = texts(incident, "root_cause")
    assert any("caused by an expired TLS certificate" in c for c in causes)
    assert not any(c.startswith("This meant") for c in causes)  # what followed, not why
    assert [m.id for m in incident.failure_modes][:1] == ["certificate-expiry"]


def test_what_a_sentence_opens_as_the_result_of_the_one_before_tells():
    incident = read_text(
        """
        ## Issue Summary
        Blocks were not filled to capacity. The selection loop stopped at the first
        transaction too large for the block. This resulted in blocks with only a few
        transactions. Search was down for an hour. This led to many support tickets.
        The pool held 20 connections. This was caused by a config push that lowered it.
        """
    )
    causes = texts(incident, "root_cause")
    assert "The selection loop stopped at the first transaction too large for the block." in (
        causes
    )
    # The harm before a further harm is no cause; nor is what "was caused by" explains.
    assert "Search was down for an hour." not in causes
    assert "The pool held 20 connections." not in causes
    assert not any(c.startswith("Blocks were not filled") for c in causes)
    # Also what "means" follows from, and what a thing named turned out to do.
    named = texts(
        read_text(
            "## Summary\n\nWe scaled the worker nodes to 12. This increase would turn out to "
            "push the subnets to their limit. The chart renamed an argument. This means part of "
            "our configuration was ignored. This was a problem.\n"
        ),
        "root_cause",
    )
    assert "We scaled the worker nodes to 12." in named
    assert "The chart renamed an argument." in named
    created = read_text(
        "## Summary\n\nThis design created a situation where nodes and deployments had to "
        "be balanced per zone.\n"
    )
    assert texts(created, "root_cause") == [
        "This design created a situation where nodes and deployments had to be balanced per zone."
    ]


@pytest.mark.parametrize(
    "sentence",
    [
        "Chia detected sub optimal transaction inclusion in blocks.",
        "The team noticed elevated latency on checkout.",
    ],
)
def test_a_symptom_noticed_by_how_it_differed_is_the_detection(sentence: str):
    incident = read_text(
        f"""
        ## Timeline
        - 09:00 {sentence}
        - 09:20 A better selection algorithm was merged.
        """
    )
    assert texts(incident, "detection") == [sentence]
    assert texts(incident, "trigger") == []


def test_a_plan_told_among_the_fix_is_a_follow_up_and_a_purpose_is_no_plan():
    incident = read_text(
        """
        ## Resolution and recovery
        Recovery was performed by scanning the two machines that opened the attachment.
        More training will be conducted in the future. Acme plans to have a red team test
        the runners.

        To prevent such a situation in the future, a new block-fill algorithm was created.
        """
    )
    fixes = " ".join(texts(incident, "resolution"))
    assert "scanning the two machines" in fixes
    assert "new block-fill algorithm was created" in fixes  # done, for a purpose
    assert "training" not in fixes
    assert "red team" not in fixes
    plans = texts(incident, "follow_ups")
    assert "More training will be conducted in the future." in plans
    assert any(p.startswith("Acme plans to have a red team") for p in plans)


def test_finding_the_cause_is_not_the_cause():
    incident = read_text(
        """
        ## Timeline
        - 09:00 errors start
        - 09:05 alert fired
        - 09:40 root cause identified
        """
    )
    assert not any("root cause identified" in c for c in texts(incident, "root_cause"))


def test_what_the_finding_showed_is_the_cause():
    incident = read_text(
        """
        ## Timeline
        - 09:00 errors start
        - 09:05 alert fired
        - 09:40 root cause analysis showed that one tenant opened thousands of consumer groups
        - 09:50 concluded that a batch container was retrying without backoff
        - 09:55 discovered that the agent was down due to a new memory limit
        - 10:10 root cause analysis showed that
        """
    )
    causes = texts(incident, "root_cause")
    assert any(c.startswith("root cause analysis showed that one tenant") for c in causes)
    assert any(c.startswith("concluded that a batch") for c in causes)
    assert any(c.startswith("discovered that the agent") for c in causes)
    assert not any(c.endswith("showed that") for c in causes)  # found, and nothing told


def test_actions_responders_took_are_mitigations_with_how_soon_they_worked():
    incident = read_text(
        """
        ## Timeline
        All times UTC.
        - 09:00 deploy of orders-api v2.3 starts
        - 09:04 alert OrdersHighErrorRate fired
        - 09:06 on-call acknowledged
        - 09:10 checked the dashboards; thread dumps all showed the pool blocked
        - 09:15 rolled back to v2.2
        - 09:19 error rate back to normal
        - 09:30 resolved
        """
    )
    mitigations = incident.part("mitigation")
    assert [s.text for s in mitigations] == ["rolled back to v2.2"]
    assert mitigations[0].effect_minutes == 4.0
    assert texts(incident, "diagnosis") == [
        "checked the dashboards; thread dumps all showed the pool blocked"
    ]
    assert texts(incident, "trigger") == ["deploy of orders-api v2.3 starts"]
    moments = {m.name: (m.at.strftime("%H:%M"), m.source) for m in incident.milestones}
    assert moments["detected_at"] == ("09:04", "timeline")
    assert moments["acknowledged_at"] == ("09:06", "timeline")
    assert moments["mitigated_at"] == ("09:19", "timeline")
    assert moments["resolved_at"] == ("09:30", "timeline")


def test_what_set_it_off_is_told_apart_from_how_it_was_noticed_and_what_it_did():
    incident = read_text(
        """
        ## Timeline
        | Time | Event |
        |---|---|
        | 09:00 | New fluentd configuration deployed through Terraform |
        | 09:20 | The chain stalled at height 4779033. |
        | 09:41 | Received alert: Fluentd available buffer space ratio alert |
        | 10:04 | Root cause discovered: the annotations used a malformed ARN |
        | 10:23 | Buggy release has been fully reverted back to the previous release |
        """
    )
    # Before anyone noticed: the change set it off, the stall is what it did.
    assert texts(incident, "trigger") == ["New fluentd configuration deployed through Terraform"]
    assert texts(incident, "symptoms") == ["The chain stalled at height 4779033."]
    moments = moments_of(incident)
    assert moments["detected_at"] == "09:41"
    causes = texts(incident, "root_cause")
    assert "Received alert: Fluentd available buffer space ratio alert" not in causes
    # What was found, told after the colon, is the cause; a fault named in an action's object
    # is the action's.
    assert "Root cause discovered: the annotations used a malformed ARN" in causes
    assert not [c for c in causes if "reverted" in c]
    assert texts(incident, "mitigation") == [
        "Buggy release has been fully reverted back to the previous release"
    ]


def test_what_set_it_off_is_its_cause_only_where_it_tells_a_change_or_a_cause():
    incident = read_text(
        """
        ## Timeline
        - 08:30 Maintenance window for the autoscaling groups started
        - 08:32 Kubernetes upgrade commenced
        - 08:40 VPC CNI replaced by the pipeline
        - 08:45 Alert fired: all services returning 503
        - 09:10 Rolled back the CNI change
        """
    )
    assert texts(incident, "trigger") == [
        "Kubernetes upgrade commenced",
        "VPC CNI replaced by the pipeline",
    ]
    # That work began is when, not why; the change made is why.
    assert texts(incident, "root_cause") == ["VPC CNI replaced by the pipeline"]


def test_a_provider_s_blog_post_is_read_for_why_when_and_what_next():
    incident = read_text(
        """
        At 13:40 UTC an engineer merged a managed rule intended to block a new SQL injection
        pattern. Within two minutes the regex backtracked catastrophically on large bodies. Our
        load balancers took those servers out of rotation, which made things worse. We are
        sorry for the errors this caused.

        At 13:46 our synthetic monitoring paged the on-call engineer. At 14:01 we pushed a
        kill switch that disables the ruleset. Error rates returned to baseline at 14:19.

        ## Why it happened

        A regular expression that could backtrack exponentially on some inputs.

        ## What we are doing

        - Move the WAF to a regex engine with linear-time guarantees.

        We are sorry for the disruption this caused our customers.
        """,
        start="2026-03-04T13:42:00Z",
    )
    # Why: the rule's regex; the attack it was meant to block is no failure of this one.
    assert [m.id for m in incident.failure_modes][:1] == ["performance-bug"]
    assert "vulnerability-exploited" not in {m.id for m in incident.failure_modes}
    # What made it worse eased nothing; when error rates were back, it was over (a paragraph
    # that opens with a time and tells three is prose, not one entry).
    assert not [t for t in texts(incident, "mitigation") if "out of rotation" in t]
    assert moments_of(incident)["resolved_at"] == "14:19"
    # What they will do, and an apology that is neither a plan nor a cause.
    assert texts(incident, "follow_ups") == [
        "Move the WAF to a regex engine with linear-time guarantees."
    ]
    assert not [t for t in texts(incident, "root_cause") if "sorry" in t]


def test_a_data_team_s_review_in_a_table_with_the_zone_in_its_column():
    incident = read_text(
        """
        **Timeline**

        | Time (PST) | What happened |
        |---|---|
        | 02:10 | Export job starts as scheduled |
        | 03:05 | `Container killed by YARN for exceeding memory limits` |
        | 06:55 | Finance pings #data-oncall asking where the report is |
        | 07:02 | On-call acks and starts looking at the Spark UI |
        | 07:48 | Bumped spark.executor.memory from 8g to 16g and re-ran the DAG |
        | 09:35 | Export completes |
        | 09:40 | Finance confirms the report is in |
        """,
        start="2026-02-11T10:10:00Z",
    )
    # The columns' names are no entry; the zone in one holds for the times below it.
    assert incident.timeline[0].text == "Export job starts as scheduled"
    assert incident.timeline[0].at == datetime(2026, 2, 11, 10, 10, tzinfo=UTC)
    moments = {m.name: m.at.astimezone(timezone(timedelta(hours=-8))).strftime("%H:%M")
               for m in incident.milestones}  # fmt: skip
    assert (moments["detected_at"], moments["acknowledged_at"]) == ("06:55", "07:02")
    assert moments["resolved_at"] == "09:35"
    assert texts(incident, "verification") == ["Finance confirms the report is in"]
    assert [m.id for m in incident.failure_modes][:1] == ["memory-exhaustion"]


def test_an_on_call_s_own_account_in_the_first_person():
    incident = read_text(
        """
        I got paged at 14:12 CEST: the search-api health check was failing. Two data nodes
        were past the flood stage watermark, so every index had turned read-only. The culprit
        was our log index, which had stopped rolling over when someone renamed its policy.

        I deleted the two oldest log indices and cleared the read-only block. Search came back
        at 15:20. I then fixed the policy name so the log index rolls over again.

        Lessons for us: alert on disk usage well before the flood stage.
        """,
        start="2026-05-19T14:05:00+02:00",
    )
    assert [m.id for m in incident.failure_modes][:1] == ["disk-full"]
    assert any(c.startswith("The culprit was our log index") for c in texts(incident, "root_cause"))
    moments = {m.name: m.at.strftime("%H:%M") for m in incident.milestones}
    assert moments["resolved_at"] == "15:20"
    assert "I then fixed the policy name so the log index rolls over again." in texts(
        incident, "mitigation"
    )
    assert texts(incident, "lessons") == ["alert on disk usage well before the flood stage."]


def test_a_provider_s_review_lists_only_the_steps_taken_as_its_response():
    incident = read_text(
        """
        **What went wrong and why?**

        A change was deployed to reduce the memory footprint of the routing metadata. The
        change contained a defect that made the edge proxy crash. Our health monitoring
        detected the crashes at 09:39 UTC, but the automated rollback was not triggered
        because the crash rate stayed below the rollback threshold.

        **How did we respond?**

        - 09:39 UTC – Monitoring alerted on elevated proxy restarts.
        - 09:52 UTC – Engineers correlated the restarts with the configuration rollout.
        - 10:05 UTC – The rollout was paused.
        - 10:40 UTC – Traffic was rebalanced to healthy edge sites in France Central.
        - 11:05 UTC – Rollback completed and error rates returned to normal.
        """,
        start="2026-01-21T09:32:00Z",
    )
    # What the signal saw, a rollback that never ran and a rollback's threshold are no steps;
    # the rollback that did run is told only by its end.
    assert texts(incident, "mitigation") == [
        "The rollout was paused.",
        "Traffic was rebalanced to healthy edge sites in France Central.",
        "Rollback completed and error rates returned to normal.",
    ]
    assert "code-deploy" in {m.id for m in incident.failure_modes}  # a change with a defect


def test_a_leaked_key_s_timeline_names_the_provider_s_notice_and_what_was_shut():
    incident = read_text(
        """
        ## Timeline (UTC)
        - 16:20 Commit with the key pushed to the public repo `acme/infra-examples`
        - 16:31 AWS support case: "Your AWS account may be compromised"
        - 16:35 Security on-call paged by the AWS Health event
        - 16:41 Key deactivated in IAM; CloudTrail shows RunInstances calls from one IP
        - 16:50 All 14 instances terminated
        - 16:52 the attacker's key pair and security group deleted
        - 17:30 Service control policy added to deny RunInstances outside our regions
        """,
        start="2026-04-02T16:20:00Z",
    )
    assert moments_of(incident)["detected_at"] == "16:31"
    assert texts(incident, "mitigation") == [
        "Key deactivated in IAM; CloudTrail shows RunInstances calls from one IP",
        "All 14 instances terminated",
        "the attacker's key pair and security group deleted",
        "Service control policy added to deny RunInstances outside our regions",
    ]


def test_the_last_of_the_whys_is_the_root_cause_where_no_part_names_one():
    whys = """
        ## Five whys
        1. Why were instances launched? Someone had our CI deploy key.
        2. Why did they have it? It was committed to a public repo.
        3. Why does the CI user have long-lived keys at all? We never moved CI to OIDC.
        """
    incident = read_text(whys)
    assert texts(incident, "root_cause") == ["We never moved CI to OIDC."]
    assert len(texts(incident, "whys")) == 3
    # Where the post-mortem names its root cause, that is it.
    named = read_text(
        textwrap.dedent(whys) + "\n## Root cause\nA deploy key committed to a public repo.\n"
    )
    assert len(texts(named, "whys")) == 3
    assert texts(named, "root_cause") == ["A deploy key committed to a public repo."]


def test_words_that_look_like_steps_and_are_not():
    incident = read_text(
        """
        ## Summary
        No data was lost; 1,220 customers saw failures over 1 hour 33 minutes.

        ## Timeline
        - 15:49 The first report came from a customer, not from our alerts.
        - 16:08 Informed the account managers of the larger customers
        - 16:18 Timed the same migration on a restored copy of production
        - 16:27 Restarted catalog-svc on all nodes, but the errors came back
        - 16:43 Rolled catalog-svc back to 2022.11.1
        - 16:50 Rolled the flag change back as well
        """
    )
    # "Failures over" is no failover, a restored copy no restore, an early relief no step.
    assert texts(incident, "mitigation") == [
        "Rolled catalog-svc back to 2022.11.1",
        "Rolled the flag change back as well",
    ]
    # Telling the account managers is news given, not how it was noticed.
    assert texts(incident, "detection") == [
        "The first report came from a customer, not from our alerts."
    ]


def test_a_table_with_owners_and_statuses_lists_plans_under_any_heading():
    incident = read_text(
        """
        ## Timeline
        - 09:05 alert fired
        - 09:30 Reverted the route table change

        ## Actions

        | # | Action | Owner | Status |
        | --- | --- | --- | --- |
        | 1 | Shorten timeouts between services | Jonas | Open |
        | 2 | Require a quorum for writes | Diego | In progress |
        """
    )
    assert texts(incident, "mitigation") == ["Reverted the route table change"]
    assert [t.split(" — ")[1] for t in texts(incident, "follow_ups")] == [
        "Shorten timeouts between services",
        "Require a quorum for writes",
    ]


def test_a_step_a_summary_table_repeats_takes_its_timeline_entry_s_time():
    incident = read_text(
        """
        | Key | Details |
        |---|---|
        | **Mitigation** | Put the database host back to its previous value |

        # Events

        | Time (UTC) | Event |
        |---|---|
        | 08:07 | The bff 5xx alert paged the on-call engineer. |
        | 08:51 | Put the database host back to its previous value |
        | 08:52 | Bff was healthy again. |
        """,
        start="2024-06-20T08:02:00Z",
    )
    (step,) = incident.part("mitigation")
    assert (step.at, step.effect_minutes) == (datetime(2024, 6, 20, 8, 51, tzinfo=UTC), 1.0)


def test_updates_headed_by_their_time_are_the_timeline():
    incident = read_text(
        """
        ### Update 1 (07:55 UTC)
        Builds on the shared runners are queued for 20+ minutes. We're looking into it.

        ### Update 2 (08:10 UTC)
        The autoscaler is throttled by the cloud API because a cleanup cron loops.

        ### Update 3 (08:22 UTC)
        We disabled the cleanup cron and the autoscaler is launching runners again. Queue is
        draining.

        ### Update 4 (08:47 UTC)
        Queue is back to normal. Closing this incident.
        Follow-up issues: #4412 (rate-limit the cleanup job)
        """,
        start="2026-06-03T07:40:00Z",
    )
    moments = moments_of(incident)
    assert (moments["acknowledged_at"], moments["mitigated_at"]) == ("07:55", "08:22")
    assert moments["resolved_at"] == "08:47"
    # The update's sentence that tells the action is the step, with the update's time.
    (step,) = incident.part("mitigation")
    assert step.text == (
        "We disabled the cleanup cron and the autoscaler is launching runners again."
    )
    assert step.at == datetime(2026, 6, 3, 8, 22, tzinfo=UTC)
    assert texts(incident, "follow_ups") == ["#4412 (rate-limit the cleanup job)"]


def test_a_look_named_by_its_command_is_no_step():
    incident = read_text(
        """
        ## Response
        The `OrdersWriteErrors` alert paged the on-call at 22:17. She checked `patronictl list`,
        which showed pg-orders-2 as leader. At 22:29 she ran `RELOAD` on PgBouncer and restarted
        the orders-api pods.
        """,
        start="2026-07-09T22:14:00Z",
    )
    assert texts(incident, "diagnosis") == [
        "She checked `patronictl list`, which showed pg-orders-2 as leader."
    ]
    assert texts(incident, "mitigation") == [
        "At 22:29 she ran `RELOAD` on PgBouncer and restarted the orders-api pods."
    ]


def test_a_day_heading_after_the_timeline_heading_goes_on_with_it():
    incident = read_text(
        """
        ## Timeline

        _All times in UTC_

        ## July 22
        5:10 AM
        Team checks Grafana and the hub database

        5:20 AM
        The engineer restarted the hub with a higher memory limit
        """,
        start="2025-07-22T05:00:00Z",
    )
    assert [(e.at.strftime("%m-%d %H:%M"), e.line) for e in incident.timeline] == [
        ("07-22 05:10", 15),
        ("07-22 05:20", 18),  # the entry's words, on the line after its time
    ]
    (restart,) = incident.part("mitigation")
    assert (restart.line, restart.at) == (18, datetime(2025, 7, 22, 5, 20, tzinfo=UTC))


def test_a_faq_tells_none_of_the_story():
    incident = read_text(
        """
        ## Summary
        The wallet rejected valid offers.

        ## FAQ
        **Why is this change happening?**

        The standard was upgraded because a vulnerability was found, which caused offers to
        be rejected. We rolled back the wallet for everyone who asked.
        """
    )
    told = " ".join(s.text for _, ss in incident.parts for s in ss)
    assert "vulnerability" not in told
    assert "rolled back" not in told


def test_plans_are_not_actions():
    incident = read_text(
        """
        ## Summary
        We will add a second provider so we can fail over next time.

        ## Action items
        - Restart the pool automatically when it saturates.
        """
    )
    assert texts(incident, "mitigation") == []
    assert texts(incident, "follow_ups") == ["Restart the pool automatically when it saturates."]


def test_a_table_row_with_its_own_date_is_that_day_even_out_of_order():
    incident = read_text(
        """
        ## Timeline (all times UTC)

        | Day | Date (2022) | Time (UTC) | Event |
        |-----|-------------|------------|-------|
        | Thur | Jan 20 | 22:40 | The employee was logged out |
        | Thur | Jan 20 | 22:06 | Audit logs show the account suspended |
        | Fri | Jan 21 | 01:31 | Cleared all active sessions |
        | Fri | Jan 21 | 00:20 | Support chat opened |
        """,
        start="2022-01-20",
    )
    assert [e.at.strftime("%m-%d %H:%M") for e in incident.timeline] == [
        "01-20 22:40",
        "01-20 22:06",
        "01-21 01:31",
        "01-21 00:20",
    ]


def test_a_list_a_lead_in_of_the_cause_opens_is_the_cause_whatever_its_words():
    named = read_text(
        "## Summary\n\nThe root cause was a combination of:\n\n- a cache TTL set to zero\n"
        "- a retry loop without backoff\n\nWe rolled back at 10:00.\n"
    )
    assert texts(named, "root_cause") == [
        "The root cause was a combination of:",
        "a cache TTL set to zero",
        "a retry loop without backoff",
    ]
    assert texts(named, "mitigation") == ["We rolled back at 10:00."]
    counted = read_text(
        "## Issue Summary\n\nSearch was slow. With these 3 bugs, a client would:\n\n"
        "- enter the queue twice\n- block the writer\n"
    )
    assert texts(counted, "root_cause") == [
        "With these 3 bugs, a client would:",
        "enter the queue twice",
        "block the writer",
    ]
    assert texts(counted, "mitigation") == []
    # What the list tells, said as what led there: the entries are the cause, the lead-in
    # none, and a result told after the list follows from them.
    events = read_text(
        "## Issue Summary\n\nThe following situation occurred:\n\n"
        "- a transaction was close in size to the block limit\n"
        "- its fee was too low to be picked first\n\n"
        "As a result blocks held only a few transactions.\n"
    )
    assert texts(events, "root_cause") == [
        "a transaction was close in size to the block limit",
        "its fee was too low to be picked first",
    ]
    # The bugs that were fixed are the fixes, not the cause.
    fixed = read_text("## Resolution\n\nThe following bugs were fixed:\n\n- cache TTL\n")
    assert texts(fixed, "root_cause") == []


def test_the_biggest_factor_is_a_cause_named_and_weighing_a_step_is_a_plan():
    incident = read_text(
        "## Summary\n\nWe consider the lack of least privilege the biggest factor in this "
        "incident. We should consider adding an alert on node deletions. Consider that each "
        "team should run its own exporter.\n"
    )
    assert texts(incident, "root_cause") == [
        "We consider the lack of least privilege the biggest factor in this incident."
    ]
    # "Considering that …" is "given that": what follows is done.
    given = read_text(
        "## Summary\n\nConsidering that a rewrite is not trivial, we rolled back the sync job.\n"
    )
    assert texts(given, "mitigation") == [
        "Considering that a rewrite is not trivial, we rolled back the sync job."
    ]


def test_a_notice_received_told_in_the_passive_is_how_it_was_noticed():
    incident = read_text(
        """
        ## Timeline
        - 09:12 An email was received by the user from Okta about a login attempt from abroad.
        - 09:18 The user logged in to his Okta account.
        - 09:31 IPS locked the Okta account for the user.
        """
    )
    assert moments_of(incident)["detected_at"] == "09:12"
    assert texts(incident, "mitigation") == ["IPS locked the Okta account for the user."]


def test_a_look_in_a_clause_of_when_leads_to_the_action_it_opens():
    incident = read_text(
        "## Summary\n\nRouting broke for one sub-path. Once identified the issue was resolved "
        "by rolling back the Traefik change. When alerted, the team investigated the crashing "
        "component and implemented the vendor specific fix to solve the issue. When debugging "
        "began the instances had already been shut down.\n"
    )
    assert texts(incident, "mitigation") == [
        "Once identified the issue was resolved by rolling back the Traefik change.",
        "When alerted, the team investigated the crashing component and implemented the vendor "
        "specific fix to solve the issue.",
    ]


def test_a_change_told_in_a_long_headline_or_the_present_perfect_is_what_was_done():
    incident = read_text(
        """
        ## Timeline
        - 10:21 Alert fired: Prometheus down
        - 16:35 Manually setting CPU and memory limits on the Prometheus pod.
        - 09:36 CPU and memory requests and limits on the Prometheus pod implemented in IaC

        ## Summary
        We have now changed lifecycle management for the autoscaling groups.
        """
    )
    assert texts(incident, "mitigation") == [
        "Manually setting CPU and memory limits on the Prometheus pod.",
        "CPU and memory requests and limits on the Prometheus pod implemented in IaC",
        "We have now changed lifecycle management for the autoscaling groups.",
    ]


def test_a_change_set_going_before_the_notice_set_it_off():
    incident = read_text(
        """
        ## Timeline
        - 07:32 Daily pipeline run starts modifying the autoscaling groups. (problem started)
        - 07:39 A user reported seeing 503 for all services.
        """
    )
    told = "Daily pipeline run starts modifying the autoscaling groups. (problem started)"
    assert texts(incident, "trigger") == [told]
    assert told in texts(incident, "root_cause")


def test_what_the_problem_looks_like_is_a_cause_found():
    incident = read_text(
        """
        ## Timeline
        - 09:00 Alert fired: hub pods restarting
        - 11:24 Angus investigates startup. It looks like the problem is the outer join.
        """
    )
    assert texts(incident, "root_cause") == [
        "Angus investigates startup. It looks like the problem is the outer join."
    ]


def test_an_action_only_readied_for_is_no_step():
    incident = read_text(
        """
        ## Timeline
        - 17:39 Alert fired: agents not allocated
        - 18:19 Record plugin file system times in case rollback needed
        - 19:14 Identify candidate plugins for rollback
        - 19:20 We're working on it, expect an LDAP restart.
        - 19:25 New plugin versions are not made available to users.
        - 19:30 No log-in possible during the LDAP restart.
        - 19:40 Two services had been put down before we could mitigate.
        - 19:50 Staging was not accessible so I reverted the version bump.
        - 19:55 We continue to migrate the storage system in order to restore access.
        - 20:01 Deployed the release candidate and restarted the controller
        """
    )
    assert texts(incident, "mitigation") == [
        "Staging was not accessible so I reverted the version bump.",
        "Deployed the release candidate and restarted the controller",
    ]


def test_a_span_an_unknown_minute_an_action_not_done_and_one_said_complete():
    incident = read_text(
        """
        ## Timeline

        | Time | Event |
        |---|---|
        | 2022-01-25 09:00 - 11:00 | Ongoing investigation and troubleshooting to find root cause |
        | 2022-01-25 11:10 | We started a full node rollover on the cluster. |
        | 2022-01-25 11:25 | Node rollover completed. |
        | 2022-01-25 11:40 | One node didn't even try to uncordon. |
        | 2022-01-25 11:41 | The other node said it was uncordoning, but nothing happened |
        | 2022-01-25 14:?? | Scaled the dev container down to 0 replicas. |
        | 2022-01-25 15:00 | Errors back to normal. |
        """,
        start="2022-01-25T08:50:00Z",
    )
    entries = [(e.at.strftime("%H:%M") if e.at else None, e.text) for e in incident.timeline]
    assert entries[0] == ("09:00", "Ongoing investigation and troubleshooting to find root cause")
    assert (None, "Scaled the dev container down to 0 replicas.") in entries
    # Saying they worked on it names no look; a rollover said complete dates its effect.
    assert texts(incident, "diagnosis") == []
    assert texts(incident, "mitigation") == [
        "We started a full node rollover on the cluster.",
        "Scaled the dev container down to 0 replicas.",
    ]
    (rollover, _) = incident.part("mitigation")
    assert rollover.effect_minutes == 15


def test_an_entry_whose_words_run_onto_more_lines_cites_them_all():
    incident = read_text(
        """
        ## Timeline

        09:12 AM: The alert fired for failed logins.

        09:31 AM: It was determined that the login page had been changed by a deploy
                  of the new form. The deploy was rolled back
                  and logins recovered.
        09:40 AM: The on-call engineer confirmed logins were healthy.
        """
    )
    lines = {s.text.split()[0]: (s.line, s.end) for s in incident.part("mitigation")}
    # Lines 13 to 15 of the file (the front matter is 7 lines): the entry, and the two lines
    # its words run onto; the entry after it is not one of them.
    assert lines == {"It": (13, 15)}


def test_a_scaling_told_by_its_numbers_in_a_log_pasted_as_the_timeline():
    incident = read_text(
        """
        ## Timeline

        ```
        14:02:11 UTC  alert HighErrorRate firing for checkout
        14:05:00 UTC  sam acked the page
        14:12:00 UTC  sam: scaled checkout-db read replicas from 2 to 4
        14:27:00 UTC  error rate back to baseline
        ```
        """,
        start="2024-05-02T14:00:00Z",
    )
    (step,) = incident.part("mitigation")
    assert step.text == "sam: scaled checkout-db read replicas from 2 to 4"
    assert step.effect_minutes == 15


def test_a_narrative_that_tells_its_moments_as_lapses_gives_them_their_times():
    incident = read_text(
        """
        ## What happened

        At 09:10 UTC the payments API started timing out. Our synthetic check caught it four
        minutes later and paged Ana. She killed the runaway batch job at 09:31 and latency
        recovered within two minutes.
        """,
        start="2024-06-11T09:10:00Z",
    )
    assert moments_of(incident)["detected_at"] == "09:14"
    assert texts(incident, "detection") == [
        "Our synthetic check caught it four minutes later and paged Ana."
    ]
    # How soon it eased, said with the action: "recovered within two minutes".
    (killed,) = incident.part("mitigation")
    assert killed.effect_minutes == 2.0
    # A time that opens its clause leads into what follows its comma; a time the clause
    # then gives in passing, of something before ("had started at 09:00"), is not when.
    later = read_text(
        """
        ## What happened

        At 09:10 UTC the payments API started timing out. Ten minutes after that, Ana found
        the pool held by a batch job that had started at 09:00.
        """,
        start="2024-06-11T09:10:00Z",
    )
    entries = [(e.at.strftime("%H:%M"), e.text[:16]) for e in later.timeline if e.at]
    assert entries == [("09:10", "At 09:10 UTC the"), ("09:20", "Ten minutes afte")]


def test_what_came_in_named_as_a_label_and_someone_picking_it_up():
    incident = read_text(
        """
        ## Timeline (CEST)

        - 08:40 — Support ticket: "search shows items we deleted yesterday"
        - 08:55 — Priya picks up the ticket
        - 09:12 — Raised indexer heap from 2g to 4g and restarted the deployment
        - 09:40 — Lag back under 5 minutes
        """,
        start="2024-09-03T08:40:00+02:00",
    )
    assert moments_of(incident) == {
        "started_at": "08:40",
        "detected_at": "08:40",
        "acknowledged_at": "08:55",
        "mitigated_at": "09:40",
        "resolved_at": "09:40",
    }
    # What came in is how it was noticed, not what set it off ("deleted" is the user's word).
    assert texts(incident, "trigger") == []


def test_results_as_a_noun_name_no_cause():
    incident = read_text(
        """
        ## Summary

        On Tuesday morning search results in the EU region were up to six hours old. A
        catalogue that doubled in size results in an indexer that crashes in a loop.
        """
    )
    assert texts(incident, "root_cause") == [
        "A catalogue that doubled in size results in an indexer that crashes in a loop."
    ]


def test_impact_eased_no_later_than_the_author_says_it_was_resolved():
    text = (
        "---\nid: R-1\ntitle: T\nstarted_at: 2021-06-08T05:35:00Z\n"
        "resolved_at: 2021-06-08T11:08:00Z\nseverity: P1\nservices: [ci]\n---\n\n"
        "## Timeline\n\n- 09:35 Agents randomly disconnected\n"
        "- 11:20 ci.jenkins.io is back to normal since 11:08 after a restart\n"
    )
    incident, _ = incident_from_bytes(text.encode(), "incidents/a.md", UTC)
    assert incident is not None
    assert moments_of(incident)["mitigated_at"] == "11:08"  # not the update's 11:20


def test_what_a_system_is_supposed_to_do_is_no_action_taken():
    incident = read_text(
        """
        ## Issue Summary

        The default branch of the website was renamed from master to main. When this type of
        change is made, the CI processes are supposed to engage and redeploy the site from the
        renamed branch. Due to a bug in the CI system this did not occur. Support engineers
        restarted the stalled pipeline and the site recovered.
        """
    )
    assert texts(incident, "mitigation") == [
        "Support engineers restarted the stalled pipeline and the site recovered."
    ]


def test_a_look_still_to_come_is_no_look():
    incident = read_text(
        """
        ## Timeline
        - 21:00 abuse report received from the provider
        - 21:30 IPS turns off all instances as a precaution until further investigation can be done
        """
    )
    assert texts(incident, "diagnosis") == []
    assert texts(incident, "mitigation") == [
        "IPS turns off all instances as a precaution until further investigation can be done"
    ]


def test_what_a_thing_kept_doing_by_itself_is_a_symptom_not_an_action():
    incident = read_text(
        """
        ## What happened
        Around half past eight customers complained. I acknowledged the page. By then the
        gateway pods were restarting every few minutes.

        ## Resolution
        We were restarting the pods one by one. Then the secrets are being rotated.
        """
    )
    told = texts(incident, "mitigation")
    assert not any("every few minutes" in t for t in told), told
    assert told == [
        "We were restarting the pods one by one.",
        "Then the secrets are being rotated.",
    ]


def test_a_look_at_nothing_named_takes_the_incident_up_and_is_no_step():
    incident = read_text(
        """
        ## Timeline
        - 14:05 bot banned from the chat API, member verification stops
        - 14:13 Issue is looked into.
        - 14:20 We looked at the bot's error logs: HTTP 429 on every call.
        - 14:40 Reconfigured the proxy with the new addresses; verification works again.

        ## Summary
        We started by looking at the obvious things.
        """
    )
    moments = moments_of(incident)
    assert moments["acknowledged_at"] == "14:13"
    assert texts(incident, "diagnosis") == [
        "We looked at the bot's error logs: HTTP 429 on every call."
    ]
    assert texts(incident, "mitigation") == [
        "Reconfigured the proxy with the new addresses; verification works again."
    ]


def test_a_way_in_made_to_look_is_no_mitigation_and_looking_on_is_no_look():
    incident = read_text(
        """
        ## Timeline
        - 10:21 We received a lot of alerts about Prometheus i/o timeouts
        - 10:25 Security group was updated to allow SSH connections to the nodes.
        - 10:30 We opened port 22 so we could ssh into the node.
        - 10:49 We started a full node rollover on the cluster.
        - 11:25 Incident declared resolved on the status page, but investigations continued.
        - 11:30 Investigation is still in progress to resolve the issue and find the cause.
        - 11:40 Investigation of the kubelet logs showed the disk full.
        """
    )
    assert texts(incident, "mitigation") == ["We started a full node rollover on the cluster."]
    assert texts(incident, "diagnosis") == [
        "Investigation of the kubelet logs showed the disk full."
    ]


def test_a_status_update_that_only_announces_the_looking_is_no_diagnosis():
    incident = read_text(
        """
        ## Timeline
        - 14:49 We are investigating reports of degraded performance for API Requests.
        - 14:50 Pull Requests is degraded. We are still investigating and will provide an update.
        - 14:52 Investigating DB problems.
        - 14:58 We continue to investigate the cause of high latency.
        - 15:05 We have identified the issue and are deploying a fix.
        - 15:06 We are currently analyzing the issue and fixing it.
        - 15:06 We identified an issue that impacts some customers and are working on it.
        - 15:06 We have identified a problem causing an issue with Pull Requests for some users.
        - 15:07 We looked at the database dashboard, which showed replication lag at 40 s.
        - 15:20 We investigated the error logs and found a bad index on the events table.
        - 15:30 We have rolled back the change and are monitoring recovery.
        - 15:40 We have confirmed that the fix has resolved the issue in the regions it reached.
        """
    )
    assert texts(incident, "diagnosis") == [
        "We looked at the database dashboard, which showed replication lag at 40 s.",
        "We investigated the error logs and found a bad index on the events table.",
    ]


def test_a_look_that_found_all_well_is_no_diagnosis_but_verifies_what_was_done():
    incident = read_text(
        """
        ## Timeline
        - 09:00 Alert fired: hub pods pending
        - 09:10 Engineer checks the node pool and finds it at its maximum size
        - 09:20 Engineer raises the node pool maximum to 20
        - 10:00 Community confirms the workshop is running smoothly
        - 10:30 Engineer confirms the cache was not working as expected
        """
    )
    assert texts(incident, "diagnosis") == [
        "Engineer checks the node pool and finds it at its maximum size",
        "Engineer confirms the cache was not working as expected",
    ]
    # By its "confirms", once something was done, it verifies what was.
    assert "Community confirms the workshop is running smoothly" in texts(incident, "verification")


def test_what_set_it_off_is_found_behind_a_run_of_what_users_saw():
    incident = read_text(
        """
        ## Timeline

        | Time | Event |
        |---|---|
        | 2023-04-11 11:20 | Fluentd was upgraded to latest version during normal maintenance |
        | 2023-04-11 11:20 | First node stops shipping logs to CloudWatch |
        | 2023-04-11 17:15 | Second node stops shipping logs to CloudWatch |
        | 2023-04-11 18:55 | Third node stops shipping logs to CloudWatch |
        | 2023-04-11 20:28 | Alert for Fluentd is noticed by engineer |
        | 2023-04-11 22:04 | Engineer rolls back the faulty version to the previous release |
        """,
        start="2023-04-11T11:20:00Z",
    )
    assert texts(incident, "trigger") == [
        "Fluentd was upgraded to latest version during normal maintenance"
    ]
    assert texts(incident, "symptoms") == [
        "First node stops shipping logs to CloudWatch",
        "Second node stops shipping logs to CloudWatch",
        "Third node stops shipping logs to CloudWatch",
    ]


def test_a_log_excerpt_under_the_root_cause_is_its_evidence_not_the_cause():
    incident = read_text(
        """
        ## Root Cause
        The proxy still forwarded traffic to an address released two days before.

        ```
        x.x.x.x - - [29/Jun/2022:03:28:53 +0000] "GET /.env HTTP/1.1" 200 884
        ```

        ## Resolution
        ```
        kubectl rollout restart deployment/proxy -n edge
        ```
        """
    )
    assert texts(incident, "root_cause") == [
        "The proxy still forwarded traffic to an address released two days before."
    ]
    assert texts(incident, "resolution") == ["kubectl rollout restart deployment/proxy -n edge"]


def test_an_action_with_its_purpose_is_done_and_a_failed_attempt_eased_nothing():
    incident = read_text(
        """
        ## Timeline
        - 09:00 alert OrdersHighErrorRate fired
        - 09:05 restarting the pods did not help
        - 09:10 rolling back did not help either; failing over to the replica did
        - 09:20 we bumped the pool limit so they will have enough connections
        - 09:25 the pool will be resized tomorrow; we would rather restart it at night
        - 09:26 rollback fails due to ArgoCD configuration issues
        - 09:27 error rates remain elevated despite the rollback
        - 09:28 engineer attempts hub pod restarts
        - 09:29 engineers attempted to scale up the workers
        - 09:29 tried to drain the node, which fixed the errors
        - 09:29 we are working to mitigate the issue and are preparing to fail over
        - 09:29 we're in the process of applying the fix
        - 09:30 error rate back to normal
        """
    )
    assert texts(incident, "mitigation") == [
        "rolling back did not help either; failing over to the replica did",
        "we bumped the pool limit so they will have enough connections",
        "tried to drain the node, which fixed the errors",
    ]


def test_an_action_said_in_the_passive_is_a_mitigation():
    incident = read_text(
        """
        ## Timeline
        - 22:00 suspicious logins seen on an admin account
        - 22:05 customers report being blocked by the site
        - 22:09 the admin's account was then disabled
        - 23:30 all secrets are being rotated
        - 23:45 version 2.2.0 was released, including the fix
        - 23:50 the memory limits of the hub pods were raised
        - 23:55 the AMI of the launch configuration was rolled to the previous known good one
        """
    )
    assert texts(incident, "mitigation") == [
        "the admin's account was then disabled",
        "all secrets are being rotated",
        "version 2.2.0 was released, including the fix",
        "the memory limits of the hub pods were raised",
        "the AMI of the launch configuration was rolled to the previous known good one",
    ]


def test_the_responders_conclusion_is_the_cause():
    incident = read_text(
        """
        ## Summary
        The hub was down for two hours. After investigation, we determined that the core pods
        had no memory guarantees. The suspicion is that user pods starved them.

        I think it's likely that the scheduler ran out of memory too. The logs kept repeating
        one warning. This makes me suspect that the loop died. We all theorised that the
        outage was related to the stress test. I think the hub pod is fine.

        ## What we did
        We looked at the node metrics.
        """
    )
    causes = texts(incident, "root_cause")
    assert any(c.startswith("After investigation, we determined that") for c in causes)
    assert any(c.startswith("The suspicion is that") for c in causes)
    assert not any("node metrics" in c for c in causes)
    # What the writer believes, said in the first person, is their conclusion too.
    assert any(c.startswith("I think it's likely that") for c in causes)
    assert any(c.startswith("This makes me suspect") for c in causes)
    assert any(c.startswith("We all theorised that") for c in causes)
    assert not any("hub pod is fine" in c for c in causes)
    # How they found it is diagnosis too; a guess with no look behind it is not.
    looks = texts(incident, "diagnosis")
    assert any(c.startswith("After investigation, we determined that") for c in looks)
    assert not any(c.startswith("The suspicion is that") for c in looks)


def test_a_lead_in_sentence_opens_the_list_of_what_fixed_it():
    incident = read_text(
        """
        ## Summary
        The hub was down for two hours.

        This was resolved by:

        1. Giving core pods more memory guarantees
        2. Removing memory overcommit for students

        It was mitigated by:

        - Moving users to a second node pool
        """
    )
    assert texts(incident, "resolution") == [
        "Giving core pods more memory guarantees",
        "Removing memory overcommit for students",
    ]
    # What resolved it was done, as what mitigated it was: each is an action.
    assert texts(incident, "mitigation") == [
        "Giving core pods more memory guarantees",
        "Removing memory overcommit for students",
        "Moving users to a second node pool",
    ]


def test_a_list_that_names_what_an_action_touched_is_no_action_of_its_own():
    incident = read_text(
        """
        ## Mitigation
        We scaled the ingestion workers to clear the backlog while monitoring:

        - Lag per partition
        - Throughput
        - Created a new partitioned table with a fresh OID space

        We engaged the database vendor to analyze:

        - Query plans
        - Disk read amplification

        We mitigated it with the following steps:

        - Reduced local retention for the topic
        - Failover
        """
    )
    said = texts(incident, "mitigation") + texts(incident, "resolution")
    assert not {"Lag per partition", "Throughput", "Query plans"} & set(said)
    # Entries that name an action of their own, however short, are steps.
    assert {"Reduced local retention for the topic", "Failover"} <= set(said)
    assert "Created a new partitioned table with a fresh OID space" in said  # says more


def test_the_front_matter_tells_the_story_of_a_yaml_incident():
    text = """\
id: INC-2025-050
title: Search latency
started_at: 2025-02-01T08:00:00Z
severity: P3
services: [search-api]
summary: Search p99 rose to 4 s.
root_cause:
  summary: A cold cache after a deploy.
timeline:
  - "08:00 deploy"
  - "08:09 alert fires"
  - "08:40 cache warm again; resolved"
"""
    incident, _ = incident_from_bytes(text.encode(), "incidents/a.yaml", UTC)
    assert incident is not None
    assert incident.section("summary") == "Search p99 rose to 4 s."
    assert texts(incident, "root_cause")[0] == "A cold cache after a deploy."
    assert [e.at.strftime("%H:%M") for e in incident.timeline if e.at] == [
        "08:00",
        "08:09",
        "08:40",
    ]
    assert incident.timeline[1].line == 11


# --- Timelines, however they are written ------------------------------------------------------


def test_timeline_formats_and_midnight_rollover():
    start = datetime(2025, 3, 14, 23, 50, tzinfo=UTC)
    lines = [
        "All times UTC.",
        "- 23:50 — start",
        "- **23:58** alert fires",
        "* 00:10 UTC: acknowledged",
        "- 2025-03-15 01:00 — resolved",
        "- 09:12 +02:00 — a local time",
        "- not a time — kept, undated",
        "1. 02:30 - numbered",
    ]
    events = parse_timeline(lines, start, first_line=10)
    assert [e.text for e in events] == [
        "start",
        "alert fires",
        "acknowledged",
        "resolved",
        "a local time",
        "not a time — kept, undated",
        "numbered",
    ]
    assert events[2].at == datetime(2025, 3, 15, 0, 10, tzinfo=UTC)
    assert events[4].at == datetime(2025, 3, 15, 9, 12, tzinfo=timezone(timedelta(hours=2)))
    assert events[5].at is None
    assert events[0].line == 11


def test_lists_told_apart_are_merged_by_time_and_a_stated_day_holds():
    # GitLab's review template: the steps taken under a question, then a timeline that repeats
    # them, headed by its day.
    start = datetime(2023, 8, 14, 13, 2, tzinfo=UTC)
    lines = [
        "- 13:25 checked the Sidekiq dashboard",
        "- 14:05 scaled the shard to 40 pods",
        "",
        "## Timeline",
        "",
        "2023-08-14",
        "",
        "- 13:02 batching change enabled for all projects",
        "- 13:16 EOC paged by the apdex alert",
        "- 14:38 incident mitigated",
        "- no time: kept after the entry before it",
        "",
        "## Notes",
        "",
        "- a list of no times stays where it is told",
        "- 13:30 and a list that opens so, on the clock of the lists before it",
    ]
    events = [e for e in parse_timeline(lines, start, 1) if e.text]
    assert [(e.at and e.at.strftime("%d %H:%M"), e.text[:22]) for e in events] == [
        ("14 13:02", "batching change enable"),
        ("14 13:16", "EOC paged by the apdex"),
        ("14 13:25", "checked the Sidekiq da"),
        ("14 14:05", "scaled the shard to 40"),
        ("14 14:38", "incident mitigated"),
        (None, "no time: kept after th"),
        (None, "a list of no times sta"),
        # A list that opens earlier than the lists before it reached goes back that day.
        ("14 13:30", "and a list that opens "),
    ]
    # Past midnight, a new list goes on to the next day, as one list does.
    late = ["- 23:40 alert fired", "- 23:50 paged", "", "## Mitigation", "", "- 00:10 restarted"]
    placed = [e.at.strftime("%d %H:%M") for e in parse_timeline(late, start, 1) if e.at]
    assert placed == ["14 23:40", "14 23:50", "15 00:10"]
    # A heading that opens with its day, then names what happened, dates the entries under it.
    days = ["### October 21, 2025 - Redis overload", "", "- 21:45 deploy", "- 23:28 recovered",
            "", "### October 24, 2025 - Rate limiting", "", "- 18:00 deploy"]  # fmt: skip
    placed = [e.at.strftime("%d %H:%M") for e in parse_timeline(days, start, 1) if e.at]
    assert placed == ["21 21:45", "21 23:28", "24 18:00"]
    # Lists apart by blank lines alone are lists apart too.
    apart = ["- 14:40 fixed", "", "", "", "- 14:14 alert fired"]
    placed = [e.at.strftime("%d %H:%M") for e in parse_timeline(apart, start, 1) if e.at]
    assert placed == ["14 14:14", "14 14:40"]


def test_an_incident_tools_milestones_a_name_then_its_time():
    incident = read_text(
        """
        ## Milestones

        | Milestone | Time |
        |---|---|
        | Started | Nov 12, 2024 at 3:02 PM EST |
        | Detected | Nov 12, 2024 at 3:07 PM EST |
        | Acknowledged | Nov 12, 2024 at 3:09 PM EST |
        | Mitigated | Nov 12, 2024 at 3:41 PM EST |
        | Resolved | Nov 12, 2024 at 4:15 PM EST |

        ## Timeline

        - 3:38 PM Rolled back checkout to v2024.11.12.2
        """,
        start="2024-11-12T15:02:00-05:00",
    )
    assert moments_of(incident) == {
        "started_at": "15:02",
        "detected_at": "15:07",
        "acknowledged_at": "15:09",
        "mitigated_at": "15:41",
        "resolved_at": "16:15",
    }
    # A moment named is no step; the timeline's own entries go back to that afternoon.
    assert texts(incident, "mitigation") == ["Rolled back checkout to v2024.11.12.2"]


def test_a_bold_day_heads_the_entries_of_its_day_in_a_timeline():
    incident = read_incident(
        read_text(
            """\
            ## Timeline (CET)

            **Monday 12 February**

            - 07.40 Nightly payroll export job fails with `ORA-01555: snapshot too old`.
            - 09.10 Undo retention raised to 3 hours.

            **Tuesday 13 February**

            - 2:15 p.m. Export verified by Finance; incident closed.
            """,
            start="2024-02-12T07:40:00+01:00",
        )
    )[0]
    resolved = next(m.at for m in incident.milestones if m.name == "resolved_at")
    assert resolved.isoformat() == "2024-02-13T14:15:00+01:00"


def test_an_italic_day_with_a_two_digit_year_heads_its_entries():
    incident = read_text(
        """\
        ## Timeline (PST)
        _4/21/23_

        11:12 AM: An email arrived about a login from an unfamiliar address.

        _4/24/23_

        9:00 AM: The laptop was erased and reset.
        """,
        start="2023-04-21T11:12:00-07:00",
    )
    when = [(e.at.isoformat() if e.at else None, e.text[:12]) for e in incident.timeline]
    assert when == [
        ("2023-04-21T11:12:00-07:00", "An email arr"),
        ("2023-04-24T09:00:00-07:00", "The laptop w"),
    ]
    # Two digits of year only between slashes: a version number is no day.
    assert times.leading_date("1.2.11 was released", 2023) is None


def test_a_day_and_month_without_a_year_before_a_clock():
    incident = read_incident(
        read_text(
            """\
            ## Timeline (EDT)

            - 06/18 10:40pm - TLS handshake errors start on edge
            - 06/18 10:52pm - Pingdom alert, on-call paged
            - 06/19 12:15am - Renewed the certificate with `certbot renew` and reloaded nginx
            - 06/19 12:20am - Errors stop
            - 1/3 of requests had failed by then
            """,
            start="2024-06-18T22:40:00-04:00",
        )
    )[0]
    at = {m.name: m.at.isoformat() for m in incident.milestones}
    assert at["detected_at"] == "2024-06-18T22:52:00-04:00"
    assert at["mitigated_at"] == "2024-06-19T00:20:00-04:00"  # "Errors stop"
    assert times.leading("1/3 of requests had failed", 2024) is None  # no clock: no day
    assert times.leading("23/06 22:40 x", 2024)[0].day == date(2024, 6, 23)  # type: ignore[index]


def test_a_span_of_two_clocks_is_no_offset_from_utc():
    span = times.leading("14:02-14:10 Investigating the pool", 2024)
    assert span is not None
    assert (span[0].hour, span[0].minute, span[0].zone, span[1]) == (
        14,
        2,
        None,
        "Investigating the pool",
    )
    # With its day, or apart from the clock, an offset is one.
    dated = times.leading("2024-03-05T10:02:33-0500 alert fires", 2024)
    apart = times.leading("10:02 -05:00 alert fires", 2024)
    assert dated is not None
    assert apart is not None
    assert (dated[0].zone, apart[0].zone) == ("-0500", "-05:00")
    events = parse_timeline(["- 14:02-14:10 Investigating the pool"], _utc(3, 5, 14, 0), 1)
    assert events[0].at == _utc(3, 5, 14, 2)  # it was read as 14:02 at an offset of -10:10


@pytest.mark.parametrize(
    ("line", "said"),
    [
        ("**June 14th, 2022, 10:00 AM:** Trail of Bits reported it", "Trail of Bits reported it"),
        ("__10:02:__ alert fired", "alert fired"),
        ("**10:02** - alert fired", "alert fired"),
        # A bold that opens after the time is the entry's own label, and stays.
        ("**10:02**: **Resolved** - all clear", "**Resolved** - all clear"),
        ("10:02 **Resolved** - all clear", "**Resolved** - all clear"),
    ],
)
def test_a_time_in_bold_leaves_no_mark_on_its_entry(line: str, said: str):
    found = times.leading(line, 2022)
    assert found is not None
    assert found[1] == said


@pytest.mark.parametrize(
    "line", ["2018-01-20 ~1:00 UTC ::::: split", "2018-01-20 approx. 1:00 UTC split"]
)
def test_a_clock_known_roughly_after_its_day_is_placed(line: str):
    found = times.leading(line, 2018)
    assert found is not None
    stamp, rest = found
    assert (stamp.day, stamp.hour, stamp.minute, stamp.zone, rest) == (
        date(2018, 1, 20),
        1,
        0,
        "UTC",
        "split",
    )


def test_a_zone_named_by_its_city_places_the_entries_after_it():
    events = parse_timeline(
        [
            "- 16:37 Denver - Mark updated the plugins",
            "- 17:39 Denver - detected that agents were not allocated",
            "- 18:00 agents allocated again",
            "- 18:10 Phoenix pipeline restarted",
        ],
        datetime(2021, 5, 29, 22, 0, tzinfo=UTC),
        1,
    )
    assert [e.text for e in events][:2] == [
        "Mark updated the plugins",
        "detected that agents were not allocated",
    ]
    # Mountain daylight time, UTC-6; a zone said on an entry holds for those after it, and
    # a city's name with no separator after it is the entry's word, not a zone.
    assert [e.at.astimezone(UTC).strftime("%H:%M") for e in events if e.at] == [
        "22:37",
        "23:39",
        "00:00",
        "00:10",
    ]
    assert events[3].text == "Phoenix pipeline restarted"


def test_a_zone_named_once_on_a_later_entry_holds_for_the_entries_above_it_too():
    """ "… we closed the incident at 01:32 JST" names the zone the whole story was told in:
    paged at 01:01 is 16:01 UTC the day before, not 01:01 UTC, fifteen hours before the
    start. Where two zones are named, each holds from where it is said, as before."""
    events = parse_timeline(
        [
            "At about 01:01 we got paged for ProcessFdsNearLimit.",
            "",
            "At about 01:15 Noor rolled shipping-api back, and the errors stopped.",
            "",
            "By about 01:20 things looked normal again, and we closed the incident at 01:32 JST.",
        ],
        datetime(2025, 2, 3, 15, 58, tzinfo=UTC),
        1,
    )
    assert [e.at.astimezone(UTC).strftime("%m-%d %H:%M") for e in events if e.at] == [
        "02-03 16:01",
        "02-03 16:15",
        "02-03 16:20",  # "By about 01:20": a clock told roughly is placed too
        "02-03 16:32",
    ]
    mixed = parse_timeline(
        ["- 09:00 Alert fired.", "- 09:05 PDT vendor paged.", "- 17:30 UTC vendor replied."],
        datetime(2025, 2, 3, 9, 0, tzinfo=UTC),
        1,
    )
    assert [e.at.astimezone(UTC).strftime("%H:%M") for e in mixed if e.at] == [
        "09:00",
        "16:05",
        "17:30",
    ]


def test_a_time_mistyped_in_a_list_stays_where_its_author_put_it():
    lines = ["| Time | Event |", "|---|---|", "| Jan 20 22:40 | employee logged out |"]
    lines += ["| Jan 20 22:06 | audit log reviewed |", "| Jan 20 22:08 | account suspended |"]
    lines += ["", "## Later", "", "- Jan 20 22:07 the admin called"]
    events = parse_timeline(lines, datetime(2022, 1, 20, 22, 0, tzinfo=UTC), 1)
    # Merged at the heads of the lists: the entry told after the mistyped one in its list
    # stays after it.
    assert [e.text for e in events] == [
        "the admin called",
        "employee logged out",
        "audit log reviewed",
        "account suspended",
    ]


def test_the_steps_and_the_timeline_of_a_review_read_in_time_order():
    incident = read_incident(
        read_text(
            """\
            ## Detection & Response

            Start time of incident: 2023-08-14 13:02 UTC

            1. How was the incident detected? An apdex alert paged the EOC at 13:16.
            2. What steps were taken to remediate?
                - 13:25 The EOC checked the Sidekiq dashboard: queue depth at 1.2M jobs.
                - 13:40 We disabled the `ci_schedule_batching` feature flag.

            ## Timeline

            2023-08-14

            - 13:02 A new scheduled-pipeline batching change is enabled for 100% of projects.
            - 13:16 EOC paged by the apdex alert.
            - 14:38 Incident mitigated.
            """,
            start="2023-08-14T13:02:00Z",
        )
    )[0]
    assert moments_of(incident)["detected_at"] == "13:16"
    assert incident.part("trigger")[0].text.startswith("A new scheduled-pipeline batching")
    assert [s.text[:11] for s in incident.part("mitigation")] == ["We disabled"]
    assert all(m.at.date() == date(2023, 8, 14) for m in incident.milestones)


@pytest.mark.parametrize(
    "noticed",
    [
        "13:16 EOC paged by the apdex alert.",
        "13:16 Paged by the apdex monitor.",
        "13:16 EOC paged.",
        "13:16 Support escalates three double-charge tickets.",
    ],
)
def test_paged_by_an_alert_is_how_it_was_noticed(noticed):
    body = f"## Timeline\n\n- 13:02 Batching enabled for all projects.\n- {noticed}\n"
    body += "- 13:25 Priya checks `redis-cli INFO stats`.\n- 13:40 We disabled the flag.\n"
    incident = read_incident(read_text(body, start="2023-08-14T13:02:00Z"))[0]
    assert moments_of(incident)["detected_at"] == "13:16"
    assert texts(incident, "detection") == [noticed[6:]]


def test_a_terse_timeline_of_names_and_states():
    incident = read_incident(
        read_text(
            """\
            ## Timeline

            - 14:02 Login error rate alert
            - 14:05 PagerDuty: High error rate on auth-api
            - 14:07 @dana is IC
            - 14:20 Rolled back auth 3.1
            - 14:25 Error rate back to normal
            - 14:40 Monitoring
            - 15:00 Closed
            """,
            start="2024-03-05T14:00:00Z",
        )
    )[0]
    assert moments_of(incident) == {
        "started_at": "14:00",
        "detected_at": "14:02",
        "acknowledged_at": "14:07",
        "mitigated_at": "14:25",
        "resolved_at": "15:00",
    }
    assert texts(incident, "detection") == [
        "Login error rate alert",
        "PagerDuty: High error rate on auth-api",
    ]
    assert texts(incident, "mitigation") == ["Rolled back auth 3.1"]
    assert texts(incident, "diagnosis") == []  # "Monitoring" is a state, no look
    assert lexicon.shipped().cue("acknowledgement", "Ana takes incident command") is not None


@pytest.mark.parametrize(
    "noticed", ["The apdex alert for the shard went off at 13:16.", "Detected: 2023-08-14 13:16"]
)
def test_a_moment_named_as_the_start_is_not_when_it_was_noticed(noticed):
    incident = read_incident(
        read_text(
            f"""\
            ## Detection

            Start time of incident: 2023-08-14 13:02 UTC

            {noticed}

            ## Timeline

            - 13:40 We disabled the feature flag.
            """,
            start="2023-08-14T13:02:00Z",
        )
    )[0]
    assert moments_of(incident)["detected_at"] == "13:16"


def _utc(month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(2021, month, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        pytest.param(
            [
                "All times in UTC.",
                "",
                "| Time             | Who   | Event                        |",
                "| :--------------- | ----- | ---------------------------- |",
                "| 2021-06-22 08:21 | CI    | VPC CNI replaced             |",
                "|08:29|| Alert fires |",
                "| 23:10 | Ana | late |",
                "| 00:05 | Ana | next day (resolved) |",
            ],
            [
                # The column of who did it is no word of what was done.
                ("VPC CNI replaced", _utc(6, 22, 8, 21)),
                ("Alert fires", _utc(6, 22, 8, 29)),
                ("late", _utc(6, 22, 23, 10)),
                ("next day (resolved)", _utc(6, 23, 0, 5)),
            ],
            id="a table",
        ),
        pytest.param(
            [
                "| Time  | Event                          | Who  |",
                "| ----- | ------------------------------ | ---- |",
                "| 08:21 | VPC CNI replaced               | CI   |",
                "| 08:29 | Restarted the aws-node pods    | Ana  |",
            ],
            [
                ("VPC CNI replaced", _utc(6, 22, 8, 21)),
                ("Restarted the aws-node pods", _utc(6, 22, 8, 29)),
            ],
            id="a table with who acted last",
        ),
        pytest.param(
            [
                "All times in CET.",
                "- 08:21 Zookeeper restarted",  # Z is a zone only as a word of its own
                "- 08:30 UTC: alert",
                "- 09:00 PDT — a responder in California",
                "| 2021-12-01 08:00 | winter |",
            ],
            # CET is written all year for the local time: UTC+2 in summer, UTC+1 in winter.
            [
                ("Zookeeper restarted", _utc(6, 22, 6, 21)),
                ("alert", _utc(6, 22, 8, 30)),
                ("a responder in California", _utc(6, 22, 16, 0)),
                ("winter", _utc(12, 1, 7, 0)),
            ],
            id="zone names",
        ),
        pytest.param(
            [
                "01-10-2024",
                "",
                "7:32 PM - The chain stalled at height 4779033.",
                "",
                "7:38 PM - Monitoring detected the stall.",
                "",
                "01-31-2024 - The fix was added to the code base.",
            ],
            [
                ("The chain stalled at height 4779033.", datetime(2024, 1, 10, 19, 32, tzinfo=UTC)),
                ("Monitoring detected the stall.", datetime(2024, 1, 10, 19, 38, tzinfo=UTC)),
                ("The fix was added to the code base.", datetime(2024, 1, 31, 12, 0, tzinfo=UTC)),
            ],
            id="a day line, then twelve-hour times",
        ),
        pytest.param(
            [
                "February 16, 2024: 3:44pm UTC",
                "Another login attempt was reported.",
                "",
                "February 16, 2024: 7:20pm UTC",
                "After further investigation the bank matched the access to an integration.",
            ],
            [
                ("Another login attempt was reported.", datetime(2024, 2, 16, 15, 44, tzinfo=UTC)),
                (
                    "After further investigation the bank matched the access to an integration.",
                    datetime(2024, 2, 16, 19, 20, tzinfo=UTC),
                ),
            ],
            id="a day, a colon, then its time",
        ),
        pytest.param(
            [
                "### 08:52 PM",
                "Incoming report that students cannot reach the hub.",
                "### 09:21 PM",
                "Looking at the nodes, resource exhaustion is clear.",
            ],
            [
                ("Incoming report that students cannot reach the hub.", _utc(6, 22, 20, 52)),
                ("Looking at the nodes, resource exhaustion is clear.", _utc(6, 22, 21, 21)),
            ],
            id="a heading per time",
        ),
        pytest.param(
            [
                "At about ten past nine we saw the first errors. We rolled back at 09:40 and by"
                " half past ten everything was green.",
            ],
            [
                ("At about ten past nine we saw the first errors.", _utc(6, 22, 9, 10)),
                ("We rolled back at 09:40", _utc(6, 22, 9, 40)),
                ("by half past ten everything was green.", _utc(6, 22, 10, 30)),
            ],
            id="prose",
        ),
        pytest.param(
            [
                "- T-10 min: config pushed",
                "- T+0: deploy starts",
                "- T+4m: alert fires",
                "- T+1:02 errors back to normal",
                "- T+1h05m: incident closed",
                "- T+2h 10m: review booked",
            ],
            [
                ("config pushed", _utc(6, 22, 5, 50)),
                ("deploy starts", _utc(6, 22, 6, 0)),
                ("alert fires", _utc(6, 22, 6, 4)),
                ("errors back to normal", _utc(6, 22, 7, 2)),
                ("incident closed", _utc(6, 22, 7, 5)),
                ("review booked", _utc(6, 22, 8, 10)),
            ],
            id="relative to the start",
        ),
        pytest.param(
            ["- 7:30 AM JST deploy", "- at 14h05 errors", "- 2021-06-22 08:21 CET rollback"],
            [
                ("deploy", _utc(6, 21, 22, 30)),
                ("errors", _utc(6, 22, 5, 5)),  # in JST too: no zone stated for the timeline
                ("rollback", _utc(6, 22, 6, 21)),
            ],
            id="zones and forms",
        ),
        pytest.param(
            ["- 08:05 UTC+2 deploy", "- 01:10 GMT-05:00 errors", "- 11:40 UTC+0530 rollback"],
            [
                ("deploy", _utc(6, 22, 6, 5)),
                ("errors", _utc(6, 22, 6, 10)),
                ("rollback", _utc(6, 22, 6, 10)),
            ],
            id="offsets from UTC",
        ),
    ],
)
def test_timeline_entries(lines: list[str], expected: list[tuple[str, datetime]]):
    events = parse_timeline(lines, _utc(6, 22, 6, 0), first_line=1)
    assert [(e.text, e.at) for e in events] == expected


@pytest.mark.parametrize(
    ("entry", "warned"),
    [
        ("- 2024-03-14 09:00 — alert fires", "2024-03-14 is 365 days before started_at"),
        ("- 2025-05-01 09:00 — resolved", "2025-05-01 is 48 days after started_at"),
        ("- 2025-03-13 23:00 — a deploy the day before", None),
        ("- 2025-04-10 09:00 — resolved after a long month", None),
    ],
)
def test_a_timeline_far_from_the_start_is_warned_about(entry: str, warned: str | None):
    text = incident_text(started_at="2025-03-14T09:00:00Z", resolved_at=None)
    text = text.replace("## Timeline\n", f"## Timeline\n{entry}\n")
    incident, problems = incident_from_bytes(text.encode(), "incidents/a.md", UTC)
    assert incident is not None
    found = [p for p in problems if p.code == "timeline-date"]
    if warned is None:
        assert found == []
    else:
        [problem] = found
        assert problem.level == "warning"
        assert warned in problem.message
        assert text.splitlines()[problem.line - 1] == entry


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1))
def test_a_timeline_entry_keeps_its_first_word(word: str) -> None:
    [event] = parse_timeline([f"- 10:00 {word} restarted"], None, first_line=1)
    zone = word.upper() == word and word in {"Z", "UTC", "GMT", *times.NAMED_ZONES}
    if zone or word.lower() in ("am", "pm"):  # "10:00 AM restarted": a twelve-hour time
        assert event.text == "restarted"
    else:
        assert event.text == f"{word} restarted"


def test_a_zone_name_without_the_time_zone_database_is_its_own_offset(monkeypatch):
    def missing(name: str):
        raise times.ZoneInfoNotFoundError(name)

    monkeypatch.setattr(times, "ZoneInfo", missing)
    [event] = parse_timeline(["- 2021-06-22 08:00 CET alert"], None, first_line=1)
    assert event.at == datetime(2021, 6, 22, 7, 0, tzinfo=UTC)


@given(st.text(max_size=400))
@settings(max_examples=300, deadline=None)
def test_the_reader_never_raises_and_every_line_is_in_the_file(body: str):
    text = FRONT.format(title="T", start="2025-03-14T09:00:00Z") + body
    incident, problems = incident_from_bytes(text.encode(), "incidents/a.md", UTC)
    if incident is None:  # not a file at all (a NUL byte): refused by the loader, and said
        assert any(p.level == "error" for p in problems)
        return
    lines = text.replace("\r\n", "\n").replace("\r", "\n").count("\n") + 1
    for _, statements in incident.parts:
        for statement in statements:
            assert 1 <= statement.line <= statement.end <= lines


# --- What could not be read is said ------------------------------------------------------------


def test_a_timeline_whose_times_cannot_be_placed_says_which_figures_are_unknown():
    text = incident_text(resolved_at=None, started_at="2025-01-10T10:00:00Z").replace(
        "- 10:00 — Errors begin.", "- Errors begin, some time after lunch."
    )
    text = text.split("## Timeline")[0] + "## Timeline\n- errors begin after lunch\n- fixed\n"
    _, problems = incident_from_bytes(text.encode(), "incidents/a.md", UTC)
    [problem] = [p for p in problems if p.code == "timeline-undated"]
    assert "2 of 2 entries have no time that can be placed" in problem.message
    assert "time to detect" in problem.message
    assert "time to resolve" in problem.message


def test_a_p1_with_no_resolution_time_is_warned_about():
    text = incident_text(severity="P1", resolved_at=None).replace("- 11:00 — Resolved.\n", "")
    _, problems = incident_from_bytes(text.encode(), "incidents/a.md", UTC)
    assert [p.code for p in problems if p.code == "no-resolution-time"] == ["no-resolution-time"]


def test_a_signal_just_before_the_start_says_the_start_may_be_late():
    text = incident_text(started_at="2025-01-10T10:10:00Z")
    _, problems = incident_from_bytes(text.encode(), "incidents/a.md", UTC)
    [problem] = [p for p in problems if p.code == "noticed-before-start"]
    assert "noticed at 10:07, before started_at (10:10)" in problem.message
    alert = "- 10:07 — Alert CheckoutHighErrorRate fires."
    assert problem.line == text.splitlines().index(alert) + 1
    # A start given as a day alone is a story that began before it: nothing to say.
    day_only = incident_text(started_at="'2025-01-10'").replace(
        alert, "- 2025-01-09 23:50 — Alert CheckoutHighErrorRate fires."
    )
    _, problems = incident_from_bytes(day_only.encode(), "incidents/a.md", UTC)
    assert not [p for p in problems if p.code == "noticed-before-start"]
    assert problem.hint.startswith("set started_at to when the impact began")


def test_entries_whole_hours_before_the_start_are_likely_local_times():
    """started_at 15:00Z over a timeline written in New York time (10:00 to 11:00, no zone
    said): the hint names the likely cause and both ways out."""
    text = incident_text(started_at="2025-01-10T15:00:00Z", resolved_at=None)
    _, problems = incident_from_bytes(text.encode(), "incidents/a.md", UTC)
    [problem] = [p for p in problems if p.code == "noticed-before-start"]
    assert problem.hint.startswith(
        "the entry at 10:00 is 5 h before started_at: if the timeline is in local time, name "
        'its zone ("All times EDT") or set `timezone:` in learnloop.yml'
    )


# --- Failure modes ------------------------------------------------------------------------------


def test_failure_modes_come_from_why_before_what_it_looked_like():
    incident = read_text(
        """
        ## Summary
        Users saw 503 errors from checkout.

        ## Root cause
        The orders-db connection pool was exhausted: "remaining connection slots are reserved".
        """
    )
    modes = [m.id for m in incident.failure_modes]
    assert modes[0] == "connection-pool-exhaustion"
    assert "remaining connection slots are reserved" in incident.failure_modes[0].matched


def test_the_author_names_a_failure_mode_and_a_wrong_name_is_warned_about():
    text = incident_text().replace("severity: P2", "severity: P2\nfailure_mode: dns-failure")
    incident, _ = incident_from_bytes(text.encode(), "incidents/a.md", UTC)
    assert incident is not None
    assert [(m.id, m.given) for m in incident.failure_modes] == [("dns-failure", True)]
    text = incident_text().replace("severity: P2", "severity: P2\nfailure_mode: gremlins")
    _, problems = incident_from_bytes(text.encode(), "incidents/a.md", UTC)
    assert [p.code for p in problems if p.code == "unknown-failure-mode"] == [
        "unknown-failure-mode"
    ]


def test_a_team_adds_its_own_words(make_repo):
    root = make_repo(
        {
            "a.md": FRONT.format(title="T", start="2025-03-14T09:00:00Z")
            + "## Warum\nDer Pool war erschöpft.\n\n## Abhilfe\n- 09:10 Gateway neu gestartet\n"
        }
    )
    (root / "learnloop.yml").write_text(
        "reader:\n  parts:\n    root_cause: {headings: [warum]}\n"
        "    mitigation: {headings: [abhilfe]}\n"
        "failure_modes:\n  - id: pool-erschoepft\n    family: resource-exhaustion\n"
        "    title: Pool erschöpft\n    phrases: [pool war erschöpft]\n"
    )
    result = CliRunner().invoke(
        cli,
        ["--root", str(root), "check", "--explain", str(root / "incidents" / "a.md"), "--json"],
    )
    found = json.loads(result.output)
    assert [p["text"] for p in found["parts"]["root_cause"]] == ["Der Pool war erschöpft."]
    assert [m["id"] for m in found["failure_modes"]] == ["pool-erschoepft"]
    (root / "learnloop.yml").write_text("reader:\n  parts:\n    nonsense: {headings: [x]}\n")
    bad = CliRunner().invoke(cli, ["--root", str(root), "check"])
    assert bad.exit_code == 1
    assert "'nonsense' is not one of" in bad.output


# --- check --explain -------------------------------------------------------------------------


def test_check_explain_prints_what_was_understood(make_repo):
    root = make_repo({"a.md": incident_text()})
    path = str(root / "incidents" / "a.md")
    result = CliRunner().invoke(cli, ["--root", str(root), "check", "--explain", path, "--json"])
    assert result.exit_code == 0, result.output
    found = json.loads(result.output)
    assert found["id"] == "INC-2025-001"
    assert set(found["parts"]) >= {
        "impact",
        "symptoms",
        "trigger",
        "root_cause",
        "contributing_factors",
        "detection",
        "diagnosis",
        "mitigation",
        "resolution",
        "follow_ups",
    }
    assert found["times"]["started_at"] == {
        "value": "2025-01-10T10:00:00+00:00",
        "from": "front matter",
        "line": 4,
    }
    assert found["times"]["detected_at"]["from"] == "timeline"
    text = CliRunner().invoke(cli, ["--root", str(root), "check", "--explain", path]).output
    assert "Times:" in text
    assert "detected_at" in text
    two = CliRunner().invoke(cli, ["--root", str(root), "check", "--explain", path, path])
    assert two.exit_code == 2


def test_the_shipped_vocabulary_is_data_and_valid():
    words = lexicon.shipped()
    assert words.heading("Timeline (all times PST) 01/16/2024") == "timeline"
    assert words.heading("3. Root Cause") == "root_cause"
    assert words.heading("Corrective and Preventative Measures") == "follow_ups"
    assert words.heading("Attendees") == "aside"  # names, no story
    assert words.heading("Stats") is None
    assert words.label("Summary of impact: x") == ("impact", 19)
    for kind in lexicon.CUES:
        assert words.cues[kind].pattern != "(?!)", kind


def test_reading_twice_gives_the_same_incident(tmp_path: Path):
    incident = read_text("## Timeline\n- 09:00 a\n- 09:05 alert fired\n")
    again, _ = read_incident(incident)
    assert again == incident


def test_a_pipe_escaped_in_a_table_cell_stays_in_its_cell():
    """GitHub's tables write a pipe inside a cell as `\\|`, often in a quoted command: the
    command is kept whole, never cut at the pipe."""
    [row] = blocks("| 09:05 | Ran `du -xh / \\| sort -h` on the node |\n")
    assert row.cells == ("09:05", "Ran `du -xh / | sort -h` on the node")


def test_free_as_a_word_of_what_was_seen_is_no_action():
    incident = read_text(
        """
        ## Timeline
        - 09:05 Checked free addresses in the private subnet: 0.
        - 09:20 Freed disk space on the node.
        """
    )
    assert texts(incident, "mitigation") == ["Freed disk space on the node."]


def test_no_phrase_of_the_analysis_comes_from_the_simulator():
    """The analysis learns its words from real post-mortems: none may be one that only the
    simulator uses (the shared check lists them; it needs ../shared and the datasets)."""
    import subprocess
    import sys

    from tests.conftest import REPO, SHARED

    tool = SHARED / "tools" / "simulator-echo"
    if not tool.is_file() or not (SHARED / "datasets").is_dir():
        pytest.skip("../shared/tools/simulator-echo and the datasets are not here")
    done = subprocess.run(
        [sys.executable, str(tool)], cwd=REPO, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout
    assert done.stdout.strip().endswith(
        "0 phrase(s) of the analysis occur verbatim in the simulator and in no real post-mortem"
    )


def test_a_labelled_entry_after_a_plain_time_keeps_its_label_and_kind():
    incident = read_text(
        "## Timeline\n\n"
        "- 09:00 Pods stuck in Pending.\n"
        "- 09:05 **Detection:** Pods stuck in Pending for five minutes.\n"
        "- 09:20 Marked the nodes as unhealthy; new instances joined.\n"
        "- 09:40 **Recovery:** Pods scheduled again.\n"
        "- 09:45 Verified that all deployments are up and running again.\n"
    )
    kinds = {e.text: e.kinds for e in incident.timeline}
    assert "detection" in kinds["Detection: Pods stuck in Pending for five minutes."]
    assert "recovery" in kinds["Recovery: Pods scheduled again."]
    assert "recovery" in kinds["Verified that all deployments are up and running again."]
    assert texts(incident, "verification") == [
        "Verified that all deployments are up and running again."
    ]


def test_a_check_before_anything_was_done_verifies_nothing():
    incident = read_text(
        "## Timeline\n\n- 09:00 Errors rise.\n- 09:05 Verified that the alert fired.\n"
    )
    assert texts(incident, "verification") == []


def test_reference_link_definitions_are_not_sentences():
    incident = read_text(
        "## Action items\n\n- Add an alert on free addresses per subnet.\n\n"
        '[PM-9]: 2019-11-29-ip-starvation.md\n[docs]: https://example.org/x "Docs"\n'
    )
    assert texts(incident, "follow_ups") == ["Add an alert on free addresses per subnet."]


_CUE_WORDS = [
    "rolled",
    "back",
    "the",
    "release",
    "we",
    "restarted",
    "mitigation",
    "was",
    "complete",
    "reset",
    "offsets",
    "--reset-offsets",
    "failed",
    "over",
    "checked",
    "logs",
    "showed",
    "alert",
    "fired",
    "because",
    "caused",
    "by",
    "engineers",
    "will",
    "investigate",
    "v1.2",
]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(_CUE_WORDS), max_size=14), st.sampled_from(lexicon.CUES))
@example(["it", "was", "caused", "by", "a", "release"], "cause")
@example(["we", "rolled", "it", "back"], "mitigation")
@example(["the", "issue", "was", "fully", "mitigated"], "milestone")
def test_grouped_cues_find_what_the_plain_alternation_finds(said: list[str], kind: str):
    # Cue patterns are grouped by first letter for speed: the match, its start and its end,
    # must be the plain alternation's.
    data = lexicon._data("cues.yml")
    variants = [v for p in data.get(kind) or [] for v in lexicon.phrase_regex(p)]
    plain = re.compile("|".join(rf"(?<!\w){v}" for v in variants) or "(?!)", re.IGNORECASE)
    text = " ".join(said)
    want = plain.search(text)
    got = lexicon.shipped().cue(kind, text)
    assert (got.span() if got else None) == (want.span() if want else None)


def test_every_shipped_cue_is_written_in_the_phrase_syntax():
    # A regular expression's "errors?" would be matched as written and find nothing.
    data = lexicon._data("cues.yml")
    wrong = [(k, p) for k in lexicon.CUES for p in data.get(k) or [] if lexicon._syntax(p)]
    assert wrong == []


@pytest.mark.parametrize(
    "said",
    [
        "errors fell to zero",
        "Error dropped off",
        "- Error rates have subsided, we continue to monitor",  # GitHub's status
        "Response time has improved significantly",
        "config applied, threads free, p99 going down",
        "a hub redeploy which seems to have improved the situation",  # 2i2c
        "TTL of 600 s expires for most resolvers, errors drop",
        "We are monitoring as replication lag recovers.",  # GitHub's status
    ],
)
def test_errors_falling_is_the_impact_easing(said: str):
    assert lexicon.shipped().cue("recovery", said) is not None


@pytest.mark.parametrize(
    "said",
    [
        "`redis-cli --scan --pattern 'sess:*' | xargs redis-cli unlink` at 14:19",
        "we freed 6 GB on the cache host",
    ],
)
def test_a_command_or_a_figure_tells_the_step_done(said: str):
    assert says.done(said, lexicon.shipped()) is not None


@pytest.mark.parametrize(
    "said", ["Georgiana checks Grafana and the hub DB", "open Grafana orders dashboard, p99 28s"]
)
def test_a_tool_named_without_an_article_is_a_look(said: str):
    assert looked(said, lexicon.shipped()) is not None


def test_a_timeline_of_lines_with_no_blank_line_between_is_an_entry_per_time():
    incident = read_text(
        """
        ## Timeline

        12:18 PM: Alert fired for queue depth.
        12:26 PM: We looked at the consumer dashboard and saw lag growing.
        1:31 PM: We restarted the consumers.
                  Lag began to fall afterwards.
        2:57 PM: Lag back to zero, incident resolved.
        """,
        start="2025-03-14T12:00:00Z",
    )
    entries = [(e.at.strftime("%H:%M"), e.text, e.line) for e in incident.timeline]
    assert entries == [
        ("12:18", "Alert fired for queue depth.", 11),
        ("12:26", "We looked at the consumer dashboard and saw lag growing.", 12),
        ("13:31", "We restarted the consumers. Lag began to fall afterwards.", 13),
        ("14:57", "Lag back to zero, incident resolved.", 15),
    ]
    moments = moments_of(incident)
    assert (moments["detected_at"], moments["resolved_at"]) == ("12:18", "14:57")
    assert texts(incident, "mitigation") == [
        "We restarted the consumers. Lag began to fall afterwards."
    ]
    assert texts(incident, "diagnosis") == [
        "We looked at the consumer dashboard and saw lag growing."
    ]


def test_a_paragraph_whose_first_line_tells_no_time_stays_one():
    incident = read_text(
        """
        ## What happened
        The queue stalled on the morning of the release and we were paged
        09:40 was when the consumers restarted on their own.
        """
    )
    assert [b.text for b in timeline.entries_apart(blocks(incident.body))][-1].startswith(
        "The queue stalled"
    )


def test_users_reporting_it_is_detection_but_reporting_back_that_it_works_is_not():
    incident = read_text(
        """
        ## Timeline

        | Time | Event |
        |---|---|
        | 2020-11-04 13:13 | Applied the new admission controller |
        | 2020-11-04 13:20 | Checked everything seemed ok |
        | 2020-11-04 14:41 | Users reporting timeout issues when deploying |
        | 2020-11-04 15:39 | Permanently deleted disruptive admission controller |
        | 2020-11-04 15:50 | First user reports back that it works |
        """,
        start="2020-11-04T13:00:00Z",
    )
    moments = moments_of(incident)
    assert moments["detected_at"] == "14:41"
    assert texts(incident, "detection") == ["Users reporting timeout issues when deploying"]
    # What set it off is the change before the report, not the check that all looked well.
    assert texts(incident, "trigger") == ["Applied the new admission controller"]
    assert texts(incident, "mitigation") == ["Permanently deleted disruptive admission controller"]
    assert texts(incident, "verification") == ["First user reports back that it works"]


def test_a_timeline_written_only_in_a_code_block_is_read_line_by_line():
    incident = read_text(
        """
        ## Timeline

        ```
        12:18 Alert fired for queue depth.

        12:26 We looked at the consumer dashboard and saw lag growing.
        13:31 We restarted the consumers.
        14:57 Lag back to zero.
        ```
        """,
        start="2025-03-14T12:00:00Z",
    )
    entries = [(e.at.strftime("%H:%M"), e.text, e.line) for e in incident.timeline]
    assert entries == [
        ("12:18", "Alert fired for queue depth.", 12),
        ("12:26", "We looked at the consumer dashboard and saw lag growing.", 14),
        ("13:31", "We restarted the consumers.", 15),
        ("14:57", "Lag back to zero.", 16),
    ]
    moments = moments_of(incident)
    assert moments["mitigated_at"] == "14:57"  # the lag back to zero: impact over


def test_a_log_excerpt_beside_a_written_timeline_is_evidence_not_entries():
    incident = read_text(
        """
        ## Timeline
        - 12:18 Alert fired for queue depth.
        - 12:40 We restarted the consumers.

        ```
        12:17:59 ERROR consumer group rebalancing
        12:18:03 ERROR consumer group rebalancing
        ```
        """,
        start="2025-03-14T12:00:00Z",
    )
    assert [e.text for e in incident.timeline] == [
        "Alert fired for queue depth.",
        "We restarted the consumers.",
    ]


def test_a_line_break_in_html_is_a_space():
    incident = read_text(
        """
        ## Timeline
        | Time | Event |
        |---|---|
        | 2025-03-14 12:18 | Alert fired.<br>Queue depth over 10k. |
        | 2025-03-14 12:40 | We restarted the consumers. <br/> Lag began to fall. |
        """
    )
    assert [e.text for e in incident.timeline] == [
        "Alert fired. Queue depth over 10k.",
        "We restarted the consumers. Lag began to fall.",
    ]


def test_a_timeline_under_its_day_and_zone_with_no_blank_lines_as_in_the_sre_template():
    incident = read_text(
        """
        ## Timeline
        2024-05-02 (all times PDT)
        09:14 A post about the new plan is shared widely
        09:16 Checkout error rate climbs
        09:17 on-call receives pager storm, HighErrorRate from all regions
        09:25 on-call decides to shift traffic to the spare region
        09:27 on-call shifted traffic to the spare region
        09:35 Lee adds 4 more nodes
        10:02 error rates back to normal
        """,
        start="2024-05-02T16:14:00Z",
    )
    assert [(e.at.isoformat(), e.line) for e in incident.timeline][:2] == [
        ("2024-05-02T09:14:00-07:00", 11),
        ("2024-05-02T09:16:00-07:00", 12),
    ]
    assert len(incident.timeline) == 7  # the day and zone over them are no entry
    moments = moments_of(incident)
    assert (moments["detected_at"], moments["mitigated_at"]) == ("09:17", "10:02")
    # The decision is not the action it led to; a count between the verb and what was added.
    assert texts(incident, "mitigation") == [
        "on-call shifted traffic to the spare region",
        "Lee adds 4 more nodes",
    ]


def test_a_narrative_with_bold_labels_gives_its_look_its_signal_and_its_mode():
    incident = read_text(
        """
        **What happened**

        Shortly after 14:00 CEST the error budget alert for payments fired. Maria acked at
        14:06. Grafana showed p99 latency at 30 s and the pool wait time climbing; the
        pgbouncer logs were full of "no more connections allowed". At 14:31 Maria rolled back
        the release. Latency went back to normal by 14:49.
        """,
        start="2024-06-11T13:55:00+02:00",
    )
    moments = moments_of(incident)
    assert (moments["detected_at"], moments["acknowledged_at"]) == ("14:00", "14:06")
    assert texts(incident, "diagnosis") == [
        "Grafana showed p99 latency at 30 s and the pool wait time climbing; the pgbouncer logs"
        ' were full of "no more connections allowed".'
    ]
    assert incident.failure_modes[0].id == "connection-pool-exhaustion"
    assert "no more connections allowed" in incident.failure_modes[0].matched


def test_a_tool_named_for_what_it_showed_is_a_look_and_a_zoned_clock_a_moment():
    words = lexicon.shipped()
    assert words.cue("diagnosis", "Datadog showed the error rate at 40%") is not None
    assert words.cue("diagnosis", "The worker logs were flooded with timeouts") is not None
    assert [s.hour for s in times.within("The alert went off 14:00 CEST, then again.")] == [14]
    assert [s.hour for s in times.within("Just after 09:12 the queue stalled.")] == [9]
    assert times.within("Build 14:00 of the image") == []  # a clock alone, placed by nothing


def test_a_table_of_fields_tells_its_moments_and_parts_without_its_labels():
    incident = read_text(
        """
        | Field | Details |
        |---|---|
        | Impact | Between 08:10 and 11:40 UTC search results were stale for all users |
        | Detection | A customer ticket at 09:02 |
        | Root cause | The indexer's consumer group was stuck after a broker restart |
        | Mitigation | Restarted the indexer pods |
        | Resolution | Rolled back the indexer release |
        """,
        start="2024-02-01T08:00:00Z",
    )
    moments = moments_of(incident)
    assert (moments["detected_at"], moments["resolved_at"]) == ("09:02", "11:40")
    assert texts(incident, "mitigation") == [
        "Restarted the indexer pods",
        "Rolled back the indexer release",
    ]
    assert incident.failure_modes[0].id == "queue-backlog"


@pytest.mark.parametrize(
    "line",
    [
        "[14:09] maria: rolling back the deploy",
        "- Mon 14:09 – rolling back the deploy",
        "Tuesday, 14:09: rolling back the deploy",
        "* **14:09** - rolling back the deploy",
        "14.09 rolling back the deploy",
    ],
)
def test_a_chat_log_or_a_weekday_before_the_clock_opens_an_entry(line: str):
    start = datetime(2024, 3, 1, 14, 0, tzinfo=UTC)
    (event,) = parse_timeline([line], start, 1)
    assert event.at == datetime(2024, 3, 1, 14, 9, tzinfo=UTC)
    assert event.text.endswith("rolling back the deploy")
    assert not event.text.startswith(("]", "Mon", "Tue", ":"))


def test_status_updates_pasted_newest_first_with_their_times_below_are_a_timeline():
    incident = read_text(
        """
        **Resolved** - This incident has been resolved.
        Mar 1, 14:20 UTC

        **Monitoring** - We rolled back the deploy and error rates are recovering.
        Mar 1, 14:09 UTC

        **Investigating** - We are investigating elevated errors on checkout.
        Mar 01, 2024 - 14:02 UTC
        """,
        start="2024-03-01T14:00:00Z",
    )
    entries = [(e.at.strftime("%H:%M"), e.text, e.line) for e in incident.timeline]
    assert entries == [
        ("14:02", "Investigating - We are investigating elevated errors on checkout.", 15),
        ("14:09", "Monitoring - We rolled back the deploy and error rates are recovering.", 12),
        ("14:20", "Resolved - This incident has been resolved.", 9),
    ]
    moments = moments_of(incident)
    assert moments["resolved_at"] == "14:20"
    # Read once, as entries: not again as sentences of no part.
    assert [s.how for s in incident.part("mitigation")] == ["timeline"]


def test_a_status_pages_investigating_is_the_incident_taken_up_not_a_look():
    incident = read_text(
        """
        ## Timeline
        - 19:06 — **Investigating** — Some customers are having problems accessing Pages.
        - 19:20 — **Investigating** — We have identified a configuration problem with Pages.
        - 19:46 — **Investigating** — We deployed a configuration fix for Pages.
        - 20:17 — **Resolved** — This incident has been resolved.
        """,
        start="2019-05-16T19:06:00Z",
    )
    assert moments_of(incident)["acknowledged_at"] == "19:06"
    assert texts(incident, "diagnosis") == [
        "Investigating — We have identified a configuration problem with Pages."
    ]
    assert texts(incident, "mitigation") == [
        "Investigating — We deployed a configuration fix for Pages."
    ]


def test_a_dotted_date_is_day_first_a_slashed_one_month_first():
    assert times.leading("01.03.2024 14:02 alert")[0].day == date(2024, 3, 1)
    assert times.leading("03/01/2024 14:02 alert")[0].day == date(2024, 3, 1)
    assert times.leading("13.01.2024 14:02 alert")[0].day == date(2024, 1, 13)


def test_what_is_done_as_a_rule_before_or_later_is_no_action_of_this_incident():
    incident = read_text(
        """
        ## What happened

        We had restarted this service many times before without issue. Our deploy pipeline
        automatically rolls back on failed health checks, but the health check still passed.
        Kubernetes restarted the pods, but they crashed again. A restart would not have
        helped. We're going to add a one-click rollback. Rolling back is usually our first
        step. Scaling up the consumers was considered but rejected. The team rolled back the
        release at 11:05 and the lag started to shrink. We then scaled the consumers from 10
        to 30, which cleared the backlog by 12:10.
        """,
        start="2024-05-02T10:00:00Z",
    )
    assert texts(incident, "mitigation") == [
        "The team rolled back the release at 11:05 and the lag started to shrink.",
        "We then scaled the consumers from 10 to 30, which cleared the backlog by 12:10.",
    ]
    moments = moments_of(incident)
    assert (moments["mitigated_at"], moments["resolved_at"]) == ("11:05", "12:10")


def test_a_story_of_what_one_responder_did_in_one_sentence_is_one_action():
    incident = read_text(
        """
        ## Background
        Every night a job rebuilds the product index and swaps the alias to the new index.

        ## What happened
        The alias swap still happened, so search returned nothing from 08:00. Support raised
        a ticket at 08:40. She deleted the half-built index, which freed 40% of the disk, and
        pointed the alias back at yesterday's index at 09:12. Search results were back at
        09:15.
        """,
        start="2024-06-20T08:00:00Z",
    )
    assert texts(incident, "mitigation") == [
        "She deleted the half-built index, which freed 40% of the disk, and pointed the alias"
        " back at yesterday's index at 09:12."
    ]
    assert texts(incident, "trigger") == []  # what followed from it, not what set it off
    assert lexicon.shipped().cue("mitigation", "We freed 40% of the disk") is not None
    assert lexicon.shipped().cue("recovery", "09:25 - Errors stopped.") is not None
    assert lexicon.shipped().cue("recovery", "09:25 - Requests stopped.") is None  # a symptom
    assert lexicon.shipped().cue("recovery", "| 15:20 | Lag back under 1 minute |") is not None
    moments = moments_of(incident)
    assert (moments["detected_at"], moments["mitigated_at"]) == ("08:40", "09:15")


def test_a_change_and_what_it_had_done_is_a_cause():
    incident = read_text(
        """
        **TL;DR** For 47 minutes card payments timed out. A config change had cut the
        database connection pool from 50 to 5 per pod. We reverted it.
        """
    )
    assert texts(incident, "root_cause") == [
        "A config change had cut the database connection pool from 50 to 5 per pod."
    ]


def test_a_providers_summary_in_one_paragraph_gives_its_actions_and_recovery():
    incident = read_text(
        """
        At 7:30 AM PST, an automated scaling activity triggered a surge of connections that
        overwhelmed the network devices. Operators first focused on moving internal DNS
        traffic away from the congested devices, which completed at 9:28 AM PST. At 1:34 PM
        PST, congestion had significantly improved after operators disabled the scaling
        activity. By 2:22 PM PST, all devices had fully recovered.

        We apologize for the impact this event caused for our customers.
        """,
        start="2021-12-07T07:30:00-08:00",
    )
    assert [s.text.split(",")[0] for s in incident.part("mitigation")] == [
        "Operators first focused on moving internal DNS traffic away from the congested devices",
        "At 1:34 PM PST",
    ]
    moments = moments_of(incident)
    assert (moments["mitigated_at"], moments["resolved_at"]) == ("13:34", "14:22")
    assert not [s for s in incident.part("root_cause") if "apologize" in s.text]


def test_labels_run_together_in_one_paragraph_are_each_their_part():
    incident = read_text(
        """
        Summary of impact: Between 08:21 and 10:35 UTC a subset of customers saw 502 errors.
        Root cause: A bad timeout on the edge. Mitigation: We rolled back the update at 10:05.
        Next steps: We are adding validation of timeout values to the pipeline.

        The team met the next day.
        """,
        start="2021-09-02T08:21:00Z",
    )
    assert texts(incident, "root_cause") == ["A bad timeout on the edge."]
    assert texts(incident, "mitigation") == ["We rolled back the update at 10:05."]
    assert texts(incident, "follow_ups") == [
        "We are adding validation of timeout values to the pipeline."
    ]
    assert [s.line for s in incident.part("follow_ups")] == [11]
    # A label inside a paragraph ends with it: the next paragraph is no follow-up.
    assert not [s for p in ("follow_ups", "mitigation") for s in incident.part(p)
                if "met the next day" in s.text]  # fmt: skip
    # The rollback, told on the root cause's line, is still an action as a moment.
    (rollback,) = [e for e in incident.timeline if "rolled back" in e.text]
    assert "mitigation" in rollback.kinds


def test_how_long_it_lasted_at_the_head_of_a_post_mortem_dates_its_end():
    text = """
        **Date:** 2024-04-02
        **Duration:** 47 minutes

        ## Root cause
        An expired signing key on the auth service.
        """
    incident = read_text(text, start="2024-04-02T10:00:00Z")
    moments = {m.name: (m.at.strftime("%H:%M"), m.source, m.line) for m in incident.milestones}
    # Computed from the start, not written: its source says so.
    assert moments["resolved_at"] == ("10:47", "stated duration", 10)
    # From a start given as a day alone, a duration says nothing of when it ended.
    day_only = read_text(text, start="'2024-04-02'")
    assert "resolved_at" not in {m.name for m in day_only.milestones}
    # Pasted as a quote (a forwarded report), it says the same.
    quoted = read_text(text.replace("**Date", "> **Date").replace("**Duration", "> **Duration"),
                       start="2024-04-02T10:00:00Z")  # fmt: skip
    assert {m.name: m.at.strftime("%H:%M") for m in quoted.milestones}["resolved_at"] == "10:47"


def test_a_change_told_once_responders_are_at_work_is_what_they_did():
    incident = read_text(
        """
        ## Timeline
        | Time | Event |
        |---|---|
        | 09:00 | Upgraded the log shipper on all nodes |
        | 09:10 | Alert fired for missing metrics |
        | 09:15 | Support raised an incident |
        | 09:20 | Upgraded the metrics exporter on the broker |
        | 09:30 | All needed ACLs were attached to the API key |
        | 09:40 | We will upgrade the exporter on staging too |
        """
    )
    acted = texts(incident, "mitigation")
    assert acted == [
        "Upgraded the metrics exporter on the broker",
        "All needed ACLs were attached to the API key",
    ]
    # Before anyone noticed, a change is what set it off.
    assert "Upgraded the log shipper on all nodes" in texts(incident, "trigger")


def test_a_change_told_as_it_happened_or_as_a_headline_is_what_they_did():
    incident = read_text(
        """
        ## Timeline
        - 09:00 Search index settings replaced by the nightly job
        - 09:10 alert fired for search latency
        - 09:15 error rate increases
        - 09:20 danielh lands change to add the records to Route53
        - 09:25 Primary engineer deletes the stuck ingress
        - 09:30 unused log drains removed from the provisioner configuration
        - 09:35 pods evicted from node-3
        - 09:40 Status page updated with incident details
        - 09:45 engineer updates the incident channel
        - 09:50 engineer deletes one of the hub pods to see if it comes back
        - 09:52 to test, engineer deletes the cache pod
        - 09:55 FreshDesk indicates the customer has deleted a folder
        """
    )
    assert texts(incident, "mitigation") == [
        "danielh lands change to add the records to Route53",
        "Primary engineer deletes the stuck ingress",
        "unused log drains removed from the provisioner configuration",
    ]
    # An experiment is a look, said either way.
    looks = texts(incident, "diagnosis")
    assert "engineer deletes one of the hub pods to see if it comes back" in looks
    assert "to test, engineer deletes the cache pod" in looks


def test_a_note_of_a_change_with_no_subject_is_an_action():
    incident = read_text(
        """
        The primary lost its replicas in the other zones. Lowered the MTU on the tunnel
        interfaces at 20:57 UTC.
        """,
        start="2025-08-14T20:15:00Z",
    )
    (lowered,) = incident.part("mitigation")
    assert lowered.text == "Lowered the MTU on the tunnel interfaces at 20:57 UTC."
    assert lowered.at is not None
    assert lowered.at.strftime("%H:%M") == "20:57"
    # Said with a reason why it failed, a change is the cause, no action.
    cause = read_text("Deployed a config change that broke the login page.\n")
    assert not cause.part("mitigation")


def test_a_label_on_a_line_of_its_own_holds_for_that_line():
    incident = read_text(
        """
        Replicas fell far behind after the migration.
        Why: The migration rewrote the sessions table in one transaction.
        Rolled back the migration at 09:40 and replicas caught up.
        """
    )
    assert texts(incident, "root_cause") == [
        "The migration rewrote the sessions table in one transaction."
    ]
    assert texts(incident, "mitigation") == [
        "Rolled back the migration at 09:40 and replicas caught up."
    ]


def test_a_zone_written_on_one_entry_holds_for_the_entries_after_it():
    incident = read_text(
        """
        ## Timeline
        - 09:02 PDT: alert fired for checkout errors
        - 09:10: rolled back the deploy
        - 09:20: errors back to normal
        """,
        start="2025-03-14T16:00:00Z",
    )
    assert [e.at.isoformat() for e in incident.timeline if e.at] == [
        "2025-03-14T09:02:00-07:00",
        "2025-03-14T09:10:00-07:00",
        "2025-03-14T09:20:00-07:00",
    ]


def test_a_post_mortem_in_an_incident_tool_s_template():
    incident = read_text(
        """
        ## Key timestamps

        | Timestamp | Time |
        |---|---|
        | Impact started at | 2 May 2024 10:02 BST |
        | Fixed at | 2 May 2024 10:48 BST |

        ## Summary

        The payments service could not get a connection from its pool after a config change
        lowered the pool size from 40 to 8.

        ## Timeline

        **10:14** Support raised the incident after a spike in customer tickets.

        **10:20** Priya checked the payments dashboard: pool wait time climbing.

        **10:45** Reverted the config change.
        """,
        start="2024-05-02T10:02:00+01:00",
    )
    # A row naming a moment is no impact; "could not" tells what failed, not a plan.
    assert not incident.part("impact")
    assert texts(incident, "root_cause") == [
        "The payments service could not get a connection from its pool after a config change"
        " lowered the pool size from 40 to 8."
    ]
    # Raising the incident is how it was noticed, no action; so the check after it is a look,
    # not a check of a fix (the "Fixed at" row, with no time read, comes before nothing).
    assert texts(incident, "detection") == [
        "Support raised the incident after a spike in customer tickets."
    ]
    assert texts(incident, "mitigation") == ["Reverted the config change."]
    assert not incident.part("verification")


def test_a_page_in_the_present_tense_and_shards_moved_off_a_node():
    incident = read_text(
        """
        ## Timeline

        - **13:58** – template change merged and applied
        - **14:09** – Opsgenie pages on-call
        - **14:32** – Moved 8 shards to other nodes with the reroute API
        - **15:20** – error rates back to normal
        """,
        start="2024-03-14T14:05:00+01:00",
    )
    assert moments_of(incident)["detected_at"] == "14:09"
    # The page is how it was noticed: only what came before it set it off.
    assert texts(incident, "trigger") == ["template change merged and applied"]
    assert texts(incident, "mitigation") == ["Moved 8 shards to other nodes with the reroute API"]
    told = read_text("Heap was at 98%. We moved 8 shards to other nodes, and errors stopped.\n")
    assert texts(told, "mitigation") == ["We moved 8 shards to other nodes, and errors stopped."]


def test_an_action_before_the_first_signal_is_what_set_it_off():
    incident = read_text(
        """
        ## What happened

        During routine patching, kafka-2 was restarted at 02:05 UTC. The workers use a client
        with a known bug: after a leader change they never rejoin the group.

        ## Timeline

        | Time (UTC) | Event |
        |---|---|
        | 2024-06-11 02:05 | kafka-2 restarted by the patching job |
        | 2024-06-11 02:24 | Consumer lag alert fires; Sam paged |
        | 2024-06-11 02:36 | Dana restarts webhook-worker |
        | 2024-06-11 02:52 | Lag back to zero |
        """,
        start="2024-06-11T02:05:00Z",
    )
    assert texts(incident, "mitigation") == ["Dana restarts webhook-worker"]
    assert texts(incident, "trigger") == ["kafka-2 restarted by the patching job"]
    assert (
        "The workers use a client with a known bug: after a leader change they never rejoin"
        " the group." in texts(incident, "root_cause")
    )


def test_an_action_its_author_calls_a_fix_is_the_response_not_what_set_it_off():
    incident = read_text(
        """
        ## Timeline

        | Time (UTC) | Event |
        |---|---|
        | 2025-02-27 19:32 | First occurrence of a node in NodeNotReady state |
        | 2025-03-03 09:52 | Second occurrence of a node in NodeNotReady state |
        | 2025-03-03 16:09 | Pushed potential fix (AMI update, systemReserved increase) to master |
        | 2025-03-03 18:53 | A customer reports their workload stuck pending for 30 minutes |
        """,
        start="2025-02-27T19:32:00Z",
    )
    fix = "Pushed potential fix (AMI update, systemReserved increase) to master"
    assert texts(incident, "mitigation") == [fix]
    assert fix not in texts(incident, "trigger") + texts(incident, "root_cause")


@pytest.mark.parametrize(
    "sentence",
    [
        "The final release was published, including the mac and windows installers.",
        "Chia changed the github setting from [first-time contributors] to [all outside].",
        # The SRE book's example post-mortem.
        "docbrown load balances all traffic to USA-2 cluster.",
        "docbrown starts 2x instance count increase.",
        "jennifer changes load balancing to increase traffic to nonsacrificial clusters.",
        "Sofia re-issues the certificate bundle with the intermediate.",
    ],
)
def test_actions_told_as_people_write_them_are_actions(sentence: str):
    incident = read_text(f"## Resolution\n\n{sentence}\n")
    assert says.action(sentence, lexicon.shipped()) is not None, sentence
    assert texts(incident, "resolution") == [sentence]


def test_a_quota_incident_as_a_public_handbook_writes_one():
    incident = read_text(
        """
        ## Timeline (all times UTC)

        * 13:12 - First reports in #support that jobs are pending for more than 10 minutes.
        * 13:41 - Requested a quota increase from Google Cloud support.
        * 14:10 - Jobs start to be picked up again, slowly.

        ## What can be improved

        * Alert on quota usage above 80%.
        """,
        start="2024-09-03T13:12:00Z",
    )
    (asked,) = incident.part("mitigation")
    assert asked.text == "Requested a quota increase from Google Cloud support."
    assert asked.effect_minutes == 29  # jobs picked up again at 14:10
    assert texts(incident, "lessons") == ["Alert on quota usage above 80%."]


def test_alerting_that_notified_engineers_is_the_signal():
    incident = read_text(
        "Mitigation: Automated alerting notified engineers at 13:27 UTC. We scaled out the"
        " gateway tier to add capacity.\n",
        start="2023-02-02T13:20:00Z",
    )
    assert texts(incident, "detection") == ["Automated alerting notified engineers at 13:27 UTC."]
    assert texts(incident, "mitigation") == ["We scaled out the gateway tier to add capacity."]
    assert moments_of(incident)["detected_at"] == "13:27"


@pytest.mark.parametrize(
    "update",
    [
        "We have implemented a fix and are monitoring service recovery.",
        "We have applied a change to correct this and are seeing full recovery.",
        "We have removed a misbehaving load balancer from the rotation.",
        "We've taken a misbehaving fileserver pair offline to perform maintenance.",
        "We've routed around the problematic provider.",
        "We have temporarily paused delivery of webhooks while we address an issue.",
        "We've rolled out a new SSL certificate to our CDN.",
        "Failing back over to the working network device.",
        "We route traffic around a non-functioning network device.",
    ],
)
def test_a_status_update_that_tells_an_action_is_a_mitigation(update: str):
    incident = read_text(f"## Timeline\n\n- 10:00 We are investigating errors.\n- 10:20 {update}\n")
    assert texts(incident, "mitigation") == [update]


def test_a_status_update_that_only_says_it_is_over_is_no_step():
    said = "We've resolved the issues with Pull Requests."
    incident = read_text(f"## Timeline\n\n- 10:00 We are investigating errors.\n- 10:20 {said}\n")
    assert not incident.part("mitigation")


def test_a_post_mortem_in_the_english_of_a_second_language():
    incident = read_text(
        """
        ## What happen

        The orders API start to be very slow, many requests was timeout with 504.

        ## Why it happen

        The report job take all connections of the database pool, so the API was waiting.

        ## How we find

        Monitoring alert "OrdersLatencyHigh" was firing at 08:46 and the on-call get the page.

        ## What we do

        - 08:58 Marco kill the report job
        - 09:05 latency is going down but still some errors
        - 09:30 everything normal again

        ## Next time

        - move report job to read replica
        """,
        start="2024-11-20T08:40:00+01:00",
    )
    assert texts(incident, "root_cause") == [
        "The report job take all connections of the database pool, so the API was waiting."
    ]
    assert [m.id for m in incident.failure_modes] == ["connection-pool-exhaustion"]
    assert texts(incident, "follow_ups") == ["move report job to read replica"]
    moments = moments_of(incident)
    # Noticed as told under "How we find", though the timeline lists only what was done.
    assert (moments["detected_at"], moments["mitigated_at"]) == ("08:46", "09:05")
    assert moments["resolved_at"] == "09:30"
    (kill,) = incident.part("mitigation")
    assert kill.effect_minutes == 7


@pytest.mark.parametrize(
    ("sentence", "is_cause"),
    [
        ("This was caused by a bad deploy of the auth service.", True),
        ("This happened because the disk filled up.", True),
        ("That was due to a race condition in the scheduler.", True),
        ("The issue stemmed from a missing index.", True),
        ("We traced the problem to a memory leak in the worker.", True),
        # "This" names a thing: the sentence tells what that thing did or had done to it.
        ("This verification code was removed because the check was thought redundant.", True),
        ("This node image caused sporadic communication issues in the cluster.", True),
        # What followed from it, or words about the write-up, are no cause.
        ("This resulted in errors for all users.", False),
        ("This caused the queue to back up for an hour.", False),
        ("This in turn led to many support tickets.", False),
        ("This post-mortem examines the root cause of the issue.", False),
        ("These incidents were notable because of how hard they were to debug.", False),
    ],
)
def test_a_cause_said_of_it_though_the_sentence_opens_on_this(sentence: str, is_cause: bool):
    incident = read_text(f"## Summary\n\nSearch was down for an hour. {sentence}\n")
    assert (sentence in texts(incident, "root_cause")) is is_cause


def test_what_went_well_holds_no_cause_and_what_did_not_may():
    incident = read_text(
        "## What went well\n\nThe engineer that triggered the incident was quick to identify "
        "it.\n\n## What didn't go so well?\n\nThe kubeconfig had been switched to the other "
        "cluster, which caused the deletion.\n"
    )
    assert texts(incident, "root_cause") == [
        "The kubeconfig had been switched to the other cluster, which caused the deletion."
    ]


def test_a_thing_set_up_wrong_is_a_cause_though_no_word_says_misconfigured():
    incident = read_text(
        "## Summary\n\nThe domain was moved to new nameservers that were not configured with "
        "correct information. Builds failed for two hours. Pools were not properly set up to "
        "use fees.\n"
    )
    assert texts(incident, "root_cause") == [
        "The domain was moved to new nameservers that were not configured with correct "
        "information.",
        "Pools were not properly set up to use fees.",
    ]


def test_an_attack_told_as_what_happened_is_a_cause_and_the_attacker_named_is_not():
    incident = read_text(
        "## Summary\n\nAn email was received by an employee from an individual who was "
        "impersonating an executive. The trusted user was compromised, so the link came from "
        "a bad actor. Staff were told about the phishing email.\n\n## Timeline\n\n"
        "- 09:00 Unauthorized access to the runners was gained via a pull request\n"
        "- 09:30 Alert fires for outbound traffic from the runners\n"
        "- 09:40 IPS informs the impersonator that no gift cards will be bought\n"
    )
    assert texts(incident, "root_cause") == [
        "An email was received by an employee from an individual who was impersonating an "
        "executive.",
        "The trusted user was compromised, so the link came from a bad actor.",
        "Unauthorized access to the runners was gained via a pull request",
    ]


def test_a_table_of_milestones_names_each_moment_in_a_cell():
    incident = read_text(
        """
        ## Milestones

        | Time | Milestone | Note |
        |---|---|---|
        | 2024-05-14 10:02:13 UTC | Started | Checkout latency climbing |
        | 2024-05-14 10:06:40 UTC | Detected | PagerDuty alert CheckoutP99High |
        | 2024-05-14 10:31:55 UTC | Mitigated | Feature flag new-pricing turned off |
        """,
        start="2024-05-14T10:02:13Z",
    )
    moments = moments_of(incident)
    assert (moments["detected_at"], moments["mitigated_at"]) == ("10:06", "10:31")


@pytest.mark.parametrize("quote", ["", "> "], ids=["as written", "forwarded as a quote"])
def test_a_report_that_opens_with_its_fields_tells_no_story_in_them(quote: str):
    fields = [
        "Incident: INC-2231",
        "Start time: 2024-07-09 16:20 EDT",
        "End time: 2024-07-09 17:05 EDT",
        "Severity: SEV2",
    ]
    story = """
        Root cause:
        The signer read its key from a secret rotated at 16:15, but the pods cached the old key.

        Detection:
        Merchant support tickets at 16:32.
        """
    head = "".join(f"{quote}{line}\n" for line in fields)
    incident = read_text(head + textwrap.dedent(story), start="2024-07-09T16:20:00-04:00")
    assert not [s for s in incident.part("trigger") if "Start time" in s.text]
    assert texts(incident, "root_cause") == [
        "The signer read its key from a secret rotated at 16:15, but the pods cached the old key."
    ]
    assert [m.id for m in incident.failure_modes] == ["credential-expiry"]


def test_a_chat_quoted_in_the_story_is_read_with_the_story_s_moments():
    incident = read_text(
        """
        ## What happened

        At 14:02 UTC our canary for the EU region started failing. Sam posted in #incidents:

        > 14:05 sam: seeing 502s on checkout in eu-west-1, anyone deploying?
        > 14:06 lee: I just shipped the nginx config for the new CDN origin

        Lee reverted the nginx config at 14:11 and the 502s stopped within two minutes.
        """,
        start="2024-05-14T14:02:00Z",
    )
    assert texts(incident, "detection") == [
        "sam: seeing 502s on checkout in eu-west-1, anyone deploying?"
    ]
    moments = moments_of(incident)
    assert (moments["detected_at"], moments["mitigated_at"]) == ("14:05", "14:11")
    assert [e.line for e in incident.timeline] == [11, 13, 14, 16]


def test_a_chat_tool_s_emoji_codes_are_no_words_of_the_story():
    incident = read_text(
        """
        ## Timeline

        - **10:02** — :rotating_light: Alert `ApiErrorRate` fired in #alerts
        - **10:14** — :leftwards_arrow_with_hook: @ben rolled back deploy 8123
        - **10:19** — :white_check_mark: error rate back to baseline
        """,
        start="2024-05-14T10:00:00Z",
    )
    assert [e.text for e in incident.timeline] == [
        "Alert `ApiErrorRate` fired in #alerts",
        "@ben rolled back deploy 8123",
        "error rate back to baseline",
    ]
    assert moments_of(incident)["detected_at"] == "10:02"
    told = read_text("## Summary\n\nCheckout failed. The last deploy changed the pool size to 5.\n")
    assert texts(told, "root_cause") == ["The last deploy changed the pool size to 5."]


def test_a_failure_mode_is_read_from_the_story_where_no_cue_picks_out_its_why():
    incident = read_text(
        """
        ## Narrative

        Partners reported handshake failures calling our API. Our renewal cron had stopped
        after the base image changed, so the cert ran past its expiry date.

        ## Action items

        - Alert when the disk is full on the cert host.
        """
    )
    # Plans are no part of the story: the disk alert names no failure of this incident.
    assert [m.id for m in incident.failure_modes] == ["certificate-expiry"]


def test_a_password_reset_someone_received_is_no_reset_responders_made():
    incident = read_text(
        """
        ## Timeline

        - 18:10 A customer asked why they got a password reset they had not requested.
        - 18:55 Noor: the account's password was reset and MFA enrolment forced.
        """
    )
    assert texts(incident, "detection") == [
        "A customer asked why they got a password reset they had not requested."
    ]
    assert texts(incident, "mitigation") == [
        "Noor: the account's password was reset and MFA enrolment forced."
    ]


def test_a_timeline_table_in_few_words_as_a_wiki_export_writes_one():
    incident = read_text(
        """
        ## Timeline (UTC)

        | Time | Event |
        |---|---|
        | 09:02 | Reindex job fails halfway; alias switched anyway |
        | 09:05 | Synthetic check `search-returns-results` fails; on-call paged |
        | 09:40 | Alias pointed back at `products-2024-04-02` |
        | 09:54 | Results back; check green |
        """
    )
    moments = moments_of(incident)
    assert (moments["detected_at"], moments["mitigated_at"]) == ("09:05", "09:54")
    assert texts(incident, "mitigation") == ["Alias pointed back at `products-2024-04-02`"]
    assert texts(incident, "trigger") == ["Reindex job fails halfway; alias switched anyway"]


def test_a_post_mortem_that_asks_its_parts_as_questions():
    incident = read_text(
        """
        **What was the root cause?**

        The cron job that renews certificates had stopped after the host was rebuilt.

        **How did we find out?**

        A customer e-mailed support at 09:12 about a browser warning.

        **How did we fix it?**

        Renewed the certificate by hand and restarted the proxy.

        **What are we doing about it?**

        - Move renewal to the managed certificate service.
        """
    )
    assert texts(incident, "root_cause") == [
        "The cron job that renews certificates had stopped after the host was rebuilt."
    ]
    assert texts(incident, "detection") == [
        "A customer e-mailed support at 09:12 about a browser warning."
    ]
    assert texts(incident, "resolution") == [
        "Renewed the certificate by hand and restarted the proxy."
    ]
    assert texts(incident, "follow_ups") == ["Move renewal to the managed certificate service."]


def test_a_customer_who_wrote_in_is_the_signal():
    incident = read_text(
        "## Timeline\n\n- 09:12 A customer e-mailed support about a browser warning.\n"
        "- 09:40 Renewed the certificate.\n"
    )
    assert moments_of(incident)["detected_at"] == "09:12"


@pytest.mark.parametrize(
    "action",
    [
        "Flipped the feature flag off.",
        "Shed load by returning 503 to free users.",
        "Rotated the leaked key.",
        "Added two more brokers to the cluster.",
        "We switched DNS to the secondary provider.",
        "Promoted the replica to primary.",
        "Switched the payment provider to the backup.",
    ],
)
def test_an_action_in_the_words_a_responder_would_use(action: str):
    incident = read_text(
        f"## Timeline\n\n- 10:00 Datadog alerted on p99 latency.\n- 10:10 {action}\n"
    )
    assert texts(incident, "mitigation") == [action]
    assert moments_of(incident)["detected_at"] == "10:00"


def test_a_contributing_factor_of_the_system_is_part_of_the_cause_one_of_the_response_is_not():
    incident = read_text(
        """
        ## Summary

        The cluster pipeline reverted the ingress configuration.

        ## Contributing factors

        - Priority-classes not implemented
        - API key used by the exporter belongs to a personal account
        - Alerts on the ingress were too noisy to notice
        - Limited knowledge of the exporter during the holidays
        - Could a diff of the headers have told us before?
        - Not possible to update the load balancer (to fix the problem) at full address use
        - A rule that would incorrectly send /api traffic to the Traefik dashboard
        - Alerts were incorrectly routed to an unused channel
        - The agent not running on a dedicated node group, unlike our monitoring stack
        """
    )
    causes = texts(incident, "root_cause")
    assert "Priority-classes not implemented" in causes
    assert "API key used by the exporter belongs to a personal account" in causes
    # A fault told before the response's word is the system's; after it, the response's.
    assert "A rule that would incorrectly send /api traffic to the Traefik dashboard" in causes
    # A word of the response that names a part of the system is the system's.
    assert "The agent not running on a dedicated node group, unlike our monitoring stack" in causes
    assert not any("Alerts" in c or "knowledge" in c or "diff" in c for c in causes)
    assert not any("Not possible" in c for c in causes)  # what made it hard to fix
    assert len(texts(incident, "contributing_factors")) == 9


def test_a_factor_read_as_part_of_the_cause_counts_once_and_after_the_cause():
    from learnloop.analyze.text import fields

    incident = read_text(
        """
        ## Contributing factors

        - An expired certificate on the payments gateway

        ## What happened

        Checkout failed because the orders database ran out of connections.
        """
    )
    assert "An expired certificate on the payments gateway" in texts(incident, "root_cause")
    # The factor is said once in the words patterns compare, and what the cause says decides
    # the first mode, though the factor is written above it.
    assert fields(incident)["cause"].count("payments gateway") == 1
    assert [m.id for m in incident.failure_modes] == [
        "connection-pool-exhaustion",
        "certificate-expiry",
    ]


def test_a_check_the_code_left_out_is_a_cause():
    incident = read_text(
        """
        ## Summary

        Version 1.7 of the mempool doesn't include verification that the cost is below the limit.
        The code that creates outputs failed to check against negative values.
        Version 1.8 was released on May 3.
        """
    )
    causes = " ".join(texts(incident, "root_cause"))
    assert "doesn't include verification" in causes
    assert "failed to check against negative values" in causes
    assert "released on May 3" not in causes


def test_in_a_fix_a_cause_is_one_named_as_such():
    incident = read_text(
        """
        ## Resolution and recovery

        Version 1.2.11 was released, which solved many of the issues that led to the symptoms.
        Some locks which were causing the node to wait were removed.
        The root cause was a lock held across block validation.
        """
    )
    causes = texts(incident, "root_cause")
    assert causes == ["The root cause was a lock held across block validation."]


def test_the_cause_as_what_is_still_to_be_fixed_is_no_cause():
    incident = read_text(
        """
        ## Summary

        The health check failed after a change to the hub's readiness probe.
        The revert did not solve the root cause of the problem.
        The tech lead notes we still need to actually fix the underlying cause.
        """
    )
    causes = " ".join(texts(incident, "root_cause"))
    assert "did not solve" not in causes
    assert "still need to" not in causes


def test_what_set_it_off_is_read_however_the_entry_says_it():
    incident = read_text(
        """
        ## Timeline

        | Time             | Event |
        | :--------------- | ----- |
        | 2025-03-14 08:58 | A personal user account deleted from Confluent Cloud |
        | 2025-03-14 09:08 | Kafka-exporter up alert triggered |
        | 2025-03-14 10:01 | Restarted the kafka-exporter pod |
        """
    )
    # A user account is a thing changed, not users hit: what set it off, and its cause.
    assert texts(incident, "trigger") == ["A personal user account deleted from Confluent Cloud"]
    assert texts(incident, "symptoms") == []


def test_a_cause_said_in_the_present_or_as_a_limit_passed():
    incident = read_text(
        """
        ## Timeline

        - 11:21 EKS 1.14 upgrade cause CoreDNS pods to crash loop
        - 12:20 The exporter's /metrics load time gets greater than the scrape timeout (10s)
        - 12:40 Alert fires for missing metrics
        """,
        start="2025-03-14T11:00:00Z",
    )
    causes = texts(incident, "root_cause")
    assert any("CoreDNS pods to crash loop" in c for c in causes)
    assert any("greater than the scrape timeout" in c for c in causes)


def test_the_sre_books_outage_markers_date_the_end():
    incident = read_text(
        """
        ## Timeline

        - 14:10 Rollover job moves the read alias to the new index. **OUTAGE BEGINS**
        - 14:18 Zero-results-rate alert fires; rpatel paged.
        - 14:31 rpatel points the alias back to the previous index. Zero-results rate drops to
          baseline by 14:33. **OUTAGE MITIGATED**
        - 14:57 Bulk load re-run completes; document counts match.
        - 14:58 Alias moved to the new index. **OUTAGE ENDS**
        """,
        start="2025-03-14T14:10:00Z",
    )
    assert moments_of(incident)["resolved_at"] == "14:58"


def test_notes_in_prose_with_a_clock_opening_each_sentence():
    incident = read_text(
        """
        ## What happened

        Our read timeout for the tax client was still the default 60 s, so every slow call
        held a thread, and the pool of 200 threads ran dry.

        09:31 decision: shorten the read timeout via config from 60 s to 4 s. 09:36 the config
        was pushed; threads freed up within a minute and p99 went back under 400 ms by 09:40.

        What we will change: set explicit timeouts on every outbound client (CHK-812).
        """,
        start="2025-03-14T09:05:00Z",
    )
    moments = moments_of(incident)
    assert (moments["mitigated_at"], moments["resolved_at"]) == ("09:36", "09:40")
    assert any("ran dry" in c for c in texts(incident, "root_cause"))
    assert next(m.text for m in incident.part("mitigation")).startswith("09:31 decision: shorten")
    assert texts(incident, "follow_ups") == [
        "set explicit timeouts on every outbound client (CHK-812)."
    ]


def test_a_terse_timeline_in_the_present():
    incident = read_text(
        """
        ## What happen

        - 8.52 on-call get page "PaymentsWebhookLag"
        - 9.05 we look in grafana: consumer pods restarting every 2 min, OOMKilled (exit 137)
        - 9.10 raise memory limit of webhook-consumer from 512Mi to 1Gi
        - 9.18 pods stable, lag going down
        - 9.55 lag is zero, all webhooks processed
        """,
        start="2025-03-14T08:40:00Z",
    )
    moments = moments_of(incident)
    assert (moments["mitigated_at"], moments["resolved_at"]) == ("09:18", "09:55")
    assert any("we look in grafana" in d for d in texts(incident, "diagnosis"))
    assert texts(incident, "mitigation") == [
        "raise memory limit of webhook-consumer from 512Mi to 1Gi"
    ]


def test_an_error_string_quoted_after_the_cause_betrays_its_mode_too():
    incident = read_text(
        """
        ## Why

        The consumer lag grew because a new payload version made every batch much larger.

        ## Timeline

        - 09:05 consumer pods restarting every 2 min, OOMKilled (exit 137)
        - 09:20 an old node's disk was full too
        """
    )
    modes = {m.id: m.matched for m in incident.failure_modes}
    assert next(iter(modes)) == "queue-backlog"  # what it says of why comes first
    assert "OOMKilled" in modes["memory-exhaustion"]
    assert "disk-full" not in modes  # words alone, after the cause, decide nothing


def test_preventing_something_now_is_a_steps_purpose_preventing_it_again_a_plan():
    incident = read_text(
        """
        ## Timeline

        - 09:05 Hub health check alert fires
        - 09:12 Primary engineer deletes `prod` ingress to prevent users spawning mid-deployment.
        - 09:30 Hub redeployed, users can log in again

        ## Summary

        We rolled back the deploy to prevent this from happening again.
        """
    )
    steps = texts(incident, "mitigation")
    assert any("deletes `prod` ingress" in s for s in steps)
    assert not any("to prevent this from happening again" in s for s in steps)


def test_a_moment_told_in_passing_ends_with_its_sentence_where_a_bracket_closes_it():
    incident = read_text(
        """
        ## What happened

        * There was a disruption of 5 min on the plugin site around 16:00 UTC, reported in
          the chat by Zbynek (thanks!) Service logs indicate an issue with the file storage.
        """
    )
    told = [e for e in incident.timeline if e.at is not None]
    assert [e.text for e in told] == [
        "There was a disruption of 5 min on the plugin site around 16:00 UTC, reported in "
        "the chat by Zbynek (thanks!)"
    ]
    assert told[0].end == told[0].line + 1  # its words run onto the item's second line
    # The sentence after it is a look of its own, and the only one.
    assert texts(incident, "diagnosis") == ["Service logs indicate an issue with the file storage."]


def test_a_short_aside_between_words_is_read_over():
    incident = read_text(
        """
        ## Timeline
        - 10:00 Alert fired: incrementals uploads failing
        - 10:20 The error was found and a fix (token rotation) has immediately been applied.
        """
    )
    assert texts(incident, "mitigation") == [
        "The error was found and a fix (token rotation) has immediately been applied."
    ]


def test_an_action_told_as_a_thing_done_to_what_it_was_done_to():
    incident = read_text(
        """
        ## Timeline
        - 10:00 Alert fired: get.jenkins.io down
        - 10:40 We did a refresh of the 3 nodes of publick8s.
        """
    )
    assert texts(incident, "mitigation") == ["We did a refresh of the 3 nodes of publick8s."]


@pytest.mark.parametrize(
    ("said", "told"),
    [
        ("TBD", False),
        ("Unknown.", False),
        ("Under investigation.", False),
        ("The source of the fraudulent charge is still unknown at this time.", False),
        ("The exact cause of the outage has not yet been determined.", False),
        ("The root cause is still unknown, but we suspect the parser's cache.", True),
        ("Unknown bot traffic overloaded the login API.", True),
    ],
)
def test_a_cause_said_not_to_be_known_is_no_cause(said: str, told: bool):
    text = FRONT.format(title="Card fraud", start="2025-03-14T09:00:00Z") + (
        f"## Summary\n\nA fraudulent charge was detected.\n\n## Root Cause\n\n{said}\n"
    )
    incident, problems = incident_from_bytes(text.encode(), "incidents/a.md", UTC)
    assert incident is not None
    assert texts(incident, "root_cause") == ([said] if told else [])
    warned = [p for p in problems if p.code == "cause-unknown"]
    # The author is told the post-mortem counts as one whose cause is not recorded.
    assert [(p.line, "not recorded" in p.message) for p in warned] == (
        [] if told else [(text.splitlines().index(said) + 1, True)]
    )


@pytest.mark.parametrize(
    ("entries", "warned"),
    [
        # A disclosure: reported, patched over weeks, released; in order from the start.
        (
            [
                "2025-03-14 09:00 — reported",
                "2025-03-20 10:00 — patched",
                "2025-05-01 09:00 — released",
            ],
            None,
        ),
        # A one-day story, then one entry weeks on: a month mistyped.
        (
            [
                "2025-03-14 09:00 — alert fires",
                "2025-03-14 10:00 — rolled back",
                "2025-04-14 11:00 — resolved",
            ],
            "2025-04-14 is 31 days after",
        ),
        # A far entry that breaks the order.
        (
            [
                "2025-03-14 09:00 — alert fires",
                "2025-05-14 10:00 — rolled back",
                "2025-03-20 11:00 — resolved",
            ],
            "2025-05-14 is 61 days after",
        ),
    ],
)
def test_a_long_story_told_in_order_is_not_warned_about(entries: list[str], warned: str | None):
    text = incident_text(started_at="2025-03-14T09:00:00Z", resolved_at=None)
    timeline = "".join(f"- {e}\n" for e in entries)
    text = text.split("## Timeline")[0] + "## Timeline\n" + timeline
    _, problems = incident_from_bytes(text.encode(), "incidents/a.md", UTC)
    found = [p.message for p in problems if p.code == "timeline-date"]
    if warned is None:
        assert found == []
    else:
        [message] = found
        assert warned in message


def test_entries_that_give_their_day_alone_count_in_days_not_minutes():
    from learnloop.enrich import timings
    from learnloop.read.explain import to_text

    incident = read_text(
        """
        ## Timeline (all times PST)

        01-16-2024 - An alert fired: blocks were left half empty behind a large transaction.

        01-25-2024 - A better selection algorithm was merged.

        02-20-2024 - We rolled back the mempool change on the seeders.

        02-28-2024 - We restarted the seeders.

        02-28-2024 - Version 2.2.0 was released and the issue was resolved.
        """,
        start="'2024-01-16'",
    )
    eased = {s.text: s.effect_minutes for s in incident.part("mitigation")}
    # Eight days on, never "12:00 to 12:00".
    assert eased["We rolled back the mempool change on the seeders."] == 8 * 24 * 60
    assert eased["We restarted the seeders."] is None  # the same day: how soon is not told
    moments = {m.name: m for m in incident.milestones}
    assert moments["detected_at"].day_only
    assert moments["started_at"].day_only
    t = timings(incident)
    # Detected on the day it began: no time to detect can be told from a day alone.
    assert t.ttd is None
    assert t.ttr == 43 * 24 * 60  # from the 16th of January to the 28th of February
    assert "detected_at      2024-01-16 (the day only)" in to_text(incident, [])


def test_a_timeline_as_pagerdutys_template_writes_one():
    incident = read_text(
        """
        ## What Happened

        The search API retried failed writes without backoff, which tripled the load.

        ## Timeline

        | Time (UTC) | Event |
        |---|---|
        | 09:12 | search-es-3 crosses the flood-stage watermark; indices go read-only |
        | 09:15 | PagerDuty alert "SearchIndexingErrors" triggers; Priya acknowledges |
        | 09:21 | Priya runs `GET _cat/allocation?v` and sees search-es-3 at 95% disk |
        | 09:41 | Old indices deleted with curator; disk at 71% |
        | 09:54 | Indexing error rate back to zero |
        """,
        start="2023-11-02T09:12:00Z",
    )
    assert moments_of(incident)["detected_at"] == "09:15"  # the alert that "triggers"
    assert texts(incident, "diagnosis") == [
        "Priya runs `GET _cat/allocation?v` and sees search-es-3 at 95% disk"
    ]
    # Retries without backoff are how the system failed, not what responders did.
    assert texts(incident, "mitigation") == ["Old indices deleted with curator; disk at 71%"]


def test_a_story_under_what_went_wrong_tells_its_zone_once_and_its_looks_apart():
    incident = read_text(
        """
        ## What went wrong

        Around 13:20 CET we deployed a new version of the plugin server. Each lookup took
        40 ms instead of 2 ms because the query could not use the primary key.

        We noticed at 13:45, when the lag alert paged our on-call engineer. He checked the
        consumer lag dashboard and saw the lag growing on every partition.

        ## How we fixed it

        At 14:30 we rolled back the plugin server. For the whole afternoon our customers were
        looking at stale numbers.
        """,
        start="'2025-02-11'",
    )
    moments = {m.name: m.at.isoformat() for m in incident.milestones}
    assert moments["detected_at"] == "2025-02-11T13:45:00+01:00"  # in the CET said once
    assert texts(incident, "detection") == [
        "We noticed at 13:45, when the lag alert paged our on-call engineer."
    ]
    assert texts(incident, "diagnosis") == [
        "He checked the consumer lag dashboard and saw the lag growing on every partition."
    ]
    assert not [t for t in texts(incident, "root_cause") if "noticed" in t]


def test_what_users_saw_and_a_check_that_was_fine_set_nothing_off():
    """Before the notice, an HTTP status of failure is what users saw ("starts returning
    503"), a check that reports all fine found nothing, and a time said as where the impact
    began is a moment: none is what set the incident off. Requests a route carries are no
    failure: updating the balancers to route them is the change."""
    incident = read_text(
        """
        ## Timeline
        | Time | Event |
        |------|-------|
        | 13:40 | Ingress rule for the new gateway applied to the cluster |
        | 14:02 | Registry starts returning 503 |
        | 14:06 | Alert `RegistryHighErrorRate` fires and paged the on-call |
        | 14:40 | Rolled back the ingress rule |
        """,
        start="2025-06-18T13:40:00Z",
    )
    assert texts(incident, "symptoms") == ["Registry starts returning 503"]
    assert texts(incident, "trigger") == ["Ingress rule for the new gateway applied to the cluster"]

    incident = read_text(
        """
        ## Timeline
        | Time | Event |
        |------|-------|
        | 08:22 | Load balancers were updated to route requests to the new proxy. |
        | 08:44 | Functional tests indicates all fine, and this is reported over Slack. |
        | 09:26 | Developer reports many redirects; we are alerted. |
        | 09:48 | Rollback performed. |
        """,
        start="2021-08-26T08:22:00Z",
    )
    assert texts(incident, "symptoms") == []
    assert texts(incident, "trigger") == [
        "Load balancers were updated to route requests to the new proxy."
    ]

    incident = read_text(
        """
        ## Summary
        The Orders API returned errors for 2 hours and 12 minutes, beginning at 09:41 US/Pacific.

        ## Remediation
        Our alerting detected the error rate at 09:48. At 11:05 the team rolled back the release.
        """,
        start="2025-10-14T09:41:00-07:00",
    )
    assert texts(incident, "trigger") == []


def test_a_step_taken_to_keep_harm_from_spreading_is_done_and_one_against_a_recurrence_planned():
    """ "We stopped the deployment to prevent it from reaching the remaining servers" is a step
    done with its purpose; "… to prevent this from happening again" is a plan."""
    incident = read_text(
        """
        ## Mitigation
        At 11:31 we stopped the deployment to prevent it from reaching the remaining servers.

        ## Follow-ups
        We will add a check to prevent this from happening again.
        """
    )
    assert texts(incident, "mitigation") == [
        "At 11:31 we stopped the deployment to prevent it from reaching the remaining servers."
    ]
    assert says.intended(
        "We rolled back to prevent this from happening again.",
        lexicon.shipped(),
        says.action("We rolled back to prevent this from happening again.", lexicon.shipped()),
    )


def test_a_check_told_with_what_a_step_did_is_the_verification_too():
    """ "Error rates returned to normal, and the team confirmed through synthetic checkouts
    that orders were succeeding": what the rollback did, and how the fix was made certain."""
    said = (
        "Error rates returned to normal by 11:53, and the team confirmed through synthetic "
        "checkouts that orders were succeeding."
    )
    body = "The engineer examined the dashboards. At 11:05 the team rolled back the release."
    incident = read_text(f"## Remediation and prevention\n{body} {said}\n")
    assert texts(incident, "verification") == [said]
    assert texts(incident, "mitigation") == [f"At 11:05 the team rolled back the release. {said}"]


def test_where_no_heading_parts_the_text_its_first_sentence_of_harm_is_the_impact():
    incident = read_text(
        """
        We wanted to give you more information about the disruption on March 3rd.

        Between 10:32 AM and 1:47 PM PST, customers experienced increased API error rates. At
        11:58 AM PST, we began reverting the configuration change.
        """,
        start="2025-03-03T10:32:00-08:00",
    )
    assert texts(incident, "impact") == [
        "Between 10:32 AM and 1:47 PM PST, customers experienced increased API error rates."
    ]
    # Who was not hurt is no impact.
    incident = read_text(
        """
        High-priority traffic was not affected. Batch requests in one region failed.
        """
    )
    assert texts(incident, "impact") == ["Batch requests in one region failed."]


def test_a_span_gives_both_its_times_and_a_zone_may_stand_in_brackets():
    said = "Requests timed out between 10:12 and 11:20 (Europe/Berlin)."
    assert [(s.hour, s.minute, s.zone) for s in times.within(said, 2025)] == [
        (10, 12, None),
        (11, 20, "Europe/Berlin"),
    ]
    assert [s.zone for s in times.within("at 14:05 (CEST) the alert fired", 2025)] == ["CEST"]
    # An aside in brackets is no zone, and "and" after a lone clock places nothing.
    assert [s.zone for s in times.within("at 14:05 (the first page)", 2025)] == [None]
    assert times.within("retries 3 and 10:12 later", 2025) == []


def test_a_chat_log_alert_is_the_notice_and_owned_work_the_follow_ups():
    incident = read_text(
        """
        ## Log from the incident channel
        [10:12] pagerbot: CheckoutLatencyHigh firing for checkout-api (p99 28 s)
        [10:31] anh: decision: shorten the read timeout via config from 60 s to 4 s
        [10:38] anh: config pushed, pods restarting

        ## Actions
        - Add a circuit breaker around PaymentClient (owner: Anh)
        - Alert on the provider's latency, not only ours (owner: Li)
        """,
        start="2025-09-09T10:12:00Z",
    )
    assert texts(incident, "detection") == [
        "pagerbot: CheckoutLatencyHigh firing for checkout-api (p99 28 s)"
    ]
    assert texts(incident, "follow_ups") == [
        "Add a circuit breaker around PaymentClient (owner: Anh)",
        "Alert on the provider's latency, not only ours (owner: Li)",
    ]


def test_north_americas_zones_by_their_names():
    assert times.zone_named(times.stated_zone("Timeline (all times Eastern)"), UTC) == (
        times.zone_named("ET", UTC)
    )
    assert [s.zone for s in times.within("at 9:15 PM Pacific Time", 2025)] == ["Pacific"]
    assert [s.zone for s in times.within("at 4:15 PM CST", 2025)] == ["CST"]
    # A database zone of the Pacific area stays whole; a station is no zone.
    assert [s.zone for s in times.within("at 10:00 Pacific/Auckland", 2025)] == ["Pacific/Auckland"]
    assert [s.zone for s in times.within("at 14:00 Central Station", 2025)] == [None]


def test_a_copy_caught_up_is_recovery_and_pointing_work_at_a_good_copy_a_mitigation():
    incident = read_text(
        """
        ## Impact
        Internal finance dashboards showed stale data for 30 hours.

        ## Timeline
        - 23:40 `ReplicaLagHigh` pages the on-call DBA.
        - 00:30 DBA pauses the backfill job; lag stops growing.
        - 09:05 Team points the export job at the primary as a stopgap.
        - 23:55 Replica caught up; lag under 1 minute.
        """,
        start="2025-03-04T21:15:00Z",
    )
    assert texts(incident, "mitigation") == [
        "DBA pauses the backfill job; lag stops growing.",
        "Team points the export job at the primary as a stopgap.",
    ]
    assert moments_of(incident)["resolved_at"] == "23:55"
    assert texts(incident, "diagnosis") == []  # what users saw, under the impact


def test_times_counted_from_a_zero_that_gives_its_clock_and_an_empty_answer_says_nothing():
    """ "T+0 (13:02) — …" gives the clock the other "T+" lines count from, each on a line of
    its own with no bullet; a form's "_No response_" is no detection."""
    incident = read_text(
        """
        ### Timeline

        T+0 (13:02) — mapping change for the products index deployed
        T+38m — a merchant reports that a new product cannot be found
        T+1h10m — reverted the mapping change

        ### Detection

        _No response_
        """,
        start="2025-04-09T00:00:00Z",
    )
    assert [(e.at.strftime("%H:%M"), e.text) for e in incident.timeline] == [
        ("13:02", "mapping change for the products index deployed"),
        ("13:40", "a merchant reports that a new product cannot be found"),
        ("14:12", "reverted the mapping change"),
    ]
    assert texts(incident, "detection") == ["a merchant reports that a new product cannot be found"]


def test_a_day_in_numbers_that_reads_either_way_is_the_one_nearer_the_incident():
    """ "12-02-2025" in a report of an incident that began on 12 February is that day, as a
    European team writes it, not 2 December; "13-02-2025" can only be day first, and a day
    that reads one way only is left as it is."""
    incident = read_text(
        """
        ## Sequence of events
        | Date | Time | Description |
        |---|---|---|
        | 12-02-2025 | 06:21:05 | Monitoring raises "VPN tunnel down" for site RTM-01 |
        | 12-02-2025 | 09:10:00 | Firewall IPsec proposal changed to DH group 14 |
        | 13-02-2025 | 08:00:00 | Tunnel up, scanners reconnect, picking resumes |
        """,
        start="2025-02-12T06:14:00+01:00",
    )
    assert [e.at.date().isoformat() for e in incident.timeline] == [
        "2025-02-12",
        "2025-02-12",
        "2025-02-13",
    ]
    assert texts(incident, "detection") == ['Monitoring raises "VPN tunnel down" for site RTM-01']
    # Work going again is the impact easing, no step to take.
    assert texts(incident, "mitigation") == ["Firewall IPsec proposal changed to DH group 14"]
    assert timeline.nearer(date(2025, 12, 2), "12-02-2025", date(2025, 11, 30)) == date(2025, 12, 2)
    # A text whose other days can only be read one way writes them all so.
    assert timeline.day_order(["| 16-01-2024 | reported |", "| 05-02-2024 | fixed |"]) == "dmy"
    assert timeline.day_order(["01-16-2024 - reported", "02-05-2024 - fixed"]) == "mdy"
    assert timeline.day_order(["12-02-2025", "16-01-2024", "01-16-2024"]) is None
    assert timeline.nearer(date(2024, 5, 2), "05-02-2024", None, "dmy") == date(2024, 2, 5)
    assert timeline.nearer(date(2024, 2, 5), "02-05-2024", date(2024, 5, 2), "mdy") == date(
        2024, 2, 5
    )


def test_a_head_of_fields_a_line_each_and_a_configuration_reloaded():
    """ "**Date:** …" / "**Status:** …" / "**Summary:** …" in one paragraph: each label holds for
    its own line, so the summary is the summary. Reloading what runs on a configuration is a
    step; "5xx rate back to zero" is the impact easing."""
    incident = read_text(
        """
        **Date:** 2025-05-20
        **Status:** Action items in progress
        **Duration:** 11 minutes
        **Summary:** The Payments API returned 502s for 11 minutes.

        ## Timeline
        - 02:04 `PaymentsAPI5xxHigh` alert pages the payments on-call
        - 02:11 DBA reloads PgBouncer on all hosts with the new primary's address
        - 02:13 5xx rate back to zero
        """,
        start="2025-05-20T02:00:00Z",
    )
    assert texts(incident, "summary") == ["The Payments API returned 502s for 11 minutes."]
    assert "11 minutes" not in texts(incident, "impact")  # how long: the times tell it
    assert [(s.text, s.effect_minutes) for s in incident.part("mitigation")] == [
        ("DBA reloads PgBouncer on all hosts with the new primary's address", 2.0)
    ]
    # The last field's label goes on holding for the paragraph after it.
    incident = read_text(
        """
        **Date:** 2025-05-20
        **Root cause:** PgBouncer named the primary by its IP address.

        So after the failover every pool kept connecting to the demoted primary.
        """
    )
    assert texts(incident, "root_cause") == [
        "PgBouncer named the primary by its IP address.",
        "So after the failover every pool kept connecting to the demoted primary.",
    ]


def test_a_security_incidents_containment_and_post_incident_activity():
    """A token revoked by its name: a step taken. NIST's "Post-incident activity" lists what
    is changed after: the follow-ups."""
    incident = read_text(
        """
        ## Containment, eradication and recovery
        - 16:34 UTC: revoked the `ci-publish-07` token.
        - 16:41 UTC: unpublished `acme-sdk@4.2.1` and marked it deprecated.

        ## Post-incident activity
        - Mask registry tokens in CI logs.
        """
    )
    assert texts(incident, "mitigation")[0] == "revoked the `ci-publish-07` token."
    assert texts(incident, "follow_ups") == ["Mask registry tokens in CI logs."]
    assert texts(incident, "lessons") == []


def test_a_correction_of_errors_questions_and_a_timeline_told_in_the_present():
    """Scaling a worker to zero is a step and the charges stopping is when it worked; a query
    and a comparison are looks, the query kept as written ("count(*)" is no emphasis); how
    detection could have been faster is a lesson, not the detection."""
    incident = read_text(
        """
        ## Timeline
        - 09:05 — First duplicate charge recorded in the payments ledger.
        - 09:40 — Finance analyst notices a spike of refunds and posts in #billing.
        - 09:58 — Engineer queries the ledger: `SELECT id, count(*) FROM c HAVING count(*) > 1;`
        - 10:20 — Engineer compares the idempotency keys before and after the deploy.
        - 10:45 — Engineer scales billing-retry-worker to zero replicas; duplicate charges stop.

        ## Detection

        **How was the event detected?**
        A finance analyst noticed refund requests rising.

        **How could time to detection be reduced?**
        An alarm on duplicate charges per invoice would have fired within five minutes.
        """
    )
    assert texts(incident, "diagnosis") == [
        "Engineer queries the ledger: `SELECT id, count(*) FROM c HAVING count(*) > 1;`",
        "Engineer compares the idempotency keys before and after the deploy.",
    ]
    [step] = incident.part("mitigation")
    assert step.text.startswith("Engineer scales billing-retry-worker to zero replicas")
    assert step.effect_minutes == 0.0
    assert texts(incident, "symptoms") == [
        "First duplicate charge recorded in the payments ledger."
    ]
    assert "A finance analyst noticed refund requests rising." in texts(incident, "detection")
    assert texts(incident, "lessons") == [
        "An alarm on duplicate charges per invoice would have fired within five minutes."
    ]


def test_an_entry_that_tells_a_later_time_of_its_own_is_two_moments():
    """ "Paged; acknowledges at 10:43" was acknowledged at 10:43, not when the page went out;
    a time of the same clause ("errors between 10:05 and 10:20") or an earlier one parts
    nothing."""
    incident = read_text(
        """
        ## Timeline
        - 10:05 — Error rate climbs on checkout; errors between 10:05 and 10:20 reported.
        - 10:40 — On-call engineer paged; acknowledges at 10:43.
        - 10:55 — Rolled back checkout to v41; errors stop at 10:58.
        - 11:10 — Rollback verified; the errors had begun at 10:02.
        - 11:20 — Incident closed.
        """
    )
    assert moments_of(incident)["acknowledged_at"] == "10:43"
    assert moments_of(incident)["mitigated_at"] == "10:58"
    events = {e.text: e.at.strftime("%H:%M") for e in incident.timeline if e.at}
    assert events["On-call engineer paged"] == "10:40"
    assert events["acknowledges at 10:43."] == "10:43"
    assert events["Rolled back checkout to v41"] == "10:55"
    assert any(t.startswith("Error rate climbs on checkout; errors between") for t in events)
    # An earlier time is told of the past: one moment, and no day moved on.
    assert events["Rollback verified; the errors had begun at 10:02."] == "11:10"
    assert {e.at.date() for e in incident.timeline if e.at} == {incident.started_at.date()}


def test_notes_under_a_time_alone_on_its_line_are_entries_of_their_own():
    """Under "5:05" on a line of its own, each line that opens a sentence is a note of its
    own, cited on its own line: "Incident declared." is no mitigation because the note below
    it redeployed the hub. A line that goes on with a sentence, or follows a note that leads
    on to it ("with the following results"), stays with it."""
    incident = read_text(
        """
        ## Timeline

        09:05
        Incident declared.
        Sam redeployed the hub pod and it came back

        09:20
        Sam ran the query on the hub database
        and got no rows back
        Sam failed the hub over to
        US-East

        09:40
        Ana checked the database, with the following results
        The spawner table held 1746 rows.
        Startup took 96 seconds.
        """
    )
    at = {e.text: (e.at.strftime("%H:%M"), e.line) for e in incident.timeline if e.at}
    declared = at["Incident declared."]
    redeployed = at["Sam redeployed the hub pod and it came back"]
    assert declared[0] == redeployed[0] == "09:05"
    assert redeployed[1] == declared[1] + 1
    assert "Sam ran the query on the hub database and got no rows back" in at
    assert "Sam failed the hub over to US-East" in at
    assert any(t.startswith("Ana checked the database") and t.endswith("96 seconds.") for t in at)
    cited = {(s.line, s.end) for s in incident.part("mitigation")}
    assert cited == {(redeployed[1], redeployed[1])}


def test_alerts_that_fire_told_in_the_present_are_the_detection():
    """A timeline in the present tense ("Alerts fire") detects it as the past does."""
    incident = read_text(
        """
        ## Timeline
        - 09:02 — Deploy of checkout v42 begins
        - 09:07 — Alerts fire for checkout
        - 09:15 — Rolled back checkout to v41; errors stop
        """
    )
    assert moments_of(incident)["detected_at"] == "09:07"


def test_the_command_an_action_runs_is_no_look_of_its_own():
    """ "Raised maxmemory: `redis-cli -h cache config set maxmemory 12gb`" changes the cache:
    a mitigation, not a diagnosis because the command's tool is one people look with too.
    A command that only looks stays a look."""
    incident = read_text(
        """
        ## Timeline
        - 09:05 — Alert fired: evictions on the cache
        - 09:10 — `redis-cli -h cache info stats` shows evicted_keys climbing
        - 09:15 — Raised maxmemory: `redis-cli -h cache config set maxmemory 12gb`
        - 09:20 — Restored the eviction policy: `redis-cli -h cache config set maxmemory-policy lru`
        - 09:22 — Restarted the workers after `redis-cli -h cache info clients` showed 9,000
        - 09:25 — Evictions stop
        """
    )
    assert [s.text[:20] for s in incident.part("mitigation")] == [
        "Raised maxmemory: `r",
        "Restored the evictio",
    ]
    # A look told apart from the action, after it, is a look as well.
    assert [s.text[:20] for s in incident.part("diagnosis")] == [
        "`redis-cli -h cache ",
        "Restarted the worker",
    ]


def test_a_why_in_a_five_whys_list_is_one_of_the_whys_not_the_root_cause_label():
    """ "4. Why? A refactor …" under "5 Whys" asks the fourth why; "Why: …" elsewhere still
    labels the root cause."""
    incident = read_text(
        """
        ## 5 Whys

        1. Why were customers charged twice? The worker retried paid invoices.
        2. Why? The retry key no longer held the invoice number.

        ## Notes

        Why: a refactor dropped the invoice number from the key.
        """
    )
    assert texts(incident, "whys") == [
        "Why were customers charged twice? The worker retried paid invoices.",
        "Why? The retry key no longer held the invoice number.",
    ]
    assert "a refactor dropped the invoice number from the key." in texts(incident, "root_cause")
    assert not any(t.startswith("The retry key") for t in texts(incident, "root_cause"))
