"""The kernel-free engine (``kamcourse quiz grade``'s default) gives nbgrader's grades.

Unit tests check what the engine does with a notebook's cells without a kernel; the end to
end tests grade one synthetic class twice, in two copies of a course -- with
``--engine nbgrader`` (real ``nbgrader autograde`` for every student) and with the default
engine -- and compare the two gradebooks entry by entry, the autograded notebooks, the
reports and the feedback. The class has right, partly right, wrong, blank, badly formatted
and leniently written answers, a late submission, answer cells moved, emptied, added or
writing another item's variable (the kernel's order of execution matters), and
submissions that need a kernel (code in an answer cell, an answer cell that raises, an
added code cell, an edited locked cell, a deleted test cell), which the default engine
leaves to nbgrader.
"""

from __future__ import annotations

import copy
import csv
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import ROOT
from test_quiz_pipeline import BIN, ESSAY, RIGHT, _env, append_to_source, delete_cells, make_submission

from kamcourse.quiz.answers import MISSING, format_report
from kamcourse.quiz.bank import load_quiz
from kamcourse.quiz.fast import ENGINE_NOTE, NotEligible, execute_without_kernel, literal_assignments
from kamcourse.quiz.notebook import build_notebook
from kamcourse.quiz.scoring import render_result, score_item

QUIZ = load_quiz("exam", ROOT / "quizzes" / "bank")
DUE = "2024-05-07 00:00:00 UTC"


# ---------------------------------------------------------------- without a kernel: unit tests


def test_literal_assignments_accepts_only_answer_literals():
    assert literal_assignments('# 第 1 题\nanswer_q1 = "a, c"\n') == [("answer_q1", "a, c")]
    assert literal_assignments("answer_q10 = 75.5\nanswer_q1 = ['A', 'B']") == [("answer_q10", 75.5), ("answer_q1", ["A", "B"])]
    assert literal_assignments("# 还没想好\n") == []
    for source in ('answer_q1 = "A" + "B"', "answer_q1 = x", 'print("A")\nanswer_q1 = "A"', 'x = "A"',
                   "answer_q1: str = 'A'", "answer_q1 += 'A'", "answer_q1 = answer_q2 = 'A'", "%time answer_q1 = 'A'",
                   "answer_q1 = 'A'\n1 / 0", 'answer_q1 = "\\d"', "answer_q1 = (", "import os"):
        assert literal_assignments(source) is None, source


def _notebook(answers: dict[str, str], edit=None):
    """The source notebook (its test cells as nbgrader restores them) with these answer cells."""
    import nbformat

    nb = nbformat.from_dict(copy.deepcopy(build_notebook(QUIZ)))
    for cell in nb.cells:
        meta = cell.metadata.get("kamcourse", {})
        if meta.get("role") == "answer" and cell.cell_type == "code":
            cell.source = answers.get(meta["item"], f'answer_{meta["item"]} = ""\n')
    if edit:
        edit(nb)
    return nb


def _test_cell(nb, item: str):
    return next(c for c in nb.cells if c.get("id") == f"{item}-test")


def test_test_cells_get_what_grade_item_prints_and_returns():
    answers = {"q1": 'answer_q1 = "ab"', "q4": 'answer_q4 = "B-A-D-C"', "q10": "answer_q10 = 75.45"}
    nb = _notebook(answers)
    execute_without_kernel(nb, QUIZ)
    values = {"q1": "ab", "q4": "B-A-D-C", "q10": 75.45}
    for item in QUIZ.auto_items:
        score = score_item(item, values.get(item.id, ""))
        stream, result = _test_cell(nb, item.id).outputs
        assert stream == {"output_type": "stream", "name": "stdout", "text": render_result(item, score) + "\n"}
        assert result["output_type"] == "execute_result" and result["data"] == {"text/plain": repr(float(score.points))}
        assert result["execution_count"] == _test_cell(nb, item.id).execution_count
    assert _test_cell(nb, "q1").outputs[1]["data"]["text/plain"] == "2.0"
    check = next(c for c in nb.cells if c.get("id") == "check")
    namespace = {f"answer_{i.id}": values.get(i.id, "") for i in QUIZ.auto_items}
    assert check.outputs[0]["text"] == str(format_report(namespace, [i.spec.code() for i in QUIZ.auto_items])) + "\n"
    counts = [c.execution_count for c in nb.cells if c.cell_type == "code"]
    assert counts == list(range(1, len(counts) + 1))  # every code cell runs, in order


