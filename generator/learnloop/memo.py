"""Values worked out from an incident, kept while the incident lives."""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Generic, TypeVar

from learnloop.model import Incident

T = TypeVar("T")


class PerIncident(Generic[T]):
    """`compute(incident)`, worked out once per incident object.

    Incidents are frozen, and many writers ask the same of the same incident. Kept by identity,
    since an incident's fields need not be hashable, and only as long as the incident lives:
    a weak reference drops the entry when the run lets its incidents go, so a long-lived
    process (`mkdocs serve` rebuilding) does not keep every incident it has ever read.
    """

    def __init__(self, compute: Callable[[Incident], T]) -> None:
        self._compute = compute
        self._kept: dict[int, tuple[weakref.ref[Incident], T]] = {}

    def __len__(self) -> int:
        return len(self._kept)

    def __call__(self, incident: Incident) -> T:
        entry = self._kept.get(id(incident))
        if entry is not None and entry[0]() is incident:
            return entry[1]
        value = self._compute(incident)
        self._keep(incident, value)
        return value

    def preload(self, incident: Incident, known: Callable[[Incident], T]) -> None:
        """Take the incident's value from `known` (a store of earlier results) if not kept."""
        entry = self._kept.get(id(incident))
        if entry is None or entry[0]() is not incident:
            self._keep(incident, known(incident))

    def _keep(self, incident: Incident, value: T) -> None:
        key = id(incident)
        kept = self._kept

        def forget(ref: weakref.ref[Incident]) -> None:
            # The id may already belong to a newer incident; only this entry goes.
            if kept.get(key, (None,))[0] is ref:
                del kept[key]

        kept[key] = (weakref.ref(incident, forget), value)
