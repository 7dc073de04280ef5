"""Item statistics as Moodle's quiz statistics report defines them.

For each item, over the graded attempts:

- facility index F = mean mark / maximum mark x 100 %;
- standard deviation SD of the mark as a share of the maximum, x 100 % (sample SD, n - 1);
- discrimination index D = 100 x Pearson correlation between the item's mark and the
  rest of the test (the attempt's total minus this item), so an item never correlates
  with itself;
- how often each option (or, for ordering/matching/numeric items, each response) was given.

Flags use Moodle's reading of the numbers: F <= 5 % "extremely difficult or something
wrong with the question", F >= 95 % "extremely easy"; D < 0 "question probably invalid",
D < 20 % "very weak discrimination"; D is undefined when either the item or the rest of
the test has no spread.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping, Sequence

from kamcourse.quiz.answers import KIND_NAMES, Reading
from kamcourse.quiz.bank import Item

FACILITY_LOW, FACILITY_HIGH = 5.0, 95.0
DISCRIMINATION_WEAK = 20.0


@dataclass(frozen=True)
class ItemStat:
    item_id: str
    n: int
    max_points: float
    mean: float
    facility: float | None        # percent
    sd: float | None              # percent of the maximum
    discrimination: float | None  # percent
    flags: tuple[str, ...]


@dataclass(frozen=True)
class ResponseCount:
    item_id: str
    response: str
    count: int
    share: float   # percent of attempts
    correct: bool


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values)


def pearson(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Pearson correlation, or None when either side has no spread.

    >>> pearson([0, 1, 1, 0], [1, 3, 2, 0])
    0.894...
    >>> pearson([1, 1, 1], [1, 2, 3]) is None
    True
    """
    if len(xs) < 2:
        return None
    mx, my = _mean(xs), _mean(ys)
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx <= 1e-12 or syy <= 1e-12:
        return None
    return sxy / math.sqrt(sxx * syy)


def _flags(facility: float | None, discrimination: float | None, n: int) -> tuple[str, ...]:
    flags = []
    if facility is not None and facility <= FACILITY_LOW:
        flags.append("极难（易度 ≤ 5%），请检查题目或答案")
    if facility is not None and facility >= FACILITY_HIGH:
        flags.append("极易（易度 ≥ 95%）")
    if discrimination is None and n >= 2:
        flags.append("区分度无法计算（得分没有差异）")
    elif discrimination is not None and discrimination < 0:
        flags.append("区分度为负，题目可能有误")
    elif discrimination is not None and discrimination < DISCRIMINATION_WEAK:
        flags.append("区分度很弱（< 20%）")
    return tuple(flags)


def item_statistics(max_points: Mapping[str, float], scores: Mapping[str, Mapping[str, float]]) -> tuple[ItemStat, ...]:
    """Statistics per item; ``scores`` maps each attempt (student) to its item marks.

    Items are taken in the order of ``max_points``; every attempt must have every item.

    >>> stats = item_statistics({"q1": 1, "q2": 2}, {"a": {"q1": 1, "q2": 2}, "b": {"q1": 0, "q2": 0},
    ...                                               "c": {"q1": 1, "q2": 1}})
    >>> [(s.item_id, round(s.facility, 1), round(s.discrimination, 1)) for s in stats]
    [('q1', 66.7, 86.6), ('q2', 50.0, 86.6)]
    """
    students = list(scores)
    stats = []
    for item_id, top in max_points.items():
        marks = [float(scores[s][item_id]) for s in students]
        rest = [sum(float(v) for k, v in scores[s].items() if k != item_id and k in max_points) for s in students]
        n = len(marks)
        if n == 0:
            stats.append(ItemStat(item_id, 0, top, 0.0, None, None, None, ("没有已评分的作答",)))
            continue
        mean = _mean(marks)
        facility = 100.0 * mean / top
        sd = None
        if n >= 2:
            shares = [m / top for m in marks]
            mean_share = _mean(shares)
            sd = 100.0 * math.sqrt(sum((x - mean_share) ** 2 for x in shares) / (n - 1))
        r = pearson(marks, rest)
        discrimination = None if r is None else 100.0 * r
        stats.append(ItemStat(item_id, n, top, mean, facility, sd, discrimination, _flags(facility, discrimination, n)))
    return tuple(stats)


