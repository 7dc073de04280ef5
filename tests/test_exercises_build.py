"""The generated exercise notebooks (``kamcourse exercises build [--check]``), sealing from
the command line, the worked example, and the generated notebooks run by papermill."""

from __future__ import annotations

import json
import re

import nbformat
import papermill as pm
import pytest
import yaml

from conftest import ROOT
from fixtures.exercises.support import EXAMPLE, FIXTURES, private_exercise_data, shipped_v2_modules
from kamcourse import exercises as ex
from kamcourse.cli import main
from kamcourse.exercises import build, loader, seal


@pytest.fixture
def data(monkeypatch, tmp_path):
    return private_exercise_data(monkeypatch, tmp_path)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_the_notebook_has_title_intro_one_heading_and_one_widget_per_task_and_outro(data):
    exercise_set = ex.load_exercises("mx")
    nb = build.build_notebook(exercise_set)
    cells = nb["cells"]
    setup = cells[0]
    assert setup["cell_type"] == "code" and setup["source"] == "from kamcourse.views.exercise import exercise_task"
    assert setup["metadata"] == {"jupyter": {"source_hidden": True}, "tags": ["hide-input"]}
    assert cells[1]["source"].startswith("# 测试练习　每种题型一道\n\n每道题：")
    body = cells[2:-1]
    assert [c["source"] for c in body[0::2]] == [f"## 练习 {i}　{t.title}" for i, t in
                                                 enumerate(exercise_set.exercise_tasks, start=1)]
    assert [c["source"] for c in body[1::2]] == [f'exercise_task("mx", "t{i}")' for i in range(1, 9)]
    assert '"c1"' not in json.dumps(nb)  # a module-notebook check is not in the exercise notebook
    assert cells[-1]["source"].startswith("做完了！")
    assert all(c.get("outputs", []) == [] and c.get("execution_count") is None for c in cells)
    nbformat.validate(nbformat.from_dict(nb))


def test_build_writes_once_and_check_passes_until_something_drifts(data, tmp_path, capsys):
    root = tmp_path / "course"
    code, out, _ = run(capsys, "exercises", "build", "--data", str(data), "--root", str(root))
    notebook = root / "exercises" / "99_fixture_exercises.ipynb"
    assert code == 0 and "已生成 exercises/99_fixture_exercises.ipynb" in out
    first = notebook.read_text(encoding="utf-8")
    assert first == build.render(ex.load_exercises("mx"))  # deterministic
    code, out, _ = run(capsys, "exercises", "build", "--data", str(data), "--root", str(root))
    assert code == 0 and "已生成" not in out and notebook.read_text(encoding="utf-8") == first
    assert run(capsys, "exercises", "build", "--check", "--data", str(data), "--root", str(root))[0] == 0

    notebook.write_text(first.replace("练习 1", "练习 一"), encoding="utf-8")  # edited by hand
    code, _, err = run(capsys, "exercises", "build", "--check", "--data", str(data), "--root", str(root))
    assert code == 1 and "不一致：exercises/99_fixture_exercises.ipynb" in err
    run(capsys, "exercises", "build", "--data", str(data), "--root", str(root))

    path = data / "mx.yaml"  # the YAML changed, the notebook was not rebuilt
    path.write_text(path.read_text(encoding="utf-8").replace("title: 先问什么", "title: 先问哪个"), encoding="utf-8")
    assert run(capsys, "exercises", "build", "--check", "--data", str(data), "--root", str(root))[0] == 1
    notebook.unlink()
    assert run(capsys, "exercises", "build", "--check", "--data", str(data), "--root", str(root))[0] == 1


def test_build_skips_v1_files_and_refuses_broken_ones(data, tmp_path, capsys):
    (data / "mv.yaml").write_text("tasks:\n  - id: t1\n    kind: single\n    answer: A\n", encoding="utf-8")
    code, out, _ = run(capsys, "exercises", "build", "--data", str(data), "--root", str(tmp_path))
    assert code == 0 and "跳过 mv" in out
    path = data / "mx.yaml"
    good = path.read_text(encoding="utf-8")
    (data / "mz.yaml").write_text(good.replace("module: mx", "module: mz").replace("99_fixture", "98_other"), encoding="utf-8")
    path.write_text(good.replace("level: recall", "level: easy", 1), encoding="utf-8")
    code, out, err = run(capsys, "exercises", "build", "--data", str(data), "--root", str(tmp_path))
    assert code == 2 and "mx.yaml · t2 · level" in err
    assert "已生成 exercises/98_other_exercises.ipynb" in out  # the other files are still built
    assert run(capsys, "exercises", "build", "m42", "--data", str(data))[0] == 2


def test_seal_and_unseal_from_the_command_line(data, capsys):
    path = data / "mx.yaml"
    plain = path.read_text(encoding="utf-8")
    code, out, _ = run(capsys, "exercises", "seal", "--data", str(data))
    assert code == 0 and "已加密 mx.yaml" in out
    sealed = path.read_text(encoding="utf-8")
    assert seal.plain_values(sealed) == [] and "BDAC" not in sealed
    assert run(capsys, "exercises", "seal", "mx", "--data", str(data))[1].strip() == "mx.yaml 无需改动"
    assert ex.load_exercises("mx") == loader.parse_exercises(yaml.safe_load(plain), "mx.yaml", "mx", path)
    code, out, _ = run(capsys, "exercises", "unseal", "mx", "--data", str(data))
    assert code == 0 and "已解密 mx.yaml" in out
    assert yaml.safe_load(path.read_text(encoding="utf-8")) == yaml.safe_load(plain)


