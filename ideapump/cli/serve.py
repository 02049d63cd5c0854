"""``ideapump serve``: the collaborator service (API, OpenAI-compatible endpoints, chat page).

With no API keys configured the service is open, so it binds to loopback only
(whatever ``--host`` says) and says so; create a key (``ideapump keys create``)
to serve a lab network.
"""

from __future__ import annotations

import typer

from ideapump.cli.common import err_console, load_settings

LOOPBACK = "127.0.0.1"


def choose_host(requested: str, keys: int) -> tuple[str, str | None]:
    """The host to bind and, when it differs from the request, why."""
    if keys == 0 and requested not in (LOOPBACK, "localhost", "::1"):
        return LOOPBACK, (
            f"no API keys are configured, so the server is open and binds to {LOOPBACK} only "
            f"(not {requested}); create one with `ideapump keys create` to serve the network"
        )
    if keys == 0:
        return requested, "no API keys are configured: the server is open to this machine only"
    return requested, None


def register(app: typer.Typer) -> None:
    @app.command("serve")
    def serve(
        host: str = typer.Option(LOOPBACK, "--host", help="Interface to bind (needs API keys)."),
        port: int = typer.Option(8000, "--port", help="Port to listen on."),
        workers: int = typer.Option(
            1, "--workers", help="Worker processes (share state through the database)."
        ),
    ) -> None:
        """Run the collaborator service: chat page at /, API docs at /docs."""
        import uvicorn

        from ideapump.api.storage import ServiceStore
        from ideapump.runtime import Runtime

        settings = load_settings()
        keys = ServiceStore(Runtime(settings).registry).active_key_count()
        bind, note = choose_host(host, keys)
        if note:
            err_console.print(f"[yellow]note:[/] {note}", highlight=False)
        err_console.print(
            f"IdeaPump on http://{bind}:{port}/  (docs: /docs, OpenAI-compatible: /v1)",
            highlight=False,
        )
        uvicorn.run(
            "ideapump.api:create_app",
            factory=True,
            host=bind,
            port=port,
            workers=workers,
            log_level="info",
        )
