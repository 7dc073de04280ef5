"""我的进度 on the start page, and the start page's module map against course/outline.yaml."""

from __future__ import annotations

import json
import re

import pytest
import yaml

from conftest import ROOT
from kamcourse import exercises
from kamcourse.views import progress

OUTLINE = yaml.safe_load((ROOT / "course" / "outline.yaml").read_text(encoding="utf-8"))["modules"]
QUIZ_IDS = {"m1": "m1_mindset", "m2": "m2_needs", "m3": "m3_ffab", "m4": "m4_spin", "m5": "m5_stages", "m6": "m6_crm"}


pytestmark = pytest.mark.usefixtures("progress_home")


def row(view, module):
    return next(r for r in view.rows if r.module == module)


def test_a_new_trainee_sees_every_module_and_no_passes():
    view = progress.progress_view()
    assert [r.module for r in view.rows][: len(OUTLINE)] == [m["id"] for m in OUTLINE]
    assert all(r.passed == 0 for r in view.rows)
    assert row(view, "m1").total == len(exercises.load_module("m1"))
    assert view.message.kind == "info" and "刷新进度" in view.message.text
    assert "模块一 心态与思维方式" in view.table_html.value
    assert "01_mindset_exercises.ipynb" in view.table_html.value
    assert view.chart.value[:8] == b"\x89PNG\r\n\x1a\n"


def test_refresh_shows_passed_tasks_but_not_revealed_ones(monkeypatch, tmp_path):
    from fixtures.exercises.support import private_exercise_data
    from kamcourse.views.exercise import exercise_task

    private_exercise_data(monkeypatch, tmp_path)
    view = progress.progress_view()
    titles = {t.id: t.title for t in exercises.load_exercises("mx").tasks}
    passed = exercise_task("mx", "t1")
    passed.inputs.choice.value = "A"
    passed.check_button.click()
    wrong = exercise_task("mx", "t2")
    wrong.inputs.boxes["A"].value = True
    wrong.check_button.click()
    revealed = exercise_task("mx", "t3")
    revealed.reveal_button.click()
    revealed.confirm_button.click()
    inline = exercise_task("mx", "c1")  # a module-notebook check: recorded, not counted
    inline.inputs.choice.value = "A"
    inline.check_button.click()
    view.refresh.click()
    mx = row(view, "mx")
    assert (mx.passed, mx.total) == (1, 8)
    assert mx.passed_titles == (titles["t1"],)
    assert titles["t3"] in mx.open_titles and titles["c1"] not in mx.open_titles + mx.passed_titles
    assert "<b>1</b> / 8" in view.table_html.value
    assert view.message.kind == ""
    assert "已通过 <b>1</b>" in view.summary_html.value


def test_a_corrupt_store_still_shows_the_page():
    path = exercises.progress_file()
    path.parent.mkdir(parents=True)
    path.write_text("{broken", encoding="utf-8")
    view = progress.progress_view()
    assert view.rows and all(r.passed == 0 for r in view.rows)


def test_without_the_outline_the_known_modules_are_listed(monkeypatch, tmp_path):
    monkeypatch.setattr(progress, "course_root", lambda: tmp_path)
    modules = progress.outline_modules()
    assert [m["id"] for m in modules] == list(exercises.MODULE_TITLES)
    view = progress.progress_view()
    assert row(view, "m2").title == "模块二 客户需求"


def test_progress_rows_handle_modules_missing_from_either_side():
    summary = [exercises.ModuleProgress("m9", "模块九", 1, 1, ("t1",))]
    rows = progress.progress_rows([{"id": "m1", "title": "心态与思维方式"}], summary, {"m9": {"t1": "附加题"}})
    assert [(r.module, r.passed, r.total) for r in rows] == [("m1", 0, 0), ("m9", 1, 1)]
    assert rows[1].passed_titles == ("附加题",)
    assert "练习尚未发布" in progress.table_html(rows)


# ---------------------------------------------------------------- the start page


def start_page() -> tuple[str, list[dict]]:
    nb = json.loads((ROOT / "course" / "00_start.ipynb").read_text(encoding="utf-8"))
    return "\n".join("".join(c["source"]) for c in nb["cells"]), nb["cells"]


def test_module_map_links_every_module_exercise_and_quiz_from_the_outline():
    text, _ = start_page()
    links = set(re.findall(r"\]\(([^)]+)\)", text))
    for module in OUTLINE:
        notebook = module["notebook"].removeprefix("course/")
        exercise = "../" + module["exercises"]
        assert notebook in links, notebook
        assert exercise in links, exercise
        assert (ROOT / module["notebook"]).is_file(), module["notebook"]
        assert (ROOT / module["exercises"]).is_file(), module["exercises"]
        assert module["title"] in text
        assert QUIZ_IDS[module["id"]] in text


def test_start_page_points_to_the_dashboards_and_runs_the_progress_view():
    text, cells = start_page()
    for dashboard in ("dashboards/dso.ipynb", "dashboards/funnel.ipynb"):
        assert f"]({dashboard})" in text
    code = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
    assert "progress_view()" in code
    for words in ("Shift+Enter", "运行全部", "我的进度", "Assignments"):
        assert words in text


@pytest.mark.parametrize("quiz_id", sorted(QUIZ_IDS.values()))
def test_every_quiz_the_course_names_exists_in_the_item_bank(quiz_id):
    assert (ROOT / "quizzes" / "bank" / f"{quiz_id}.yaml").is_file()
