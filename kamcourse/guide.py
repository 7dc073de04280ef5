"""讲师手册 (the instructor guide): ``quizzes/instructor_guide.md`` rendered to HTML and PDF, with
an appendix of common trainee mistakes that only the instructor's machine can write.

The appendix comes from the instructor kit (each wrong option's note: why it is wrong) and,
once a class has been graded, from ``reports/<quiz>/responses.csv`` (how many trainees picked
each wrong answer). It names the keys, so the rendered guide goes to the instructor's own
folder (``quizzes/guide/`` by default, which git ignores), never into the repository.
"""

from __future__ import annotations

import csv
import html
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Sequence

from kamcourse.errors import KamcourseError

GUIDE_FILE = "instructor_guide.md"
MARKER = "<!-- kamcourse:common-mistakes -->"
AUTO_TYPES = ("single", "multiple", "true_false", "ordering", "matching", "numeric")
TYPE_NAMES = {"single": "单选", "multiple": "多选", "true_false": "判断", "ordering": "排序", "matching": "配对",
              "numeric": "计算"}


@dataclass(frozen=True)
class Response:
    """One answer and how often the class gave it (``responses.csv``)."""

    answer: str
    count: int
    share: float
    correct: bool


def read_responses(path: Path) -> dict[str, list[Response]]:
    """``responses.csv`` by item id; an unreadable file is no data (the appendix then lists notes only).

    >>> import tempfile, os
    >>> p = Path(tempfile.mkdtemp()) / "r.csv"
    >>> _ = p.write_text("item,response,count,share_pct,correct\\nq1,A,3,60.0,yes\\nq1,B,2,40.0,\\n", encoding="utf-8")
    >>> read_responses(p)["q1"][1]
    Response(answer='B', count=2, share=40.0, correct=False)
    """
    out: dict[str, list[Response]] = {}
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            for row in csv.DictReader(handle):
                out.setdefault(row["item"], []).append(
                    Response(row["response"], int(row["count"]), float(row["share_pct"]), row["correct"] == "yes"))
    except (OSError, KeyError, ValueError):
        return {}
    return out


@dataclass(frozen=True)
class Mistake:
    """The wrong answers of one item worth warning about."""

    quiz: str
    item: str
    stem: str
    key: str
    notes: tuple[str, ...] = ()           # "B．option — why it is wrong"
    observed: tuple[str, ...] = field(default_factory=tuple)  # "B：40.0%（2 人）"


def item_mistakes(quiz_id: str, item, responses: Sequence[Response] = ()) -> Mistake:
    """What to warn trainees about on one item: each wrong option with its note, and the
    wrong answers this class actually gave, most frequent first."""
    notes = []
    if item.type in ("single", "multiple") and item.distractors:
        for index, (option, note) in enumerate(zip(item.options, item.distractors)):
            letter = chr(65 + index)
            if letter not in item.key and note:
                notes.append(f"{letter}．{option}——{note}")
    if not notes and item.explanation:
        notes.append("解析：" + " ".join(item.explanation.split()))
    wrong = sorted((r for r in responses if not r.correct and r.answer), key=lambda r: (-r.count, r.answer))
    observed = tuple(f"{r.answer}：{r.share:.1f}%（{r.count} 人）" for r in wrong[:3])
    if item.type == "true_false":
        key = {"A": "对", "B": "错"}.get(item.key, item.key)
    elif item.type == "numeric" and item.number_key is not None:
        key = f"{item.number_key:g}{item.unit}"
    else:
        key = item.key
    return Mistake(quiz_id, item.id, item.stem, key, tuple(notes), observed)


