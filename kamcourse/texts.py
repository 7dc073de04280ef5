"""Every string a trainee reads, extracted from the files that hold it.

The course's text checks (``tests/test_glossary.py``, ``test_compliance.py``,
``test_trainee_text.py``, ``test_case_facts.py``) all read the same list, so that a new kind
of trainee-facing file is added here once and is then checked by all of them.

Sources (paths relative to the checkout):

- notebooks in ``course/`` (with ``course/dashboards/``) and ``exercises/``: every markdown
  cell, the Chinese string literals of every code cell, and the comments of code cells a
  trainee can see (a hidden cell's comments are not shown);
- Python modules whose strings reach a trainee (:data:`TRAINEE_MODULES`): Chinese string
  literals, docstrings excluded (found with :mod:`ast`);
- the quiz bank ``quizzes/bank/*.yaml``: title, description, stems, options, prompts, units,
  explanations, per-option notes and rubric criteria (``source.ref`` is instructor-only: no
  notebook, feedback or report shows it);
- package data read by widgets: ``kamcourse/data/**/*.yaml`` (exercise files, role-play
  scenarios, the FFAB and SPIN example banks; sealed exercise keys decoded), except the rule
  files that list refused wording on purpose (:data:`RULE_FILES`);
- sample CSV files (``kamcourse/data/sample/*.csv``) and the Voila landing page templates.

>>> [t.text for t in markdown_paragraphs("第一段。\\n\\n- 甲\\n- 乙\\n  续行\\n\\n| a | b |\\n|---|---|\\n| 丙 | 丁 |")]
['第一段。', '- 甲', '- 乙\\n  续行', '| a | b |', '| 丙 | 丁 |']
"""

from __future__ import annotations

import ast
import csv
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator

import yaml

from kamcourse.paths import course_root

CJK = re.compile(r"[\u3400-\u9fff]")

NOTEBOOK_GLOBS = ("course/*.ipynb", "course/dashboards/*.ipynb", "exercises/*.ipynb")
#: Modules whose string literals a trainee sees (widgets, results, messages, case texts,
#: handouts, quiz notebooks and feedback): every module under these globs except the
#: instructor and developer tools in :data:`NOT_TRAINEE_MODULES`.
TRAINEE_MODULES = (
    "kamcourse/*.py",
    "kamcourse/views/*.py",
    "kamcourse/exercises/*.py",
    "kamcourse/roleplay/*.py",
    "kamcourse/quiz/*.py",
)
NOT_TRAINEE_MODULES = frozenset({
    "kamcourse/__init__.py", "kamcourse/cli.py", "kamcourse/hub.py", "kamcourse/instructor_cli.py",
    "kamcourse/paths.py", "kamcourse/fonts.py", "kamcourse/pdf.py", "kamcourse/texts.py", "kamcourse/textrules.py",
    "kamcourse/glossary.py",  # its text is the generated page course/glossary.ipynb, scanned there
    "kamcourse/guide.py",  # the instructor guide (it names quiz keys: the instructor's copy only)
    "kamcourse/exercises/cli.py", "kamcourse/exercises/loader.py", "kamcourse/exercises/seal.py",
    "kamcourse/roleplay/lint.py", "kamcourse/roleplay/cli.py",
})
#: The quiz package serves instructors, except what a quiz notebook or its feedback shows.
TRAINEE_QUIZ_MODULES = frozenset({
    "kamcourse/quiz/answers.py", "kamcourse/quiz/scoring.py", "kamcourse/quiz/notebook.py",
    "kamcourse/quiz/grading.py", "kamcourse/quiz/feedback.py", "kamcourse/quiz/variants.py",
})
#: Data files that list refused wording on purpose: they are the rules, not trainee text.
RULE_FILES = ("kamcourse/data/glossary.yaml", "kamcourse/data/compliance.yaml", "kamcourse/data/case.yaml")
#: The one page allowed to show refused variants (it explains them).
GLOSSARY_PAGE = "course/glossary.ipynb"
TEMPLATE_GLOBS = ("kamcourse/templates/**/*.html", "kamcourse/templates/**/*.j2")

