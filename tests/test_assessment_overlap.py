"""Exercises train, quizzes measure: no exercise task reuses a quiz or exam item.

**Similarity.** An item is a list of *statements*: the sentences of its stem (split at 。？！；
and line breaks) and its options (single, multiple, ordering) or matching prompts; a matching
item's category labels count only when they are sentences (8+ Chinese characters), because
short category names (背景问题, 程序转换成本) are the vocabulary of a concept, not its content.
Each statement is normalised to its Chinese characters and digits and cut into character
bigrams. ``coverage(X→Y)`` is the share of X's bigrams (summed over its statements) that
reappear in the most similar statement of Y (Jaccard of the two statements' bigram sets,
weighted by the statement's size). ``similarity = max(coverage(X→Y), coverage(Y→X))``: it is
high when one item's text reappears, statement by statement, in the other, whichever is
longer -- a short true/false quiz stem copied into an exercise option scores as high as a
whole copied item.

**Threshold 0.40, measured** on the course as it was before issue 8 (commit 282d74b: the 48
v1 exercise tasks against the 58 quiz and exam items, 2,784 pairs; the pairs are frozen in
``tests/data/overlap_calibration.yaml`` and re-measured by a test below):

- the seven duplicates issue 8 lists score m6 t3/exam q4 0.78, m6 t9/exam q2 0.79,
  m2 t6/exam q5 0.78, m6 t2/exam q7 0.67, m4 t6/m4 q2 0.63, m5 t5/m5 q5 0.79, m2 t3/m2 q2 0.64
  (lowest 0.63);
- the measurement found six more copies: m1 t8/m1 q6 1.00, m1 t6/m1 q7 0.78, m2 t2/m2 q1
  0.69, m1 t3/m1 q3 0.63, m3 t5/m3 q6 0.63, and m5 t6/m5 q7 0.45 (the quiz's true/false
  statement is one of the exercise's options);
- of the 2,766 pairs that are not copies, the median is 0.02, the 99th percentile 0.13 and
  the highest 0.32 (m6 t6/m6 q3: the same 销售进展 formula with different numbers -- a
  parallel item, which is what an exercise should be); the next are 0.25 and 0.24.

0.40 sits 0.08 above the highest distinct pair and below every copy (0.45 and up), so it
fails on copied stems or options and leaves parallel items alone. Text similarity cannot see
a paraphrase (the same question in other words: m5 t1/m5 q1 0.33, m4 t7/m4 q4 0.29,
m4 t4/m4 q5 0.27, m6 t4/exam q8 0.24 score like distinct pairs); those are found by review,
and the level rule below (at least half of each module's tasks apply or transfer the concept
to a new customer, product or conversation) keeps exercises from being the quiz in disguise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from conftest import ROOT

THRESHOLD = 0.40
EXERCISE_DIR = ROOT / "kamcourse" / "data" / "exercises"
BANK_DIR = ROOT / "quizzes" / "bank"
CALIBRATION = ROOT / "tests" / "data" / "overlap_calibration.yaml"
APPLIED = {"application", "transfer"}

_KEEP = re.compile(r"[\u3400-\u9fff0-9]")
_SENTENCE = re.compile(r"[。？！?!\n；]")
_MARKUP = re.compile(r"\[([^\]]*)\]\([^)]*\)|<[^>]+>")


@dataclass(frozen=True)
class Item:
    name: str
    stem: str
    statements: tuple[str, ...]


def _norm(text: str) -> str:
    return "".join(_KEEP.findall(text))


def _grams(text: str) -> frozenset[str]:
    s = _norm(text)
    if len(s) < 2:
        return frozenset({s}) if s else frozenset()
    return frozenset(s[i:i + 2] for i in range(len(s) - 1))


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a | b else 0.0


def statements(item: Item) -> list[frozenset[str]]:
    stem = _MARKUP.sub(r"\1", item.stem)
    parts = [p for p in _SENTENCE.split(stem) if _norm(p)] + [s for s in item.statements if _norm(s)]
    return [_grams(p) for p in parts]


def coverage(x: Item, y: Item) -> float:
    a, b = statements(x), statements(y)
    if not a or not b:
        return 0.0
    return sum(len(s) * max(_jaccard(s, t) for t in b) for s in a) / sum(len(s) for s in a)


def similarity(x: Item, y: Item) -> float:
    """The larger of the two coverages.

    >>> a = Item("a", "客户的数据类型包括哪些？", ("描述性数据", "交易性数据"))
    >>> b = Item("b", "客户的数据类型包括（　　）。", ("描述性数据", "交易性数据"))
    >>> similarity(a, b) > 0.85
    True
    """
    return max(coverage(x, y), coverage(y, x))


def _long(labels) -> list[str]:
    return [str(label) for label in labels or () if len(_norm(str(label))) >= 8]


def exercise_items() -> list[tuple[Item, dict]]:
    found = []
    for path in sorted(EXERCISE_DIR.glob("m*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for task in data.get("tasks", []):
            kind = task.get("kind")
            content = list(task.get("prompts") or []) + _long(task.get("labels")) if kind == "matching" \
                else [str(o) for o in task.get("options") or []]
            found.append((Item(f"{path.stem} {task['id']}", str(task.get("stem", "")), tuple(content)), task))
    return found


def quiz_items() -> list[Item]:
    found = []
    for path in sorted(BANK_DIR.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for item in data["items"]:
            if item["type"] == "matching":
                content = list(item.get("prompts", [])) + _long(item.get("options"))
            else:
                content = list(item.get("options", []))
            found.append(Item(f"{data['quiz']} {item['id']}", str(item["stem"]), tuple(str(c) for c in content)))
    return found


EXERCISES = exercise_items()
QUIZZES = quiz_items()


@pytest.mark.parametrize("exercise", [e for e, _ in EXERCISES], ids=lambda e: e.name)
def test_no_exercise_task_shares_its_stem_or_options_with_a_quiz_item(exercise):
    assert exercise.stem.strip(), f"{exercise.name} has no stem (exercise data v1; see exercises-schema.md)"
    close = sorted(((similarity(exercise, quiz), quiz.name) for quiz in QUIZZES), reverse=True)
    copies = [f"{name} ({score:.2f})" for score, name in close if score >= THRESHOLD]
    assert not copies, f"{exercise.name} reuses quiz text (similarity ≥ {THRESHOLD}): {', '.join(copies)}"


@pytest.mark.parametrize("path", sorted(EXERCISE_DIR.glob("m*.yaml")), ids=lambda p: p.stem)
def test_at_least_half_of_each_modules_exercise_tasks_apply_or_transfer(path: Path):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    tasks = [t for t in data.get("tasks", []) if t.get("where", "exercises") == "exercises"]
    assert tasks, f"{path.name}: no exercise tasks"
    unlabelled = [t["id"] for t in tasks if t.get("level") not in {"recall", *APPLIED}]
    assert not unlabelled, f"{path.name}: tasks without level recall|application|transfer: {unlabelled}"
    applied = [t["id"] for t in tasks if t["level"] in APPLIED]
    assert 2 * len(applied) >= len(tasks), (
        f"{path.name}: {len(applied)} of {len(tasks)} exercise tasks are application or transfer; at least half must be")


# ---------------------------------------------------------------- the threshold's evidence


def _calibration() -> list[dict]:
    return yaml.safe_load(CALIBRATION.read_text(encoding="utf-8"))["pairs"]


def _side(pair: dict, which: str) -> Item:
    text = pair[f"{which}_text"]
    return Item(pair[which], text["stem"], tuple(text["statements"]))


@pytest.mark.parametrize("pair", _calibration(), ids=lambda p: f"{p['label']}:{p['exercise']}~{p['quiz']}")
def test_the_threshold_separates_copies_from_distinct_pairs(pair):
    score = similarity(_side(pair, "exercise"), _side(pair, "quiz"))
    assert score == pytest.approx(pair["measured"], abs=0.006), "the similarity changed since the threshold was chosen"
    if pair["label"] in ("lead-duplicate", "duplicate"):
        assert score >= THRESHOLD
    else:
        assert score < THRESHOLD


def test_the_calibration_holds_the_seven_duplicates_of_issue_8():
    lead = {(p["exercise"], p["quiz"]) for p in _calibration() if p["label"] == "lead-duplicate"}
    assert lead == {("m6 t3", "exam q4"), ("m6 t9", "exam q2"), ("m2 t6", "exam q5"), ("m6 t2", "exam q7"),
                    ("m4 t6", "m4 q2"), ("m5 t5", "m5 q5"), ("m2 t3", "m2 q2")}


def test_a_copied_option_list_is_caught_and_a_new_case_is_not():
    quiz = Item("q", "客户关系管理的流程包括四部分，请按先后顺序排列。", ("客户价值衡量", "信息管理", "实施管理阶段", "活动管理"))
    copy = Item("t", "把客户关系管理流程的四个部分排好。", ("信息管理", "客户价值衡量", "活动管理", "实施管理阶段"))
    new = Item("t", "常州新源上了 CRM，却只录了联系人，没有按价值给客户分级。它跳过了哪一步？",
               ("先整理客户信息", "先按价值给客户分级", "先设计关怀活动", "先评估实施效果"))
    assert similarity(copy, quiz) >= THRESHOLD > similarity(new, quiz)
