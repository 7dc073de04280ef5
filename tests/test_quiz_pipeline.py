"""End to end: bank -> nbgrader source -> release -> a synthetic class -> grade -> reports.

Runs the real commands (``kamcourse quiz build``, ``nbgrader generate_assignment``,
``kamcourse quiz grade`` / ``stats``) in a temporary course directory. Every expected
score below was worked out by hand from the exam's keys and the declared scoring rules:

q1 3 pts ABC | q2 3 ABD | q3 4 ABCD | q4 4 ordering BADC | q5 2 ABD | q6 3 ABC |
q7 8 matching ABCACABA | q8 2 single A | q9 4 ABCD (of A-E) | q10 4 numeric 75.5 +-0.1 |
q11 essay 10 (manual).
"""

from __future__ import annotations

import copy
import csv
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT

PY = Path(sys.executable)
BIN = PY.parent
ITEMS = [f"q{i}" for i in range(1, 11)]
TIMEOUT = 10  # seconds per cell in the grading kernel; one submission loops forever

RIGHT = {
    "q1": '"ABC"', "q2": '"ABD"', "q3": '"ABCD"', "q4": '"BADC"', "q5": '"ABD"',
    "q6": '"ABC"', "q7": '"ABCACABA"', "q8": '"A"', "q9": '"ABCD"', "q10": '"75.5"',
}
FULL = [3, 3, 4, 4, 2, 3, 8, 2, 4, 4]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env.pop("KAMCOURSE_QUIZ_BANK", None)
    return env


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    done = subprocess.run(args, cwd=cwd, env=_env(), capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"{args} failed:\n{done.stdout}\n{done.stderr}"
    return done


# ---------------------------------------------------------------- the synthetic class

def with_scores(**changes: float) -> list[float]:
    scores = dict(zip(ITEMS, FULL))
    scores.update(changes)
    return [scores[i] for i in ITEMS]


def only(**scores: float) -> list[float]:
    return [scores.get(i, 0) for i in ITEMS]


def edit_source(cell_id: str, new: str):
    def mutate(nb):
        for cell in nb["cells"]:
            if cell["id"] == cell_id:
                cell["source"] = new
    return mutate


def append_to_source(cell_id: str, extra: str):
    def mutate(nb):
        for cell in nb["cells"]:
            if cell["id"] == cell_id:
                cell["source"] = "".join(cell["source"]) + extra
    return mutate


def delete_cells(*cell_ids: str):
    def mutate(nb):
        nb["cells"] = [c for c in nb["cells"] if c["id"] not in cell_ids]
    return mutate


def set_points(cell_id: str, points: float):
    def mutate(nb):
        for cell in nb["cells"]:
            if cell["id"] == cell_id:
                cell["metadata"]["nbgrader"]["points"] = points
    return mutate


def both(*mutations):
    def mutate(nb):
        for m in mutations:
            m(nb)
    return mutate


# (student, answers (item -> answer cell code after "answer_qN = "), expected scores q1..q10,
#  mutation of the released notebook, expected reason substring)
CLASS = [
    ("s01_right", RIGHT, FULL, None, ""),
    ("s02_lenient", {"q1": '"a, b, c"', "q2": '"Ａ Ｂ Ｄ"', "q3": '["a", "b", "c", "d"]', "q4": '"B-A-D-C"',
                     "q5": '"abd"', "q6": '"c,b,a"', "q7": '"1A 2B 3C 4A 5C 6A 7B 8A"', "q8": '"a"',
                     "q9": '"A和B和C和D"', "q10": '"75.5 天"'}, FULL, None, ""),
    ("s03_lenient", {"q1": '"CBA"', "q2": '"D/B/A"', "q3": '"dcba"', "q4": '"B A D C"', "q5": '"D B A"',
                     "q6": '"A;B;C"', "q7": '"abcacaba"', "q8": '" A "', "q9": '"d c b a"', "q10": "75.5"}, FULL, None, ""),
    ("s04_blank", {}, only(), None, ""),
    ("s05_spaces", {i: '"   "' for i in ITEMS}, only(), None, ""),
    ("s06_wrong", {"q1": '"D"', "q2": '"C"', "q3": '"E"', "q4": '"ABCD"', "q5": '"C"', "q6": '"D"',
                   "q7": '"BCABABCB"', "q8": '"B"', "q9": '"E"', "q10": '"75"'}, only(), None, ""),
    # multiple choice: share of correct letters when no wrong letter; 2 x 2/3 = 1.33
    ("s07_partial", {"q1": '"AB"', "q2": '"A"', "q3": '"ABC"', "q5": '"AB"', "q6": '"BC"', "q9": '"AD"'},
     only(q1=2, q2=1, q3=3, q5=1.33, q6=2, q9=2), None, ""),
    # ordering BACD: B and A in place -> 2/4; matching 7 of 8; 75.0 is the 28-day answer -> 0
    ("s08_partial", {"q4": '"BACD"', "q7": '"ABCACAAA"', "q8": '"A"', "q10": '"75.0"'},
     only(q4=2, q7=7, q8=2), None, ""),
    # a wrong letter zeroes a multiple-choice item
    ("s09_wrong_letter", {"q1": '"ABCD"', "q2": '"ABCD"', "q9": '"ABCDE"', "q5": '"ABD"'}, only(q5=2), None, ""),
    ("s10_order_half", {"q4": '"BDAC"'}, only(q4=2), None, ""),
    # incomplete ordering/matching answers are scored by position
    ("s11_incomplete", {"q4": '"BA"', "q7": '"ABC"'}, only(q4=2, q7=3), None, ""),
    # tolerance 0.1: 75.45 and 75.4 are in, 75.61 is out
    ("s12_tolerance_in", {"q10": '"75.45"'}, only(q10=4), None, ""),
    ("s13_tolerance_edge", {"q10": '"75.4"', "q8": '"a"'}, only(q10=4, q8=2), None, ""),
    ("s14_tolerance_out", {"q10": '"75.61"'}, only(), None, ""),
    # invalid formats score 0: repeated letter, two letters in a single choice, foreign
    # letter, words for a number, too many matching letters
    ("s15_invalid", {"q1": '"ABB"', "q8": '"AB"', "q4": '"BADCE"', "q10": '"七十五"', "q7": '"ABCACABAA"'},
     only(), None, ""),
    ("s16_mixed", {"q1": '"ABC"', "q2": '"ABD"', "q3": '"AB"', "q4": '"BADC"', "q5": '"AD"', "q6": '"ABCD"',
                   "q7": '"ABCACABB"', "q8": '"C"', "q9": '"ABC"', "q10": '"75.5"'},
     [3, 3, 2, 4, 1.33, 0, 7, 0, 3, 4], None, ""),
    ("s17_mixed", {"q1": '"C"', "q2": '"BD"', "q3": '"D"', "q4": '"DCBA"', "q5": '"D"', "q6": '"A"',
                   "q7": '"AAAAAAAA"', "q8": '"A"', "q9": '"D"', "q10": '"75.5天"'},
     [1, 2, 1, 0, 0.67, 1, 4, 2, 1, 4], None, ""),
    ("s18_literals", {"q10": "75.5", "q8": '"A"', "q1": '["A", "B", "C"]'}, only(q10=4, q8=2, q1=3), None, ""),
    ("s19_right", RIGHT, FULL, None, ""),
    ("s20_right", RIGHT, FULL, None, ""),
    ("s21_near", {**RIGHT, "q7": '"ABCACABC"'}, with_scores(q7=7), None, ""),
    ("s22_essay", RIGHT, FULL, None, ""),
    ("s23_partial", {"q1": '"A"', "q2": '"AB"', "q4": '"BADC"', "q8": '"A"'}, only(q1=1, q2=2, q4=4, q8=2), None, ""),
    # integrity: changed locked cells (question, test, nbgrader metadata), deleted cells
    ("i01_edit_question", RIGHT, with_scores(q2=0), append_to_source("q2-stem", "\n我改了题目"), "第 2 题：修改了锁定的题目单元"),
    ("i02_edit_test", RIGHT, with_scores(q6=0),
     both(edit_source("q6-test", "6.0"), append_to_source("check", "\n# 改了检查单元")), "第 6 题：修改了锁定的评分单元"),
    ("i03_edit_points", RIGHT, with_scores(q9=0), set_points("q9-test", 40.0), "第 9 题：修改了锁定的评分单元"),
    ("i04_delete_answer_test", RIGHT, with_scores(q4=0), delete_cells("q4-answer", "q4-test"), "第 4 题：删除了答案单元；删除了评分单元"),
    ("i05_delete_question", RIGHT, with_scores(q7=0), delete_cells("q7-stem"), "第 7 题：删除了题目单元"),
    # integrity: answer cells that raise, or loop forever
    ("i06_raise_after", {**RIGHT, "q2": '"ABD"\nraise ValueError("boom")'}, with_scores(q2=0), None,
     "第 2 题：答案单元运行出错（ValueError）"),
    ("i07_raise_before", {**RIGHT, "q3": "1 / 0"}, with_scores(q3=0), None, "第 3 题：答案单元运行出错（ZeroDivisionError）"),
    ("i08_loop", {**RIGHT, "q5": '"ABD"\nwhile True:\n    pass'}, with_scores(q5=0), None, "第 5 题：答案单元运行超时"),
]
# Submissions that never reach nbgrader: (student, what to write, reason substring)
BROKEN = [
    ("x01_bad_json", "exam/exam.ipynb", b'{"cells": [', "不是有效的 JSON"),
    ("x02_not_notebook", "exam/exam.ipynb", b'{"hello": 1}', "不是 Jupyter 笔记本"),
    ("x03_no_notebook", "notes.txt", "我忘了交笔记本".encode(), "没有找到笔记本"),
    ("x04_wrong_name", "exam/Exam-copy.ipynb", b"{}", "没有找到笔记本"),
]
ESSAY = "成功实施 CRM 需要高层领导的支持、专注于流程、分步实施……"


def make_submission(release: dict, answers: dict[str, str], mutate) -> dict:
    nb = copy.deepcopy(release)
    for cell in nb["cells"]:
        meta = cell["metadata"].get("kamcourse", {})
        if meta.get("role") == "answer" and meta.get("item") in answers:
            cell["source"] = f"answer_{meta['item']} = {answers[meta['item']]}\n"
        if meta.get("role") == "answer" and meta.get("item") == "q11" and answers is RIGHT:
            cell["source"] = ESSAY
    if mutate:
        mutate(nb)
    return nb


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("course")
    shutil.copy(ROOT / "quizzes" / "nbgrader_config.py", root)
    shutil.copytree(ROOT / "quizzes" / "bank", root / "bank")
    run([str(BIN / "kamcourse"), "quiz", "build", "--course", str(root)], root)
    run([str(BIN / "nbgrader"), "generate_assignment", "exam"], root)
    return root


@pytest.fixture(scope="module")
def graded(course: Path) -> dict:
    release = json.loads((course / "release" / "exam" / "exam.ipynb").read_text(encoding="utf-8"))
    incoming = course.parent / "incoming"
    for student, answers, _, mutate, _ in CLASS:
        folder = incoming / student / "exam"
        folder.mkdir(parents=True)
        (folder / "exam.ipynb").write_text(json.dumps(make_submission(release, answers, mutate), ensure_ascii=False),
                                           encoding="utf-8")
        (folder / "timestamp.txt").write_text("2024-05-06 10:00:00.000000 UTC")
    for student, name, data, _ in BROKEN:
        target = incoming / student / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    started = time.perf_counter()
    done = run([str(BIN / "kamcourse"), "quiz", "grade", "exam", str(incoming), "--course", str(course),
                "--timeout", str(TIMEOUT)], course)
    seconds = time.perf_counter() - started
    artifacts = ROOT / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    (artifacts / "quiz_grading_time.txt").write_text(
        f"kamcourse quiz grade exam: {len(CLASS) + len(BROKEN)} submissions, {seconds:.1f} s wall time "
        f"(one loops until the {TIMEOUT} s timeout)\n", encoding="utf-8")
    print(f"\ngrading wall time for {len(CLASS) + len(BROKEN)} submissions: {seconds:.1f} s")
    return {"stdout": done.stdout, "stderr": done.stderr, "incoming": incoming, "seconds": seconds,
            "reports": course / "reports" / "exam"}


def read_grades(reports: Path) -> dict[str, dict[str, str]]:
    with (reports / "grades.csv").open(encoding="utf-8-sig") as fh:
        return {row["student"]: row for row in csv.DictReader(fh)}


def _num(text: str) -> float:
    return float(text) if text else float("nan")


# ---------------------------------------------------------------- tests

pytestmark = pytest.mark.slow


def test_the_class_is_big_enough_and_covers_every_case():
    assert len(CLASS) + len(BROKEN) >= 30


def test_release_holds_no_key_no_hidden_test_no_explanation(course: Path):
    from kamcourse.quiz.bank import load_quiz
    from kamcourse.quiz.notebook import leak_fingerprints

    quiz = load_quiz("exam", course / "bank")
    files = [p for p in (course / "release").rglob("*") if p.is_file()]
    assert files
    for path in files:
        raw = path.read_text(encoding="utf-8")
        texts = [raw]
        if path.suffix == ".ipynb":  # also the decoded cell sources (JSON escapes quotes)
            texts.append("\n".join("".join(c["source"]) for c in json.loads(raw)["cells"]))
        for text in texts:
            for marker in ("HIDDEN TESTS", "grade_item", "MARK SCHEME", "评分要点（讲师评分用）", "参考解析"):
                assert marker not in text, f"{marker} in {path}"
            for item in quiz.items:
                for mark in leak_fingerprints(item):
                    assert mark not in text, f"{item.id} leaks {mark[:20]!r} in {path}"
                for line in item.rubric:
                    assert line.criterion not in text or len(line.criterion) < 6


def test_the_released_notebook_runs_blank_and_its_check_cell_checks_format_only(course: Path, tmp_path):
    import papermill as pm

    executed = pm.execute_notebook(
        str(course / "release" / "exam" / "exam.ipynb"), str(tmp_path / "out.ipynb"),
        cwd=str(tmp_path), kernel_name="python3", progress_bar=False, request_save_on_cell_execute=False,
    )
    outputs = [o for c in executed.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error" or o.get("name") == "stderr"]
    check = next(c for c in executed.cells if c.get("id") == "check")
    text = "".join(o.get("text", "") for o in check["outputs"])
    assert "第 1 题（多选题）：还没有作答。" in text and "不检查答案是否正确" in text
    assert "正确答案" not in text


def test_progress_is_shown_and_nothing_goes_to_stderr(graded):
    out = graded["stdout"]
    n = len(CLASS)
    assert f"共 {n + len(BROKEN)} 份提交：{n} 份有效，{len(BROKEN)} 份无效" in out
    assert f"[{n:>3}/{n}]" in out
    assert graded["stderr"] == ""


def test_exact_per_student_scores(graded):
    rows = read_grades(graded["reports"])
    assert set(rows) == {s for s, *_ in CLASS} | {s for s, *_ in BROKEN}
    for student, _, expected, _, reason in CLASS:
        row = rows[student]
        assert row["status"] == "已评分", student
        assert [_num(row[i]) for i in ITEMS] == pytest.approx(expected), student
        assert _num(row["total"]) == pytest.approx(round(sum(expected), 2)), student
        assert row["max"] == "47"
        assert row["q11"] == "" and row["pending"] == "q11", student  # essay waits for the grader
        if reason:
            assert reason in row["reasons"], (student, row["reasons"])
        else:
            assert row["reasons"] == "", (student, row["reasons"])
    for student, _, _, reason in BROKEN:
        row = rows[student]
        assert row["status"] == "无效提交" and row["total"] == "0" and reason in row["reasons"], student


def test_report_lists_every_integrity_case(graded):
    report = (graded["reports"] / "report.md").read_text(encoding="utf-8")
    for student, *_, reason in CLASS:
        if reason:
            assert f"| {student} |" in report and reason in report
    for student, _, _, reason in BROKEN:
        assert f"| {student} | 无效提交 |" in report
    assert "改了检查单元" not in report and "格式检查单元" in report  # shared cell: noted, not scored


def test_nbgrader_export_csv_has_every_student(graded):
    with (graded["reports"] / "nbgrader_grades.csv").open(encoding="utf-8") as fh:
        rows = {r["student_id"]: r for r in csv.DictReader(fh)}
    assert float(rows["s01_right"]["score"]) == 37.0
    assert float(rows["s07_partial"]["score"]) == pytest.approx(11.33)
    assert float(rows["i08_loop"]["score"]) == 35.0
    assert float(rows["x01_bad_json"]["score"]) == 0.0


def test_feedback_shows_results_and_explanations_not_test_code(course: Path, graded):
    from kamcourse.quiz.bank import load_quiz

    quiz = load_quiz("exam", course / "bank")
    html = (course / "feedback" / "s07_partial" / "exam" / "exam.html").read_text(encoding="utf-8")
    assert "得分：2 / 3" in html and "你的答案：AB" in html
    assert "得分：1.33 / 2" in html
    for item in quiz.auto_items:
        assert item.explanation in html
    assert "评分要点" in html  # the essay's rubric, after grading
    for marker in ("grade_item", "HIDDEN TESTS", "kamcourse.quiz.grading"):
        assert marker not in html
    tampered = (course / "feedback" / "i01_edit_question" / "exam" / "exam.html").read_text(encoding="utf-8")
    assert "【完整性检查】第 2 题：修改了锁定的题目单元，本题按 0 分计。" in tampered
    assert not (course / "feedback" / "x01_bad_json").exists()


def test_essay_is_in_the_formgrader_with_its_rubric(course: Path, graded):
    from nbgrader.api import Gradebook

    nb = json.loads((course / "autograded" / "s22_essay" / "exam" / "exam.ipynb").read_text(encoding="utf-8"))
    task = next(c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") == "q11_task")
    text = "".join(task["source"])
    assert "评分要点" in text and "高层领导的支持" in text and "重视咨询公司的作用" in text
    answer = next(c for c in nb["cells"] if c.get("id") == "q11-answer")
    assert ESSAY in "".join(answer["source"])
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        grade = gb.find_grade("q11_task", "exam", "exam", "s22_essay")
        assert grade.needs_manual_grade and grade.max_score == 10


def test_item_statistics_follow_moodle_definitions(graded):
    from kamcourse.quiz.stats import item_statistics

    points = dict(zip(ITEMS, FULL))
    matrix = {s: dict(zip(ITEMS, expected)) for s, _, expected, _, _ in CLASS}
    want = {s.item_id: s for s in item_statistics(points, matrix)}
    with (graded["reports"] / "item_stats.csv").open(encoding="utf-8-sig") as fh:
        rows = {r["item"]: r for r in csv.DictReader(fh)}
    assert rows["q11"]["flags"].startswith("待人工评分")
    for item in ITEMS:
        assert int(rows[item]["n"]) == len(CLASS)
        assert float(rows[item]["facility_pct"]) == pytest.approx(want[item].facility, abs=0.05)
        assert float(rows[item]["discrimination_pct"]) == pytest.approx(want[item].discrimination, abs=0.05)
    # by hand: q8 is right for s01-03, 08, 13, 17-23 and i01-i08: 20 of the 31 graded attempts
    assert float(rows["q8"]["facility_pct"]) == pytest.approx(100 * 20 / 31, abs=0.05)
    assert (graded["reports"] / "item_stats.png").stat().st_size > 10_000


def test_option_counts(graded):
    with (graded["reports"] / "responses.csv").open(encoding="utf-8-sig") as fh:
        rows = {(r["item"], r["response"]): r for r in csv.DictReader(fh)}
    # q8 (single, key A): B by s06 only; C by s16 only; two letters (s15) is invalid
    assert rows[("q8", "B")]["count"] == "1" and rows[("q8", "C")]["count"] == "1"
    assert rows[("q8", "（格式无效）")]["count"] == "1"
    assert rows[("q8", "A")]["correct"] == "yes" and rows[("q8", "B")]["correct"] == ""
    # q4 (ordering): BADC given by 3 lenient/right + s16 + s23 + the right-answer integrity cases
    assert int(rows[("q4", "BADC")]["count"]) >= 10


def test_rerun_is_idempotent_and_keeps_manual_grades(course: Path, graded):
    from nbgrader.api import Gradebook

    db = f"sqlite:///{course / 'gradebook.db'}"
    with Gradebook(db) as gb:  # what the formgrader does when the instructor grades the essay
        grade = gb.find_grade("q11_task", "exam", "exam", "s22_essay")
        grade.manual_score = 8.0
        grade.needs_manual_grade = False
        gb.db.commit()
    before = read_grades(graded["reports"])
    again = run([str(BIN / "kamcourse"), "quiz", "grade", "exam", str(graded["incoming"]), "--course", str(course),
                 "--timeout", str(TIMEOUT)], course)
    assert f"需要评分 0 份，未变化跳过 {len(CLASS)} 份" in again.stdout
    after = read_grades(graded["reports"])
    assert after["s22_essay"]["q11"] == "8" and after["s22_essay"]["total"] == "45"
    for student in before:
        if student != "s22_essay":
            assert after[student] == before[student]
    run([str(BIN / "kamcourse"), "quiz", "stats", "exam", "--course", str(course)], course)
    assert read_grades(graded["reports"])["s22_essay"]["total"] == "45"
    html = (course / "feedback" / "s22_essay" / "exam" / "exam.html").read_text(encoding="utf-8")
    assert "Score: 45.0 / 47.0" in html


def test_a_flat_lms_export_is_graded_too(tmp_path):
    """A flat folder of <student>.ipynb (as an LMS export gives them), on a module quiz."""
    root = tmp_path / "course"
    root.mkdir()
    shutil.copy(ROOT / "quizzes" / "nbgrader_config.py", root)
    shutil.copytree(ROOT / "quizzes" / "bank", root / "bank")
    run([str(BIN / "kamcourse"), "quiz", "build", "--course", str(root)], root)
    run([str(BIN / "kamcourse"), "quiz", "release", "m4_spin", "--course", str(root)], root)
    release = json.loads((root / "release" / "m4_spin" / "m4_spin.ipynb").read_text(encoding="utf-8"))
    flat = tmp_path / "lms"
    flat.mkdir()
    right = {"q1": '"ACBD"', "q2": '"BDAC"', "q3": '"ABAB"', "q4": '"B"', "q5": '"CABB"', "q6": '"B"',
             "q7": '"6"', "q8": '"对"'}
    partly = {"q1": '"ACDB"', "q3": '"a b a a"', "q5": '"C A B B"', "q7": "6.0", "q8": '"错"'}
    (flat / "王芳.ipynb").write_text(json.dumps(make_submission(release, right, None), ensure_ascii=False), encoding="utf-8")
    (flat / "li_lei.ipynb").write_text(json.dumps(make_submission(release, partly, None), ensure_ascii=False), encoding="utf-8")
    (flat / "broken.ipynb").write_bytes(b"\x00\x01 not json")
    zhao = make_submission(release, right, delete_cells("q2-answer"))
    (flat / "zhao.ipynb").write_text(json.dumps(zhao, ensure_ascii=False), encoding="utf-8")
    run([str(BIN / "kamcourse"), "quiz", "grade", "m4_spin", str(flat), "--course", str(root)], root)
    rows = read_grades(root / "reports" / "m4_spin")
    assert _num(rows["王芳"]["total"]) == 23
    assert _num(rows["zhao"]["q2"]) == 0 and _num(rows["zhao"]["total"]) == 19
    assert "第 2 题：删除了答案单元" in rows["zhao"]["reasons"]
    # li_lei: q1 A,C right of ACBD -> 2/4 x 4 = 2; q3 3 of 4 -> 3; q5 4 of 4 -> 4; q7 6.0 -> 2; q8 错 -> 0
    assert [_num(rows["li_lei"][f"q{i}"]) for i in range(1, 9)] == [2, 0, 3, 0, 4, 0, 2, 0]
    assert rows["broken"]["status"] == "无效提交"
    assert (root / "submitted" / "王芳" / "m4_spin" / "m4_spin.ipynb").is_file()
    # grading nbgrader's own submitted/ folder in place: nothing is regraded, and the
    # repaired deletion (no longer visible in the repaired copy) still costs the item
    again = run([str(BIN / "kamcourse"), "quiz", "grade", "m4_spin", str(root / "submitted"), "--course", str(root)], root)
    assert "需要评分 0 份，未变化跳过 3 份" in again.stdout
    rows = read_grades(root / "reports" / "m4_spin")
    assert _num(rows["zhao"]["total"]) == 19 and "删除了答案单元" in rows["zhao"]["reasons"]
