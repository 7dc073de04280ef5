"""A generated exercise notebook in the browser, used with the keyboard and found by
accessible names: Voila (the flags of ``kamcourse serve``) + headless Chromium.

The fixture notebook (every kind) is built into a temporary course folder; the kernel
reads the fixture exercise files and a private progress store through the environment.
"""

from __future__ import annotations

import json
import re

import pytest

from fixtures.exercises.support import FIXTURES
from helpers import CHROMIUM_ARGS, chromium_path
from voila_server import VoilaServer

from kamcourse.exercises import build

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(600)]

LOAD_TIMEOUT_MS = 180_000
STEP_TIMEOUT_MS = 60_000


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    root = tmp_path_factory.mktemp("course")
    report = build.build(root, FIXTURES)
    (notebook,) = report.written
    return root, root / notebook


@pytest.fixture(scope="module")
def page(course):
    root, notebook = course
    env = {"KAMCOURSE_EXERCISES": str(FIXTURES), "KAMCOURSE_HOME": str(root / "home")}
    with VoilaServer(notebook, env=env) as server, sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1300, "height": 1800}, locale="zh-CN")
        context.set_default_timeout(STEP_TIMEOUT_MS)
        opened = context.new_page()
        opened.page_errors = []
        opened.on("pageerror", lambda error: opened.page_errors.append(str(error)))
        opened.goto(server.url_for(), timeout=LOAD_TIMEOUT_MS)
        expect(opened.locator(".kc-exercise")).to_have_count(8, timeout=LOAD_TIMEOUT_MS)
        yield opened
        opened.close(run_before_unload=True)
        context.close()
        browser.close()


def task(page, task_id: str):
    return page.locator(f".kc-exercise-mx-{task_id}")


def press_check_with_the_keyboard(box) -> None:
    button = box.get_by_role("button", name=re.compile(r"^\W*检查$"))
    button.focus()
    button.press("Enter")


def test_a_choice_is_picked_by_its_name_and_checked_with_the_keyboard(page):
    box = task(page, "t1")
    expect(box).to_contain_text("开场之后，先问哪一个问题最合适")  # the stem, rendered from markdown
    box.get_by_role("radio", name="C．如果首件结果 10 分钟以内就能出来，对您有什么帮助？").check()
    press_check_with_the_keyboard(box)
    expect(box.locator(".kc-exercise-feedback")).to_contain_text("不对。提示：先了解现状")
    chosen = box.get_by_role("radio", name="C．如果首件结果 10 分钟以内就能出来，对您有什么帮助？")
    chosen.press("ArrowUp")  # the arrow keys move the choice, as in any radio group
    box.get_by_role("radio", name="B．首件检测排队，每个月会耽误多少订单？").press("ArrowUp")
    expect(box.get_by_role("radio", name="A．贵厂现在的首件检测是怎么安排的？")).to_be_checked()
    # the stale verdict gives way to the answer as the kernel now has it (ipywidgets may hold a
    # fast second change back until the first is acknowledged: wait for the kernel's echo)
    expect(box.locator(".kc-exercise-feedback")).to_contain_text("你现在的答案：A")
    press_check_with_the_keyboard(box)
    expect(box.locator(".kc-exercise-feedback")).to_contain_text("正确！")
    expect(box.locator(".kc-exercise-solution")).to_contain_text("先用背景问题了解现状")


def test_dropdowns_are_labelled_by_position_and_by_statement(page):
    ordering = task(page, "t3")
    for position, letter in zip(range(1, 5), "BDAC"):
        ordering.get_by_role("combobox", name=f"第 {position} 位").select_option(index=" ABCD".index(letter))
    press_check_with_the_keyboard(ordering)
    expect(ordering.locator(".kc-exercise-feedback")).to_contain_text("正确！")

    matching = task(page, "t4")
    matching.get_by_role("combobox", name="第 1 项").select_option(label="背景问题")
    press_check_with_the_keyboard(matching)
    expect(matching.locator(".kc-exercise-feedback")).to_contain_text("第 2、3 项还没有选类别")
    expect(matching.get_by_role("combobox", name="第 1 项")).to_have_value("背景问题")  # the choice is kept


def test_written_answer_rubric_and_reveal_behind_a_confirmation(page):
    box = task(page, "t7")
    area = box.get_by_role("textbox", name="你的答案")
    area.fill("产线停下来等首件检测结果，每个月会耽误多少订单？")
    press_check_with_the_keyboard(box)
    expect(box.locator(".kc-exercise-feedback")).to_contain_text("逐条自查")
    box.get_by_role("checkbox", name="问的是这个难点带来的后果").check()
    box.get_by_role("checkbox", name="没有提到我们的产品").check()
    press_check_with_the_keyboard(box)
    expect(box.locator(".kc-exercise-feedback")).to_contain_text("每条要点都做到了")

    numeric = task(page, "t5")
    numeric.get_by_role("button", name="查看参考答案").click()
    expect(numeric).to_contain_text("确定要看参考答案吗")
    numeric.get_by_role("button", name="取消，我再想想").click()
    expect(numeric.locator(".kc-exercise-solution")).to_have_text("")
    numeric.get_by_role("button", name="查看参考答案").click()
    numeric.get_by_role("button", name="确定查看").click()
    expect(numeric.locator(".kc-exercise-solution")).to_contain_text("81%")
    assert page.page_errors == []


def test_progress_reached_the_store(page, course):
    root, _ = course
    expect(task(page, "t5").locator(".kc-exercise-solution")).to_contain_text("81%")
    stored = json.loads((root / "home" / "progress.json").read_text(encoding="utf-8"))["mx"]
    assert stored["t1"]["passed"] and stored["t1"]["attempts"] == 2 and stored["t1"]["hinted"]
    assert stored["t5"]["revealed"] and not stored["t5"]["passed"]
