"""Pareto (80/20) analysis and ABC classification of a customer list.

The 80/20 rule: Vilfredo Pareto observed (1896) that about 80% of Italy's land belonged to
about 20% of the people; Joseph M. Juran generalised it in quality management as "the
vital few and the trivial many" and named it after Pareto. In sales it reads "about 20%
of the customers bring about 80% of the sales" (the seed: 一家企业80%的收益来源于20%的
客户). It is an empirical regularity, not a law: the real split is whatever the data say.

ABC classification sorts customers by sales (largest first) and cuts the cumulative share
of sales: A up to ``a_cut`` (80% by default), B up to ``b_cut`` (95%), C the rest. The
cut-offs are a convention each company sets for itself. The customer whose sales cross a
cut belongs to the upper class, so the A class is the smallest set of top customers that
together make at least ``a_cut`` of sales.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from kamcourse.errors import KamcourseError
from kamcourse.tables import Column, parse_amount, parse_probability, parse_text, pick, read_table

CUSTOMERS_FIELD = "客户名单"
NAME_COLUMN = Column("客户", ("客户名称", "客户名", "名称", "customer", "name"))
SALES_COLUMN = Column("年销售额", ("销售额", "年销售", "sales", "revenue"), "number")

#: Columns a Pareto upload needs (headers may carry a unit, e.g. "年销售额(万元)").
PARETO_COLUMNS: tuple[Column, ...] = (NAME_COLUMN, SALES_COLUMN)

#: Tolerance for comparing cumulative shares with a cut-off (floating-point sums).
_EPS = 1e-9

CLASSES = ("A", "B", "C")


@dataclass(frozen=True)
class ParetoRow:
    """One customer in the Pareto table (sorted by sales, largest first)."""

    rank: int
    customer: str
    sales: float
    share: float
    cumulative_share: float


@dataclass(frozen=True)
class ParetoResult:
    """The Pareto table and its headline numbers.

    ``count_for_target``: how many top customers together make at least ``target`` of
    sales; ``customer_share_for_target``: that count as a share of all customers;
    ``top20_count``/``top20_sales_share``: the top 20% of customers (rounded up) and
    their share of sales.
    """

    rows: tuple[ParetoRow, ...]
    total: float
    target: float
    count_for_target: int
    customer_share_for_target: float
    top20_count: int
    top20_sales_share: float

    def summary(self) -> str:
        """One Chinese sentence with the headline numbers."""
        n = len(self.rows)
        return (
            f"共 {n} 位客户，销售额合计 {_fmt(self.total)} 万元；前 {self.count_for_target} 位客户"
            f"（占客户数的 {self.customer_share_for_target:.0%}）贡献了 {self.target:.0%} 以上的销售额；"
            f"前 20% 的客户（{self.top20_count} 位）贡献了 {self.top20_sales_share:.1%}。"
        )


@dataclass(frozen=True)
class AbcRow:
    """One customer with its ABC class."""

    rank: int
    customer: str
    sales: float
    cumulative_share: float
    abc: str


@dataclass(frozen=True)
class AbcClassSummary:
    """Count and sales of one class."""

    abc: str
    count: int
    customer_share: float
    sales: float
    sales_share: float


@dataclass(frozen=True)
class AbcResult:
    """Customers with their classes, the cut-offs used and a summary per class."""

    rows: tuple[AbcRow, ...]
    a_cut: float
    b_cut: float
    classes: tuple[AbcClassSummary, ...]

    def members(self, abc: str) -> tuple[str, ...]:
        """Customers of one class, largest first.

        >>> abc_classes({"甲": 80, "乙": 15, "丙": 5}).members("A")
        ('甲',)
        """
        return tuple(r.customer for r in self.rows if r.abc == abc)

    def class_of(self) -> dict[str, str]:
        """Customer -> class."""
        return {r.customer: r.abc for r in self.rows}


def _fmt(amount: float) -> str:
    return f"{amount:,.0f}" if float(amount).is_integer() else f"{amount:,.2f}".rstrip("0").rstrip(".")


def _validated(customers: Mapping[str, object]) -> list[tuple[str, float]]:
    if not isinstance(customers, Mapping):
        raise KamcourseError(CUSTOMERS_FIELD, "应是“客户 → 年销售额”的对照表")
    items: list[tuple[str, float]] = []
    seen: set[str] = set()
    for name, value in customers.items():
        label = str(name).strip() if name is not None else ""
        if not label:
            raise KamcourseError(CUSTOMERS_FIELD, "有一位客户没有名称")
        if label in seen:
            raise KamcourseError(f"客户“{label}”", "重复出现，每位客户只能有一行")
        seen.add(label)
        items.append((label, parse_amount(value, f"客户“{label}”的年销售额")))
    if not items:
        raise KamcourseError(CUSTOMERS_FIELD, "没有客户：请至少填入一位客户及其年销售额")
    if sum(v for _, v in items) <= 0:
        raise KamcourseError(CUSTOMERS_FIELD, "年销售额合计为 0，无法计算占比")
    # Largest first; ties keep the order given.
    order = sorted(range(len(items)), key=lambda i: (-items[i][1], i))
    return [items[i] for i in order]


def _check_fraction(value: object, field: str) -> float:
    """A cut-off in (0, 1]; "80%" is read as 0.8.

    >>> _check_fraction("80%", "A 类界限")
    0.8
    """
    number = parse_probability(value, field)
    if number <= 0:
        raise KamcourseError(field, "应大于 0，例如 0.8 表示 80%")
    return number


def pareto(customers: Mapping[str, object], target: float = 0.8) -> ParetoResult:
    """Sort customers by sales and compute shares, cumulative shares and headline numbers.

    >>> r = pareto({"甲": 50, "乙": 30, "丙": 10, "丁": 5, "戊": 5})
    >>> [round(row.cumulative_share, 2) for row in r.rows]
    [0.5, 0.8, 0.9, 0.95, 1.0]
    >>> r.count_for_target, r.customer_share_for_target, r.top20_count, r.top20_sales_share
    (2, 0.4, 1, 0.5)
    >>> pareto({"甲": -1})
    Traceback (most recent call last):
    ...
    kamcourse.errors.KamcourseError: 客户“甲”的年销售额：不能为负数
    """
    target = _check_fraction(target, "目标占比")
    items = _validated(customers)
    total = math.fsum(v for _, v in items)
    rows: list[ParetoRow] = []
    running = 0.0
    for rank, (name, sales) in enumerate(items, start=1):
        running += sales
        rows.append(ParetoRow(rank, name, sales, sales / total, min(running / total, 1.0)))
    count = next(r.rank for r in rows if r.cumulative_share >= target - _EPS)
    n = len(rows)
    top20 = max(1, math.ceil(0.2 * n - _EPS))
    return ParetoResult(
        rows=tuple(rows),
        total=total,
        target=target,
        count_for_target=count,
        customer_share_for_target=count / n,
        top20_count=top20,
        top20_sales_share=rows[top20 - 1].cumulative_share,
    )


def abc_classes(customers: Mapping[str, object], a_cut: float = 0.8, b_cut: float = 0.95) -> AbcResult:
    """ABC classes by cumulative share of sales; the customer crossing a cut is in the upper class.

    >>> r = abc_classes({"甲": 50, "乙": 30, "丙": 10, "丁": 5, "戊": 5})
    >>> r.class_of()
    {'甲': 'A', '乙': 'A', '丙': 'B', '丁': 'B', '戊': 'C'}
    >>> [(c.abc, c.count, round(c.sales_share, 2)) for c in r.classes]
    [('A', 2, 0.8), ('B', 2, 0.15), ('C', 1, 0.05)]
    >>> abc_classes({"甲": 1}, a_cut=0.9, b_cut=0.8)
    Traceback (most recent call last):
    ...
    kamcourse.errors.KamcourseError: B 类界限：应大于 A 类界限（0.9）
    """
    a_cut = _check_fraction(a_cut, "A 类界限")
    b_cut = _check_fraction(b_cut, "B 类界限")
    if b_cut <= a_cut:
        raise KamcourseError("B 类界限", f"应大于 A 类界限（{a_cut:g}）")
    table = pareto(customers)
    rows: list[AbcRow] = []
    before = 0.0
    for row in table.rows:
        abc = "A" if before < a_cut - _EPS else "B" if before < b_cut - _EPS else "C"
        rows.append(AbcRow(row.rank, row.customer, row.sales, row.cumulative_share, abc))
        before = row.cumulative_share
    n = len(rows)
    classes = []
    for abc in CLASSES:
        members = [r for r in rows if r.abc == abc]
        sales = math.fsum(r.sales for r in members)
        classes.append(AbcClassSummary(abc, len(members), len(members) / n, sales, sales / table.total))
    return AbcResult(tuple(rows), a_cut, b_cut, tuple(classes))


def sales_from_rows(rows: Iterable[Mapping[str, object]]) -> dict[str, float]:
    """Customer -> annual sales from table rows with columns 客户 and 年销售额 (or aliases).

    >>> sales_from_rows([{"客户": "甲", "年销售额(万元)": "1,200"}, {"customer": "乙", "sales": 300}])
    {'甲': 1200.0, '乙': 300.0}
    >>> sales_from_rows([{"客户": "甲"}])
    Traceback (most recent call last):
    ...
    kamcourse.errors.KamcourseError: 第 1 行：缺少“年销售额”列
    """
    out: dict[str, float] = {}
    for index, row in enumerate(rows, start=1):
        if not isinstance(row, Mapping):
            raise KamcourseError(f"第 {index} 行", "应包含“客户”和“年销售额”两列")
        name = parse_text(pick(row, NAME_COLUMN, f"第 {index} 行"), f"第 {index} 行“客户”")
        if not name:
            raise KamcourseError(f"第 {index} 行“客户”", "不能为空")
        if name in out:
            raise KamcourseError(f"客户“{name}”", "重复出现，每位客户只能有一行")
        out[name] = parse_amount(pick(row, SALES_COLUMN, f"第 {index} 行"), f"第 {index} 行“年销售额”")
    if not out:
        raise KamcourseError(CUSTOMERS_FIELD, "没有客户：表格里没有数据行")
    return out


def read_sales(data: bytes, filename: str) -> dict[str, float]:
    """Customer -> annual sales from an uploaded CSV/XLSX (columns 客户, 年销售额).

    >>> read_sales("客户,年销售额(万元)\\n甲,800\\n乙,200\\n".encode("gbk"), "名单.csv")
    {'甲': 800.0, '乙': 200.0}
    """
    return sales_from_rows(read_table(data, filename, PARETO_COLUMNS))


def load_sales(path: str | Path | None = None) -> dict[str, float]:
    """Customer -> annual sales from a CSV/XLSX path, or the sample company when ``path`` is None.

    >>> load_sales("missing.csv")
    Traceback (most recent call last):
    ...
    kamcourse.errors.KamcourseError: 客户名单文件：找不到文件“missing.csv”
    """
    if path is None:
        return sample_sales()
    file = Path(path)
    if not file.is_file():
        raise KamcourseError("客户名单文件", f"找不到文件“{path}”")
    return read_sales(file.read_bytes(), file.name)


def sample_sales() -> dict[str, float]:
    """Annual sales (万元) of the sample company's customers (``data/sample/customers.csv``).

    >>> len(sample_sales())
    20
    """
    from kamcourse.sample import load_sample

    return sales_from_rows(load_sample("customers"))


# ---------------------------------------------------------------- exercise keys


def sample_a_class() -> list[str]:
    """The A-class customers of the sample company (exercise m1/t1 key).

    >>> len(sample_a_class())
    5
    """
    return list(abc_classes(sample_sales()).members("A"))


def sample_a_class_text() -> str:
    """The A-class customers as one line (shown by ``reveal("m1", "t1")``).

    >>> sample_a_class_text().count("、")
    4
    """
    return "、".join(sample_a_class())


def sample_top20_share_percent() -> float:
    """Sales share of the sample's top 20% customers, in percent, rounded to 0.1 (m1/t2 key).

    >>> sample_top20_share_percent()
    73.6
    """
    return round(pareto(sample_sales()).top20_sales_share * 100, 1)


#: Annual sales (万元) of the eight customers of one sales rep, for exercise m1/t2.
TERRITORY: dict[str, float] = {
    "苏州华联模具": 420,
    "昆山精工电子": 260,
    "无锡天成轴承": 130,
    "江阴海达阀门": 80,
    "张家港港城机械": 50,
    "常熟虞山纺机": 30,
    "太仓金仓五金": 20,
    "吴江盛泽织造": 10,
}


def territory_a_share_percent() -> float:
    """Sales share of the A class of :data:`TERRITORY` in percent (m1/t2 key).

    The third customer crosses 80%, so A is three customers with 81% of sales.

    >>> territory_a_share_percent()
    81.0
    """
    return round(abc_classes(TERRITORY).classes[0].sales_share * 100, 1)


def _names(answer: object) -> list[str]:
    if isinstance(answer, str):
        parts = answer.replace("，", ",").replace("、", ",").replace(";", ",").replace("；", ",")
        parts = parts.replace("\n", ",")
        return [p.strip() for p in parts.split(",") if p.strip()]
    if isinstance(answer, Mapping):
        return [str(k).strip() for k in answer if str(k).strip()]
    if isinstance(answer, Iterable):
        return [str(p).strip() for p in answer if str(p).strip()]
    return []


def _match_name(given: str, names: Iterable[str]) -> str | None:
    """The full customer name that ``given`` names (exactly, or as an unambiguous part)."""
    names = list(names)
    if given in names:
        return given
    hits = [n for n in names if given and given in n]
    return hits[0] if len(hits) == 1 else None


def check_a_class_answer(answer: object) -> tuple[bool, str]:
    """Checker for m1/t1: the answer names the sample's A-class customers.

    Accepts a list or a string separated by 、 or commas; a short name is enough when it
    names exactly one customer ("海瑞" for 宁波海瑞汽车零部件有限公司).

    >>> check_a_class_answer(["海瑞", "新源", "恒达", "金陵", "锦程"])[0]
    True
    >>> check_a_class_answer("海瑞、新源")
    (False, '还差 3 位 A 类客户。提示：从最大的客户往下累计销售额占比，直到累计达到 80%——越过 80% 的那一位也算 A 类。')
    """
    names = list(sample_sales())
    key = set(sample_a_class())
    given = _names(answer)
    if not given:
        return False, "还没有作答：请列出 A 类客户的名称。"
    matched: set[str] = set()
    for item in given:
        full = _match_name(item, names)
        if full is None:
            return False, f"名单里找不到客户“{item}”（或它能对应多位客户）：请写出能唯一识别的客户名称。"
        matched.add(full)
    hint = "提示：从最大的客户往下累计销售额占比，直到累计达到 80%——越过 80% 的那一位也算 A 类。"
    extra = matched - key
    missing = key - matched
    if not extra and not missing:
        return True, f"正确！这 {len(key)} 位客户就是 A 类客户。"
    if extra and missing:
        return False, f"有 {len(extra)} 位不是 A 类，还漏了 {len(missing)} 位。{hint}"
    if extra:
        return False, f"多写了 {len(extra)} 位：它们不在 A 类。{hint}"
    return False, f"还差 {len(missing)} 位 A 类客户。{hint}"