#: YAML keys whose values are identifiers or instructor data, never shown to a trainee.
DATA_SKIP_KEYS = frozenset({
    "id", "kind", "type", "level", "where", "module", "notebook", "checker", "key_from",
    "classify_as", "name", "quiz", "ref", "source", "min_chars", "tolerance", "points", "pool",
    "shuffle", "pools", "multiline", "schema", "$schema", "$id",
})

SEALED_PREFIX = "sealed:v1:"

#: ``path:NAME`` of module-level objects whose Chinese strings are never shown to a trainee:
#: spellings accepted on input (mapped to the canonical term) and matching keyword lists.
NOT_SHOWN = frozenset({
    "kamcourse/relationship.py:ROLE_ALIASES",
    "kamcourse/ffab.py:_LABEL_ALIASES",
    "kamcourse/funnel.py:STAGE_COLUMNS",
    "kamcourse/quiz/answers.py:_UNITS",
})


@dataclass(frozen=True)
class Text:
    """One trainee-facing string and where it lives.

    ``where`` is a location inside the file a developer can find (``cell 7``, ``q3.options[1]``,
    ``line 42``); ``kind`` says what sort of text it is: ``markdown``, ``code-string``,
    ``code-comment``, ``python``, ``quiz``, ``data``, ``csv`` or ``html``.
    """

    path: str
    where: str
    text: str
    kind: str

    def __str__(self) -> str:
        return f"{self.path} [{self.where}]"


# ---------------------------------------------------------------- markdown paragraphs

_LIST_ITEM = re.compile(r"^\s{0,3}(?:[-*+]|\d{1,2}[.)、])\s")
_TABLE_ROW = re.compile(r"^\s*\|")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}")


def markdown_paragraphs(text: str) -> list[Text]:
    """Split markdown into the units a reader takes as one statement.

    A paragraph is a block between blank lines, but every list item (with its continuation
    lines) and every table row is a unit of its own: a table or a list mixes many claims,
    and a rule about "the same paragraph" must not reach across them. Table rules (|---|)
    are dropped. ``where`` is the 1-based line number of the unit inside ``text``.
    """
    units: list[Text] = []
    current: list[str] = []
    start = 0

    def flush() -> None:
        if current and "".join(current).strip():
            units.append(Text("", f"line {start + 1}", "\n".join(current).strip("\n"), "markdown"))
        current.clear()

    for number, line in enumerate(text.split("\n")):
        if not line.strip():
            flush()
            continue
        if _TABLE_RULE.match(line) and "|" in line:
            flush()
            continue
        if _TABLE_ROW.match(line) or _LIST_ITEM.match(line) or line.lstrip().startswith("#"):
            flush()
            start = number
            current.append(line)
            if _TABLE_ROW.match(line) or line.lstrip().startswith("#"):
                flush()
            continue
        if not current:
            start = number
        current.append(line)
    flush()
    return units


def table_headers(text: str) -> dict[int, str]:
    """``line number (1-based) -> header row`` for every body row of every markdown table.

    >>> table_headers("| 讲义的说法 | 本课程的做法 |\\n|---|---|\\n| 甲 | 乙 |\\n\\n段落")
    {3: '| 讲义的说法 | 本课程的做法 |'}
    """
    headers: dict[int, str] = {}
    header = None
    for number, line in enumerate(text.split("\n"), start=1):
        if not _TABLE_ROW.match(line):
            header = None
            continue
        if header is None:
            header = line.strip()
        elif not _TABLE_RULE.match(line):
            headers[number] = header
    return headers


# ---------------------------------------------------------------- python sources


