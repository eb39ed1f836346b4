"""The blameless-language check: what warns, what does not, how a team tunes it, and how
often it is wrong on real post-mortems."""

from __future__ import annotations

import textwrap
from datetime import UTC
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from learnloop.cli import cli
from learnloop.errors import SettingsError
from learnloop.read import blameless, incident_from_bytes
from learnloop.settings import load_settings
from tests.conftest import incident_text


def incident(body: str, **front: object):
    text = incident_text(**front).split("\n## Summary", 1)[0] + "\n" + textwrap.dedent(body)
    found, problems = incident_from_bytes(text.encode(), "incidents/x.md", UTC)
    assert found is not None, problems
    return found, text


def warnings(body: str, words: blameless.Vocabulary | None = None, **front: object):
    found, text = incident(body, **front)
    vocabulary = words or blameless.vocabulary()
    assert vocabulary is not None
    out = blameless.scan(found, vocabulary)
    lines = text.split("\n")
    return [(p.line, lines[p.line - 1].strip(), p.message) for p in out], out


def test_human_error_warns_on_its_line_with_a_hint_toward_the_system():
    found, problems = warnings(
        """
        ## Root cause
        The outage was caused by human error during the failover.
        """
    )
    assert [(line, message) for _, line, message in found] == [
        (
            "The outage was caused by human error during the failover.",
            'blameless: "human error" names who erred, not what let the error through',
        )
    ]
    (problem,) = problems
    assert problem.level == "warning"
    assert problem.code == "blameless"
    assert problem.hint is not None
    assert "made the slip possible" in problem.hint


@pytest.mark.parametrize(
    "sentence",
    [
        "This was not human error: the console allowed it.",
        "There is no evidence of operator error.",
        "We added a confirmation step to avoid human error.",
        "Nothing out of the ordinary was found. Assumed user error at the time.",
    ],
)
def test_denied_or_hypothetical_blame_is_not_warned_about(sentence: str):
    found, _ = warnings(f"## Summary\n{sentence}\n")
    assert found == []


@pytest.mark.parametrize(
    ("sentence", "words"),
    [
        ("The operator forgot to renew the certificate.", "operator forgot"),
        ("The on-call engineer missed the page.", "on-call engineer missed"),
        ("Someone should have checked the dashboard.", "Someone should have checked"),
        ("An engineer made a typo in the route table.", "engineer made a typo"),
        (
            "An operator used a tool with lax validation but forgot to type -n.",
            "operator used a tool with lax validation but forgot",
        ),
        ("The developer had forgotten to add the field.", "developer had forgotten"),
    ],
)
def test_a_person_as_the_subject_of_a_failure_warns(sentence: str, words: str):
    found, _ = warnings(f"## Summary\n{sentence}\n")
    assert len(found) == 1
    assert f'"{words}"' in found[0][2]


@pytest.mark.parametrize(
    "sentence",
    [
        "The job failed to start after the upgrade.",  # a system, not a person
        "We failed to verify that KIAM was running.",  # the authors' own account
        "The engineer noticed that the deploy failed to roll out.",  # another subject
        "Each repository should have clear contribution rules.",  # possession
        "The engineer's change failed to apply.",  # the change is the subject
        "The page sent to the on-call failed to arrive.",  # the person is an object
        "The primary engineer did not have any contextual clues.",  # a condition
        "Run `someone forgot to` in a shell.",  # code is not prose
    ],
)
def test_failures_of_systems_and_first_person_accounts_do_not_warn(sentence: str):
    found, _ = warnings(f"## Summary\n{sentence}\n")
    assert found == []


def test_code_blocks_and_quoted_chat_are_not_read():
    found, _ = warnings(
        """
        ## Timeline
        > 10:02 bob: human error on my side, sorry

        ```
        # the operator forgot to run this
        kubectl rollout restart deployment/api
        ```
        """
    )
    assert found == []


def test_try_harder_actions_warn():
    found, _ = warnings("## Action items\n- Engineers must be more careful with prod configs.\n")
    assert [m for *_, m in found] == [
        'blameless: "be more careful" asks people to try harder, which changes nothing in the '
        "system"
    ]


def test_front_matter_text_is_read_with_its_line():
    found, _ = warnings(
        "## Summary\nFine.\n",
        root_cause='{category: change, summary: "Careless operator pushed a bad config."}',
    )
    assert [(line, m) for _, line, m in found] == [
        (
            'root_cause: {category: change, summary: "Careless operator pushed a bad config."}',
            'blameless: "Careless" judges a person\'s character instead of describing the '
            "conditions they worked in",
        )
    ]


RESPONDERS = "[{name: Alice Smith, role: sre}, {name: platform-team}]"


