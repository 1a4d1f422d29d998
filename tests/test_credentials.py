"""The remember-me store: owner-only files, atomic writes, one file per endpoint+project."""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import stat
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from appwrite_widgets.client import Client
from appwrite_widgets.session import CredentialStore, CredentialStoreError, SessionContext
from appwrite_widgets.session._credentials import default_directory

ENDPOINT = "http://127.0.0.1:8080/v1"
TOKEN = "tok-" + "x" * 60


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_round_trip_with_owner_only_file(tmp_path: Path) -> None:
    store = CredentialStore(tmp_path / "creds")
    path = store.save(ENDPOINT, "demo", TOKEN)
    assert store.load(ENDPOINT, "demo") == TOKEN
    assert mode(path) == 0o600
    assert mode(path.parent) == 0o700
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temp file left


def test_file_name_is_a_hash_of_endpoint_and_project(tmp_path: Path) -> None:
    store = CredentialStore(tmp_path)
    digest = hashlib.sha256(f"{ENDPOINT}|demo".encode()).hexdigest()[:16]
    assert store.path_for(ENDPOINT, "demo") == tmp_path / f"{digest}.json"
    assert store.path_for(ENDPOINT, "other") != store.path_for(ENDPOINT, "demo")


@pytest.mark.parametrize(
    ("endpoint", "project"),
    [(ENDPOINT, "other"), ("http://127.0.0.1:9999/v1", "demo")],
    ids=["other-project", "other-endpoint"],
)
def test_each_server_has_its_own_credential(tmp_path: Path, endpoint: str, project: str) -> None:
    store = CredentialStore(tmp_path)
    store.save(ENDPOINT, "demo", TOKEN)
    assert store.load(endpoint, project) is None


def test_overwrite_and_delete(tmp_path: Path) -> None:
    store = CredentialStore(tmp_path)
    store.save(ENDPOINT, "demo", TOKEN)
    store.save(ENDPOINT, "demo", "second-token")
    assert store.load(ENDPOINT, "demo") == "second-token"
    assert store.delete(ENDPOINT, "demo") is True
    assert store.delete(ENDPOINT, "demo") is False
    assert store.load(ENDPOINT, "demo") is None


def test_a_file_others_can_read_is_refused_and_removed(tmp_path: Path) -> None:
    store = CredentialStore(tmp_path)
    path = store.save(ENDPOINT, "demo", TOKEN)
    os.chmod(path, 0o644)
    assert store.load(ENDPOINT, "demo") is None
    assert not path.exists()


@pytest.mark.parametrize(
    "body",
    ["not json", "[]", json.dumps({"endpoint": ENDPOINT, "project": "x", "session": TOKEN})],
    ids=["garbage", "wrong-shape", "wrong-project"],
)
def test_unusable_files_are_ignored(tmp_path: Path, body: str) -> None:
    store = CredentialStore(tmp_path)
    path = store.path_for(ENDPOINT, "demo")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(body)
    assert store.load(ENDPOINT, "demo") is None


def test_default_directory_follows_xdg_data_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert default_directory() == tmp_path / "appwrite-widgets" / "credentials"
    store = CredentialStore()
    assert store.save(ENDPOINT, "demo", TOKEN).parent == default_directory()
    monkeypatch.delenv("XDG_DATA_HOME")
    assert default_directory() == Path.home() / ".local/share/appwrite-widgets/credentials"


def test_repr_holds_no_token(tmp_path: Path) -> None:
    store = CredentialStore(tmp_path)
    store.save(ENDPOINT, "demo", TOKEN)
    assert TOKEN not in repr(store)


# -- a hostile folder or file (issue 14, item 12) --------------------------------------------


def _in_thread(action: Callable[[], object], unblock: Callable[[], None]) -> object:
    """Run ``action`` in a thread; fail (after unblocking it with ``unblock``) if it has not
    returned within 10 s."""
    result: list[object] = []
    thread = threading.Thread(target=lambda: result.append(action()), daemon=True)
    thread.start()
    thread.join(10)
    if thread.is_alive():
        unblock()
        thread.join(10)
        pytest.fail("the call blocked")
    return result[0]


def _open_writer(path: Path) -> None:
    """Give a reader blocked on the FIFO at ``path`` its end of file."""
    with contextlib.suppress(OSError):
        os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))


