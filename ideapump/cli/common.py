"""What every command group shares: settings, consoles, JSON output, the error handler."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any

import typer
from pydantic import BaseModel, ValidationError
from rich.console import Console
from rich.markup import escape

from ideapump.config import Settings, get_settings
from ideapump.errors import IdeaPumpError

if TYPE_CHECKING:
    from ideapump.library import Library
    from ideapump.runtime import Runtime

console = Console()
err_console = Console(stderr=True)

LibraryOption = typer.Option(
    None,
    "--library",
    "-l",
    help="Library (the lab's namespace). Default: IDEAPUMP_LIBRARY or 'default'.",
)
JsonOption = typer.Option(False, "--json", help="Print JSON for scripts and notebooks.")


def load_settings(**overrides: Any) -> Settings:
    return get_settings(**{k: v for k, v in overrides.items() if v is not None})


def open_runtime(**overrides: Any) -> Runtime:
    """The command's composition root, on the environment's settings plus ``overrides``."""
    from ideapump.runtime import Runtime

    return Runtime(load_settings(**overrides))


def open_library(library: str | None) -> Library:
    """The library a command works on (``--library``, else IDEAPUMP_LIBRARY)."""
    return open_runtime(library=library).library()


def print_json(data: Any) -> None:
    def default(o: Any) -> Any:
        if isinstance(o, BaseModel):
            return o.model_dump(mode="json")
        return str(o)

    if isinstance(data, BaseModel):
        data = data.model_dump(mode="json")
    elif isinstance(data, list):
        data = [d.model_dump(mode="json") if isinstance(d, BaseModel) else d for d in data]
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=default) + "\n")


def run_app(app: typer.Typer) -> None:
    """Run the Typer app; turn IdeaPumpErrors (and bad settings) into one clear line."""
    try:
        # Without standalone mode click hands back typer.Exit codes instead of exiting.
        rc = app(standalone_mode=False)
        if isinstance(rc, int) and rc:
            sys.exit(rc)
    except IdeaPumpError as exc:
        # The message is text, not markup: 'pip install "ideapump[local-llm]"' must survive.
        err_console.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False)
        sys.exit(2 if exc.status_code < 500 else 1)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        if exc.title.endswith("Request"):  # a capability's arguments (ideapump/schemas.py)
            what = f"invalid argument {escape(where)}: {escape(first['msg'])}"
        else:
            what = (
                f"invalid setting {escape(where)}: {escape(first['msg'])} "
                "(check IDEAPUMP_* variables and .env)"
            )
        err_console.print(f"[bold red]error:[/] {what}", highlight=False)
        sys.exit(2)
    except KeyboardInterrupt:
        err_console.print("[yellow]interrupted[/]")
        sys.exit(130)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        err_console.print("[yellow]aborted[/]")
        sys.exit(1)
    except Exception as exc:  # usage errors arrive here in non-standalone mode
        # click's, or the click typer vendors (typer._click): both can show themselves
        show, code = getattr(exc, "show", None), getattr(exc, "exit_code", None)
        if callable(show) and isinstance(code, int):
            show()
            sys.exit(code)
        raise
