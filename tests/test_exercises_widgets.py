"""The exercise widgets, driven as a trainee would: set the inputs, press 检查, read the
feedback; look at the key with and without confirming; bad input; the progress store."""

from __future__ import annotations

import ipywidgets as widgets
import pytest

from fixtures.exercises.support import private_exercise_data
from kamcourse import exercises as ex
from kamcourse.views.exercise import (
    ExerciseTask, FunctionInput, MatchingInput, MultipleInput, NumericInput, OrderingInput, SingleInput, TaskUnavailable,
    TrueFalseInput, WrittenInput, exercise_task,
)


@pytest.fixture(autouse=True)
def data(monkeypatch, tmp_path):
    return private_exercise_data(monkeypatch, tmp_path)


def open_task(task_id: str) -> ExerciseTask:
    view = exercise_task("mx", task_id)
    assert isinstance(view, ExerciseTask), getattr(view, "message", view)
    return view


def press_check(view: ExerciseTask) -> tuple[str, str]:
    view.check_button.click()
    return view.feedback.kind, view.feedback.text


def entry(task_id: str) -> ex.TaskProgress:
    return ex.task_progress("mx", task_id)


# ---------------------------------------------------------------- how a trainee answers each kind


def answer_single(view, right):
    view.inputs.choice.value = "A" if right else "C"


def answer_multiple(view, right):
    for letter, box in view.inputs.boxes.items():
        box.value = letter in ("ABD" if right else "AB")


def answer_ordering(view, right):
    for dropdown, letter in zip(view.inputs.positions, "BDAC" if right else "BADC"):
        dropdown.value = letter


def answer_matching(view, right):
    labels = ["背景问题", "难点问题", "暗示问题"] if right else ["背景问题", "暗示问题", "暗示问题"]
    for dropdown, label in zip(view.inputs.dropdowns, labels):
        dropdown.value = label


def answer_numeric(view, right):
    view.inputs.box.value = "81" if right else "68"


def answer_true_false(view, right):
    view.inputs.choice.value = not right  # the key is 错 (False)


def answer_written(view, right):
    view.inputs.area.value = (
        "产线停下来等首件检测结果，每个月会耽误多少订单？" if right else "如果首件检测 10 分钟以内就能出结果，对您有什么帮助？"
    )


def answer_function(view, right):
    values = {"特征": "图形化编程界面，内置 200 个测量模板", "功能": "点选模板就能生成测量程序",
              "优点": "不用写代码，一天就能上手",
              "利益": "您的新人不用学复杂的测量编程，老师傅退休也不怕" if right else "更先进、更高端"}
    for name, box in view.inputs.boxes.items():
        box.value = values[name]


KINDS = [
    ("t1", SingleInput, answer_single),
    ("t2", MultipleInput, answer_multiple),
    ("t3", OrderingInput, answer_ordering),
    ("t4", MatchingInput, answer_matching),
    ("t5", NumericInput, answer_numeric),
    ("t6", TrueFalseInput, answer_true_false),
    ("t7", WrittenInput, answer_written),
    ("t8", FunctionInput, answer_function),
]


@pytest.mark.parametrize("task_id, input_type, answer", KINDS, ids=[k[0] for k in KINDS])
def test_each_kind_has_its_inputs_and_every_control_has_a_name(task_id, input_type, answer):
    view = open_task(task_id)
    assert isinstance(view.inputs, input_type)
    assert view.inputs.controls
    for control in view.inputs.controls:
        assert control.description.strip(), control
    for button in (view.check_button, view.reveal_button, view.confirm_button, view.cancel_button):
        assert button.description.strip()
    assert view.check_button.description == "检查" and view.reveal_button.description == "查看参考答案"
    stem = view.children[0]
    assert isinstance(stem, widgets.Output) and stem.outputs[0]["data"]["text/markdown"] == ex.load_exercises("mx").task(
        task_id).stem


@pytest.mark.parametrize("task_id, input_type, answer", KINDS, ids=[k[0] for k in KINDS])
def test_a_blank_answer_is_not_judged_and_not_counted(task_id, input_type, answer):
    view = open_task(task_id)
    kind, text = press_check(view)
    assert kind == "blank" and text.startswith("还没有")
    assert entry(task_id).attempts == 0 and not ex.load_progress()


