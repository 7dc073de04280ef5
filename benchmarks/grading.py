"""Grading a class of the exam quiz: ``kamcourse quiz grade`` with its per-stage times.

    .venv/bin/python benchmarks/grading.py                       # 100 submissions
    .venv/bin/python benchmarks/grading.py --submissions 40 --engine-nbgrader --nbgrader-class

Builds a temporary course from ``quizzes/`` the way the instructor kit works after the
migration: the public bank, and a synthetic kit (random keys valid for each item, see
``kamcourse.quiz.synthetic``; the real keys are never needed) given through ``KAMCOURSE_KIT``.
The class's answers come from ``benchmarks/bench.py``'s generator (the key 60 %, blank
10 %, a plausible wrong answer otherwise); ``--code-share`` of the submissions also write
one answer as code (``"AB" + "C"``), which is read as data and scores 0 on that item.

Times, each as its own process, as an instructor would run it:

* ``kamcourse quiz grade exam SUBMISSIONS`` (the default batch engine): checks and a
  gradebook backup, release, intake, autograde, Chinese feedback for everyone, grade
  exports, Moodle statistics and the report -- the per-stage times are printed;
* with ``--engine-nbgrader``, ``kamcourse quiz grade --engine nbgrader`` (nbgrader's own
  Autograde converter per student, as the formgrader runs it);
* with ``--nbgrader-class``, one ``nbgrader autograde exam`` for the class with the
  course's configuration (kamcourse's steps: no kernel either).

The gradebooks are compared (every grade cell's auto score, manual score, needs-manual
flag and each submission's total): "identical" means all equal. Wall-clock numbers on a
shared machine: the load average is printed before and after. Nothing here is a test.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
QUIZ = "exam"
sys.path.insert(0, str(ROOT / "benchmarks"))
from bench import machine  # noqa: E402


def load() -> str:
    return " / ".join(f"{x:.1f}" for x in os.getloadavg())


def env(kit: Path) -> dict[str, str]:
    out = {**os.environ, "KAMCOURSE_KIT": str(kit), "PATH": os.pathsep.join([str(BIN), os.environ.get("PATH", "")])}
    out.pop("KAMCOURSE_KIT_PASSPHRASE", None)
    return out


def new_course(path: Path, kit: Path) -> Path:
    """A copy of ``quizzes/`` without anything generated, with a public bank, released."""
    from kamcourse.quiz.synthetic import strip_bank

    shutil.copytree(ROOT / "quizzes", path, ignore=shutil.ignore_patterns(
        "release", "release_roster", "submitted", "autograded", "feedback", "reports", "backups", "gradebook.db",
        ".ipynb_checkpoints"))
    strip_bank(path / "bank")
    for args in (["build"], ["release", QUIZ]):
        done = subprocess.run([str(BIN / "kamcourse"), "quiz", *args, "--course", str(path)], cwd=path, env=env(kit),
                              capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"kamcourse quiz {' '.join(args)} failed:\n{done.stderr[-2000:]}")
    return path


def write_class(course: Path, kit: Path, n: int, folder: Path, code_share: float, seed: int = 5) -> tuple[list[str], list[str]]:
    """``n`` submissions in nbgrader's layout; returns (students, those with a code answer)."""
    from bench import write_class as bench_write_class  # the other benchmark's generator, reused

    from kamcourse.quiz.kit import load_graded, load_secrets

    quiz = load_graded(course, QUIZ, load_secrets(course, kit_dir=kit))
    release = json.loads((course / "release" / QUIZ / f"{QUIZ}.ipynb").read_text(encoding="utf-8"))
    students = bench_write_class(release, quiz, n, folder, seed=seed)
    rng = random.Random(seed)
    coded = sorted(rng.sample(students, round(n * code_share))) if code_share > 0 else []
    for student in coded:
        path = folder / student / QUIZ / f"{QUIZ}.ipynb"
        nb = json.loads(path.read_text(encoding="utf-8"))
        for cell in nb["cells"]:
            if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "q3_answer":
                cell["source"] = '# 第 3 题\nanswer_q3 = "AB" + "C"\n'
        path.write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")
    return students, coded


