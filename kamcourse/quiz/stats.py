"""Quiz statistics as Moodle's quiz statistics report computes them, and learning gain.

Per item (Moodle: ``question/classes/statistics/questions/calculator.php``,
``initial_question_walker`` and ``secondary_question_walker``), over the attempts that had
the item (with pools, not every attempt has every item):

- facility index F = mean mark / maximum mark (x 100 %);
- SD = sample standard deviation of the mark (n - 1), shown as % of the maximum mark
  (``statistics_table::col_sd``);
- discrimination index D = 100 x cov(mark, rest) / sqrt(var(mark) var(rest)), where rest
  = the attempt's total minus this item's mark;
- discriminative efficiency = 100 x cov(mark, rest) / covmax, covmax being the covariance
  of the two sequences each sorted ascending (the largest covariance those marks allow).

For the whole test (``mod/quiz/report/statistics/classes/calculator.php``, ``calculate``),
over the attempts' totals with s attempts and p positions:

- mean, median (the mean of the two middle totals for an even s), SD (n - 1);
- skewness = k3 / k2^(3/2), kurtosis = k4 / k2^2 with m_r = sum((x - mean)^r) / s,
  k2 = s m2 / (s - 1), k3 = s^2 m3 / ((s - 1)(s - 2)),
  k4 = s^2 ((s + 1) m4 - 3 (s - 1) m2^2) / ((s - 1)(s - 2)(s - 3));
- coefficient of internal consistency (Cronbach's alpha, %)
  CIC = 100 p / (p - 1) x (1 - sum of the positions' mark variances / k2);
- error ratio ER = 100 sqrt(1 - CIC / 100); standard error SE = ER x SD / 100.

Flags (Moodle's thresholds): F <= 5 % or >= 95 %; D negative, below 20 %, or undefined;
discriminative efficiency below 15 % marks a question as dubious
(``mod/quiz/report/statistics/statistics_table.php``, ``is_dubious_question``); "needs
checking" from the discrimination index: below 30 very likely, below 50 likely, else
unlikely (``question/bank/statistics/classes/helper.php``, ``format_discrimination_index``,
``NEED_FOR_REVISION_LOWER_THRESHOLD`` = 30, ``NEED_FOR_REVISION_UPPER_THRESHOLD`` = 50).

Learning gain (Hake's normalised gain) when the same quiz is given before and after the
course: g = (post - pre) / (max - pre) per trainee, per item on the facility index, and for
the class on the mean.
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
DUBIOUS_EFFICIENCY = 15.0
NEEDS_CHECKING = ((30.0, "很可能需要检查"), (50.0, "可能需要检查"))
UNLIKELY = "不太需要检查"


@dataclass(frozen=True)
class ItemStat:
    item_id: str
    n: int
    max_points: float
    mean: float
    facility: float | None        # percent
    sd: float | None              # percent of the maximum
    discrimination: float | None  # percent
    efficiency: float | None      # discriminative efficiency, percent
    needs_checking: str           # Moodle's "Needs checking?" from D ("" when D is undefined)
    flags: tuple[str, ...]


@dataclass(frozen=True)
class TestStats:
    n: int
    max_points: float
    mean: float | None
    median: float | None
    sd: float | None
    skewness: float | None
    kurtosis: float | None
    cic: float | None             # Cronbach's alpha, percent
    error_ratio: float | None     # percent
    standard_error: float | None  # in marks


@dataclass(frozen=True)
class ResponseCount:
    item_id: str
    response: str
    count: int
    share: float   # percent of attempts
    correct: bool


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values)


def _covariance(xs: Sequence[float], ys: Sequence[float]) -> float:
    mx, my = _mean(xs), _mean(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / (len(xs) - 1)


def pearson(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Pearson correlation, or None when either side has no spread.

    >>> pearson([0, 1, 1, 0], [1, 3, 2, 0])
    0.894...
    >>> pearson([1, 1, 1], [1, 2, 3]) is None
    True
    """
    if len(xs) < 2:
        return None
    sxx, syy = _covariance(xs, xs), _covariance(ys, ys)
    if sxx <= 1e-12 or syy <= 1e-12:
        return None
    return _covariance(xs, ys) / math.sqrt(sxx * syy)


def needs_checking(discrimination: float | None) -> str:
    """Moodle's "Needs checking?" for a discrimination index (percent).

    >>> [needs_checking(d) for d in (None, 29.9, 30, 49.9, 50)]
    ['', '很可能需要检查', '可能需要检查', '可能需要检查', '不太需要检查']
    """
    if discrimination is None:
        return ""
    for limit, label in NEEDS_CHECKING:
        if discrimination < limit:
            return label
    return UNLIKELY


def _flags(facility: float | None, discrimination: float | None, efficiency: float | None, n: int) -> tuple[str, ...]:
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
    if efficiency is not None and efficiency < DUBIOUS_EFFICIENCY:
        flags.append("区分效率低于 15%，题目可疑")
    return tuple(flags)


