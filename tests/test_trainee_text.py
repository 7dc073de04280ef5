"""No English or code a trainee has to read, and the course's punctuation and headings.

- Latin-letter words only from ``kamcourse/data/glossary.yaml``: English originals, names
  and sources inside a parenthesis after Chinese (特征（Feature）); abbreviations (CRM, DSO,
  JM-500 …), interface labels (Shift+Enter, Assignments …) and the quiz ids anywhere.
- Never the word 种子 or "seed" (the source notes are 讲义).
- No code instructions in markdown (papermill, ./kc, None, inline code other than quiz ids).
- Setup and parameter cells hidden; a visible code cell is one widget call on one line.
- Chinese punctuation in prose, ranges with ～ or 至, headings ``## 1. 标题`` numbered in order.
"""

from __future__ import annotations

import ast
from collections import defaultdict

import pytest

from conftest import ROOT
from kamcourse.glossary import load_glossary
from kamcourse.texts import NOTEBOOK_GLOBS, Text, code_cells, read_notebook, trainee_texts
from kamcourse.textrules import (
    code_instruction_problems,
    heading_problems,
    latin_findings,
    latin_problems,
    punctuation_problems,
    quiz_ids,
)

GLOSSARY = load_glossary()
TEXTS = trainee_texts(ROOT)
BY_FILE: dict[str, list[Text]] = defaultdict(list)
for _text in TEXTS:
    BY_FILE[_text.path].append(_text)
NOTEBOOKS = sorted({p for pattern in NOTEBOOK_GLOBS for p in ROOT.glob(pattern)})
PROSE_KINDS = {"markdown", "quiz", "data"}


def _report(path: str, problems: list[str]) -> str:
    return f"{path}: {len(problems)} problem(s)\n" + "\n".join(problems)


@pytest.mark.parametrize("path", sorted(BY_FILE))
def test_no_english_a_trainee_has_to_read(path):
    findings = latin_findings(BY_FILE[path], GLOSSARY)
    assert not findings, _report(path, [f"[{f.where}] {f.message}" for f in findings])


@pytest.mark.parametrize("path", sorted(BY_FILE))
def test_never_seed_jargon(path):
    problems = [f"[{t.where}] …{t.text[max(0, i - 10): i + 12]}…" for t in BY_FILE[path]
                for i in [t.text.find("种子"), t.text.lower().find("seed")] if i >= 0]
    assert not problems, _report(path, problems)


@pytest.mark.parametrize("path", [p for p in sorted(BY_FILE) if p.endswith(".ipynb")])
def test_no_code_instructions_in_markdown(path):
    allowed = quiz_ids()
    problems = [f"[{t.where}] {', '.join(found)}" for t in BY_FILE[path] if t.kind == "markdown"
                for found in [code_instruction_problems(t.text, allowed)] if found]
    assert not problems, _report(path, problems)


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_setup_and_parameter_cells_are_hidden_and_visible_cells_are_one_call(notebook):
    problems = []
    for cell in code_cells(notebook):
        if cell.hidden:
            continue
        lines = [line for line in cell.source.splitlines() if line.strip()]
        if "parameters" in cell.tags:
            problems.append(f"cell {cell.index}: parameter cell is visible")
            continue
        if any(line.lstrip().startswith(("import ", "from ")) for line in lines):
            problems.append(f"cell {cell.index}: setup cell is visible")
            continue
        if len(lines) != 1 or "#" in cell.source or not _is_one_call(lines[0]):
            problems.append(f"cell {cell.index}: a visible code cell must be one widget call on one line, got {cell.source!r}")
    assert not problems, _report(str(notebook.relative_to(ROOT)), problems)


def _is_one_call(line: str) -> bool:
    try:
        tree = ast.parse(line)
    except SyntaxError:
        return False
    return len(tree.body) == 1 and isinstance(tree.body[0], ast.Expr) and isinstance(tree.body[0].value, ast.Call)


@pytest.mark.parametrize("path", sorted(p for p in BY_FILE if any(t.kind in PROSE_KINDS for t in BY_FILE[p])))
def test_chinese_punctuation_and_ranges(path):
    problems = [f"[{t.where}] {', '.join(found)}" for t in BY_FILE[path] if t.kind in PROSE_KINDS
                for found in [punctuation_problems(t.text)] if found]
    assert not problems, _report(path, problems)


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_headings_are_numbered_consistently(notebook):
    cells = ["".join(c["source"]) if isinstance(c["source"], list) else c["source"]
             for c in read_notebook(notebook)["cells"] if c["cell_type"] == "markdown"]
    problems = heading_problems(cells)
    assert not problems, _report(str(notebook.relative_to(ROOT)), problems)


# ---------------------------------------------------------------- the rules can fail


@pytest.mark.parametrize("text, words", [
    ("决策人（Economic Buyer）", []),
    ("| 决策人 | Economic Buyer |", ["Economic", "Buyer"]),
    ("FAB 来自 Neil Rackham 的《SPIN Selling》", ["Neil", "Rackham", "Selling"]),
    ("尼尔·雷克汉姆（Neil Rackham）《销售巨人》（英文原名 SPIN Selling）", []),
    ("用 Voila 看板", ["Voila"]),
    ("在 Nbgrader 菜单打开 Assignments 标签页，按 Shift+Enter", []),
    ("Kraljic 矩阵与 JM-500", []),
])
def test_the_english_rule(text, words):
    assert latin_problems(text, GLOSSARY.original_words(), GLOSSARY.free_words(quiz_ids())) == words


def test_a_visible_multi_line_code_cell_is_refused():
    assert _is_one_call("ffab_builder()")
    assert not _is_one_call("example = example_statement()")
    assert not _is_one_call("for x in y: print(x)")
