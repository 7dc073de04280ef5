"""Module 3's worked FFAB example: the running case (about 8 minutes, under the customer's
10), all checks passed, shown as a widget without code."""

from __future__ import annotations

from kamcourse import ffab
from kamcourse.views.ffab_example import ffab_example


def test_example_follows_the_running_case():
    statement = ffab.example_statement()
    assert statement.ready and statement.suggestions == ()
    assert "10 分钟以内" in statement.customer_need and "半个小时" in statement.customer_need
    assert "8 分钟" in statement.benefit and "10 分钟以内" in statement.benefit
    assert "半小时内" not in statement.text


def test_bank_benefits_follow_the_running_case():
    bank = ffab.load_statement_bank()
    texts = " ".join(item.text for item in bank.items)
    assert "半小时内" not in texts and "8 分钟" in texts
    assert "样本公司" in bank.product


def test_example_widget_shows_need_layers_and_checks():
    view = ffab_example()
    statement = ffab.example_statement()
    for part in ffab.PARTS:
        assert getattr(statement, part) in view.value
    assert statement.customer_need in view.value
    assert "可以拿去练习了" in view.value and "✘" not in view.value