def item_stat(item_id: str, top: float, marks: Sequence[float], rest: Sequence[float]) -> ItemStat:
    """One item's statistics from its marks and the rest of each attempt's total."""
    n = len(marks)
    if n == 0:
        return ItemStat(item_id, 0, top, 0.0, None, None, None, None, "", ("没有已评分的作答",))
    mean = _mean(marks)
    facility = 100.0 * mean / top if top else None
    sd = discrimination = efficiency = None
    if n >= 2:
        sd = 100.0 * math.sqrt(_covariance(marks, marks)) / top if top else None
        r = pearson(marks, rest)
        discrimination = None if r is None else 100.0 * r
        covmax = _covariance(sorted(marks), sorted(rest))
        if abs(covmax) > 1e-12:
            efficiency = 100.0 * _covariance(marks, rest) / covmax
    return ItemStat(item_id, n, top, mean, facility, sd, discrimination, efficiency, needs_checking(discrimination),
                    _flags(facility, discrimination, efficiency, n))


def item_statistics(max_points: Mapping[str, float], scores: Mapping[str, Mapping[str, float]]) -> tuple[ItemStat, ...]:
    """Statistics per item; ``scores`` maps each attempt to its item marks (an attempt that
    did not have an item leaves it out). The rest of an attempt = its total minus the item.

    >>> stats = item_statistics({"q1": 1, "q2": 2}, {"a": {"q1": 1, "q2": 2}, "b": {"q1": 0, "q2": 0},
    ...                                               "c": {"q1": 1, "q2": 1}})
    >>> [(s.item_id, round(s.facility, 1), round(s.discrimination, 1)) for s in stats]
    [('q1', 66.7, 86.6), ('q2', 50.0, 86.6)]
    """
    totals = {s: sum(float(v) for k, v in marks.items() if k in max_points) for s, marks in scores.items()}
    out = []
    for item_id, top in max_points.items():
        having = [s for s in scores if item_id in scores[s]]
        marks = [float(scores[s][item_id]) for s in having]
        rest = [totals[s] - float(scores[s][item_id]) for s in having]
        out.append(item_stat(item_id, float(top), marks, rest))
    return tuple(out)