def test_seal_refuses_a_broken_file_and_leaves_it_alone(data, capsys):
    path = data / "mx.yaml"
    broken = path.read_text(encoding="utf-8").replace("key: BDAC", "key: BDA")
    path.write_text(broken, encoding="utf-8")
    code, _, err = run(capsys, "exercises", "seal", "--data", str(data))
    assert code == 2 and "mx.yaml · t3 · key" in err
    assert path.read_text(encoding="utf-8") == broken


def test_validate_reports_levels(data, capsys):
    code, out, _ = run(capsys, "exercises", "validate", "--data", str(data))
    assert code == 0 and "mx.yaml：格式 v2，9 道题（练习本 8 道，模块笔记本 1 道）；练习本中应用/迁移 6 道，记忆 2 道" in out


# ---------------------------------------------------------------- the worked example


def test_the_worked_example_is_sealed_and_matches_the_old_module_4_keys(monkeypatch, tmp_path):
    private_exercise_data(monkeypatch, tmp_path, EXAMPLE)
    example = ex.load_exercises("m4")
    assert [t.kind for t in example.tasks] == ["matching", "single", "written", "single"]
    assert example.task("t1").key == ("难点问题", "背景问题", "需求-效益问题", "暗示问题", "背景问题", "暗示问题", "难点问题", "需求-效益问题")
    assert example.task("t3").key == "C"  # computed by kamcourse.spin:personality_task_key
    assert ex.check("m4", "t1", list(example.task("t1").key)).passed
    assert ex.check("m4", "t5", "排队等首件检测，会不会影响你们按时给主机厂交货？").message.startswith("写好了")
    assert "首件检测半小时" not in (EXAMPLE / "m4.yaml").read_text(encoding="utf-8")


# ---------------------------------------------------------------- the notebooks run


def _execute(notebook, tmp_path):
    executed = pm.execute_notebook(str(notebook), str(tmp_path / f"run-{notebook.name}"), cwd=str(notebook.parent),
                                   kernel_name="python3", progress_bar=False, request_save_on_cell_execute=False)
    outputs = [out for cell in executed.cells if cell.cell_type == "code" for out in cell.get("outputs", [])]
    stderr = [out for out in outputs if out.get("output_type") == "stream" and out.get("name") == "stderr"]
    assert stderr == []
    return executed


@pytest.mark.slow
@pytest.mark.parametrize("source", [FIXTURES, EXAMPLE], ids=["every-kind", "worked-example"])
def test_a_generated_notebook_runs_top_to_bottom_and_shows_a_widget_per_task(source, monkeypatch, tmp_path):
    data = private_exercise_data(monkeypatch, tmp_path, source)
    report = build.build(tmp_path / "course", data)
    (written,) = report.written
    executed = _execute(tmp_path / "course" / written, tmp_path)
    task_cells = [c for c in executed.cells if c.cell_type == "code" and c.source.startswith("exercise_task(")]
    (module,) = ex.modules()
    assert len(task_cells) == len(ex.load_exercises(module).exercise_tasks)
    for i, cell in enumerate(task_cells):
        *before, output = cell.outputs
        assert "application/vnd.jupyter.widget-view+json" in output["data"], cell.source
        assert "TaskUnavailable" not in output["data"].get("text/plain", "")
        # the first task also puts the widgets' style in the page, once per kernel
        assert [o["data"]["text/html"].startswith("<style>") for o in before] == ([True] if i == 0 else [])


# ---------------------------------------------------------------- the shipped notebooks


@pytest.mark.parametrize("module", shipped_v2_modules())
def test_shipped_exercise_notebooks_match_their_files(module):
    report = build.build(ROOT, loader.EXERCISE_DIR, [module], check=True)
    assert report.ok, f"{report.drifted}: run `kamcourse exercises build {module}`"



TASK_CALL = re.compile(r'exercise_task\(\s*"(m[a-z0-9]+)"\s*,\s*"([a-z0-9_]+)"\s*\)')


def _task_calls() -> list[tuple[str, str, str, str]]:
    calls = []
    for pattern, place in (("course/*.ipynb", "module"), ("exercises/*.ipynb", "exercises")):
        for path in sorted(ROOT.glob(pattern)):
            nb = json.loads(path.read_text(encoding="utf-8"))
            for cell in nb["cells"]:
                source = "".join(cell["source"]) if cell["cell_type"] == "code" else ""
                calls.extend((str(path.relative_to(ROOT)), place, m, t) for m, t in TASK_CALL.findall(source))
    return calls


@pytest.mark.parametrize("notebook, place, module, task_id", _task_calls())
def test_every_task_a_notebook_shows_exists_in_the_right_place(notebook, place, module, task_id, monkeypatch):
    monkeypatch.delenv("KAMCOURSE_EXERCISES", raising=False)
    task = ex.load_exercises(module).task(task_id)
    assert task.where == place, f"{notebook}: {module}/{task_id} has where: {task.where}"
