"""讲义手册 (handouts): the course as a static, searchable HTML site and as PDFs.

``kamcourse handouts`` executes the course notebooks (the start page, the six modules with
their exercises, the capstone and the glossary), turns every widget into a static snapshot of
its default state (charts as images, tables, the questions and options of an exercise task but
never its answer), drops all code, and writes:

- ``site/``: one page per notebook with a navigation bar and a client-side search over every
  page (works from ``file://`` and from any static web server; readable on a phone);
- ``pdf/``: one PDF per module (the module and its exercises) and one for the whole course,
  printed by Debian's Chromium (:mod:`kamcourse.pdf`) with the system's Chinese font.

Tool choice (see the README): nbconvert's HTML exporter plus Chromium's print was chosen over
Jupyter Book 2 / MyST (a Node.js tool whose site theme and PDF templates are downloaded at build
time, which a classroom machine without internet cannot do) and over LaTeX (a CJK TeX setup is
about 1 GB). Everything used here is already a dependency of the course or of its tests.

In a notebook kernel, :func:`static_mode` makes every displayed widget also carry an HTML
snapshot; JupyterLab still shows the live widget, nbconvert shows the snapshot.
"""

from __future__ import annotations

import base64
import copy
import html
import json
import re
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Sequence

from kamcourse.paths import course_root

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
SITE_TITLE = "大客户销售与客户关系管理 · 讲义手册"
CHINESE_NUMBERS = {"m1": "一", "m2": "二", "m3": "三", "m4": "四", "m5": "五", "m6": "六"}


# ---------------------------------------------------------------- widget snapshots (in the kernel)


def _escape(value: Any) -> str:
    return html.escape(str(value))


def _alt_text(image: Any) -> str:
    for attribute in ("alt", "tooltip", "description"):
        value = getattr(image, attribute, None)
        if value:
            return str(value)
    return "图表"


def _output_html(output_widget: Any) -> str:
    parts = []
    for output in getattr(output_widget, "outputs", ()):
        data = output.get("data", {}) if isinstance(output, dict) else {}
        if "image/png" in data:
            parts.append(f'<img class="kc-chart" alt="图表" src="data:image/png;base64,{data["image/png"]}">')
        elif "text/html" in data:
            parts.append(data["text/html"])
        elif output.get("output_type") == "stream":
            parts.append(f"<pre>{_escape(output.get('text', ''))}</pre>")
        elif "text/plain" in data:
            parts.append(f"<pre>{_escape(data['text/plain'])}</pre>")
    return "".join(parts)


