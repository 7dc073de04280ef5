"""The two ways to install the course agree, and the entry points exist."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent


def _name(spec: str) -> str:
    return re.split(r"[<>=!~ \[;]", spec.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _spec(spec: str) -> str:
    return re.sub(r"\s+", "", spec.strip().lower())


def pyproject_runtime() -> dict[str, str]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return {_name(d): _spec(d) for d in data["project"]["dependencies"]}


def environment_runtime() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    specs: list[str] = []
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            specs += [p for p in dep.get("pip", []) if not p.startswith("-e")]
        elif _name(dep) not in {"python", "pip"}:
            specs.append(dep)
    return {_name(s): _spec(s) for s in specs}


def test_environment_yml_lists_the_same_runtime_dependencies_as_pyproject():
    assert environment_runtime() == pyproject_runtime()


@pytest.mark.parametrize("name", ["jupyterlab", "ipywidgets", "voila", "matplotlib", "nbgrader", "papermill"])
def test_the_chosen_stack_is_a_runtime_dependency(name):
    assert name in pyproject_runtime()


def test_voila_is_pinned_past_the_arbitrary_file_read_cve():
    # CVE-2024-30265: Voila before 0.5.6 can read arbitrary files.
    assert pyproject_runtime()["voila"] == "voila>=0.5.6"


def test_ci_runs_exactly_the_readme_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci_lines = [
        line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()
        if line.strip() and not line.strip().startswith("#")
        and not line.startswith(("set ", "cd "))
    ]
    assert ci_lines == ["./kc test"]
    assert "./kc test" in readme and "./kc start" in readme
