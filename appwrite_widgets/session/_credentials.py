"""Remember-me storage: one owner-only (0600) file per Appwrite endpoint and project.

Used by :class:`~appwrite_widgets.SessionContext` only when remember-me was asked for. The file
lives under the user's data directory, never next to the notebook, and holds the session token
of one device so that a new kernel (a Voila page reload) can restore the sign-in::

    $XDG_DATA_HOME/appwrite-widgets/credentials/<sha256(endpoint|project)[:16]>.json
    (~/.local/share/... when XDG_DATA_HOME is unset)

Writes are atomic (a 0600 temporary file in the same directory, then ``os.replace``). The folder
must be this user's and writable by nobody else (else nothing is read or written there); files are
opened relative to it, never through a symbolic link and never blocking, and only a regular file
private to its owner is read (anything else at that name is refused and removed).

It is for single-user notebooks and scripts only. A dashboard server runs every visitor's kernel
as one OS user, so one file per endpoint+project would be shared by every visitor (a session
takeover). The store therefore refuses to run, with :class:`CredentialStoreError`, inside a Voila
kernel and once a page's browser companion serves the context (``refuse()``): there the browser
keeps the session (see :class:`~appwrite_widgets.session.Device`).
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import logging
import os
import stat
from pathlib import Path

__all__ = ["CredentialStore", "CredentialStoreError", "voila_kernel"]

_log = logging.getLogger("appwrite_widgets")

_APP_DIR = "appwrite-widgets"
# Set by Voila in the environment of the kernels it starts (voila/utils.py ENV_VARIABLE).
_VOILA_VARIABLES = ("VOILA_KERNEL_ID", "VOILA_BASE_URL", "VOILA_SERVER_URL", "VOILA_REQUEST_URL")
UNDER_VOILA = (
    "Remember me (the file store) is not available under Voila: every visitor's kernel runs as "
    "the same OS user and would share one file. Keep the session in the visitor's browser "
    "instead: display a NavBar or LoginForm, or companion(ctx)."
)


class CredentialStoreError(RuntimeError):
    """The file remember-me store refuses to run here (a multi-user page)."""


def voila_kernel() -> bool:
    """True inside a kernel started by Voila (one per page load, all as one OS user)."""
    return any(os.environ.get(name) for name in _VOILA_VARIABLES)


def default_directory() -> Path:
    """``$XDG_DATA_HOME/appwrite-widgets/credentials`` (``~/.local/share`` when unset)."""
    base = os.environ.get("XDG_DATA_HOME", "").strip()
    root = Path(base) if base and os.path.isabs(base) else Path.home() / ".local" / "share"
    return root / _APP_DIR / "credentials"


class CredentialStore:
    """Owner-only files holding one remembered session token per endpoint and project.

    Usage: ``store = CredentialStore(tmp_path); store.save(endpoint, project, token)``

    Parameters
    ----------
    directory:
        Where the files go; ``None`` means :func:`default_directory` (resolved at each use, so a
        changed ``XDG_DATA_HOME`` is honoured). Nothing touches the disk until a method is called.
    """

    def __init__(self, directory: str | os.PathLike[str] | None = None) -> None:
        self._directory = Path(directory) if directory is not None else None
        self._refused: str | None = None

    @property
    def refusal(self) -> str | None:
        """Why this store refuses to run here (under Voila, or refused), or None."""
        if self._refused is not None:
            return self._refused
        return UNDER_VOILA if voila_kernel() else None

    def refuse(self, reason: str) -> None:
        """Refuse every later load/save/delete with ``reason`` (a page's companion took over)."""
        self._refused = reason

    def _check(self) -> None:
        reason = self.refusal
        if reason is not None:
            raise CredentialStoreError(reason)

    @property
    def directory(self) -> Path:
        """The directory the credential files live in."""
        return self._directory if self._directory is not None else default_directory()

    def path_for(self, endpoint: str, project: str) -> Path:
        """The file for ``endpoint`` + ``project`` (its name reveals neither)."""
        digest = hashlib.sha256(f"{endpoint}|{project}".encode()).hexdigest()[:16]
        return self.directory / f"{digest}.json"

    def load(self, endpoint: str, project: str) -> str | None:
        """The remembered token, or ``None`` (missing, unreadable, unsafe or another server's).

        Raises CredentialStoreError where the store refuses to run (see the module doc).
        """
        self._check()
        path = self.path_for(endpoint, project)
        try:
            folder = _open_folder(path.parent)
        except FileNotFoundError:
            return None
        except OSError as exc:
            _log.warning("Ignoring remembered sessions in %s: %s", path.parent, _reason(exc))
            return None
        try:
            raw = self._read(folder, path)
        finally:
            os.close(folder)
        if raw is None:
            return None
        try:
            data = json.loads(raw)
        except ValueError:
            return None
        if not isinstance(data, dict):
            return None
        if data.get("endpoint") != endpoint or data.get("project") != project:
            return None
        token = data.get("session")
        return token if isinstance(token, str) and token else None

    def _read(self, folder: int, path: Path) -> bytes | None:
        """The bytes of ``path``, or None.

        Opened relative to the checked folder, never through a link, never blocking (a FIFO
        planted there must not hang a restore).
        """
        try:
            fd = os.open(path.name, _READ_FLAGS, dir_fd=folder)
        except FileNotFoundError:
            return None
        except OSError as exc:
            _log.warning("Ignoring the remembered session file %s: %s", path, _reason(exc))
            return None
        with os.fdopen(fd, "rb") as handle:
            info = os.fstat(handle.fileno())
            if not _owner_only(info):
                _log.warning(
                    "Removing the remembered session file %s: it is not a regular file "
                    "private to its owner",
                    path,
                )
                with contextlib.suppress(OSError):
                    os.unlink(path.name, dir_fd=folder)
                return None
            return handle.read(_MAX_SIZE)

    def save(self, endpoint: str, project: str, token: str) -> Path:
        """Write ``token`` for ``endpoint`` + ``project`` atomically, readable by the owner only.

        Raises :class:`PermissionError` when the folder is not safe (see :func:`check_folder`),
        CredentialStoreError where the store refuses to run (see the module doc)."""
        self._check()
        directory = self.directory
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        path = self.path_for(endpoint, project)
        body = json.dumps({"endpoint": endpoint, "project": project, "session": token}).encode()
        tmp = f".{path.stem}.{os.getpid()}.{id(self):x}.tmp"
        folder = _open_folder(directory)
        try:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp, dir_fd=folder)
            fd = os.open(tmp, _WRITE_FLAGS, 0o600, dir_fd=folder)
            try:
                with os.fdopen(fd, "wb") as handle:
                    # The umask cannot widen 0o600, but an inherited default could: be explicit.
                    os.fchmod(handle.fileno(), 0o600)
                    handle.write(body)
                    handle.flush()
                    os.fsync(handle.fileno())
                os.replace(tmp, path.name, src_dir_fd=folder, dst_dir_fd=folder)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp, dir_fd=folder)
                raise
        finally:
            os.close(folder)
        return path

    def delete(self, endpoint: str, project: str) -> bool:
        """Remove the file for ``endpoint`` + ``project``; ``True`` if one was removed."""
        self._check()
        try:
            self.path_for(endpoint, project).unlink()
        except FileNotFoundError:
            return False
        return True

    def __repr__(self) -> str:
        return f"CredentialStore({str(self.directory)!r})"


