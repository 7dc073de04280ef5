"""Module 5's exercise, quiz and notebook data agree with the core and with the running case:
keys that follow a course rule are computed by kamcourse.relationship, the shown options are the
core's texts, every key passes its own checker, the notebook's claims about the sample account
hold, and the lawful reading of 同盟 / 向导 is what the core offers."""

from __future__ import annotations

import re

import pytest

from conftest import ROOT
from helpers import KitItems, notebook_text
from kamcourse import relationship as rel
from kamcourse.exercises import WrittenAnswer, load_exercises, verdict

NOTEBOOK = ROOT / "course" / "05_relationship.ipynb"
EXERCISES = load_exercises("m5")
TASKS = {task.id: task for task in EXERCISES.tasks}
ITEMS = KitItems("m5_stages")
CONTACTS = {c.name: c for c in rel.load_sample_contacts()}


def _key_answer(task):
    if task.kind == "written":
        return WrittenAnswer(task.key, (True,) * len(task.rubric))
    if task.kind in ("matching",):
        return list(task.key)
    return task.key


@pytest.mark.parametrize("tid", sorted(TASKS))
def test_every_key_passes_its_own_check(tid):
    assert verdict(TASKS[tid], _key_answer(TASKS[tid])).passed


def test_next_action_options_are_the_cores_moves():
    task = TASKS["t2"]
    assert list(task.options) == list(rel.EXERCISE_CHOICES.values())
    assert task.options["ABCD".index(task.key)] == rel.next_action(*rel.EXERCISE_CONTACT).move
    stage, influence, role = rel.EXERCISE_CONTACT
    assert f"**{role}**" in task.stem and f"**{influence}**" in task.stem and f"**{stage}**" in task.stem


def test_most_urgent_contact_table_is_the_cores_account():
    task = TASKS["t3"]
    for contact, option in zip(rel.EXERCISE_ACCOUNT, task.options):
        letter, name = contact.name.split(" ")
        assert name == option
        assert f"| {letter} | {name}（{contact.title}） | {contact.role} | {contact.influence} | {contact.stage} |" in task.stem
    assert rel.relationship_map(rel.EXERCISE_ACCOUNT).rows[0].contact.name.startswith(task.key)


def test_buying_events_are_the_cores():
    events = TASKS["t4"]
    assert list(events.prompts) == [text for text, _ in rel.EXERCISE_BUYER_EVENTS]
    assert list(events.labels) == list(rel.SELLER_STEP_LABELS.values())


def test_kotler_levels_task_uses_each_level_once_and_not_in_label_order():
    task = TASKS["t8"]
    assert list(task.labels) == list(rel.KOTLER_LEVELS)
    assert sorted(task.key) == sorted(rel.KOTLER_LEVELS)
    assert list(task.key) != list(task.labels)
    # the labels are bare level names: a description would give the match away
    assert not any(desc in prompt for desc in rel.KOTLER_LEVELS.values() for prompt in task.prompts)


def test_notebook_keeps_only_the_verified_ends_of_kotlers_choice():
    text = notebook_text(NOTEBOOK)
    assert "| 客户数量 |" not in text  # the unverified 3 x 3 grid is not taught
    assert "《营销管理》" in text and "《市场营销原理》" in text
    for level, deed in rel.KOTLER_LEVELS.items():
        assert f"| **{level}** | {deed} |" in text


def test_the_written_tasks_need_the_whole_rubric():
    for tid in ("t6", "c8"):
        task = TASKS[tid]
        assert task.rubric and task.min_chars >= 20
        assert verdict(task, WrittenAnswer(task.key)).status == "self_check"
        partial = (True,) * (len(task.rubric) - 1) + (False,)
        assert verdict(task, WrittenAnswer(task.key, partial)).status == "wrong"


def test_hints_do_not_give_the_answer_away():
    for task in EXERCISES.tasks:
        assert "编出来" not in task.hint
        if task.kind in ("single", "multiple") and task.options:
            keyed = [task.options["ABCDEFGH".index(k)] for k in task.key]
            assert not any(option in task.hint for option in keyed), task.id


