"""``kamcourse workshop``: serve every dashboard of the course to a room of trainees.

One command, one Voila server (Voila's own application, configured, not a proxy):

* a landing page in Simplified Chinese listing the calculators (title and one-line
  description read from each dashboard notebook), rendered by the ``kamcourse`` Voila
  template (``kamcourse/templates/voila/templates/kamcourse``, based on ``lab``);
* preheated kernels: Voila keeps ``--pool-size`` kernels per dashboard that have already
  run the notebook, so a trainee's page does not wait for a kernel to start and import
  matplotlib (``VoilaConfiguration.preheat_kernel`` / ``default_pool_size``); ``--pool
  dso.ipynb=30`` sizes one dashboard's pool for a class arriving together, pooled kernels
  are prepared ``--warm-at-once`` at a time (:func:`paced`) and replaced ``--refill-delay``
  seconds after being taken, or at once when a page comes for the replacement
  (:func:`wait_unless_taken`);
* idle kernels culled (``MappingKernelManager.cull_idle_timeout``), sources stripped, no
  tracebacks, no static files served from the dashboards folder;
* lighter kernels: ipykernel started without its debugger (:func:`dashboard_kernel_specs`;
  debugpy is about 7 MB and 110 modules per kernel, and a dashboard page has no debugger);
* a lighter front end (:func:`front_end_handlers`): the JavaScript and CSS of the page
  gzip-compressed (once per file, kept in memory), content-hashed files cached by the
  browser for good and Voila's own chunks for an hour, so a trainee's second dashboard
  loads its scripts from the browser cache without asking; and the ``_xsrf`` cookie set
  before the page streams, so that the page's ``beforeunload`` beacon can shut its
  kernel down (Voila answers it 403 otherwise and the kernel lingers until culled;
  voila-dashboards/voila#1458);
* bound to ``--ip``/``--port``, protected by ``--token`` (also accepted in the login form)
  or ``--password`` (login form only).

The same settings as a plain traitlets :class:`~traitlets.config.Config` come from
:func:`voila_config`, which the benchmark (``benchmarks/bench.py``) and the tests reuse.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from kamcourse.paths import PACKAGE_DIR, course_root

DASHBOARD_DIR = "course/dashboards"
TEMPLATE_NAME = "kamcourse"
# Holds voila/templates/kamcourse; added to JUPYTER_PATH so Voila finds the template.
TEMPLATE_ROOT = PACKAGE_DIR / "templates"
PASSWORD_ENV = "KAMCOURSE_WORKSHOP_PASSWORD"
TOKEN_ENV = "KAMCOURSE_WORKSHOP_TOKEN"
PAGE_CONFIG_KEY = "kamcourseDashboards"
# The only JupyterLab extensions a dashboard page needs (ipywidgets 8 and Voila's manager
# for it). Without the list Voila loads every installed one (nbgrader, notebook, pygments
# ...): a dozen more scripts to fetch and evaluate before the widgets appear.
DASHBOARD_LAB_EXTENSIONS = ["@jupyter-widgets/jupyterlab-manager", "@voila-dashboards/widgets-manager8"]


@dataclass(frozen=True)
class Dashboard:
    """One calculator on the landing page."""

    path: str  # relative to the dashboards folder, with forward slashes
    title: str
    description: str


_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$")


def _plain(markdown: str) -> str:
    """Markdown emphasis, links and code marks removed; whitespace collapsed."""
    text = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", markdown)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"[*_`]+", "", text)
    return re.sub(r"\s+", " ", text).strip()


def first_sentence(text: str, limit: int = 60) -> str:
    """The first sentence of ``text`` (to the first 。！？ or ". "), at most ``limit`` characters.

    >>> first_sentence("DSO 衡量回款天数。计算器给出两种方法。")
    'DSO 衡量回款天数。'
    >>> first_sentence("一" * 70, limit=10)
    '一一一一一一一一一…'
    """
    match = re.search(r"[。！？]|[.!?](\s|$)", text)
    sentence = text[: match.end()].strip() if match else text.strip()
    return sentence if len(sentence) <= limit else sentence[: limit - 1].rstrip() + "…"


def describe_notebook(path: Path) -> tuple[str, str]:
    """The title and one-line description of a dashboard notebook.

    ``metadata.kamcourse.title`` / ``metadata.kamcourse.description`` win; then
    ``metadata.title``; otherwise the first markdown heading is the title and the first
    sentence of the first paragraph after it the description. Falls back to the file name.
    """
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return path.stem, ""
    meta = nb.get("metadata", {}) or {}
    ours = meta.get("kamcourse", {}) if isinstance(meta.get("kamcourse"), dict) else {}
    title = str(ours.get("title") or meta.get("title") or "").strip()
    description = str(ours.get("description") or meta.get("description") or "").strip()
    if title and description:
        return title, description
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "markdown":
            continue
        source = cell.get("source", "")
        lines = (source if isinstance(source, str) else "".join(source)).splitlines()
        heading_seen = bool(title)
        for line in lines:
            match = _HEADING.match(line)
            if match and not title:
                title, heading_seen = _plain(match.group(1)), True
                continue
            if match or not line.strip() or not heading_seen:
                continue
            if not description and not line.lstrip().startswith(("<", "|", ">", "```")):
                description = first_sentence(_plain(line))
            break
        if title and description:
            break
    return title or path.stem, description


def list_dashboards(directory: Path) -> list[Dashboard]:
    """Every dashboard notebook under ``directory`` (checkpoints and hidden files skipped)."""
    found = []
    for nb in sorted(directory.rglob("*.ipynb")):
        rel = nb.relative_to(directory)
        if any(part.startswith(".") for part in rel.parts):
            continue
        title, description = describe_notebook(nb)
        found.append(Dashboard(rel.as_posix(), title, description))
    return found


class LandingPageHook:
    """Voila ``page_config_hook``: gives the landing page the list of dashboards.

    Voila calls it for the tree page (``notebook_path`` is a folder, possibly ``""``) and
    for every notebook rendering; only the tree page gets the list. Kept as a class so
    that the list is re-read when a notebook changes (cheap: only metadata).
    """

    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self._cache: tuple[tuple, list[dict]] | None = None

    def dashboards(self) -> list[dict]:
        stamp = tuple(
            (str(p), p.stat().st_mtime_ns) for p in sorted(self.directory.rglob("*.ipynb"))
        )
        if self._cache is None or self._cache[0] != stamp:
            self._cache = (stamp, [asdict(d) for d in list_dashboards(self.directory)])
        return self._cache[1]

    def __call__(self, page_config: dict, **kwargs: Any) -> dict:
        notebook_path = kwargs.get("notebook_path") or ""
        if not str(notebook_path).endswith(".ipynb"):
            page_config[PAGE_CONFIG_KEY] = self.dashboards()
        return page_config


@dataclass
class WorkshopOptions:
    directory: Path
    ip: str = "127.0.0.1"
    port: int = 8866
    token: str | None = None
    password: str | None = None
    pool_size: int = 2
    pools: dict[str, int] = field(default_factory=dict)  # dashboard path -> its own pool size
    refill_delay: float = 5.0
    warm_at_once: int = 2
    cull_idle: int = 900
    cull_interval: int = 60
    cull_connected: bool = False
    #: the instructor's certificate records for the 证书验证 page (None: quizzes/certificates)
    certificates: Path | None = None


def hashed(password: str) -> str:
    from jupyter_server.auth.security import passwd

    return passwd(password)


def voila_config(opts: WorkshopOptions):
    """The traitlets configuration of the workshop server (see the module docstring)."""
    from traitlets.config import Config

    c = Config()
    c.Voila.ip = opts.ip
    c.Voila.port = opts.port
    c.Voila.port_retries = 0
    c.Voila.open_browser = False
    c.Voila.root_dir = str(opts.directory)
    vc = c.VoilaConfiguration
    vc.template = TEMPLATE_NAME
    vc.classic_tree = True  # the jinja tree page, i.e. our Chinese landing page
    vc.strip_sources = True
    vc.show_tracebacks = False
    vc.file_allowlist = []
    vc.allow_template_override = "NO"
    vc.allow_theme_override = "NO"
    vc.page_config_hook = LandingPageHook(opts.directory)
    vc.extension_allowlist = list(DASHBOARD_LAB_EXTENSIONS)
    vc.kernel_spec_manager_class = dashboard_kernel_specs()
    if opts.pool_size > 0 or any(opts.pools.values()):
        vc.preheat_kernel = True
        vc.default_pool_size = opts.pool_size
        if opts.pools:
            # Voila's per-notebook pools; "default" is every other dashboard
            pools = {"default": {"pool_size": max(opts.pool_size, 0)}}
            pools.update({name: {"pool_size": size} for name, size in opts.pools.items()})
            c.VoilaKernelManager.kernel_pools_config = pools
        # Voila refills the pool 1 s after a kernel is taken; when a whole class arrives
        # at once that puts every refill (a kernel start and a notebook run each) on the
        # CPU while the trainees' pages are loading. Wait a little longer.
        c.VoilaKernelManager.fill_delay = float(opts.refill_delay)
    mkm = c.MappingKernelManager
    if opts.cull_idle > 0:
        mkm.cull_idle_timeout = opts.cull_idle
        mkm.cull_interval = max(1, min(opts.cull_interval, opts.cull_idle))
        mkm.cull_connected = opts.cull_connected
    if opts.password:
        from jupyter_server.auth.identity import PasswordIdentityProvider

        c.Voila.identity_provider_class = PasswordIdentityProvider
        c.PasswordIdentityProvider.hashed_password = hashed(opts.password)
        c.PasswordIdentityProvider.allow_password_change = False
    if opts.token:
        c.Voila.token = opts.token
    return c


#: How a dashboard kernel starts: ipykernel's launcher with debugpy made unimportable, so
#: that ipykernel runs without its debugger (it checks whether debugpy imports).
NO_DEBUGGER_LAUNCH = ("import sys; sys.modules['debugpy'] = None; "
                      "from ipykernel.kernelapp import launch_new_instance; launch_new_instance()")


def lean_argv(argv: list[str]) -> list[str]:
    """A kernel spec's argv with ipykernel's debugger left out (other kernels unchanged).

    >>> lean_argv(["python", "-m", "ipykernel_launcher", "-f", "{connection_file}"])[1:]
    ['-c', "import sys; sys.modules['debugpy'] = None; from ipykernel.kernelapp import launch_new_instance; launch_new_instance()", '-f', '{connection_file}']
    >>> lean_argv(["R", "--slave"])
    ['R', '--slave']
    """
    if len(argv) >= 3 and argv[1:3] == ["-m", "ipykernel_launcher"]:
        return [argv[0], "-c", NO_DEBUGGER_LAUNCH, *argv[3:]]
    return list(argv)


def dashboard_kernel_specs():
    """A KernelSpecManager whose Python kernels start without ipykernel's debugger."""
    from jupyter_client.kernelspec import KernelSpecManager

    class DashboardKernelSpecManager(KernelSpecManager):
        def get_kernel_spec(self, kernel_name):
            spec = super().get_kernel_spec(kernel_name)
            spec.argv = lean_argv(spec.argv)
            return spec

    return DashboardKernelSpecManager


