"""Start Voila on a free loopback port for a test or a benchmark, and stop it again.

The server runs with exactly the flags of ``kamcourse serve`` (sources stripped, no
tracebacks; see :func:`kamcourse.cli.voila_command`), plus any ``extra_args``::

    from voila_server import VoilaServer

    with VoilaServer("course/dashboards") as server:          # a folder of notebooks
        page.goto(server.url_for("dso.ipynb"))

    with VoilaServer("course/dashboards/dso.ipynb") as server:  # one notebook
        page.goto(server.url_for())

The server runs in its own process group; leaving the ``with`` block (or calling
:meth:`VoilaServer.stop`) sends that group SIGTERM, on which Voila shuts down the kernels
it started (SIGKILL after a timeout; ipykernel's parent poller then ends orphaned kernels).
Nothing else is signalled.
Server output goes to a log file (``log_path``, or a temporary file) so that a failing
test can show it: :meth:`VoilaServer.log_text`.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import tempfile
import time
import urllib.parse
from pathlib import Path
from typing import Sequence

from helpers import free_port

from kamcourse.cli import voila_command
from kamcourse.paths import course_root

READY_MARKER = "is running at"


class VoilaServerError(RuntimeError):
    """Voila did not start (the message carries the end of its log)."""


class VoilaServer:
    """A Voila server for one notebook or a folder of notebooks.

    ``target`` is a path (absolute, or relative to the course root) to a notebook or a
    folder. ``extra_args`` are appended to the ``kamcourse serve`` command line.
    """

    def __init__(
        self,
        target: str | os.PathLike[str],
        extra_args: Sequence[str] = (),
        *,
        host: str = "127.0.0.1",
        port: int | None = None,
        token: str | None = None,
        startup_timeout: float = 120.0,
        log_path: str | os.PathLike[str] | None = None,
        env: dict[str, str] | None = None,
    ) -> None:
        path = Path(target)
        self.target = path if path.is_absolute() else course_root() / path
        if not self.target.exists():
            raise FileNotFoundError(self.target)
        self.extra_args = list(extra_args)
        self.host = host
        self.port = port
        self.token = token
        self.startup_timeout = startup_timeout
        self.env = env
        self._log_path = Path(log_path) if log_path else None
        self._log_file = None
        self.process: subprocess.Popen | None = None

    # -- URLs ----------------------------------------------------------------------
    @property
    def is_directory(self) -> bool:
        return self.target.is_dir()

    @property
    def base_url(self) -> str:
        if self.port is None:
            raise VoilaServerError("the server has not been started")
        return f"http://{self.host}:{self.port}"

    def url_for(self, notebook: str | None = None) -> str:
        """URL of a notebook: ``url_for("dso.ipynb")`` in a folder, ``url_for()`` for a
        single-notebook server (also accepts that notebook's own name)."""
        if self.is_directory:
            if not notebook:
                path = "/"
            else:
                path = "/voila/render/" + urllib.parse.quote(notebook)
        else:
            if notebook and Path(notebook).name != self.target.name:
                raise ValueError(f"this server serves only {self.target.name}, not {notebook}")
            path = "/"
        if self.token:
            path += "?" + urllib.parse.urlencode({"token": self.token})
        return self.base_url + path

    # -- lifecycle -------------------------------------------------------------------
    @property
    def command(self) -> list[str]:
        if self.port is None:
            raise VoilaServerError("no port chosen yet")
        return [
            *voila_command(self.host, self.port, self.token, str(self.target)),
            "--Voila.port_retries=0",  # fail instead of silently moving to another port
            *self.extra_args,
        ]

    def start(self) -> "VoilaServer":
        if self.process is not None:
            return self
        attempts = 1 if self.port is not None else 3
        last_error: Exception | None = None
        for _ in range(attempts):
            if attempts > 1:
                self.port = free_port(self.host)
            try:
                self._launch()
                return self
            except VoilaServerError as err:  # e.g. the port was taken in between
                last_error = err
                self.stop()
        raise last_error  # type: ignore[misc]

    def _launch(self) -> None:
        if self._log_path is None:
            handle, name = tempfile.mkstemp(prefix="voila-", suffix=".log")
            os.close(handle)
            self._log_path = Path(name)
        self._log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log_file = open(self._log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            self.command,
            cwd=str(course_root()),
            stdin=subprocess.DEVNULL,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            env={**os.environ, **(self.env or {})},
            start_new_session=True,  # own process group: stop() signals exactly this server
        )
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise VoilaServerError(f"Voila exited with code {self.process.returncode}:\n{self.log_tail()}")
            if READY_MARKER in self.log_text() and self._accepts_connections():
                return
            time.sleep(0.2)
        raise VoilaServerError(f"Voila did not start within {self.startup_timeout:.0f} s:\n{self.log_tail()}")

    def _accepts_connections(self) -> bool:
        try:
            with socket.create_connection((self.host, self.port), timeout=1):
                return True
        except OSError:
            return False

    def stop(self, timeout: float = 20.0) -> None:
        """End the server (its own process group only); Voila shuts its kernels down."""
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            self._signal_group(process, signal.SIGTERM)
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self._signal_group(process, signal.SIGKILL)
                process.wait(timeout=timeout)
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None

    @staticmethod
    def _signal_group(process: subprocess.Popen, sig: int) -> None:
        try:
            os.killpg(process.pid, sig)  # the group id is the server's pid (new session)
        except (ProcessLookupError, PermissionError):
            pass

    def __enter__(self) -> "VoilaServer":
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- diagnostics -----------------------------------------------------------------
    @property
    def log_path(self) -> Path | None:
        return self._log_path

    def log_text(self) -> str:
        if self._log_path is None or not self._log_path.exists():
            return ""
        return self._log_path.read_text(encoding="utf-8", errors="replace")

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])
