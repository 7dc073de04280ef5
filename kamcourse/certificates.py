"""结业证书: who passed the course, a one-page PDF certificate each, and verification codes.

The instructor's records live in the nbgrader course root (``quizzes/`` by default), in a
``certificates/`` folder that git ignores:

- ``secret.key``: 32 random bytes made on first use; the verification codes are HMACs with it,
  so a code cannot be made up without the instructor's files;
- ``registry.json``: every certificate issued (code, trainee, name, date, results).

A code is verified against that registry: it must be listed, and its HMAC must match the
record (a hand-edited record fails). Results come from nbgrader's gradebook (the exam, the
module quizzes, the capstone), so they are what the instructor graded, manual grades included.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import json
import os
import re
import secrets
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Iterable, Mapping, Sequence

from kamcourse.errors import KamcourseError

COURSE_TITLE = "大客户销售与客户关系管理"
CERT_DIR = "certificates"
REGISTRY_FILE = "registry.json"
SECRET_FILE = "secret.key"
CODE_PREFIX = "KC"
MODULE_QUIZZES = ("m1_mindset", "m2_needs", "m3_ffab", "m4_spin", "m5_stages", "m6_crm")

PART_NAMES = {"exam": "期中考试", "quizzes": "模块测验（平均）", "capstone": "结业项目"}


@dataclass(frozen=True)
class Thresholds:
    """The pass marks, in percent of each assessment's maximum score.

    ``required`` names the parts a trainee must pass; a part left out is shown on the
    certificate when there is a result, but does not decide.
    """

    exam: float = 60.0
    quizzes: float = 60.0
    capstone: float = 60.0
    required: tuple[str, ...] = ("exam", "quizzes", "capstone")
    exam_id: str = "exam"
    quiz_ids: tuple[str, ...] = MODULE_QUIZZES
    capstone_id: str = "capstone"

    def mark(self, part: str) -> float:
        return float(getattr(self, part))


@dataclass(frozen=True)
class TraineeResults:
    """One trainee's percentages; None where there is no graded submission."""

    trainee: str
    name: str
    exam: float | None
    quizzes: Mapping[str, float | None]
    capstone: float | None

    @property
    def quiz_average(self) -> float | None:
        """The average over all module quizzes, a missing quiz counting as 0; None if none was taken.

        >>> TraineeResults("t1", "张三", 80.0, {"m1": 90.0, "m2": None}, None).quiz_average
        45.0
        """
        values = list(self.quizzes.values())
        if not values or all(v is None for v in values):
            return None
        return round(sum(v or 0.0 for v in values) / len(values), 1)

    def part(self, part: str) -> float | None:
        return {"exam": self.exam, "quizzes": self.quiz_average, "capstone": self.capstone}[part]


@dataclass(frozen=True)
class Decision:
    """Whether a trainee earns the certificate, and why not (Chinese reasons)."""

    trainee: str
    passed: bool
    reasons: tuple[str, ...] = ()


def decide(results: TraineeResults, thresholds: Thresholds = Thresholds()) -> Decision:
    """Apply the pass marks.

    >>> r = TraineeResults("t1", "张三", 72.0, {"m1_mindset": 80.0}, 58.0)
    >>> decide(r)
    Decision(trainee='t1', passed=False, reasons=('结业项目 58.0% 低于合格线 60%',))
    >>> decide(r, Thresholds(capstone=50)).passed
    True
    """
    reasons = []
    for part in thresholds.required:
        value = results.part(part)
        mark = thresholds.mark(part)
        name = PART_NAMES[part]
        if value is None:
            reasons.append(f"{name}没有成绩")
        elif value < mark:
            reasons.append(f"{name} {value:.1f}% 低于合格线 {mark:g}%")
    return Decision(results.trainee, not reasons, tuple(reasons))


# ---------------------------------------------------------------- records and codes


@dataclass(frozen=True)
class Certificate:
    """One issued certificate: what is printed and what the registry keeps."""

    trainee: str
    name: str
    course: str
    issued: str  # ISO date
    results: Mapping[str, float | None]
    code: str = ""

    def payload(self) -> bytes:
        """The canonical bytes the code signs (everything but the code)."""
        body = {k: v for k, v in asdict(self).items() if k != "code"}
        body["results"] = dict(sorted(dict(self.results).items()))
        return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def make_code(secret: bytes, certificate: Certificate) -> str:
    """``KC-XXXX-XXXX-XXXX``: the first 60 bits of HMAC-SHA256(secret, payload) in base32.

    >>> c = Certificate("t1", "张三", COURSE_TITLE, "2026-12-01", {"exam": 80.0})
    >>> make_code(b"k" * 32, c)
    'KC-...-...-...'
    >>> make_code(b"k" * 32, c) == make_code(b"k" * 32, c)
    True
    """
    digest = hmac.new(secret, certificate.payload(), hashlib.sha256).digest()
    text = base64.b32encode(digest).decode("ascii")[:12]
    return f"{CODE_PREFIX}-{text[0:4]}-{text[4:8]}-{text[8:12]}"


