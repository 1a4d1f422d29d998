"""``appwrite-widgets demo``: the seeded embedded server plus the dashboard served by Voila.

The server runs in this process (a background thread); Voila runs as a child process in its own
process group and session, so a Ctrl-C in the terminal reaches only this process, which then
stops Voila (and the kernels Voila started) before the server. The dashboard's kernel learns the
server through ``APPWRITE_ENDPOINT``, ``APPWRITE_PROJECT`` and ``APPWRITE_API_KEY``.

Mail (sign-in codes, links) goes over SMTP to a local mail catcher (``smtp="catch"``); the
dashboard's demo-only Inbox panel reads it from this process (:mod:`.inbox`, learnt through
``APPWRITE_DEMO_INBOX`` and ``APPWRITE_DEMO_INBOX_KEY``). Appwrite's offline ``mock`` OAuth2
provider is on (the demo seed).
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import webbrowser
from pathlib import Path
from typing import Any

from appwrite_widgets.cli.tutorials import dashboard_path

__all__ = ["DemoError", "banner", "dashboard_path", "run_demo"]

DEMO_PROJECT = "demo"
#: A closed tab's kernel is stopped after this many idle seconds (Voila: one kernel per load).
CULL_IDLE_TIMEOUT = 120
CULL_INTERVAL = 30
#: How many dashboard kernels may run at once (page loads over it get a 503).
MAX_KERNELS = 20
VOILA_MISSING = (
    "Voila is not installed: install the demo extra, e.g. "
    "pip install 'appwrite-widgets[demo]' (in a source checkout: `make demo`)."
)


class DemoError(Exception):
    """The demo cannot start (message for the person at the terminal)."""


def banner(url: str, endpoint: str, project: str, data: Path) -> list[str]:
    """What the terminal shows once the demo runs: where to go, and who to sign in as.

    The demo accounts are the demo seed's (public demo credentials, also shown on the page).
    """
    from appwrite_widgets.server.storage.seed import DEMO_USERS

    lines = [
        f"appwrite-widgets demo: dashboard at {url}",
        "  Open it in a browser and sign in with a demo account (public, for this demo only):",
    ]
    width = max(len(f"{email} / {password}") for _, email, password, _, _ in DEMO_USERS)
    for _, email, password, name, labels in DEMO_USERS:
        who = f"{name}, an admin" if "admin" in labels else name
        lines.append(f"    {f'{email} / {password}':<{width}}   {who}")
    lines.append(f"  Behind it: an Appwrite-compatible server at {endpoint} (project {project});")
    lines.append(f"  its users, sessions and events are kept in {data}")
    lines.append("  mail is caught here and shown in the dashboard's Inbox panel")
    lines.append("  press Ctrl-C to stop")
    return lines


def _check_port_free(host: str, port: int) -> None:
    """Fail clearly if something listens on ``host:port``.

    ``SO_REUSEADDR`` as Voila's own listening socket has: connections of a demo that just
    stopped linger in TIME_WAIT for a minute and must not block a restart; a listener still
    makes the bind fail (Linux and macOS).
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        if os.name != "nt":  # on Windows the option would let two listeners share the port
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            raise DemoError(f"port {port} on {host} is not available ({exc.strerror})") from exc


