"""结业证书: pass decisions, verification codes, the gradebook as the source, the printed page."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from kamcourse import certificates as cert
from kamcourse.errors import KamcourseError
from kamcourse.instructor_cli import register  # noqa: F401  (the CLI module imports cleanly)


@pytest.mark.parametrize(
    "exam, quizzes, capstone, thresholds, passed, reason",
    [
        (80.0, {"m1_mindset": 70.0, "m2_needs": 90.0}, 75.0, cert.Thresholds(), True, ""),
        (59.9, {"m1_mindset": 70.0}, 75.0, cert.Thresholds(), False, "期中考试 59.9% 低于合格线 60%"),
        (80.0, {"m1_mindset": 90.0, "m2_needs": None}, 75.0, cert.Thresholds(), False, "模块测验（平均） 45.0% 低于合格线 60%"),
        (80.0, {"m1_mindset": 90.0}, None, cert.Thresholds(), False, "结业项目没有成绩"),
        (80.0, {"m1_mindset": 90.0}, None, cert.Thresholds(required=("exam", "quizzes")), True, ""),
        (50.0, {"m1_mindset": 90.0}, 90.0, cert.Thresholds(exam=50), True, ""),
        (None, {}, None, cert.Thresholds(), False, "期中考试没有成绩"),
    ],
)
def test_decide(exam, quizzes, capstone, thresholds, passed, reason):
    decision = cert.decide(cert.TraineeResults("t1", "张三", exam, quizzes, capstone), thresholds)
    assert decision.passed is passed
    if reason:
        assert reason in decision.reasons
    else:
        assert decision.reasons == ()


def _certificate(**changes) -> cert.Certificate:
    base = cert.Certificate("t1", "张三", cert.COURSE_TITLE, "2026-12-01", {"exam": 80.0, "quizzes": 75.0})
    return replace(base, **changes)


def test_a_code_verifies_and_forgeries_do_not():
    secret = b"s" * 32
    genuine = _certificate()
    genuine = replace(genuine, code=cert.make_code(secret, genuine))
    registry = [genuine]

    ok = cert.verify_code(genuine.code.lower().replace("-", " "), registry, secret)
    assert ok.valid and ok.certificate == genuine and "张三" in ok.message

    # a made-up code in the right shape
    forged = "KC-AAAA-BBBB-CCCC" if genuine.code != "KC-AAAA-BBBB-CCCC" else "KC-AAAA-BBBB-CCCD"
    assert not cert.verify_code(forged, registry, secret).valid
    # a registry record edited by hand (better results) no longer matches its code
    tampered = [replace(genuine, results={"exam": 99.0, "quizzes": 75.0})]
    result = cert.verify_code(genuine.code, tampered, secret)
    assert not result.valid and "改动" in result.message
    # the same record signed with another instructor's secret
    assert cert.make_code(b"o" * 32, _certificate()) != genuine.code
    # garbage input is a Chinese message, not an exception
    assert "格式" in cert.verify_code("hello", registry, secret).message


def _gradebook(tmp_path: Path, monkeypatch, scores: dict[str, dict[str, tuple[float, float]]]) -> str:
    """A real nbgrader gradebook: per student, per assignment (auto score, manual score) out of 10 + 10."""
    from nbgrader.api import Gradebook

    # nbgrader runs the `alembic` script when it creates a gradebook
    monkeypatch.setenv("PATH", str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", ""))
    url = f"sqlite:///{tmp_path / 'gradebook.db'}"
    with Gradebook(url) as gb:
        assignments = sorted({a for per in scores.values() for a in per})
        for assignment in assignments:
            gb.add_assignment(assignment)
            gb.add_notebook(assignment, assignment)
            gb.add_grade_cell("auto", assignment, assignment, max_score=10, cell_type="code")
            gb.add_grade_cell("essay", assignment, assignment, max_score=10, cell_type="markdown")
        for student, per in scores.items():
            gb.add_student(student, last_name=student[:1], first_name=student[1:])
            for assignment, (auto, manual) in per.items():
                gb.add_submission(assignment, student)
                gb.find_grade("auto", assignment, assignment, student).auto_score = auto
                gb.find_grade("essay", assignment, assignment, student).manual_score = manual
        gb.db.commit()
    return url


QUIZZES = {q: (8.0, 8.0) for q in cert.MODULE_QUIZZES}


def test_results_come_from_the_gradebook_with_manual_grades(tmp_path, monkeypatch):
    url = _gradebook(tmp_path, monkeypatch, {
        "李雷": {"exam": (7.0, 9.0), "capstone": (0.0, 7.0), **QUIZZES},
        "韩梅梅": {"exam": (3.0, 5.0), **QUIZZES},
    })
    results = {r.trainee: r for r in cert.results_from_gradebook(url, names={"韩梅梅": "韩梅梅（二班）"})}
    assert results["李雷"].exam == 80.0 and results["李雷"].capstone == 35.0
    assert results["李雷"].quiz_average == 80.0
    assert results["韩梅梅"].capstone is None and results["韩梅梅"].name == "韩梅梅（二班）"
    assert results["李雷"].name == "李雷"  # last name + first name as nbgrader holds them


def test_a_missing_gradebook_is_a_chinese_message_not_a_new_empty_file(tmp_path):
    with pytest.raises(KamcourseError, match="成绩册"):
        cert.results_from_gradebook(f"sqlite:///{tmp_path / 'gradebook.db'}")
    assert not (tmp_path / "gradebook.db").exists()


def test_issuing_twice_keeps_one_code_per_trainee(tmp_path):
    records = cert.Records(tmp_path / "certificates")
    results = cert.TraineeResults("t1", "张三", 80.0, QUIZZES and {"m1_mindset": 80.0}, 90.0)
    first = records.issue(results, date(2026, 12, 1), cert.Thresholds())
    again = records.issue(results, date(2026, 12, 8), cert.Thresholds())
    assert first == again and len(records.load()) == 1
    assert cert.verify_code(first.code, records.load(), records.secret()).valid
    assert oct((tmp_path / "certificates" / "secret.key").stat().st_mode)[-3:] == "600"


def test_a_damaged_registry_or_secret_is_reported_in_chinese(tmp_path):
    records = cert.Records(tmp_path)
    (tmp_path / "registry.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(KamcourseError, match="发证记录"):
        records.load()
    (tmp_path / "secret.key").write_bytes(b"short")
    with pytest.raises(KamcourseError, match="证书密钥"):
        records.secret()


needs_printing = pytest.mark.skipif(
    shutil.which("pdftoppm") is None or shutil.which("pdftotext") is None,
    reason="poppler-utils (pdftoppm, pdftotext) not installed; ./kc test installs them",
)


@needs_printing
@pytest.mark.slow
def test_issue_command_prints_one_chinese_page_per_passing_trainee_and_verifies(tmp_path, monkeypatch):
    course = tmp_path / "quizzes"
    course.mkdir()
    _gradebook(course, monkeypatch, {
        "t01": {"exam": (8.0, 9.0), "capstone": (8.0, 9.0), **QUIZZES},
        "t02": {"exam": (2.0, 3.0), "capstone": (0.0, 8.0), **QUIZZES},
    })
    roster = tmp_path / "roster.csv"
    roster.write_text("学员编号,姓名\nt01,欧阳明月\nt02,王小二\n", encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "kamcourse.cli", "certificates", "issue", "--course", str(course),
         "--roster", str(roster), "--date", "2026-12-01"],
        capture_output=True, text=True, timeout=180,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "已发证  t01  欧阳明月" in run.stdout
    assert "未合格  t02  期中考试 25.0% 低于合格线 60%" in run.stdout
    pdfs = sorted((course / "certificates" / "pdf").glob("*.pdf"))
    assert [p.name for p in pdfs] == ["结业证书_t01.pdf"]

    info = subprocess.run(["pdfinfo", str(pdfs[0])], capture_output=True, text=True).stdout
    assert re.search(r"^Pages:\s+1$", info, re.M), info
    text = subprocess.run(["pdftotext", "-layout", str(pdfs[0]), "-"], capture_output=True, text=True).stdout
    code = cert.Records(course / "certificates").load()[0].code
    # the glyphs are real text in a CJK font: the name, the title, the course and the code come back out
    for expected in ("结业证书", "欧阳明月", "大客户销售与客户关系管理", code, "2026 年 12 月 1 日", "期中考试", "85.0 分"):
        assert expected in text.replace("结 业 证 书", "结业证书"), (expected, text)
    assert "\ufffd" not in text
    fonts = subprocess.run(["pdffonts", str(pdfs[0])], capture_output=True, text=True).stdout
    assert "WenQuanYi" in fonts or "Noto" in fonts, fonts

    subprocess.run(["pdftoppm", "-r", "40", "-png", str(pdfs[0]), str(tmp_path / "page")], check=True)
    from matplotlib import image

    pixels = image.imread(str(next(tmp_path.glob("page*.png"))))
    assert pixels.shape[1] > pixels.shape[0], "landscape page"
    assert pixels[..., :3].std() > 0.05, "the page is not blank"

    ok = subprocess.run([sys.executable, "-m", "kamcourse.cli", "certificates", "verify", code, "--course", str(course)],
                        capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0 and "有效：欧阳明月" in ok.stdout
    forged = subprocess.run([sys.executable, "-m", "kamcourse.cli", "certificates", "verify", "KC-ZZZZ-ZZZZ-ZZZZ",
                             "--course", str(course)], capture_output=True, text=True, timeout=60)
    assert forged.returncode == 1 and "查无此证书" in forged.stdout
