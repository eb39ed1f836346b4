"""Times a post-mortem without a timeline tells in its sentences: the span of its impact and
the moments given in passing, as vendor RCAs and status-page write-ups are written."""

from __future__ import annotations

import textwrap
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from learnloop.model import Incident, Problem
from learnloop.read import incident_from_bytes, times

RCA = """\
---
id: AZ-1
title: Front door connectivity issues
started_at: '{day}'
severity: P1
services: [front-door]
---
Summary of Impact: {window}, a subset of customers using the front door experienced
intermittent HTTP 502 errors.

Root Cause: A configuration change deployed with an incorrect connection limit left the edge
nodes short of connections to the origin under peak load.

Mitigation: Engineers were alerted by our automated monitoring at {alerted}. We rolled back the
configuration change at {rolled}, and traffic was rebalanced to healthy nodes. Error rates
returned to normal by {normal}.

Next Steps: Validate connection limits in the deployment pipeline.
"""


def read(**values: str) -> tuple[Incident, list[Problem]]:
    text = RCA.format(**values)
    incident, problems = incident_from_bytes(text.encode(), "incidents/az-1.md", UTC)
    assert incident is not None, problems
    return incident, problems


def edited(words: str, instead: str) -> Incident:
    """The RCA of one day, 08:21 to 10:35 UTC, with `words` written `instead`."""
    text = RCA.format(
        day="2021-09-02",
        window="Between 08:21 and 10:35 UTC",
        alerted="08:29 UTC",
        rolled="09:50 UTC",
        normal="10:35 UTC",
    ).replace(words, instead)
    incident, _ = incident_from_bytes(text.encode(), "incidents/az-1.md", UTC)
    assert incident is not None
    return incident


def story(started_at: str, text: str) -> Incident:
    """A post-mortem told without a timeline, started as the front matter says."""
    front = (
        f"---\nid: T-1\ntitle: A story\nstarted_at: {started_at}\nseverity: P2\n"
        "services: [api]\n---\n"
    )
    incident, problems = incident_from_bytes((front + text).encode(), "incidents/t-1.md", UTC)
    assert incident is not None, problems
    return incident


def moments(incident: Incident) -> dict[str, tuple[datetime, str, int]]:
    return {m.name: (m.at, m.source, m.line) for m in incident.milestones}


def test_a_vendor_rca_gives_its_times_without_a_timeline():
    incident, problems = read(
        day="2021-09-02",
        window="Between 08:21 UTC and 10:35 UTC on 02 Sep 2021",
        alerted="08:29 UTC",
        rolled="09:50 UTC",
        normal="10:35 UTC",
    )
    found = moments(incident)
    at = lambda h, m: datetime(2021, 9, 2, h, m, tzinfo=UTC)  # noqa: E731
    # The front matter gives the day only: the impact statement gives the hour (line 8).
    assert found["started_at"] == (at(8, 21), "impact statement", 8)
    assert found["detected_at"][:2] == (at(8, 29), "timeline")
    assert found["mitigated_at"][0] == at(10, 35)
    assert found["resolved_at"][0] == at(10, 35)
    assert "acknowledged_at" not in found
    # The rollback eased the impact 45 minutes after it, and is a mitigation, not a look.
    # One statement: the sentence, which learns its time from the entry its time makes.
    (rollback,) = [s for s in incident.part("mitigation") if "rolled back" in s.text]
    assert rollback.text.startswith("We rolled back the configuration change at 09:50 UTC")
    assert rollback.at == at(9, 50)
    assert rollback.effect_minutes == 45
    assert not any("rolled back" in s.text for s in incident.part("diagnosis"))
    # A P1 whose impact ended when the text says is not a P1 without a resolution time.
    assert not [p for p in problems if "no resolution time" in p.message]


