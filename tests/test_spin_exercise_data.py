"""Module 4's exercise and quiz data agree with the core: every question that a task or
the quiz labels with a SPIN type is classified that way by kamcourse.spin.classify; the
written tasks are checked by classify_as and a rubric; personality keys come from the
course's own priority rule (quiz m4 q6 has one defensible key)."""

from __future__ import annotations

import json

import pytest

from conftest import ROOT
from helpers import KitItems
from kamcourse import spin
from kamcourse.exercises import WrittenAnswer, load_exercises, verdict

EXERCISES = load_exercises("m4")
TASKS = {task.id: task for task in EXERCISES.tasks}
CODES = {name: code for code, name in spin.SPIN_NAMES.items()}
ITEMS = KitItems("m4_spin")


def test_spin_labelled_prompts_are_classified_as_keyed():
    task = TASKS["t1"]
    for prompt, label in zip(task.prompts, task.key):
        assert spin.classify(prompt) == CODES[label], prompt


@pytest.mark.parametrize("tid", ["c1", "t6"])
def test_the_keyed_next_question_is_an_implication_question(tid):
    task = TASKS[tid]
    assert spin.classify(task.options["ABCD".index(task.key)]) == "I"


@pytest.mark.parametrize("tid, code", [("t5", "I"), ("t10", "N")])
def test_written_tasks_use_the_classifier_and_the_model_answer_passes_it(tid, code):
    task = TASKS[tid]
    assert task.classify_as == code and task.rubric
    model = task.key.split("“")[1].split("”")[0]
    assert spin.classify(model) == code
    assert verdict(task, WrittenAnswer(model)).status == "self_check"
    assert verdict(task, WrittenAnswer(model, (True,) * len(task.rubric))).passed


def test_written_implication_task_refuses_a_need_payoff_question():
    task = TASKS["t5"]
    wrong = verdict(task, WrittenAnswer("如果测量报告能自动生成，对您有什么帮助？", (True,) * len(task.rubric)))
    assert wrong.status == "wrong" and "需求-效益问题" in wrong.message and wrong.hint == task.hint


def test_personality_task_key_comes_from_the_core():
    task = TASKS["t3"]
    assert task.options["ABCD".index(task.key)] == spin.personality(spin.TASK_SCORES).type


def test_quiz_q6_has_one_defensible_key_under_the_priority_rule():
    item = ITEMS["q6"]
    scores = {q: int(item.stem.split(f"{q}=")[1][:2].strip("、，。 ")) for q in "ABCD"}
    result = spin.personality(scores)
    assert item.options[ord(item.key) - 65] == result.label


def test_quiz_q7_threshold_is_the_smallest_a_that_gives_eagle():
    item = ITEMS["q7"]
    base = {"B": 9, "C": 7, "D": 3}
    assert all(f"{q}={v}" in item.stem for q, v in base.items())
    smallest = min(a for a in range(spin.MAX_SCORE + 1) if spin.personality({**base, "A": a}).label == "鹰")
    assert item.number_key == smallest
    # below it the reached 羊 threshold wins over the mere leaning, as the explanation says
    assert spin.personality({**base, "A": smallest - 1}).type == "羊"


@pytest.mark.parametrize("qid, code", [("q1", "I")])
def test_quiz_spin_items_are_classified_as_keyed(qid, code):
    item = ITEMS[qid]
    assert spin.classify(item.options[ord(item.key) - 65]) == code
    others = [spin.classify(o) for i, o in enumerate(item.options) if chr(65 + i) != item.key]
    assert sorted(others) == sorted(set("SPIN") - {code})


def test_quiz_ordering_item_is_in_spin_order():
    item = ITEMS["q2"]
    ordered = [item.options[ord(letter) - 65] for letter in item.key]
    assert [spin.classify(q) for q in ordered] == ["S", "P", "I", "N"]


def test_exercise_notebook_tasks_are_mostly_application():
    tasks = [t for t in EXERCISES.tasks if t.where == "exercises"]
    assert 8 <= len(tasks) <= 10
    assert sum(t.level in ("application", "transfer") for t in tasks) * 2 >= len(tasks)


