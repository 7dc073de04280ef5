"""讲义手册: widget snapshots, the static site (driven in Chromium) and the PDFs (rendered with poppler)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import ipywidgets as widgets
import nbformat
import pytest

from conftest import ROOT
from kamcourse import handouts

CODE_MARKERS = ("import ", "from kamcourse", "_view(", "exercise_task(", "def ", "print(", "None", "papermill")


@pytest.mark.parametrize(
    "widget, expected",
    [
        (widgets.HTML("<p>结果：75.5 天</p>"), "<p>结果：75.5 天</p>"),
        (widgets.Label("提示"), "<p>提示</p>"),
        (widgets.Text(value="1500", description="应收账款"), '<span class="kc-label">应收账款</span>：1500'),
        (widgets.Dropdown(options=["认识", "约会"], value="约会", description="关系阶段"), "关系阶段</span>：约会"),
        (widgets.Dropdown(options=[("（请选择）", None), ("背景问题", "S"), ("难点问题", "P")], value=None, description="第 1 项"),
         "第 1 项</span>：＿＿＿＿（背景问题／难点问题）"),
        (widgets.RadioButtons(options=["甲", "乙"], description="选择"), "<li>甲</li><li>乙</li>"),
        (widgets.Checkbox(description="我的问题问的是后果"), "☐ 我的问题问的是后果"),
        (widgets.Textarea(description="你的回答"), 'class="kc-blank"'),
        (widgets.Button(description="检查"), ""),
        (widgets.FileUpload(description="上传"), ""),
        (widgets.VBox([widgets.Button(description="检查")]), ""),
        (widgets.HTML("<b>隐藏</b>", layout=widgets.Layout(display="none")), ""),
    ],
)
def test_widget_snapshots(widget, expected):
    rendered = handouts.widget_html(widget)
    if expected:
        assert expected in rendered
    else:
        assert rendered == ""


def test_a_chart_snapshot_is_an_image_with_a_text_alternative():
    png = (ROOT / "kamcourse").glob("**/*.png")
    data = next(png, None)
    raw = data.read_bytes() if data else b"\x89PNG\r\n\x1a\n" + b"0" * 20
    image = widgets.Image(value=raw, format="png")
    image.alt = "DSO 75.5 天，计入 4 月、3 月和 2 月"
    rendered = handouts.widget_html(image)
    assert rendered.startswith('<img class="kc-chart" alt="DSO 75.5 天，计入 4 月、3 月和 2 月" src="data:image/png;base64,')


def test_links_between_notebooks_point_at_pages_and_others_lose_their_target():
    pages = [handouts.Page("course/01_mindset.ipynb", "m1", "心态", "m1"),
             handouts.Page("exercises/01_mindset_exercises.ipynb", "m1-exercises", "练习", "m1")]
    body = ('<a href="../exercises/01_mindset_exercises.ipynb">练习</a>'
            '<a href="dashboards/dso.ipynb">DSO</a><a href="https://example.org">外部</a>')
    out = handouts.relink(body, pages[0], pages)
    assert 'href="m1-exercises.html"' in out
    assert 'href="#" data-kc-offline="1">DSO' in out
    assert 'href="https://example.org"' in out


def test_clean_keeps_snapshots_and_drops_code_widgets_and_errors():
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("pareto_view()")
    cell.outputs = [
        nbformat.v4.new_output("display_data", data={handouts.WIDGET_VIEW: {"model_id": "x"}, "text/plain": "VBox()",
                                                      "text/html": "<div>快照</div>"}),
        nbformat.v4.new_output("error", ename="ValueError", evalue="x", traceback=["Traceback"]),
        nbformat.v4.new_output("stream", name="stderr", text="warning"),
    ]
    nb.cells = [nbformat.v4.new_markdown_cell("# 标题"), cell]
    body = handouts.notebook_body(nb)
    assert "快照" in body and "标题" in body
    assert "pareto_view" not in body and "Traceback" not in body and "warning" not in body and "VBox()" not in body


needs_tools = pytest.mark.skipif(
    shutil.which("pdftoppm") is None or shutil.which("pdftotext") is None or shutil.which("pdffonts") is None,
    reason="poppler-utils not installed; ./kc test installs it",
)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The whole course's handout, built once with the real command's function."""
    out = tmp_path_factory.mktemp("handouts")
    report = handouts.build(out, progress=lambda *_: None)
    return out, report


@needs_tools
@pytest.mark.slow
def test_the_site_has_a_page_per_notebook_and_no_code(built):
    out, report = built
    pages = handouts.course_pages(ROOT)
    assert {p.name for p in report.pages} == {f"{p.slug}.html" for p in pages}
    assert len(pages) >= 13  # start page, six modules with their exercises
    for page in report.pages:
        text = handouts.plain_text(page.read_text(encoding="utf-8"))
        for marker in CODE_MARKERS:
            assert marker not in text, (page.name, marker)
        assert "Traceback" not in text and "参考答案：" not in text, page.name


@needs_tools
@pytest.mark.slow
def test_the_pdfs_have_real_chinese_text_embedded_fonts_and_no_code(built, tmp_path):
    out, report = built
    names = sorted(p.name for p in report.pdfs)
    assert "讲义手册_全课程.pdf" in names
    assert {f"讲义手册_模块{n}.pdf" for n in "一二三四五六"} <= set(names)
    for pdf in report.pdfs:
        fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
        assert re.search(r"(WenQuanYi|Noto).*\byes\b", fonts), (pdf.name, fonts)  # the CJK font is embedded
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
        assert "\ufffd" not in text and "□" not in text, pdf.name  # no missing-glyph boxes
        assert "学习目标" in text or pdf.name.endswith("全课程.pdf")
        for marker in CODE_MARKERS:
            assert marker not in text, (pdf.name, marker)
    module = out / "pdf" / "讲义手册_模块四.pdf"
    subprocess.run(["pdftoppm", "-r", "30", "-png", str(module), str(tmp_path / "p")], check=True)
    from matplotlib import image

    rendered = sorted(tmp_path.glob("p*.png"))
    assert len(rendered) >= 3
    inked = [image.imread(str(p))[..., :3].std() > 0.02 for p in rendered]
    assert sum(inked) >= len(rendered) - 1, "pages are not blank"


@needs_tools
@pytest.mark.slow
@pytest.mark.browser
def test_the_site_navigates_and_searches_in_chromium_on_a_phone(built):
    from playwright.sync_api import sync_playwright

    from helpers import CHROMIUM_ARGS, chromium_path

    out, _ = built
    index = (out / "site" / "index.html").as_uri()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 390, "height": 844})
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(index)
        assert "课程首页" in page.title()
        # readable on a phone: nothing wider than the screen
        assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1
        page.get_by_role("navigation", name="目录").get_by_role("link", name=re.compile("心态与思维方式$")).click()
        page.wait_for_url(re.compile(r"m1\.html$"))
        assert page.locator("main h1").first.inner_text().startswith("模块一")
        assert page.locator("main img.kc-chart").count() >= 1  # the default chart, as an image
        page.get_by_role("searchbox", name="搜索讲义手册").fill("明确需求")
        results = page.locator("#kc-results")
        results.wait_for(state="visible")
        assert "找到" in results.inner_text()
        results.get_by_role("link").first.click()
        page.wait_for_load_state("load")
        assert "明确需求" in page.locator("main").inner_text()
        assert not errors, errors
        browser.close()
