"""Chinese glyphs in every chart the course draws.

Matplotlib's bundled DejaVu Sans has no CJK glyphs, and matplotlib does not pick up a
system CJK font by itself (its font cache may predate the font's install), so the font
file is registered explicitly here, in one place. The setup installs Debian's
``fonts-wqy-microhei`` (Apache-2.0 or GPL-3 with font exception, 1.6 MB); Noto Sans CJK
and any font that fontconfig lists for ``:lang=zh`` are accepted as well.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import warnings
from functools import lru_cache
from pathlib import Path

#: Environment variable that points at a CJK font file to use instead of the search.
FONT_ENV = "KAMCOURSE_CJK_FONT"

KNOWN_FONT_FILES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/System/Library/Fonts/PingFang.ttc",
    "C:/Windows/Fonts/msyh.ttc",
)


def _conda_font_files() -> list[Path]:
    fonts_dir = Path(sys.prefix) / "fonts"
    if not fonts_dir.is_dir():
        return []
    return sorted(p for p in fonts_dir.iterdir() if "cjk" in p.name.lower() or "wqy" in p.name.lower())


def _fontconfig_font_files() -> list[Path]:
    if shutil.which("fc-list") is None:
        return []
    try:
        out = subprocess.run(
            ["fc-list", ":lang=zh", "file"], capture_output=True, text=True, timeout=10, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    files = [Path(line.split(":")[0].strip()) for line in out.splitlines() if line.strip()]
    return sorted(f for f in files if f.suffix.lower() in {".ttf", ".ttc", ".otf"})


def find_cjk_font_file() -> Path | None:
    """Return the path of a font file with Chinese glyphs, or None when there is none."""
    override = os.environ.get(FONT_ENV)
    if override and Path(override).is_file():
        return Path(override)
    for candidate in KNOWN_FONT_FILES:
        if Path(candidate).is_file():
            return Path(candidate)
    for found in (*_conda_font_files(), *_fontconfig_font_files()):
        if found.is_file():
            return found
    return None


@lru_cache(maxsize=1)
def use_chinese_font() -> str | None:
    """Register a CJK font with matplotlib and make it the default sans-serif font.

    Returns the family name in use, or None (with one warning in Chinese) when the
    machine has no CJK font. Safe to call many times.
    """
    import matplotlib
    from matplotlib import font_manager

    font_file = find_cjk_font_file()
    if font_file is None:
        warnings.warn(
            "未找到中文字体，图表中的中文可能显示为方框。请运行 ./kc start 安装字体"
            "（Debian/Ubuntu: apt-get install fonts-wqy-microhei）。",
            RuntimeWarning,
            stacklevel=2,
        )
        return None
    font_manager.fontManager.addfont(str(font_file))
    family = font_manager.FontProperties(fname=str(font_file)).get_name()
    matplotlib.rcParams["font.family"] = "sans-serif"
    sans = [f for f in matplotlib.rcParams["font.sans-serif"] if f != family]
    matplotlib.rcParams["font.sans-serif"] = [family, *sans]
    # The CJK font's hyphen-minus is fine; U+2212 may be missing from it.
    matplotlib.rcParams["axes.unicode_minus"] = False
    return family