def test_inline_checks_are_the_ones_the_module_notebook_calls():
    nb = json.loads((ROOT / "course" / "04_spin.ipynb").read_text(encoding="utf-8"))
    called = {line.split('"')[3] for cell in nb["cells"] if cell["cell_type"] == "code"
              for line in "".join(cell["source"]).splitlines() if line.startswith('exercise_task("m4"')}
    assert called == {t.id for t in EXERCISES.tasks if t.where == "module"}


@pytest.mark.parametrize("notebook, heading, scenarios", [
    ("03_ffab.ipynb", "## 3. 在对话中说出利益", ["haerui_first_article"]),
    ("04_spin.ipynb", "## 7. 销售对练", ["haerui_first_article", "zhaolei_price"]),
])
def test_module_notebook_embeds_the_role_play(notebook, heading, scenarios):
    """Issue 9: each scenario is one widget line in its numbered section, imported in the hidden setup."""
    from kamcourse.roleplay.scenario import load_scenario

    nb = json.loads((ROOT / "course" / notebook).read_text(encoding="utf-8"))
    cells = nb["cells"]
    sources = ["".join(cell["source"]) for cell in cells]
    start = sources.index(next(s for s in sources if s.startswith(heading)))
    end = next(i for i in range(start + 1, len(cells)) if sources[i].startswith("## "))
    embedded = [s for c, s in zip(cells[start:end], sources[start:end]) if c["cell_type"] == "code"]
    assert embedded == [f'roleplay_view("{sid}")' for sid in scenarios]
    assert all(load_scenario(sid).id == sid for sid in scenarios)
    setup = cells[0]
    assert "hide-input" in setup["metadata"]["tags"]
    assert "from kamcourse.views.roleplay import roleplay_view" in sources[0]


def test_every_seed_trait_is_in_the_core_and_the_notebook():
    nb = json.loads((ROOT / "course" / "04_spin.ipynb").read_text(encoding="utf-8"))
    text = "\n".join("".join(cell["source"]) for cell in nb["cells"])
    seed_traits = {
        "鹰": ["自信", "自负", "自大", "喜新厌旧", "想象力丰富", "跳跃式思维", "胆大", "开拓能力强", "强势", "果断", "霸道", "分析能力强"],
        "驴": ["仔细", "认真", "保守执着", "一根筋", "关注细节"],
        "羊": ["善良", "温顺", "随和", "好说话", "怕被骗", "情商", "谈判能力最弱", "心太软", "偏使用者"],
        "狐": ["狡猾", "聪明", "多疑", "表里不一", "爱贪小便宜", "胆小", "不择手段", "忠诚度", "适应能力强", "采购人员"],
    }
    for kind, traits in seed_traits.items():
        for trait in traits:
            assert trait in spin.TRAITS[kind], (kind, trait)
            assert trait in text, trait
    assert "版面错位" in text and "威胁" in text and "立场坚定" in text


# ---------------------------------------------------------------- the widget, as a trainee uses it


@pytest.mark.usefixtures("progress_home")
def test_trainee_writes_an_implication_question_in_the_widget():
    from kamcourse.views.exercise import exercise_task

    view = exercise_task("m4", "t5")
    view.inputs.area.value = "如果报告能自动生成，对您有什么帮助？"
    assert view.check().status == "wrong" and "需求-效益问题" in view.feedback.value
    view.inputs.area.value = "汇总出错的报告要是交到主机厂，会不会影响你们的供应商评分？"
    assert view.check().status == "self_check" and view.inputs.rubric_shown
    for box in view.inputs.ticks:
        box.value = True
    assert view.check().passed


@pytest.mark.usefixtures("progress_home")
def test_trainee_sorts_questions_in_the_widget():
    from kamcourse.views.exercise import exercise_task

    view = exercise_task("m4", "t1")
    task = TASKS["t1"]
    for dropdown, label in zip(view.inputs.dropdowns, task.key):
        dropdown.value = label
    assert view.check().passed
    view.inputs.dropdowns[0].value = "背景问题"
    result = view.check()
    assert result.status == "wrong" and result.hint == task.hint
