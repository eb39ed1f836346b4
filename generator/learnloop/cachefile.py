"""Pickled caches under .learnloop-cache/: keyed by content, replaced atomically, never trusted.

Every cache here is an optimisation only: an unreadable or foreign file is ignored and the
value recomputed, and a key always covers everything the value depends on, including the
code that computed it, so a cache can be missed but never stale.

A cache file sits in the repository, where a pull request can put one (`git add -f`), and
unpickling runs code. So each file is signed with a key that never leaves this machine
(HMAC-SHA256, the key in the user's cache folder, readable by the user alone), and a file
whose signature does not verify is ignored before a byte of it is unpickled: only what
this machine wrote is ever loaded. Without a usable key nothing is cached.

And what is unpickled can only build data: the unpickler resolves no name but learnloop's
own classes and a short list of value types (dates, counters, numpy arrays, sparse
matrices), so even a signed file cannot call a function; one naming anything else is
ignored as damaged.
"""

from __future__ import annotations

import copyreg
import gc
import hashlib
import hmac
import io
import logging
import os
import pickle
import secrets
import zlib
from functools import cache
from pathlib import Path
from typing import Any, cast
from zoneinfo import ZoneInfo

log = logging.getLogger(__name__)

CACHE_DIR = ".learnloop-cache"
# A command keeps what it loads until it exits: freezing that spares every later collection a
# scan of it (seconds on a large repo). Set by the command-line entry point only; a
# long-lived process (a test run) would pin its cyclic garbage.
freeze_loaded = False
_PACKAGE = Path(__file__).resolve().parent


