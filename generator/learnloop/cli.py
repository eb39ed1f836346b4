"""The command line: the group, its error handling and the entry point.

Every command lives in its own module under commands/ and is imported only when it runs:
the analysis stack (scikit-learn, scipy) is heavy, and `check` and `new` should start quickly.
"""

from __future__ import annotations

import importlib
import logging
from pathlib import Path

import click

from learnloop import cachefile
from learnloop.commands import Repo
from learnloop.errors import LearnloopError, SettingsError, UsageError

# Command name → the module whose `command` it is.
COMMANDS = {
    "build": "learnloop.commands.build",
    "changes": "learnloop.commands.changes",
    "check": "learnloop.commands.check",
    "generate": "learnloop.commands.generate",
    "import": "learnloop.commands.importing",
    "init": "learnloop.commands.init",
    "new": "learnloop.commands.new",
    "patterns": "learnloop.commands.patterns",
    "pr-summary": "learnloop.commands.prsummary",
    "report": "learnloop.commands.report",
    "review": "learnloop.commands.review",
    "serve": "learnloop.commands.serve",
    "similar": "learnloop.commands.similar",
    "stale": "learnloop.commands.stale",
}


class SettingsProblems(click.ClickException):
    """Settings errors are already `path:line: error: …` lines; print them as they are."""

    def show(self, file: object = None) -> None:
        click.echo(self.message, err=True)


class Group(click.Group):
    """Turns the library's errors into Click's: exit 1 with `Error: …`, exit 2 for usage."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        command: click.Command = importlib.import_module(COMMANDS[name]).command
        return command

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except SettingsError as exc:
            raise SettingsProblems("\n".join(exc.problems)) from None
        except UsageError as exc:
            raise click.UsageError(str(exc), ctx) from None
        except LearnloopError as exc:
            raise click.ClickException(str(exc)) from None


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--root",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=".",
    show_default=True,
    help="The learning repository.",
)
@click.option("-v", "--verbose", is_flag=True, help="Log what is being done.")
@click.version_option(package_name="learnloop")
@click.pass_context
def cli(ctx: click.Context, root: Path, verbose: bool) -> None:
    """learnloop: post-mortems in, runbooks and knowledge out."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(message)s")
    ctx.obj = Repo(root.resolve())


def main() -> None:
    """Console entry point (Click itself quiets a closed pipe: `learnloop patterns | head`)."""
    # Caches loaded once per process are frozen out of the garbage collector's scans.
    cachefile.freeze_loaded = True
    cli()
