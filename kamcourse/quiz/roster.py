"""A per-trainee release for LMS distribution (``kamcourse quiz release QUIZ --roster roster.csv``).

nbgrader releases one notebook for everyone; on the course hub each trainee's question
cells show their own version (:func:`kamcourse.quiz.variants.show_position` knows the
JupyterHub user). A trainee who gets the notebook from an LMS has no such id, so this
writes one notebook per roster line into ``<course>/release_roster/<quiz>/<student>.ipynb``:
the released notebook unchanged (its locked cells must match, or grading flags them), with
a first cell ``trainee_id = "<student>"`` and every question cell's output already showing
that trainee's version. Return each file under the same name (``<student>.ipynb``): the
grader takes the paper from the file's name, never from the notebook.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

from kamcourse.quiz.bank import Quiz
from kamcourse.quiz.course import Course, PipelineError
from kamcourse.quiz.variants import normalise_id, position_markdown


def roster_ids(path: Path) -> list[str]:
    import csv

    with Path(path).open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    if not rows or "student" not in rows[0]:
        raise PipelineError("名单", f"{path} 需要一列 student（学员编号）")
    return [normalise_id(row["student"]) for row in rows if (row.get("student") or "").strip()]


def _show_call(source: str) -> dict:
    """The arguments of a question cell's ``show_position(...)`` call (a literal call)."""
    import ast

    call = ast.parse(source.split("\n\n", 1)[1]).body[0].value
    args = [ast.literal_eval(a) for a in call.args]
    kwargs = {k.arg: ast.literal_eval(k.value) for k in call.keywords}
    return {"quiz_id": args[0], "number": args[1], "candidates": args[2], **kwargs}


def roster_release(course: Course, quiz: Quiz, roster: Path) -> list[Path]:
    release = json.loads(course.release_nb.read_text(encoding="utf-8"))
    folder = course.root / "release_roster" / quiz.id
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for student in roster_ids(roster):
        nb = copy.deepcopy(release)
        for cell in nb["cells"]:
            if cell.get("metadata", {}).get("kamcourse", {}).get("role") == "show":
                source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
                call = _show_call(source)
                text = position_markdown(call.pop("quiz_id"), call.pop("number"), call.pop("candidates"), student, **call)
                cell["outputs"] = [{"output_type": "display_data", "metadata": {}, "data": {"text/markdown": text,
                                                                                          "text/plain": text}}]
        nb["cells"].insert(0, {"cell_type": "code", "id": "trainee-id", "execution_count": None, "outputs": [],
                               "metadata": {"kamcourse": {"role": "trainee_id"}},
                               "source": f'trainee_id = "{student}"  # 你的学员编号（由讲师生成，请不要修改）'})
        target = folder / f"{student}.ipynb"
        target.write_text(json.dumps(nb, ensure_ascii=False, indent=1), encoding="utf-8")
        written.append(target)
    return written
