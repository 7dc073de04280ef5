"""Helpers shared by the test modules (and benchmarks/): fake uploads, CSV bytes, notebook
text, the headless Chromium to drive and free loopback ports.

Imported as ``from helpers import ...`` (pytest puts this folder on ``sys.path``, as for
``from conftest import ROOT``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import signal
import socket
import subprocess
from pathlib import Path

import ipywidgets as widgets

from kamcourse import pdf as _pdf

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

# Debian's Chromium without a display, sandbox or network chatter (playwright install
# cannot download a browser on the CI machines): the same flags and lookup as the course's
# own printing (kamcourse.pdf).
CHROMIUM_ARGS = list(_pdf.CHROMIUM_ARGS)
chromium_path = _pdf.chromium_path


def stop_process(proc: subprocess.Popen, wait: float = 20, *, whole_group: bool = True) -> None:
    """SIGTERM, then SIGKILL to the process group after ``wait`` seconds.

    The servers are started with ``start_new_session=True``, so their group id is their pid.
    ``whole_group=False`` sends the SIGTERM to the server alone, for servers (Voila,
    JupyterHub) that shut their own kernels or single-user servers down on it.
    """
    if proc.poll() is not None:
        return
    try:
        if whole_group:
            os.killpg(proc.pid, signal.SIGTERM)
        else:
            proc.send_signal(signal.SIGTERM)
        proc.wait(wait)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(10)
    except ProcessLookupError:
        pass


@contextlib.contextmanager
def browser_page(browser, timeout_ms: int = 60_000):
    """A page in a new context of a Playwright (sync) ``browser``, as the browser tests use
    it: tall viewport, Chinese locale, page errors collected in ``page.page_errors``.
    Closed with Voila's unload handler, which shuts the page's kernel down."""
    context = browser.new_context(viewport={"width": 1400, "height": 1900}, locale="zh-CN")
    context.set_default_timeout(timeout_ms)
    page = context.new_page()
    page.page_errors = []
    page.on("pageerror", lambda error: page.page_errors.append(str(error)))
    try:
        yield page
    finally:
        page.close(run_before_unload=True)
        context.close()


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def simulate_upload(upload: widgets.FileUpload, data: bytes, name: str) -> None:
    """What the browser sends when a file is picked (ipywidgets 8 value format)."""
    upload.value = (
        {
            "name": name,
            "type": "text/csv",
            "size": len(data),
            "content": memoryview(data),
            "last_modified": dt.datetime.now(dt.timezone.utc),
        },
    )


def csv_bytes(*lines: str) -> bytes:
    """UTF-8 CSV bytes of the given lines (header first), ending with a newline."""
    return ("\n".join(lines) + "\n").encode("utf-8")


def notebook_text(path: Path) -> str:
    """The source of all cells of the notebook at ``path``, joined by newlines."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    return "\n".join("".join(cell["source"]) for cell in nb["cells"])


def right_and_wrong_answer(task) -> tuple[object, object]:
    """For a choice, matching or numeric exercise task (kamcourse.exercises.Task): its key as
    the widget sends it, and one answer that differs from the key in one place."""
    if task.kind == "matching":
        wrong = list(task.key)
        wrong[0] = next(label for label in task.labels if label != task.key[0])
        return list(task.key), wrong
    if task.kind == "numeric":
        return str(task.key), str(task.key + 1)
    if task.kind in ("single", "multiple", "ordering"):
        return task.key, next(letter for letter in task.letters if letter not in task.key)
    raise ValueError(f"no generic answers for a {task.kind} task")


class KitItems:
    """A quiz's items with their keys and explanations from the instructor kit, by item id,
    loaded on first use. A test that reads them is skipped where the kit cannot be read: CI has
    no passphrase, and ``kamcourse kit seal`` already ran the course's text rules on them."""

    def __init__(self, quiz_id: str) -> None:
        self.quiz_id = quiz_id
        self._items: dict | None = None

    def _load(self) -> dict:
        if self._items is None:
            import pytest

            from kamcourse.quiz.kit import KitError, load_graded

            root = Path(__file__).resolve().parent.parent
            try:
                quiz = load_graded(root / "quizzes", self.quiz_id)
            except KitError as exc:
                pytest.skip(f"needs the instructor kit: {exc}")
            self._items = {item.id: item for item in quiz.items}
        return self._items

    def __getitem__(self, item_id: str):
        return self._load()[item_id]

    def values(self):
        return self._load().values()

    def items(self):
        return self._load().items()