def widget_html(widget: Any) -> str:
    """A static HTML rendering of a widget tree in its current state.

    Inputs show their label and current value, choice widgets list their options, buttons and
    upload controls are left out (nothing can be pressed on paper).

    >>> import ipywidgets as w
    >>> box = w.VBox([w.HTML("<b>结果</b>"), w.Dropdown(options=["鹰", "狐"], description="类型"), w.Button(description="检查")])
    >>> widget_html(box)
    '<div class="kc-widget"><b>结果</b><div class="kc-field"><span class="kc-label">类型</span>：鹰</div></div>'
    """
    import ipywidgets as w

    if not getattr(widget, "layout", None) or getattr(widget.layout, "display", None) == "none":
        return ""
    if isinstance(widget, (w.Button, w.FileUpload)):
        return ""
    if isinstance(widget, (w.HTML, w.HTMLMath)):
        return str(widget.value)
    if isinstance(widget, w.Label):
        return f"<p>{_escape(widget.value)}</p>"
    if isinstance(widget, w.Image):
        if not widget.value:
            return ""
        fmt = widget.format or "png"
        mime = "image/svg+xml" if fmt.startswith("svg") else f"image/{fmt}"
        data = base64.b64encode(bytes(widget.value)).decode("ascii")
        return f'<img class="kc-chart" alt="{_escape(_alt_text(widget))}" src="data:{mime};base64,{data}">'
    if isinstance(widget, w.Output):
        return _output_html(widget)
    if isinstance(widget, (w.Accordion, w.Tab)):
        titles = [widget.get_title(i) if hasattr(widget, "get_title") else "" for i in range(len(widget.children))]
        return "".join(f"<h4>{_escape(t)}</h4>{widget_html(c)}" for t, c in zip(titles, widget.children))
    if isinstance(widget, w.Box):
        inner = "".join(widget_html(child) for child in widget.children)
        return f'<div class="kc-widget">{inner}</div>' if inner else ""
    label = getattr(widget, "description", "") or ""
    head = f'<span class="kc-label">{_escape(label)}</span>：' if label else ""
    if isinstance(widget, (w.RadioButtons, w.SelectMultiple, w.Select, w.ToggleButtons)) or (
        isinstance(widget, w.Dropdown) and not label
    ):
        options = [str(o[0] if isinstance(o, tuple) else o) for o in widget.options]
        items = "".join(f"<li>{_escape(o)}</li>" for o in options)
        return f'<div class="kc-field">{head}<ul class="kc-options">{items}</ul></div>'
    if isinstance(widget, w.Checkbox):
        return f'<div class="kc-field">☐ {_escape(label)}</div>'
    if isinstance(widget, w.Textarea):
        return f'<div class="kc-field">{head}<div class="kc-blank"></div></div>'
    if isinstance(widget, w.Dropdown):
        chosen = widget.label if widget.label is not None else ""
        if widget.value in (None, "") or chosen.startswith("（"):  # nothing chosen: a blank and the choices
            choices = [str(o[0] if isinstance(o, tuple) else o) for o in widget.options]
            choices = [c for c in choices if c and not c.startswith("（")]
            return f'<div class="kc-field">{head}＿＿＿＿（{_escape("／".join(choices))}）</div>'
        return f'<div class="kc-field">{head}{_escape(chosen)}</div>'
    if hasattr(widget, "value"):
        return f'<div class="kc-field">{head}{_escape(widget.value)}</div>'
    return ""


def static_mode() -> None:
    """Register the snapshot as every widget's HTML representation in this IPython kernel."""
    import ipywidgets as w
    from IPython import get_ipython

    shell = get_ipython()
    if shell is not None:
        shell.display_formatter.formatters["text/html"].for_type(w.Widget, widget_html)


# ---------------------------------------------------------------- the pages


@dataclass(frozen=True)
class Page:
    """One notebook of the handout."""

    source: str  # path relative to the course root
    slug: str
    title: str
    module: str  # "front", "m1".."m6", "capstone", "back"


def course_pages(root: Path | None = None) -> list[Page]:
    """The handout's pages in reading order, from ``course/outline.yaml``."""
    import yaml

    root = root or course_root()
    pages = [Page("course/00_start.ipynb", "index", "课程首页", "front")]
    outline = yaml.safe_load((root / "course" / "outline.yaml").read_text(encoding="utf-8"))
    for module in outline.get("modules", []):
        number = str(module["id"])
        for key, suffix, label in (("notebook", "", ""), ("exercises", "-exercises", "练习")):
            relative = module.get(key)
            if relative and (root / relative).is_file():
                pages.append(Page(relative, f"{number}{suffix}", f"{module.get('title', number)}{('·' + label) if label else ''}", number))
    for relative, slug, title, part in (("exercises/07_capstone.ipynb", "capstone", "结业项目", "capstone"),
                                        ("course/glossary.ipynb", "glossary", "术语表", "back")):
        if (root / relative).is_file():
            pages.append(Page(relative, slug, title, part))
    return pages