def _docstring_nodes(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            body = getattr(node, "body", [])
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                    and isinstance(body[0].value.value, str):
                found.add(id(body[0].value))
    return found


def _joined(node: ast.JoinedStr) -> str:
    parts = []
    for value in node.values:
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            parts.append(value.value)
        else:
            parts.append("{…}")
    return "".join(parts)


def _owners(tree: ast.Module) -> list[tuple[int, int, str]]:
    """``(first line, last line, name)`` of each top-level definition or assignment."""
    spans = []
    for node in tree.body:
        names: list[str] = []
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names = [node.name]
        elif isinstance(node, ast.Assign):
            names = [t.id for t in node.targets if isinstance(t, ast.Name)]
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names = [node.target.id]
        if names:
            spans.append((node.lineno, node.end_lineno or node.lineno, names[0]))
    return spans


def python_string_records(source: str) -> list[tuple[int, str, str]]:
    """``(line, text, owner)`` of every string literal holding Chinese, docstrings excluded;
    ``owner`` is the top-level function, class or variable it sits in ("" if none)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return [(source[: m.start()].count("\n") + 1, m.group(2), "")
                for m in re.finditer(r"([\"'])((?:(?!\1).)*[\u3400-\u9fff](?:(?!\1).)*)\1", source)]
    skip = _docstring_nodes(tree)
    spans = _owners(tree)

    def owner(line: int) -> str:
        return next((name for first, last, name in spans if first <= line <= last), "")

    inside_fstring: set[int] = set()
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            inside_fstring.update(id(v) for v in node.values)
            text = _joined(node)
            if CJK.search(text):
                found.append((node.lineno, text, owner(node.lineno)))
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip \
                and id(node) not in inside_fstring and CJK.search(node.value):
            found.append((node.lineno, node.value, owner(node.lineno)))
    return sorted(found)


def python_strings(source: str) -> list[tuple[int, str]]:
    """``(line, text)`` of every string literal holding Chinese, docstrings excluded.

    An f-string is one string, its placeholders shown as ``{…}``.

    >>> python_strings("'''模块说明'''\\nX = '确定'\\nY = f'共 {n} 题'\\nZ = 'ok'")
    [(2, '确定'), (3, '共 {…} 题')]
    """
    return [(line, text) for line, text, _owner in python_string_records(source)]


def python_comments(source: str) -> list[tuple[int, str]]:
    """``(line, comment)`` of every ``#`` comment (shown to a trainee in a visible cell).

    >>> python_comments('x = 1  # 说明\\ny = "#不是注释"')
    [(1, '说明')]
    """
    import tokenize

    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return [(n, line.split("#", 1)[1].strip()) for n, line in enumerate(source.splitlines(), 1) if "#" in line]
    return [(tok.start[0], tok.string.lstrip("#").strip()) for tok in tokens if tok.type == tokenize.COMMENT]


# ---------------------------------------------------------------- notebooks


@dataclass(frozen=True)
class CodeCell:
    index: int
    source: str
    hidden: bool       # the input is collapsed in JupyterLab and hidden by Voila
    tags: tuple[str, ...]


def is_hidden(cell: dict[str, Any]) -> bool:
    """Hidden from the trainee: JupyterLab's ``source_hidden`` and the ``hide-input`` tag."""
    meta = cell.get("metadata", {})
    return bool(meta.get("jupyter", {}).get("source_hidden")) and "hide-input" in meta.get("tags", [])


def _cell_source(cell: dict[str, Any]) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def read_notebook(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def code_cells(path: Path) -> list[CodeCell]:
    cells = read_notebook(path)["cells"]
    return [CodeCell(i, _cell_source(c), is_hidden(c), tuple(c.get("metadata", {}).get("tags", [])))
            for i, c in enumerate(cells) if c["cell_type"] == "code"]


def notebook_texts(path: Path, rel: str) -> list[Text]:
    found = []
    for i, cell in enumerate(read_notebook(path)["cells"]):
        source = _cell_source(cell)
        if cell["cell_type"] == "markdown":
            found.append(Text(rel, f"cell {i}", source, "markdown"))
        elif cell["cell_type"] == "code":
            for line, text in python_strings(source):
                found.append(Text(rel, f"cell {i} line {line}", text, "code-string"))
            if not is_hidden(cell):
                for line, text in python_comments(source):
                    found.append(Text(rel, f"cell {i} line {line}", text, "code-comment"))
    return found


# ---------------------------------------------------------------- YAML data and the bank


def unseal(value: Any) -> Any:
    """Decode a sealed exercise value with the exercise framework's own decoder
    (:func:`kamcourse.exercises.seal.unseal_value`); anything else is returned unchanged.

    >>> from kamcourse.exercises.seal import seal_value
    >>> unseal(seal_value("参考答案")), unseal("不是密文")
    ('参考答案', '不是密文')
    """
    if not (isinstance(value, str) and value.startswith(SEALED_PREFIX)):
        return value
    from kamcourse.exercises.seal import unseal_value

    return unseal_value(value)


def data_strings(data: Any, where: str = "") -> Iterator[tuple[str, str]]:
    """``(location, text)`` of every Chinese string in YAML data, skipping identifier keys."""
    data = unseal(data)
    if isinstance(data, dict):
        for key, value in data.items():
            if str(key) in DATA_SKIP_KEYS:
                continue
            yield from data_strings(value, f"{where}.{key}" if where else str(key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from data_strings(value, f"{where}[{i}]")
    elif isinstance(data, str) and CJK.search(data):
        yield where, data


def _task_label(data: Any, where: str) -> str:
    """``tasks[3].stem`` -> ``t4.stem`` when the list item has an id."""
    match = re.match(r"^(tasks|items)\[(\d+)\](.*)$", where)
    if match and isinstance(data, dict):
        items = data.get(match.group(1)) or []
        index = int(match.group(2))
        if index < len(items) and isinstance(items[index], dict) and items[index].get("id"):
            return f"{items[index]['id']}{match.group(3)}"
    return where


def yaml_texts(path: Path, rel: str, kind: str = "data") -> list[Text]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data_texts(data, rel, kind)


def data_texts(data: Any, rel: str, kind: str = "data") -> list[Text]:
    """The trainee-facing strings of already-loaded YAML data (e.g. a quiz merged with its kit)."""
    return [Text(rel, _task_label(data, where), text, kind) for where, text in data_strings(data)]


def kit_secrets(root: Path) -> dict[str, Any]:
    """The quizzes' secrets (explanations, distractor notes, rubrics) when this machine can read
    the instructor kit (``KAMCOURSE_KIT`` or ``KAMCOURSE_KIT_PASSPHRASE``); else ``{}``.

    With them, the text checks also read what a trainee sees in the feedback after grading.
    Without them (CI), ``kamcourse kit seal`` has run the same checks on the full text; see
    :func:`kamcourse.quiz.kit.text_checked`.
    """
    try:
        from kamcourse.quiz.kit import KitError, load_secrets, migrated

        course = root / "quizzes"
        if not migrated(course):
            return {}  # the bank itself still holds everything
        return {quiz: dict(items) for quiz, items in load_secrets(course).secrets.items()}
    except (ImportError, KitError, OSError, ValueError):
        return {}


def quiz_bank_texts(path: Path, rel: str, secrets: dict[str, Any]) -> list[Text]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if secrets.get(path.stem):
        from kamcourse.quiz.bank import merge

        data = merge(data, secrets[path.stem])
    return data_texts(data, rel, "quiz")


def csv_texts(path: Path, rel: str) -> list[Text]:
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    header = rows[0] if rows else []
    found = [Text(rel, f"header {i + 1}", name, "csv") for i, name in enumerate(header) if CJK.search(name)]
    for r, row in enumerate(rows[1:], start=2):
        for c, value in enumerate(row):
            if CJK.search(value):
                column = header[c] if c < len(header) else str(c + 1)
                found.append(Text(rel, f"row {r} {column}", value, "csv"))
    return found


def html_texts(path: Path, rel: str) -> list[Text]:
    source = path.read_text(encoding="utf-8")
    # template code (Jinja blocks, comments, scripts, styles) is not shown; keep line numbers
    blank = lambda m: re.sub(r"[^\n]", " ", m.group(0))  # noqa: E731
    source = re.sub(r"\{[{%#].*?[}%#]\}|<script.*?</script>|<style.*?</style>|<!--.*?-->", blank, source, flags=re.S)
    found = []
    for number, line in enumerate(source.splitlines(), 1):
        for chunk in re.split(r"<[^>]*>", line):
            if CJK.search(chunk):
                found.append(Text(rel, f"line {number}", chunk.strip(), "html"))
    return found


# ---------------------------------------------------------------- everything


def _files(root: Path, patterns: Iterable[str]) -> list[Path]:
    seen: dict[Path, None] = {}
    for pattern in patterns:
        for path in sorted(root.glob(pattern)):
            if path.is_file() and ".ipynb_checkpoints" not in path.parts and "__pycache__" not in path.parts:
                seen.setdefault(path, None)
    return list(seen)


def trainee_files(root: Path | None = None) -> list[Path]:
    """Every file whose text a trainee reads (see the module docstring)."""
    root = root or course_root()
    rules = {root / r for r in RULE_FILES}
    data = [p for p in _files(root, ("kamcourse/data/**/*.yaml", "kamcourse/data/**/*.yml")) if p not in rules]
    modules = [p for p in _files(root, TRAINEE_MODULES)
               if (rel := p.relative_to(root).as_posix()) not in NOT_TRAINEE_MODULES
               and (not rel.startswith("kamcourse/quiz/") or rel in TRAINEE_QUIZ_MODULES)]
    return (
        _files(root, NOTEBOOK_GLOBS)
        + modules
        + _files(root, ("quizzes/bank/*.yaml",))
        + data
        + _files(root, ("kamcourse/data/**/*.csv",))
        + _files(root, TEMPLATE_GLOBS)
    )


def file_texts(path: Path, root: Path | None = None) -> list[Text]:
    """The trainee-facing strings of one file."""
    root = root or course_root()
    rel = path.relative_to(root).as_posix()
    if path.suffix == ".ipynb":
        return notebook_texts(path, rel)
    if path.suffix == ".py":
        return [Text(rel, f"line {line} ({owner})" if owner else f"line {line}", text, "python")
                for line, text, owner in python_string_records(path.read_text(encoding="utf-8"))
                if f"{rel}:{owner}" not in NOT_SHOWN]
    if path.suffix in (".yaml", ".yml"):
        return yaml_texts(path, rel, "quiz" if rel.startswith("quizzes/bank/") else "data")
    if path.suffix == ".csv":
        return csv_texts(path, rel)
    return html_texts(path, rel)


def trainee_texts(root: Path | None = None) -> list[Text]:
    """Every trainee-facing string of the course, in a stable order (quiz feedback included
    when the instructor kit can be read)."""
    root = root or course_root()
    secrets = kit_secrets(root)
    texts = []
    for path in trainee_files(root):
        rel = path.relative_to(root).as_posix()
        if rel.startswith("quizzes/bank/") and path.suffix in (".yaml", ".yml"):
            texts.extend(quiz_bank_texts(path, rel, secrets))
        else:
            texts.extend(file_texts(path, root))
    return texts


def units(text: Text) -> list[Text]:
    """The paragraphs of a text (markdown split as in :func:`markdown_paragraphs`; any other
    string is split at blank lines), each keeping the file and a refined location."""
    parts = markdown_paragraphs(text.text)
    return [Text(text.path, f"{text.where} {p.where}" if len(parts) > 1 else text.where, p.text, text.kind)
            for p in parts]


def without_markup(text: str) -> str:
    """Markdown without link targets, images, HTML tags and emphasis marks.

    >>> without_markup("见[模块一](01_mindset.ipynb)的 **小结**<br>")
    '见模块一的 小结'
    """
    text = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", text)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"<[^>]+>", "", text)
    return re.sub(r"\*\*|__", "", text)
