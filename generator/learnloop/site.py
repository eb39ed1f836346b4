"""Build and serve the MkDocs site of a learning repo."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from learnloop.errors import LearnloopError
from learnloop.write import running

PUBLIC_ENV = "LEARNLOOP_PUBLIC"
SITE_DIR = "site"
_STAGING = ".learnloop-site-"  # a build in progress, beside the repo's files
_FORWARDED = (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)


def _die_with_parent() -> None:  # pragma: no cover - runs in the child, between fork and exec
    """Linux: end mkdocs when learnloop ends, even when learnloop is killed outright."""
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _mkdocs(root: Path, args: list[str], public: bool) -> None:
    config = root / "mkdocs.yml"
    if not config.is_file():
        raise LearnloopError(f"{config} not found; run `learnloop init` first")
    env = dict(os.environ)
    env.pop(PUBLIC_ENV, None)  # only `--public` makes a public build, never a stale variable
    if public:
        env[PUBLIC_ENV] = "1"
    # Upstream notices about MkDocs 2 on every build; they say nothing about this site.
    env.setdefault("NO_MKDOCS_2_WARNING", "1")
    env.setdefault("DISABLE_MKDOCS_2_WARNING", "true")
    with _child([sys.executable, "-m", "mkdocs", *args, "-f", str(config)], root, env) as child:
        code = child.wait()
    if code != 0:
        raise LearnloopError(f"mkdocs {args[0]} failed (exit {code})")


@contextlib.contextmanager
def _child(command: list[str], cwd: Path, env: dict[str, str]) -> Iterator[subprocess.Popen[bytes]]:
    """Run mkdocs as a child that never outlives this process.

    A signal that would end learnloop (Ctrl-C, a CI job's SIGTERM, a closed terminal) is
    passed on to the child and awaited; on Linux the child also ends if learnloop is killed
    outright. Without this, `mkdocs serve` kept its port after learnloop was gone.
    """
    linux = sys.platform.startswith("linux")
    child = subprocess.Popen(
        command, cwd=cwd, env=env, preexec_fn=_die_with_parent if linux else None
    )
    received: list[int] = []

    def forward(signum: int, _frame: object) -> None:
        received.append(signum)
        with contextlib.suppress(ProcessLookupError):
            child.send_signal(signal.SIGTERM if signum == signal.SIGHUP else signum)

    previous = {sig: signal.signal(sig, forward) for sig in _FORWARDED}
    try:
        yield child
    finally:
        if child.poll() is None:
            child.terminate()
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if received:
        raise SystemExit(128 + received[0])


def build(root: Path, *, public: bool = False) -> None:
    """`mkdocs build --strict` into root/site; restricted incidents left out when public.

    The site is built aside and put in place only once the build succeeded: a failed build
    leaves no half-written site. A failed public build also removes the last one, so that a
    deploy step after it cannot publish what the failure was about.
    """
    _remove_stale_staging(root)
    staging = Path(tempfile.mkdtemp(dir=root, prefix=f"{_STAGING}{os.getpid()}-"))
    final = root / SITE_DIR
    try:
        _mkdocs(root, ["build", "--strict", "--site-dir", str(staging)], public)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if public:
            discard(root)
        raise
    old = None
    if final.exists():
        old = final.with_name(f"{_STAGING}{os.getpid()}-old")
        final.rename(old)
    staging.rename(final)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def discard(root: Path) -> None:
    """Remove the built site: after a refused public build, none must be left to deploy."""
    shutil.rmtree(root / SITE_DIR, ignore_errors=True)


def _remove_stale_staging(root: Path) -> None:
    """Builds killed mid-way leave their staging folder: remove those of processes gone."""
    for folder in root.glob(f"{_STAGING}*"):
        pid = folder.name[len(_STAGING) :].split("-", 1)[0]
        if pid.isdigit() and not running(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def serve(root: Path, dev_addr: str) -> None:
    """`mkdocs serve`, rebuilding when incidents or generated docs change."""
    _mkdocs(root, ["serve", "--dev-addr", dev_addr], public=False)
