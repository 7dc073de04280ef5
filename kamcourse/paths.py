"""Where the course files live."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = PACKAGE_DIR / "data"


def course_root() -> Path:
    """The checkout that holds ``course/``, ``exercises/`` and ``quizzes/``.

    ``KAMCOURSE_ROOT`` wins; otherwise the folder above an editable install; otherwise
    the current directory.
    """
    env = os.environ.get("KAMCOURSE_ROOT")
    if env:
        return Path(env).resolve()
    beside_package = PACKAGE_DIR.parent
    if (beside_package / "course").is_dir():
        return beside_package
    return Path.cwd()
