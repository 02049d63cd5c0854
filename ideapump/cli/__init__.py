"""The ``ideapump`` command line, split by command group.

Each group module exposes ``register(app)``; ``main()`` wraps the app in the
single CLI error handler so a user sees a one-line reason, never a traceback.
"""

from __future__ import annotations

import typer

from ideapump.cli import agent as agent_cli
from ideapump.cli import db as db_cli
from ideapump.cli import digest as digest_cli
from ideapump.cli import keys as keys_cli
from ideapump.cli import library
from ideapump.cli import models as models_cli
from ideapump.cli import serve as serve_cli
from ideapump.cli import stats as stats_cli
from ideapump.cli.common import run_app

app = typer.Typer(
    name="ideapump",
    help="IdeaPump: ingest a lab's papers and data, search them, audit their statistics and "
    "propose grounded experiments. Data lives in $IDEAPUMP_HOME (default ./.ideapump).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

library.register(app)
models_cli.register(app)
stats_cli.register(app)
digest_cli.register(app)
agent_cli.register(app)
serve_cli.register(app)
keys_cli.register(app)
db_cli.register(app)


def main() -> None:
    run_app(app)
