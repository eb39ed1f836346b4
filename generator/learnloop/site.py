"""Build and serve the MkDocs site of a learning repo."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from learnloop.errors import LearnloopError

PUBLIC_ENV = "LEARNLOOP_PUBLIC"


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
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", *args, "-f", str(config)], cwd=root, env=env, check=False
    )
    if done.returncode != 0:
        raise LearnloopError(f"mkdocs {args[0]} failed (exit {done.returncode})")


def build(root: Path, *, public: bool = False) -> None:
    """`mkdocs build --strict` into root/site; restricted incidents left out when public."""
    _mkdocs(root, ["build", "--strict", "--site-dir", str(root / "site")], public)


def serve(root: Path, dev_addr: str) -> None:
    """`mkdocs serve`, rebuilding when incidents or generated docs change."""
    _mkdocs(root, ["serve", "--dev-addr", dev_addr], public=False)
