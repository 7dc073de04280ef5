"""讲师手册: the committed guide stays true to the course's commands, and the instructor's
rendering adds the common-mistakes appendix from a kit and a graded class."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys

import pytest

from conftest import ROOT
from kamcourse import guide
from kamcourse.quiz.synthetic import write_kit

SOURCE = (ROOT / "quizzes" / guide.GUIDE_FILE).read_text(encoding="utf-8")


def test_the_guide_has_the_agenda_and_the_day_to_day_sections():
    sections = guide.guide_sections(SOURCE)
    for wanted in ("1. 课程一览", "2. 课前准备", "3. 两天议程", "4. 逐节说明", "5. 当天的测验、评分与发证", "6. 讲义手册"):
        assert wanted in sections, wanted
    agenda = sections["3. 两天议程"]
    for module in ("模块一", "模块二", "模块三", "模块四", "模块五", "模块六", "期中考试", "结业项目", "销售对练"):
        assert module in agenda, module
    assert guide.MARKER in SOURCE


COMMANDS = sorted({m.group(1).strip() for m in re.finditer(r"(?:^|`|\n)\s*(kamcourse [a-z][^`\n#]*)", SOURCE)})


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_the_guide_names_exists(command):
    """Each ``kamcourse …`` the guide tells an instructor to run parses (``--help`` on its words)."""
    words = [w for w in shlex.split(command)[1:] if re.fullmatch(r"[a-z][a-z-]*", w)][:2]
    run = subprocess.run([sys.executable, "-m", "kamcourse.cli", *words, "--help"], capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, (command, run.stderr[-500:])
    for option in re.findall(r"(--[a-z][a-z-]*)", command):
        assert option in run.stdout, (command, option)


def test_the_appendix_lists_keys_notes_and_the_class_wrong_answers(tmp_path, monkeypatch):
    kit = tmp_path / "kit"
    secrets = write_kit(ROOT / "quizzes" / "bank", kit, seed=3)
    monkeypatch.setenv("KAMCOURSE_KIT", str(kit))
    item = next(i for i, s in secrets["m4_spin"].items() if "distractors" in s)
    key = secrets["m4_spin"][item]["key"]
    wrong = next(letter for letter in "ABCD" if letter not in key)
    reports = tmp_path / "reports" / "m4_spin"
    reports.mkdir(parents=True)
    (reports / "responses.csv").write_text(
        "item,response,count,share_pct,correct\n"
        f"{item},{key},3,60.0,yes\n{item},{wrong},2,40.0,\n", encoding="utf-8")
    quizzes = guide.load_quizzes(ROOT / "quizzes")
    text = guide.mistakes_markdown(quizzes, tmp_path / "reports")
    assert "m4_spin" in text and "exam" in text
    number = int(item[1:])
    section = text.split("（m4_spin）", 1)[1].split("### ", 1)[0]
    assert f"**第 {number} 题**" in section
    block = section.split(f"**第 {number} 题**", 1)[1].split("- **第", 1)[0]
    assert f"正确答案：{key}" in block
    assert f"本班错得最多：{wrong}：40.0%（2 人）" in block
    assert "合成选项说明" in block  # the kit's note on a wrong option
    assert "还没有评分数据" in text.split("（m5_stages）", 1)[1].split("### ", 1)[0]


def test_without_the_kit_the_guide_renders_and_says_why_the_appendix_is_missing(tmp_path, monkeypatch):
    monkeypatch.delenv("KAMCOURSE_KIT", raising=False)
    monkeypatch.delenv("KAMCOURSE_KIT_PASSPHRASE", raising=False)
    course = tmp_path / "quizzes"
    (course / "bank").mkdir(parents=True)
    (course / guide.GUIDE_FILE).write_text(SOURCE, encoding="utf-8")
    for file in (ROOT / "quizzes" / "bank").glob("*"):
        (course / "bank" / file.name).write_bytes(file.read_bytes())
    (course / "kit").mkdir()
    for file in (ROOT / "quizzes" / "kit").glob("*"):
        (course / "kit" / file.name).write_bytes(file.read_bytes())
    report = guide.build_guide(course, tmp_path / "out", pdf=False)
    page = report.html.read_text(encoding="utf-8")
    assert not report.with_mistakes and "没有生成" in page and "KAMCOURSE_KIT_PASSPHRASE" in report.note
    assert "两天议程" in page and "<table>" in page


def test_the_rendered_guide_goes_to_an_ignored_folder():
    ignored = subprocess.run(["git", "check-ignore", "-q", "quizzes/guide/讲师手册.html"], cwd=ROOT)
    assert ignored.returncode == 0
