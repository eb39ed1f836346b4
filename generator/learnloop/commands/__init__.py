"""The commands: each module holds one (its `command`), a thin layer over the library."""

from __future__ import annotations

from pathlib import Path

from learnloop.settings import Settings, load_settings


class Repo:
    """The learning repository a command works on: its root, and its settings when asked."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def settings(self) -> Settings:
        return load_settings(self.root)