_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_READ_FLAGS = os.O_RDONLY | _NOFOLLOW | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
_WRITE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
_MAX_SIZE = 64 * 1024


def check_folder(info: os.stat_result) -> str | None:
    """Why a credentials folder with this ``stat`` must not be used, or None when it is safe.

    It must be a directory owned by this user that nobody else can write to (whoever can write
    there can replace the file, or plant a link or a FIFO at its name).
    """
    if not stat.S_ISDIR(info.st_mode):
        return "it is not a folder"
    if hasattr(os, "getuid") and info.st_uid != os.getuid():
        return "it belongs to another user"
    if info.st_mode & 0o022:
        return "other users can write to it"
    return None


def _open_folder(directory: Path) -> int:
    """A descriptor of ``directory`` (not through a link) once :func:`check_folder` passed."""
    fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | _NOFOLLOW)
    try:
        problem = check_folder(os.fstat(fd))
    except BaseException:
        os.close(fd)
        raise
    if problem is not None:
        os.close(fd)
        raise PermissionError(errno.EPERM, f"unsafe folder: {problem}", str(directory))
    return fd


def _reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


def _owner_only(info: os.stat_result) -> bool:
    if not stat.S_ISREG(info.st_mode):
        return False
    if hasattr(os, "getuid") and info.st_uid != os.getuid():
        return False
    return info.st_mode & 0o077 == 0
