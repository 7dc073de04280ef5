"""Module 6: CRM implementation, as small lookups and checks.

DSO and funnel arithmetic live in :mod:`kamcourse.dso` and :mod:`kamcourse.funnel`; this
module only calls them (for the exercise keys). The rest is the course's reference data
with the functions the notebook and the exercises use:

- CRM types by system function (运营型 / 分析型 / 协作型; wisecrm.com) and a classifier for
  example functions;
- the CRM process order of the seed's exam (信息管理 -> 客户价值衡量 -> 活动管理 ->
  实施管理阶段, key BADC; no public source found, the seed's order is kept);
- care tiers A / B / 普通 from a customer's value (the seed gives no numbers, so the
  thresholds are explicit parameters). The seed's example care (a yearly trip for A, holiday
  gifts for B) is not used: the tiers differ by service level, support and training, and any
  gift stays modest, open, recorded and within both companies' policies;
- switching costs, 8 -> 3 groups (Burnham, Frels & Mahajan 2003, JAMS 31(2):109-126);
- the loyalty ladder (梯度忠诚计划: the seed's level one, levels two and three after
  Berry & Parasuraman's three levels of relationship marketing).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from kamcourse.errors import KamcourseError
from kamcourse.tables import Column, parse_amount, parse_number, parse_text, read_table

# ---------------------------------------------------------------------------
# CRM types and functions

#: CRM by system function (wisecrm.com; the seed's exam).
CRM_TYPES: dict[str, str] = {
    "运营型": "支撑一线的日常业务流程：销售、营销和服务的自动化",
    "分析型": "从客户数据中找规律：客户价值、细分、流失预警、交叉销售",
    "协作型": "打通与客户接触的各个渠道和部门，让客户在哪里都得到一致的回应",
}

#: The three business functions CRM covers (the seed).
CRM_FUNCTIONS: dict[str, str] = {
    "销售自动化": "客户与联系人、销售机会、拜访记录、报价与合同，销售漏斗与预测",
    "市场营销": "营销活动的策划、执行与效果跟踪，线索的获取与分配",
    "客户服务": "服务请求与工单、投诉处理、回访与满意度调查",
}

#: Example functions of a CRM system and their type (the course's examples).
CRM_EXAMPLES: dict[str, str] = {
    "销售机会与拜访记录管理": "运营型",
    "营销活动的执行与跟踪": "运营型",
    "服务工单与投诉处理": "运营型",
    "客户价值与利润贡献分析": "分析型",
    "客户流失预警": "分析型",
    "交叉销售的数据挖掘": "分析型",
    "呼叫中心与400热线": "协作型",
    "网站、邮件、微信多渠道统一接待": "协作型",
    "与经销商共享客户信息": "协作型",
}


def crm_type(function: str) -> str:
    """The CRM type of one of the course's example functions.

    >>> crm_type("客户流失预警")
    '分析型'
    >>> crm_type(" 呼叫中心与400热线 ")
    '协作型'
    >>> crm_type("打印工资条")
    Traceback (most recent call last):
    ...
    kamcourse.errors.KamcourseError: CRM 功能：“打印工资条” 不在本课程的例子中
    """
    text = parse_text(function, "CRM 功能")
    if text not in CRM_EXAMPLES:
        raise KamcourseError("CRM 功能", f"“{text}” 不在本课程的例子中")
    return CRM_EXAMPLES[text]


# ---------------------------------------------------------------------------
# The CRM process (the seed's exam key BADC)

#: The four parts of the CRM process, in order (the seed's exam; no public source found).
CRM_PROCESS: tuple[str, ...] = ("信息管理", "客户价值衡量", "活动管理", "实施管理阶段")

#: The options as the seed's exam lists them.
EXAM_PROCESS_OPTIONS: dict[str, str] = {"A": "客户价值衡量", "B": "信息管理", "C": "实施管理阶段", "D": "活动管理"}


@dataclass(frozen=True)
class OrderCheck:
    """Whether a proposed order of the CRM process is right, and where it first goes wrong."""

    correct: bool
    first_wrong: int | None
    expected: tuple[str, ...]

    def message(self) -> str:
        """A Chinese sentence for the page.

        >>> check_process_order("BDAC").message()
        '第 2 步不对：应为“客户价值衡量”。'
        """
        if self.correct:
            return "顺序正确：" + " → ".join(self.expected) + "。"
        return f"第 {self.first_wrong} 步不对：应为“{self.expected[self.first_wrong - 1]}”。"


def check_process_order(steps: str | Sequence[str]) -> OrderCheck:
    """Check an order given as the exam's letters ("B A D C") or as step names.

    >>> check_process_order("b-a-d-c").correct
    True
    >>> check_process_order(["信息管理", "活动管理", "客户价值衡量", "实施管理阶段"]).first_wrong
    2
    >>> check_process_order("BAD")
    Traceback (most recent call last):
    ...
    kamcourse.errors.KamcourseError: CRM 流程：请把 4 个步骤全部排好，收到 3 个
    """
    if isinstance(steps, str):
        letters = [ch for ch in steps.upper() if ch.isalpha()]
        unknown = [ch for ch in letters if ch not in EXAM_PROCESS_OPTIONS]
        if unknown:
            raise KamcourseError("CRM 流程", f"只能用字母 A、B、C、D，出现了“{unknown[0]}”")
        names = [EXAM_PROCESS_OPTIONS[ch] for ch in letters]
    else:
        names = [parse_text(s, "CRM 流程") for s in steps]
        unknown = [n for n in names if n not in CRM_PROCESS]
        if unknown:
            raise KamcourseError("CRM 流程", f"“{unknown[0]}” 不是 CRM 流程的步骤")
    if len(names) != len(CRM_PROCESS):
        raise KamcourseError("CRM 流程", f"请把 {len(CRM_PROCESS)} 个步骤全部排好，收到 {len(names)} 个")
    wrong = [i for i, (got, want) in enumerate(zip(names, CRM_PROCESS), start=1) if got != want]
    return OrderCheck(not wrong, wrong[0] if wrong else None, CRM_PROCESS)


def process_order_key() -> str:
    """The exam's answer, computed from the options: BADC.

    >>> process_order_key()
    'BADC'
    """
    by_name = {name: letter for letter, name in EXAM_PROCESS_OPTIONS.items()}
    return "".join(by_name[name] for name in CRM_PROCESS)


# ---------------------------------------------------------------------------
# Project team and success conditions (the seed)

#: A CRM vendor's project organisation and what each role does (the course's wording).
PROJECT_TEAM: dict[str, str] = {
    "项目经理": "对进度、预算和质量负总责，协调双方资源",
    "业务顾问": "梳理客户的业务流程，提出流程优化和系统需求",
    "产品顾问": "把需求落到 CRM 产品的功能和配置上，培训用户",
    "技术顾问": "负责安装部署、二次开发、数据迁移和系统集成",
}

#: The seven conditions for a successful CRM implementation (the seed's essay question).
SUCCESS_CONDITIONS: dict[str, str] = {
    "高层领导的支持": "有高层出面定目标、给资源、扫障碍",
    "专注于流程": "先理顺业务流程，再用系统固化，而不是只上软件",
    "技术的灵活运用": "技术为业务服务，选合适而不是最贵的",
    "组织良好的团队": "业务、IT 和顾问组成有分工、有权限的项目组",
    "分步实施": "先做最见效的部分，分阶段推进、逐步扩展",
    "系统的整合": "与 ERP、财务、呼叫中心等系统打通，数据不割裂",
    "重视咨询公司的作用": "借助咨询公司的方法和经验少走弯路",
}


# ---------------------------------------------------------------------------
# Customer data

#: Customer data types, the seed's exam key (ABD). No public source confirms this split;
#: a common alternative is 描述类 / 行为类 / 关联类 data.
DATA_TYPES: dict[str, str] = {
    "描述性数据": "客户是谁：名称、行业、规模、地址、组织结构、联系人",
    "交易性数据": "买了什么：订单、金额、时间、付款与回款、退货与投诉",
    "促销型数据": "我们做了什么：营销活动、拜访、赠品与优惠，以及客户的反应",
}


# ---------------------------------------------------------------------------
# Care tiers (客户分级关怀)

TIERS: tuple[str, ...] = ("A", "B", "普通")

#: Care by tier, the course's lawful reading of the seed's example (which gave A-level
#: customers a yearly trip): the tiers differ by service, never by personal benefits.
CARE_BY_TIER: dict[str, str] = {
    "A": "专属客户经理、优先技术支持、年度培训与设备检查",
    "B": "标准技术支持、培训名额、用户交流会邀请",
    "普通": "400 热线、线上资料、节日贺卡",
}


@dataclass(frozen=True)
class CareTier:
    """A customer's care tier and the care that goes with it."""

    customer: str
    value: float
    tier: str
    care: str