def mistakes_markdown(quizzes: Sequence, reports: Path) -> str:
    """The appendix in Markdown: per quiz, per automatically graded item."""
    parts = ["## 附录：常见错误（讲师版）", "",
             "每道自动评分题列出：正确答案；每个错误选项错在哪里（来自讲师资料包的解析）；"
             "评过分的测验还列出本班选得最多的错误答案。讲评时先问学员为什么会选它，再说明理由。", ""]
    for quiz in quizzes:
        responses = read_responses(reports / quiz.id / "responses.csv")
        parts += [f"### {quiz.title}（{quiz.id}）", ""]
        if not responses:
            parts += ["（还没有评分数据：评分后重新运行 `kamcourse guide`，这里会加上本班的错误分布。）", ""]
        for item in quiz.items:
            if item.type not in AUTO_TYPES:
                continue
            m = item_mistakes(quiz.id, item, responses.get(item.id, ()))
            stem = " ".join(item.stem.split())
            parts.append(f"- **第 {item.number} 题**（{TYPE_NAMES[item.type]}）{stem}  ")
            parts.append(f"  正确答案：{m.key}" + (f"；本班错得最多：{'，'.join(m.observed)}" if m.observed else ""))
            parts += [f"  - {note}" for note in m.notes]
        parts.append("")
    return "\n".join(parts)


def load_quizzes(course: Path) -> list:
    """Every quiz of the bank with its secrets, or a Chinese error when the kit is locked."""
    from kamcourse.quiz.bank import quiz_ids
    from kamcourse.quiz.kit import load_graded, load_secrets

    kit = load_secrets(course)
    return [load_graded(course, quiz_id, kit) for quiz_id in quiz_ids(course / "bank")]


PAGE = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>讲师手册 · 大客户销售与客户关系管理</title>
<style>
body {{ font-family: "WenQuanYi Micro Hei", "Noto Sans CJK SC", sans-serif; color: #1f2933; line-height: 1.75;
       max-width: 52rem; margin: 0 auto; padding: 1rem; }}
table {{ border-collapse: collapse; width: 100%; }} th, td {{ border: 1px solid #d9e2ec; padding: .25rem .45rem; vertical-align: top; }}
td:first-child {{ white-space: nowrap; }}
pre {{ background: #f5f7fa; padding: .5rem; white-space: pre-wrap; }} code {{ background: #f5f7fa; }}
h2 {{ border-bottom: 1px solid #d9e2ec; }}
@page {{ size: A4; margin: 16mm 14mm; }}
@media print {{ h2 {{ break-before: page; }} h2:first-of-type {{ break-before: auto; }} tr, li {{ break-inside: avoid; }} }}
</style></head><body>
{body}
</body></html>
"""


@dataclass(frozen=True)
class GuideReport:
    html: Path
    pdf: Path | None
    with_mistakes: bool
    note: str = ""


def build_guide(course: Path, out: Path, pdf: bool = True) -> GuideReport:
    """Render the guide (and its appendix when the kit can be read) into ``out``."""
    import mistune

    from kamcourse.quiz.kit import KitError

    course, out = Path(course), Path(out)
    source = course / GUIDE_FILE
    if not source.is_file():
        raise KamcourseError("讲师手册", f"找不到 {source}")
    text = source.read_text(encoding="utf-8")
    note = ""
    try:
        appendix = mistakes_markdown(load_quizzes(course), course / "reports")
        with_mistakes = True
    except KitError as exc:
        appendix = f"## 附录：常见错误\n\n（没有生成：{html.escape(str(exc))}）\n"
        with_mistakes, note = False, str(exc)
    body = mistune.html(text.replace(MARKER, appendix) if MARKER in text else text + "\n\n" + appendix)
    out.mkdir(parents=True, exist_ok=True)
    page = out / "讲师手册.html"
    page.write_text(PAGE.format(body=body), encoding="utf-8")
    printed = None
    if pdf:
        from kamcourse.pdf import PrintJob, print_to_pdf

        printed = print_to_pdf([PrintJob(page, out / "讲师手册.pdf", paper=None)])[0]
    return GuideReport(page, printed, with_mistakes, note)


def guide_sections(markdown: str) -> Mapping[str, str]:
    """``## `` headings and their text (for tests and the handout's table of contents).

    >>> list(guide_sections("# T\\n## 1. 甲\\nx\\n## 2. 乙\\ny"))
    ['1. 甲', '2. 乙']
    """
    sections: dict[str, str] = {}
    current = None
    for line in markdown.splitlines():
        if line.startswith("## "):
            current = line[3:].strip()
            sections[current] = ""
        elif current is not None:
            sections[current] += line + "\n"
    return sections
