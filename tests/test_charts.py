"""kamcourse.charts: every chart updated in place draws what a new chart draws, skips work
that did not change, shows real Chinese glyphs and says in words what it shows.

Speed is measured in benchmarks/bench.py (``--only charts``), not asserted here; the
counters (``builds``, ``layouts``, ``backgrounds``, ``renders``) show which work was done.
"""

from __future__ import annotations

import io
import subprocess
import sys
import warnings

import numpy as np
import pytest
from PIL import Image

from conftest import ROOT
from helpers import PNG_MAGIC

from kamcourse import charts, crm, dso, ffab, funnel, pareto, relationship as rel, segmentation as seg
from kamcourse.views.progress import ProgressRow

# -- sample data: a sequence of inputs per chart, as a trainee would produce them ----------------------


def dso_data(receivables=1500, method="countback", march=500):
    _, sales = dso.seed_example()
    sales = {**sales, "2012-03": march}
    return dso.countback_dso(receivables, sales), dso.simple_dso(receivables, sales), method


def funnel_data(quota=600, first_amount=None, stages=funnel.DEFAULT_STAGES):
    opportunities = funnel.sample_opportunities()
    if first_amount is not None:
        first = opportunities[0]
        opportunities[0] = funnel.Opportunity(first.name, first_amount, first.stage)
    forecast = funnel.weighted_forecast(opportunities, stages, 8, 5)
    return forecast, funnel.forecast_gap(forecast.total, quota, 180)


def pareto_data(a_cut=0.8, b_cut=0.95):
    sales = pareto.sample_sales()
    return pareto.pareto(sales, target=a_cut), pareto.abc_classes(sales, a_cut, b_cut)


def segmentation_data(potential="", share=""):
    return (seg.segment_table(seg.sample_accounts(), potential, share),)


def relationship_data(drop=0):
    contacts = rel.load_sample_contacts()
    return (rel.relationship_map(contacts[drop:]),)


def care_data(a_min=3000, b_min=1500):
    return (crm.care_plan(crm.sample_annual_sales(), a_min=a_min, b_min=b_min),)


def progress_data(passed=1):
    return ((ProgressRow("m1", "模块一 心态与思维方式", "exercises/01.ipynb", passed, 3, (), ()),
             ProgressRow("m2", "模块二 客户需求", "exercises/02.ipynb", 0, 0, (), ())),)


def loss_data():
    return (tuple(ffab.communication_loss()),)


SEQUENCES = {
    "countback": (charts.CountbackChart, [
        dso_data(), dso_data(1200), dso_data(3000), dso_data(900, march=450), dso_data(20000),
        dso_data(1700, "simple"), dso_data(1500),
    ]),
    "funnel": (charts.FunnelChart, [
        funnel_data(), funnel_data(700), funnel_data(100), funnel_data(5000), funnel_data(600, 300),
        funnel_data(600, stages=funnel.DEFAULT_STAGES[:4] + (funnel.Stage("赢单待签", 0.8),)),
    ]),
    "pareto": (charts.ParetoChart, [pareto_data(), pareto_data(0.7, 0.9), pareto_data(0.6, 0.99)]),
    "segmentation": (charts.SegmentationChart, [segmentation_data(), segmentation_data("300", "0.3"),
                                                segmentation_data("50", "0.6")]),
    "relationship": (charts.RelationshipChart, [relationship_data(), relationship_data(2)]),
    "care": (charts.CareChart, [care_data(), care_data(2000, 1000), care_data(5000, 100)]),
    "progress": (charts.ProgressChart, [progress_data(), progress_data(2)]),
    "communication loss": (charts.CommunicationLossChart, [loss_data()]),
}


def pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)


def differing(png_a: bytes, png_b: bytes) -> float:
    """Share of the pixels of ``a`` that match no pixel of ``b`` within one pixel.

    A chart keeps the layout it computed while the margins' signature is unchanged, so
    an axes may sit a pixel away from where a new chart's layout puts it; anything drawn
    wrongly (a stale bar, label or colour) differs by more than that.
    """
    a, b = pixels(png_a), pixels(png_b)
    assert a.shape == b.shape
    padded = np.pad(b, ((1, 1), (1, 1), (0, 0)), mode="edge")
    height, width = a.shape[:2]
    best = np.full((height, width), 10**9)
    for dy in (0, 1, 2):
        for dx in (0, 1, 2):
            shifted = padded[dy:dy + height, dx:dx + width]
            best = np.minimum(best, np.abs(a - shifted).sum(axis=2))
    return float((best > 60).mean())


@pytest.mark.parametrize("name", SEQUENCES)
def test_a_chart_updated_in_place_draws_what_a_new_chart_draws(name):
    chart_class, sequence = SEQUENCES[name]
    live = chart_class()
    for data in sequence:
        assert live.show(*data)
        fresh = chart_class()
        fresh.show(*data)
        assert bytes(live.image.value).startswith(PNG_MAGIC)
        share = differing(bytes(live.image.value), bytes(fresh.image.value))
        assert share < 0.001, f"{name}: {share:.2%} of the pixels differ from a new chart"
        assert live.image.tooltip == fresh.image.tooltip
    assert live.renders == len(sequence)