def test_a_fifo_at_the_files_path_does_not_hang_load_or_refresh(tmp_path: Path) -> None:
    store = CredentialStore(tmp_path / "creds")
    store.save(ENDPOINT, "demo", TOKEN)
    path = store.path_for(ENDPOINT, "demo")
    path.unlink()
    os.mkfifo(path, 0o600)
    assert _in_thread(lambda: store.load(ENDPOINT, "demo"), lambda: _open_writer(path)) is None
    assert not path.exists()  # refused and removed, like any unsafe file

    os.mkfifo(path, 0o600)
    with Client(ENDPOINT, "demo") as client:  # no request is sent: nothing to restore
        ctx = SessionContext(client, remember=True, credentials_store=store)
        assert _in_thread(ctx.refresh, lambda: _open_writer(path)) is None
    assert not ctx.is_authenticated


def test_a_link_at_the_files_path_is_not_followed(tmp_path: Path) -> None:
    store = CredentialStore(tmp_path / "creds")
    target = CredentialStore(tmp_path / "elsewhere").save(ENDPOINT, "demo", TOKEN)
    path = store.path_for(ENDPOINT, "demo")
    path.parent.mkdir(mode=0o700)
    path.symlink_to(target)
    assert store.load(ENDPOINT, "demo") is None
    assert target.read_bytes()  # the link's target is left alone


@pytest.mark.parametrize("folder_mode", [0o770, 0o707, 0o777], ids=["group", "other", "both"])
def test_a_folder_others_can_write_to_is_not_used(tmp_path: Path, folder_mode: int) -> None:
    store = CredentialStore(tmp_path / "creds")
    path = store.save(ENDPOINT, "demo", TOKEN)
    os.chmod(path.parent, folder_mode)
    assert store.load(ENDPOINT, "demo") is None
    with pytest.raises(PermissionError, match="other users can write to it"):
        store.save(ENDPOINT, "demo", "another-token")
    os.chmod(path.parent, 0o700)
    assert store.load(ENDPOINT, "demo") == TOKEN  # nothing was read, written or removed


def test_a_folder_of_another_user_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = CredentialStore(tmp_path / "creds")
    store.save(ENDPOINT, "demo", TOKEN)
    me = os.getuid()
    monkeypatch.setattr(os, "getuid", lambda: me + 1)  # the folder now belongs to "someone else"
    assert store.load(ENDPOINT, "demo") is None
    with pytest.raises(PermissionError, match="belongs to another user"):
        store.save(ENDPOINT, "demo", "another-token")


def test_a_linked_folder_is_not_followed(tmp_path: Path) -> None:
    real = CredentialStore(tmp_path / "real")
    real.save(ENDPOINT, "demo", TOKEN)
    (tmp_path / "link").symlink_to(tmp_path / "real")
    linked = CredentialStore(tmp_path / "link")
    assert linked.load(ENDPOINT, "demo") is None
    with pytest.raises(OSError):
        linked.save(ENDPOINT, "demo", "another-token")
    assert real.load(ENDPOINT, "demo") == TOKEN


def test_an_unsafe_folder_does_not_break_a_sign_in(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store = CredentialStore(tmp_path / "creds")
    store.save(ENDPOINT, "demo", TOKEN)
    os.chmod(store.directory, 0o777)
    with Client(ENDPOINT, "demo") as client:
        ctx = SessionContext(client, remember=True, credentials_store=store)
        with caplog.at_level(logging.WARNING, logger="appwrite_widgets"):
            assert ctx.refresh() is None
    assert client.session_token is None and TOKEN not in caplog.text
    assert "other users can write to it" in caplog.text


@pytest.mark.parametrize(
    "variable", ["VOILA_KERNEL_ID", "VOILA_BASE_URL", "VOILA_SERVER_URL", "VOILA_REQUEST_URL"]
)
def test_refuses_in_a_voila_kernel(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, variable: str
) -> None:
    store = CredentialStore(tmp_path)
    store.save("http://x/v1", "p", "token-a")
    monkeypatch.setenv(variable, "/")
    assert store.refusal is not None and "Voila" in store.refusal
    for call in (
        lambda: store.load("http://x/v1", "p"),
        lambda: store.save("http://x/v1", "p", "token-b"),
        lambda: store.delete("http://x/v1", "p"),
    ):
        with pytest.raises(CredentialStoreError, match="not available under Voila"):
            call()
    monkeypatch.delenv(variable)
    assert store.load("http://x/v1", "p") == "token-a"  # untouched


def test_refuse_is_for_good(tmp_path: Path) -> None:
    store = CredentialStore(tmp_path)
    store.refuse("a page's browser keeps the session")
    with pytest.raises(CredentialStoreError, match="browser keeps"):
        store.save("http://x/v1", "p", "token")
    assert not any(tmp_path.iterdir())
