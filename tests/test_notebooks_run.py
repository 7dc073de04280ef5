"""Every notebook in the repository runs top to bottom under papermill, silently."""

from __future__ import annotations

import papermill as pm
import pytest

from conftest import ROOT, tracked_notebooks

NOTEBOOKS = tracked_notebooks()


def released(source, folder):
    """The student version of an nbgrader source notebook (hidden tests and solutions cleared)."""
    import nbformat
    from nbgrader.preprocessors import ClearHiddenTests, ClearMarkScheme, ClearSolutions

    nb = nbformat.read(str(source), as_version=4)
    resources: dict = {}
    # the course's nbgrader_config.py: an empty stub keeps the blank answer line
    for step in (ClearSolutions(code_stub={"python": ""}), ClearHiddenTests(), ClearMarkScheme()):
        nb, resources = step.preprocess(nb, resources)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / source.name
    nbformat.write(nb, str(target))
    return target


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_notebook_executes_without_error_or_stderr(path, tmp_path):
    if path.is_relative_to(ROOT / "quizzes" / "source"):
        # a quiz runs the way a trainee gets it: nbgrader's release steps remove the hidden
        # tests (which refuse to grade on purpose: grading reads answers as data)
        path = released(path, tmp_path / "release")
    executed = pm.execute_notebook(
        str(path),
        str(tmp_path / path.name),
        cwd=str(path.parent),
        kernel_name="python3",
        progress_bar=False,
        request_save_on_cell_execute=False,
    )
    stderr = [
        "".join(out.get("text", ""))
        for cell in executed.cells if cell.cell_type == "code"
        for out in cell.get("outputs", [])
        if out.get("output_type") == "stream" and out.get("name") == "stderr"
    ]
    assert stderr == [], f"{path.name} wrote to stderr: {stderr[:3]}"
