"""The course never models unlawful or unethical selling.

Forbidden teaching patterns are data (``kamcourse/data/compliance.yaml``): each is a regular
expression with why it is not taught and the lawful alternative. A match is allowed only
inside a unit that frames it as non-compliant: a framing marker (合规, 违法, 不采用, ×, …; or
the pattern's own list) within the pattern's window (60 characters by default) of the match,
in the same markdown paragraph, list item or table row, or the same quiz/exercise field. A
choice option is short, so its item's stem, explanation, hint and option notes frame it.
"""

from __future__ import annotations

import re
from collections import defaultdict

import pytest

from conftest import ROOT
from kamcourse.quiz.kit import text_checked
from kamcourse.texts import Text, kit_secrets, trainee_texts
from kamcourse.textrules import compliance_findings, compliance_patterns

PATTERNS = compliance_patterns()
TEXTS = trainee_texts(ROOT)
BY_FILE: dict[str, list[Text]] = defaultdict(list)
for _text in TEXTS:
    BY_FILE[_text.path].append(_text)


KIT_READ = bool(kit_secrets(ROOT))


def _sealed_item_finding(path: str, where: str) -> bool:
    """A finding in a quiz item whose framing (its explanation, its option notes) is in the
    encrypted kit: accepted when ``kamcourse kit seal`` checked the whole item with today's rules
    and the public file has not changed since."""
    if KIT_READ or not path.startswith("quizzes/bank/") or not re.match(r"q\d+", where):
        return False
    return text_checked(ROOT / "quizzes", path.rsplit("/", 1)[-1].removesuffix(".yaml"))


@pytest.mark.parametrize("path", sorted(BY_FILE))
def test_no_unframed_forbidden_pattern(path):
    findings = [f for f in compliance_findings(BY_FILE[path]) if not _sealed_item_finding(path, f.where)]
    assert not findings, f"{path}: {len(findings)} finding(s)\n" + "\n".join(f"[{f.where}] {f.rule}: {f.message}" for f in findings)


# ---------------------------------------------------------------- the rules can fail


@pytest.mark.parametrize("pattern_id, example", [(p.id, e) for p in PATTERNS.values() for e in p.bad])
def test_each_bad_example_is_refused(pattern_id, example):
    assert PATTERNS[pattern_id].unframed(example), example


@pytest.mark.parametrize("pattern_id, example", [(p.id, e) for p in PATTERNS.values() for e in p.good])
def test_each_framed_example_passes(pattern_id, example):
    assert not PATTERNS[pattern_id].unframed(example), example


def test_every_pattern_has_a_reason_a_lawful_alternative_and_examples():
    for pattern in PATTERNS.values():
        assert re.search(r"[\u4e00-\u9fff]", pattern.why) and re.search(r"[\u4e00-\u9fff]", pattern.lawful), pattern.id
        assert pattern.bad and pattern.good, pattern.id


def test_the_seeds_five_non_compliant_practices_are_covered():
    """domain.md section 11 lists what a compliance reading must change."""
    seed_lines = {
        "跟政府打交道：安全感！有限的范围内，关系越深越好（√）": "government-closeness",
        "选择带有个人色彩的礼品送给客户": "personal-gift",
        "私下把内部的采购预算表给了你": "budget-sheet",
        "为 A 级客户每年安排一次旅游": "customer-travel",
        "我们要选择采购和使用者为“伪”向导": "fake-coach",
    }
    for line, pattern_id in seed_lines.items():
        assert PATTERNS[pattern_id].unframed(line), line


def test_a_framing_marker_far_from_the_match_does_not_frame_it():
    pattern = PATTERNS["personal-gift"]
    far = "本节讲合规。" + "客户关系要一步步推进，每一步都要想清楚再走，注意细节和时机，跟进的节奏要稳，" * 2 + "选择带有个人色彩的礼品。"
    assert pattern.unframed(far)


def test_an_option_is_framed_by_its_items_explanation_not_by_another_item():
    option = Text("quizzes/bank/x.yaml", "q2.options[1]", "选择带有个人色彩的礼品", "quiz")
    framed = [option, Text("quizzes/bank/x.yaml", "q2.explanation", "B 不合规：针对个人的礼品容易构成商业贿赂。", "quiz")]
    other = [option, Text("quizzes/bank/x.yaml", "q3.explanation", "B 不合规：针对个人的礼品容易构成商业贿赂。", "quiz")]
    assert compliance_findings(framed) == []
    assert "personal-gift" in [f.rule for f in compliance_findings(other)]


def test_a_table_row_is_framed_by_its_header_or_by_a_marker_in_the_row():
    table = "| 讲义的说法 | 本课程的做法 | 为什么 |\n|---|---|---|\n| 选择带有个人色彩的礼品 | 用心体现在业务上 | 容易变成给个人的财物利益 |"
    bare = "| 讲义 | 说明 |\n|---|---|\n| 选择带有个人色彩的礼品 | 用心体现在业务上 |"
    marked = "| 讲义 | 说明 |\n|---|---|\n| 选择带有个人色彩的礼品 | 用心体现在业务上；" + "礼" * 80 + "按第八条这是商业贿赂 |"
    assert compliance_findings([Text("course/x.ipynb", "cell 1", table, "markdown")]) == []
    assert "personal-gift" in [f.rule for f in compliance_findings([Text("course/x.ipynb", "cell 1", bare, "markdown")])]
    assert compliance_findings([Text("course/x.ipynb", "cell 1", marked, "markdown")]) == []


# ---------------------------------------------------------------- the course teaches and tests it


def test_the_course_cites_the_revised_law_on_commercial_bribery():
    text = "\n".join(t.text for t in TEXTS if t.path.startswith("course/"))
    assert "反不正当竞争法" in text and "第八条" in text and "2025" in text


def test_compliance_is_assessed_in_a_quiz_and_in_an_exercise():
    words = re.compile("合规|商业贿赂|反不正当竞争法|商业秘密")
    quiz = {t.path for t in TEXTS if t.path.startswith("quizzes/bank/") and words.search(t.text)}
    exercise = {t.path for t in TEXTS if t.path.startswith("kamcourse/data/exercises/") and words.search(t.text)}
    assert quiz, "no quiz item tests compliance"
    assert exercise, "no exercise task trains compliance"


def test_a_sealed_quiz_counts_as_checked_only_while_its_public_file_and_the_rules_are_unchanged(tmp_path):
    import json
    import shutil

    course = tmp_path / "quizzes"
    shutil.copytree(ROOT / "quizzes" / "bank", course / "bank")
    shutil.copytree(ROOT / "quizzes" / "kit", course / "kit")
    assert text_checked(course, "m5_stages")
    public = course / "bank" / "m5_stages.yaml"
    public.write_text(public.read_text(encoding="utf-8") + "# edited by hand\n", encoding="utf-8")
    assert not text_checked(course, "m5_stages")
    manifest = json.loads((course / "kit" / "manifest.json").read_text(encoding="utf-8"))
    manifest["rules_sha256"] = "0" * 64
    (course / "kit" / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    assert not text_checked(course, "m4_spin")