def test_cells_run_in_notebook_order_as_in_a_kernel():
    def move_answer_below_its_test(nb):
        i = next(k for k, c in enumerate(nb.cells) if c.get("id") == "q2-answer")
        nb.cells.insert(i + 1, nb.cells.pop(i))

    def blank_cell(nb):
        next(c for c in nb.cells if c.get("id") == "q5-answer").source = "  \n"

    nb = _notebook({"q2": 'answer_q2 = "ABD"', "q3": 'answer_q3 = "ABCD"\nanswer_q4 = "BADC"', "q4": "# 见上一题",
                    "q1": "# 不会"}, lambda nb: (move_answer_below_its_test(nb), blank_cell(nb)))
    execute_without_kernel(nb, QUIZ)
    points = {i.id: float(_test_cell(nb, i.id).outputs[-1]["data"]["text/plain"]) for i in QUIZ.auto_items}
    assert points["q1"] == 0 and "找不到答案变量" in _test_cell(nb, "q1").outputs[0]["text"]   # comment only: no variable
    assert points["q2"] == 0 and "找不到答案变量" in _test_cell(nb, "q2").outputs[0]["text"]   # bound after its test ran
    assert points["q3"] == 4 and points["q4"] == 4          # q3's cell also answered q4
    assert points["q5"] == 0                                # a blank cell is not run at all
    blank = next(c for c in nb.cells if c.get("id") == "q5-answer")
    assert blank.execution_count is None and blank.outputs == []


@pytest.mark.parametrize("edit", [
    lambda nb: setattr(next(c for c in nb.cells if c.get("id") == "q3-answer"), "source", 'answer_q3 = "AB" + "C"'),
    lambda nb: setattr(next(c for c in nb.cells if c.get("id") == "q3-test"), "source", 'grade_item("exam", "q3") + 1'),
    lambda nb: nb.cells.insert(3, __import__("nbformat").v4.new_code_cell("import os")),
    lambda nb: next(c for c in nb.cells if c.get("id") == "q1-answer").metadata.update(tags=["skip-execution"]),
], ids=["code-answer", "changed-test", "extra-cell", "skip-tag"])
def test_anything_but_literals_needs_a_kernel(edit):
    with pytest.raises(NotEligible):
        execute_without_kernel(_notebook({}, edit), QUIZ)


def test_missing_marker_is_what_a_deleted_cell_gives():
    assert score_item(QUIZ.item("q1"), MISSING).status == "missing"


def test_the_engine_stands_down_when_the_kernel_could_differ(tmp_path, monkeypatch):
    """An IPython startup file or kernel config would run in nbgrader's kernel, not here."""
    from kamcourse.quiz.fast import _kernel_customisations

    assert _kernel_customisations("python3") == ""
    assert "找不到" in _kernel_customisations("no-such-kernel")
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path))
    config = tmp_path / "profile_default" / "ipython_kernel_config.py"
    config.parent.mkdir(parents=True)
    config.write_text("# generated\nc = get_config()  # noqa\n", encoding="utf-8")
    assert _kernel_customisations("python3") == ""  # comments only
    config.write_text("c = get_config()\nc.InteractiveShellApp.exec_lines = ['answer_q1 = \"A\"']\n", encoding="utf-8")
    assert "IPython 配置" in _kernel_customisations("python3")
    config.unlink()
    (tmp_path / "profile_default" / "startup").mkdir()
    (tmp_path / "profile_default" / "startup" / "00-mine.py").write_text("x = 1\n", encoding="utf-8")
    assert "启动脚本" in _kernel_customisations("python3")