def _thresholds(a_min: object, b_min: object) -> tuple[float, float]:
    a = parse_amount(a_min, "A 级门槛")
    b = parse_amount(b_min, "B 级门槛")
    if b > a:
        raise KamcourseError("B 级门槛", f"不能高于 A 级门槛（{a:g}）")
    return a, b


def care_tier(value: object, *, a_min: object, b_min: object, customer: str = "") -> CareTier:
    """Tier A when ``value >= a_min``, B when ``value >= b_min``, else 普通.

    The seed gives no numbers, so the thresholds are always passed explicitly, in the
    same unit as ``value`` (e.g. annual sales in 万元).

    >>> care_tier(3830, a_min=3000, b_min=1500).tier
    'A'
    >>> care_tier(1500, a_min=3000, b_min=1500).care
    '标准技术支持、培训名额、用户交流会邀请'
    >>> care_tier(965, a_min=3000, b_min=1500).tier
    '普通'
    >>> care_tier(100, a_min=1000, b_min=2000)
    Traceback (most recent call last):
    ...
    kamcourse.errors.KamcourseError: B 级门槛：不能高于 A 级门槛（1000）
    """
    a, b = _thresholds(a_min, b_min)
    amount = parse_amount(value, f"{customer} 客户价值" if customer else "客户价值")
    tier = "A" if amount >= a else "B" if amount >= b else "普通"
    return CareTier(customer, amount, tier, CARE_BY_TIER[tier])