def execute_for_handout(notebook_path: Path, timeout: int = 600) -> Any:
    """Run a notebook top to bottom with widget snapshots on; returns the executed notebook."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(str(notebook_path), as_version=4)
    setup = nbformat.v4.new_code_cell("import kamcourse.handouts as _kc_handouts\n_kc_handouts.static_mode()")
    setup.metadata["kamcourse_handout_setup"] = True
    nb.cells.insert(0, setup)
    NotebookClient(nb, timeout=timeout, kernel_name="python3",
                   resources={"metadata": {"path": str(notebook_path.parent)}}).execute()
    nb.cells = [c for c in nb.cells if not c.metadata.get("kamcourse_handout_setup")]
    return nb


def _clean(nb: Any) -> Any:
    """No code, no prompts, no live widgets, no tracebacks: what a reader of the handout sees."""
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        kept = []
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                continue
            if output.get("output_type") == "stream" and output.get("name") == "stderr":
                continue
            data = output.get("data")
            if data is not None:
                data.pop(WIDGET_VIEW, None)
                if "text/html" in data or "image/png" in data:
                    data.pop("text/plain", None)
                if not data:
                    continue
            kept.append(output)
        cell.outputs = kept
    nb.metadata.pop("widgets", None)
    return nb


def notebook_body(nb: Any) -> str:
    """The notebook as an HTML fragment (nbconvert's ``basic`` template, inputs excluded)."""
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="basic", exclude_input=True, exclude_input_prompt=True,
                            exclude_output_prompt=True, anchor_link_text="")
    body, _ = exporter.from_notebook_node(_clean(nb))
    # links between notebooks point at the handout's pages
    return body


_LINK = re.compile(r'href="([^"#]+\.ipynb)(#[^"]*)?"')


def relink(body: str, page: Page, pages: Sequence[Page]) -> str:
    """``../exercises/01_mindset_exercises.ipynb`` → ``m1-exercises.html``; links to notebooks
    that are not in the handout (the dashboards) lose their link but keep their text."""
    by_source = {p.source: p for p in pages}
    base = Path(page.source).parent

    def swap(match: re.Match) -> str:
        target = (base / match.group(1)).as_posix()
        target = re.sub(r"[^/]+/\.\./", "", target)
        found = by_source.get(target)
        return f'href="{found.slug}.html{match.group(2) or ""}"' if found else 'href="#" data-kc-offline="1"'

    return _LINK.sub(swap, body)


def plain_text(body: str) -> str:
    """The page's text for the search index."""
    text = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", body, flags=re.S)
    text = re.sub(r"<img[^>]*>", " ", text)
    text = re.sub(r"<[^>]+>", " ", text)
    return re.sub(r"\s+", " ", html.unescape(text)).strip()


# ---------------------------------------------------------------- the site


STYLE = """
:root { --ink: #1f2933; --muted: #52606d; --accent: #0b5cad; --line: #d9e2ec; }
* { box-sizing: border-box; }
body { margin: 0; font-family: "WenQuanYi Micro Hei", "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif;
       color: var(--ink); line-height: 1.75; font-size: 16px; }
header { position: sticky; top: 0; background: #fff; border-bottom: 1px solid var(--line); padding: .5rem 1rem; z-index: 2;
         display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; }
header .brand { font-weight: bold; margin-right: auto; color: var(--ink); text-decoration: none; }
header input { font: inherit; padding: .3rem .5rem; border: 1px solid #7b8794; border-radius: 4px; min-width: 12rem; }
nav { border-bottom: 1px solid var(--line); padding: .4rem 1rem; font-size: .95rem; }
nav a { display: inline-block; margin: .15rem .6rem .15rem 0; color: var(--accent); }
nav a[aria-current="page"] { font-weight: bold; color: var(--ink); text-decoration: none; }
main { max-width: 52rem; margin: 0 auto; padding: 1rem; }
main img { max-width: 100%; height: auto; }
table { border-collapse: collapse; display: block; overflow-x: auto; max-width: 100%; }
th, td { border: 1px solid var(--line); padding: .25rem .5rem; vertical-align: top; }
pre { white-space: pre-wrap; }
.kc-widget { border: 1px solid var(--line); border-radius: 6px; padding: .5rem .75rem; margin: .75rem 0; background: #f8fafc; }
.kc-label { color: var(--muted); }
.kc-blank { border-bottom: 1px dashed #7b8794; height: 4.5em; }
#kc-results { max-width: 52rem; margin: 0 auto; padding: 0 1rem; }
#kc-results li { margin: .4rem 0; }
#kc-results mark { background: #ffe08a; }
.kc-pager { display: flex; justify-content: space-between; border-top: 1px solid var(--line); margin-top: 2rem; padding-top: .5rem; }
footer { color: var(--muted); font-size: .85rem; text-align: center; padding: 1rem; }
@media (max-width: 600px) { body { font-size: 15px; } header input { min-width: 0; width: 100%; } }
@media print {
  header, nav, #kc-results, .kc-pager, footer { display: none !important; }
  main { max-width: none; padding: 0; }
  .kc-chapter { break-before: page; }
  .kc-chapter:first-child { break-before: auto; }
  h1, h2, h3 { break-after: avoid; }
  img, tr, .kc-field { break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
}
@page { size: A4; margin: 16mm 14mm; }
"""

