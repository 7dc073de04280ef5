"""Shared fixtures: the repository root and the list of committed notebooks."""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def pytest_configure(config):
    # Notebooks and self-checks record progress; keep the trainee's real store untouched.
    # Kernels started by papermill inherit this environment.
    os.environ["KAMCOURSE_HOME"] = tempfile.mkdtemp(prefix="kamcourse-home-")


def tracked_notebooks() -> list[Path]:
    """Every notebook git tracks, plus new ones not yet committed (but not ignored)."""
    out = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "*.ipynb"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout
    return sorted(ROOT / line for line in out.splitlines() if line.strip() and (ROOT / line).exists())


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return ROOT


@pytest.fixture
def progress_home(tmp_path, monkeypatch) -> Path:
    """A private progress store for check()/reveal(), away from the real home folder.

    Test modules that record progress use it for every test with
    ``pytestmark = pytest.mark.usefixtures("progress_home")``.
    """
    home = tmp_path / "home"
    monkeypatch.setenv("KAMCOURSE_HOME", str(home))
    return home
