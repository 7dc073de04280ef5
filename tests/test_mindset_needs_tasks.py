"""Modules 1 and 2: every exercise task and inline check is answered right by its key and
wrong by a near miss, no matching task lists its labels in answer order, at least half of
each exercise notebook's tasks ask for application or transfer, and no single-choice key (in
the exercises or the two module quizzes) gives itself away as the one longest option."""

from __future__ import annotations

import pytest

from helpers import right_and_wrong_answer
from kamcourse.exercises import load_exercises, verdict

MODULES = ("m1", "m2")
TASKS = [(m, t) for m in MODULES for t in load_exercises(m).tasks]


CHOICE_TASKS = [(m, t) for m, t in TASKS if t.kind != "function"]


@pytest.mark.parametrize("module, task", CHOICE_TASKS, ids=[f"{m}-{t.id}" for m, t in CHOICE_TASKS])
def test_each_task_passes_with_its_key_and_fails_otherwise(module, task):
    right, wrong = right_and_wrong_answer(task)
    if task.kind == "matching":
        assert tuple(task.labels) != tuple(task.key), "the labels must not be listed in answer order"
    assert verdict(task, right).passed
    assert verdict(task, wrong).status == "wrong"


@pytest.mark.parametrize("module", MODULES)
def test_at_least_half_of_the_exercise_tasks_apply_or_transfer(module):
    counted = [t for m, t in TASKS if m == module and t.counted]
    assert 8 <= len(counted) <= 10
    assert sum(t.level in ("application", "transfer") for t in counted) * 2 >= len(counted)


def _single_choice_items():
    found = [(f"{m} {t.id}", list(t.options), t.letters.index(t.key)) for m in MODULES
             for t in load_exercises(m).tasks if t.kind == "single"]
    # the quizzes' keys are in the instructor kit: tests/test_option_lengths.py checks them
    return found


SINGLE = _single_choice_items()


@pytest.mark.parametrize("name, options, key", SINGLE, ids=[name for name, _, _ in SINGLE])
def test_the_key_is_not_the_one_longest_option(name, options, key):
    # "pick the longest answer" must not beat the test: every m1/m2 key had been the longest option
    lengths = [len(o) for o in options]
    longest = max(lengths)
    assert not (lengths[key] == longest and lengths.count(longest) == 1), f"{name}: the key is the longest option"
