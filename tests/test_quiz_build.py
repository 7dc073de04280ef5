"""Source notebooks are generated from the bank, deterministically; drift fails CI."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT
from kamcourse.quiz.bank import load_all, load_quiz, merge, parse_quiz, read_yaml, schema_path, split
from kamcourse.quiz.notebook import HIDDEN_TEST, build, build_notebook, leaks, released_text, render
from kamcourse.quiz.synthetic import random_secrets

COURSE = ROOT / "quizzes"


def test_committed_source_notebooks_match_the_bank():
    """The CI guard: `kamcourse quiz build --check` on the repository."""
    report = build(COURSE, check=True)
    assert report.drifted == () and report.orphans == () and report.leaking == (), report


def test_the_check_command_fails_on_a_hand_edited_notebook(tmp_path):
    course = tmp_path / "quizzes"
    shutil.copytree(COURSE / "bank", course / "bank")
    shutil.copytree(COURSE / "source", course / "source")
    shutil.copy(COURSE / "nbgrader_config.py", course)
    kamcourse = [sys.executable, "-m", "kamcourse.cli"]
    ok = subprocess.run([*kamcourse, "quiz", "build", "--check", "--course", str(course)],
                        capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    path = course / "source" / "exam" / "exam.ipynb"
    nb = json.loads(path.read_text(encoding="utf-8"))
    edited = next(c for c in nb["cells"] if "沟通费用" in c["source"])
    edited["source"] = edited["source"].replace("沟通费用", "沟通成本")
    path.write_text(json.dumps(nb, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    (course / "source" / "old_quiz").mkdir()
    (course / "source" / "old_quiz" / "old_quiz.ipynb").write_text("{}", encoding="utf-8")
    bad = subprocess.run([*kamcourse, "quiz", "build", "--check", "--course", str(course)],
                         capture_output=True, text=True)
    assert bad.returncode == 1
    assert "不一致：source/exam/exam.ipynb" in bad.stderr and "source/old_quiz/old_quiz.ipynb" in bad.stderr
    fixed = subprocess.run([*kamcourse, "quiz", "build", "--course", str(course)], capture_output=True, text=True)
    assert "已生成 source/exam/exam.ipynb" in fixed.stdout
    assert path.read_text(encoding="utf-8") == (COURSE / "source" / "exam" / "exam.ipynb").read_text(encoding="utf-8")


def test_generation_is_deterministic():
    for quiz in load_all(COURSE / "bank"):
        assert render(quiz) == render(quiz)


def _with_synthetic_kit(quiz_id: str):
    """The real public quiz with a random kit (tests never need the real keys)."""
    import random

    public, _ = split(read_yaml(COURSE / "bank" / f"{quiz_id}.yaml"))
    return parse_quiz(merge(public, random_secrets(public, random.Random(quiz_id))), quiz_id,
                      str(schema_path(COURSE / "bank")), require_secrets=True)


@pytest.mark.parametrize("quiz", [_with_synthetic_kit(q.id) for q in load_all(COURSE / "bank")], ids=lambda q: q.id)
def test_no_notebook_holds_a_key_or_an_explanation(quiz):
    assert leaks(quiz, released_text(quiz)) == []
    # the notebooks are built from the public part alone: the kit changes nothing in them
    assert render(quiz) == render(load_quiz(quiz.id, COURSE / "bank"))
    # not even the instructor's source notebook holds keys: answer cells are blank
    nb = build_notebook(quiz)
    for cell in nb["cells"]:
        if cell["metadata"]["kamcourse"]["role"] == "answer" and cell["cell_type"] == "code":
            assert f'answer_{cell["metadata"]["kamcourse"]["item"]} = ""' in cell["source"]
    source = "\n".join(c["source"] for c in nb["cells"])
    for item in quiz.items:
        assert item.explanation not in source
        assert not any(line.criterion in source for line in item.rubric)


def test_one_answer_place_per_item_and_a_test_cell_calling_the_grader():
    quiz = load_quiz("exam", COURSE / "bank")
    nb = build_notebook(quiz)
    for item in quiz.auto_items:
        cells = [c for c in nb["cells"] if c["metadata"]["kamcourse"]["item"] == item.id]
        roles = [c["metadata"]["kamcourse"]["role"] for c in cells]
        # a shuffled quiz adds a locked cell that shows each trainee the options in their own order
        assert roles == (["stem", "show", "answer", "test"] if quiz.shuffle else ["stem", "answer", "test"])
        answer, test = cells[roles.index("answer")], cells[roles.index("test")]
        assert answer["metadata"]["nbgrader"]["solution"] is True
        assert test["metadata"]["nbgrader"]["grade"] is True
        assert test["metadata"]["nbgrader"]["points"] == item.points
        hidden = test["source"].split("### BEGIN HIDDEN TESTS\n")[1].split("### END HIDDEN TESTS")[0]
        assert hidden == HIDDEN_TEST + "\n"  # nothing in a notebook grades
    task = next(c for c in nb["cells"] if c["metadata"]["kamcourse"]["role"] == "task")
    assert task["metadata"]["nbgrader"]["task"] is True and "=== BEGIN MARK SCHEME ===" in task["source"]
    rules = nb["cells"][0]["source"]
    for words in ["作答说明", "计分规则", "不判断对错", "多选题：只要选了一个错误选项", "排序题：按位置计分", "允许误差",
                  "不运行任何代码"]:
        assert words in rules


def test_the_nbgrader_config_keeps_blank_answers_in_the_release():
    text = (COURSE / "nbgrader_config.py").read_text(encoding="utf-8")
    assert 'c.ClearSolutions.code_stub = {"python": ""}' in text
