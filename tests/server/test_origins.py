"""Origin allowlist: CORS only for listed pages, cross-site writes refused (issue 14, item 1)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from server_helpers import error_type, guest, sign_in

from appwrite_widgets.server.local import LocalServer

EVIL = "https://evil.example"
LOCAL_PAGE = "http://localhost:8888"


def _team_exists(api: httpx.Client, team_id: str) -> bool:
    # One GET per ID: a shared server holds more teams than a list's default page of 25.
    return api.get(f"/teams/{team_id}").status_code == 200


def test_cors_reflects_only_listed_origins_never_null(server: LocalServer) -> None:
    with guest(server) as c:
        listed = c.get("/account", headers={"Origin": LOCAL_PAGE})
        evil = c.get("/account", headers={"Origin": EVIL})
        null = c.get("/account", headers={"Origin": "null"})
        preflight = c.options(
            "/teams", headers={"Origin": EVIL, "Access-Control-Request-Method": "POST"}
        )
    assert listed.headers["access-control-allow-origin"] == LOCAL_PAGE
    assert listed.headers["access-control-allow-credentials"] == "true"
    assert error_type(listed) == (401, "general_unauthorized_scope")
    assert error_type(evil) == error_type(null) == (403, "general_unknown_origin")
    for resp in (evil, null, preflight):
        assert "access-control-allow-origin" not in resp.headers
        assert "access-control-allow-credentials" not in resp.headers
        assert resp.headers["vary"] == "Origin"


def test_cookie_write_from_an_unlisted_origin_is_403_and_changes_nothing(
    server: LocalServer, api: httpx.Client, make_user: Callable[..., Any]
) -> None:
    user = make_user()
    victim, _ = sign_in(server, user.email, user.password)
    with contextlib.closing(victim):
        for origin in (EVIL, "null", "http://localhost.evil.example"):
            # What a cross-site <form method=post> sends: the cookie and the page's Origin.
            forged = victim.post(
                "/teams",
                data={"teamId": "forged", "name": "Forged"},
                headers={"Origin": origin},
            )
            assert error_type(forged) == (403, "general_unknown_origin")
            assert "access-control-allow-origin" not in forged.headers
        signout = victim.delete("/account/sessions/current", headers={"Origin": EVIL})
        assert error_type(signout) == (403, "general_unknown_origin")
        assert victim.get("/account").status_code == 200  # still signed in
        listed = victim.post(
            "/teams", json={"teamId": "fromlocal", "name": "Local"}, headers={"Origin": LOCAL_PAGE}
        )
        sdk = victim.post("/teams", json={"teamId": "fromsdk", "name": "SDK"})  # no Origin
    assert listed.status_code == 201 and sdk.status_code == 201
    assert not _team_exists(api, "forged")
    assert _team_exists(api, "fromlocal") and _team_exists(api, "fromsdk")


def test_api_key_calls_with_any_origin_keep_working(api: httpx.Client) -> None:
    resp = api.post("/teams", json={"teamId": "keyteam", "name": "Key"}, headers={"Origin": EVIL})
    assert resp.status_code == 201


@pytest.fixture
def listed_server(tmp_path: Path) -> Iterator[LocalServer]:
    with LocalServer(
        project="origins",
        data=tmp_path / "db.sqlite3",
        rate_limits=False,
        origins=["https://app.example.com", "*.pages.example.org"],
    ) as srv:
        yield srv


def test_an_explicit_list_replaces_the_local_default(listed_server: LocalServer) -> None:
    def signup(origin: str, n: int) -> httpx.Response:
        with guest(listed_server) as c:
            return c.post(
                "/account",
                json={"userId": "unique()", "email": f"o{n}@example.com", "password": "pw-123456"},
                headers={"Origin": origin},
            )

    assert signup("https://app.example.com", 1).status_code == 201
    assert signup("https://a.pages.example.org:8443", 2).status_code == 201
    assert signup("http://127.0.0.1:9999", 3).status_code == 201  # the server's own host
    assert error_type(signup("http://app.example.com", 4)) == (403, "general_unknown_origin")
    assert error_type(signup(LOCAL_PAGE, 5)) == (403, "general_unknown_origin")
    assert error_type(signup("https://pages.example.org.evil", 6))[1] == "general_unknown_origin"


def test_invalid_origin_entries_are_refused_up_front(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="invalid origin"):
        LocalServer(data=tmp_path / "x.sqlite3", origins=["ftp://files.example.com"])
    for bad in ("exa mple.com", "localhost:8888", "*"):
        with pytest.raises(ValueError, match="invalid origin host"):
            LocalServer(data=tmp_path / "x.sqlite3", origins=[bad])