def normalise_code(code: str) -> str:
    """Codes as typed: case, spaces and dashes forgiven.

    >>> normalise_code(" kc-abcd efgh-ijkl ")
    'KC-ABCD-EFGH-IJKL'
    """
    letters = re.sub(r"[^0-9A-Za-z]", "", code or "").upper()
    if letters.startswith(CODE_PREFIX):
        letters = letters[len(CODE_PREFIX):]
    if len(letters) != 12:
        return ""
    return f"{CODE_PREFIX}-{letters[0:4]}-{letters[4:8]}-{letters[8:12]}"


@dataclass(frozen=True)
class Verification:
    valid: bool
    message: str
    certificate: Certificate | None = None


def verify_code(code: str, registry: Sequence[Certificate], secret: bytes) -> Verification:
    """Check a code against the instructor's records (Chinese message)."""
    wanted = normalise_code(code)
    if not wanted:
        return Verification(False, "证书编号格式不对：请照证书上印的编号完整输入（两个字母，再加 12 位字母和数字）。")
    for certificate in registry:
        if certificate.code == wanted:
            if not hmac.compare_digest(make_code(secret, certificate), wanted):
                return Verification(False, f"编号 {wanted} 的记录与编号不符：记录可能被改动过，证书无效。")
            return Verification(True, f"有效：{certificate.name}于 {certificate.issued} 取得《{certificate.course}》结业证书。", certificate)
    return Verification(False, f"查无此证书：编号 {wanted} 不在讲师的发证记录中。")


