"""The wheel is complete: installed in a fresh venv, it renders every prompt and runs its CLI.

Offline: the wheel is built without build isolation (setuptools from the dev extra),
installed with ``--no-deps --no-index``, and the fresh venv finds the dependencies
through a ``.pth`` line naming this environment's site-packages (a plain path line,
so this environment's editable install of IdeaPump is not loaded there).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ("ideapump", "ingest", "prompts", "pyproject.toml", "README.md")


def run(*cmd: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    out = subprocess.run(
        [str(c) for c in cmd], cwd=cwd, capture_output=True, text=True, timeout=600
    )
    assert out.returncode == 0, f"{cmd}: {out.stdout[-2000:]}\n{out.stderr[-2000:]}"
    return out


def test_wheel_installs_and_renders_every_prompt(tmp_path: Path) -> None:
    src = tmp_path / "src"
    for name in SOURCES:
        if (ROOT / name).is_dir():
            # symlinks=True keeps ideapump/prompt_files a link to prompts/, as in a clone
            shutil.copytree(
                ROOT / name,
                src / name,
                symlinks=True,
                ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
            )
        else:
            shutil.copy(ROOT / name, src / name)
    dist = tmp_path / "dist"
    run(sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
        "-w", dist, src, cwd=tmp_path)  # fmt: skip
    (wheel,) = dist.glob("ideapump-*.whl")

    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=tmp_path)
    python = venv / "bin" / "python"
    run(sys.executable, "-m", "pip", "--python", python, "install", "-q", "--no-deps",
        "--no-index", wheel, cwd=tmp_path)  # fmt: skip
    site = Path(run(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))",
                    cwd=tmp_path).stdout.strip())  # fmt: skip
    (site / "deps.pth").write_text(sysconfig.get_path("purelib") + "\n", encoding="utf-8")

    check = (
        "import ideapump, pathlib, sys\n"
        "from ideapump.prompts import available_prompts, load_prompt\n"
        "assert pathlib.Path(ideapump.__file__).is_relative_to(pathlib.Path(sys.argv[1]))\n"
        "names = available_prompts()\n"
        "for name in names:\n"
        "    p = load_prompt(name)\n"
        "    assert p.render(**{v: '<<' + v + '>>' for v in p.variables}).strip()\n"
        "print(' '.join(names))\n"
    )
    shown = run(python, "-c", check, site, cwd=tmp_path).stdout.split()
    assert sorted(shown) == sorted(p.stem for p in (ROOT / "prompts").glob("*.md"))
    assert "persona" in shown

    helped = run(venv / "bin" / "ideapump", "--help", cwd=tmp_path).stdout
    assert "ingest" in helped and "propose" in helped

    # the migrations ship too: a new database is brought to the newest revision
    env = {**os.environ, "IDEAPUMP_HOME": str(tmp_path / "home")}
    upgraded = subprocess.run(
        [venv / "bin" / "ideapump", "db", "upgrade"], cwd=tmp_path, env=env,
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert upgraded.returncode == 0 and "upgraded the database from none" in upgraded.stdout
