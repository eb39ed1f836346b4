"""`learnloop serve`: the site locally, rebuilt as files change."""

from __future__ import annotations

import click

from learnloop import site
from learnloop.commands import Repo


@click.command("serve")
@click.option("--dev-addr", default="127.0.0.1:8000", show_default=True)
@click.pass_obj
def command(obj: Repo, dev_addr: str) -> None:
    """Serve the site locally, rebuilding on changes."""
    site.serve(obj.root, dev_addr)
