"""Importers: incidents from other templates and tools, as neutral records, then as files.

Each format's module is a pure function from parsed input to records (`Imported` or
`Skipped`); `detect` finds the inputs and their formats, `plan` turns records into files
(ids, paths, front matter, idempotency, edit detection), `attach` adds alerts to incidents,
and `run` does one import.
"""

from learnloop.importers.records import FORMATS, AlertRef, Document, Imported, Record, Skipped

__all__ = ["FORMATS", "AlertRef", "Document", "Imported", "Record", "Skipped"]