@cache
def code_digest() -> str:
    """A digest of this package's files: a change to its code or to the data it reads (the
    reader's cues, the failure catalogue, the themes, templates) invalidates every cache."""
    h = hashlib.sha256()
    files = (p for p in _PACKAGE.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    for path in sorted(p for p in files if p.suffix != ".pyc"):
        h.update(path.relative_to(_PACKAGE).as_posix().encode() + b"\0")
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


MAGIC = b"learnloop-cache 1\n"
_SIGNATURE = 32  # bytes of HMAC-SHA256


def user_cache() -> Path:
    """learnloop's folder in the user's cache folder: this machine's, outside any repo."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "learnloop"


def key_path() -> Path:
    """Where this machine's signing key lives: the user's cache folder, outside any repo."""
    return user_cache() / "cache-signing-key"


@cache
def _key_at(path: Path) -> bytes | None:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        data = b""
    except OSError:
        return None
    if len(data) == 32:
        return data
    try:  # first use on this machine: a new key, created so that no one else can read it
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it a moment ago
        data = path.read_bytes()
        return data if len(data) == 32 else None
    except OSError:
        log.info("no cache signing key can be kept at %s; nothing is cached", path)
        return None
    key = secrets.token_bytes(32)
    with os.fdopen(fd, "wb") as handle:
        handle.write(key)
    return key


def signing_key() -> bytes | None:
    """This machine's key for signing caches, made on first use; None when none can be kept."""
    return _key_at(key_path())


def _sign(key: bytes, payload: bytes) -> bytes:
    return hmac.new(key, payload, hashlib.sha256).digest()


def read(path: Path) -> object | None:
    """The cached value, or None when absent, unreadable or not signed by this machine."""
    if not path.is_file():
        return None
    key = signing_key()
    if key is None:
        return None
    try:
        with path.open("rb") as handle:
            data = handle.read()
    except OSError:
        log.info("ignoring unreadable cache %s", path)
        return None
    head = len(MAGIC) + _SIGNATURE
    if not data.startswith(MAGIC) or len(data) < head:
        log.info("ignoring a cache file this version did not write: %s", path)
        return None
    signature, payload = data[len(MAGIC) : head], data[head:]
    if not hmac.compare_digest(signature, _sign(key, payload)):
        log.warning("ignoring %s: it was not written by learnloop on this machine", path)
        return None
    return loads(payload)


# The value types a cache holds besides learnloop's classes, by module: data, no behaviour.
_VALUE_TYPES = {
    "collections": {"Counter"},
    "datetime": {"date", "datetime", "time", "timedelta", "timezone"},
    "numpy": {"ndarray", "dtype"},
    "numpy.core.multiarray": {"_reconstruct", "scalar"},
    "numpy._core.multiarray": {"_reconstruct", "scalar"},
    "numpy.core.numeric": {"_frombuffer"},
    "numpy._core.numeric": {"_frombuffer"},
    "scipy.sparse._csr": {"csr_matrix", "csr_array"},
    "scipy.sparse.csr": {"csr_matrix"},
    "zoneinfo": {"ZoneInfo"},  # rebuilt from its key: see _zone
}


class _DataOnly(pickle.Unpickler):
    """An unpickler that resolves only the value types above and learnloop's classes."""

    def find_class(self, module: str, name: str) -> Any:
        if name in _VALUE_TYPES.get(module, ()):
            return super().find_class(module, name)
        if module == "learnloop" or module.startswith("learnloop."):
            found = super().find_class(module, name)
            # A class defined there: not a function, nor a name it imported from elsewhere.
            if isinstance(found, type) and found.__module__ == module:
                return found
        raise pickle.UnpicklingError(f"a cache may not name {module}.{name}")


def _zone(zone: ZoneInfo) -> tuple[type[ZoneInfo], tuple[str | None]]:
    # A ZoneInfo pickles itself as `getattr(ZoneInfo, "_unpickle")`, and a reader that
    # allowed getattr could reach anything: it is written as the call of its class on its key.
    return ZoneInfo, (zone.key,)


# What the caches write differently from pickle's defaults, so that _DataOnly reads it.
_REDUCERS = {**copyreg.dispatch_table, ZoneInfo: _zone}


def dumps(value: object) -> bytes:
    """The bytes of a value as the caches store it."""
    out = io.BytesIO()
    writer = pickle.Pickler(out, protocol=pickle.HIGHEST_PROTOCOL)
    writer.dispatch_table = _REDUCERS
    writer.dump(value)
    return out.getvalue()


def loads(data: bytes) -> object | None:
    """A value pickled by this module's writers (a part of a cache), or None when damaged."""
    # Unpickling creates objects by the hundred thousand; the cyclic collector would scan
    # them over and over while they are being made (two thirds of the time).
    collecting = gc.isenabled()
    gc.disable()
    try:
        value = _DataOnly(io.BytesIO(data)).load()  # from a file `read` verified, or a part
    except (pickle.UnpicklingError, EOFError, AttributeError, ImportError, ValueError, TypeError):
        log.info("ignoring an unreadable cache")
        return None
    finally:
        if collecting:
            gc.enable()
    if freeze_loaded:
        gc.freeze()
    return value


def write(path: Path, value: object, replaces: str | None = None) -> None:
    """Store value signed and atomically; delete older files matching `replaces` so the cache
    stays small."""
    key = signing_key()
    if key is None:
        return
    payload = dumps(value)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if replaces:
            for old in path.parent.glob(replaces):
                if old != path:
                    old.unlink(missing_ok=True)
        replace_atomically(path, MAGIC + _sign(key, payload) + payload)
    except OSError:
        log.info("cannot write the cache at %s", path)


def replace_atomically(path: Path, data: bytes) -> None:
    """Write `data` to `path` in one step: a temporary file beside it, renamed over it, so a
    reader (another process, a run cut short) sees the old file or the new, never half."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        tmp.write_bytes(data)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


class Bucket:
    """One part of a `Buckets` map: what the last run stored, and what this run used."""

    def __init__(self, stored: bytes | None) -> None:
        self.stored = stored
        before = loads(stored) if stored is not None else None
        self.before: dict[Any, Any] = before if isinstance(before, dict) else {}
        self.used: dict[Any, Any] = {}


class Buckets:
    """A map of many entries (one per incident file), stored as buckets of pickled bytes.

    A key goes to the bucket of its name (an incident's id or path). One new incident changes
    one bucket: the others are written back as the bytes they were read as, where pickling
    the whole map again would cost more than it saves. A bucket is pickled anew when this run
    used other entries than it holds (new ones, or fewer); entries not used are dropped.
    """

    COUNT = 64

    def __init__(self, stored: object) -> None:
        valid = isinstance(stored, dict) and all(
            isinstance(k, int) and isinstance(v, bytes) for k, v in stored.items()
        )
        self.stored: dict[int, bytes] = cast(dict[int, bytes], stored) if valid else {}
        self._buckets: dict[int, Bucket] = {}

    def bucket(self, name: str) -> Bucket:
        """The bucket of keys with this name, read from its bytes on first use."""
        number = zlib.crc32(name.encode("utf-8", "surrogatepass")) % self.COUNT
        found = self._buckets.get(number)
        if found is None:
            found = self._buckets[number] = Bucket(self.stored.get(number))
        return found

    def pack(self) -> dict[int, bytes]:
        """The buckets as stored bytes: each one this run used."""
        out = {}
        for number, bucket in sorted(self._buckets.items()):
            if not bucket.used:
                continue
            same = bucket.stored is not None and bucket.used.keys() == bucket.before.keys()
            out[number] = cast(bytes, bucket.stored) if same else dumps(bucket.used)
        return out
