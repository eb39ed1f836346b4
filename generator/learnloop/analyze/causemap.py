"""The cause → symptom map: systemic causes on the left, the patterns they produce on the right."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from learnloop.analyze.patterns import Pattern
from learnloop.analyze.rootcause import SystemicIssue
from learnloop.model import Incident


def _node(prefix: str, ident: str) -> str:
    return prefix + re.sub(r"[^A-Za-z0-9]+", "_", ident).strip("_")


def _label(text: str) -> str:
    return text.replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")


def cause_symptom_map(
    incidents: Sequence[Incident],
    patterns: Sequence[Pattern],
    systemic: Sequence[SystemicIssue],
    min_edge: int = 2,
) -> str:
    """A Mermaid `flowchart LR`: systemic causes on the left, the patterns they produce right."""
    # Edges carry incident counts; those below `min_edge` are left out so the diagram stays
    # readable (the systemic articles list every incident).
    known = {i.id for i in incidents}
    of = {i: p.id for p in patterns for i in p.incidents if i in known}
    titles = {p.id: p.title for p in patterns}
    sizes = Counter(of.values())
    causes, edges, used = [], [], set()
    for issue in systemic:
        per = Counter(of.get(i, "") for i in issue.incidents if i in known)
        kept = sorted(
            ((p, n) for p, n in per.items() if n >= min_edge), key=lambda x: (-x[1], x[0])
        )
        if not kept:
            continue
        node = _node("c_", issue.id)
        causes.append(f'    {node}["{_label(issue.title)} · score {issue.score:g}"]')
        for pid, count in kept:
            used.add(pid)
            edges.append(f"    {node} -->|{count}| {_node('p_', pid) if pid else 'o_one_off'}")
    symptoms = [
        f'    {_node("p_", pid)}(["{_label(titles[pid])} · {sizes[pid]} incidents"])'
        for pid in sorted(p for p in used if p)
    ]
    if "" in used:
        symptoms.append('    o_one_off(["One-off incidents"])')
    return "\n".join(["flowchart LR", *causes, *symptoms, *edges]) + "\n"