def test_lawful_stage_signs_and_moves():
    for text in (*rel.STAGE_SIGNS.values(), *rel.STAGE_MOVES.values(), *rel.ROLE_FOCUS.values()):
        assert "内部资料" not in text and "伪" not in text and "预算表" not in text
    assert "可以分享" in rel.STAGE_SIGNS["同盟"] and "保密" in rel.ROLE_FOCUS["向导"]


# ---------------------------------------------------------------------------
# the quiz


def test_quiz_alliance_item_keys_the_lawful_help():
    item = ITEMS["q4"]
    keyed = item.options[ord(item.key) - 65]
    assert "可以分享" not in keyed  # the option is concrete, the explanation names the rule
    assert any(word in keyed for word in ("流程", "时间安排", "评估标准"))
    for i, option in enumerate(item.options):
        if chr(65 + i) != item.key:
            assert any(word in option for word in ("预算表", "报价单", "评标"))


def test_quiz_stage_ordering_follows_the_stage_signs():
    item = ITEMS["q1"]
    ordered = [item.options[ord(k) - 65] for k in item.key]
    assert "名片" in ordered[0] and "单独" in ordered[1] and "个人支持" in ordered[2] and "公开表态" in ordered[3]


def test_quiz_and_exercises_test_compliance():
    compliance_items = [i for i in ITEMS.values() if "第八条" in i.explanation or "商业秘密" in i.explanation]
    assert len(compliance_items) >= 5
    assert any("第八条" in (t.explanation or "") for t in EXERCISES.tasks if t.where == "exercises")


# ---------------------------------------------------------------------------
# the module notebook


def test_inline_checks_are_the_module_tasks():
    text = notebook_text(NOTEBOOK)
    used = set(re.findall(r'exercise_task\("m5", "(\w+)"\)', text))
    assert used == {t.id for t in EXERCISES.tasks if t.where == "module"}


def test_stage_examples_agree_with_the_sample_contacts():
    text = notebook_text(NOTEBOOK)
    for name, stage in (("刘芳", "认识"), ("赵磊", "约会"), ("李志强", "信赖"), ("周静", "同盟")):
        assert CONTACTS[name].stage == stage
        row = next(line for line in text.splitlines() if line.startswith(f"| {rel.STAGES.index(stage) + 1}. **{stage}**"))
        assert name in row


def test_the_completed_rows_are_the_first_and_the_last_two():
    text = notebook_text(NOTEBOOK)
    rows = [line for line in text.splitlines() if line.startswith("| ") and "**" in line and "本课程补全" in line]
    table = [line for line in text.splitlines() if re.match(r"^\| \S+.* \| \d\. \*\*", line)]
    assert [table.index(r) for r in rows] == [0, 4, 5]
    assert "第一行和最后两行" in text and "后三行" not in text
    assert "摧龙八式" not in text


def test_the_key_people_and_the_roles():
    text = notebook_text(NOTEBOOK)
    assert "决策人、使用者、技术把关者、财务把关者、采购、向导" in text
    for name in ("王建国", "张伟", "刘芳"):
        assert CONTACTS[name].influence >= 4 and CONTACTS[name].stage in ("认识", "约会")


def test_the_running_case_need_is_stated_right():
    text = notebook_text(NOTEBOOK)
    assert "半小时内出结果" not in text
    assert "大约半小时" in text and "10 分钟以内" in text and "8 分钟" in text


def test_claims_without_a_source_stay_out():
    """Two claims had no public source: a book attribution for the six buying stages and a line
    on the disciplinary rules SOE staff follow. The notebook and the quiz keep neither."""
    quiz = " ".join(i.stem + i.explanation + " ".join(i.options or ()) for i in ITEMS.values())
    for text in (notebook_text(NOTEBOOK), quiz):
        assert "输赢" not in text and "党纪政纪" not in text
