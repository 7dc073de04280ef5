"""Worked-case helpers for module 1 (心态与思维方式).

- :func:`check_pros_cons`: the seed's 数字技术 ("3 个优点、3 个缺点", one of its three ways to
  集中精力想问题) as a structured check: at least three distinct pros, three distinct cons,
  no point on both sides, and a decision.
- :func:`check_a_class_task`: the exercise form of :func:`kamcourse.pareto.check_a_class_answer`
  (the exercise widget hands over a dict of named fields).
- Keys computed from the sample company for the module's inline checks.

Every checker takes the trainee's answer as a dict and returns ``(passed, Chinese message)``;
it never raises on odd input.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from kamcourse import pareto

#: The 数字技术 asks for this many points on each side.
POINTS_PER_SIDE = 3
#: A point shorter than this (after trimming) is not counted: "好" is not a reason.
MIN_POINT_CHARS = 4

_BULLET = re.compile(r"^\s*(?:[0-9０-９]+\s*[.、．)）:：]|[①②③④⑤⑥⑦⑧⑨⑩]|[-*•·])\s*")
_SPLIT = re.compile(r"[\n；;]+")


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def split_points(text: object) -> tuple[str, ...]:
    """The points in a box: one per line (or separated by ；), bullets and numbering removed,
    blanks and repeats dropped.

    >>> split_points("1. 回款慢\\n2、回款慢\\n③ 占用资金；")
    ('回款慢', '占用资金')
    >>> split_points(None)
    ()
    """
    points: list[str] = []
    for part in _SPLIT.split(_text(text)):
        point = _BULLET.sub("", part).strip().rstrip("。.，,")
        if point and point not in points:
            points.append(point)
    return tuple(points)


@dataclass(frozen=True)
class ProsCons:
    """The points counted on each side, the points too short to count, and the points
    written on both sides."""

    pros: tuple[str, ...]
    cons: tuple[str, ...]
    too_short: tuple[str, ...]
    on_both_sides: tuple[str, ...]


def pros_cons(pros_text: object, cons_text: object) -> ProsCons:
    """Count the pros and cons of a 数字技术 answer.

    >>> r = pros_cons("拿下订单\\n稳住份额\\n好", "占用资金\\n拿下订单")
    >>> r.pros, r.cons, r.too_short, r.on_both_sides
    (('稳住份额',), ('占用资金',), ('好',), ('拿下订单',))
    """
    pros_all = split_points(pros_text)
    cons_all = split_points(cons_text)
    both = tuple(p for p in pros_all if p in cons_all)
    short = tuple(p for p in (*pros_all, *cons_all) if len(p) < MIN_POINT_CHARS and p not in both)
    pros = tuple(p for p in pros_all if p not in both and len(p) >= MIN_POINT_CHARS)
    cons = tuple(p for p in cons_all if p not in both and len(p) >= MIN_POINT_CHARS)
    return ProsCons(pros, cons, tuple(dict.fromkeys(short)), both)


def check_pros_cons(answer: object) -> tuple[bool, str]:
    """Checker for the 数字技术 task: fields ``pros``, ``cons`` and ``decision``.

    >>> check_pros_cons({"pros": "拿下三年订单\\n守住份额\\n挡住竞争对手", "cons": "多占用一个月资金\\n开了先例\\n利润变薄",
    ...                  "decision": "接受，但要求预付三成"})
    (True, '写全了：3 个优点、3 个缺点和你的判断。对照参考答案，看看有没有漏掉的角度。')
    >>> check_pros_cons({"pros": "拿下三年订单", "cons": "", "decision": ""})[1]
    '优点：只数到 1 条，数字技术要求至少 3 条（每行写一条）。'
    >>> check_pros_cons("随便写")[0]
    False
    """
    if not isinstance(answer, Mapping):
        return False, "还没有作答：请在“优点”“缺点”“你的判断”三个框里填写。"
    result = pros_cons(answer.get("pros"), answer.get("cons"))
    if not result.pros and not result.cons and not _text(answer.get("decision")).strip():
        return False, "还没有作答：请在“优点”“缺点”“你的判断”三个框里填写。"
    if result.on_both_sides:
        return False, f"“{result.on_both_sides[0]}”同时写在了优点和缺点里：一条理由只能放在一边。"
    for side, points in (("优点", result.pros), ("缺点", result.cons)):
        if len(points) < POINTS_PER_SIDE:
            note = f"“{result.too_short[0]}”太短，没有计入。" if result.too_short else ""
            return False, f"{side}：只数到 {len(points)} 条，数字技术要求至少 {POINTS_PER_SIDE} 条（每行写一条）。{note}"
    decision = _text(answer.get("decision")).strip()
    if len(decision) < MIN_POINT_CHARS:
        return False, "你的判断：请根据写出的优缺点，用一句话写出你的决定（例如接受、拒绝或带条件接受）。"
    return True, "写全了：3 个优点、3 个缺点和你的判断。对照参考答案，看看有没有漏掉的角度。"


# ---------------------------------------------------------------- keys from the sample company


def check_a_class_task(answer: object) -> tuple[bool, str]:
    """The A-class exercise: field ``a_class`` holds the names, separated by 、 or commas.

    >>> check_a_class_task({"a_class": "海瑞、新源、恒达、金陵、锦程"})[0]
    True
    >>> check_a_class_task({"a_class": "海瑞、新源"})[1]
    '还差 3 位 A 类客户。'
    >>> check_a_class_task({})[1]
    '还没有作答：请列出 A 类客户的名称。'
    """
    if not isinstance(answer, Mapping):
        return False, "还没有作答：请列出 A 类客户的名称。"
    passed, message = pareto.check_a_class_answer(_text(answer.get("a_class")))
    # The exercise widget adds the task's own hint after a wrong answer; keep one hint.
    return passed, message.split("提示：")[0]


def sample_a_class_count(a_cut: float = 0.7) -> int:
    """How many A-class customers the sample company has at the cut ``a_cut`` (B cut 95%).

    >>> sample_a_class_count(0.7), sample_a_class_count(0.8)
    (4, 5)
    """
    return pareto.abc_classes(pareto.sample_sales(), a_cut, 0.95).classes[0].count


def a_class_count_at_70() -> int:
    """Key of the module's inline ABC check (A cut moved to 70%).

    >>> a_class_count_at_70()
    4
    """
    return sample_a_class_count(0.7)


def sample_share_percent(customer: str) -> float:
    """A customer's share of the sample company's sales, in percent, rounded to 1.

    >>> sample_share_percent("宁波海瑞汽车零部件有限公司")
    29.0
    """
    sales = pareto.sample_sales()
    return round(sales[customer] / sum(sales.values()) * 100, 0)
