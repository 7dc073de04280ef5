"""The declared scoring rules, applied by one pure function.

The same rules are printed (in Chinese) at the top of every quiz notebook
(:data:`RULES`), so what trainees read is what the grader does:

- single choice, true/false: all or nothing;
- multiple choice: a wrong letter scores 0; otherwise points x (correct letters chosen /
  correct letters in the key);
- ordering: points x (letters in their correct position / number of letters);
- matching: points x (prompts given the right category / number of prompts);
- numeric: full points within the item's stated tolerance, else 0;
- essay: graded by hand with the rubric;
- blank, missing or badly formatted answers score 0.

Scores are rounded half up to two decimals.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from kamcourse.quiz.answers import KIND_NAMES, Reading, read_answer
from kamcourse.quiz.bank import Item

RULES: dict[str, str] = {
    "single": "单选题：答对得满分，答错得 0 分。",
    "true_false": "判断题：答对得满分，答错得 0 分。",
    "multiple": (
        "多选题：只要选了一个错误选项，本题得 0 分；没有错选时，按选对的正确选项所占比例得分"
        "（例如正确选项共 3 个，选对其中 2 个，得本题分数的 2/3）。"
    ),
    "ordering": "排序题：按位置计分，每个字母放在正确位置上得本题分数的 1/n（n 为选项个数）。",
    "matching": "匹配题：每一项归类正确得本题分数的 1/n（n 为需要归类的项数）。",
    "numeric": "数值题：与标准答案的差不超过题目注明的允许误差即得满分，否则得 0 分。",
    "essay": "论述题：由讲师按评分要点人工评分。",
}
COMMON_RULE = "未作答、找不到答案或格式无效（出现选项以外的字母、字母重复）的题目得 0 分。每题得分四舍五入保留两位小数。"


@dataclass(frozen=True)
class ItemScore:
    """The grader's verdict on one answer.

    ``status``: correct | partial | wrong | blank | missing | invalid.
    ``answer`` is the answer as read (canonical letters / number as typed).
    ``detail`` explains the score in Chinese.
    """

    item_id: str
    points: float
    max_points: float
    status: str
    answer: str
    detail: str


def round_score(value: Fraction) -> float:
    """Round half up to two decimals.

    >>> round_score(Fraction(2, 3) * 2)
    1.33
    >>> round_score(Fraction(1, 8))
    0.13
    >>> round_score(Fraction(5))
    5.0
    """
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return float(exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _share(item: Item, right: int, total: int) -> float:
    return round_score(Fraction(str(item.points)) * right / total)


def _verdict(item: Item, points: float, answer: str, detail: str) -> ItemScore:
    if points >= item.points:
        status = "correct"
    elif points > 0:
        status = "partial"
    else:
        status = "wrong"
    return ItemScore(item.id, points, item.points, status, answer, detail)


def score_reading(item: Item, reading: Reading) -> ItemScore:
    """Apply the item's scoring rule to an answer already read."""
    if not item.auto:
        return ItemScore(item.id, 0.0, item.points, "manual", "", "论述题由讲师人工评分。")
    if reading.status == "blank":
        return ItemScore(item.id, 0.0, item.points, "blank", "", "未作答。")
    if reading.status == "missing":
        return ItemScore(item.id, 0.0, item.points, "missing", "", reading.problem)
    if reading.status == "invalid":
        return ItemScore(item.id, 0.0, item.points, "invalid", reading.text, f"答案格式无效：{reading.problem}")

    given = reading.text
    key = item.key
    kind = item.type
    if kind in ("single", "true_false"):
        ok = given == key
        return _verdict(item, item.points if ok else 0.0, given, "回答正确。" if ok else "回答错误。")
    if kind == "multiple":
        wrong = [ch for ch in given if ch not in key]
        if wrong:
            return _verdict(item, 0.0, given, f"选了错误选项 {''.join(wrong)}，按规则本题得 0 分。")
        right = len(given)
        if right == len(key):
            return _verdict(item, item.points, given, "全部正确选项都已选出，没有错选。")
        return _verdict(
            item, _share(item, right, len(key)), given,
            f"没有错选，选出了 {right} 个正确选项（共 {len(key)} 个），按比例得分。",
        )
    if kind in ("ordering", "matching"):
        total = len(key)
        right = sum(1 for i, ch in enumerate(given[:total]) if ch == key[i])
        unit = "个字母在正确位置" if kind == "ordering" else "项归类正确"
        points = item.points if right == total else _share(item, right, total)
        return _verdict(item, points, given, f"{right}/{total} {unit}。")
    if kind == "numeric":
        assert reading.number is not None and item.number_key is not None
        ok = abs(reading.number - item.number_key) <= item.tolerance + 1e-9
        detail = "在允许误差范围内。" if ok else f"与标准答案相差超过允许误差（±{item.tolerance:g}）。"
        return _verdict(item, item.points if ok else 0.0, given, detail)
    raise ValueError(f"unknown item type {kind!r}")  # pragma: no cover - the schema forbids it


def score_item(item: Item, raw: Any) -> ItemScore:
    """Read an answer leniently and score it. Never raises on a trainee's answer."""
    return score_reading(item, read_answer(item.spec, raw))


def key_text(item: Item) -> str:
    """The key as a trainee reads it in the feedback."""
    if item.type == "true_false":
        return "A（对）" if item.key == "A" else "B（错）"
    if item.type == "numeric":
        return f"{item.key}{item.unit}（允许误差 ±{item.tolerance:g}）"
    return item.key


def render_result(item: Item, score: ItemScore) -> str:
    """The Chinese text a test cell prints: result, key and explanation."""
    label = f"第 {item.number} 题（{KIND_NAMES[item.type]}，满分 {item.points:g} 分）"
    lines = [
        label,
        f"你的答案：{score.answer or '（未作答）'}",
        f"得分：{score.points:g} / {item.points:g}　{score.detail}",
        f"正确答案：{key_text(item)}",
        f"解析：{item.explanation}",
    ]
    return "\n".join(lines)