def timed(args: list[str], cwd: Path, kit: Path) -> tuple[float, subprocess.CompletedProcess]:
    started = time.perf_counter()
    done = subprocess.run(args, cwd=cwd, env=env(kit), capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{done.stdout[-1500:]}\n{done.stderr[-1500:]}")
    return seconds, done


def gradebook(course: Path, students: list[str]) -> dict[str, tuple]:
    from nbgrader.api import Gradebook

    rows: dict[str, tuple] = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for student in students:
            nb = gb.find_submission_notebook(QUIZ, QUIZ, student)
            for grade in nb.grades:
                rows[f"{student} {grade.name}"] = (grade.auto_score, grade.manual_score, grade.needs_manual_grade)
            rows[f"{student} score"] = (round(float(nb.score), 4),)
    return rows


def pipeline_json(course: Path, submissions: Path, engine: str) -> list[str]:
    """``kamcourse quiz grade`` in its own process, reporting its step timings as JSON."""
    code = (
        "import json, resource, time; t0 = time.perf_counter(); from kamcourse.quiz.pipeline import grade_class;"
        "imported = time.perf_counter() - t0; cpu = lambda: sum(resource.getrusage(w).ru_utime + resource.getrusage(w).ru_stime"
        " for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)); c0 = cpu();"
        f"r = grade_class({str(course)!r}, {QUIZ!r}, {str(submissions)!r}, engine={engine!r}, progress=lambda m: None);"
        "print(json.dumps({'imports': imported, 'seconds': r.seconds, 'cpu': cpu() - c0, 'timings': r.timings,"
        " 'engines': r.engines, 'failed': [s.student for s in r.students if s.status != 'graded']}))"
    )
    return [sys.executable, "-c", code]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--submissions", type=int, default=100)
    parser.add_argument("--code-share", type=float, default=0.05,
                        help="share of submissions with one answer written as code (default 0.05)")
    parser.add_argument("--engine-nbgrader", action="store_true", help="also time kamcourse quiz grade --engine nbgrader")
    parser.add_argument("--nbgrader-class", action="store_true", help="also time one nbgrader autograde for the class")
    parser.add_argument("--keep", type=Path, help="build the courses here and keep them")
    args = parser.parse_args(argv)

    from kamcourse.quiz.synthetic import write_kit

    print(f"Machine: {machine()}; load average (1/5/15 min) before: {load()}")
    with tempfile.TemporaryDirectory(prefix="grading-bench-") as scratch:
        tmp = args.keep or Path(scratch)
        tmp.mkdir(parents=True, exist_ok=True)
        kit = tmp / "synthetic-kit"
        write_kit(ROOT / "quizzes" / "bank", kit, seed=3)
        first = new_course(tmp / "batch", kit)
        submissions = tmp / "submissions"
        students, coded = write_class(first, kit, args.submissions, submissions, args.code_share)
        print(f"{len(students)} submissions of the exam quiz ({len(coded)} with one answer written as code)", flush=True)
        rows: list[tuple[str, float, str]] = []
        books: dict[str, dict[str, tuple]] = {}
        engines = ["batch"] + (["nbgrader"] if args.engine_nbgrader else [])
        for engine in engines:
            course = first if engine == "batch" else new_course(tmp / "pipeline-nbgrader", kit)
            print(f"[kamcourse quiz grade --engine {engine}] ... (load {load()})", file=sys.stderr, flush=True)
            seconds, done = timed(pipeline_json(course, submissions, engine), course, kit)
            report = json.loads(done.stdout.strip().splitlines()[-1])
            split = ", ".join(f"{k} {v:.2f}" for k, v in report["timings"].items())
            rows.append((f"kamcourse quiz grade --engine {engine}", seconds,
                         f"grade_class {report['seconds']:.2f} s wall, {report['cpu']:.2f} s CPU (this process and its "
                         f"feedback workers), after {report['imports']:.2f} s of imports; "
                         f"stages (s): {split}" + (f"; not graded: {report['failed']}" if report["failed"] else "")))
            books[f"kamcourse {engine}"] = gradebook(course, students)
        if args.nbgrader_class:
            course = new_course(tmp / "nbgrader-class", kit)
            shutil.copytree(submissions, course / "submitted")
            print(f"[nbgrader autograde] ... (load {load()})", file=sys.stderr, flush=True)
            seconds, _ = timed([str(BIN / "nbgrader"), "autograde", QUIZ, "--force"], course, kit)
            rows.append(("nbgrader autograde, one command for the class (course config)", seconds, ""))
            books["nbgrader autograde"] = gradebook(course, students)

        print(f"\nLoad average after: {load()}\n")
        width = max(len(r[0]) for r in rows)
        print(f"| {'run'.ljust(width)} | wall time |")
        print(f"|{'-' * (width + 2)}|-----------|")
        for label, seconds, _ in rows:
            print(f"| {label.ljust(width)} | {seconds:7.2f} s |")
        for label, _, note in rows:
            if note:
                print(f"\n{label}: {note}")
        names = list(books)
        print()
        for name in names[1:]:
            diff = [k for k in set(books[names[0]]) | set(books[name]) if books[names[0]].get(k) != books[name].get(k)]
            print(f"scores {names[0]} vs {name}: {'identical' if not diff else f'{len(diff)} differences'}"
                  f" ({len(books[names[0]])} grade cells and totals)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