def test_a_span_across_midnight_places_later_moments_on_the_next_day():
    incident, _ = read(
        day="2021-09-01",
        window="Between 22:10 UTC on 1 Sep 2021 and 03:00 UTC on 2 Sep 2021",
        alerted="22:18 UTC",
        rolled="01:30 UTC",
        normal="02:55 UTC",
    )
    found = moments(incident)
    assert found["started_at"][0] == datetime(2021, 9, 1, 22, 10, tzinfo=UTC)
    assert found["detected_at"][0] == datetime(2021, 9, 1, 22, 18, tzinfo=UTC)
    # 01:30 is after the start, so on the next day; the recovery at 02:55 is when it eased.
    (rollback,) = [s for s in incident.part("mitigation") if "rolled back" in s.text]
    assert rollback.at == datetime(2021, 9, 2, 1, 30, tzinfo=UTC)
    assert found["mitigated_at"][0] == datetime(2021, 9, 2, 2, 55, tzinfo=UTC)
    # The span's first bound, a clause of time words alone, tells no event: no trigger.
    assert not any(e.text.startswith("Between 22:10 UTC") and "customers" not in e.text
                   for e in incident.timeline)  # fmt: skip
    assert incident.part("trigger") == ()


def test_only_the_span_gives_the_end_when_no_sentence_says_it():
    incident = edited("Error rates\nreturned to normal by 10:35 UTC.", "")
    found = moments(incident)
    end = datetime(2021, 9, 2, 10, 35, tzinfo=UTC)
    assert found["mitigated_at"] == (end, "impact statement", 8)
    assert found["resolved_at"] == (end, "impact statement", 8)


def test_a_written_timeline_is_the_timeline_and_sentences_add_nothing():
    text = textwrap.dedent(
        """\
        ---
        id: T-1
        title: Pool exhausted
        started_at: 2025-03-14T09:00:00Z
        severity: P2
        services: [api]
        ---
        Between 09:00 and 09:40 UTC checkout failed. We were alerted by a customer at 09:20.

        ## Timeline
        - 09:05 Alert fired for checkout errors.
        - 09:30 Raised the pool size; errors stopped.
        """
    )
    incident, _ = incident_from_bytes(text.encode(), "incidents/t-1.md", UTC)
    assert incident is not None
    assert [e.text for e in incident.timeline] == [
        "Alert fired for checkout errors.",
        "Raised the pool size; errors stopped.",
    ]
    found = moments(incident)
    assert found["started_at"][1] == "front matter"
    assert found["detected_at"][0] == datetime(2025, 3, 14, 9, 5, tzinfo=UTC)


def test_spans_in_the_common_forms():
    def span(text: str) -> tuple[tuple, tuple] | None:
        found = times.window(text, 2021)
        if found is None:
            return None
        return tuple((s.day, s.hour, s.minute, s.zone) for s in found)  # type: ignore[return-value]

    sep2 = date(2021, 9, 2)
    # A span said by its two ends, as providers' summaries do.
    assert span("DNS problems starting at 07:00 UTC and ending at 11:00 UTC.") == (
        (None, 7, 0, "UTC"),
        (None, 11, 0, "UTC"),
    )
    assert span("Between 08:21 UTC and 10:35 UTC on 02 Sep 2021, customers") == (
        (sep2, 8, 21, "UTC"),
        (sep2, 10, 35, "UTC"),
    )
    assert span("On 2 September 2021, between 08:21 and 10:35 UTC, users") == (
        (sep2, 8, 21, "UTC"),
        (sep2, 10, 35, "UTC"),
    )
    assert span("From 14:02 to 15:30 UTC on March 3, users saw errors") == (
        (date(2021, 3, 3), 14, 2, "UTC"),
        (date(2021, 3, 3), 15, 30, "UTC"),
    )
    assert span("between 9am and 11am PST on 3 March 2022") == (
        (date(2022, 3, 3), 9, 0, "PST"),
        (date(2022, 3, 3), 11, 0, "PST"),
    )
    # Versions and counts are not spans of time.
    assert span("we upgraded between 1.25 and 1.30") is None
    assert span("scaled from 2 to 3 replicas") is None


clock = st.tuples(st.integers(0, 23), st.integers(0, 59))


