"""The worked FFAB example of module 3 as a widget: the customer's words, the assembled
statement and its checklist, with no code for the trainee to read.

A thin view over :func:`kamcourse.ffab.example_statement`; it reuses the builder's
:func:`kamcourse.views.ffab.render_statement`.
"""

from __future__ import annotations

import html

import ipywidgets as widgets

from kamcourse import ffab
from kamcourse.views.ffab import render_statement


def ffab_example() -> widgets.HTML:
    """The module's worked FFAB statement (宁波海瑞, JM-500) with its checks."""
    statement = ffab.example_statement()
    rows = "".join(
        f"<tr><td style='padding:2px 8px'><b>{ffab.PART_NAMES[part]}</b></td>"
        f"<td style='padding:2px 8px'>{html.escape(getattr(statement, part))}</td></tr>"
        for part in ffab.PARTS
    )
    view = widgets.HTML(
        f"<p><b>客户的原话：</b>“{html.escape(statement.customer_need)}”</p>"
        f"<table>{rows}</table>{render_statement(statement)}"
    )
    view.add_class("kc-ffab-example")
    return view
