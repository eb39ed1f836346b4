"""Values worked out from an incident, kept for the run by the incident's identity."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from learnloop.model import Incident

T = TypeVar("T")


class PerIncident(Generic[T]):
    """`compute(incident)`, worked out once per incident object.

    Incidents are frozen, and many writers ask the same of the same incident. Kept by identity,
    since an incident's fields need not be hashable; each entry holds its incident, so an id
    is never reused while the entry lives.
    """

    def __init__(self, compute: Callable[[Incident], T]) -> None:
        self._compute = compute
        self._kept: dict[int, tuple[Incident, T]] = {}

    def __call__(self, incident: Incident) -> T:
        entry = self._kept.get(id(incident))
        if entry is not None and entry[0] is incident:
            return entry[1]
        value = self._compute(incident)
        self._kept[id(incident)] = (incident, value)
        return value

    def preload(self, incident: Incident, known: Callable[[Incident], T]) -> None:
        """Take the incident's value from `known` (a store of earlier results) if not kept."""
        entry = self._kept.get(id(incident))
        if entry is None or entry[0] is not incident:
            self._kept[id(incident)] = (incident, known(incident))