def test_a_named_responder_as_the_subject_or_agent_of_the_cause_warns():
    found, _ = warnings(
        """
        ## Root cause
        Alice pushed a config with a wrong upstream. The bad rule was introduced by @bob.
        """,
        responders=RESPONDERS,
    )
    assert sorted(m for *_, m in found) == [
        'blameless: "@bob" names a person as the cause',
        'blameless: "Alice" names a person as the cause',
    ]


def test_names_outside_the_cause_and_in_the_timeline_do_not_warn():
    found, _ = warnings(
        """
        ## Timeline
        - 10:00 — Alice deploys v2.3.
        - 10:05 — Alice rolls back.

        ## Root cause
        The deploy pipeline let an untested config reach production; Alice found it.
        """,
        responders=RESPONDERS,
    )
    assert found == []


def _settings(tmp_path: Path, text: str):
    (tmp_path / "learnloop.yml").write_text(textwrap.dedent(text), encoding="utf-8")
    return load_settings(tmp_path).blameless


def test_learnloop_yml_switches_the_check_or_an_entry_off(tmp_path: Path):
    body = "## Summary\nHuman error. The operator forgot to renew it.\n"
    assert blameless.vocabulary(_settings(tmp_path, "blameless: false\n")) is None
    off = blameless.vocabulary(_settings(tmp_path, "blameless:\n  disabled: [human-error]\n"))
    found, _ = warnings(body, off)
    assert [m.split('"')[1] for *_, m in found] == ["operator forgot"]
    found, _ = warnings(body)
    assert len(found) == 2


def test_learnloop_yml_adds_words_and_people(tmp_path: Path):
    words = blameless.vocabulary(
        _settings(
            tmp_path,
            """
            blameless:
              people: [release captain]
              phrases:
                - {id: forgot, phrases: [spaced on]}
                - id: scapegoat
                  kind: label
                  phrases: [root cause was (bob|the intern)]
                  message: blames one person
                  hint: say what the system allowed
            """,
        )
    )
    found, _ = warnings(
        "## Summary\nThe release captain spaced on the freeze. Root cause was the intern.\n",
        words,
    )
    assert sorted(m.split('"')[1] for *_, m in found) == [
        "Root cause was the intern",
        "release captain spaced on",
    ]


def test_bad_blameless_settings_are_all_reported_with_lines(tmp_path: Path):
    with pytest.raises(SettingsError) as caught:
        _settings(
            tmp_path,
            """
            blameless:
              check: maybe
              disabled: [no-such-entry]
              phrases:
                - {id: new-one, kind: label, phrases: [error]}
            """,
        )
    problems = caught.value.problems
    assert problems == [
        "learnloop.yml:3: error: blameless.check: expected true or false, got 'maybe'",
        "learnloop.yml:6: error: blameless.phrases.0.phrases.0: 'error': too generic: it says "
        "that something failed, not why",
        "learnloop.yml:6: error: blameless.phrases.0: a new entry needs a message and a hint",
        "learnloop.yml:4: error: blameless.disabled.0: no entry 'no-such-entry'; the entries are "
        "carelessness, counterfactual, failed-to, forgot, human-error, mistake, named-person, "
        "new-one, try-harder",
    ]


def test_check_warns_but_never_fails_on_blame(make_repo):
    root = make_repo({"a.md": incident_text() + "\nRoot cause: human error.\n"})
    result = CliRunner().invoke(
        cli, ["--root", str(root), "check", "--format", "github"], catch_exceptions=False
    )
    assert result.exit_code == 0
    assert result.output.startswith(
        "::warning file=incidents/a.md,line=19,title=learnloop blameless::blameless: "
        '"human error" names who erred'
    )


def test_the_shipped_entries_cite_real_text_or_public_practice():
    people, entries = blameless._shipped()
    assert "engineer" in people
    assert "we" not in people
    assert {e.kind for e in entries} == set(blameless.KINDS)
    for entry in entries:
        assert entry.sources, entry.id
        assert all("simulat" not in s for s in entry.sources)


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=400))
def test_any_text_is_read_without_raising(text: str):
    words = blameless.vocabulary()
    assert words is not None
    for finding in words.find(text, ("Alice Smith", "Alice")):
        assert 0 <= finding.offset <= len(text)


def test_real_post_mortems_are_judged_and_rarely_wrong(shared_datasets: Path):
    from benchmarks import blameless as bench
    from benchmarks.failure_modes import COLLECTIONS

    verdicts = bench.judged()
    fired = wrong = 0
    for collection in COLLECTIONS:
        _, found = bench.warnings(collection)
        mine = verdicts.get(collection, {})
        unjudged = [w.key for w in found if w.key not in mine]
        assert unjudged == [], f"{collection}: judge these in benchmarks/blameless_judged.yml"
        fired += len(found)
        wrong += sum(mine[w.key] == "wrong" for w in found)
    assert fired >= 8  # the check does find the blame real post-mortems hold
    assert wrong / fired < 0.2
