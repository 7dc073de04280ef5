"""The glossary (``kamcourse/data/glossary.yaml``): one term per concept, as data.

It answers two questions for the text checks and writes one page:

- :meth:`Glossary.variant_hits`: where a text uses a refused variant of a term;
- :meth:`Glossary.latin_words`: the Latin-letter words a trainee may read (English
  originals, abbreviations, interface labels, names of cited people and sources);
- :func:`render_page`: the trainee-facing 术语表 ``course/glossary.ipynb``, generated;
  ``kamcourse glossary build --check`` fails when the page and the data disagree.

>>> g = load_glossary()
>>> [(h.variant, h.term) for h in g.variant_hits("客户的特点是本课的重点")]
[('特点', '特征'), ('本课', '本课程')]
>>> g.variant_hits("本课程的阶段成功率") and g.variant_hits("本课程的阶段成功率")[0].term
'赢率'
>>> g.variant_hits("实施 CRM 项目的成功率")
[]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

import yaml

from kamcourse.paths import DATA_DIR, course_root

GLOSSARY_FILE = DATA_DIR / "glossary.yaml"
PAGE = "course/glossary.ipynb"
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]*(?:['’+\-.][A-Za-z0-9_]+)*")

MODULE_NAMES = {
    "全课程": "全课程",
    "m1": "模块一 心态与思维方式",
    "m2": "模块二 客户需求",
    "m3": "模块三 FFAB 呈现",
    "m4": "模块四 SPIN 提问",
    "m5": "模块五 关系阶段",
    "m6": "模块六 CRM 实施",
}


@dataclass(frozen=True)
class Variant:
    """One refused spelling of a term."""

    pattern: re.Pattern[str]
    shown: str
    context: re.Pattern[str] | None = None
    window: int = 12
    show: bool = True

    def matches(self, text: str) -> list[re.Match[str]]:
        found = []
        for match in self.pattern.finditer(text):
            if self.context is not None:
                around = text[max(0, match.start() - self.window): match.end() + self.window]
                if not self.context.search(around):
                    continue
            found.append(match)
        return found


@dataclass(frozen=True)
class Term:
    term: str
    english: str
    module: str
    note: str
    variants: tuple[Variant, ...]


@dataclass(frozen=True)
class Hit:
    """A refused variant found in a text: what, where in the text, and the term to use."""

    variant: str
    term: str
    start: int
    excerpt: str


@dataclass(frozen=True)
class Glossary:
    terms: tuple[Term, ...]
    abbreviations: tuple[tuple[str, str], ...]
    interface: tuple[str, ...]
    names: tuple[tuple[str, str, str], ...]   # chinese, english, note

    def variant_hits(self, text: str) -> list[Hit]:
        """Every refused variant in ``text``, in text order."""
        hits = []
        for term in self.terms:
            for variant in term.variants:
                for match in variant.matches(text):
                    excerpt = text[max(0, match.start() - 12): match.end() + 12].replace("\n", " ")
                    hits.append(Hit(match.group(0), term.term, match.start(), excerpt))
        return sorted(hits, key=lambda h: (h.start, h.variant))

    def original_words(self) -> frozenset[str]:
        """Lower-cased words of every English original, name and source (allowed in
        parentheses after Chinese)."""
        texts = [t.english for t in self.terms] + [n[1] for n in self.names]
        words = {w.lower() for text in texts for w in LATIN_WORD.findall(text)}
        return frozenset(words | {part for w in words for part in re.split(r"['’+\-.]", w) if part})

    def free_words(self, extra_interface: Iterable[str] = ()) -> frozenset[str]:
        """Latin words allowed anywhere: abbreviations (exact case), interface labels and
        the Latin inside canonical terms (e.g. ``Kraljic`` of ``Kraljic 矩阵``)."""
        words = {abbr for abbr, _ in self.abbreviations}
        for label in (*self.interface, *extra_interface):
            words.update(LATIN_WORD.findall(label))
        for term in self.terms:
            words.update(LATIN_WORD.findall(term.term))
        return frozenset(words)


def _variant(raw: Any) -> Variant:
    if isinstance(raw, str):
        return Variant(re.compile(re.escape(raw)), raw)
    return Variant(
        pattern=re.compile(raw["regex"]),
        shown=str(raw.get("shown", raw["regex"])),
        context=re.compile(raw["context"]) if raw.get("context") else None,
        window=int(raw.get("window", 12)),
        show=bool(raw.get("show", True)),
    )


def parse_glossary(data: dict[str, Any]) -> Glossary:
    terms = tuple(
        Term(
            term=str(raw["term"]),
            english=str(raw.get("english", "")),
            module=str(raw.get("module", "全课程")),
            note=str(raw.get("note", "")),
            variants=tuple(_variant(v) for v in raw.get("refuse", ())),
        )
        for raw in data["terms"]
    )
    return Glossary(
        terms=terms,
        abbreviations=tuple((str(a["abbr"]), str(a["meaning"])) for a in data.get("abbreviations", ())),
        interface=tuple(str(label) for label in data.get("interface", ())),
        names=tuple((str(n["chinese"]), str(n["english"]), str(n.get("note", ""))) for n in data.get("names", ())),
    )


@lru_cache(maxsize=4)
def _load(path: str, mtime_ns: int) -> Glossary:
    return parse_glossary(yaml.safe_load(Path(path).read_text(encoding="utf-8")))


def load_glossary(path: Path = GLOSSARY_FILE) -> Glossary:
    return _load(str(path), path.stat().st_mtime_ns)


# ---------------------------------------------------------------- the 术语表 page


def _cell(source: str, index: int) -> dict[str, Any]:
    return {"cell_type": "markdown", "id": f"glossary-{index}", "metadata": {}, "source": source}


def _escape(text: str) -> str:
    return text.replace("|", "\\|")


def page_cells(glossary: Glossary) -> list[str]:
    """The markdown cells of the page, in order."""
    cells = [
        "# 术语表\n\n"
        "本课程每个概念只用一个名称。下表列出课程中的主要术语、它的英文原名，以及本课程**不用**的其他说法：\n"
        "在讲义（本课程依据的原始培训讲义）或其他资料里读到这些说法时，可以对照这张表找到本课程的术语。\n\n"
        "英文原名只写在中文术语后面的括号里，例如“特征（Feature）”；不需要记住英文。"
    ]
    section = 1
    for module, title in MODULE_NAMES.items():
        rows = [t for t in glossary.terms if t.module == module]
        if not rows:
            continue
        lines = [f"## {section}. {title}", "", "| 术语 | 本课程不用的说法 | 说明 |", "|---|---|---|"]
        for term in rows:
            name = f"**{_escape(term.term)}**" + (f"（{_escape(term.english)}）" if term.english else "")
            refused = "、".join(_escape(v.shown) for v in term.variants if v.show) or "—"
            lines.append(f"| {name} | {refused} | {_escape(term.note)} |")
        cells.append("\n".join(lines))
        section += 1
    lines = [f"## {section}. 缩写", "", "| 缩写 | 意思 |", "|---|---|"]
    lines += [f"| {_escape(abbr)} | {_escape(meaning)} |" for abbr, meaning in glossary.abbreviations]
    cells.append("\n".join(lines))
    section += 1
    lines = [f"## {section}. 本课程引用的人物和资料", "", "| 人物或资料 | 说明 |", "|---|---|"]
    lines += [f"| {_escape(chinese)}（{_escape(english)}） | {_escape(note) or '—'} |" for chinese, english, note in glossary.names]
    cells.append("\n".join(lines))
    cells.append("回到[课程首页](00_start.ipynb)。")
    return cells


def render_page(glossary: Glossary) -> str:
    """The notebook file's exact text (deterministic, outputs-free, markdown only)."""
    notebook = {
        "cells": [_cell(source, i) for i, source in enumerate(page_cells(glossary))],
        "metadata": {
            "kamcourse": {"generated_by": "kamcourse glossary build", "source": "kamcourse/data/glossary.yaml"},
            "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(notebook, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def build(root: Path | None = None, *, check: bool = False) -> bool:
    """Write the page (or, with ``check``, only compare). Returns True when it is current."""
    path = (root or course_root()) / PAGE
    wanted = render_page(load_glossary())
    current = path.read_text(encoding="utf-8") if path.is_file() else None
    if current == wanted:
        return True
    if not check:
        path.write_text(wanted, encoding="utf-8")
    return False


# ---------------------------------------------------------------- command line


def register(subparsers: argparse._SubParsersAction) -> None:
    glossary = subparsers.add_parser("glossary", help="the glossary page (术语表) generated from glossary.yaml")
    actions = glossary.add_subparsers(dest="glossary_command", required=True)
    page = actions.add_parser("build", help=f"write {PAGE} from kamcourse/data/glossary.yaml")
    page.add_argument("--check", action="store_true", help="only check that the page is current (exit 1 if not)")
    page.set_defaults(func=_build_command)


def _build_command(args: argparse.Namespace) -> int:
    current = build(check=args.check)
    if args.check and not current:
        print(f"不一致：{PAGE} 与 kamcourse/data/glossary.yaml 不符，请运行 kamcourse glossary build", file=sys.stderr)
        return 1
    print(f"{PAGE} 已是最新" if current else f"已生成 {PAGE}")
    return 0