@dataclass(frozen=True)
class CarePlan:
    """Care tiers of a customer list (highest value first) and the thresholds used."""

    rows: tuple[CareTier, ...]
    a_min: float
    b_min: float

    def count(self, tier: str) -> int:
        """How many customers are in ``tier``."""
        return sum(1 for c in self.rows if c.tier == tier)


def care_plan(values: Mapping[str, object], *, a_min: object, b_min: object) -> CarePlan:
    """Care tier of every customer, highest value first.

    >>> plan = care_plan({"甲": 50, "乙": 600, "丙": 250}, a_min=500, b_min=200)
    >>> [(c.customer, c.tier) for c in plan.rows], plan.count("普通")
    ([('乙', 'A'), ('丙', 'B'), ('甲', '普通')], 1)
    """
    if not values:
        raise KamcourseError("客户", "至少需要一个客户")
    a, b = _thresholds(a_min, b_min)
    tiers = [care_tier(v, a_min=a, b_min=b, customer=str(k)) for k, v in values.items()]
    return CarePlan(tuple(sorted(tiers, key=lambda c: -c.value)), a, b)


def annual_sales(monthly: Mapping[str, Mapping[str, float]]) -> dict[str, float]:
    """Total sales per customer from customer -> (month -> sales).

    >>> annual_sales({"甲": {"2024-01": 1.5, "2024-02": 2}})
    {'甲': 3.5}
    """
    return {name: float(sum(months.values())) for name, months in monthly.items()}


def sample_annual_sales() -> dict[str, float]:
    """Annual sales (万元) of the sample company's customers, from monthly_sales.csv.

    >>> round(sample_annual_sales()["苏州恒达机械有限公司"])
    1940
    """
    from kamcourse.dso import sample_monthly_sales

    return annual_sales(sample_monthly_sales())


def annual_sales_from_rows(rows: Sequence[Mapping[str, object]]) -> dict[str, float]:
    """Total sales per customer from rows with columns 客户, 销售额 (e.g. monthly_sales.csv).

    >>> annual_sales_from_rows([{"客户": "甲", "销售额": "1,000"}, {"客户": "甲", "销售额": 500}])
    {'甲': 1500.0}
    """
    totals: dict[str, float] = {}
    for number, row in enumerate(rows, start=2):
        name = parse_text(row.get("客户"), f"第 {number} 行“客户”")
        if not name:
            raise KamcourseError(f"第 {number} 行“客户”", "不能为空")
        totals[name] = totals.get(name, 0.0) + parse_amount(row.get("销售额"), f"第 {number} 行“销售额”")
    if not totals:
        raise KamcourseError("客户", "表中没有客户")
    return totals


