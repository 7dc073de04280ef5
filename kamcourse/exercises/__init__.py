"""Exercises without Python: task data, checking, the progress store, the notebooks.

One YAML file per module, ``kamcourse/data/exercises/mN.yaml`` (format v2, see the
README's developer section and ``schema.json`` beside the files), is the single source
of truth. The parts:

- :mod:`.model`: :class:`Task` and :class:`ExerciseSet`, immutable data;
- :mod:`.loader`: reading and validating a file (:class:`ExerciseDataError` names file,
  task and field);
- :mod:`.seal`: keys and explanations stored as ``sealed:v1:...`` (obfuscation);
- :mod:`.checking`: ``verdict(task, answer) -> Verdict``, one pure function per kind;
- :mod:`.store`: the trainee's local progress store;
- :mod:`.build`: the generated exercise notebooks (``kamcourse exercises build``);
- :mod:`.legacy`: ``check()``/``reveal()`` for the notebooks written before the widgets.

The widgets are in :mod:`kamcourse.views.exercise` (``exercise_task("m4", "t1")``).
"""

from __future__ import annotations

from .checking import Verdict, WrittenAnswer, key_lines, verdict
from .legacy import Feedback, check, letters, load_module, reveal, task_key
from .loader import (
    EXERCISE_DIR, EXERCISES_ENV, ExerciseDataError, clear_cache, exercise_dir, load_exercises, modules, resolve,
)
from .model import KINDS, MODULE_TITLES, ExerciseSet, InputField, Task
from .store import (
    HOME_ENV, ModuleProgress, TaskProgress, load_progress, progress_file, progress_summary, record_attempt,
    record_check, record_reveal, task_progress,
)

__all__ = [
    "EXERCISE_DIR", "EXERCISES_ENV", "HOME_ENV", "KINDS", "MODULE_TITLES", "ExerciseDataError", "ExerciseSet",
    "Feedback", "InputField", "ModuleProgress", "Task", "TaskProgress", "Verdict", "WrittenAnswer", "check",
    "clear_cache", "exercise_dir", "key_lines", "letters", "load_exercises", "load_module", "load_progress",
    "modules", "progress_file", "progress_summary", "record_attempt", "record_check", "record_reveal", "resolve",
    "reveal", "task_key", "task_progress", "verdict",
]
