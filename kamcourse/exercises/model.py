"""The exercise data model: one module's exercise file and its tasks (format v2).

A module's exercises live in ``kamcourse/data/exercises/mN.yaml``; :mod:`.loader` reads
and validates a file into an :class:`ExerciseSet` of :class:`Task` objects. Everything
here is plain, immutable data: keys are already decoded (see :mod:`.seal`) and computed
(``key_from``), so the checking core never touches files.

Format v1 (the files before issue 8: kinds multi/order/match/text, keys under
``answer:``, option texts in the notebook) is still read during the transition; its
tasks carry ``format == 1`` and their mapping as written in ``spec``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

#: Task kinds of format v2 (the quiz's names).
KINDS: tuple[str, ...] = ("single", "multiple", "ordering", "matching", "numeric", "true_false", "written", "function")
#: Format v1 kind names and their v2 names.
V1_KINDS: dict[str, str] = {
    "single": "single", "multi": "multiple", "order": "ordering", "match": "matching",
    "numeric": "numeric", "text": "written", "function": "function",
}
KIND_NAMES: dict[str, str] = {
    "single": "单选", "multiple": "多选", "ordering": "排序", "matching": "归类", "numeric": "数值",
    "true_false": "判断", "written": "写作", "function": "填写",
}
LEVELS: tuple[str, ...] = ("recall", "application", "transfer")
#: ``exercises``: a task of the exercise notebook (counted in progress totals);
#: ``module``: an inline check in the module notebook (recorded, not counted).
PLACES: tuple[str, ...] = ("exercises", "module")
LETTERS = "ABCDEFGHIJ"
#: Module names on the progress page.
MODULE_TITLES: dict[str, str] = {
    "m1": "模块一 心态与思维方式",
    "m2": "模块二 客户需求",
    "m3": "模块三 FFAB 呈现",
    "m4": "模块四 SPIN 提问",
    "m5": "模块五 关系阶段",
    "m6": "模块六 CRM 实施",
}
DEFAULT_TOLERANCE = 0.01
DEFAULT_MIN_CHARS = 10
DEFAULT_CLASSIFIER = "kamcourse.spin:classify_question"


@dataclass(frozen=True)
class InputField:
    """One named input of a ``function`` task; the checker receives ``{name: text}``."""

    name: str
    label: str
    multiline: bool = False
    placeholder: str = ""


@dataclass(frozen=True)
class Task:
    """One exercise task, ready to check.

    ``key`` is the decoded, computed key: a letter string for single/multiple/ordering
    (``"B"``, ``"ABD"``, ``"BADC"``), a tuple of labels in prompt order for matching, a
    float for numeric, a bool for true_false, the model answer for written, and for
    function an optional reference answer (or None).

    >>> task = Task("t1", "single", options=("甲", "乙", "丙"), key="B")
    >>> task.letters, task.counted
    ('ABC', True)
    """

    id: str
    kind: str
    title: str = ""
    stem: str = ""
    options: tuple[str, ...] = ()
    prompts: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    unit: str = ""
    tolerance: float = DEFAULT_TOLERANCE
    fields: tuple[InputField, ...] = ()
    checker: str = ""
    classify_as: str = ""
    classifier: str = ""
    rubric: tuple[str, ...] = ()
    min_chars: int = DEFAULT_MIN_CHARS
    hint: str = ""
    key: Any = None
    explanation: str = ""
    where: str = "exercises"
    level: str = ""
    concept: str = ""
    module: str = ""
    format: int = 2
    spec: Mapping[str, Any] | None = field(default=None, compare=False, repr=False)

    @property
    def letters(self) -> str:
        """The option letters the widget shows: A, B, C, ... one per option."""
        return LETTERS[: len(self.options)]

    @property
    def counted(self) -> bool:
        """Whether the task counts in the module's progress total."""
        return self.where == "exercises"


@dataclass(frozen=True)
class ExerciseSet:
    """One module's exercise file."""

    module: str
    path: Path
    format: int
    tasks: tuple[Task, ...]
    notebook: str = ""
    title: str = ""
    intro: str = ""
    outro: str = ""

    def task(self, task_id: str) -> Task:
        """The task with this id (KeyError if there is none)."""
        for task in self.tasks:
            if task.id == task_id:
                return task
        raise KeyError(task_id)

    @property
    def exercise_tasks(self) -> tuple[Task, ...]:
        """The tasks of the exercise notebook, in file order (the counted ones)."""
        return tuple(t for t in self.tasks if t.counted)
