"""kamcourse's steps in nbgrader's autograde: answers are read as data, no kernel starts.

``quizzes/nbgrader_config.py`` calls :func:`configure`, which sets nbgrader's
``Autograde`` preprocessor lists to:

- sanitize: ClearOutput, DeduplicateIds, OverwriteKernelspec, **KamcourseIntegrity**,
  OverwriteCells, CheckCellMetadata;
- autograde: **LiteralGrade** (in place of nbgrader's Execute), IgnorePattern,
  ClearMetadataPreprocessor, LimitOutput, SaveAutoGrades, AssignLatePenalties,
  CheckCellMetadata.

So ``kamcourse quiz grade``, ``nbgrader autograde`` and the formgrader's autograde button
all grade the same way and write the same gradebook entries.

:class:`KamcourseIntegrity` judges the submission against the gradebook's source cells
before nbgrader restores anything: a locked cell whose text (as released: the gradebook
source with the hidden tests and mark scheme cut, as ``generate_assignment`` cuts them),
type or nbgrader flags differ, or a cell that is gone, flags its position; cells that are
gone are put back (so nbgrader's own repair never fails); nbgrader metadata naming no
known cell is dropped. Its verdict goes into the notebook's metadata
(``kamcourse_grading``), overwriting anything a submission put there.

:class:`LiteralGrade` then scores every position in this process with the kit's keys
(:func:`kamcourse.quiz.grading.grade_paper`) and *writes* each test cell's outputs: the
Chinese verdict (text and data for the feedback template) and an ``execute_result`` with
the points, which nbgrader's ``determine_grade`` reads. Nothing in the cell's outputs
comes from the trainee, so a test cell never gets nbgrader's "no output = full marks".
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

from nbformat import from_dict
from traitlets import Unicode

from nbgrader import utils
from nbgrader.api import Gradebook
from nbgrader.preprocessors import ClearHiddenTests, ClearMarkScheme, NbGraderPreprocessor

from kamcourse.quiz.grading import INTERNAL_ERROR_MARK, VERDICT_MIME, grade_paper

GRADING_KEY = "kamcourse_grading"
POSITION = re.compile(r"(q[0-9]+)_(stem|show|answer|test|task)\Z")
ROLE_NAMES = {"rules": "说明单元", "stem": "题目单元", "show": "题目单元", "answer": "答案单元", "test": "评分单元",
              "task": "题目与评分单元", "check": "格式检查单元"}

SANITIZE = [
    "nbgrader.preprocessors.ClearOutput",
    "nbgrader.preprocessors.DeduplicateIds",
    "nbgrader.preprocessors.OverwriteKernelspec",
    "kamcourse.quiz.nbsteps.KamcourseIntegrity",
    "nbgrader.preprocessors.OverwriteCells",
    "nbgrader.preprocessors.CheckCellMetadata",
]
AUTOGRADE = [
    "kamcourse.quiz.nbsteps.LiteralGrade",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]
FEEDBACK_TEMPLATE = "kamcourse_feedback"


def templates_dir() -> Path:
    return Path(__file__).resolve().parent.parent / "templates" / "nbgrader"


def configure(c: Any, course_root: str) -> None:
    """Set nbgrader's autograde and feedback steps to kamcourse's (see the module docstring)."""
    c.Autograde.sanitize_preprocessors = list(SANITIZE)
    c.Autograde.autograde_preprocessors = list(AUTOGRADE)
    c.LiteralGrade.course_root = course_root
    c.GenerateFeedback.preprocessors = ["nbgrader.preprocessors.GetGrades"]
    c.GenerateFeedback.exporter_class = "kamcourse.quiz.nbsteps.FeedbackExporter"
    c.HTMLExporter.template_name = FEEDBACK_TEMPLATE
    c.HTMLExporter.extra_template_basedirs = [str(templates_dir())]
    c.HTMLExporter.anchor_link_text = ""  # no "¶" after the headings of the feedback page


def _feedback_exporter() -> type:
    from nbconvert.exporters import HTMLExporter, TemplateExporter

    class FeedbackExporter(HTMLExporter):
        """nbconvert's HTMLExporter for kamcourse's feedback template, without the pass that
        re-parses the page to tag JupyterLab's cell wrappers and images (the template draws
        neither; that pass was a third of the page's time)."""

        def from_notebook_node(self, nb, resources=None, **kw):
            resources = self._init_resources(resources)
            return TemplateExporter.from_notebook_node(self, nb, resources, **kw)

    return FeedbackExporter


def __getattr__(name: str) -> Any:  # FeedbackExporter imports nbconvert only when nbgrader asks for it
    if name == "FeedbackExporter":
        return _feedback_exporter()
    raise AttributeError(name)