def template_jupyter_path(existing: str | None = None) -> str:
    """``JUPYTER_PATH`` with the kamcourse templates first."""
    parts = [str(TEMPLATE_ROOT)]
    if existing:
        parts += [p for p in existing.split(os.pathsep) if p and p != str(TEMPLATE_ROOT)]
    return os.pathsep.join(parts)


def paced(initialize, gate):
    """``initialize`` (Voila's preparation of a pooled kernel) run under ``gate``.

    Voila prepares a pooled kernel (start Python, run the dashboard notebook: a few CPU
    seconds) at startup and whenever one is taken, all of them at once. When a class
    arrives together, dozens of preparations then share two cores and every page waits
    for the slowest. Here the preparations queue behind a semaphore (asyncio's is
    first come, first served) and each holds it until its notebook has run, so the first
    trainees get their kernels early and the CPU stays free for serving pages.
    """
    import asyncio

    async def run(*args, **kwargs):
        async with gate:
            content = await initialize(*args, **kwargs)
            task = content.get("task") if isinstance(content, dict) else None
            if task is not None:
                try:
                    await asyncio.shield(task)
                except Exception:  # noqa: BLE001 - the page reports a failed run itself
                    pass
            return content

    return run


#: Pool tasks still in their refill delay (:func:`wait_unless_taken`) -> what ends it.
_DELAYED: dict = {}
#: Pool tasks a page took before they had started their delay.
_TAKEN_EARLY: set = set()