def quiz_statistics(totals: Sequence[float], max_points: float, position_marks: Sequence[Sequence[float]]) -> TestStats:
    """The whole test's statistics; ``position_marks`` holds each position's marks over the
    attempts (for the coefficient of internal consistency).

    >>> t = quiz_statistics([5, 4, 1, 2, 0], 5, [[1, 1, 0, 1, 0], [2, 1, 1, 0, 0], [2, 2, 0, 1, 0]])
    >>> t.mean, t.median, round(t.sd, 4)
    (2.4, 2, 2.0736)
    """
    s = len(totals)
    if s == 0:
        return TestStats(0, max_points, None, None, None, None, None, None, None, None)
    mean = _mean(totals)
    ordered = sorted(totals)
    median = ordered[s // 2] if s % 2 else (ordered[s // 2 - 1] + ordered[s // 2]) / 2
    sd = skew = kurt = cic = error_ratio = standard_error = None
    if s > 1:
        power = {r: sum((x - mean) ** r for x in totals) for r in (2, 3, 4)}
        sd = math.sqrt(power[2] / (s - 1))
        if s > 2:
            m2, m3, m4 = (power[r] / s for r in (2, 3, 4))
            k2 = s * m2 / (s - 1)
            k3 = s * s * m3 / ((s - 1) * (s - 2))
            if k2:
                skew = k3 / k2 ** 1.5
                if s > 3:
                    k4 = s * s * ((s + 1) * m4 - 3 * (s - 1) * m2 * m2) / ((s - 1) * (s - 2) * (s - 3))
                    kurt = k4 / (k2 * k2)
                p = len(position_marks)
                if p > 1:
                    variances = sum(_covariance(m, m) for m in position_marks if len(m) > 1)
                    cic = (100.0 * p / (p - 1)) * (1 - variances / k2)
                    error_ratio = 100.0 * math.sqrt(1 - cic / 100) if cic <= 100 else None
                    standard_error = None if error_ratio is None else error_ratio * sd / 100
    return TestStats(s, max_points, mean, median, sd, skew, kurt, cic, error_ratio, standard_error)


def response_counts(item: Item, readings: Sequence[Reading]) -> tuple[ResponseCount, ...]:
    """How often each canonical option was picked (choice items) or each response given
    (others); ``readings`` hold canonical letters."""
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
    invalid = sum(1 for r in readings if r.status not in ("ok", "blank", "missing"))
    rows.append(ResponseCount(item.id, "（未作答）", blank, share(blank), False))
    rows.append(ResponseCount(item.id, "（格式无效或不计分）", invalid, share(invalid), False))
    return tuple(rows)


# ---------------------------------------------------------------- learning gain


@dataclass(frozen=True)
class Gain:
    who: str                  # a trainee, an item, or "全班"
    pre: float                # percent
    post: float               # percent
    gain: float | None        # normalised gain (None when pre is already 100 %)


def normalised_gain(pre: float, post: float) -> float | None:
    """Hake's g = (post - pre) / (100 - pre), both in percent.

    >>> normalised_gain(40, 70), normalised_gain(100, 90)
    (0.5, None)
    """
    return None if pre >= 100 - 1e-9 else (post - pre) / (100 - pre)


def learning_gain(pre: Mapping[str, Mapping[str, float]], post: Mapping[str, Mapping[str, float]],
                  max_points: Mapping[str, float]) -> tuple[tuple[Gain, ...], tuple[Gain, ...], Gain]:
    """Per trainee, per item and for the class, over the trainees who took both."""
    both = sorted(set(pre) & set(post))
    total = sum(max_points.values())

    def pct(marks: Mapping[str, float]) -> float:
        return 100.0 * sum(float(marks.get(i, 0.0)) for i in max_points) / total

    people = tuple(Gain(s, pct(pre[s]), pct(post[s]), normalised_gain(pct(pre[s]), pct(post[s]))) for s in both)
    items = []
    for item_id, top in max_points.items():
        a = 100.0 * _mean([float(pre[s].get(item_id, 0.0)) for s in both]) / top if both else 0.0
        b = 100.0 * _mean([float(post[s].get(item_id, 0.0)) for s in both]) / top if both else 0.0
        items.append(Gain(item_id, a, b, normalised_gain(a, b)))
    a = _mean([g.pre for g in people]) if people else 0.0
    b = _mean([g.post for g in people]) if people else 0.0
    return people, tuple(items), Gain("全班", a, b, normalised_gain(a, b))


# ---------------------------------------------------------------- writing


def _fmt(value: float | None, digits: int = 1) -> str:
    return "" if value is None else f"{value:.{digits}f}"


ITEM_HEADER = ["item", "type", "n", "max_points", "mean", "facility_pct", "sd_pct", "discrimination_pct",
               "discriminative_efficiency_pct", "needs_checking", "flags"]


def write_stats_csv(path: Path, items: Mapping[str, Item], stats: Iterable[ItemStat], pending: Iterable[str] = ()) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(ITEM_HEADER)
        for s in stats:
            out.writerow([s.item_id, items[s.item_id].type, s.n, f"{s.max_points:g}", f"{s.mean:.3f}", _fmt(s.facility),
                          _fmt(s.sd), _fmt(s.discrimination), _fmt(s.efficiency), s.needs_checking, "；".join(s.flags)])
        for item_id in pending:
            out.writerow([item_id, items[item_id].type, "", f"{items[item_id].points:g}", "", "", "", "", "", "",
                          "待人工评分：全部评完后重新运行 kamcourse quiz stats"])


def write_test_csv(path: Path, t: TestStats) -> None:
    pct = (lambda v: "" if v is None or not t.max_points else f"{100.0 * v / t.max_points:.2f}")
    rows = [("attempts", t.n, ""), ("mean", _fmt(t.mean, 3), pct(t.mean)), ("median", _fmt(t.median, 3), pct(t.median)),
            ("sd", _fmt(t.sd, 3), pct(t.sd)), ("skewness", _fmt(t.skewness, 4), ""), ("kurtosis", _fmt(t.kurtosis, 4), ""),
            ("cic_pct", _fmt(t.cic, 2), ""), ("error_ratio_pct", _fmt(t.error_ratio, 2), ""),
            ("standard_error", _fmt(t.standard_error, 3), pct(t.standard_error))]
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["statistic", "value", "pct_of_max"])
        out.writerows(rows)


def write_responses_csv(path: Path, rows: Iterable[ResponseCount]) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["item", "response", "count", "share_pct", "correct"])
        for r in rows:
            out.writerow([r.item_id, r.response, r.count, f"{r.share:.1f}", "yes" if r.correct else ""])


def write_gain_csv(path: Path, rows: Iterable[Gain]) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["who", "pre_pct", "post_pct", "normalised_gain"])
        for g in rows:
            out.writerow([g.who, f"{g.pre:.1f}", f"{g.post:.1f}", _fmt(g.gain, 3)])


def write_chart(path: Path, title: str, items: Mapping[str, Item], stats: Sequence[ItemStat]) -> None:
    """Facility and discrimination per item with Moodle's bands, as a PNG (the figure is
    :func:`kamcourse.charts.item_stats_figure`; no global matplotlib backend is chosen)."""
    from kamcourse.charts import item_stats_figure

    labels = [f"第{items[s.item_id].number}题\n{KIND_NAMES[items[s.item_id].type]}" for s in stats]
    fig = item_stats_figure(title, stats[0].n if stats else 0, labels, [s.facility for s in stats],
                            [s.discrimination for s in stats], [bool(s.flags) for s in stats],
                            facility_band=(FACILITY_LOW, FACILITY_HIGH), discrimination_weak=DISCRIMINATION_WEAK)
    fig.savefig(path, dpi=110)
