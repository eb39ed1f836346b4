"""Shared fixtures: small learning repos built from dicts, golden files, the shared datasets."""

from __future__ import annotations

import os
import subprocess
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import settings

# The suite draws the same examples on every run, so what passes here passes in CI; a search
# for new failures is asked for: `HYPOTHESIS_PROFILE=explore make test`.
settings.register_profile("deterministic", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "deterministic"))

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
GOLDEN = Path(__file__).resolve().parent / "golden"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite golden files from the current output instead of comparing",
    )


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Callable[[str, str], None]:
    """Compare text with tests/golden/NAME; `--update-golden` rewrites the file instead."""
    update = request.config.getoption("--update-golden")

    def compare(name: str, actual: str) -> None:
        path = GOLDEN / name
        if update:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(actual, encoding="utf-8")
            return
        assert path.exists(), f"no golden file {path}; run `make update-golden`"
        assert actual == path.read_text(encoding="utf-8"), (
            f"output differs from {path}; if intended, run `make update-golden` and review"
        )

    return compare


def incident_text(**overrides: object) -> str:
    """A valid post-mortem; keyword arguments replace or (with None) drop front-matter keys."""
    keys: dict[str, object] = {
        "id": "INC-2025-001",
        "title": "Checkout errors from an exhausted database connection pool",
        "started_at": "2025-01-10T10:00:00Z",
        "resolved_at": "2025-01-10T11:00:00Z",
        "severity": "P2",
        "services": "[checkout-api, orders-db]",
    }
    keys.update(overrides)
    front = "\n".join(f"{k}: {v}" for k, v in keys.items() if v is not None)
    body = textwrap.dedent(
        """
        ## Summary
        Connection pool exhausted; checkout returned 500s until the pool size was raised.

        ## Timeline
        - 10:00 — Errors begin.
        - 10:07 — Alert CheckoutHighErrorRate fires.
        - 10:10 — On-call acknowledges.
        - 11:00 — Resolved.
        """
    )
    return f"---\n{front}\n---\n{body}"


@pytest.fixture
def make_repo(tmp_path: Path) -> Callable[[dict[str, str | bytes]], Path]:
    """A git repo in tmp_path with the given files under incidents/ (name -> content)."""

    def make(files: dict[str, str | bytes], *, git: bool = True) -> Path:
        root = tmp_path / "repo"
        (root / "incidents").mkdir(parents=True, exist_ok=True)
        for name, content in files.items():
            path = root / "incidents" / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
        if git and not (root / ".git").exists():
            subprocess.run(["git", "init", "-q", str(root)], check=True)
        return root

    return make


@pytest.fixture
def shared_datasets() -> Path:
    """../shared/datasets, or a clean skip where this checkout has none."""
    path = SHARED / "datasets"
    if not path.is_dir():
        pytest.skip("../shared/datasets is not present in this checkout")
    return path


# A service catalog for the bundled corpus: owners as names (turned into handles by `org`),
# as a handle, and mapped by `handles`.
CATALOG = """\
services:
  checkout-api: {owner: payments-team, tier: 1}
  payments-gateway: {owner: payments-team, tier: 1}
  orders-db: {owner: dba-team}
  inventory-db: {owner: dba-team}
  cart-db: {owner: dba-team}
  search-api: {owner: "@shop/search"}
  kafka: {owner: data-platform}
  auth-svc: {owner: identity}
codeowners:
  org: shop
  handles: {identity: "@shop-identity"}
"""
OURS = "# Ours: everything to the platform team.\n* @shop/platform\n"


@pytest.fixture(scope="session")
def owned(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled corpus with CATALOG and a CODEOWNERS of its own, generated once (read-only:
    copy it to change it)."""
    import shutil

    from click.testing import CliRunner

    from learnloop.cli import cli

    root = tmp_path_factory.mktemp("owned")
    shutil.copytree(REPO / "incidents", root / "incidents")
    (root / "learnloop.yml").write_text(CATALOG, encoding="utf-8")
    (root / ".github").mkdir()
    (root / ".github" / "CODEOWNERS").write_text(OURS, encoding="utf-8")
    result = CliRunner().invoke(cli, ["--root", str(root), "generate"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return root
