"""The S/P/I/N question classifier (kamcourse.spin.classify): the course's banks, a table of
questions from other conversations, and properties (never raises, reason names the cue)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kamcourse import spin
from kamcourse.spin import classify, classify_question


def test_every_bank_question_is_classified_as_keyed():
    for item in spin.load_questions().items:
        assert classify(item.text) == item.label, item.text


@pytest.mark.parametrize(
    "question, code",
    [
        # background: facts and data
        ("贵厂现在有几条生产线？", "S"),
        ("你们的检测报告现在是怎么交给客户的？", "S"),
        ("贵公司现在有多少个销售网点？", "S"),
        ("这批零件一般多久换一次型？", "S"),
        ("测量机是哪一年买的", "S"),
        ("您这边谁负责设备选型？", "S"),
        # problem: difficulties, dissatisfaction
        ("手工记录数据的时候，出过差错吗？", "P"),
        ("现在的测量设备，哪些地方让您不太满意？", "P"),
        ("现在的系统在月底对账时经常出错吗？", "P"),
        ("新人学测量编程，难处在哪里？", "P"),
        ("换型的时候最让您头疼的是什么？", "P"),
        ("检测能跟上生产的节奏吗？还是经常跟不上？", "P"),
        ("首件送到计量室以后，要等多久才有结果？产线等得起吗？", "P"),
        ("现在的测量程序是谁来编？人手够不够？", "P"),
        ("现在月底对账时，经常对不上吗？", "P"),
        ("有什么让您不满意的地方吗？", "P"),
        ("调度时找不到车在哪里，这种情况多吗？", "P"),
        # implication: consequences of the problem
        ("一份检测报告出错被客户退回，要多花多少返工成本？", "I"),
        ("检测跟不上，会不会影响你们拿下新项目？", "I"),
        ("如果对账出错，会不会拖慢回款，影响公司的现金流？", "I"),
        ("如果孔距超差的零件再流到主机厂，会对你们的供应商评级有什么影响？", "I"),
        ("首件检测要排队，会不会耽误你们给主机厂交货？", "I"),
        ("产线每停一小时，损失大概是多少？", "I"),
        ("月底汇总抄错数据，会给您带来什么麻烦？", "I"),
        ("这种延误如果一直解决不了，对明年的订单意味着什么？", "I"),
        ("抄错的数据要是流到客户那里，后果会有多严重？", "I"),
        ("这个问题不解决，明年主机厂审核的时候会怎样？", "I"),
        ("这样下去，交期还能保证吗？", "I"),
        ("这种情况会不会让主机厂不满？", "I"),
        ("如果一个月以内还解决不了，会有什么后果？", "I"),
        # need-payoff: value of a solution
        ("如果检测报告能自动生成、直接发给客户，能为您省下多少时间？", "N"),
        ("要是换型时不用再等检测，对您完成今年的产量目标有什么帮助？", "N"),
        ("如果月底对账能自动完成，对您的团队有什么帮助？", "N"),
        ("如果首件检测 10 分钟以内就能出结果，对您的交期有什么影响？", "N"),
        ("假如新人一周就能独立编程，这对您意味着什么？", "N"),
        ("把测量数据直接导进 MES，对您的质量追溯有什么好处？", "N"),
        ("一台机器放在产线旁边，值得吗？", "N"),
        ("如果首件检测 10 分钟以内出结果，会怎样？", "N"),
        ("如果首件检测提速，产能能提高多少？", "N"),
        # not a question
        ("我们的设备重复精度为 ±1.5 微米。", ""),
        ("首件检测排队会造成损失", ""),
        ("", ""),
        ("   ", ""),
    ],
)
def test_classify_table(question, code):
    assert classify(question) == code


def test_reason_names_the_deciding_word():
    result = classify_question("产线停下来等检测结果，每班会少出多少产量？")
    assert (result.code, result.name, result.cue) == ("I", "暗示问题", "少出")
    assert "“少出”" in result.reason
    background = classify_question("贵厂现在有几条生产线？")
    assert background.cue == "" and "背景问题" in background.reason


def test_negated_ability_keeps_the_problem_going():
    """“如果……不能……” is a problem that goes on, not a solved state."""
    assert classify("如果下个月还是不能按时交货，会有什么后果？") == "I"
    assert classify("如果下个月能按时交货，会有什么好处？") == "N"


def test_non_text_input_is_read_as_text():
    assert classify(None) == ""
    assert classify(12345) == ""


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_classify_never_raises_and_always_explains(text):
    result = classify_question(text)
    assert result.code in {"", "S", "P", "I", "N"}
    assert result.reason
    assert result.name == (spin.SPIN_NAMES.get(result.code, "") if result.code else "")


# ---------------------------------------------------------------- the checker widget


def test_question_checker_widget_reads_typed_questions():
    from kamcourse.views.spin_classify import spin_question_checker

    view = spin_question_checker()
    view.box.value = "首件检测要排队，会不会耽误你们给主机厂交货？"
    assert view.result.code == "I" and "暗示问题" in view.output.value and "耽误" in view.output.value
    view.box.value = "我们的设备很好"
    assert view.result is None and view.message.kind == "info" and "还不是一个问题" in view.message.text
    view.box.value = "如果首件检测 10 分钟以内就能出结果，对您有什么帮助？"
    assert view.result.code == "N" and view.message.kind == ""
    view.button.click()
    assert view.result.code == "N"
