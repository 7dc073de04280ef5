"""Prospect screening (如何寻找潜在客户): market research, then target-customer screening.

The seed's 大客户开发策略 has two steps: 市场调研与分析 (set the market scope and the target
customer groups, look at competitors, weigh the opportunity, study buying behaviour) and
目标客户筛选与定位 (screen the most promising targets and state what each one needs). This
module turns the second step into a small, explicit rule set so that a trainee can see why a
company is on the shortlist or not:

- the company must be in a chosen region (market scope);
- in a chosen industry (target customer group);
- with an estimated purchase potential of at least ``min_potential`` 万元/年 (opportunity);
- and, if ``require_signal`` is set, with a public buying signal (buying behaviour).

Companies that pass are ranked: those with a buying signal first, then by potential. The
sample list :data:`SAMPLE_PROSPECTS` is fictional; every fact in it is the kind a seller can
get from public sources (company websites, recruitment ads, published tender results, trade
fairs) or from what a company chooses to say, never from confidential documents.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from kamcourse.errors import KamcourseError
from kamcourse.tables import parse_amount

POTENTIAL_FIELD = "采购潜力下限"


@dataclass(frozen=True)
class Prospect:
    """A company we might sell to: where it is, what it makes, what it may buy per year
    (万元, our estimate from public information) and a public buying signal ("" if none)."""

    name: str
    province: str
    industry: str
    potential: float
    signal: str = ""
    source: str = ""


@dataclass(frozen=True)
class ScreenedProspect:
    """One company after screening: passed or not, the reasons it was screened out (Chinese,
    empty when it passed) and its rank on the shortlist (None when screened out)."""

    prospect: Prospect
    passed: bool
    reasons: tuple[str, ...]
    rank: int | None


@dataclass(frozen=True)
class Screening:
    """The screened list in the original order, and the criteria that were applied."""

    rows: tuple[ScreenedProspect, ...]
    provinces: tuple[str, ...]
    industries: tuple[str, ...]
    min_potential: float
    require_signal: bool

    def shortlist(self) -> tuple[str, ...]:
        """Names of the companies that passed, best first.

        >>> screen_prospects(SAMPLE_PROSPECTS).shortlist()[:2]
        ('慈溪衡远汽车部件有限公司', '太仓德宇精密零件有限公司')
        """
        passed = sorted((r for r in self.rows if r.passed), key=lambda r: r.rank or 0)
        return tuple(r.prospect.name for r in passed)

    def criteria_text(self) -> str:
        """The criteria in one Chinese sentence."""
        signal = "，并且要有公开的采购信号" if self.require_signal else ""
        return (
            f"条件：地区为{'、'.join(self.provinces) or '（未选）'}；行业为{'、'.join(self.industries) or '（未选）'}；"
            f"估计采购潜力不低于 {_fmt(self.min_potential)} 万元/年{signal}。"
        )


def _fmt(amount: float) -> str:
    return f"{amount:,.0f}" if float(amount).is_integer() else f"{amount:,.1f}"


def _choices(values: Iterable[str] | None, field: str) -> tuple[str, ...]:
    if values is None:
        raise KamcourseError(field, "请至少选择一项")
    if isinstance(values, str):
        values = [values]
    chosen = tuple(dict.fromkeys(str(v).strip() for v in values if str(v).strip()))
    if not chosen:
        raise KamcourseError(field, "请至少选择一项")
    return chosen


#: The course's example market scope and target groups for the JM-500 (see module 2).
DEFAULT_PROVINCES: tuple[str, ...] = ("上海", "江苏", "浙江", "安徽")
DEFAULT_INDUSTRIES: tuple[str, ...] = ("汽车零部件", "航空零部件", "精密零件", "医疗器械")
DEFAULT_MIN_POTENTIAL = 500.0


def screen_prospects(
    prospects: Sequence[Prospect],
    provinces: Iterable[str] | None = DEFAULT_PROVINCES,
    industries: Iterable[str] | None = DEFAULT_INDUSTRIES,
    min_potential: object = DEFAULT_MIN_POTENTIAL,
    require_signal: bool = True,
) -> Screening:
    """Screen prospects by region, industry, potential and (optionally) a buying signal.

    Every failed criterion is listed as a reason, so a trainee sees all of them at once.
    The shortlist puts companies with a signal first, then larger potential first; ties keep
    the order given.

    >>> s = screen_prospects(SAMPLE_PROSPECTS)
    >>> len(s.shortlist())
    3
    >>> row = next(r for r in s.rows if r.prospect.name == "福州闽江汽车零部件有限公司")
    >>> row.passed, row.reasons
    (False, ('不在目标地区（福建）',))
    >>> screen_prospects(SAMPLE_PROSPECTS, min_potential="-5")
    Traceback (most recent call last):
    ...
    kamcourse.errors.KamcourseError: 采购潜力下限：不能为负数
    >>> screen_prospects(SAMPLE_PROSPECTS, industries=[])
    Traceback (most recent call last):
    ...
    kamcourse.errors.KamcourseError: 目标行业：请至少选择一项
    """
    if not prospects:
        raise KamcourseError("潜在客户名单", "没有客户：请至少列出一家公司")
    chosen_provinces = _choices(provinces, "目标地区")
    chosen_industries = _choices(industries, "目标行业")
    floor = parse_amount(min_potential, POTENTIAL_FIELD)
    checked: list[tuple[Prospect, tuple[str, ...]]] = []
    for p in prospects:
        reasons: list[str] = []
        if p.province not in chosen_provinces:
            reasons.append(f"不在目标地区（{p.province}）")
        if p.industry not in chosen_industries:
            reasons.append(f"不在目标行业（{p.industry}）")
        if p.potential < floor:
            reasons.append(f"采购潜力偏小（约 {_fmt(p.potential)} 万元/年）")
        if require_signal and not p.signal:
            reasons.append("没有公开的采购信号")
        checked.append((p, tuple(reasons)))
    order = sorted(
        (i for i, (_, reasons) in enumerate(checked) if not reasons),
        key=lambda i: (not checked[i][0].signal, -checked[i][0].potential, i),
    )
    ranks = {i: n for n, i in enumerate(order, start=1)}
    rows = tuple(
        ScreenedProspect(p, not reasons, reasons, ranks.get(i)) for i, (p, reasons) in enumerate(checked)
    )
    return Screening(rows, chosen_provinces, chosen_industries, floor, bool(require_signal))


#: Fictional prospects for the JM-500 (module 2's worked case). Potentials are estimates of
#: the yearly spend on measuring equipment, 万元; signals and sources are public.
SAMPLE_PROSPECTS: tuple[Prospect, ...] = (
    Prospect("慈溪衡远汽车部件有限公司", "浙江", "汽车零部件", 1800, "官网公告：新建新能源电机壳体产线", "公司官网新闻"),
    Prospect("宿迁绿野食品有限公司", "江苏", "食品加工", 300, "新厂环评公示", "政府网站公示"),
    Prospect("太仓德宇精密零件有限公司", "江苏", "精密零件", 900, "招聘：三坐标测量编程工程师 2 名", "招聘网站"),
    Prospect("福州闽江汽车零部件有限公司", "福建", "汽车零部件", 1500, "中标主机厂新平台项目", "行业新闻"),
    Prospect("常熟岳成航空结构件有限公司", "江苏", "航空零部件", 1200, "", "行业协会名录"),
    Prospect("宣城敬亭医疗器械有限公司", "安徽", "医疗器械", 650, "展会上表示明年扩建洁净车间", "行业展会交流"),
    Prospect("盐城鹤鸣汽车零部件有限公司", "江苏", "汽车零部件", 400, "通过汽车行业质量管理体系认证", "认证机构公开名录"),
    Prospect("连云港海川化工有限公司", "江苏", "化工", 2000, "扩建公告", "上市公司公告"),
    Prospect("丽水青岚阀门有限公司", "浙江", "通用机械", 350, "", "行业协会名录"),
    Prospect("嘉善华锐电子有限公司", "浙江", "电子制造", 700, "招聘：质量工程师", "招聘网站"),
)


def sample_industries() -> tuple[str, ...]:
    """Industries that occur in the sample list, in first-seen order (the widget's choices).

    >>> sample_industries()[:3]
    ('汽车零部件', '食品加工', '精密零件')
    """
    return tuple(dict.fromkeys(p.industry for p in SAMPLE_PROSPECTS))


def province_choices() -> tuple[str, ...]:
    """The widget's regions: the course's market scope first, then the other sample regions.

    The default scope names 上海 although no sample prospect is there; without its own
    checkbox the widget would silently screen on three of the four regions module 2 names.

    >>> province_choices()
    ('上海', '江苏', '浙江', '安徽', '福建')
    """
    return tuple(dict.fromkeys((*DEFAULT_PROVINCES, *sample_provinces())))


def sample_provinces() -> tuple[str, ...]:
    """Provinces that occur in the sample list, in first-seen order.

    >>> sample_provinces()
    ('浙江', '江苏', '福建', '安徽')
    """
    return tuple(dict.fromkeys(p.province for p in SAMPLE_PROSPECTS))
