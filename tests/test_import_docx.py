"""Post-mortems written in Word or Google Docs (.docx), imported as Markdown and read.

The document in tests/data/import/docx is a real Word file: Word's own template, styles and
numbering, written by python-docx.
"""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from learnloop.importers import docx
from tests.importing import DATA, incidents, reasons, run_import

WORD = DATA / "docx" / "2024-04-18 Checkout outage.docx"


def test_headings_lists_and_tables_become_markdown():
    body, title = docx.to_markdown(WORD.read_bytes())
    # The Title-style text names it; the file's stale properties ("Postmortem template") do not.
    assert title == "Checkout outage"
    assert body.startswith("# Summary\n\nOn 2024-04-18 between 14:02 and 15:10 UTC")
    assert (
        "# Timeline\n\nAll times UTC.\n\n- 14:02 Release 7.3.0 of cart-service rolled out.\n"
        in body
    )
    assert "- 14:06 PagerDuty alert: checkout error rate > 5%. On-call paged.\n- 14:12" in body
    assert "| Action | Owner | Ticket |\n| --- | --- | --- |\n| Alert on pool saturation |" in body
    assert "`helm rollback cart 41`" in body


def test_a_word_post_mortem_imports_and_reads(make_repo, tmp_path):
    root = make_repo({})
    result, out = run_import(root, WORD.parent)
    assert result.exit_code == 0, out
    (incident,) = incidents(root).values()
    assert (incident.id, incident.title) == ("2024-04-18-Checkout-outage", "Checkout outage")
    assert incident.started_at == datetime(2024, 4, 18, 14, 2, tzinfo=UTC)
    text = (root / out["imported"][0]["path"]).read_text()
    assert "  format: docx\n" in text
    assert [s.text for s in incident.part("mitigation")] == [
        "Rolled back cart-service to 7.2.4 with `helm rollback cart 41`."
    ]
    assert [m.id for m in incident.failure_modes][:1] == ["connection-pool-exhaustion"]


def _docx(document: str, extra: dict[str, bytes] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        if document:
            archive.writestr("word/document.xml", document)
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


_W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def test_what_cannot_be_read_is_skipped_with_the_reason(make_repo, tmp_path: Path):
    src = tmp_path / "docs"
    src.mkdir()
    (src / "not-a-zip.docx").write_bytes(b"PK\x03\x04 broken")
    (src / "no-document.docx").write_bytes(_docx("", {"word/other.xml": b"<x/>"}))
    bomb = f'<!DOCTYPE w [<!ENTITY a "aaaa">]><w:document {_W}><w:body/></w:document>'
    (src / "entities.docx").write_bytes(_docx(bomb))
    (src / "empty.docx").write_bytes(_docx(f"<w:document {_W}><w:body/></w:document>"))
    root = make_repo({})
    result, out = run_import(root, src)
    found = reasons(out)
    assert found["not-a-zip.docx"].startswith("not a readable Word document")
    assert found["no-document.docx"] == "not a Word document: no word/document.xml"
    assert found["entities.docx"] == (
        "a Word document whose word/document.xml declares a document type; refused"
    )
    assert found["empty.docx"] == "a Word document with no text"
    assert result.exit_code == 1


def test_a_member_too_large_is_refused_before_it_is_read(monkeypatch):
    monkeypatch.setattr(docx, "MAX_XML", 10)
    text = f"<w:document {_W}><w:body><w:p><w:r><w:t>words</w:t></w:r></w:p></w:body></w:document>"
    with pytest.raises(docx.Unreadable, match=r"word/document\.xml is too large to read"):
        docx.to_markdown(_docx(text))


def test_styles_named_in_another_language_still_head_their_parts():
    styles = (
        f"<w:styles {_W}><w:style w:styleId='berschrift1'><w:name w:val='heading 1'/></w:style>"
        f"<w:style w:styleId='Kop2'><w:name w:val='Kop 2'/></w:style></w:styles>"
    )

    def para(style: str, text: str) -> str:
        return f"<w:p><w:pPr><w:pStyle w:val='{style}'/></w:pPr><w:r><w:t>{text}</w:t></w:r></w:p>"

    document = (
        f"<w:document {_W}><w:body>{para('berschrift1', 'Ursache')}{para('Kop2', 'Oorzaak')}"
        "<w:p><w:r><w:t>Der Pool war</w:t><w:tab/><w:t>voll.</w:t></w:r></w:p>"
        "</w:body></w:document>"
    )
    body, _ = docx.to_markdown(_docx(document, {"word/styles.xml": styles.encode()}))
    assert body == "# Ursache\n\n## Oorzaak\n\nDer Pool war voll.\n"
