"""Helpers shared by the test modules (and benchmarks/): fake uploads, CSV bytes, notebook
text, the headless Chromium to drive and free loopback ports.

Imported as ``from helpers import ...`` (pytest puts this folder on ``sys.path``, as for
``from conftest import ROOT``).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import signal
import socket
import subprocess
from pathlib import Path

import ipywidgets as widgets

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

# Debian's Chromium without a display, sandbox or network chatter (playwright install
# cannot download a browser on the CI machines).
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]


def chromium_path() -> str | None:
    """``KAMCOURSE_CHROMIUM``, else the OS's Chromium, else None (Playwright's own download)."""
    configured = os.environ.get("KAMCOURSE_CHROMIUM")
    if configured:
        return configured
    for candidate in ("/usr/bin/chromium", "/usr/bin/chromium-browser", shutil.which("chromium") or ""):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


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
