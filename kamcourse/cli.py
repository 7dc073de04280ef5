"""The ``kamcourse`` command: start the course, serve the dashboards.

``./kc`` (the bootstrap script at the repository root) creates the virtual environment and
then hands over to this command.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
from pathlib import Path
from typing import Mapping

from kamcourse.paths import course_root

START_PAGE = "course/00_start.ipynb"
DASHBOARD_DIR = "course/dashboards"
LOCALE_PLUGIN = "@jupyterlab/translation-extension:plugin"
NOTIFICATION_PLUGIN = "@jupyterlab/apputils-extension:notification"

# Modules that add subcommands: each has register(subparsers), and each subparser it adds
# calls set_defaults(func=handler) where handler(args) returns an exit code.
EXTENSIONS: tuple[str, ...] = ("kamcourse.hub", "kamcourse.quiz.cli", "kamcourse.instructor_cli", "kamcourse.glossary",
                                  "kamcourse.exercises.cli", "kamcourse.roleplay.cli")


def lab_settings_overrides() -> Path:
    return Path(sys.prefix) / "share" / "jupyter" / "lab" / "settings" / "overrides.json"


def ensure_chinese_locale(overrides: Path | None = None) -> Path:
    """Make Simplified Chinese JupyterLab's default language, keeping other overrides."""
    overrides = overrides or lab_settings_overrides()
    settings: dict = {}
    if overrides.is_file():
        try:
            settings = json.loads(overrides.read_text(encoding="utf-8"))
        except json.JSONDecodeError:
            settings = {}
    settings.setdefault(LOCALE_PLUGIN, {})["locale"] = "zh_CN"
    # Trainees should not be asked (in English) about fetching Jupyter news.
    settings.setdefault(NOTIFICATION_PLUGIN, {}).setdefault("fetchNews", "false")
    overrides.parent.mkdir(parents=True, exist_ok=True)
    overrides.write_text(json.dumps(settings, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return overrides


def lab_command(
    no_browser: bool, port: int | None, ip: str | None, extra: list[str] | None = None
) -> list[str]:
    """The JupyterLab command line; ``extra`` holds JupyterLab options passed through."""
    cmd = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={course_root()}", START_PAGE]
    if no_browser:
        cmd.append("--no-browser")
    if port:
        cmd.append(f"--port={port}")
    if ip:
        cmd.append(f"--ip={ip}")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        # Containers and CI run as root; JupyterLab refuses that without the flag.
        cmd.append("--allow-root")
    return cmd + list(extra or [])


def trainee_config_path(environ: Mapping[str, str] | None = None) -> str | None:
    """``JUPYTER_CONFIG_PATH`` with the trainee role's Jupyter settings first.

    They are the ones trainees get on JupyterHub (``deploy/jupyterhub/roles/trainee``):
    nbgrader's instructor tools (formgrader, course list, create assignment) switched off.
    None when the checkout has no such folder (an installed package without the repository).
    """
    role = course_root() / "deploy" / "jupyterhub" / "roles" / "trainee"
    if not role.is_dir():
        return None
    existing = (environ if environ is not None else os.environ).get("JUPYTER_CONFIG_PATH", "")
    return os.pathsep.join(part for part in (str(role), existing) if part)


def voila_command(ip: str, port: int, token: str | None, notebook: str | None = None) -> list[str]:
    target = notebook or DASHBOARD_DIR
    cmd = [
        sys.executable,
        "-m",
        "voila",
        str(course_root() / target),
        "--no-browser",
        f"--Voila.ip={ip}",
        f"--port={port}",
        "--strip_sources=True",
        "--show_tracebacks=False",
    ]
    if token:
        cmd.append(f"--token={token}")
    return cmd


def _exec(cmd: list[str]) -> int:
    os.chdir(course_root())
    os.execv(cmd[0], cmd)
    return 0  # pragma: no cover - execv does not return


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="kamcourse", description="大客户销售与客户关系管理 course tools")
    sub = parser.add_subparsers(dest="command", required=True)

    start = sub.add_parser("start", help="open JupyterLab (Simplified Chinese) on the start page")
    start.add_argument("--no-browser", action="store_true")
    start.add_argument("--port", type=int)
    start.add_argument("--ip")
    start.add_argument("--instructor", action="store_true",
                       help="keep nbgrader's instructor tools (formgrader, create assignment)")

    serve = sub.add_parser("serve", help="serve the dashboards with Voila")
    serve.add_argument("--ip", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8866)
    serve.add_argument("--token", help="require this token in the URL (for a room network)")
    serve.add_argument("--notebook", help="serve one dashboard, e.g. course/dashboards/dso.ipynb")

    start.set_defaults(func=_start)
    serve.set_defaults(func=_serve)
    for dotted in EXTENSIONS:
        importlib.import_module(dotted).register(sub)

    args, extra = parser.parse_known_args(argv)
    if extra and args.command != "start":
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    args.extra = extra
    return int(args.func(args) or 0)


def _start(args: argparse.Namespace) -> int:
    ensure_chinese_locale()
    config_path = None if args.instructor else trainee_config_path()
    if config_path:
        os.environ["JUPYTER_CONFIG_PATH"] = config_path
    return _exec(lab_command(args.no_browser, args.port, args.ip, args.extra))


def _serve(args: argparse.Namespace) -> int:
    return _exec(voila_command(args.ip, args.port, args.token, args.notebook))


if __name__ == "__main__":
    sys.exit(main())