def test_the_engine_stands_down_when_nbgrader_is_configured_otherwise(tmp_path):
    from kamcourse.quiz.fast import KernelFreeAutograder
    from kamcourse.quiz.pipeline import Course, _quiet_logger, nbgrader_config

    cfg = nbgrader_config(Course(tmp_path, "exam"))
    assert KernelFreeAutograder(tmp_path, QUIZ, cfg, _quiet_logger()).unavailable() == ""
    for setting in ("Autograde.autograde_preprocessors", "Execute.extra_arguments", "Autograde.post_convert_hook"):
        changed = copy.deepcopy(cfg)
        section, name = setting.split(".")
        changed[section][name] = {"autograde_preprocessors": [], "extra_arguments": ["--IPKernelApp.exec_lines=['x=1']"],
                                  "post_convert_hook": "os.getcwd"}[name]
        assert KernelFreeAutograder(tmp_path, QUIZ, changed, _quiet_logger()).unavailable(), setting


# ---------------------------------------------------------------- the same class, both engines


def move_cell_after(cell_id: str, after_id: str):
    def mutate(nb):
        cell = next(c for c in nb["cells"] if c["id"] == cell_id)
        nb["cells"].remove(cell)
        i = next(k for k, c in enumerate(nb["cells"]) if c["id"] == after_id)
        nb["cells"].insert(i + 1, cell)
    return mutate


def set_source(cell_id: str, source: str):
    def mutate(nb):
        next(c for c in nb["cells"] if c["id"] == cell_id)["source"] = source
    return mutate


def add_code_cell(after_id: str, source: str):
    def mutate(nb):
        i = next(k for k, c in enumerate(nb["cells"]) if c["id"] == after_id)
        nb["cells"].insert(i + 1, {"cell_type": "code", "id": "mine", "metadata": {}, "source": source,
                                   "outputs": [], "execution_count": None})
    return mutate


LENIENT = {"q1": '"a, b, c"', "q2": '"Ａ Ｂ Ｄ"', "q3": '["a", "b", "c", "d"]', "q4": '"B-A-D-C"', "q5": '"abd"',
           "q6": '"c,b,a"', "q7": '"1A 2B 3C 4A 5C 6A 7B 8A"', "q8": '"a"', "q9": '"A和B和C和D"', "q10": '"75.5 天"'}
# (student, answers, mutation, timestamp day, graded without a kernel by the default engine)
CLASS = [
    ("f01_right", RIGHT, None, 6, True),
    ("f02_lenient", LENIENT, None, 6, True),
    ("f03_partial", {"q1": '"AB"', "q2": '"A"', "q3": '"ABC"', "q4": '"BACD"', "q5": '"AB"', "q7": '"ABCACAAA"'}, None, 6, True),
    ("f04_wrong", {"q1": '"D"', "q2": '"C"', "q4": '"ABCD"', "q8": '"B"', "q9": '"E"', "q10": '"75"'}, None, 6, True),
    ("f05_blank", {}, None, 6, True),
    ("f06_invalid", {"q1": '"ABB"', "q8": '"AB"', "q4": '"BADCE"', "q10": '"七十五"', "q7": '"ABCACABAA"'}, None, 6, True),
    ("f07_literals", {"q10": "75.5", "q8": "True", "q1": '("A", "B", "C")', "q3": "{'A'}", "q2": "None"}, None, 6, True),
    ("f08_comment_only", RIGHT, set_source("q1-answer", "# 第 1 题：不会\n"), 6, True),
    ("f09_moved", RIGHT, move_cell_after("q2-answer", "q2-test"), 6, True),
    ("f10_other_item", {**RIGHT, "q3": '"ABCD"\nanswer_q4 = "BADC"'}, set_source("q4-answer", "# 见第 3 题\n"), 6, True),
    ("f11_late", RIGHT, None, 8, True),
    ("f12_blank_cell", RIGHT, set_source("q5-answer", "   \n"), 6, True),
    ("k01_code", {**RIGHT, "q3": '"AB" + "CD"'}, None, 6, False),
    ("k02_print", {**RIGHT, "q1": '"ABC"\nprint("完成")'}, None, 6, False),
    ("k03_raise", {**RIGHT, "q2": "1 / 0"}, None, 6, False),
    ("k04_edited_stem", RIGHT, append_to_source("q2-stem", "\n改了"), 6, False),
    # an added cell holding only an answer literal runs as any answer cell would (after q1's test)
    ("f13_added_literal_cell", RIGHT, add_code_cell("q1-test", "answer_q1 = 'D'"), 6, True),
    ("k05_added_code_cell", RIGHT, add_code_cell("q1-test", "x = 1"), 6, False),
    ("k06_deleted_test", RIGHT, delete_cells("q6-test"), 6, False),
]