async def wait_unless_taken(delay, awaitable):
    """Voila's ``wait_before(delay, awaitable)`` for a pooled kernel's refill, except that
    the wait ends as soon as a page takes this pool entry (:func:`take`).

    Voila keeps a refill in the pool while it waits out ``fill_delay`` and hands it to the
    next page like a ready kernel; with ``--refill-delay 300`` (the class recipe) a trainee
    arriving after the pool is used up would wait those five minutes.
    """
    import asyncio

    task = asyncio.current_task()
    if delay and delay > 0 and task not in _TAKEN_EARLY:
        taken = _DELAYED[task] = asyncio.Event()
        try:
            await asyncio.wait_for(taken.wait(), delay)
        except asyncio.TimeoutError:
            pass
        finally:
            _DELAYED.pop(task, None)
    _TAKEN_EARLY.discard(task)
    return await awaitable


def take(pool_entry) -> None:
    """A page takes ``pool_entry``: end its refill delay, if it is in one."""
    event = _DELAYED.get(pool_entry)
    if event is not None:
        event.set()
    elif not pool_entry.done():
        _TAKEN_EARLY.add(pool_entry)


def paced_factory(factory, at_once: int):
    """Wrap Voila's ``voila_kernel_manager_factory``: pooled kernels are prepared
    ``at_once`` at a time (:func:`paced`; 0: no limit), and a page never waits for a
    refill's delay (:func:`take`)."""
    import asyncio

    def make(base_class, preheat_kernel, default_pool_size, page_config_hook=None):
        cls = factory(base_class, preheat_kernel, default_pool_size, page_config_hook=page_config_hook)
        if not preheat_kernel:
            return cls

        class PacedVoilaKernelManager(cls):  # config still reads c.VoilaKernelManager (its base)
            async def _initialize(self, notebook_path, kernel_id=None, **kwargs):
                if at_once <= 0:
                    return await super()._initialize(notebook_path, kernel_id, **kwargs)
                gate = self.__dict__.setdefault("_kamcourse_gate", asyncio.Semaphore(at_once))
                return await paced(super()._initialize, gate)(notebook_path, kernel_id, **kwargs)

            async def get_rendered_notebook(self, notebook_name, *args, **kwargs):
                pool = getattr(self, "_pools", {}).get(notebook_name) or []
                if pool:
                    take(pool[0])  # the entry this page is about to get
                return await super().get_rendered_notebook(notebook_name, *args, **kwargs)

        return PacedVoilaKernelManager

    return make


