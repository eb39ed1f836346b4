"""`learnloop build`: generate, then build the site with `mkdocs build --strict`."""

from __future__ import annotations

import click

from learnloop import check as checks
from learnloop import site
from learnloop.analyze.analysis import remember
from learnloop.commands import Repo
from learnloop.commands.generate import generate
from learnloop.errors import LearnloopError
from learnloop.read import load_corpus


@click.command("build")
@click.option("--public", is_flag=True, help="Leave restricted incidents out entirely.")
@click.pass_obj
def command(obj: Repo, public: bool) -> None:
    """Generate, then build the site into site/ with `mkdocs build --strict`."""
    if public:
        # A public site must not publish a secret or someone's personal data, and a file
        # that does not load could be an incident whose visibility was never read.
        corpus = load_corpus(obj.root)
        problems = checks.for_public(checks.check(corpus, obj.settings(), obj.root))
        refusal = checks.public_refusal(problems)
        if refusal:
            found = [p for p in problems if p.level == "error"]
            click.echo("".join(f"{p.format()}\n" for p in found), err=True, nl=False)
            site.discard(obj.root)
            raise LearnloopError(refusal)
    analysis, _, written, _ = generate(obj.root, write=True)
    for rel in written:
        click.echo(f"wrote {rel}")
    remember(analysis)
    site.build(obj.root, public=public)
    click.echo(f"site built in {obj.root / 'site'}")
