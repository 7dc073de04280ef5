"""End to end, with the real commands, on a class of hostile and honest trainees.

A course built as an instructor builds one (public bank, ``kamcourse kit seal`` with a
passphrase), a flat LMS-style folder of submissions, ``kamcourse quiz grade``. Every
attack of issue 12 is in the class: it must gain no point, leave the honest trainees'
scores exact and equal to a control run without the attackers, and leave the gradebook,
the bank and the kit intact. Then the formgrader's autograde (nbgrader's API, with the
course's nbgrader_config.py) must write identical gradebook entries.

Fixture keys (tests/test_quiz_support.py): q1 single C (2) | q2 multiple ABD (3) | q3
true/false 错 (1) | q4 ordering BDAC (4) | q5 matching ABCA (4) | q6 numeric 37.5 +-0.5
天 (2) | q7 essay (5, manual). Auto-graded maximum 16.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import time
from pathlib import Path

import pytest

from test_quiz_support import (AUTO, DUEL, DUEL_SECRETS, PASSPHRASE, POINTS, Code, answered, dump_gradebook,
                               half_up, kamcourse, make_course, write_nb)

pytestmark = pytest.mark.slow
LITERAL_ONLY = "答案只能写在引号内"
RIGHT = {"q1": '"C"', "q2": '"ABD"', "q3": '"B"', "q4": '"BDAC"', "q5": '"ABCA"', "q6": '"37.5"'}
FULL = dict(POINTS)


def only(**scores: float) -> dict[str, float]:
    return {q: float(scores.get(q, 0.0)) for q in AUTO}


def right_but(**scores: float) -> dict[str, float]:
    return {q: float(scores.get(q, FULL[q])) for q in AUTO}


# (file name in the LMS folder, answers, expected auto scores, expected reason substring)
HONEST = [
    ("h01_right", RIGHT, right_but(), ""),
    ("h02_lenient", {"q1": '" c "', "q2": '["a", "B", "d"]', "q3": '"错"', "q4": '"b-d-a-c"', "q5": '"1A 2B 3C 4A"',
                     "q6": '"37.5 天"'}, right_but(), ""),
    ("h03_blank", {}, only(), ""),
    ("h04_wrong", {"q1": '"A"', "q2": '"C"', "q3": '"A"', "q4": '"ABCD"', "q5": '"CCAB"', "q6": '"30"'}, only(), ""),
    # multiple: no wrong letter, 2 of 3 -> 3 x 2/3 = 2; 1 of 3 -> 1
    ("h05_partial_multiple", {"q2": '"AB"'}, only(q2=2), ""),
    ("h06_one_of_three", {"q2": '"D"', "q1": '"C"'}, only(q2=1, q1=2), ""),
    # ordering BDAC: "BDCA" keeps B, D in place -> 2/4 x 4 = 2; "DBAC" keeps A, C -> 2
    ("h07_partial_ordering", {"q4": '"BDCA"'}, only(q4=2), ""),
    ("h08_partial_ordering", {"q4": '"DBAC"', "q3": "False"}, only(q4=2, q3=1), ""),
    # matching ABCA: 3 of 4 -> 3; incomplete "AB" -> 2
    ("h09_partial_matching", {"q5": '"ABCB"'}, only(q5=3), ""),
    ("h10_incomplete_matching", {"q5": '"AB"'}, only(q5=2), ""),
    # numeric 37.5 +- 0.5: 37.9 in, 38.1 out, 37 on the edge
    ("h11_tolerance_in", {"q6": "37.9"}, only(q6=2), ""),
    ("h12_tolerance_out", {"q6": '"38.1"'}, only(), ""),
    ("h13_tolerance_edge", {"q6": '"37"'}, only(q6=2), ""),
    # invalid formats score 0: repeated letter, foreign letter, two letters in a single choice, words
    ("h14_invalid", {"q2": '"AAB"', "q4": '"BDAE"', "q1": '"CD"', "q6": '"三十七"'}, only(), ""),
    ("h15_mixed", {"q1": '"C"', "q2": '"BD"', "q3": '"对"', "q4": '"BDAC"', "q5": '"ABCC"', "q6": '"37.5"'},
     only(q1=2, q2=2, q4=4, q5=3, q6=2), ""),
    ("h16_right", RIGHT, right_but(), ""),
    ("h17_right", RIGHT, right_but(), ""),
    ("h18_comment_only", {**RIGHT, "q1": Code("# 不会\n")}, right_but(q1=0), ""),
    ("h19_tuple", {"q2": '("A", "B", "D")', "q3": '"×"'}, only(q2=3, q3=1), ""),
    ("h20_half", {"q2": '"A"'}, only(q2=1), ""),
]
ATTACKS = [
    # replacing the grading function, reading the keys, disabling output, faking the float display
    ("a01_replace_grade_item", {"q1": Code('import kamcourse.quiz.grading as g\ng.grade_item = lambda *a, **k: 2.0\nanswer_q1 = ""')}),
    ("a02_read_bank", {"q2": Code('from kamcourse.quiz.kit import load_graded\nanswer_q2 = load_graded(".", "duel").item("q2").key')}),
    ("a03_ast_node_interactivity", {"q3": Code('get_ipython().ast_node_interactivity = "none"\nanswer_q3 = ""')}),
    ("a04_float_formatter", {"q4": Code('get_ipython().display_formatter.formatters["text/plain"].for_type(float, lambda *a: "")\nanswer_q4 = ""')}),
    # rewriting the bank and kit on disk, deleting or overwriting the gradebook
    ("a05_rewrite_bank", {"q5": Code('import pathlib\nfor p in pathlib.Path("../../..").rglob("*.yaml"):\n    p.write_text("quiz: x")\nanswer_q5 = "ABCA"')}),
    ("a06_delete_gradebook", {"q6": Code('import os\nos.remove("../../../gradebook.db")\nanswer_q6 = "37.5"')}),
    ("a07_junk_gradebook", {"q1": Code('open("../../../gradebook.db", "wb").write(b"junk")\nanswer_q1 = "C"')}),
    # ending the process, swallowing the interrupt: only that item scores 0
    ("a08_os_exit", {**RIGHT, "q2": Code('import os\nos._exit(0)\nanswer_q2 = "ABD"')}),
    ("a09_swallow_interrupt", {**RIGHT, "q4": Code('while True:\n    try:\n        pass\n    except KeyboardInterrupt:\n        pass')}),
    ("a10_expression", {**RIGHT, "q1": '__import__("os").getcwd()'}),
    ("a11_deep_literal", {**RIGHT, "q5": "[" * 5000 + "]" * 5000}),
    ("a12_f_string", {**RIGHT, "q6": 'f"{37.5}"'}),
]
# answers in ATTACKS carry code only in the attacked item: what each attacker should score
ATTACK_SCORES = {
    "a01_replace_grade_item": only(), "a02_read_bank": only(), "a03_ast_node_interactivity": only(),
    "a04_float_formatter": only(), "a05_rewrite_bank": only(), "a06_delete_gradebook": only(),
    "a07_junk_gradebook": only(), "a08_os_exit": right_but(q2=0), "a09_swallow_interrupt": right_but(q4=0),
    "a10_expression": right_but(q1=0), "a11_deep_literal": right_but(q5=0), "a12_f_string": right_but(q6=0),
}


def _cell(nb: dict, cell_id: str) -> dict:
    return next(c for c in nb["cells"] if c.get("id") == cell_id)


def _tamper_test_source(nb):  # a test cell that prints full marks
    _cell(nb, "q1-test")["source"] = "print(2.0)\n2.0"


def _tamper_outputs(nb):  # a test cell submitted with a full-marks output already in it
    _cell(nb, "q2-test")["outputs"] = [{"output_type": "execute_result", "execution_count": 1, "metadata": {},
                                        "data": {"text/plain": "3.0"}}]


def _tamper_points(nb):
    _cell(nb, "q4-test")["metadata"]["nbgrader"]["points"] = 40.0


def _tamper_metadata(nb):  # a forged integrity verdict and a forged verdict output
    nb["metadata"]["kamcourse_grading"] = {"flags": {}, "notes": [], "paper": {}}
    _cell(nb, "q5-test")["outputs"] = [{"output_type": "display_data", "metadata": {}, "data": {
        "application/vnd.kamcourse.verdict+json": {"position": "q5", "points": 4}, "text/plain": "4"}}]


def _delete_neighbours(nb):  # answer and test cell of one item gone
    nb["cells"] = [c for c in nb["cells"] if c.get("id") not in ("q4-answer", "q4-test")]


def _edit_stem(nb):
    _cell(nb, "q1-stem")["source"] += "\n我改了题目"


# (name, answers, mutation, expected scores, reason in the report)
TAMPERED = [
    ("t01_test_cell_source", RIGHT, _tamper_test_source, right_but(q1=0), "第 1 题：修改了锁定的评分单元"),
    ("t02_test_cell_outputs", {}, _tamper_outputs, only(), ""),
    ("t03_points", RIGHT, _tamper_points, right_but(q4=0), "第 4 题：修改了锁定的评分单元"),
    ("t04_forged_verdict", {}, _tamper_metadata, only(), ""),
    ("t05_delete_answer_and_test", RIGHT, _delete_neighbours, right_but(q4=0), "第 4 题：删除了答案单元；删除了评分单元"),
    ("t06_edit_stem", RIGHT, _edit_stem, right_but(q1=0), "第 1 题：修改了锁定的题目单元"),
]


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> dict:
    tmp = tmp_path_factory.mktemp("class")
    course = make_course(tmp / "course", {"duel": (DUEL, DUEL_SECRETS)}, tmp / "instructor-kit")
    kamcourse("quiz", "release", "duel", "--course", str(course), cwd=course, KAMCOURSE_KIT_PASSPHRASE=PASSPHRASE)
    release = json.loads((course / "release" / "duel" / "duel.ipynb").read_text(encoding="utf-8"))
    lms = tmp / "lms-export"
    for name, answers, _, _ in HONEST:
        write_nb(lms / f"{name}.ipynb", answered(release, answers, essay="我的论述。"))
    for name, answers in ATTACKS:
        write_nb(lms / f"{name}.ipynb", answered(release, answers))
    for name, answers, mutate, _, _ in TAMPERED:
        nb = answered(release, answers)
        mutate(nb)
        write_nb(lms / f"{name}.ipynb", nb)
    # the flat-folder name cases
    write_nb(lms / "Tom [2].ipynb", answered(release, RIGHT))
    write_nb(lms / "张三.ipynb", answered(release, {"q1": '"C"'}))
    write_nb(lms / "Lee.ipynb", answered(release, {}))
    time.sleep(0.05)
    write_nb(lms / "Lee (1).ipynb", answered(release, RIGHT))          # the newer copy is graded
    write_nb(lms / "Kim.ipynb", answered(release, {"q1": '"A"'}))
    time.sleep(0.05)
    write_nb(lms / "Kim" / "duel" / "duel.ipynb", answered(release, RIGHT))
    write_nb(lms / "_x.ipynb", answered(release, {"q3": '"B"'}))
    write_nb(lms / "Ann.IPYNB", answered(release, {"q6": '"37.5"'}))
    (lms / "broken.ipynb").write_text('{"cells": [', encoding="utf-8")
    (lms / "readme.txt").write_text("LMS 说明", encoding="utf-8")
    (lms / ".DS_Store").write_bytes(b"\0")
    protected = {p: p.read_bytes() for p in [*(course / "bank").glob("*"), *(course / "kit").glob("*")]}
    done = kamcourse("quiz", "grade", "duel", str(lms), "--course", str(course), cwd=course,
                     KAMCOURSE_KIT_PASSPHRASE=PASSPHRASE)
    # the control: the honest trainees alone, in a course of their own (graded through the API)
    control = make_course(tmp / "control", {"duel": (DUEL, DUEL_SECRETS)}, tmp / "control-kit", seal=False)
    alone, few = tmp / "honest-only", tmp / "few"
    for folder, names in ((alone, [n for n, *_ in HONEST]), (few, ["h01_right", "h04_wrong"])):
        folder.mkdir()
        for name in names:
            shutil.copy(lms / f"{name}.ipynb", folder / f"{name}.ipynb")
    from kamcourse.quiz.pipeline import grade_class

    os.environ["KAMCOURSE_KIT"] = str(tmp / "control-kit")
    try:
        grade_class(control, "duel", alone, progress=lambda line: None)
    finally:
        os.environ.pop("KAMCOURSE_KIT")
    return {"course": course, "lms": lms, "few": few, "done": done, "protected": protected, "control": control,
            "reports": course / "reports" / "duel", "release": release}


def grades(reports: Path) -> dict[str, dict[str, str]]:
    with (reports / "grades.csv").open(encoding="utf-8-sig") as fh:
        return {row["student"]: row for row in csv.DictReader(fh)}


def scores_of(row: dict[str, str]) -> dict[str, float]:
    return {q: float(row[q]) for q in AUTO}


def test_the_class_is_big_and_holds_every_attack(world):
    rows = grades(world["reports"])
    assert len(rows) >= 40
    assert world["done"].stderr == ""


def test_honest_trainees_score_exactly_and_as_without_the_attackers(world):
    rows, control = grades(world["reports"]), grades(world["control"] / "reports" / "duel")
    for name, _, expected, _ in HONEST:
        assert scores_of(rows[name]) == pytest.approx(expected), name
        assert scores_of(rows[name]) == scores_of(control[name]), name
        assert rows[name]["reasons"] == "" and rows[name]["pending"] == "q7"
        assert float(rows[name]["total"]) == pytest.approx(half_up(sum(expected.values())))


@pytest.mark.parametrize("name", [a for a, _ in ATTACKS])
def test_no_attack_gains_a_point(world, name):
    row = grades(world["reports"])[name]
    assert row["status"] == "已评分"
    assert scores_of(row) == pytest.approx(ATTACK_SCORES[name])
    html = (world["course"] / "feedback" / name / "duel" / "duel.html").read_text(encoding="utf-8")
    assert LITERAL_ONLY in html


@pytest.mark.parametrize("name, expected, reason", [(n, e, r) for n, _, _, e, r in TAMPERED])
def test_tampered_notebooks_gain_nothing_and_are_flagged(world, name, expected, reason):
    row = grades(world["reports"])[name]
    assert scores_of(row) == pytest.approx(expected)
    assert (reason in row["reasons"]) if reason else row["reasons"] == ""


def test_gradebook_bank_and_kit_are_intact(world):
    course = world["course"]
    for path, data in world["protected"].items():
        assert path.read_bytes() == data, path
    from kamcourse.quiz import gradebook

    assert gradebook.problem(course / "gradebook.db") == ""
    assert set(dump_gradebook(course, "duel")) == {s for s, row in grades(world["reports"]).items() if row["status"] == "已评分"}
    ok = kamcourse("kit", "check", "--course", str(course), cwd=course)
    assert "一致" in ok.stdout


def test_flat_folder_names_are_normalised_and_reported(world):
    rows = grades(world["reports"])
    assert rows["Tom_2"]["original_name"] == "Tom [2].ipynb" and float(rows["Tom_2"]["total"]) == 16
    assert rows["u5f20u4e09"]["original_name"] == "张三.ipynb" and float(rows["u5f20u4e09"]["q1"]) == 2
    assert rows["Lee"]["original_name"] == "Lee (1).ipynb" and float(rows["Lee"]["total"]) == 16
    assert rows["Kim"]["original_name"] == "Kim/" and float(rows["Kim"]["total"]) == 16
    assert rows["x"]["original_name"] == "_x.ipynb" and float(rows["x"]["q3"]) == 1
    assert rows["Ann"]["original_name"] == "Ann.IPYNB" and float(rows["Ann"]["q6"]) == 2
    assert rows["broken"]["status"] == "无效提交" and "不是有效的 JSON" in rows["broken"]["reasons"]
    assert "Lee (1)" not in rows and "_x" not in rows
    report = (world["reports"] / "report.md").read_text(encoding="utf-8")
    out = world["done"].stdout
    for words in ("学员 Lee 有 2 份提交（Lee (1).ipynb、Lee.ipynb）：评分采用最新的 Lee (1).ipynb",
                  "学员 Kim 有 2 份提交", "跳过 readme.txt：不是笔记本", "跳过 .DS_Store"):
        assert words in report and words in out, words
    assert (world["course"] / "feedback" / "Tom_2" / "duel" / "duel.html").is_file()


def test_feedback_is_chinese_without_code_or_english_chrome(world):
    feedback = world["course"] / "feedback"
    pages = sorted(feedback.glob("*/duel/duel.html"))
    assert len(pages) >= 40
    for page in pages:
        html = page.read_text(encoding="utf-8")
        for english in ("Test cell", "Student's answer", "Grade cell", "Score:", "In&nbsp;[", "In [", "Comments:",
                        "raise RuntimeError", "answer_q", "BEGIN HIDDEN"):
            assert english not in html, (page, english)
        assert "你的答案（按读取）" in html and "解析" in html
    html = (feedback / "h05_partial_multiple" / "duel" / "duel.html").read_text(encoding="utf-8")
    assert "得分：<span class=\"score\">2 / 3</span>" in html and "你的答案（按读取）：AB" in html
    assert DUEL_SECRETS["q2"]["explanation"] in html and "丙正确" in html  # a distractor note
    # the total, machine-readable for the trainee's start page (kamcourse.journey)
    from kamcourse.journey import read_score

    score = read_score(html)
    assert score is not None and score[1] > 0 and f"总分：<span class=\"score\">{score[0]:g}</span>" in html


def test_formgraders_autograde_writes_identical_entries(world, tmp_path):
    """nbgrader's own Autograde app, as the formgrader's autograde button runs it
    (NbGraderAPI.autograde), on a copy of the course after the kamcourse run."""
    import os

    from nbgrader.apps import NbGraderAPI
    from traitlets.config.loader import PyFileConfigLoader

    copy = tmp_path / "course"
    shutil.copytree(world["course"], copy)
    before = dump_gradebook(copy, "duel")
    cfg = PyFileConfigLoader("nbgrader_config.py", path=str(copy)).load_config()
    cfg.CourseDirectory.root = str(copy)
    os.environ["KAMCOURSE_KIT_PASSPHRASE"] = PASSPHRASE
    try:
        api = NbGraderAPI(config=cfg)
        for student in sorted(before):
            result = api.autograde("duel", student)
            assert result["success"], (student, result.get("error", "")[-800:])
    finally:
        os.environ.pop("KAMCOURSE_KIT_PASSPHRASE", None)
    assert dump_gradebook(copy, "duel") == before


def test_a_rerun_with_nothing_new_does_no_work(world):
    course = world["course"]
    stamp = {p: p.stat().st_mtime_ns for p in (course / "autograded").rglob("*.ipynb")}
    again = kamcourse("quiz", "grade", "duel", str(world["lms"]), "--course", str(course), cwd=course,
                      KAMCOURSE_KIT_PASSPHRASE=PASSPHRASE)
    assert "没有新的提交" in again.stdout
    assert stamp == {p: p.stat().st_mtime_ns for p in (course / "autograded").rglob("*.ipynb")}


def test_manual_grades_survive_reruns_even_on_flagged_items(world):
    from nbgrader.api import Gradebook

    course = world["course"]
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        gb.find_grade("q1_test", "duel", "duel", "t06_edit_stem").manual_score = 1.5   # a flagged item
        gb.find_grade("q2_test", "duel", "duel", "h20_half").manual_score = 2.0
        gb.find_grade("q7_task", "duel", "duel", "h01_right").manual_score = 4.0      # the essay
        gb.db.commit()
    kamcourse("quiz", "grade", "duel", str(world["lms"]), "--course", str(course), "--force", cwd=course,
              KAMCOURSE_KIT_PASSPHRASE=PASSPHRASE)
    rows = grades(world["reports"])
    assert float(rows["t06_edit_stem"]["q1"]) == 1.5
    assert float(rows["h20_half"]["q2"]) == 2.0
    assert float(rows["h01_right"]["q7"]) == 4.0 and rows["h01_right"]["pending"] == ""
    assert list((course / "backups").glob("gradebook-*.db"))  # the rerun backed the gradebook up first
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:   # a grader scores the essay of another trainee
        gb.find_grade("q7_task", "duel", "duel", "h16_right").manual_score = 3.0
        gb.db.commit()
    kamcourse("quiz", "stats", "duel", "--course", str(course), cwd=course, KAMCOURSE_KIT_PASSPHRASE=PASSPHRASE)
    rows = grades(world["reports"])
    assert float(rows["h16_right"]["q7"]) == 3.0 and float(rows["h16_right"]["total"]) == 19
    html = (course / "feedback" / "h16_right" / "duel" / "duel.html").read_text(encoding="utf-8")
    assert "要点一" in html  # the essay's rubric, filled in from the kit


def test_a_lost_or_broken_gradebook_stops_with_the_restore_command(world, tmp_path):
    course = tmp_path / "course"
    shutil.copytree(world["course"], course)
    newest = sorted((course / "backups").glob("gradebook-*.db"))[-1]
    (tmp_path / "newest").mkdir()
    shutil.copy(newest, tmp_path / "newest" / "gradebook.db")
    args = ("quiz", "grade", "duel", str(world["few"]), "--course", str(course))
    (course / "gradebook.db").unlink()
    gone = kamcourse(*args, cwd=course, ok=False, KAMCOURSE_KIT_PASSPHRASE=PASSPHRASE)
    assert gone.returncode == 2 and "Traceback" not in gone.stderr
    assert f"kamcourse quiz restore --course {course}" in gone.stderr
    (course / "gradebook.db").write_bytes(b"this is not a database" * 100)
    junk = kamcourse(*args, cwd=course, ok=False, KAMCOURSE_KIT_PASSPHRASE=PASSPHRASE)
    assert junk.returncode == 2 and "Traceback" not in junk.stderr and "不是有效的 SQLite 数据库" in junk.stderr
    restored = kamcourse("quiz", "restore", "--course", str(course), cwd=course)
    assert newest.name in restored.stdout
    assert dump_gradebook(course, "duel") == dump_gradebook(tmp_path / "newest", "duel")
    assert list(course.glob("gradebook.db.broken-*"))  # the broken file is kept aside


def test_a_changed_kit_stops_grading_until_accepted(world, tmp_path):
    import yaml

    course, kit = tmp_path / "course", tmp_path / "kit"
    shutil.copytree(world["course"], course)
    data = yaml.safe_load((world["course"].parent / "instructor-kit" / "duel.yaml").read_text(encoding="utf-8"))
    data["items"][0]["key"] = "A"
    kit.mkdir()
    (kit / "duel.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    args = ("quiz", "grade", "duel", str(world["few"]), "--course", str(course), "--force")
    stopped = kamcourse(*args, cwd=course, ok=False, KAMCOURSE_KIT=str(kit))
    assert stopped.returncode == 2 and "自发布以来已被改动" in stopped.stderr and "--accept-kit-change" in stopped.stderr
    kamcourse(*args, "--accept-kit-change", cwd=course, KAMCOURSE_KIT=str(kit))
    assert float(grades(course / "reports" / "duel")["h04_wrong"]["q1"]) == 2  # "A" is now the key