@given(clock, clock, st.sampled_from(["UTC", "CET", "PDT", ""]))
def test_any_written_span_reads_back(first: tuple[int, int], second: tuple[int, int], zone: str):
    written = f"Between {first[0]:02d}:{first[1]:02d} and {second[0]:02d}:{second[1]:02d}"
    found = times.window(f"Impact: {written} {zone}, users saw errors.".replace(" ,", ","))
    assert found is not None
    start, end = found
    assert (start.hour, start.minute, end.hour, end.minute) == (*first, *second)
    assert start.zone == end.zone == (zone or None)


@given(st.text(max_size=200))
def test_any_text_reads_without_error(text: str):
    found = times.window(text)
    assert found is None or len(found) == 2


def test_a_comma_before_the_year_is_inside_the_date_not_between_clauses():
    text = textwrap.dedent(
        """\
        ---
        id: GC-1
        title: Elevated error rates
        started_at: 2020-04-08T06:48:00-07:00
        severity: P2
        services: [iam]
        ---
        On Wednesday 08 April, 2020 beginning at 06:48 US/Pacific, the API returned errors.
        """
    )
    incident, _ = incident_from_bytes(text.encode(), "incidents/gc-1.md", UTC)
    assert incident is not None
    (event,) = incident.timeline
    assert event.text.startswith("On Wednesday 08 April, 2020 beginning at 06:48")


def test_what_followed_an_action_is_said_with_it():
    incident = edited(
        "Error rates\nreturned to normal", "Once the rollback completed, services recovered"
    )
    (step,) = [s.text for s in incident.part("mitigation")]
    assert step.endswith("Once the rollback completed, services recovered by 10:35 UTC.")


def test_a_moment_told_as_a_lapse_after_the_one_before_it():
    text = (
        "At 09:10 UTC the payments API started timing out. Our synthetic check caught it four"
        " minutes later and paged Ana. Ten minutes after the page, Ana found the pool exhausted."
        " Half an hour later the fix was out; 90 seconds afterwards errors stopped."
    )
    told = [(s.hour, s.minute, s.second, s.zone) for s in times.within(text, 2024)]
    assert told == [
        (9, 10, 0, "UTC"),
        (9, 14, 0, "UTC"),
        (9, 24, 0, "UTC"),
        (9, 54, 0, "UTC"),
        (9, 55, 30, "UTC"),
    ]
    # With no moment before it in the text, a lapse places nothing; nor does part of a number.
    assert len(times.within("At 09:10 it failed; 1.5 hours later it was back.", 2024)) == 1
    assert times.within("Errors stopped two minutes later.", 2024) == []
    # Past midnight, onto the next day where the moment before gave one.
    (_, late) = times.within("At 23:50 UTC on 2 May 2024 it failed; an hour later it was back.")
    assert (late.day, late.hour, late.minute) == (date(2024, 5, 3), 0, 50)


def test_a_day_given_alone_is_the_day_its_times_fall_on_in_their_own_zone():
    # 2017-04-11 at midnight UTC is still the 10th in California: the times the text tells
    # in PDT are on the 11th, as its author wrote them.
    incident, _ = read(
        day="2017-04-11",
        window="From 14:12 to 16:04 PDT",
        alerted="14:19 PDT",
        rolled="15:41 PDT",
        normal="16:04 PDT",
    )
    found = moments(incident)
    pdt = ZoneInfo("America/Los_Angeles")
    assert found["started_at"][:2] == (
        datetime(2017, 4, 11, 14, 12, tzinfo=pdt),
        "impact statement",
    )
    assert found["detected_at"][0] == datetime(2017, 4, 11, 14, 19, tzinfo=pdt)
    assert found["resolved_at"][0] == datetime(2017, 4, 11, 16, 4, tzinfo=pdt)


def test_a_span_told_of_another_day_is_not_the_incident_s():
    # The front matter's day and the text's disagree by years: no time to resolve of 926 days.
    incident = story(
        "'2020-01-01'",
        "Google Cloud Networking experienced reduced capacity from 19:30 US/Pacific on"
        " Thursday, 14 July 2022, through 15:02 US/Pacific on Friday, 15 July 2022.\n",
    )
    found = moments(incident)
    assert found["started_at"][1] == "front matter"
    assert "resolved_at" not in found


