"""A wiki's incident report, written in MediaWiki markup, imported as Markdown and read."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from learnloop.importers import mediawiki
from learnloop.read.lexicon import PARTS
from tests.importing import incidents, run_import

REPORT = """\
{{irdoc|status=final}}
{{Incident scorecard
| id = 2022-03-09 search
| start = 2022-03-09 14:02
| end = 2022-03-09 15:31
}}

==Summary==
For 89 minutes, '''search on all wikis''' returned errors for 40% of queries. A bot sent
expensive regex queries and the [[Search|CirrusSearch]] cluster ran out of search threads.

<syntaxhighlight lang="bash">
grep -c 'insource:/' requests.log
</syntaxhighlight>

==Timeline==
''All times in UTC.''

*14:02 A bot begins sending regex searches. '''OUTAGE BEGINS'''
*14:09 Alert: <code>CirrusSearch latency</code> fires; SRE paged.
*14:24 Looking at the [https://grafana.example.org/d/search search dashboard], rejections are
at 3,000/s.
*14:52 Requestctl rule added to block the range; rejections drop.
*15:31 Search error rate back to baseline.<ref>https://example.org/graph</ref>

==Other observations==
The graphs were slow to load.

==Conclusions==
* Regex queries have no per-client limit.
===What went well?===
* The alert fired quickly.

==Actionables==
* {{Phabricator|T303999}} Add a pool counter limit for regex queries per client

==Scorecard==
{| class="wikitable"
!Question
!Score
|-
|style="width: 80%" |Were the people who responded prepared enough?
|no
|-
|Were the action items assigned? Did the rollback of the config fix it?
|yes
|}
"""


def test_markup_becomes_markdown_line_for_line():
    text = mediawiki.to_markdown(REPORT)
    assert "## Summary\nFor 89 minutes, **search on all wikis** returned" in text
    assert "the CirrusSearch cluster ran out" in text
    assert "## Conclusions\n- Regex queries have no per-client limit.\n### What went well?" in text
    assert "- 14:09 Alert: `CirrusSearch latency` fires; SRE paged." in text
    assert "[search dashboard](https://grafana.example.org/d/search)" in text
    assert "- T303999 Add a pool counter limit" in text
    assert "```bash\ngrep -c 'insource:/' requests.log\n```" in text
    assert "| Question | Score |\n| --- | --- |\n| Were the people who responded prepared" in text
    # The infobox's settings are the incident's fields; settings of a template say nothing.
    assert "Start: 2022-03-09 14:02\nEnd: 2022-03-09 15:31" in text
    for gone in ("irdoc", "status=final", "{{", "<ref>"):
        assert gone not in text


def test_a_wiki_report_imports_with_its_parts_and_times(make_repo, tmp_path):
    src = tmp_path / "wiki"
    src.mkdir()
    (src / "2022-03-09 Elasticsearch cluster overload.wiki").write_text(REPORT)
    root = make_repo({})
    result, out = run_import(root, src)
    assert result.exit_code == 0, out
    (incident,) = incidents(root).values()
    assert incident.id == "2022-03-09-Elasticsearch-cluster-overload"
    assert incident.title == "Elasticsearch cluster overload"  # the page's name
    assert incident.resolved_at == datetime(2022, 3, 9, 15, 31, tzinfo=UTC)
    assert [s.text for s in incident.part("follow_ups")] == [
        "T303999 Add a pool counter limit for regex queries per client"
    ]
    assert [s.text for s in incident.part("lessons")] == [
        "Regex queries have no per-client limit.",
        "The alert fired quickly.",
    ]
    assert any("Requestctl rule added" in s.text for s in incident.part("mitigation"))
    # The scorecard asks about the response: no part of the story.
    assert not any(
        "prepared enough" in s.text or "action items assigned" in s.text
        for part in PARTS
        for s in incident.part(part)
    )


def test_markdown_with_equals_signs_is_not_taken_for_wiki_markup():
    assert not mediawiki.looks_like_mediawiki("# Title\n\n== a ==\n\n== b ==\n")
    assert not mediawiki.looks_like_mediawiki("a == b\n\nx == y\n")
    assert mediawiki.looks_like_mediawiki("== Summary ==\ntext\n\n== Timeline ==\n")


@given(st.text(alphabet=st.sampled_from(list("=*#:;|!{}[]'<>/ \nabc-")), max_size=300))
def test_any_text_converts_without_error_and_keeps_its_words(text):
    out = mediawiki.to_markdown(text)
    for word in ("abc", "cab"):
        if word in text.replace("\n", " ") and "{{" not in text and "[[" not in text:
            assert word in out or "<" in text