#: Columns of a customer-value upload: monthly or annual rows, summed per customer.
CARE_COLUMNS: tuple[Column, ...] = (
    Column("客户", ("customer", "客户名称", "公司")),
    Column("销售额", ("sales", "年销售额", "金额", "amount"), "number"),
)


def read_annual_sales(data: bytes, filename: str) -> dict[str, float]:
    """Sales per customer from an uploaded CSV/XLSX with columns 客户, 销售额.

    >>> read_annual_sales("客户,月份,销售额\\n甲,2024-01,100\\n甲,2024-02,50\\n".encode(), "s.csv")
    {'甲': 150.0}
    """
    return annual_sales_from_rows(read_table(data, filename, CARE_COLUMNS))


def load_annual_sales(path: str | None = None) -> dict[str, float]:
    """Sales per customer from a CSV/XLSX path, or the sample company when ``path`` is None.

    >>> load_annual_sales(None) == sample_annual_sales()
    True
    >>> load_annual_sales("no/such/file.csv")
    Traceback (most recent call last):
    ...
    kamcourse.errors.KamcourseError: 销售数据文件：找不到文件“no/such/file.csv”
    """
    if path is None:
        return sample_annual_sales()
    from pathlib import Path

    file = Path(path)
    if not file.is_file():
        raise KamcourseError("销售数据文件", f"找不到文件“{path}”")
    return read_annual_sales(file.read_bytes(), file.name)


# ---------------------------------------------------------------------------
# Satisfaction survey (客户满意度调查)

#: The steps of a satisfaction survey. The seed keeps step 1 (定义问题和对象) and step 5
#: (收集数据); the other steps are the course's, after common practice.
SURVEY_STEPS: tuple[str, ...] = (
    "定义问题和对象",
    "确定调查内容和指标",
    "选择调查方法",
    "设计问卷和抽样",
    "收集数据",
    "分析数据、评价满意度",
    "制订并落实改进措施",
)


# ---------------------------------------------------------------------------
# Switching costs (Burnham, Frels & Mahajan 2003)

#: The three groups, in the seed's words (Burnham et al.: procedural, financial, relational).
SWITCHING_GROUPS: dict[str, str] = {
    "程序": "程序转换成本",
    "财政": "财政转换成本",
    "情感": "情感转换成本",
}

#: The eight costs of the seed and their group.
SWITCHING_COSTS: dict[str, str] = {
    "经济风险成本": "程序",
    "评估成本": "程序",
    "学习成本": "程序",
    "组织调整成本": "程序",
    "利益损失成本": "财政",
    "金钱损失成本": "财政",
    "个人关系损失成本": "情感",
    "品牌关系损失成本": "情感",
}

#: What each cost is, in the course's words (after Burnham et al. 2003).
SWITCHING_COST_MEANING: dict[str, str] = {
    "经济风险成本": "换了供应商，担心新产品不好用、出问题的风险",
    "评估成本": "寻找、比较新供应商要花的时间和精力",
    "学习成本": "学会用新产品、新流程要花的时间和精力",
    "组织调整成本": "为新供应商调整设备、流程、接口的投入",
    "利益损失成本": "放弃老供应商的积分、折扣、返点等累积的好处",
    "金钱损失成本": "换供应商时一次性的花费：新的押金、安装费、违约金",
    "个人关系损失成本": "与原供应商的熟人关系就此中断",
    "品牌关系损失成本": "放弃了自己认同的品牌和它代表的身份",
}

#: Other spellings: the seed's "经济转换成本" and its typo "平估成本".
SWITCHING_ALIASES: dict[str, str] = {
    "经济转换成本": "经济风险成本",
    "经济风险": "经济风险成本",
    "平估成本": "评估成本",
}


