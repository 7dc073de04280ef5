"""HTML pages to PDF through headless Chromium (the handouts and the certificates).

Chromium is Debian's (``./kc`` installs the ``chromium`` package), driven by Playwright with
an explicit executable path: ``playwright install`` cannot download a browser on a machine
without internet, and nbconvert's ``webpdf`` exporter only looks for Playwright's own
download. Chromium lays out Chinese text with the system's CJK font (WenQuanYi Micro Hei,
``fonts-wqy-microhei``) and embeds it in the PDF.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

from kamcourse.errors import KamcourseError

#: Debian's Chromium without a display, sandbox or network chatter.
CHROMIUM_ARGS = (
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
)
CHROMIUM_ENV = "KAMCOURSE_CHROMIUM"


def chromium_path() -> str | None:
    """``KAMCOURSE_CHROMIUM``, else the operating system's Chromium, else None."""
    configured = os.environ.get(CHROMIUM_ENV)
    if configured:
        return configured
    for candidate in ("/usr/bin/chromium", "/usr/bin/chromium-browser", shutil.which("chromium") or ""):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


@dataclass(frozen=True)
class PrintJob:
    """One HTML file printed to one PDF file."""

    html: Path
    pdf: Path
    landscape: bool = False
    #: CSS page size; None keeps the page's own ``@page`` rule or A4.
    paper: str | None = "A4"


def print_to_pdf(jobs: Sequence[PrintJob] | Iterable[PrintJob]) -> list[Path]:
    """Print each job's HTML page to its PDF with one browser; returns the PDFs written.

    Waits until the page's images and web fonts have loaded, so charts and Chinese glyphs
    are in the PDF. Raises :class:`KamcourseError` (in Chinese) when no Chromium is found.
    """
    jobs = list(jobs)
    if not jobs:
        return []
    executable = chromium_path()
    if executable is None:
        raise KamcourseError("Chromium", f"找不到浏览器。请安装 Debian 的 chromium 软件包，或用环境变量 {CHROMIUM_ENV} 指定它的路径")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:  # the print extra is not installed
        raise KamcourseError("Playwright", "没有安装。请运行 pip install \"kamcourse[print]\"") from exc

    written: list[Path] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=list(CHROMIUM_ARGS))
        try:
            page = browser.new_page()
            for job in jobs:
                page.goto(job.html.resolve().as_uri(), wait_until="load")
                page.evaluate("document.fonts.ready.then(() => true)")
                job.pdf.parent.mkdir(parents=True, exist_ok=True)
                options: dict = {"path": str(job.pdf), "print_background": True, "landscape": job.landscape,
                                 "prefer_css_page_size": job.paper is None}
                if job.paper:
                    options["format"] = job.paper
                page.pdf(**options)
                written.append(job.pdf)
        finally:
            browser.close()
    return written
