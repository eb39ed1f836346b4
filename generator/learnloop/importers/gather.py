"""One source object whose pieces arrive in several documents of an import (an alert and its
logs, an incident and its log entries), gathered by the object's id."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from learnloop.importers.records import Document


@dataclass
class Gathered:
    """An object's id and the documents its pieces were read from."""

    ident: str
    sources: set[str] = field(default_factory=set)
    shown: set[str] = field(default_factory=set)

    def shown_as(self) -> str:
        """The record's source as the user sees it: its one document with "#id", else the
        first of its documents."""
        return sorted(self.shown)[0] + (f"#{self.ident}" if len(self.shown) == 1 else "")

    def origin(self) -> str:
        """The stable source path recorded in imported_from."""
        return f"{sorted(self.sources)[0]}#{self.ident}"


G = TypeVar("G", bound=Gathered)


def gather(groups: dict[str, G], ident: str, doc: Document, new: Callable[[str], G]) -> G:
    """The group for `ident` (made with `new` the first time), noted as read from `doc`."""
    if ident not in groups:
        groups[ident] = new(ident)
    group = groups[ident]
    group.sources.add(doc.source)
    group.shown.add(doc.shown)
    return group