def switching_cost_group(cost: str) -> str:
    """The group (程序 / 财政 / 情感) of one of the eight switching costs.

    >>> switching_cost_group("学习成本")
    '程序'
    >>> switching_cost_group("金钱损失成本")
    '财政'
    >>> switching_cost_group("经济转换成本")  # the seed's name for economic risk
    '程序'
    >>> switching_cost_group("时间成本")
    Traceback (most recent call last):
    ...
    kamcourse.errors.KamcourseError: 转换成本：“时间成本” 不在八种转换成本之中
    """
    text = parse_text(cost, "转换成本").replace(" ", "")
    text = SWITCHING_ALIASES.get(text, text)
    if text not in SWITCHING_COSTS:
        raise KamcourseError("转换成本", f"“{text}” 不在八种转换成本之中")
    return SWITCHING_COSTS[text]


def switching_cost_key() -> dict[str, str]:
    """The sorting of the eight costs (the m6 exercise key).

    >>> sorted(set(switching_cost_key().values()))
    ['情感', '程序', '财政']
    """
    return {cost: switching_cost_group(cost) for cost in SWITCHING_COSTS}


# ---------------------------------------------------------------------------
# Loyalty ladder (梯度忠诚计划)


@dataclass(frozen=True)
class LoyaltyLevel:
    level: int
    name: str
    bond: str
    means: str


#: Level one is the seed's; levels two and three follow Berry & Parasuraman's levels of
#: relationship marketing (financial, social, structural bonds).
LOYALTY_LEVELS: tuple[LoyaltyLevel, ...] = (
    LoyaltyLevel(1, "一级阶梯忠诚计划", "财务利益", "价格刺激，或用额外的利益奖励（返点、积分、折扣）"),
    LoyaltyLevel(2, "二级阶梯忠诚计划", "社会利益", "在财务利益之外建立人与人的联系：专属客户经理、客户俱乐部、个性化关怀"),
    LoyaltyLevel(3, "三级阶梯忠诚计划", "结构性联系", "为客户提供难以替代的增值方案：系统对接、定制服务、共同投资"),
)

#: Example loyalty measures and their level (the course's examples).
LOYALTY_EXAMPLES: dict[str, int] = {
    "按年采购量返点": 1,
    "积分兑换服务（积分归客户单位）": 1,
    "老客户价格优惠": 1,
    "客户俱乐部": 2,
    "专属客户经理与节日关怀": 2,
    "定期举办用户交流会": 2,
    "与客户系统对接、共享库存数据": 3,
    "为客户定制检测方案并派驻工程师": 3,
}


def loyalty_level(measure: str) -> LoyaltyLevel:
    """The ladder level of one of the course's example measures.

    >>> loyalty_level("积分兑换服务（积分归客户单位）").bond
    '财务利益'
    >>> loyalty_level("与客户系统对接、共享库存数据").level
    3
    """
    text = parse_text(measure, "忠诚计划措施")
    if text not in LOYALTY_EXAMPLES:
        raise KamcourseError("忠诚计划措施", f"“{text}” 不在本课程的例子中")
    return LOYALTY_LEVELS[LOYALTY_EXAMPLES[text] - 1]


# ---------------------------------------------------------------------------
# Keys computed for the exercises (kamcourse/data/exercises/m6.yaml)

#: m6/t1: a new customer (客户B): receivables at 2023-03-31 and monthly sales (万元).
EXERCISE_DSO_CASE: tuple[float, dict[str, float]] = (
    1000.0,
    {"2023-03": 450.0, "2023-02": 400.0, "2023-01": 300.0, "2022-12": 500.0},
)

#: One week's funnel figures (万元) for :func:`check_progress_answer` (kept for its callers; the m6
#: exercise file no longer asks for 销售进展, the m6 quiz does).
EXERCISE_PROGRESS: dict[str, float] = {
    "forecast_this_week": 820.0,
    "forecast_last_week": 760.0,
    "booked_this_week": 350.0,
    "booked_last_week": 300.0,
    "quarter_quota": 1000.0,
}

#: m6/t3: five customers' annual sales (万元) and the thresholds given in the task.
EXERCISE_CARE: tuple[dict[str, float], float, float] = (
    {"甲公司": 820.0, "乙公司": 150.0, "丙公司": 500.0, "丁公司": 260.0, "戊公司": 199.0},
    500.0,
    200.0,
)


