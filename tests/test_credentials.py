"""The remember-me store: owner-only files, atomic writes, one file per endpoint+project."""

from __future__ import annotations

import hashlib
import json
import os
import stat
from pathlib import Path

import pytest

from appwrite_widgets.credentials import CredentialStore, CredentialStoreError, default_directory

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
