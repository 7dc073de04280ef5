"""Every chart shows real Chinese glyphs: no 'Glyph ... missing from font' warning."""

from __future__ import annotations

import io
import warnings

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from kamcourse import fonts  # noqa: E402


def _render(text: str) -> list[str]:
    fig, ax = plt.subplots()
    ax.set_title(text)
    ax.bar(["一月", "二月"], [600, 500], label="销售额（万元）")
    ax.legend()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.savefig(io.BytesIO(), format="png")
        fig.savefig(io.BytesIO(), format="svg")
    plt.close(fig)
    return [str(w.message) for w in caught if "missing from" in str(w.message)]


def test_a_cjk_font_is_installed_and_found():
    assert fonts.find_cjk_font_file() is not None, "setup should install fonts-wqy-microhei"


@pytest.mark.parametrize("text", ["应收账款平均回收期（倒算法）", "销售漏斗 · 销售进展 −5%", "大客户销售与客户关系管理"])
def test_chinese_text_renders_without_missing_glyphs(text):
    family = fonts.use_chinese_font()
    assert family
    assert _render(text) == []


def test_without_registration_the_default_font_would_miss_glyphs():
    # Guards the test above: DejaVu Sans alone really lacks CJK glyphs.
    with matplotlib.rc_context({"font.family": "DejaVu Sans"}):
        assert _render("应收账款") != []


def test_the_font_override_variable_is_honoured(monkeypatch, tmp_path):
    font = fonts.find_cjk_font_file()
    monkeypatch.setenv(fonts.FONT_ENV, str(font))
    assert fonts.find_cjk_font_file() == font
    monkeypatch.setenv(fonts.FONT_ENV, str(tmp_path / "missing.ttf"))
    assert fonts.find_cjk_font_file() is not None