def test_a_time_in_words_is_the_morning_or_evening_nearer_the_start():
    incident = story(
        "2025-02-21T11:36:00Z",
        "A bulk import filled the queue. Around half past eight the backlog alert fired.\n\n"
        "Around half past nine we scaled the consumers out, and we closed the incident at "
        "22:01 JST.\n",
    )
    [alert] = [e for e in incident.timeline if "alert" in e.text]
    # 20:36 in Tokyo: "half past eight" was 20:30 that evening, not 08:30 the next morning.
    assert alert.at is not None
    assert alert.at.isoformat() == "2025-02-21T20:30:00+09:00"
    assert moments(incident)["resolved_at"][0].isoformat() == "2025-02-21T22:01:00+09:00"


def test_a_clock_told_roughly_is_placed_as_one_told_exactly() -> None:
    for said in ("at about 10:55", "at approximately 10:55", "around roughly 10:55"):
        (stamp,) = times.within(f"Support noticed a wave of tickets {said} and raised it.")
        assert (stamp.hour, stamp.minute) == (10, 55)
    # A number after "about" is no clock of its own: nothing places it.
    assert times.within("It used about 10.55 GB of memory.") == []


BLOG = """\
---
id: LOGIN-1
title: What happened during Tuesday's login outage
started_at: '2025-01-14'
severity: P2
services: [login]
---
On Tuesday, many of you could not log in to the app for a little over an hour.

Around 10:40 in the morning (all times in this post are Eastern Time), our identity provider's
token signing certificate was rotated on schedule.

Customer support noticed a wave of "can't log in" tickets at about 10:55 and raised it in our
incident channel.

At 11:20 Dana forced a refresh of the key cache by restarting the login pods. By 11:45 the error
rate was back to zero.
"""


def test_the_zone_a_story_says_its_times_are_in_holds_for_all_of_them() -> None:
    incident, _ = incident_from_bytes(BLOG.encode(), "incidents/login-1.md", UTC)
    assert incident is not None
    eastern = ZoneInfo("America/New_York")
    moments = {m.name: m.at for m in incident.milestones}
    assert moments["started_at"] == datetime(2025, 1, 14, 10, 40, tzinfo=eastern)
    assert moments["detected_at"] == datetime(2025, 1, 14, 10, 55, tzinfo=eastern)
    assert moments["resolved_at"] == datetime(2025, 1, 14, 11, 45, tzinfo=eastern)
    (restart,) = incident.part("mitigation")
    assert restart.text.startswith("At 11:20 Dana forced a refresh")


def test_a_zone_stated_by_its_database_name_holds_for_the_story() -> None:
    text = BLOG.replace("all times in this post are Eastern Time", "all times in Europe/Berlin")
    incident, _ = incident_from_bytes(text.encode(), "incidents/login-1.md", UTC)
    assert incident is not None
    berlin = ZoneInfo("Europe/Berlin")
    moments = {m.name: m.at for m in incident.milestones}
    assert moments["detected_at"] == datetime(2025, 1, 14, 10, 55, tzinfo=berlin)
    assert times.stated_zone("## Timeline (all times US/Pacific)") == "US/Pacific"


def test_a_time_that_names_which_copy_is_no_moment_of_its_own():
    from learnloop.read.markdown import Block
    from learnloop.read.timeline import told

    said = (
        "At 10:21 we stopped the build job, and at 10:27 we pushed the last known good table "
        "from 09:55 to all edge servers. Errors fell from 10:05 to 10:20."
    )
    after = datetime(2025, 8, 14, 10, 2, tzinfo=UTC)
    events = told([Block("paragraph", said, 1, 1)], after, UTC, None)
    texts = {e.at.strftime("%H:%M"): e.text for e in events if e.at}
    # A span is a moment, and a table named by its time is not.
    assert sorted(texts) == ["10:05", "10:21", "10:27"]
    assert texts["10:27"] == (
        "at 10:27 we pushed the last known good table from 09:55 to all edge servers."
    )
