"""The exercise notebooks, generated from the exercise files (``kamcourse exercises build``).

For every v2 file ``mN.yaml`` the notebook named by its ``notebook:`` field (relative to
the course root) is written: a hidden setup cell, the title and ``intro``, for each task
of the exercise notebook (``where: exercises``) a heading ``## 练习 N　标题`` and one
code cell ``exercise_task("mN", "tK")``, then ``outro``. Outputs are empty and the
text is deterministic (sorted keys), so ``--check`` can compare byte for byte. Format-v1
files are skipped: their notebooks are still hand-written.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from .loader import ExerciseDataError, exercise_dir, modules, read_exercise_file
from .model import ExerciseSet, Task

GENERATED_BY = "kamcourse exercises build"
SETUP_SOURCE = "from kamcourse.views.exercise import exercise_task"
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def heading(number: int, task: Task) -> str:
    """The markdown heading of the ``number``-th exercise.

    >>> heading(2, Task("t2", "single", title="给问题归类"))
    '## 练习 2\\u3000给问题归类'
    """
    return f"## 练习 {number}\u3000{task.title}"


def _markdown(cell_id: str, source: str) -> dict[str, Any]:
    return {"cell_type": "markdown", "id": cell_id, "metadata": {}, "source": source.strip()}


def _code(cell_id: str, source: str, metadata: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"cell_type": "code", "execution_count": None, "id": cell_id, "metadata": metadata or {},
            "outputs": [], "source": source}


def build_notebook(exercise_set: ExerciseSet) -> dict[str, Any]:
    """The exercise notebook of one v2 file, as nbformat 4.5 JSON data."""
    setup = _code("setup", SETUP_SOURCE, {"jupyter": {"source_hidden": True}, "tags": ["hide-input"]})
    cells = [setup, _markdown("title", f"# {exercise_set.title}\n\n{exercise_set.intro}")]
    for number, task in enumerate(exercise_set.exercise_tasks, start=1):
        cells.append(_markdown(f"{task.id}-heading", heading(number, task)))
        # the trainee answers in the widget; the one-line call behind it stays out of sight
        cells.append(_code(f"{task.id}-task", f'exercise_task("{exercise_set.module}", "{task.id}")',
                           {"jupyter": {"source_hidden": True}, "tags": ["hide-input"]}))
    cells.append(_markdown("outro", exercise_set.outro))
    return {
        "cells": cells,
        "metadata": {
            "kamcourse": {"generated_by": GENERATED_BY, "module": exercise_set.module},
            "kernelspec": KERNELSPEC,
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def render(exercise_set: ExerciseSet) -> str:
    """The notebook file's exact text (stable key order, one trailing newline)."""
    return json.dumps(build_notebook(exercise_set), ensure_ascii=False, indent=1, sort_keys=True) + "\n"


@dataclass(frozen=True)
class BuildReport:
    written: tuple[str, ...] = ()     # notebook paths (relative to the root) written
    unchanged: tuple[str, ...] = ()
    drifted: tuple[str, ...] = ()     # check mode: differs from its file, or missing
    skipped: tuple[str, ...] = ()     # modules whose file is still format v1
    errors: tuple[str, ...] = ()      # files that do not load (the loader's message)

    @property
    def ok(self) -> bool:
        return not (self.drifted or self.errors)


def build(root: Path, directory: Path | None = None, only: Iterable[str] | None = None,
          check: bool = False) -> BuildReport:
    """Write (or, with ``check``, only compare) the notebooks of the v2 files.

    ``root`` is the course root the ``notebook:`` paths are relative to; ``directory`` the
    folder of the exercise files (default: the package data). A file that does not load
    is reported in ``errors`` and the other files are still built.
    """
    written, unchanged, drifted, skipped, errors = [], [], [], [], []
    for module in list(only) if only else modules(directory):
        try:
            exercise_set = read_exercise_file((directory or exercise_dir()) / f"{module}.yaml")
        except ExerciseDataError as exc:
            errors.append(str(exc))
            continue
        if exercise_set.format != 2:
            skipped.append(module)
            continue
        text = render(exercise_set)
        path = root / exercise_set.notebook
        current = path.read_text(encoding="utf-8") if path.is_file() else None
        if current == text:
            unchanged.append(exercise_set.notebook)
        elif check:
            drifted.append(exercise_set.notebook)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            written.append(exercise_set.notebook)
    return BuildReport(tuple(written), tuple(unchanged), tuple(drifted), tuple(skipped), tuple(errors))