def position_of(grade_id: str) -> tuple[str, str]:
    """(position, role) of a generated cell's grade id; ('', grade_id) for shared cells.

    >>> position_of("q12_test"), position_of("check")
    (('q12', 'test'), ('', 'check'))
    """
    match = POSITION.match(grade_id)
    return (match.group(1), match.group(2)) if match else ("", grade_id)


def _grade_id(cell: Any) -> str | None:
    meta = cell.get("metadata", {}).get("nbgrader")
    return meta.get("grade_id") if isinstance(meta, dict) else None


class _Shared:
    """A gradebook session lent by kamcourse's batch engine (None: open one per notebook,
    as nbgrader's own steps do)."""

    gradebook_for_all: Any = None

    def _gradebook(self, db_url: str) -> Any:
        return self.gradebook_for_all if self.gradebook_for_all is not None else Gradebook(db_url)


class KamcourseIntegrity(_Shared, NbGraderPreprocessor):
    """Judge locked cells and missing cells from the source; see the module docstring."""

    def preprocess(self, nb: Any, resources: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
        info = resources["nbgrader"]
        gb = self._gradebook(info["db_url"])
        try:
            expected = self._expected(gb.find_notebook(info["notebook"], info["assignment"]))
        finally:
            if gb is not self.gradebook_for_all:
                gb.close()
        flags: dict[str, list[str]] = {}
        notes: list[str] = []
        present: dict[str, Any] = {}
        for cell in nb.cells:
            grade_id = _grade_id(cell)
            if grade_id is None:
                continue
            if grade_id not in expected:  # names no cell of the quiz: a trainee's own metadata
                del cell.metadata["nbgrader"]
            else:
                present.setdefault(grade_id, cell)
        for grade_id, want in expected.items():
            position, role = position_of(grade_id)
            if grade_id not in present:
                problem = f"删除了{ROLE_NAMES.get(role, '单元')}"
            elif want["locked"] and self._changed(present[grade_id], want):
                problem = f"修改了锁定的{ROLE_NAMES.get(role, '单元')}"
            else:
                continue
            if position:
                flags.setdefault(position, []).append(problem)
            else:
                notes.append(f"{problem}（已由 nbgrader 恢复，不扣分）")
        self._restore(nb, expected, present)
        nb.metadata[GRADING_KEY] = {
            "flags": {p: f"第 {p[1:]} 题：" + "；".join(problems) for p, problems in flags.items()},
            "notes": notes,
        }
        return nb, resources

    def _expected(self, notebook: Any) -> dict[str, dict[str, Any]]:
        """Each gradebook cell as the release shows it, in the gradebook's order."""
        grades = {c.name: float(c.max_score) for c in notebook.grade_cells}
        tasks = {c.name: float(c.max_score) for c in notebook.task_cells}
        solutions = {c.name for c in notebook.solution_cells}
        hidden, scheme = ClearHiddenTests(parent=self.parent), ClearMarkScheme(parent=self.parent)
        out = {}
        for source in notebook.source_cells:
            cell = from_dict({"cell_type": source.cell_type, "source": source.source, "metadata": {}})
            hidden._remove_hidden_test_region(cell)
            scheme._remove_mark_scheme_region(cell)
            out[source.name] = {
                "cell_type": source.cell_type, "locked": bool(source.locked), "source": cell.source,
                "grade": source.name in grades, "solution": source.name in solutions, "task": source.name in tasks,
                "points": grades.get(source.name, tasks.get(source.name)),
            }
        return out

    @staticmethod
    def _changed(cell: Any, want: dict[str, Any]) -> bool:
        meta = cell.metadata.get("nbgrader", {})
        points = meta.get("points")
        return (cell.cell_type != want["cell_type"]
                or str(cell.source).rstrip() != str(want["source"]).rstrip()
                or bool(meta.get("grade", False)) != want["grade"]
                or bool(meta.get("solution", False)) != want["solution"]
                or bool(meta.get("task", False)) != want["task"]
                or bool(meta.get("locked", False)) != want["locked"]
                or (want["points"] is not None and (points is None or float(points) != want["points"])))

    @staticmethod
    def _restore(nb: Any, expected: dict[str, dict[str, Any]], present: dict[str, Any]) -> None:
        """Put every missing cell back after the gradebook cell before it."""
        previous: str | None = None
        for grade_id, want in expected.items():
            if grade_id not in present:
                meta = {"grade": want["grade"], "grade_id": grade_id, "locked": want["locked"],
                        "schema_version": 3, "solution": want["solution"], "task": want["task"]}
                if want["points"] is not None:
                    meta["points"] = want["points"]
                position, role = position_of(grade_id)
                cell = {"cell_type": want["cell_type"], "id": f"restored-{grade_id}"[:64], "metadata": {
                    "nbgrader": meta, "kamcourse": {"item": position, "role": role, "restored": True}},
                    "source": want["source"] if want["locked"] else ""}
                if want["cell_type"] == "code":
                    cell.update(outputs=[], execution_count=None)
                index = 0
                if previous is not None:
                    index = next(i for i, c in enumerate(nb.cells) if _grade_id(c) == previous) + 1
                nb.cells.insert(index, from_dict(cell))
                present[grade_id] = nb.cells[index]
            previous = grade_id


class LiteralGrade(_Shared, NbGraderPreprocessor):
    """nbgrader's Execute step, replaced: score every position from the answer cells'
    source in this process and write the test cells' outputs. No kernel, no trainee code."""

    course_root = Unicode("", help="The nbgrader course root holding bank/ (and kit/).").tag(config=True)

    #: The graded quiz, when kamcourse's batch engine lends it for a run (else loaded from
    #: the kit for each notebook, and its digest checked against the release record).
    quiz: Any = None

    def _quiz(self, assignment: str) -> Any:
        from kamcourse.quiz.course import Course, check_kit_digest
        from kamcourse.quiz.kit import load_graded

        if self.quiz is not None and self.quiz.id == assignment:
            return self.quiz
        root = Path(self.course_root or ".").resolve()
        if not (root / "bank" / f"{assignment}.yaml").is_file():
            raise RuntimeError(f"kamcourse grades only the quizzes of its bank: {root / 'bank'} has no "
                               f"{assignment}.yaml (no trainee code is ever run to grade)")
        quiz = load_graded(root, assignment)
        check_kit_digest(Course(root, assignment), quiz)
        return quiz

    def preprocess(self, nb: Any, resources: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
        verdict = nb.metadata.get(GRADING_KEY)
        if not isinstance(verdict, dict) or "flags" not in verdict:
            raise RuntimeError("kamcourse: KamcourseIntegrity did not run in Autograde.sanitize_preprocessors")
        info = resources["nbgrader"]
        quiz = self._quiz(info["assignment"])
        sources: dict[str, str | None] = {}
        for cell in nb.cells:
            position, role = position_of(_grade_id(cell) or "")
            if role == "answer" and position not in sources and not cell.metadata.get("kamcourse", {}).get("restored"):
                sources[position] = str(cell.source) if cell.cell_type == "code" else None
        verdicts = grade_paper(quiz, info["student"], sources, verdict["flags"])
        verdict["paper"] = {pid: v.item.id for pid, v in verdicts.items()}
        self._fill_mark_schemes(nb, quiz, info["student"])
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            cell.outputs = []
            cell.execution_count = None
            if not utils.is_grade(cell):
                continue
            position, _ = position_of(_grade_id(cell) or "")
            found = verdicts.get(position)
            if found is None:
                points, text, data = 0.0, f"{INTERNAL_ERROR_MARK}第 {position[1:]} 题不在评分范围内，请联系讲师。", {}
            else:
                points, text, data = found.points, found.text, found.data
            points = min(float(points), float(cell.metadata.nbgrader["points"]))
            cell.outputs = [
                from_dict({"output_type": "display_data", "metadata": {},
                           "data": {"text/plain": text, VERDICT_MIME: json.loads(json.dumps(data))}}),
                from_dict({"output_type": "execute_result", "metadata": {}, "execution_count": None,
                           "data": {"text/plain": repr(float(points))}}),
            ]
        return nb, resources


    @staticmethod
    def _fill_mark_schemes(nb: Any, quiz: Any, student: str) -> None:
        """The essay's rubric and explanation, from the kit, into its task cell (for the
        formgrader's grading view and the feedback; the notebooks in the repository hold
        only a placeholder)."""
        from kamcourse.quiz.notebook import MARK_PLACEHOLDER, mark_scheme
        from kamcourse.quiz.variants import trainee_paper

        items = {p.id: quiz.item(p.item_id) for p in trainee_paper(quiz, student)}
        for cell in nb.cells:
            position, role = position_of(_grade_id(cell) or "")
            if role == "task" and position in items and MARK_PLACEHOLDER in cell.source:
                cell.source = cell.source.replace(MARK_PLACEHOLDER, mark_scheme(items[position]))


def grading_note(nb: dict[str, Any]) -> dict[str, Any]:
    """The integrity verdict and paper an autograded notebook carries (a copy)."""
    return copy.deepcopy(nb.get("metadata", {}).get(GRADING_KEY, {}))