SEARCH_JS = """
(function () {
  var input = document.getElementById('kc-search');
  var list = document.getElementById('kc-results');
  if (!input || !list || !window.KC_INDEX) return;
  function snippet(text, at, len) {
    var start = Math.max(0, at - 30), end = Math.min(text.length, at + len + 50);
    var esc = function (s) { return s.replace(/[&<>"]/g, function (c) { return {'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'}[c]; }); };
    return (start > 0 ? '…' : '') + esc(text.slice(start, at)) + '<mark>' + esc(text.slice(at, at + len)) + '</mark>' +
           esc(text.slice(at + len, end)) + (end < text.length ? '…' : '');
  }
  input.addEventListener('input', function () {
    var q = input.value.trim();
    list.innerHTML = '';
    if (!q) { list.hidden = true; return; }
    var hits = [];
    window.KC_INDEX.forEach(function (page) {
      var at = page.text.indexOf(q);
      var inTitle = page.title.indexOf(q) >= 0;
      if (at >= 0 || inTitle) hits.push({page: page, at: at, score: (inTitle ? 0 : 1)});
    });
    hits.sort(function (a, b) { return a.score - b.score; });
    var head = document.createElement('p');
    head.textContent = hits.length ? ('找到 ' + hits.length + ' 页包含“' + q + '”：') : ('没有找到“' + q + '”。');
    list.appendChild(head);
    var ul = document.createElement('ul');
    hits.forEach(function (hit) {
      var li = document.createElement('li');
      li.innerHTML = '<a href="' + hit.page.url + '">' + hit.page.title + '</a><br><small>' +
        (hit.at >= 0 ? snippet(hit.page.text, hit.at, q.length) : '') + '</small>';
      ul.appendChild(li);
    });
    list.appendChild(ul);
    list.hidden = false;
  });
})();
"""


def _nav(pages: Sequence[Page], current: Page | None) -> str:
    links = []
    for p in pages:
        current_attr = ' aria-current="page"' if current is not None and p.slug == current.slug else ""
        links.append(f'<a href="{p.slug}.html"{current_attr}>{_escape(p.title)}</a>')
    return '<nav aria-label="目录">' + "".join(links) + "</nav>"


