"""How long `learnloop import` takes on each shared collection, and what it imports.

    python -m benchmarks.import_speed

For each collection under ../shared/datasets: the time of a first import into an empty
repository, the counts (imported, skipped, with the reasons grouped), and the time of a
second import, which must leave everything unchanged.
"""

from __future__ import annotations

import re
import tempfile
import time
from collections import Counter
from pathlib import Path

from benchmarks.datasets import IMPORTABLE, SHARED, available
from learnloop.importers.run import run
from learnloop.settings import Settings

COLLECTIONS = (*IMPORTABLE, "formats")


def _reason(text: str) -> str:
    """A skip reason without the details that differ per file."""
    text = re.sub(r"\s*(\([^)]*\)|'[^']*'|\"[^\"]*\")", " …", text)
    return re.sub(r"\d+", "N", text)[:90]


def measure(name: str) -> None:
    source = SHARED / name
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "incidents").mkdir()
        start = time.perf_counter()
        first = run(root, [source], "auto", Settings())
        took = time.perf_counter() - start
        start = time.perf_counter()
        second = run(root, [source], "auto", Settings())
        again = time.perf_counter() - start
    reasons = Counter(_reason(s.reason) for s in first.skipped)
    print(
        f"{name:28} {took:6.2f} s  imported {len(first.imported):5}  skipped "
        f"{len(first.skipped):4}  | again {again:5.2f} s: unchanged {len(second.unchanged):5}, "
        f"imported {len(second.imported)}, updated {len(second.updated)}"
    )
    for reason, count in sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0])):
        print(f"{'':30}{count:4} × {reason}")


def main() -> None:
    if not available():
        print("../shared/datasets is not here: nothing to measure")
        return
    for name in COLLECTIONS:
        if (SHARED / name).is_dir():
            measure(name)


if __name__ == "__main__":
    main()