# -- the front end ------------------------------------------------------------------------------------

def workshop_app(opts: WorkshopOptions):
    """Voila's application, with the kernel pool paced (see :func:`paced`) and the front
    end of :func:`front_end_handlers`."""
    import voila.app as voila_app

    class WorkshopVoila(voila_app.Voila):
        def init_settings(self):
            import voila.voila_kernel_manager as pools

            pools.wait_before = wait_unless_taken  # read by Voila's fill_if_needed at each refill
            original = voila_app.voila_kernel_manager_factory
            voila_app.voila_kernel_manager_factory = paced_factory(original, opts.warm_at_once)
            try:
                return super().init_settings()
            finally:
                voila_app.voila_kernel_manager_factory = original

        def init_handlers(self):
            from jupyter_server.utils import url_path_join

            from kamcourse.hub_web import VERIFY_PATH, certificate_verify_handler, front_end_handlers

            handlers = front_end_handlers(super().init_handlers())
            return [(url_path_join(self.server_url, VERIFY_PATH), certificate_verify_handler(opts.certificates)),
                    *handlers]

    return WorkshopVoila


def run(opts: WorkshopOptions) -> int:
    """Start Voila in this process with :func:`voila_config` (blocks until stopped)."""
    os.environ["JUPYTER_PATH"] = template_jupyter_path(os.environ.get("JUPYTER_PATH"))
    os.chdir(opts.directory)
    workshop_app(opts).launch_instance(argv=[], config=voila_config(opts))
    return 0