def exercise_dso_days() -> float:
    """Countback DSO of the exercise customer, by :func:`kamcourse.dso.countback_dso`.

    >>> exercise_dso_days()
    74.5
    """
    from kamcourse.dso import countback_dso

    receivables, sales = EXERCISE_DSO_CASE
    return countback_dso(receivables, sales).days


def exercise_progress_percent() -> float:
    """销售进展 of the exercise week in percent, by :func:`kamcourse.funnel.sales_progress`.

    >>> exercise_progress_percent()
    11.0
    """
    from kamcourse.funnel import sales_progress

    return round(sales_progress(**EXERCISE_PROGRESS).progress * 100, 6)


def check_progress_answer(answer: object) -> tuple[bool, str]:
    """Checker for a 销售进展 answer: "11%", "11" and 0.11 are all read as 11%.

    >>> check_progress_answer("11%")[0], check_progress_answer(0.11)[0], check_progress_answer(12)[0]
    (True, True, False)
    >>> check_progress_answer("十一")[1]
    '答案格式：请填写一个数字（百分数），例如 12.5 或 12.5%。'
    """
    percent_sign = isinstance(answer, str) and answer.strip().endswith(("%", "％"))
    raw = answer.strip().rstrip("%％") if isinstance(answer, str) else answer
    try:
        value = parse_number(raw, "销售进展")
    except KamcourseError:
        return False, "答案格式：请填写一个数字（百分数），例如 12.5 或 12.5%。"
    key = exercise_progress_percent()
    candidates = [value] if percent_sign else [value, value * 100]
    if any(abs(c - key) <= 0.05 for c in candidates):
        return True, f"正确！本周销售进展为本季度销售任务的 {key:g}%。"
    return False, (
        "不对。提示：销售进展 = [(本周销售预计 - 上周销售预计) + (本周累计销售额 - 上周累计销售额)]"
        " ÷ 本季度销售任务，回顾“销售漏斗与销售进展”一节。"
    )


def exercise_care_key() -> dict[str, str]:
    """Care tier of each exercise customer, by :func:`care_plan`.

    >>> exercise_care_key()
    {'甲公司': 'A', '乙公司': '普通', '丙公司': 'A', '丁公司': 'B', '戊公司': '普通'}
    """
    values, a_min, b_min = EXERCISE_CARE
    tiers = {c.customer: c.tier for c in care_plan(values, a_min=a_min, b_min=b_min).rows}
    return {name: tiers[name] for name in values}


def exercise_crm_type_key() -> dict[str, str]:
    """CRM type of four of the course's example functions.

    >>> exercise_crm_type_key()["客户流失预警"]
    '分析型'
    """
    asked = ("销售机会与拜访记录管理", "客户流失预警", "呼叫中心与400热线", "客户价值与利润贡献分析")
    return {name: crm_type(name) for name in asked}


#: m6/t9 (销售预测): another company's team (an industrial software vendor): its open
#: opportunities (name, 万元, stage with the default win rates), the quarter's quota and what is
#: booked so far (万元). Not the sample company, whose own funnel the notebook's calculator shows.
EXERCISE_FORECAST: tuple[tuple[tuple[str, float, str], ...], float, float] = (
    (
        ("佛山顺德电器 生产管理软件", 200.0, "商务谈判"),
        ("东莞长安模具 质量追溯系统", 80.0, "方案呈现"),
        ("中山火炬照明 仓储管理软件", 100.0, "初步接触"),
        ("珠海金湾船舶 设备点检软件", 40.0, "赢单待签"),
    ),
    900.0,
    560.0,
)


def exercise_forecast_gap() -> float:
    """The gap between the quota still to make and 销售预计, by :mod:`kamcourse.funnel`.

    >>> exercise_forecast_gap()
    104.0
    """
    from kamcourse.funnel import Opportunity, forecast_gap, weighted_forecast

    rows, quota, booked = EXERCISE_FORECAST
    forecast = weighted_forecast([Opportunity(name, amount, stage) for name, amount, stage in rows])
    return round(forecast_gap(forecast.total, quota, booked).gap, 6)


def exercise_care_labels() -> list[str]:
    """The care tiers of the exercise customers as a list in the task's order.

    >>> exercise_care_labels()
    ['A', '普通', 'A', 'B', '普通']
    """
    return list(exercise_care_key().values())