def _course(root: Path) -> Path:
    root.mkdir()
    shutil.copy(ROOT / "quizzes" / "nbgrader_config.py", root)
    with (root / "nbgrader_config.py").open("a", encoding="utf-8") as fh:  # late work scores 0 (nbgrader's plugin)
        fh.write('\nc.LateSubmissionPlugin.penalty_method = "zero"\n')
    shutil.copytree(ROOT / "quizzes" / "bank", root / "bank")
    for args in (["build"], ["release", "exam"]):
        done = subprocess.run([str(BIN / "kamcourse"), "quiz", *args, "--course", str(root)], cwd=root, env=_env(),
                              capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        gb.update_or_create_assignment("exam", duedate=DUE)
    return root


def _write_class(release: dict, folder: Path, students=CLASS) -> None:
    for student, answers, mutate, day, _ in students:
        target = folder / student / "exam"
        target.mkdir(parents=True, exist_ok=True)
        nb = make_submission(release, answers, mutate)
        if student == "f01_right":
            next(c for c in nb["cells"] if c["id"] == "q11-answer")["source"] = ESSAY
        (target / "exam.ipynb").write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")
        (target / "timestamp.txt").write_text(f"2024-05-0{day} 10:00:00.000000 UTC")


def _grade(course: Path, incoming: Path, *extra: str) -> subprocess.CompletedProcess:
    done = subprocess.run([str(BIN / "kamcourse"), "quiz", "grade", "exam", str(incoming), "--course", str(course),
                           "--timeout", "10", *extra], cwd=course, env=_env(), capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout + done.stderr
    return done


@pytest.fixture(scope="module")
def both(tmp_path_factory) -> dict:
    tmp = tmp_path_factory.mktemp("engines")
    courses = {"nbgrader": _course(tmp / "with-nbgrader"), "fast": _course(tmp / "with-fast")}
    release = json.loads((courses["fast"] / "release" / "exam" / "exam.ipynb").read_text(encoding="utf-8"))
    incoming = tmp / "incoming"
    _write_class(release, incoming)
    runs = {"nbgrader": _grade(courses["nbgrader"], incoming, "--engine", "nbgrader"), "fast": _grade(courses["fast"], incoming)}
    return {"courses": courses, "runs": runs, "incoming": incoming, "release": release}


def dump_gradebook(course: Path) -> dict:
    """Everything nbgrader keeps about the submissions: timestamps, late penalties, every
    grade (auto, manual, extra credit, needs manual grade) and comment (auto, manual)."""
    from nbgrader.api import Gradebook

    rows = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for sub in gb.assignment_submissions("exam"):
            row = {"timestamp": str(sub.timestamp), "seconds_late": sub.total_seconds_late}
            for nb in sub.notebooks:
                row.update(late_penalty=nb.late_submission_penalty, flagged=nb.flagged, score=nb.score,
                           needs_manual_grade=nb.needs_manual_grade)
                for g in nb.grades:
                    row[f"grade {g.name}"] = (g.auto_score, g.manual_score, g.extra_credit, g.needs_manual_grade, g.max_score)
                for c in nb.comments:
                    row[f"comment {c.name}"] = (c.auto_comment, c.manual_comment)
            rows[sub.student.id] = row
    return rows


def normalized_notebook(path: Path) -> dict:
    """An autograded notebook without what only a kernel run adds or lacks: nbclient's cell
    timings, and the engine's note; stream outputs joined (ipykernel may split them)."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    nb["metadata"].get("kamcourse", {}).pop("autograde", None)
    for cell in nb["cells"]:
        cell["metadata"].pop("execution", None)
        cell["source"] = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        outputs = []
        for out in cell.get("outputs", []):
            out = {k: ("".join(v) if isinstance(v, list) else v) for k, v in out.items()}
            if "data" in out:
                out["data"] = {k: "".join(v) if isinstance(v, list) else v for k, v in out["data"].items()}
            if outputs and out["output_type"] == "stream" and outputs[-1]["output_type"] == "stream" \
                    and outputs[-1]["name"] == out["name"]:
                outputs[-1]["text"] += out["text"]
            else:
                outputs.append(out)
        if "outputs" in cell:
            cell["outputs"] = outputs
    return nb


slow = pytest.mark.slow


@slow
def test_the_default_engine_graded_the_literal_answers_without_a_kernel(both):
    fast = both["courses"]["fast"]
    for student, *_, kernel_free in CLASS:
        nb = json.loads((fast / "autograded" / student / "exam" / "exam.ipynb").read_text(encoding="utf-8"))
        assert (nb["metadata"].get("kamcourse", {}).get("autograde") == ENGINE_NOTE) == kernel_free, student
        log = (fast / "reports" / "exam" / "logs" / f"{student}.log").read_text(encoding="utf-8")
        assert log.startswith("kernel-free autograde" if kernel_free else "graded by nbgrader autograde:"), student
    free = sum(1 for *_, kernel_free in CLASS if kernel_free)
    assert f"无内核 {free} 份，nbgrader {len(CLASS) - free} 份" in both["runs"]["fast"].stdout
    assert "无内核" not in both["runs"]["nbgrader"].stdout
    assert both["runs"]["fast"].stderr == "" and both["runs"]["nbgrader"].stderr == ""


@slow
def test_identical_gradebooks(both):
    a, b = (dump_gradebook(both["courses"][e]) for e in ("nbgrader", "fast"))
    assert set(a) == {s for s, *_ in CLASS}
    assert a["f11_late"]["seconds_late"] > 0 and a["f01_right"]["seconds_late"] == 0
    assert a["f11_late"]["late_penalty"] == a["f11_late"]["score"] == 37  # nbgrader's late plugin ran
    assert a["f01_right"]["late_penalty"] is None
    for student in a:
        assert b[student] == a[student], student


@slow
def test_identical_autograded_notebooks(both):
    for student, *_ in CLASS:
        a, b = (normalized_notebook(both["courses"][e] / "autograded" / student / "exam" / "exam.ipynb")
                for e in ("nbgrader", "fast"))
        assert b == a, student
        for name in ("exam.ipynb", "timestamp.txt"):
            modes = {(both["courses"][e] / "autograded" / student / "exam" / name).stat().st_mode for e in ("nbgrader", "fast")}
            assert len(modes) == 1, (student, name)


@slow
def test_identical_reports(both):
    for name in ("grades.csv", "nbgrader_grades.csv", "item_stats.csv", "responses.csv"):
        a, b = ((both["courses"][e] / "reports" / "exam" / name).read_text(encoding="utf-8-sig") for e in ("nbgrader", "fast"))
        assert b == a, name
    with (both["courses"]["fast"] / "reports" / "exam" / "grades.csv").open(encoding="utf-8-sig") as fh:
        rows = {r["student"]: r for r in csv.DictReader(fh)}
    assert rows["f01_right"]["total"] == "37" and rows["f05_blank"]["total"] == "0"
    assert rows["f08_comment_only"]["q1"] == "0" and rows["f08_comment_only"]["total"] == "34"
    assert rows["f09_moved"]["q2"] == "0" and rows["f10_other_item"]["q4"] == "4"
    assert rows["k01_code"]["total"] == "37" and rows["k03_raise"]["q2"] == "0"
    assert "第 2 题：修改了锁定的题目单元" in rows["k04_edited_stem"]["reasons"]


@slow
def test_feedback_shows_every_result_and_explanation(both):
    fast = both["courses"]["fast"]
    for student in ("f01_right", "f03_partial", "f05_blank"):
        html = (fast / "feedback" / student / "exam" / "exam.html").read_text(encoding="utf-8")
        other = (both["courses"]["nbgrader"] / "feedback" / student / "exam" / "exam.html").read_text(encoding="utf-8")
        for item in QUIZ.auto_items:
            assert f"第 {item.number} 题（" in html and item.explanation in html, (student, item.id)
            assert html.count("得分：") == other.count("得分：") == len(QUIZ.auto_items)
        assert "grade_item" not in html and "HIDDEN TESTS" not in html
    html = (fast / "feedback" / "f03_partial" / "exam" / "exam.html").read_text(encoding="utf-8")
    assert "你的答案：AB" in html and "得分：2 / 3" in html and "得分：1.33 / 2" in html


@slow
def test_regrading_changed_submissions_keeps_manual_grades_alike(both):
    """A trainee resubmits, a grader has overridden a score meanwhile: both engines regrade
    the same way (nbgrader marks the overridden grade for review)."""
    from nbgrader.api import Gradebook

    for engine in ("nbgrader", "fast"):
        with Gradebook(f"sqlite:///{both['courses'][engine] / 'gradebook.db'}") as gb:
            grade = gb.find_grade("q1_test", "exam", "exam", "f03_partial")
            grade.manual_score = 3.0
            gb.db.commit()
    again = [("f03_partial", {"q1": '"ABC"', "q2": '"AD"'}, None, 6, True), ("f05_blank", {"q8": '"A"'}, None, 6, True)]
    _write_class(both["release"], both["incoming"], again)
    for engine, extra in (("nbgrader", ["--engine", "nbgrader"]), ("fast", [])):
        done = _grade(both["courses"][engine], both["incoming"], *extra)
        assert f"需要评分 2 份，未变化跳过 {len(CLASS) - 2} 份" in done.stdout
    a, b = (dump_gradebook(both["courses"][e]) for e in ("nbgrader", "fast"))
    auto, manual, _, needs_review, _ = a["f03_partial"]["grade q1_test"]
    assert (auto, manual, needs_review) == (3.0, 3.0, True)  # the override is kept, and flagged for review
    assert b == a


@slow
def test_the_engine_itself_declines_edited_locked_cells(both, tmp_path):
    """Even without the pre-check, a submission whose locked cells differ from the release
    (nbgrader's checksums) is left to nbgrader, with nothing written."""
    from kamcourse.quiz import pipeline
    from kamcourse.quiz.fast import KernelFreeAutograder

    course = pipeline.Course(both["courses"]["fast"], "exam")
    for n, mutate in enumerate([set_source("q3-test", "# 评分单元\ngrade_item('exam', 'q3')"),
                                append_to_source("q4-stem", "\n改了"), delete_cells("q7-test")]):
        student = f"z{n}_tampered"
        folder = course.submitted_dir(student)
        folder.mkdir(parents=True)
        (folder / "exam.ipynb").write_text(json.dumps(make_submission(both["release"], RIGHT, mutate)), encoding="utf-8")
        with pipeline.grading_environment(course), KernelFreeAutograder(
                course.root, QUIZ, pipeline.nbgrader_config(course), pipeline._quiet_logger()) as engine:
            assert engine.unavailable() == ""
            with pytest.raises(NotEligible):
                engine.grade(student)
        assert not course.autograded_nb(student).parent.exists()
        assert student not in dump_gradebook(course.root)
        shutil.rmtree(folder.parent)