def response_counts(item: Item, readings: Sequence[Reading]) -> tuple[ResponseCount, ...]:
    """How often each option was picked (choice items) or each response given (others).

    >>> from kamcourse.quiz.bank import load_quiz
    >>> from kamcourse.quiz.answers import read_answer
    >>> q1 = load_quiz("exam").item("q1")
    >>> rows = response_counts(q1, [read_answer(q1.spec, a) for a in ["AB", "abc", "", "E"]])
    >>> [(r.response, r.count, r.correct) for r in rows]
    [('A', 2, True), ('B', 2, True), ('C', 1, True), ('D', 0, False), ('（未作答）', 1, False), ('（格式无效）', 1, False)]
    """
    n = len(readings)
    share = (lambda c: 100.0 * c / n) if n else (lambda c: 0.0)
    rows: list[ResponseCount] = []
    ok = [r for r in readings if r.status == "ok"]
    if item.type in ("single", "multiple", "true_false"):
        for i, text in enumerate(item.options):
            letter = chr(ord("A") + i)
            count = sum(1 for r in ok if letter in r.text)
            label = letter if item.type != "true_false" else f"{letter}（{text}）"
            rows.append(ResponseCount(item.id, label, count, share(count), letter in item.key))
    else:
        tally: dict[str, int] = {}
        for r in ok:
            tally[r.text] = tally.get(r.text, 0) + 1
        numbers = {r.text: r.number for r in ok}
        for text, count in sorted(tally.items(), key=lambda kv: (-kv[1], kv[0])):
            if item.type == "numeric" and item.number_key is not None and numbers.get(text) is not None:
                is_right = abs(float(numbers[text]) - item.number_key) <= item.tolerance + 1e-9
            else:
                is_right = text == item.key
            rows.append(ResponseCount(item.id, text, count, share(count), is_right))
    blank = sum(1 for r in readings if r.status in ("blank", "missing"))
    invalid = sum(1 for r in readings if r.status == "invalid")
    rows.append(ResponseCount(item.id, "（未作答）", blank, share(blank), False))
    rows.append(ResponseCount(item.id, "（格式无效）", invalid, share(invalid), False))
    return tuple(rows)


# ---------------------------------------------------------------- writing


def _fmt(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def write_stats_csv(path: Path, items: Mapping[str, Item], stats: Iterable[ItemStat], pending: Iterable[str] = ()) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["item", "type", "n", "max_points", "mean", "facility_pct", "sd_pct", "discrimination_pct", "flags"])
        for s in stats:
            out.writerow([s.item_id, items[s.item_id].type, s.n, f"{s.max_points:g}", f"{s.mean:.3f}",
                          _fmt(s.facility), _fmt(s.sd), _fmt(s.discrimination), "；".join(s.flags)])
        for item_id in pending:
            out.writerow([item_id, items[item_id].type, "", f"{items[item_id].points:g}", "", "", "", "",
                          "待人工评分：全部评完后重新运行 kamcourse quiz stats"])


def write_responses_csv(path: Path, rows: Iterable[ResponseCount]) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["item", "response", "count", "share_pct", "correct"])
        for r in rows:
            out.writerow([r.item_id, r.response, r.count, f"{r.share:.1f}", "yes" if r.correct else ""])


def write_chart(path: Path, title: str, items: Mapping[str, Item], stats: Sequence[ItemStat]) -> None:
    """Facility and discrimination per item, with Moodle's bands shaded, as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from kamcourse.fonts import use_chinese_font

    use_chinese_font()
    labels = [f"第{items[s.item_id].number}题\n{KIND_NAMES[items[s.item_id].type]}" for s in stats]
    xs = list(range(len(stats)))
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(max(6.0, 0.8 * len(stats) + 2), 6.5), sharex=True)
    facility = [s.facility or 0.0 for s in stats]
    top.bar(xs, facility, zorder=2, color=["#b3261e" if s.flags else "#1f6fb2" for s in stats])
    top.axhspan(0, FACILITY_LOW, color="#f4c7c3", alpha=0.6, zorder=0)
    top.axhspan(FACILITY_HIGH, 100, color="#f4c7c3", alpha=0.6, zorder=0)
    top.set_ylim(0, 100)
    top.set_ylabel("易度 F（%）")
    top.set_title(f"{title}：题目统计（n = {stats[0].n if stats else 0}）")
    disc = [s.discrimination if s.discrimination is not None else 0.0 for s in stats]
    bottom.bar(xs, disc, color=["#b3261e" if (s.discrimination is None or s.discrimination < DISCRIMINATION_WEAK)
                                else "#1b7f3b" for s in stats])
    bottom.axhline(DISCRIMINATION_WEAK, color="#555555", linestyle="--", linewidth=1, label="区分度 20%")
    bottom.axhline(0, color="#000000", linewidth=0.8)
    bottom.set_ylim(-100, 100)
    bottom.set_ylabel("区分度 D（%）")
    bottom.legend(loc="lower right")
    bottom.set_xticks(xs)
    bottom.set_xticklabels(labels, fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
