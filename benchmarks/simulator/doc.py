"""A document being written line by line, remembering where each stated fact landed.

The ground truth for a post-mortem reader is where the root cause and the mitigation actions
are stated: a style marks the text as it writes it, and the mark becomes (line, text) once the
frontmatter above the body is known.
"""

from __future__ import annotations

from dataclasses import dataclass, field

PARTS = ("root_cause", "mitigation")


@dataclass
class Doc:
    """Body lines and the marks that say which line states what."""

    lines: list[str] = field(default_factory=list)
    marks: list[tuple[str, int, str]] = field(default_factory=list)  # (part, 0-based line, text)

    def add(self, line: str = "", *marks: tuple[str, str]) -> None:
        """Append a line; each mark (part, text) says the line states that text."""
        for part, text in marks:
            if text not in line:
                raise ValueError(f"marked text {text!r} is not in the line {line!r}")
            self.marks.append((part, len(self.lines), text))
        self.lines.append(line)

    def gap(self) -> None:
        """One blank line, never two."""
        if self.lines and self.lines[-1] != "":
            self.lines.append("")

    def text(self) -> str:
        """The body, ending with exactly one newline."""
        while self.lines and self.lines[-1] == "":
            self.lines.pop()
        return "\n".join(self.lines) + "\n"


@dataclass(frozen=True)
class Stated:
    """Where a fact is stated in the written file: 1-based line and the text as written."""

    line: int
    text: str


def located(doc: Doc, first_line: int) -> dict[str, list[Stated]]:
    """Marks as file lines, given the 1-based file line of the body's first line."""
    out: dict[str, list[Stated]] = {part: [] for part in PARTS}
    for part, index, text in sorted(doc.marks, key=lambda m: (m[0], m[1], m[2])):
        out[part].append(Stated(first_line + index, text))
    return out
