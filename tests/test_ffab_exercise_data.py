"""Module 3's exercise data (kamcourse/data/exercises/m3.yaml, format v2): every key passes,
a wrong answer fails with its hint, hints never quote the key, at least half of the
exercise tasks are application or transfer, and the FFAB checker behind t2 works as the
widget calls it."""

from __future__ import annotations

import pytest

from kamcourse.exercises import WrittenAnswer, load_exercises, verdict

EXERCISES = load_exercises("m3")
TASKS = {task.id: task for task in EXERCISES.tasks}


def _wrong_answer(task):
    if task.kind == "single":
        return next(letter for letter in "ABCD" if letter != task.key)
    if task.kind == "ordering":
        return task.key[::-1]
    if task.kind == "matching":
        labels = list(task.key)
        labels[0] = next(label for label in task.labels if label != labels[0])
        return labels
    raise AssertionError(task.kind)


CHOICE_TASKS = sorted(t.id for t in EXERCISES.tasks if t.kind in ("single", "ordering", "matching"))


@pytest.mark.parametrize("tid", CHOICE_TASKS)
def test_key_passes_and_a_wrong_answer_gets_the_hint(tid):
    task = TASKS[tid]
    assert verdict(task, list(task.key) if task.kind == "matching" else task.key).passed
    wrong = verdict(task, _wrong_answer(task))
    assert wrong.status == "wrong" and wrong.hint == task.hint


@pytest.mark.parametrize("tid", sorted(TASKS))
def test_hint_points_at_a_section_and_does_not_give_the_key(tid):
    task = TASKS[tid]
    assert "回顾" in task.hint or "提示" in task.hint
    assert "编出来" not in task.hint and "凑数" not in task.hint
    if task.kind == "single":
        assert task.options["ABCD".index(task.key)] not in task.hint
    if task.kind == "matching":
        assert not any(prompt in task.hint for prompt in task.prompts)


def test_exercise_notebook_tasks_are_mostly_application_and_counted():
    tasks = [t for t in EXERCISES.tasks if t.where == "exercises"]
    assert 8 <= len(tasks) <= 10
    applied = [t for t in tasks if t.level in ("application", "transfer")]
    assert len(applied) * 2 >= len(tasks)


def test_inline_checks_are_the_ones_the_module_notebook_calls():
    inline = {t.id for t in EXERCISES.tasks if t.where == "module"}
    import json
    from conftest import ROOT

    nb = json.loads((ROOT / "course" / "03_ffab.ipynb").read_text(encoding="utf-8"))
    called = {line.split('"')[3] for cell in nb["cells"] if cell["cell_type"] == "code"
              for line in "".join(cell["source"]).splitlines() if line.startswith('exercise_task("m3"')}
    assert called == inline


GOOD_STATEMENT = {
    "feature": "图形化编程界面，内置 200 个测量模板", "function": "点选模板就能生成测量程序",
    "advantage": "不用写代码，一天就能上手", "benefit": "李工，您说新设备必须让新人一周内学会编程：有了模板，新人第二天就能独立检测",
}


def test_statement_task_passes_a_good_statement_and_explains_a_weak_one():
    task = TASKS["t2"]
    assert {f.name for f in task.fields} == set(GOOD_STATEMENT)
    assert verdict(task, GOOD_STATEMENT).passed
    weak = verdict(task, {**GOOD_STATEMENT, "benefit": "对您来说更先进、更高端"})
    assert weak.status == "wrong" and "利益还没有呼应客户的需求" in weak.message
    # "检测" is shared with the need's "检测员", but the benefit does not answer the need itself
    generic = verdict(task, {**GOOD_STATEMENT, "benefit": "您的检测效率会大大提高"})
    assert generic.status == "wrong" and "还没有回应李工说出的需求" in generic.message
    assert verdict(task, {name: "" for name in GOOD_STATEMENT}).status == "blank"


def test_written_task_needs_every_rubric_point():
    task = TASKS["t10"]
    text = "JM-500 的探头能自动更换，重复精度 ±1.5 微米；放在产线旁边，首件大约 8 分钟出结果，产线不用再停下来等。"
    assert verdict(task, WrittenAnswer(text)).status == "self_check"
    assert verdict(task, WrittenAnswer(text, (True,) * len(task.rubric))).passed
    assert verdict(task, WrittenAnswer(text, (True,) * (len(task.rubric) - 1) + (False,))).status == "wrong"


def test_running_case_holds_in_the_exercises():
    text = " ".join(
        " ".join([t.stem, t.explanation, *t.options, *t.prompts, str(t.key or "")]) for t in EXERCISES.tasks
    )
    assert "半小时内出结果" not in text and "半小时内" not in text