def _port_open(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def _children(pid: int) -> dict[int, int]:
    """``{child_pid: parent_pid}`` for every process in /proc (Linux); empty elsewhere."""
    table: dict[int, int] = {}
    proc = Path("/proc")
    if not proc.is_dir():
        return table
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # "pid (comm) state ppid ...": comm may hold spaces and parentheses.
        fields = stat[stat.rfind(")") + 2 :].split()
        if len(fields) > 1:
            table[int(entry.name)] = int(fields[1])
    return table


def descendants(pid: int) -> set[int]:
    """Every live process below ``pid`` (Linux /proc; empty set elsewhere)."""
    table = _children(pid)
    found: set[int] = set()
    frontier = [pid]
    while frontier:
        parent = frontier.pop()
        for child, ppid in table.items():
            if ppid == parent and child not in found:
                found.add(child)
                frontier.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie still answers kill(0); treat it as gone.
    with contextlib.suppress(OSError):
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat[stat.rfind(")") + 2 :].split()[0] != "Z"
    return True


def _wait_gone(pids: set[int], timeout: float) -> set[int]:
    deadline = time.monotonic() + timeout
    left = {p for p in pids if _alive(p)}
    while left and time.monotonic() < deadline:
        time.sleep(0.05)
        left = {p for p in left if _alive(p)}
    return left


def stop_process_tree(proc: subprocess.Popen[Any], timeout: float = 15.0) -> None:
    """Stop ``proc`` (leader of its own process group) and everything it started.

    SIGTERM to the group first (Voila shuts its kernels down on SIGTERM); then any survivor
    among the processes seen below it, including kernels in their own sessions; SIGKILL last.
    """
    if proc.poll() is not None:
        return
    below = descendants(proc.pid)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    survivors = _wait_gone(below, 5.0)
    for pid in survivors:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    for pid in _wait_gone(survivors, 5.0):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


# Runs first in the child: on Linux, ask for SIGTERM when the demo process dies (even by
# SIGKILL), so Voila and its kernels never outlive it; then become Voila. argv[1] is our pid.
_LAUNCHER = """\
import ctypes, os, signal, sys
if sys.platform.startswith("linux"):
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGTERM))  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
if os.getppid() != int(sys.argv[1]):
    sys.exit(1)  # the demo died before we got here
os.execv(sys.executable, [sys.executable, "-m", "voila", *sys.argv[2:]])
"""


def voila_options(
    *,
    cull_idle_timeout: int = CULL_IDLE_TIMEOUT,
    cull_interval: int = CULL_INTERVAL,
    max_kernels: int = MAX_KERNELS,
) -> list[str]:
    """The Voila settings the demo serves with (``make bench`` serves its pages with them too).

    Kernels without a connected page (closed tabs) are culled after ``cull_idle_timeout``
    idle seconds, checked every ``cull_interval``; open tabs are never culled; at most
    ``max_kernels`` run at once."""
    return [
        "--Voila.log_level=WARN",
        "--show_tracebacks=False",
        "--VoilaConfiguration.multi_kernel_manager_class="
        "appwrite_widgets.cli.demo_kernels.CappedKernelManager",
        f"--CappedKernelManager.max_kernels={max_kernels}",
        f"--MappingKernelManager.cull_idle_timeout={cull_idle_timeout}",
        f"--MappingKernelManager.cull_interval={cull_interval}",
        "--MappingKernelManager.cull_connected=False",
    ]


def voila_command(
    notebook: Path,
    host: str,
    port: int,
    *,
    cull_idle_timeout: int = CULL_IDLE_TIMEOUT,
    cull_interval: int = CULL_INTERVAL,
    max_kernels: int = MAX_KERNELS,
) -> list[str]:
    """The command line serving ``notebook`` with Voila on ``host:port`` (no browser).

    With :func:`voila_options` (culling, the kernel cap)."""
    return [
        sys.executable,
        "-c",
        _LAUNCHER,
        str(os.getpid()),
        str(notebook),
        "--no-browser",
        f"--port={port}",
        f"--Voila.ip={host}",
        "--Voila.port_retries=0",
        *voila_options(
            cull_idle_timeout=cull_idle_timeout,
            cull_interval=cull_interval,
            max_kernels=max_kernels,
        ),
    ]


def run_demo(
    *,
    port: int = 8866,
    data: Path | None = None,
    open_browser: bool = True,
    rate_limits: bool = True,
    host: str = "127.0.0.1",
    stop: threading.Event | None = None,
    out: Any = None,
    cull_idle_timeout: int = CULL_IDLE_TIMEOUT,
    cull_interval: int = CULL_INTERVAL,
    max_kernels: int = MAX_KERNELS,
) -> int:
    """Run the demo until ``stop`` is set (by SIGINT/SIGTERM in the CLI); 0 on a clean stop."""
    out = out if out is not None else sys.stdout
    stop = stop if stop is not None else threading.Event()
    if importlib.util.find_spec("voila") is None:
        raise DemoError(VOILA_MISSING)
    notebook = dashboard_path()
    _check_port_free(host, port)

    from appwrite_widgets.cli.inbox import MailboxServer
    from appwrite_widgets.server.command import default_data_path
    from appwrite_widgets.server.local import LocalServer

    # LocalServer.start() creates the data folder 0700 (it holds password hashes).
    data = data if data is not None else default_data_path(DEMO_PROJECT)
    server = LocalServer(
        project=DEMO_PROJECT,
        data=data,
        seed="demo",
        host=host,
        rate_limits=rate_limits,
        smtp="catch",
    )
    server.start()
    voila: subprocess.Popen[Any] | None = None
    inbox: MailboxServer | None = None
    try:
        inbox = MailboxServer(server.mailcatcher).start()
        env = dict(os.environ)
        env.update(
            APPWRITE_ENDPOINT=server.endpoint,
            APPWRITE_PROJECT=server.project,
            APPWRITE_API_KEY=server.api_key,
            JUPYTER_PLATFORM_DIRS="1",
            PYDEVD_DISABLE_FILE_VALIDATION="1",
            **inbox.environ(),
        )
        voila = subprocess.Popen(
            voila_command(
                notebook,
                host,
                port,
                cull_idle_timeout=cull_idle_timeout,
                cull_interval=cull_interval,
                max_kernels=max_kernels,
            ),
            cwd=notebook.parent,
            env=env,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        while not _port_open(host, port):
            if voila.poll() is not None:
                raise DemoError(f"Voila exited with status {voila.returncode} during start-up")
            if stop.wait(0.1):
                return 0
        url = f"http://{host}:{port}/"
        for line in banner(url, server.endpoint, server.project, server.data):
            print(line, file=out)
        out.flush()
        if open_browser:
            with contextlib.suppress(Exception):
                webbrowser.open(url)
        while not stop.wait(0.5):
            if voila.poll() is not None:
                print(f"appwrite-widgets demo: Voila exited ({voila.returncode})", file=sys.stderr)
                return 1
        return 0
    finally:
        if voila is not None:
            stop_process_tree(voila)
        if inbox is not None:
            inbox.stop()
        server.stop()


def main(args: Any) -> int:
    """The ``demo`` subcommand (``args`` from :mod:`appwrite_widgets.cli`)."""
    from appwrite_widgets.server.command import stop_on_signals

    stop = stop_on_signals()
    try:
        return run_demo(
            port=args.port,
            data=Path(args.data) if args.data else None,
            open_browser=not args.no_browser,
            rate_limits=not args.no_rate_limits,
            stop=stop,
            cull_idle_timeout=args.cull_idle_timeout,
            cull_interval=min(CULL_INTERVAL, max(1, args.cull_idle_timeout // 2)),
            max_kernels=args.max_kernels,
        )
    except (DemoError, OSError, ValueError) as exc:
        print(f"appwrite-widgets demo: {exc}", file=sys.stderr)
        return 1


def _count(text: str) -> int:
    """An argparse type: a whole number >= 0."""
    import argparse

    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{value} is negative")
    return value


def add_arguments(parser: Any) -> None:
    """Register the ``demo`` options on ``parser``."""
    parser.add_argument("--port", type=int, default=8866, help="Voila's port (default 8866)")
    parser.add_argument(
        "--data",
        metavar="PATH.sqlite3",
        help="SQLite file (default: $XDG_DATA_HOME/appwrite-widgets/demo.sqlite3)",
    )
    parser.add_argument("--no-browser", action="store_true", help="do not open a browser")
    parser.add_argument(
        "--cull-idle-timeout",
        type=_count,
        default=CULL_IDLE_TIMEOUT,
        metavar="SECONDS",
        help=f"stop a closed tab's kernel after SECONDS idle, 0: never ({CULL_IDLE_TIMEOUT})",
    )
    parser.add_argument(
        "--max-kernels",
        type=_count,
        default=MAX_KERNELS,
        metavar="N",
        help=f"at most N dashboard kernels at once; 0 = no cap (default {MAX_KERNELS})",
    )
    parser.add_argument(
        "--no-rate-limits",
        action="store_true",
        help="turn off Appwrite's sign-in rate limits (for automated tests)",
    )