class Records:
    """The instructor's certificate folder: the secret and the registry."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    @property
    def registry_path(self) -> Path:
        return self.folder / REGISTRY_FILE

    def secret(self, create: bool = False) -> bytes:
        path = self.folder / SECRET_FILE
        if path.is_file():
            data = path.read_bytes()
            if len(data) >= 32:
                return data
            raise KamcourseError("证书密钥", f"{path} 已损坏（长度不足）。请从备份恢复；不要新建，否则已发的证书都无法验证")
        if not create:
            raise KamcourseError("证书密钥", f"找不到 {path}：这台电脑上还没有发过证书，或者讲师的文件夹不对")
        self.folder.mkdir(parents=True, exist_ok=True)
        data = secrets.token_bytes(32)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        return data

    def load(self) -> list[Certificate]:
        if not self.registry_path.is_file():
            return []
        try:
            rows = json.loads(self.registry_path.read_text(encoding="utf-8"))
            return [Certificate(**{**row, "results": dict(row.get("results", {}))}) for row in rows]
        except (ValueError, TypeError) as exc:
            raise KamcourseError("发证记录", f"{self.registry_path} 无法读取（{type(exc).__name__}）。请从备份恢复") from exc

    def save(self, registry: Iterable[Certificate]) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        rows = [asdict(c) | {"results": dict(c.results)} for c in registry]
        tmp = self.registry_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(rows, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        tmp.replace(self.registry_path)

    def issue(self, results: TraineeResults, issued: date, thresholds: Thresholds) -> Certificate:
        """Record a certificate (one per trainee: issuing again keeps the first code)."""
        registry = self.load()
        for existing in registry:
            if existing.trainee == results.trainee:
                return existing
        shown = {part: results.part(part) for part in ("exam", "quizzes", "capstone") if results.part(part) is not None}
        unsigned = Certificate(results.trainee, results.name, COURSE_TITLE, issued.isoformat(), shown)
        certificate = Certificate(**{**asdict(unsigned), "code": make_code(self.secret(create=True), unsigned)})
        self.save([*registry, certificate])
        return certificate


# ---------------------------------------------------------------- results from nbgrader


def results_from_gradebook(db_url: str, thresholds: Thresholds = Thresholds(),
                           names: Mapping[str, str] | None = None) -> list[TraineeResults]:
    """Every student in the gradebook with their percentages (manual grades included).

    ``names`` (trainee id → name, e.g. from a roster) wins over the names nbgrader holds.
    """
    from nbgrader.api import Gradebook, MissingEntry

    if db_url.startswith("sqlite:///") and not Path(db_url[len("sqlite:///"):]).is_file():
        # nbgrader would create an empty gradebook here and report that nobody passed
        raise KamcourseError("成绩册", f"找不到 {db_url[len('sqlite:///'):]}：请先评分，或指定成绩册所在的位置")
    names = dict(names or {})
    out = []
    with Gradebook(db_url) as gb:
        assignments = {a.name for a in gb.assignments}

        def percent(assignment: str, student: str) -> float | None:
            if assignment not in assignments:
                return None
            try:
                submission = gb.find_submission(assignment, student)
            except MissingEntry:
                return None
            if not submission.max_score:
                return None
            return round(100.0 * float(submission.score) / float(submission.max_score), 1)

        for student in sorted(gb.students, key=lambda s: s.id):
            full = "".join(part for part in (student.last_name, student.first_name) if part)
            out.append(TraineeResults(
                trainee=student.id,
                name=names.get(student.id) or full or student.id,
                exam=percent(thresholds.exam_id, student.id),
                quizzes={q: percent(q, student.id) for q in thresholds.quiz_ids},
                capstone=percent(thresholds.capstone_id, student.id),
            ))
    return out


def read_roster(path: Path) -> dict[str, str]:
    """``学员编号,姓名`` (or ``id,name``) rows → {id: name}."""
    import csv

    with Path(path).open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    if not rows:
        return {}
    header = [h.strip() for h in rows[0]]
    id_col = next((i for i, h in enumerate(header) if h in ("学员编号", "编号", "id", "student_id")), None)
    name_col = next((i for i, h in enumerate(header) if h in ("姓名", "name")), None)
    if id_col is None or name_col is None:
        raise KamcourseError("名单", f"{path} 的第一行应有“学员编号”和“姓名”两列")
    return {r[id_col].strip(): r[name_col].strip() for r in rows[1:] if len(r) > max(id_col, name_col) and r[id_col].strip()}


# ---------------------------------------------------------------- the page


def certificate_html(certificate: Certificate, verify_hint: str = "") -> str:
    """One A4 landscape page in Chinese (printed to PDF by :mod:`kamcourse.pdf`)."""
    rows = "".join(
        f"<tr><td>{html.escape(PART_NAMES[p])}</td><td>{v:.1f} 分</td></tr>"
        for p, v in certificate.results.items() if v is not None
    )
    year, month, day = certificate.issued.split("-")
    hint = html.escape(verify_hint or "验证：在工作坊首页打开“结业证书验证”，输入编号；或请讲师核对发证记录。")
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>结业证书 · {html.escape(certificate.name)}</title>
<style>
@page {{ size: A4 landscape; margin: 0; }}
html, body {{ margin: 0; padding: 0; }}
body {{ font-family: "WenQuanYi Micro Hei", "Noto Sans CJK SC", sans-serif; color: #1f2933; }}
.page {{ box-sizing: border-box; width: 297mm; height: 210mm; padding: 16mm 22mm; border: 3mm double #8a6d3b;
         display: flex; flex-direction: column; align-items: center; text-align: center; }}
h1 {{ font-size: 30pt; letter-spacing: 0.6em; margin: 6mm 0 8mm 0.6em; color: #7a1f1f; }}
.name {{ font-size: 24pt; font-weight: bold; border-bottom: 1px solid #555; padding: 0 10mm 1mm; margin: 2mm 0 6mm; }}
.text {{ font-size: 14pt; line-height: 1.9; max-width: 210mm; }}
table {{ margin: 6mm auto; border-collapse: collapse; font-size: 12.5pt; }}
td {{ border: 1px solid #999; padding: 1.5mm 8mm; }}
.foot {{ margin-top: auto; width: 100%; display: flex; justify-content: space-between; font-size: 11pt; }}
.code {{ font-family: "DejaVu Sans Mono", monospace; font-size: 12pt; }}
</style></head>
<body><div class="page">
<h1>结业证书</h1>
<div class="name">{html.escape(certificate.name)}</div>
<div class="text">完成了《{html.escape(certificate.course)}》课程的全部学习内容，考核合格，特发此证。</div>
<table>{rows}</table>
<div class="foot"><div>证书编号：<span class="code">{html.escape(certificate.code)}</span><br><small>{hint}</small></div>
<div>发证日期：{int(year)} 年 {int(month)} 月 {int(day)} 日</div></div>
</div></body></html>
"""


@dataclass(frozen=True)
class IssueReport:
    issued: tuple[Certificate, ...] = ()
    not_passed: tuple[Decision, ...] = ()
    pdfs: tuple[Path, ...] = field(default_factory=tuple)


def issue_certificates(course_root: Path, db_url: str, out_dir: Path, issued: date,
                       thresholds: Thresholds = Thresholds(), names: Mapping[str, str] | None = None,
                       print_pdf: bool = True) -> IssueReport:
    """Decide, record and print: one PDF per trainee who passed, in ``out_dir``."""
    from kamcourse.pdf import PrintJob, print_to_pdf

    records = Records(Path(course_root) / CERT_DIR)
    done, failed, jobs = [], [], []
    for results in results_from_gradebook(db_url, thresholds, names):
        decision = decide(results, thresholds)
        if not decision.passed:
            failed.append(decision)
            continue
        certificate = records.issue(results, issued, thresholds)
        done.append(certificate)
        page = out_dir / "html" / f"{_safe(certificate.trainee)}.html"
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(certificate_html(certificate), encoding="utf-8")
        jobs.append(PrintJob(page, out_dir / f"结业证书_{_safe(certificate.trainee)}.pdf", paper=None))
    pdfs = tuple(print_to_pdf(jobs)) if print_pdf else ()
    return IssueReport(tuple(done), tuple(failed), pdfs)


def _safe(name: str) -> str:
    return re.sub(r"[^\w\-]+", "_", name).strip("_") or "trainee"
