"""The render cache: each generated document's text, kept under a digest of what it reads.

`generate` renders every document from the whole analysis, yet most documents read a small
part of it: a pattern and its incidents, a service's incidents, one incident and its pattern.
After one new incident almost all of them come out as they were. So each writer names, beside
the code that renders a document, every input that code reads; `fingerprint` of those inputs
is the document's key, and a document whose key was seen in the last run is taken from here
instead of being rendered. The document's current text on disk is always one of the inputs,
because people's edits are merged into it.

Beside documents it keeps costly intermediate results: values of a pattern or a group
(`value`) and tables of per-incident parts of whole-corpus figures (`per_incident`).

A key covers the inputs; the salt in the file name covers the code (every file of the
package), so a change to either is a miss, never a stale document. The file is only an
optimisation: unreadable, corrupt or foreign content is ignored and everything is rendered.
It keeps the entries the last run used and nothing else, so it does not grow.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any, TypeVar, cast

from learnloop import cachefile
from learnloop.memo import PerIncident
from learnloop.model import Incident

log = logging.getLogger(__name__)

PREFIX = "render-"  # beside the analysis caches in cachefile.CACHE_DIR
_PACKAGE = Path(__file__).resolve().parent.parent
# Libraries whose output ends up in the documents (quoting, templates, figures).
_LIBRARIES = ("PyYAML", "Jinja2", "MarkupSafe", "numpy", "pandas", "scipy")
_MISSING = object()
T = TypeVar("T")
R = TypeVar("R")


@cache
def salt() -> str:
    """A digest of the learnloop package's files: new code never reuses old output.

    The Python source (`cachefile.code_digest`), and the templates and assets beside it: they
    shape the text as much as the code; so do the Python version and the libraries that
    quote, template and compute figures.
    """
    h = hashlib.sha256(f"{cachefile.code_digest()}\0{sys.version}".encode())
    for name in _LIBRARIES:
        try:
            h.update(f"\0{name}={metadata.version(name)}".encode())
        except metadata.PackageNotFoundError:
            h.update(f"\0{name}".encode())
    for path in sorted(_PACKAGE.rglob("*")):
        if path.is_file() and path.suffix not in (".py", ".pyc"):
            h.update(path.relative_to(_PACKAGE).as_posix().encode() + b"\0")
            h.update(path.read_bytes())
    return h.hexdigest()[:16]


def fingerprint(*parts: object) -> str:
    """sha256 of a canonical encoding of the parts (see `_encode`)."""
    out: list[str] = []
    for part in parts:
        _encode(part, out)
    return hashlib.sha256("".join(out).encode("utf-8", "surrogatepass")).hexdigest()


def _document_key(reads: str, existing: str | None) -> str:
    """A document's key: the digest of what it reads, then its text on disk.

    The text goes to the hash as it is rather than through `_encode`: documents run to
    megabytes, and copying each into one joined string first is most of the time a key takes.
    `reads` is a fixed-length digest, so the two parts cannot run into each other.
    """
    h = hashlib.sha256(reads.encode())
    if existing is None:
        h.update(b"N")
    else:
        h.update(b"s")
        h.update(existing.encode("utf-8", "surrogatepass"))
    return "doc:" + h.hexdigest()


_FIELDS: dict[type, tuple[str, ...]] = {}


def _token_of(incident: Incident) -> str:
    """An incident's part of a key: a digest of its id, its path and its file's digest.

    An incident is its file: the digest of its bytes stands for every field parsed from them,
    and the path (in every link to it) is not in the bytes. The three are digested into a
    short token, worked out once per incident (`_incident`): the whole corpus is part of many
    keys, and its length is most of what a key costs.
    """
    name, path = incident.id, incident.path
    whole = f"{len(name)}:{name}{len(path)}:{path}{incident.digest}"
    return "I" + hashlib.sha256(whole.encode("utf-8", "surrogatepass")).hexdigest()[:32] + ";"


_incident = PerIncident(_token_of)


def _encode(value: object, out: list[str]) -> None:
    """Append a canonical, type-tagged encoding of value to out.

    Built for keys, not for Python's `hash()` or pickle: both vary between processes (string
    hashing is salted per process, and pickle's output depends on how objects were built).
    Strings are length-prefixed so that no two different values encode alike; mappings keep
    their order, since a writer iterating one renders in that order; sets are sorted.
    """
    # Lists of ids and of incidents are most of every key: those come first, inline.
    if type(value) is str:
        out.append(f"s{len(value)}:{value}")
    elif type(value) is tuple or type(value) is list:
        out.append("(" if type(value) is tuple else "[")
        for item in value:
            if type(item) is str:
                out.append(f"s{len(item)}:{item}")
            elif type(item) is Incident and item.digest:
                out.append(_incident(item))
            elif item is None:  # an incident outside any pattern, in lists of pairs
                out.append("N")
            elif type(item) is tuple:  # pairs (id and digest, incident and pattern): inline too
                out.append("(")
                for part in item:
                    if type(part) is str:
                        out.append(f"s{len(part)}:{part}")
                    elif type(part) is Incident and part.digest:
                        out.append(_incident(part))
                    elif part is None:
                        out.append("N")
                    else:
                        _encode(part, out)
                out.append(")")
            else:
                _encode(item, out)
        out.append(")")
    elif type(value) is Incident and value.digest:
        out.append(_incident(value))
    else:
        _encode_other(value, out)


def _encode_other(value: object, out: list[str]) -> None:
    if value is None:
        out.append("N")
    elif isinstance(value, str):
        out.append(f"s{len(value)}:{value}")
    elif isinstance(value, bool):
        out.append("T" if value else "F")
    elif isinstance(value, int):
        out.append(f"i{value};")
    elif isinstance(value, float):
        out.append(f"f{value!r};")
    elif isinstance(value, Incident) and value.digest:
        out.append(_incident(value))
    elif isinstance(value, tuple | list):
        out.append("(" if isinstance(value, tuple) else "[")
        for item in value:
            _encode(item, out)
        out.append(")")
    elif isinstance(value, Mapping):
        out.append("{")
        # Maps of ids (incidents by id, pattern by incident) are large: strings inline.
        for key, item in value.items():
            if type(key) is str:
                out.append(f"s{len(key)}:{key}")
            else:
                _encode(key, out)
            if type(item) is str:
                out.append(f"s{len(item)}:{item}")
            elif type(item) is Incident and item.digest:  # incidents by id
                out.append(_incident(item))
            else:
                _encode(item, out)
        out.append("}")
    elif isinstance(value, set | frozenset):
        parts = []
        for item in value:
            encoded: list[str] = []
            _encode(item, encoded)
            parts.append("".join(encoded))
        out.append("<" + "".join(sorted(parts)) + ">")
    elif isinstance(value, datetime | date):
        out.append(f"{type(value).__name__}{value.isoformat()};")
    elif isinstance(value, bytes):
        out.append(f"y{value.hex()};")
    elif isinstance(value, re.Pattern):
        out.append(f"r{value.flags};")
        _encode(value.pattern, out)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        kind = type(value)
        names = _FIELDS.get(kind)
        if names is None:
            names = _FIELDS[kind] = tuple(f.name for f in dataclasses.fields(kind))
        out.append(f"@{kind.__module__}.{kind.__qualname__}(")
        for name in names:
            _encode(getattr(value, name), out)
        out.append(")")
    else:
        # A value we cannot encode faithfully must not become a key that matches wrongly.
        raise TypeError(f"cannot fingerprint {type(value).__name__}")


class RenderCache:
    """Rendered documents and costly intermediate values, by the digest of their inputs.

    `RenderCache()` keeps nothing between runs (values are still shared within the run);
    `RenderCache.load(root)` reads the last run's entries and `save()` writes this run's.
    With `verify`, every entry found is also recomputed and compared: a test's way to prove
    that a key names everything the value depends on.
    """

    def __init__(
        self,
        path: Path | None = None,
        entries: dict[str, Any] | None = None,
        *,
        verify: bool = False,
    ) -> None:
        self.path = path
        self.verify = verify
        self._known: dict[str, Any] = entries or {}
        self._used: dict[str, Any] = {}
        self.hits: Counter[str] = Counter()  # by family: documents taken from the cache
        self.misses: Counter[str] = Counter()  # by family: documents rendered
        self.rendered: list[str] = []  # the paths of the documents rendered, in order
        self._reading: list[set[str]] = []  # the values read by the documents being rendered
        self._fresh = False  # whether this run computed anything the file does not hold
        self._tables: dict[str, cachefile.Buckets] = {}  # per_incident: its table by key
        self._replaced: dict[str, str] = {}  # path -> key of the entry that changed its text

    @classmethod
    def load(cls, root: Path, *, verify: bool = False) -> RenderCache:
        """The cache of the repo at root, with what its last run left (if anything usable)."""
        path = root / cachefile.CACHE_DIR / f"{PREFIX}{salt()}.pickle"
        return cls(path, _read(path), verify=verify)

    def document(
        self,
        path: str,
        inputs: tuple[object, ...],
        existing: str | None,
        compute: Callable[[], R],
        merge: Callable[[R, str | None], str],
    ) -> str:
        """The document at path: `merge(compute(), existing)`, or what that gave before.

        `compute` is the costly part (figures, regions); `merge` puts its result into the
        document's text on disk, `existing`. The key is the digest of `inputs`, which must
        name everything both read apart from `existing`, and of `existing`.
        """
        family = path.rsplit("/", 1)[0] if "/" in path else path
        reads = fingerprint(path, inputs)
        key = _document_key(reads, existing)
        parts: list[R] = []
        needs: set[str] = set()

        def render(text: str | None) -> str:
            if not parts:
                self._reading.append(needs)
                try:
                    parts.append(compute())
                finally:
                    self._reading.pop()
            return merge(parts[0], text)

        found = self._lookup(key)
        # An entry is (text, the keys of the values it was computed from), where text None
        # means "the existing text, unchanged": most documents are, and their text is on disk
        # already. Anything else is damage, and rendered again.
        if isinstance(found, tuple) and len(found) == 2:
            text = existing if found[0] is None else found[0]
            if isinstance(text, str):
                self.hits[family] += 1
                # Values behind a document taken from the cache are not read in this run, but
                # its next change will want them (a pattern's synthesis outlives a new score).
                for needed in found[1]:
                    if needed not in self._used and needed in self._known:
                        self._used[needed] = self._known[needed]
                if self.verify and render(existing) != text:
                    raise AssertionError(f"render cache: stale entry for {path}")
                return text
        self.misses[family] += 1
        self.rendered.append(path)
        self._fresh = True
        text = render(existing)
        needed = tuple(sorted(needs))
        self._used[key] = (None if text == existing else text, needed)
        if text != existing:
            self._replaced[path] = key
        # `generate` writes the text over the old, so the next run reads it back as the
        # existing text: keep it under that key too. Rendering a document over its own output
        # changes nothing (generating twice is a no-op), but that is checked rather than
        # assumed; the check costs one merge, not the figures.
        if text != existing and render(text) == text:
            self._used[_document_key(reads, text)] = (None, needed)
        return text

    def value(self, kind: str, inputs: tuple[object, ...], compute: Callable[[], T]) -> T:
        """An intermediate result that is a pure function of inputs, computed once."""
        key = f"{kind}:" + fingerprint(kind, inputs)
        for reading in self._reading:
            reading.add(key)
        found = self._lookup(key)
        if found is not _MISSING:
            if self.verify and compute() != found:
                raise AssertionError(f"render cache: stale {kind} entry")
            return cast(T, found)
        self._fresh = True
        result = self._used[key] = compute()
        return result

    def per_incident(
        self, kind: str, inputs: tuple[object, ...], compute: Callable[[Incident], T]
    ) -> Callable[[Incident], T]:
        """`compute`, remembered for each incident file between runs.

        For the figures a whole-corpus document adds up over every incident: one new incident
        changes the sum, not the other incidents' parts. An incident stands for its file (path
        and the digest of its bytes); `inputs` must name everything else compute reads. The
        table keeps the incidents this run asked for and nothing else (see `cachefile.Buckets`).
        """
        key = f"{kind}:" + fingerprint(kind, inputs)
        for reading in self._reading:
            reading.add(key)
        table = self._tables.get(key)
        if table is None:
            table = self._tables[key] = cachefile.Buckets(self._known.get(key))
            self._used[key] = table.stored  # until `save` packs what this run used

        def one(incident: Incident) -> T:
            if not incident.digest:  # not read from a file: nothing stands for its content
                return compute(incident)
            name = (incident.id, incident.path, incident.digest)
            bucket = table.bucket(name[0])
            found = bucket.used.get(name, _MISSING)
            if found is _MISSING:
                found = bucket.before.get(name, _MISSING)
                if found is _MISSING:
                    found = compute(incident)
                elif self.verify and compute(incident) != found:
                    raise AssertionError(f"render cache: stale {kind} entry for {incident.id}")
                bucket.used[name] = found
            return cast(T, found)

        return one

    def _lookup(self, key: str) -> Any:
        if key in self._used:
            return self._used[key]
        if key in self._known:
            self._used[key] = self._known[key]  # used in this run: kept for the next
            return self._used[key]
        return _MISSING

    @property
    def hit_count(self) -> int:
        """Documents taken from the cache in this run."""
        return sum(self.hits.values())

    @property
    def miss_count(self) -> int:
        """Documents rendered in this run."""
        return sum(self.misses.values())

    def summary(self) -> str:
        """One line for the log: how much of this run came from the cache."""
        total = self.hit_count + self.miss_count
        reused, rendered = self.hit_count, self.miss_count
        return f"render cache: {reused} of {total} documents reused, {rendered} rendered"

    def save(self, settled: Iterable[str] = ()) -> None:
        """Write this run's entries, only those, atomically; a failure only costs speed.

        `settled` names documents whose rendered text is now on disk: the entries that gave
        their text over the previous one are spent (the next run reads the new text, under
        which each is kept as well), and would only weigh on every later load.
        """
        for path in settled:
            self._used.pop(self._replaced.pop(path, ""), None)
        for key, table in self._tables.items():
            packed = self._used[key] = table.pack()
            self._fresh |= packed != table.stored
        if self.path is None or (not self._fresh and self._used.keys() == self._known.keys()):
            return
        # Files of other code (another salt) can never match again: they are removed.
        cachefile.write(self.path, self._used, replaces=f"{PREFIX}*.pickle")
        self._known, self._fresh = dict(self._used), False


def _read(path: Path) -> dict[str, Any]:
    """The stored entries, or none when the file is missing, unreadable or not ours."""
    try:
        entries = cachefile.read(path)
    except Exception as exc:  # damage `read` does not expect still only means starting cold
        log.info("ignoring the unreadable render cache %s: %s", path, exc)
        return {}
    if not isinstance(entries, dict) or not all(isinstance(k, str) for k in entries):
        return {}
    return entries