@pytest.mark.parametrize("task_id, input_type, answer", KINDS, ids=[k[0] for k in KINDS])
def test_wrong_then_right_keeps_the_input_and_records_the_hint(task_id, input_type, answer):
    view = open_task(task_id)
    answer(view, right=False)
    before = [c.value for c in view.inputs.controls]
    kind, text = press_check(view)
    assert kind == "wrong", text
    task = ex.load_exercises("mx").task(task_id)
    assert text.endswith(task.hint) and "#b3261e" in view.feedback.value and "✘" in view.feedback.value
    assert [c.value for c in view.inputs.controls] == before  # nothing the trainee entered is lost
    assert view.solution.value == ""  # no explanation before passing
    assert (entry(task_id).attempts, entry(task_id).hinted, entry(task_id).passed) == (1, True, False)

    answer(view, right=True)
    kind, text = press_check(view)
    if task_id == "t7":  # written: the rubric comes first
        assert kind == "self_check" and view.inputs.rubric_shown
        for tick in view.inputs.ticks:
            tick.value = True
        kind, text = press_check(view)
    assert kind == "correct", text
    assert "#1b7f3b" in view.feedback.value and "✔" in view.feedback.value
    assert task.explanation in _plain(view.solution.value)
    progress = entry(task_id)
    assert progress.passed and progress.attempts == 2 and progress.hinted and not progress.unaided


def _plain(markup: str) -> str:
    import html
    import re

    return html.unescape(re.sub(r"<[^>]+>", "", markup))


def test_choices_show_the_answer_only_after_a_reveal():
    view = open_task("t1")
    answer_single(view, right=True)
    press_check(view)
    assert "参考答案" not in view.solution.value and "解析" in view.solution.value
    view.reveal_button.click()
    view.confirm_button.click()
    assert "参考答案" in view.solution.value and "A．贵厂现在的首件检测是怎么安排的？" in _plain(view.solution.value)


@pytest.mark.parametrize("task_id, input_type, answer", KINDS, ids=[k[0] for k in KINDS])
def test_reveal_asks_first_and_cancel_shows_nothing(task_id, input_type, answer):
    view = open_task(task_id)
    answer(view, right=False)
    assert view.confirm_box.layout.display == "none"
    view.reveal_button.click()
    assert view.confirm_box.layout.display != "none"
    assert "确定要看参考答案吗" in _plain(view.confirm_box.children[0].value)
    view.cancel_button.click()
    assert view.confirm_box.layout.display == "none"
    assert view.solution.value == "" and view.feedback.text == ""
    assert not ex.load_progress()  # nothing recorded


@pytest.mark.parametrize("task_id, input_type, answer", KINDS, ids=[k[0] for k in KINDS])
def test_a_confirmed_reveal_shows_key_and_explanation_and_does_not_pass(task_id, input_type, answer):
    view = open_task(task_id)
    answer(view, right=False)
    before = [c.value for c in view.inputs.controls]
    view.reveal_button.click()
    view.confirm_button.click()
    task = ex.load_exercises("mx").task(task_id)
    shown = _plain(view.solution.value)
    assert task.explanation in shown
    for line in ex.key_lines(task):
        assert line in shown
    assert view.feedback.kind == "info" and "再自己答对一次" in view.feedback.text
    assert [c.value for c in view.inputs.controls] == before
    progress = entry(task_id)
    assert progress.revealed and not progress.passed and progress.attempts == 0
    assert ex.progress_summary()[0].passed == 0

    answer(view, right=True)  # answered again: now it counts
    press_check(view)
    if task_id == "t7":
        for tick in view.inputs.ticks:
            tick.value = True
        press_check(view)
    assert entry(task_id).passed and entry(task_id).passed_after_reveal
    assert ex.progress_summary()[0].passed_tasks == (task_id,)


BAD_INPUT = [
    ("t1", lambda v: None, "blank", "还没有选择"),
    ("t3", lambda v: setattr(v.inputs.positions[0], "value", "B"), "invalid", "第 2、3、4 位还没有选"),
    ("t3", lambda v: [setattr(d, "value", "B") for d in v.inputs.positions], "invalid", "重复了"),
    ("t4", lambda v: setattr(v.inputs.dropdowns[2], "value", "暗示问题"), "invalid", "第 1、2 项还没有选类别"),
    ("t5", lambda v: setattr(v.inputs.box, "value", "八十一"), "invalid", "不是一个数字"),
    ("t5", lambda v: setattr(v.inputs.box, "value", "81 家"), "invalid", "不是一个数字"),
    ("t7", lambda v: setattr(v.inputs.area, "value", "后果？"), "invalid", "写得太短"),
    ("t8", lambda v: setattr(v.inputs.boxes["特征"], "value", "   "), "blank", "还没有填写"),
]


