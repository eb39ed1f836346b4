"""The library's exceptions; the CLI turns them into messages and exit codes."""


class LearnloopError(Exception):
    """A failed operation the user can fix; shown as `Error: …`, exit 1."""


class SettingsError(LearnloopError):
    """learnloop.yml is invalid; carries every problem found, not just the first."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class UsageError(LearnloopError):
    """A command was asked for something it cannot do with these arguments (exit 2)."""
