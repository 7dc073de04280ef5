"""Every notebook in the repository runs top to bottom under papermill, silently."""

from __future__ import annotations

import papermill as pm
import pytest

from conftest import ROOT, tracked_notebooks

NOTEBOOKS = tracked_notebooks()


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_notebook_executes_without_error_or_stderr(path, tmp_path):
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