def site_page(title: str, body: str, pages: Sequence[Page], current: Page | None, *, search: bool = True) -> str:
    """A whole HTML page of the site (also what gets printed)."""
    pager = ""
    if current is not None:
        i = next(k for k, p in enumerate(pages) if p.slug == current.slug)
        prev = f'<a href="{pages[i - 1].slug}.html">← {_escape(pages[i - 1].title)}</a>' if i > 0 else "<span></span>"
        nxt = f'<a href="{pages[i + 1].slug}.html">{_escape(pages[i + 1].title)} →</a>' if i + 1 < len(pages) else "<span></span>"
        pager = f'<div class="kc-pager">{prev}{nxt}</div>'
    search_box = ('<input id="kc-search" type="search" aria-label="搜索讲义手册" placeholder="搜索，例如 明确需求"'
                  ' autocomplete="off">') if search else ""
    scripts = '<script src="search-index.js"></script><script src="search.js"></script>' if search else ""
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_escape(title)} · {SITE_TITLE}</title><link rel="stylesheet" href="style.css"></head>
<body><header><a class="brand" href="index.html">{SITE_TITLE}</a>{search_box}</header>
{_nav(pages, current)}<div id="kc-results" role="region" aria-live="polite" hidden></div>
<main>{body}{pager}</main>
<footer>本手册由课程笔记本生成：图表显示的是小工具的默认结果；练习只列出题目，答案请在笔记本中作答后查看。</footer>
{scripts}</body></html>
"""


@dataclass
class BuildReport:
    site: Path
    pages: list[Path] = field(default_factory=list)
    pdfs: list[Path] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)


def build(out: Path, root: Path | None = None, pdf: bool = True, only: Iterable[str] | None = None,
          progress=print) -> BuildReport:
    """Execute, render and print the handout into ``out`` (``site/`` and ``pdf/``)."""
    root = root or course_root()
    pages = course_pages(root)
    if only:
        wanted = set(only)
        pages = [p for p in pages if p.module in wanted or p.slug in wanted or p.module == "front"]
    out = Path(out)
    site = out / "site"
    if site.exists():
        shutil.rmtree(site)
    site.mkdir(parents=True)
    report = BuildReport(site)
    started = time.perf_counter()
    bodies: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="kamcourse-handout-home-") as home:
        import os

        saved = os.environ.get("KAMCOURSE_HOME")
        os.environ["KAMCOURSE_HOME"] = home  # a blank trainee: no progress shown in the handout
        try:
            for page in pages:
                progress(f"运行 {page.source}")
                nb = execute_for_handout(root / page.source)
                bodies[page.slug] = relink(notebook_body(nb), page, pages)
        finally:
            if saved is None:
                os.environ.pop("KAMCOURSE_HOME", None)
            else:
                os.environ["KAMCOURSE_HOME"] = saved
    report.seconds["execute"] = time.perf_counter() - started

    started = time.perf_counter()
    (site / "style.css").write_text(STYLE, encoding="utf-8")
    (site / "search.js").write_text(SEARCH_JS, encoding="utf-8")
    index = [{"url": f"{p.slug}.html", "title": p.title, "text": plain_text(bodies[p.slug])} for p in pages]
    (site / "search-index.js").write_text("window.KC_INDEX = " + json.dumps(index, ensure_ascii=False) + ";\n", encoding="utf-8")
    for page in pages:
        path = site / f"{page.slug}.html"
        path.write_text(site_page(page.title, bodies[page.slug], pages, page), encoding="utf-8")
        report.pages.append(path)
    report.seconds["site"] = time.perf_counter() - started

    if pdf:
        from kamcourse.pdf import PrintJob, print_to_pdf

        started = time.perf_counter()
        print_dir = out / "print"
        print_dir.mkdir(parents=True, exist_ok=True)
        shutil.copy(site / "style.css", print_dir / "style.css")
        jobs = []
        groups = [("全课程", pages)] + [
            (f"模块{CHINESE_NUMBERS[m]}", [p for p in pages if p.module == m]) for m in CHINESE_NUMBERS
        ]
        for name, members in groups:
            members = [p for p in members]
            if not members:
                continue
            chapters = "".join(f'<section class="kc-chapter">{bodies[p.slug]}</section>' for p in members)
            page_path = print_dir / f"{name}.html"
            page_path.write_text(site_page(name, chapters, pages, None, search=False), encoding="utf-8")
            jobs.append(PrintJob(page_path, out / "pdf" / f"讲义手册_{name}.pdf", paper=None))
        progress("打印 PDF")
        report.pdfs = print_to_pdf(jobs)
        report.seconds["pdf"] = time.perf_counter() - started
    return report
