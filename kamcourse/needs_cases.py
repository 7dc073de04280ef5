"""Keys for module 2's exercises and inline checks, computed by the topic cores.

A key that follows from a rule (the attack/defend quadrant, a Kano category, a Kraljic
quadrant, a resource split, a prospect screen) is computed here from the same code the
module's widgets use, so the exercise and the widget cannot disagree. Matching keys are
lists of labels in prompt order; choice keys are option letters.
"""

from __future__ import annotations

from kamcourse import needs_prospects as prospects
from kamcourse import segmentation as seg


def _letters(indices: list[int]) -> str:
    return "".join(chr(ord("A") + i) for i in sorted(indices))


def segmentation_labels() -> list[str]:
    """m2 t1: the strategy of each exercise customer (prompt order = ``seg.EXERCISE_CUSTOMERS``).

    >>> segmentation_labels()
    ['进攻', '维持', '防御', '放弃', '进攻', '维持']
    """
    key = seg.segmentation_exercise_key()
    return [key[name] for name in seg.EXERCISE_CUSTOMERS]


def kano_labels() -> list[str]:
    """m2 t7: the category of each feature of ``seg.KANO_EXERCISE``, in the 讲义's words
    where it has one (迷人/期望/当然质量), else the Kano name.

    >>> kano_labels()
    ['期望质量', '无差异质量', '迷人质量', '当然质量']
    """
    labels = []
    for _feature, functional, dysfunctional in seg.KANO_EXERCISE:
        category = seg.kano_category(functional, dysfunctional)
        labels.append(category.seed_name or category.name)
    return labels


def kraljic_labels() -> list[str]:
    """m2 t8: the Kraljic quadrant of each purchase of ``seg.KRALJIC_EXERCISE``.

    >>> kraljic_labels()
    ['瓶颈产品', '战略产品', '常规产品', '杠杆产品']
    """
    return [seg.kraljic(impact, risk).name for _item, impact, risk in seg.KRALJIC_EXERCISE]


#: m2 t10: a regional manager's customers per quadrant, and the weights when a competitor
#: comes after the defended customers (防御 raised from 2 to 3).
ALLOCATION_COUNTS: dict[str, int] = {seg.ATTACK: 3, seg.DEFEND: 5, seg.MAINTAIN: 8, seg.GIVE_UP: 4}
ALLOCATION_WEIGHTS: dict[str, float] = {seg.ATTACK: 3, seg.DEFEND: 3, seg.MAINTAIN: 1, seg.GIVE_UP: 0}


def defend_units() -> float:
    """m2 t10: units of a budget of 10 that go to 防御, rounded to 0.1.

    3x3 + 5x3 + 8x1 = 32 shares; 防御 gets 15/32 of 10.

    >>> defend_units()
    4.7
    """
    allocation = seg.allocate_resources(ALLOCATION_COUNTS, ALLOCATION_WEIGHTS, 10)
    return round(allocation.units()[seg.DEFEND], 1)


def prospect_options() -> list[str]:
    """The sample prospects' names, in the order the choice tasks list them.

    >>> len(prospect_options())
    10
    """
    return [p.name for p in prospects.SAMPLE_PROSPECTS]


def first_two_prospects_letters() -> str:
    """Module 2 inline check c1: the two companies to visit first under the default screen.

    >>> first_two_prospects_letters()
    'AC'
    """
    names = prospect_options()
    top = prospects.screen_prospects(prospects.SAMPLE_PROSPECTS).shortlist()[:2]
    return _letters([names.index(n) for n in top])


#: m2 t9: this year the company works only in Jiangsu and Zhejiang, adds electronics to the
#: target industries and lowers the potential floor to 300 万元; a public signal is still required.
TRANSFER_PROVINCES: tuple[str, ...] = ("江苏", "浙江")
TRANSFER_INDUSTRIES: tuple[str, ...] = (*prospects.DEFAULT_INDUSTRIES, "电子制造")
TRANSFER_MIN_POTENTIAL = 300


def transfer_shortlist_letters() -> str:
    """m2 t9: the companies that pass the changed screen, as option letters.

    >>> transfer_shortlist_letters()
    'ACGJ'
    """
    names = prospect_options()
    result = prospects.screen_prospects(
        prospects.SAMPLE_PROSPECTS, TRANSFER_PROVINCES, TRANSFER_INDUSTRIES, TRANSFER_MIN_POTENTIAL, True
    )
    return _letters([names.index(n) for n in result.shortlist()])
