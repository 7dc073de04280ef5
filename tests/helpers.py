"""Helpers shared by the test modules: fake uploads, CSV bytes, notebook text.

Imported as ``from helpers import ...`` (pytest puts this folder on ``sys.path``, as for
``from conftest import ROOT``).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import ipywidgets as widgets

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


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
