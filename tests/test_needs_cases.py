"""Module 2's exercise data: keys computed by kamcourse.needs_cases agree with the cores and
with what the stems show; the module notebook carries its checks and the running case."""

from __future__ import annotations

from conftest import ROOT
from helpers import notebook_text
from kamcourse import needs_cases as nc
from kamcourse import needs_prospects as prospects
from kamcourse import segmentation as seg
from kamcourse.exercises import load_exercises, verdict

TASKS = {t.id: t for t in load_exercises("m2").tasks}


def test_segmentation_task_shows_the_sample_numbers_and_computes_its_key():
    task = TASKS["t1"]
    accounts = {a.name: a for a in seg.sample_accounts()}
    assert task.prompts == seg.EXERCISE_CUSTOMERS
    for name in seg.EXERCISE_CUSTOMERS:
        a = accounts[name]
        assert f"| {name} | {a.potential:,.0f} | {a.share:.0%} |" in task.stem, name
    result = seg.sample_segmentation()
    assert f"{result.potential_cut:,.0f} 万元" in task.stem and f"{result.share_cut:.1%}" in task.stem
    assert list(task.key) == nc.segmentation_labels() == ["进攻", "维持", "防御", "放弃", "进攻", "维持"]


def test_kano_and_kraljic_tasks_follow_the_core():
    kano = TASKS["t7"]
    for feature, functional, dysfunctional in seg.KANO_EXERCISE:
        assert feature in kano.prompts and f"有：{functional}；没有：{dysfunctional}" in kano.stem
    assert list(kano.key) == nc.kano_labels()
    kraljic = TASKS["t8"]
    assert kraljic.prompts == tuple(item for item, *_ in seg.KRALJIC_EXERCISE)
    assert list(kraljic.key) == nc.kraljic_labels()


def test_allocation_task_states_the_numbers_its_key_uses():
    task = TASKS["t10"]
    counts, weights = nc.ALLOCATION_COUNTS, nc.ALLOCATION_WEIGHTS
    stem = task.stem
    assert (f"{counts['进攻']} 位进攻、{counts['防御']} 位防御、{counts['维持']} 位维持、{counts['放弃']} 位放弃") in stem
    assert (f"进攻 {weights['进攻']:g}、防御 {weights['防御']:g}、维持 {weights['维持']:g}、放弃 {weights['放弃']:g}") in stem
    assert task.key == nc.defend_units() == 4.7
    assert verdict(task, "4.69").passed and not verdict(task, "3.3").passed


def test_prospect_tasks_list_the_sample_and_follow_the_screen():
    for task_id in ("c1", "t9"):
        assert list(TASKS[task_id].options) == nc.prospect_options()
    first_two = prospects.screen_prospects(prospects.SAMPLE_PROSPECTS).shortlist()[:2]
    assert [TASKS["c1"].options[TASKS["c1"].letters.index(x)] for x in TASKS["c1"].key] == list(first_two)
    changed = prospects.screen_prospects(
        prospects.SAMPLE_PROSPECTS, nc.TRANSFER_PROVINCES, nc.TRANSFER_INDUSTRIES, nc.TRANSFER_MIN_POTENTIAL, True
    ).shortlist()
    assert {TASKS["t9"].options[TASKS["t9"].letters.index(x)] for x in TASKS["t9"].key} == set(changed)
    stem = TASKS["t9"].stem
    assert "江苏、浙江" in stem and f"{nc.TRANSFER_MIN_POTENTIAL} 万元" in stem and "电子制造" in stem


def test_module_notebook_carries_its_inline_checks_and_the_running_case():
    text = notebook_text(ROOT / "course" / "02_customer_needs.ipynb")
    for task_id in (t for t in TASKS if t.startswith("c")):
        assert f'exercise_task("m2", "{task_id}")' in text, task_id
    for fact in ("半小时", "10 分钟以内", "约 8 分钟", "±1.5 微米", "六工位探头自动更换架"):
        assert fact in text, fact
    for role in ("决策人", "使用者", "技术把关者", "财务把关者", "采购", "向导"):
        assert f"**{role}**" in text, role
    for line in (l for l in text.splitlines() if "半小时" in l):
        assert "半小时内" not in line  # today's state, never a benefit
    assert "伪" not in text  # case three (伪向导) lives in module 5