@pytest.mark.parametrize("task_id, enter, kind, words", BAD_INPUT)
def test_bad_input_gets_a_chinese_message_and_keeps_what_was_entered(task_id, enter, kind, words):
    view = open_task(task_id)
    enter(view)
    before = [c.value for c in view.inputs.controls]
    got_kind, text = press_check(view)
    assert (got_kind, words in text) == (kind, True), text
    assert [c.value for c in view.inputs.controls] == before
    assert not ex.load_progress()


def test_numbers_may_carry_the_unit():
    view = open_task("t5")
    view.inputs.box.value = " 81% "
    assert press_check(view)[0] == "correct"


def test_the_written_rubric_must_be_ticked_in_full():
    view = open_task("t7")
    answer_written(view, right=True)
    assert not view.inputs.rubric_shown
    assert press_check(view)[0] == "self_check"
    assert entry("t7").attempts == 0
    view.inputs.ticks[0].value = True
    kind, text = press_check(view)
    assert kind == "wrong" and "还有 1 条要点没有做到" in text
    view.inputs.ticks[1].value = True
    assert press_check(view)[0] == "correct"
    assert "参考答案" in view.solution.value and "产线停下来等首件检测结果" in view.solution.value
    assert view.inputs.area.value.startswith("产线停下来")


def test_a_passed_task_says_so_when_opened_again():
    first = open_task("t1")
    answer_single(first, right=True)
    press_check(first)
    again = open_task("t1")
    assert "已经通过" in again.status.value
    assert open_task("t2").status.value == ""


def test_module_checks_work_the_same_and_are_not_counted():
    view = open_task("c1")
    view.inputs.choice.value = "A"
    assert press_check(view)[0] == "correct"
    assert entry("c1").passed
    assert ex.progress_summary()[0].passed == 0


@pytest.mark.parametrize(
    "module, task_id, words",
    [("mx", "t99", "找不到练习"), ("m99", "t1", "找不到练习"), ("../mx", "t1", "找不到练习"), (None, "t1", "找不到练习")],
)
def test_an_unknown_task_shows_a_message_not_a_traceback(module, task_id, words):
    view = exercise_task(module, task_id)
    assert isinstance(view, TaskUnavailable) and words in view.message and words in view.feedback.text


def test_a_v1_task_or_a_broken_file_shows_a_message(data):
    (data / "mv.yaml").write_text("tasks:\n  - id: t1\n    kind: single\n    answer: A\n", encoding="utf-8")
    view = exercise_task("mv", "t1")
    assert isinstance(view, TaskUnavailable) and "旧格式" in view.message
    path = data / "mx.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("key: BDAC", "key: BDA"), encoding="utf-8")
    view = exercise_task("mx", "t1")
    assert isinstance(view, TaskUnavailable) and "mx.yaml · t3 · key" in view.message


def test_a_store_that_cannot_be_written_does_not_break_the_widget(tmp_path, monkeypatch):
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    monkeypatch.setenv(ex.HOME_ENV, str(blocker / "home"))
    view = open_task("t1")
    answer_single(view, right=True)
    assert press_check(view)[0] == "correct"
    view.reveal_button.click()
    view.confirm_button.click()
    assert "解析" in view.solution.value


def test_feedback_text_is_escaped():
    view = open_task("t4")
    view.inputs.dropdowns[0].options = [*view.inputs.dropdowns[0].options, ("<b>x</b>", "<b>x</b>")]
    for dropdown in view.inputs.dropdowns:
        dropdown.value = "<b>x</b>" if dropdown is view.inputs.dropdowns[0] else "暗示问题"
    kind, text = press_check(view)
    assert kind == "invalid" and "<b>x</b>" in text and "<b>x</b>" not in view.feedback.value


def test_changing_the_answer_after_a_verdict_replaces_the_stale_verdict():
    view = open_task("t1")
    view.inputs.choice.value = "B"
    assert view.feedback.kind == ""  # nothing to replace before the first check
    view.inputs.choice.value = "C"
    assert press_check(view)[0] == "wrong"
    view.inputs.choice.value = "A"
    assert view.feedback.kind == "info" and view.feedback.text == "你现在的答案：A。按“检查”再看对错。"
    assert press_check(view)[0] == "correct"
    ordering = open_task("t3")
    ordering.check_button.click()
    ordering.inputs.positions[0].value = ordering.inputs.positions[0].options[1][1]
    assert "你现在的答案" in ordering.feedback.text and "？" in ordering.feedback.text
