"""The workshop server's own HTTP handlers (:mod:`kamcourse.hub` builds the server): Voila's
scripts and styles compressed and cached, the cookie the dashboard page's shutdown beacon needs,
and the 结业证书验证 page.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from kamcourse.paths import course_root

#: Cache-Control of a static file whose name or URL carries its content hash.
IMMUTABLE = "public, max-age=31536000, immutable"
#: Seconds the browser may reuse Voila's own scripts (named by webpack chunk id, not by
#: content: they change only when Voila is upgraded) before asking again (ETag, 304).
STATIC_MAX_AGE = 3600
#: Compressed on the way out (text); fonts and images are compressed already.
COMPRESSIBLE = (".js", ".css", ".json", ".svg", ".html", ".map", ".txt", ".mjs")
_HASHED = re.compile(r"[0-9a-f]{16,}", re.I)


def cache_control(url_path: str, versioned: bool) -> str:
    """Cache-Control for a static file of the page.

    >>> cache_control("/voila/labextensions/x/static/remoteEntry.c8c9eed2cdefdeac.js", False)
    'public, max-age=31536000, immutable'
    >>> cache_control("/voila/static/5764.voila.js", False)
    'public, max-age=3600'
    """
    name = url_path.rsplit("/", 1)[-1]
    if versioned or _HASHED.search(name):
        return IMMUTABLE
    return f"public, max-age={STATIC_MAX_AGE}"


def _compressed_static(base):
    """``base`` (a tornado StaticFileHandler) serving gzip to browsers that accept it, the
    compressed bytes made once per file version and kept in memory, with
    :func:`cache_control` headers and a strong ETag computed once per file version."""
    import gzip
    import threading

    class CompressedStatic(base):
        _gzipped: dict[tuple[str, int, int], bytes] = {}
        _hashes: dict[tuple[str, int, int], str] = {}
        _lock = threading.Lock()

        def _key(self, absolute_path: str) -> tuple[str, int, int]:
            stat = os.stat(absolute_path)
            return absolute_path, stat.st_mtime_ns, stat.st_size

        def _wants_gzip(self, path: str) -> bool:
            return (path.lower().endswith(COMPRESSIBLE) and "Range" not in self.request.headers
                    and "gzip" in self.request.headers.get("Accept-Encoding", ""))

        def _gzip_body(self, absolute_path: str) -> bytes | None:
            key = self._key(absolute_path)
            with self._lock:
                body = self._gzipped.get(key)
            if body is None:
                raw = b"".join(self.get_content(absolute_path))
                body = gzip.compress(raw, compresslevel=6, mtime=0) if len(raw) > 1024 else b""
                with self._lock:
                    self._gzipped[key] = body
            return body or None

        def compute_etag(self):
            if not getattr(self, "absolute_path", None):
                return None
            key = self._key(self.absolute_path)
            with self._lock:
                digest = self._hashes.get(key)
            if digest is None:  # tornado would hash the whole file on every request
                digest = self.get_content_version(self.absolute_path)
                with self._lock:
                    self._hashes[key] = digest
            return f'"{digest}{"-gz" if getattr(self, "_serving_gzip", False) else ""}"'

        def set_headers(self):
            super().set_headers()  # jupyter_server's FileFindHandler sets "no-cache" here
            self.set_header("Cache-Control", cache_control(self.request.path, "v" in self.request.arguments))
            self.clear_header("Expires")
            if self.path.lower().endswith(COMPRESSIBLE):
                self.set_header("Vary", "Accept-Encoding")

        async def get(self, path, include_body=True):
            if not self._wants_gzip(path):
                return await super().get(path, include_body)
            self.path = self.parse_url_path(path)
            absolute_path = self.get_absolute_path(self.root, self.path)
            self.absolute_path = self.validate_absolute_path(self.root, absolute_path)
            if self.absolute_path is None:
                return None
            body = self._gzip_body(self.absolute_path)
            if body is None:
                return await super().get(path, include_body)
            self._serving_gzip = True
            self.modified = self.get_modified_time()
            self.set_headers()
            if self.should_return_304():
                self.set_status(304)
                return None
            self.set_header("Content-Encoding", "gzip")
            self.set_header("Content-Length", len(body))
            if include_body:
                self.write(body)
            return None

    if getattr(base.get, "__allow_unauthenticated", False):  # jupyter_server's static files
        setattr(CompressedStatic.get, "__allow_unauthenticated", True)
    CompressedStatic.__name__ = CompressedStatic.__qualname__ = f"Compressed{base.__name__}"
    return CompressedStatic


def _sets_xsrf_cookie(base):
    """``base`` (Voila's page handler) setting the ``_xsrf`` cookie before the page streams.

    Voila writes the page in chunks and flushes the first one before its template asks for
    the XSRF token, so the cookie never reaches the browser; the page's ``beforeunload``
    beacon then posts ``/voila/api/shutdown/<kernel>`` without ``_xsrf`` and gets 403, and
    the kernel stays until it is culled (voila-dashboards/voila#1458).
    """

    class SetsXsrfCookie(base):
        async def prepare(self, *args, **kwargs):
            result = super().prepare(*args, **kwargs)
            if result is not None:
                await result
            self.xsrf_token  # noqa: B018 - reading it sets the cookie (tornado)

    SetsXsrfCookie.__name__ = SetsXsrfCookie.__qualname__ = f"XsrfCookie{base.__name__}"
    return SetsXsrfCookie


def front_end_handlers(handlers: list) -> list:
    """Voila's URL handlers with :func:`_compressed_static` for the page's scripts and
    styles and :func:`_sets_xsrf_cookie` for the dashboard page."""
    from jupyter_server.base.handlers import FileFindHandler
    from voila.static_file_handler import MultiStaticFileHandler, TemplateStaticFileHandler
    from voila.tornado.handler import TornadoVoilaHandler

    replace = {cls: _compressed_static(cls) for cls in (MultiStaticFileHandler, TemplateStaticFileHandler, FileFindHandler)}
    replace[TornadoVoilaHandler] = _sets_xsrf_cookie(TornadoVoilaHandler)
    return [(spec[0], replace.get(spec[1], spec[1]), *spec[2:]) if isinstance(spec, tuple) else spec
            for spec in handlers]


VERIFY_PATH = "/certificates/verify"


def verify_page(code: str, message: str, valid: bool | None) -> str:
    """The 证书验证 page: a form, and the answer for a code that was entered (pure).

    >>> "有效" in verify_page("KC-AAAA-BBBB-CCCC", "有效：张三……", True)
    True
    """
    import html

    result = ""
    if message:
        colour = "#1b7f3b" if valid else "#b3261e"
        result = (f'<p role="status" style="border-left:4px solid {colour};padding:6px 12px;color:{colour}">'
                  f"{html.escape(message)}</p>")
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>证书验证 · 大客户销售与客户关系管理</title>
<style>body {{ font-family: "WenQuanYi Micro Hei", "Noto Sans CJK SC", sans-serif; max-width: 40em; margin: 2em auto;
padding: 0 1em; color: #1f2933; line-height: 1.7; }} input {{ font: inherit; padding: .3em .5em; min-width: 16em; }}
button {{ font: inherit; padding: .3em 1em; }}</style></head>
<body><h1>结业证书验证</h1>
<p>输入证书上印的编号，核对讲师的发证记录。</p>
<form method="get"><label for="code">证书编号</label>
<input id="code" name="code" value="{html.escape(code)}" autocomplete="off" placeholder="KC-XXXX-XXXX-XXXX">
<button type="submit">验证</button></form>
{result}
<p><a href="../">返回工作坊首页</a></p></body></html>
"""


def certificate_verify_handler(folder: Path | None):
    """A page of the workshop server that checks a certificate code against the records in
    ``folder`` (default: ``quizzes/certificates`` of the checkout); same login as the rest."""
    from jupyter_server.base.handlers import JupyterHandler
    from tornado import web

    from kamcourse import certificates as cert
    from kamcourse.errors import KamcourseError

    records = cert.Records(folder or course_root() / "quizzes" / cert.CERT_DIR)

    class CertificateVerifyHandler(JupyterHandler):
        @web.authenticated
        def get(self):
            code = self.get_argument("code", "").strip()[:64]
            message, valid = "", None
            if code:
                try:
                    result = cert.verify_code(code, records.load(), records.secret())
                    message, valid = result.message, result.valid
                except KamcourseError:
                    message, valid = "这台服务器上没有讲师的发证记录，无法验证：请联系讲师。", False
            self.set_header("Content-Type", "text/html; charset=utf-8")
            self.set_header("Cache-Control", "no-store")
            self.finish(verify_page(code, message, valid))

    return CertificateVerifyHandler