def options_from_args(args: argparse.Namespace) -> WorkshopOptions:
    directory = Path(args.dashboards) if args.dashboards else course_root() / DASHBOARD_DIR
    if not directory.is_dir():
        raise SystemExit(f"kamcourse workshop: no dashboards folder at {directory}")
    token = args.token or os.environ.get(TOKEN_ENV) or None
    password = args.password or os.environ.get(PASSWORD_ENV) or None
    return WorkshopOptions(
        directory=directory.resolve(),
        ip=args.ip,
        port=args.port,
        token=token,
        password=password,
        pool_size=args.pool_size,
        pools=parse_pools(args.pool or [], directory),
        refill_delay=args.refill_delay,
        warm_at_once=args.warm_at_once,
        cull_idle=args.cull_idle,
        cull_interval=args.cull_interval,
        cull_connected=args.cull_connected,
        certificates=Path(args.certificates).resolve() if getattr(args, "certificates", None) else None,
    )


def parse_pools(specs: list[str], directory: Path) -> dict[str, int]:
    """``["dso.ipynb=30"]`` -> ``{"dso.ipynb": 30}``; names are checked against the folder.

    >>> parse_pools(["dso=4"], Path("/nonexistent"))
    Traceback (most recent call last):
    ...
    SystemExit: kamcourse workshop: --pool dso=4: no dashboard dso.ipynb in /nonexistent
    """
    pools: dict[str, int] = {}
    for spec in specs:
        name, _, size = spec.partition("=")
        name = name if name.endswith(".ipynb") else name + ".ipynb"
        if not size.isdigit():
            raise SystemExit(f"kamcourse workshop: --pool {spec}: expected NAME=NUMBER, e.g. dso.ipynb=30")
        if not (directory / name).is_file():
            raise SystemExit(f"kamcourse workshop: --pool {spec}: no dashboard {name} in {directory}")
        pools[name] = int(size)
    return pools


def _workshop(args: argparse.Namespace) -> int:
    opts = options_from_args(args)
    if opts.ip not in {"127.0.0.1", "localhost", "::1"} and not (opts.token or opts.password):
        print(
            "kamcourse workshop: serving on a network address without --token or --password; "
            "anyone on the network can open the dashboards",
            file=sys.stderr,
        )
    return run(opts)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--ip", default="127.0.0.1", help="address to bind, e.g. 0.0.0.0 for a room network")
    parser.add_argument("--port", type=int, default=8866)
    parser.add_argument("--token", help=f"require this token (in the URL or the login form); or set {TOKEN_ENV}")
    parser.add_argument("--password", help=f"require this password in the login form; or set {PASSWORD_ENV}")
    parser.add_argument("--pool-size", type=int, default=2, metavar="N",
                        help="preheated kernels kept ready per dashboard (0: no pool, default 2)")
    parser.add_argument("--pool", action="append", metavar="DASHBOARD=N",
                        help="a pool size for one dashboard, e.g. --pool dso.ipynb=30 before a class opens it together")
    parser.add_argument("--refill-delay", type=float, default=5.0, metavar="SECONDS",
                        help="wait this long before replacing a pooled kernel a trainee took (default 5)")
    parser.add_argument("--warm-at-once", type=int, default=2, metavar="N",
                        help="pooled kernels prepared at the same time (default 2; 0: no limit, Voila's way)")
    parser.add_argument("--cull-idle", type=int, default=900, metavar="SECONDS",
                        help="shut down kernels idle this long (0: never, default 900)")
    parser.add_argument("--cull-interval", type=int, default=60, metavar="SECONDS")
    parser.add_argument("--cull-connected", action="store_true",
                        help="also cull idle kernels whose page is still open")
    parser.add_argument("--dashboards", help=f"folder of dashboard notebooks (default {DASHBOARD_DIR})")
    parser.add_argument("--certificates", help="the instructor's certificate records for the 证书验证 page "
                                                "(default quizzes/certificates of the checkout)")


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "workshop",
        help="serve every dashboard for a workshop: Chinese landing page, preheated kernels, culling",
        description=__doc__.split("\n\n")[0],
    )
    add_arguments(parser)
    parser.set_defaults(func=_workshop)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kamcourse.hub")
    add_arguments(parser)
    return _workshop(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