@pytest.mark.parametrize("name", SEQUENCES)
def test_showing_the_same_data_again_does_no_work(name):
    chart_class, sequence = SEQUENCES[name]
    chart = chart_class()
    assert chart.show(*sequence[0])
    png, counts = chart.image.value, (chart.builds, chart.layouts, chart.backgrounds, chart.renders)
    assert not chart.show(*sequence[0])
    assert chart.image.value == png
    assert (chart.builds, chart.layouts, chart.backgrounds, chart.renders) == counts


def test_a_new_receivables_figure_changes_artists_not_the_figure_or_its_layout():
    chart = charts.CountbackChart()
    chart.show(*dso_data())
    figure, bars = chart.figure, list(chart.sales_bars)
    assert (chart.builds, chart.layouts, chart.backgrounds) == (1, 1, 1)
    chart.show(*dso_data(1200))
    chart.show(*dso_data(1300))
    assert chart.figure is figure and list(chart.sales_bars) == bars
    assert (chart.builds, chart.layouts, chart.backgrounds, chart.renders) == (1, 1, 1, 3)
    assert chart.ax.title.get_text().endswith(f"共 {dso.countback_dso(1300, dso.seed_example()[1]).days:.1f} 天")


def test_a_wider_axis_label_reruns_the_layout_and_another_method_rebuilds():
    chart = charts.CountbackChart()
    chart.show(*dso_data())
    chart.show(*dso_data(march=50000))  # the value axis reaches 50,000: wider tick labels
    assert chart.layouts == 2  # on new artists, so that the layout is a new chart's
    chart.show(*dso_data(march=50001))
    assert chart.layouts == 2
    builds = chart.builds
    chart.show(*dso_data(method="simple"))
    assert (chart.builds, chart.layouts) == (builds + 1, 3)


def test_a_label_moved_to_the_edge_gets_room():
    chart = charts.CareChart()
    chart.show(*care_data())
    chart.show(*care_data(5000, 100))  # "A 级门槛 5000" now sits at the right edge
    assert chart.layouts == 2 and chart._texts_fit()


def test_funnel_quota_changes_redraw_over_the_saved_background():
    chart = charts.FunnelChart()
    for quota in (600, 650, 700, 720):
        chart.show(*funnel_data(quota))
    assert (chart.builds, chart.layouts, chart.backgrounds, chart.renders) == (1, 1, 1, 4)
    chart.show(*funnel_data(720, stages=funnel.DEFAULT_STAGES[:4] + (funnel.Stage("赢单待签", 0.8),)))
    assert chart.backgrounds == 2  # a stage's label changed: the static part is drawn again


@pytest.mark.parametrize("name", SEQUENCES)
def test_every_chart_shows_real_chinese_glyphs(name):
    chart_class, sequence = SEQUENCES[name]
    chart = chart_class()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for data in sequence:
            chart.show(*data)
    assert [str(w.message) for w in caught if "missing from" in str(w.message)] == []


@pytest.mark.parametrize("name", SEQUENCES)
def test_every_chart_says_what_it_shows(name):
    chart_class, sequence = SEQUENCES[name]
    chart = chart_class()
    texts = []
    for data in sequence:
        chart.show(*data)
        texts.append(chart.image.tooltip)
        assert chart.image.tooltip.startswith("图：") and chart.image.tooltip.endswith("。")
    assert len(set(texts)) == len({repr(d) for d in sequence})  # other data, other words


def test_the_dso_text_alternative_gives_the_result_and_the_months_counted():
    chart = charts.CountbackChart()
    chart.show(*dso_data())
    assert chart.image.tooltip == ("图：倒算法：DSO = 75.5 天（截至 2012-04-30）；从最近的月份往前冲抵，计入 3 个月："
                                   "2012-04 计 30 天、2012-03 计 31 天、2012-02 计 14.5 天；未用到：2012-01。")
    chart.show(*dso_data(method="simple"))
    simple = dso.simple_dso(*dso.seed_example())
    assert f"= {simple.days:.1f} 天" in chart.image.tooltip and "2012-01 600 万元" in chart.image.tooltip


def test_the_funnel_text_alternative_gives_forecast_stages_and_gap():
    forecast, gap = funnel_data()
    chart = charts.FunnelChart()
    chart.show(forecast, gap)
    assert f"销售预计 {forecast.total:,.1f} 万元" in chart.image.tooltip
    assert f"缺口 {gap.gap:,.1f} 万元" in chart.image.tooltip
    for stage in forecast.by_stage:
        assert f"{stage.stage}（赢率 {charts.percent_text(stage.probability)}）{stage.count} 个" in chart.image.tooltip


def test_the_one_off_functions_draw_the_same_chart():
    png = charts.figure_png(charts.countback_chart(*dso_data()))
    live = charts.CountbackChart()
    live.show(*dso_data())
    assert differing(png, bytes(live.image.value)) < 0.001


def test_the_figure_helpers_still_resolve_from_the_views():
    from kamcourse.views import common

    assert common.figure_png is charts.figure_png and common.chart_image is charts.chart_image
    with pytest.raises(AttributeError):
        common.no_such_helper  # noqa: B018


def test_importing_the_charts_does_not_import_matplotlib_or_widgets():
    code = ("import sys, kamcourse.charts; "
            "print(sorted(m for m in ('matplotlib', 'ipywidgets') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_nothing_switches_the_process_to_another_backend():
    import matplotlib

    backend = matplotlib.get_backend()
    charts.CountbackChart().show(*dso_data())
    charts.figure_png(charts.funnel_chart(*funnel_data()))
    assert matplotlib.get_backend() == backend
