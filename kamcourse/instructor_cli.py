"""``kamcourse certificates`` and ``kamcourse handouts``: the trainer's kit on the command line."""

from __future__ import annotations

import argparse
import os
from datetime import date
from pathlib import Path

from kamcourse.errors import KamcourseError
from kamcourse.paths import course_root


def default_course() -> Path:
    return course_root() / "quizzes"


def default_db_url(course: Path) -> str:
    """nbgrader's gradebook: ``KAMCOURSE_GRADEBOOK_URL`` (JupyterHub, PostgreSQL) or the course's SQLite file."""
    return os.environ.get("KAMCOURSE_GRADEBOOK_URL") or f"sqlite:///{Path(course).resolve() / 'gradebook.db'}"


def register(sub: argparse._SubParsersAction) -> None:
    from kamcourse import certificates as cert

    defaults = cert.Thresholds()
    p = sub.add_parser("certificates", help="issue and verify 结业证书 (PDF, one per trainee who passed)")
    csub = p.add_subparsers(dest="certificates_command", required=True)

    issue = csub.add_parser("issue", help="a PDF certificate for every trainee who passed")
    issue.add_argument("--course", type=Path, help="nbgrader course root (default: quizzes/ of the checkout)")
    issue.add_argument("--db-url", help="gradebook URL (default: KAMCOURSE_GRADEBOOK_URL or <course>/gradebook.db)")
    issue.add_argument("--out", type=Path, help="folder for the PDFs (default: <course>/certificates/pdf)")
    issue.add_argument("--date", help="issue date YYYY-MM-DD (default: today)")
    issue.add_argument("--roster", type=Path, help="CSV with 学员编号,姓名 (names printed on the certificates)")
    issue.add_argument("--exam", type=float, default=defaults.exam, help=f"pass mark for the exam, %% (default {defaults.exam:g})")
    issue.add_argument("--quizzes", type=float, default=defaults.quizzes,
                       help=f"pass mark for the module quizzes' average, %% (default {defaults.quizzes:g})")
    issue.add_argument("--capstone", type=float, default=defaults.capstone,
                       help=f"pass mark for the capstone, %% (default {defaults.capstone:g})")
    issue.add_argument("--require", default=",".join(defaults.required),
                       help="parts that must be passed, comma-separated from exam,quizzes,capstone")
    issue.set_defaults(func=_issue)

    verify = csub.add_parser("verify", help="check a certificate code against the instructor's records")
    verify.add_argument("code")
    verify.add_argument("--course", type=Path)
    verify.set_defaults(func=_verify)

    hand = sub.add_parser("handouts", help="build the handouts: a static searchable site and PDFs of the course")
    hand.add_argument("--out", type=Path, help="output folder (default: handouts/ in the checkout)")
    hand.add_argument("--no-pdf", action="store_true", help="only the HTML site")
    hand.add_argument("--only", help="comma-separated modules, e.g. m1,m3 (default: the whole course)")
    hand.set_defaults(func=_handouts)

    guide = sub.add_parser("guide", help="render the instructor guide (HTML, PDF) with the common-mistakes appendix")
    guide.add_argument("--course", type=Path, help="nbgrader course root (default: quizzes/ of the checkout)")
    guide.add_argument("--out", type=Path, help="output folder (default: <course>/guide, kept out of git)")
    guide.add_argument("--no-pdf", action="store_true")
    guide.set_defaults(func=_guide)


def _thresholds(args: argparse.Namespace):
    from kamcourse import certificates as cert

    required = tuple(p.strip() for p in args.require.split(",") if p.strip())
    unknown = [p for p in required if p not in cert.PART_NAMES]
    if unknown:
        raise KamcourseError("--require", f"只能是 exam、quizzes、capstone，收到 {'、'.join(unknown)}")
    for part in ("exam", "quizzes", "capstone"):
        value = getattr(args, part)
        if not 0 <= value <= 100:
            raise KamcourseError(f"--{part}", "合格线应在 0 到 100 之间")
    return cert.Thresholds(exam=args.exam, quizzes=args.quizzes, capstone=args.capstone, required=required)


def _issue(args: argparse.Namespace) -> int:
    from kamcourse import certificates as cert

    try:
        course = args.course or default_course()
        thresholds = _thresholds(args)
        issued = date.fromisoformat(args.date) if args.date else date.today()
        names = cert.read_roster(args.roster) if args.roster else None
        out = args.out or course / cert.CERT_DIR / "pdf"
        report = cert.issue_certificates(course, args.db_url or default_db_url(course), out, issued, thresholds, names)
    except KamcourseError as exc:
        print(f"无法发证：{exc}")
        return 2
    except ValueError:
        print("无法发证：--date 应写成 YYYY-MM-DD，例如 2026-12-01")
        return 2
    for c in report.issued:
        print(f"已发证  {c.trainee}  {c.name}  {c.code}")
    for d in report.not_passed:
        print(f"未合格  {d.trainee}  {'；'.join(d.reasons)}")
    print(f"共 {len(report.issued)} 人合格，{len(report.not_passed)} 人未合格；证书 PDF 在 {out}")
    return 0


def _verify(args: argparse.Namespace) -> int:
    from kamcourse import certificates as cert

    records = cert.Records((args.course or default_course()) / cert.CERT_DIR)
    try:
        result = cert.verify_code(args.code, records.load(), records.secret())
    except KamcourseError as exc:
        print(f"无法验证：{exc}")
        return 2
    print(result.message)
    return 0 if result.valid else 1


def _handouts(args: argparse.Namespace) -> int:
    from kamcourse import handouts

    out = args.out or course_root() / "handouts"
    only = [m.strip() for m in args.only.split(",")] if args.only else None
    try:
        report = handouts.build(out, pdf=not args.no_pdf, only=only)
    except KamcourseError as exc:
        print(f"无法生成讲义手册：{exc}")
        return 2
    print(f"网站：{report.site / 'index.html'}（{len(report.pages)} 页）")
    for pdf in report.pdfs:
        print(f"PDF：{pdf}")
    print("用时：" + "，".join(f"{k} {v:.1f} 秒" for k, v in report.seconds.items()))
    return 0


def _guide(args: argparse.Namespace) -> int:
    from kamcourse.guide import build_guide

    course = args.course or default_course()
    try:
        report = build_guide(course, args.out or course / "guide", pdf=not args.no_pdf)
    except KamcourseError as exc:
        print(f"无法生成讲师手册：{exc}")
        return 2
    print(f"讲师手册：{report.html}" + (f"，{report.pdf}" if report.pdf else ""))
    if not report.with_mistakes:
        print(f"附录“常见错误”没有生成：{report.note}")
    return 0
