"""``kamcourse quiz ...`` and ``kamcourse kit ...``. Registered through ``kamcourse.cli.EXTENSIONS``::

    kamcourse quiz build [--check] [--course DIR]
    kamcourse quiz release QUIZ [--roster CSV] [--course DIR]
    kamcourse quiz grade QUIZ SUBMISSIONS [--course DIR] [--out DIR] [--force] [--engine batch|nbgrader]
                         [--workers N] [--accept-kit-change] [--roster CSV]
    kamcourse quiz stats QUIZ [--course DIR] [--out DIR] [--roster CSV]
    kamcourse quiz restore [--backup NAME] [--course DIR]
    kamcourse quiz export QUIZ [--out DIR] [--course DIR]
    kamcourse quiz gain QUIZ --pre GRADES.csv --post GRADES.csv [--out DIR] [--course DIR]
    kamcourse kit unlock DIR | seal DIR | check [--course DIR]

``--course`` is the nbgrader course root (default: ``quizzes/`` of the checkout). Defaults
are the API's (:data:`kamcourse.quiz.pipeline.DEFAULT_ENGINE`, ``DEFAULT_WORKERS``).
The kit passphrase is read from ``KAMCOURSE_KIT_PASSPHRASE`` or asked for.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from kamcourse.errors import KamcourseError
from kamcourse.paths import course_root


def default_course() -> Path:
    return course_root() / "quizzes"


def register(subparsers: argparse._SubParsersAction) -> None:
    from kamcourse.quiz.engine import DEFAULT_ENGINE, ENGINES
    from kamcourse.quiz.pipeline import DEFAULT_WORKERS

    quiz = subparsers.add_parser("quiz", help="quizzes: build, release, grade, statistics, LMS export")
    sub = quiz.add_subparsers(dest="quiz_command", required=True)

    def command(name: str, help: str, func, quiz_arg: bool = True) -> argparse.ArgumentParser:
        parser = sub.add_parser(name, help=help)
        if quiz_arg:
            parser.add_argument("quiz")
        parser.add_argument("--course", type=Path, help="nbgrader course root (default: quizzes/)")
        parser.set_defaults(func=func)
        return parser

    build = command("build", "generate source/<quiz>/<quiz>.ipynb from the public bank bank/*.yaml", _build, False)
    build.add_argument("--check", action="store_true", help="only compare; fail if a notebook differs from the bank")
    release = command("release", "nbgrader generate_assignment for one quiz", _release)
    release.add_argument("--roster", type=Path, help="roster.csv (column student): one notebook per trainee for an LMS")
    grade = command("grade", "autograde (answers read as data), feedback, exports and statistics for a class", _grade)
    grade.add_argument("submissions", type=Path,
                       help="nbgrader submitted/ layout (<student>/<quiz>/<quiz>.ipynb) or a flat folder of <student>.ipynb")
    grade.add_argument("--out", type=Path, help="report folder (default: <course>/reports/<quiz>)")
    grade.add_argument("--force", action="store_true", help="regrade unchanged submissions too")
    grade.add_argument("--engine", choices=list(ENGINES), default=DEFAULT_ENGINE,
                       help=f"{ENGINES[0]} (default): nbgrader's steps with one gradebook session; "
                            f"{ENGINES[1]}: nbgrader's own Autograde converter per student (what the formgrader runs)")
    grade.add_argument("--workers", type=int, default=DEFAULT_WORKERS,
                       help=f"feedback pages written this many processes at a time (default {DEFAULT_WORKERS})")
    grade.add_argument("--accept-kit-change", action="store_true",
                       help="the keys were corrected on purpose since the release: record them and grade")
    grade.add_argument("--roster", type=Path, help="roster.csv for the LMS grade imports (ids, emails, sections)")
    stats = command("stats", "rebuild feedback, grades and statistics after manual grading", _stats)
    stats.add_argument("--out", type=Path)
    stats.add_argument("--roster", type=Path)
    restore = command("restore", "put the newest good gradebook backup back", _restore, False)
    restore.add_argument("--backup", help="a file name in <course>/backups/ (default: the newest usable one)")
    export = command("export", "Moodle XML and QTI 1.2 (Canvas) exports of a quiz, with keys (instructor only)", _export)
    export.add_argument("--out", type=Path, help="default: <course>/reports/<quiz>/lms")
    gain = command("gain", "normalised learning gain between a pre-test and a post-test (grades.csv of each)", _gain)
    gain.add_argument("--pre", type=Path, required=True)
    gain.add_argument("--post", type=Path, required=True)
    gain.add_argument("--out", type=Path, help="default: <course>/reports/<quiz>")

    kit = subparsers.add_parser("kit", help="the instructor kit: keys and explanations, encrypted in the repository")
    ksub = kit.add_subparsers(dest="kit_command", required=True)
    for name, help, func in (("unlock", "decrypt kit.age into a working folder outside the repository", _unlock),
                             ("seal", "validate a working folder, write the public bank and notebooks, encrypt kit.age", _seal)):
        parser = ksub.add_parser(name, help=help)
        parser.add_argument("dir", type=Path)
        parser.add_argument("--course", type=Path)
        parser.set_defaults(func=func)
        if name == "seal":
            parser.add_argument("--no-text-check", action="store_true",
                                help="skip the course's text rules (synthetic test kits only: the quizzes are then "
                                     "not marked as checked, and CI's text tests treat them as unchecked)")
    check = ksub.add_parser("check", help="manifest vs public bank vs kit.age (no passphrase needed)")
    check.add_argument("--course", type=Path)
    check.set_defaults(func=_kit_check)


def _course(args: argparse.Namespace) -> Path:
    return (args.course or default_course()).resolve()


def _fail(exc: Exception) -> int:
    print(f"错误：{exc}", file=sys.stderr)
    return 2


def _guarded(run) -> int:
    try:
        return run()
    except KamcourseError as exc:
        return _fail(exc)


def _passphrase(confirm: bool = False) -> str:
    from getpass import getpass

    from kamcourse.quiz.kit import PASSPHRASE_ENV

    if os.environ.get(PASSPHRASE_ENV):
        return os.environ[PASSPHRASE_ENV]
    first = getpass("讲师口令：")
    if confirm and getpass("再输入一次：") != first:
        raise KamcourseError("讲师口令", "两次输入不一致")
    return first


def _build(args: argparse.Namespace) -> int:
    from kamcourse.quiz.notebook import build

    try:
        report = build(_course(args), check=args.check)
    except KamcourseError as exc:
        return _fail(exc)
    for quiz in report.written:
        print(f"已生成 source/{quiz}/{quiz}.ipynb")
    for quiz in report.drifted:
        print(f"不一致：source/{quiz}/{quiz}.ipynb 与 bank/{quiz}.yaml 不符（被手工修改，或题库改后没有重新生成）", file=sys.stderr)
    for path in report.orphans:
        print(f"多余：{path} 在题库中没有对应的测验", file=sys.stderr)
    for leak in report.leaking:
        print(f"泄露：学员版本中出现了答案或解析（{leak}）", file=sys.stderr)
    if report.ok:
        print(f"题库与源笔记本一致（{len(report.written) + len(report.unchanged)} 个测验）。")
        return 0
    if report.drifted:
        print("请运行 kamcourse quiz build 重新生成；不要手工编辑 source/ 中的笔记本。", file=sys.stderr)
    return 1


def _release(args: argparse.Namespace) -> int:
    def run() -> int:
        from kamcourse.quiz.bank import load_quiz
        from kamcourse.quiz.course import Course, generate_release, grading_environment
        from kamcourse.quiz.kit import KitError, load_graded
        from kamcourse.quiz.notebook import build

        course = Course(_course(args), args.quiz)
        report = build(course.root, check=True)
        if args.quiz in report.drifted or not course.source_nb.is_file():
            raise KamcourseError("源笔记本", "与题库不一致或不存在：请先运行 kamcourse quiz build")
        try:
            quiz = load_graded(course.root, args.quiz)
        except KitError as exc:  # the release itself needs no keys; grading will record them
            print(f"提示：{exc}（发布不需要答案；评分时再记录题库摘要）")
            quiz = None
        with grading_environment(course):
            generate_release(course, quiz)
        print(f"学员版本：{course.release_nb}")
        if args.roster:
            from kamcourse.quiz.roster import roster_release

            files = roster_release(course, quiz or load_quiz(args.quiz, course.bank), args.roster)
            print(f"每位学员的个人版本（{len(files)} 份）：{files[0].parent if files else ''}")
        return 0

    return _guarded(run)


def _summary(report) -> None:
    if report.nothing_new:
        return
    graded = [r for r in report.students if r.status == "graded"]
    print(f"完成：{len(report.students)} 名学员（已评分 {len(graded)}，无效或失败 {len(report.students) - len(graded)}），"
          f"用时 {report.seconds:.1f} 秒。")
    for name, path in report.files.items():
        print(f"  {name}: {path}")


def _grade(args: argparse.Namespace) -> int:
    def run() -> int:
        from kamcourse.quiz.pipeline import grade_class

        report = grade_class(_course(args), args.quiz, args.submissions, out=args.out, force=args.force,
                             engine=args.engine, workers=max(1, args.workers), accept_kit_change=args.accept_kit_change,
                             roster=args.roster, progress=lambda line: print(line, flush=True))
        _summary(report)
        return 0

    return _guarded(run)


def _stats(args: argparse.Namespace) -> int:
    def run() -> int:
        from kamcourse.quiz.pipeline import restat

        _summary(restat(_course(args), args.quiz, out=args.out, roster=args.roster,
                        progress=lambda line: print(line, flush=True)))
        return 0

    return _guarded(run)


def _restore(args: argparse.Namespace) -> int:
    def run() -> int:
        from kamcourse.quiz.course import Course
        from kamcourse.quiz.gradebook import restore

        used = restore(Course(_course(args), ""), args.backup)
        print(f"已从备份 {used.name} 恢复成绩库（原文件已改名保留）。")
        return 0

    return _guarded(run)


def _export(args: argparse.Namespace) -> int:
    def run() -> int:
        from kamcourse.quiz.kit import load_graded
        from kamcourse.quiz.lms import export

        course = _course(args)
        files = export(load_graded(course, args.quiz), args.out or course / "reports" / args.quiz / "lms")
        for name, path in files.items():
            print(f"  {name}: {path}")
        print("注意：导出文件含有答案和解析，只能交给学习平台的题库，不要发给学员。")
        return 0

    return _guarded(run)


def _gain(args: argparse.Namespace) -> int:
    def run() -> int:
        from kamcourse.quiz.gain import gain_report

        files = gain_report(_course(args), args.quiz, args.pre, args.post, args.out)
        for name, path in files.items():
            print(f"  {name}: {path}")
        return 0

    return _guarded(run)


def _unlock(args: argparse.Namespace) -> int:
    def run() -> int:
        from kamcourse.quiz.kit import unlock

        written = unlock(args.dir, _course(args), _passphrase())
        print(f"已解锁 {len(written)} 个测验到 {args.dir}（只在本机保存，不要放进课程仓库或发给学员）。")
        return 0

    return _guarded(run)


def _seal(args: argparse.Namespace) -> int:
    def run() -> int:
        from kamcourse.quiz.kit import seal

        report = seal(args.dir, _course(args), _passphrase(confirm=True), check_text=not args.no_text_check)
        print(f"已封存 {len(report.quizzes)} 个测验：公开题库更新 {len(report.written)} 个文件，"
              f"kit.age 摘要 {report.kit_sha256[:12]}……；请提交 quizzes/bank、quizzes/source 与 quizzes/kit。")
        return 0

    return _guarded(run)


def _kit_check(args: argparse.Namespace) -> int:
    from kamcourse.quiz.kit import check, migrated

    if not migrated(_course(args)):
        print("题库尚未迁移（答案仍在 bank/ 中，没有 kit/manifest.json）：迁移方法见 README 的讲师一节。")
        return 0
    problems = check(_course(args))
    for line in problems:
        print(f"问题：{line}", file=sys.stderr)
    if not problems:
        print("资料包、manifest.json 与公开题库一致。")
    return 1 if problems else 0
