"""Module 5, 合规: the compliance self-check (kamcourse.relationship_compliance), its widget,
and the exercise whose keys it computes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kamcourse import relationship_compliance as comp
from kamcourse.errors import KamcourseError
from kamcourse.exercises import load_exercises, verdict
from kamcourse.views.relationship_compliance import ComplianceCheckView, compliance_check_view

SEVERITY = {v: i for i, v in enumerate(comp.VERDICTS)}
ALWAYS_REFUSED = ("现金或现金等价物", "旅游或私人行程", "对方的保密信息")
GIFT_LIKE = ("礼品", "招待", "业务考察或培训")


@pytest.mark.parametrize(
    "kind, policy, recorded, pending, public, expected",
    [
        ("礼品", "是", True, False, False, "可以"),
        ("礼品", "否", True, False, False, "不可以"),
        ("礼品", "是", False, False, False, "不可以"),
        ("礼品", "是", True, True, False, "不可以"),
        ("礼品", "是", True, False, True, "先请示"),
        ("礼品", "不清楚", True, False, False, "先请示"),
        ("招待", "是", True, True, False, "先请示"),
        ("招待", "是", True, False, True, "先请示"),
        ("招待", "否", True, False, True, "不可以"),
        ("业务考察或培训", "是", True, False, False, "可以"),
        ("旅游或私人行程", "是", True, False, False, "不可以"),
        ("现金或现金等价物", "是", True, False, False, "不可以"),
        ("对方的保密信息", "是", True, False, False, "不可以"),
        ("折扣或佣金", "是", True, True, True, "可以"),
        ("折扣或佣金", "是", False, False, False, "不可以"),
        ("折扣或佣金", "否", True, False, False, "先请示"),
        ("折扣或佣金", "不清楚", True, False, False, "先请示"),
    ],
)
def test_assess_table(kind, policy, recorded, pending, public, expected):
    result = comp.assess(comp.Gesture(kind, policy, recorded, pending, public))
    assert result.verdict == expected
    assert result.reasons and all(result.reasons)
    assert result.alternative


gestures = st.builds(
    comp.Gesture,
    kind=st.sampled_from(comp.KINDS),
    within_policies=st.sampled_from(comp.POLICY_ANSWERS),
    open_and_recorded=st.booleans(),
    decision_pending=st.booleans(),
    public_sector=st.booleans(),
)


@given(gestures)
def test_cash_travel_and_confidential_information_are_never_allowed(g):
    if g.kind in ALWAYS_REFUSED:
        result = comp.assess(g)
        assert result.verdict == "不可以"
        assert "第八条" in result.reasons[0] or "商业秘密" in result.reasons[0]


@given(gestures)
def test_allowed_only_within_policies_open_recorded_and_outside_a_decision(g):
    result = comp.assess(g)
    if result.allowed and g.kind in GIFT_LIKE:
        assert g.within_policies == "是" and g.open_and_recorded
        assert not g.decision_pending and not g.public_sector
    if result.allowed and g.kind == "折扣或佣金":
        assert g.open_and_recorded and g.within_policies == "是"


@given(gestures, st.sampled_from(["policy", "recorded", "pending", "public"]))
def test_a_worse_fact_never_gives_a_milder_verdict(g, worsen):
    worse = {
        "policy": comp.Gesture(g.kind, "否", g.open_and_recorded, g.decision_pending, g.public_sector),
        "recorded": comp.Gesture(g.kind, g.within_policies, False, g.decision_pending, g.public_sector),
        "pending": comp.Gesture(g.kind, g.within_policies, g.open_and_recorded, True, g.public_sector),
        "public": comp.Gesture(g.kind, g.within_policies, g.open_and_recorded, g.decision_pending, True),
    }[worsen]
    assert SEVERITY[comp.assess(worse).verdict] >= SEVERITY[comp.assess(g).verdict]


@pytest.mark.parametrize(
    "args, field",
    [
        (("红包",), "做法"),
        (("礼品", "大概"), "在双方公司政策之内"),
        (("礼品", "是", "也许"), "公开并登记"),
        (("礼品", "是", "是", 3), "客户正在做采购决定"),
        (("礼品", "是", "是", "否", None), "对方是国家机关或国有企业"),
    ],
)
def test_bad_choices_are_refused_naming_the_field(args, field):
    with pytest.raises(KamcourseError) as err:
        comp.assess_choices(*args)
    assert err.value.field == field


def test_the_exercise_states_the_cases_the_core_judges():
    task = {t.id: t for t in load_exercises("m5").tasks}["t5"]
    assert list(task.prompts) == comp.exercise_case_prompts()
    assert list(task.key) == comp.exercise_case_key()
    assert set(task.key) == set(comp.VERDICTS) == set(task.labels)
    assert verdict(task, list(task.key)).passed


def test_view_follows_the_core_and_shows_reasons_and_alternative():
    view = compliance_check_view()
    assert isinstance(view, ComplianceCheckView)
    assert view.assessment == comp.assess(comp.Gesture("礼品"))
    view.pending.value = "是"
    assert view.assessment.verdict == "不可以"
    assert "不可以" in view.result.value and comp.ALTERNATIVES["礼品"] in view.result.value
    view.kind.value = "折扣或佣金"
    assert view.assessment.verdict == "可以"
    view.recorded.value = "否"
    assert view.assessment.verdict == "不可以" and "第八条" in view.result.value
    assert view.message.kind == ""


def test_every_control_has_a_visible_chinese_name():
    view = ComplianceCheckView()
    names = [c.description for c in (view.kind, view.policy, view.recorded, view.pending, view.public)]
    assert all(names) and len(set(names)) == len(names)
