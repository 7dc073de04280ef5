"""Sample data for the fictional case company that ships with the course."""

from __future__ import annotations

import csv
from pathlib import Path

from kamcourse.paths import DATA_DIR

SAMPLE_DIR = DATA_DIR / "sample"


def sample_path(name: str) -> Path:
    """Path of a sample table, e.g. ``sample_path("customers")``."""
    return SAMPLE_DIR / f"{name}.csv"


def load_sample(name: str) -> list[dict[str, str]]:
    """Rows of a sample CSV as dicts of strings (convert with the topic module's parser)."""
    with sample_path(name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))
