"""Feedback pages: nbgrader's GenerateFeedback with the course's Chinese template.

The template (``kamcourse/templates/nbgrader/kamcourse_feedback``, set by
:func:`kamcourse.quiz.nbsteps.configure`) shows, per item, the verdict, the points from
the gradebook (a grader's manual score wins), the trainee's answer as read, the key, the
explanation and the note on each option when the kit has one -- no code, no English
chrome. The formgrader's "generate feedback" uses the same configuration.

For a class, :func:`generate_feedback` reads every notebook's grades through one
gradebook session and splits the class over worker processes forked from this one (they
only read the gradebook and write HTML; no trainee code runs anywhere).
"""

from __future__ import annotations

import multiprocessing
import threading
from typing import Any, Sequence

from kamcourse.quiz.course import Course, coursedir, nbgrader_config, quiet_logger, run_app

#: Below this many students, feedback is generated in this process (a worker costs more).
PARALLEL_FROM = 16


def _shared_get_grades() -> type:
    from nbgrader.preprocessors import GetGrades

    class SharedGetGrades(GetGrades):
        """nbgrader's GetGrades reading every notebook's grades through one session."""

        gradebook_for_all: Any = None

        def preprocess(self, nb, resources):
            # as nbgrader's GetGrades.preprocess, with the shared session; the per-cell logic is nbgrader's
            if self.gradebook_for_all is None:
                return super().preprocess(nb, resources)
            from nbconvert.preprocessors import Preprocessor

            from types import SimpleNamespace

            self.notebook_id = resources["nbgrader"]["notebook"]
            self.assignment_id = resources["nbgrader"]["assignment"]
            self.student_id = resources["nbgrader"]["student"]
            self.db_url = resources["nbgrader"]["db_url"]
            gb = self.gradebook_for_all
            notebook = gb.find_submission_notebook(self.notebook_id, self.assignment_id, self.student_id)
            # the submission's grades and comments in one query each (the rows nbgrader queries one by one)
            grades, comments = {g.name: g for g in notebook.grades}, {c.name: c for c in notebook.comments}
            self.gradebook = SimpleNamespace(
                find_grade=lambda name, *where: grades[name] if name in grades else gb.find_grade(name, *where),
                find_comment=lambda name, *where: comments[name] if name in comments else gb.find_comment(name, *where))
            nb, resources = Preprocessor.preprocess(self, nb, resources)
            late_penalty = notebook.late_submission_penalty or 0
            resources["nbgrader"]["score"] = notebook.score - late_penalty
            resources["nbgrader"]["max_score"] = notebook.max_score
            resources["nbgrader"]["late_penalty"] = late_penalty
            return nb, resources

    SharedGetGrades.__name__ = SharedGetGrades.__qualname__ = "GetGrades"  # nbgrader's configuration applies
    return SharedGetGrades


def autograded_students(course: Course) -> set[str]:
    return {p.parent.parent.name for p in (course.root / "autograded").glob(f"*/{course.quiz}/{course.quiz}.ipynb")}


def _feedback(course: Course, students: Sequence[str]) -> dict[str, Any]:
    """nbgrader's GenerateFeedback for ``students`` (autograded ones)."""
    from nbgrader.api import Gradebook
    from nbgrader.converters import GenerateFeedback

    get_grades = _shared_get_grades()
    cfg = nbgrader_config(course)
    configured = list(cfg.GenerateFeedback.get("preprocessors", ["nbgrader.preprocessors.GetGrades"]))
    cfg.GenerateFeedback.preprocessors = [get_grades if str(p).endswith("GetGrades") else p for p in configured]
    directory = coursedir(course, cfg)
    directory.student_id_exclude = ",".join(sorted(autograded_students(course) - set(students)))
    app = GenerateFeedback(coursedir=directory, config=cfg, log=quiet_logger())
    app.force = True
    with Gradebook(course.db_url) as gb:
        get_grades.gradebook_for_all = gb
        try:
            result = run_app(app)
        finally:
            get_grades.gradebook_for_all = None
    return {"success": bool(result["success"]), "log": result.get("log", "") or "", "error": result.get("error", "") or ""}


def _worker(job: tuple[Course, list[str]]) -> dict[str, Any]:
    import warnings

    warnings.filterwarnings("ignore", message=".*not in session.*")
    return _feedback(*job)


def generate_feedback(course: Course, students: Sequence[str] | None = None, workers: int = 2) -> dict[str, Any]:
    """Feedback HTML for ``students`` (default: every autograded one), ``workers`` at a time."""
    wanted = sorted(autograded_students(course) if students is None else set(students) & autograded_students(course))
    if not wanted:
        return {"success": True, "log": "", "error": ""}
    if workers < 2 or len(wanted) < PARALLEL_FROM or "fork" not in multiprocessing.get_all_start_methods() \
            or threading.active_count() > 1:
        return _feedback(course, wanted)
    import nbconvert.exporters  # noqa: F401 - imported once, before the workers fork
    import nbgrader.converters  # noqa: F401

    chunks = [wanted[i::workers] for i in range(workers)]
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        results = pool.map(_worker, [(course, chunk) for chunk in chunks if chunk])
    return {"success": all(r["success"] for r in results), "log": "".join(r["log"] for r in results),
            "error": "".join(r["error"] for r in results)}
