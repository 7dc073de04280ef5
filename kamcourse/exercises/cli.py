"""``kamcourse exercises ...``: generate the exercise notebooks, seal and unseal keys.

Registered through ``kamcourse.cli.EXTENSIONS``::

    kamcourse exercises build [--check] [MODULE ...] [--data DIR] [--root DIR]
    kamcourse exercises seal [MODULE ...] [--data DIR]
    kamcourse exercises unseal MODULE [MODULE ...] [--data DIR]
    kamcourse exercises validate [MODULE ...] [--data DIR]

``--data`` is the folder of the exercise files (default: ``KAMCOURSE_EXERCISES`` or the
package's ``kamcourse/data/exercises``); ``--root`` the course root the notebooks are
written under (default: the checkout).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

from kamcourse.errors import KamcourseError
from kamcourse.paths import course_root


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("exercises", help="exercise notebooks: build from the YAML, seal/unseal keys")
    sub = parser.add_subparsers(dest="exercises_command", required=True)
    commands = (
        ("build", "generate exercises/*.ipynb from the v2 exercise files", _build, "*"),
        ("seal", "encode every plain key/explanation of the v2 files in place (idempotent)", _seal, "*"),
        ("unseal", "write the keys/explanations of a file plainly again, for editing", _unseal, "+"),
        ("validate", "load and check the exercise files; report each file's first problem", _validate, "*"),
    )
    for name, help_text, handler, count in commands:
        command = sub.add_parser(name, help=help_text)
        command.add_argument("modules", nargs=count, metavar="MODULE", help="module ids, e.g. m4 (default: all)")
        command.add_argument("--data", type=Path, help="folder of the exercise files (default: the package data)")
        command.set_defaults(func=handler)
        if name == "build":
            command.add_argument("--check", action="store_true",
                                 help="only compare; exit 1 if a notebook differs from its file")
            command.add_argument("--root", type=Path,
                                 help="course root the notebook paths are relative to (default: the checkout)")


def _fail(exc: Exception) -> int:
    print(f"错误：{exc}", file=sys.stderr)
    return 2


def _folder(args: argparse.Namespace) -> Path:
    from .loader import exercise_dir

    return args.data or exercise_dir()


def _modules(args: argparse.Namespace, folder: Path) -> list[str]:
    from .loader import modules

    known = modules(folder)
    unknown = [m for m in args.modules if m not in known]
    if unknown:
        raise KamcourseError("模块", f"{folder} 中没有 {'、'.join(unknown)} 的练习文件（有：{'、'.join(known)}）")
    return list(args.modules) or known


def _build(args: argparse.Namespace) -> int:
    from .build import build

    try:
        folder = _folder(args)
        report = build(args.root or course_root(), folder, _modules(args, folder), check=args.check)
    except KamcourseError as exc:
        return _fail(exc)
    for path in report.written:
        print(f"已生成 {path}")
    for module in report.skipped:
        print(f"跳过 {module}：练习文件还是旧格式（v1），笔记本仍是手写的")
    for path in report.drifted:
        print(f"不一致：{path} 与练习文件不符（被手工修改，或改了 YAML 后没有重新生成）", file=sys.stderr)
    for message in report.errors:
        _fail(message)
    if report.errors:
        return 2
    if report.drifted:
        print("请运行 kamcourse exercises build 重新生成；不要手工编辑生成的练习本。", file=sys.stderr)
        return 1
    print(f"练习本与练习文件一致（{len(report.written) + len(report.unchanged)} 个）。")
    return 0


def _rewrite(args: argparse.Namespace, sealing: bool) -> int:
    from .loader import file_format, parse_exercises
    from .seal import seal_text, unseal_text

    try:
        folder = _folder(args)
        names = _modules(args, folder)
    except KamcourseError as exc:
        return _fail(exc)
    status = 0
    for module in names:  # one file's problem does not stop the others
        path = folder / f"{module}.yaml"
        try:
            text = path.read_text(encoding="utf-8")
            data = yaml.safe_load(text)
            if file_format(data) != 2:
                print(f"跳过 {path.name}：旧格式（v1）不加密")
                continue
            new = seal_text(text) if sealing else unseal_text(text)
            before = parse_exercises(data, path.name, module, path)
            after = parse_exercises(yaml.safe_load(new), path.name, module, path)
            if before != after:  # pragma: no cover - a safety net for the text rewrite
                raise KamcourseError(path.name, "改写后内容不一致，文件未改动")
        except yaml.YAMLError as exc:
            status = _fail(KamcourseError(path.name, f"不是有效的 YAML：{exc}"))
            continue
        except KamcourseError as exc:
            status = _fail(exc)
            continue
        if new != text:
            path.write_text(new, encoding="utf-8")
            print(f"{'已加密' if sealing else '已解密'} {path.name}")
        else:
            print(f"{path.name} 无需改动")
    return status


def _seal(args: argparse.Namespace) -> int:
    return _rewrite(args, sealing=True)


def _unseal(args: argparse.Namespace) -> int:
    return _rewrite(args, sealing=False)


def _validate(args: argparse.Namespace) -> int:
    from .loader import read_exercise_file

    try:
        folder = _folder(args)
        names = _modules(args, folder)
    except KamcourseError as exc:
        return _fail(exc)
    status = 0
    for module in names:
        try:
            exercise_set = read_exercise_file(folder / f"{module}.yaml")
        except KamcourseError as exc:
            status = _fail(exc)
            continue
        counted = exercise_set.exercise_tasks
        levels = [t.level for t in counted]
        applied = sum(level in ("application", "transfer") for level in levels)
        print(f"{module}.yaml：格式 v{exercise_set.format}，{len(exercise_set.tasks)} 道题"
              f"（练习本 {len(counted)} 道，模块笔记本 {len(exercise_set.tasks) - len(counted)} 道）"
              + (f"；练习本中应用/迁移 {applied} 道，记忆 {len(levels) - applied} 道" if exercise_set.format == 2 else ""))
    return status
