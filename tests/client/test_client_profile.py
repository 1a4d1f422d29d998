"""The client methods for prefs, profile updates, logs, JWTs, tokens, team updates and
invitations, for ``Client`` and ``AsyncClient`` (``kind``), against the real server."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from appwrite_widgets.client import (
    ForbiddenError,
    InvalidInputError,
    Jwt,
    LogList,
    Membership,
    MembershipList,
    NotFoundError,
    Query,
    Session,
    Team,
    Token,
    UnauthorizedError,
    User,
)
from appwrite_widgets.server.local import LocalServer

Connect = Callable[..., Any]
URL = "http://localhost:8888/join"


def signed_in(connect: Connect, user: Any) -> Any:
    conn = connect()
    conn.api.create_email_password_session(user.email, user.password)
    conn.requests.clear()
    return conn


def test_prefs_name_and_logs(connect: Connect, make_user: Any) -> None:
    user = make_user()
    conn = signed_in(connect, user)
    api = conn.api
    assert dict(api.get_prefs()) == {}
    updated = api.update_prefs({"theme": "dark", "n": [1, 2]})
    assert isinstance(updated, User) and dict(updated.prefs) == {"theme": "dark", "n": [1, 2]}
    prefs = api.get_prefs()
    assert isinstance(prefs, Mapping) and prefs["theme"] == "dark"
    with pytest.raises(TypeError):
        prefs["theme"] = "light"  # type: ignore[index]  # read-only view
    assert api.update_name("Renamed").name == "Renamed"
    logs = api.list_logs(queries=[Query.limit(2)])
    assert isinstance(logs, LogList) and logs.total == 3  # sign-in, prefs, name
    assert [log.event for log in logs.logs] == ["user.update", "user.update"]
    assert all(isinstance(log.time, datetime) for log in logs.logs)
    assert len(conn.requests) == 5


@pytest.mark.parametrize(
    "bad",
    [[1], "dark", {1: "x"}, {"x": float("nan")}, {"x": object()}, {"x": "y" * 70_000}],
)
def test_bad_prefs_are_refused_before_sending(connect: Connect, make_user: Any, bad: Any) -> None:
    conn = signed_in(connect, make_user())
    with pytest.raises(InvalidInputError):
        conn.api.update_prefs(bad)
    assert conn.requests == []


def test_update_password_and_email(connect: Connect, make_user: Any) -> None:
    user = make_user()
    conn = signed_in(connect, user)
    with pytest.raises(UnauthorizedError) as err:
        conn.api.update_password("new-password-1", old_password="wrong-password")
    assert err.value.type == "user_invalid_credentials"
    assert "wrong-password" not in str(err.value) and "new-password-1" not in str(err.value)
    conn.api.update_password("new-password-1", old_password=user.password)
    fresh = f"m-{uuid.uuid4().hex[:8]}@example.com"
    assert conn.api.update_email(fresh, "new-password-1").email == fresh
    with pytest.raises(InvalidInputError):
        conn.api.update_email("not-an-email", "new-password-1")
    with pytest.raises(InvalidInputError):
        conn.api.update_password("short")
    assert conn.api.get_account().email == fresh


def test_update_status_blocks_and_signs_this_client_out(connect: Connect, make_user: Any) -> None:
    user = make_user()
    conn = signed_in(connect, user)
    assert conn.api.update_status().status is False
    assert conn.api.session_token is None
    with pytest.raises(ForbiddenError) as err:
        conn.api.create_email_password_session(user.email, user.password)
    assert err.value.type == "user_blocked"


def test_jwt_for_the_session_and_for_a_user(
    connect: Connect, make_user: Any, server: LocalServer
) -> None:
    user = make_user()
    conn = signed_in(connect, user)
    jwt = conn.api.create_jwt(duration=120)
    assert isinstance(jwt, Jwt) and jwt.jwt.count(".") == 2
    assert jwt.jwt not in repr(jwt) and "jwt=" not in repr(jwt)
    assert jwt.expires_at is not None
    assert 100 < (jwt.expires_at - datetime.now(UTC)).total_seconds() <= 121
    with pytest.raises(InvalidInputError):
        conn.api.create_jwt(duration=0)
    with pytest.raises(InvalidInputError):
        conn.api.create_jwt(duration=True)  # type: ignore[arg-type]
    key = connect(with_key=True)
    unbound = key.api.create_user_jwt(user.id)
    bound = key.api.create_user_jwt(user.id, session_id="recent", duration=60)
    assert unbound.jwt != bound.jwt and bound.expires_at is not None
    for token, expected in ((unbound.jwt, 200), (bound.jwt, 200), ("x.y.z", 401)):
        resp = httpx.get(
            f"{server.endpoint}/account",
            headers={"X-Appwrite-Project": server.project, "X-Appwrite-JWT": token},
        )
        assert resp.status_code == expected


def test_token_session(connect: Connect, make_user: Any) -> None:
    user = make_user()
    key = connect(with_key=True)
    token = key.api.create_user_token(user.id, length=10, expire=120)
    assert isinstance(token, Token) and len(token.secret) == 10
    assert token.secret not in repr(token)
    conn = connect()
    session = conn.api.create_session(user.id, token.secret)
    assert isinstance(session, Session) and session.provider == "token"
    assert conn.api.get_account().id == user.id
    other = connect()
    with pytest.raises(UnauthorizedError) as err:
        other.api.create_session(user.id, token.secret)
    assert err.value.type == "user_invalid_token" and token.secret not in str(err.value)
    with pytest.raises(InvalidInputError):
        key.api.create_user_token(user.id, length=3)
    with pytest.raises(InvalidInputError):
        key.api.create_user_token(user.id, expire=59)


def test_users_admin_additions(connect: Connect, make_user: Any) -> None:
    user = make_user()
    key = connect(with_key=True)
    api = key.api
    assert dict(api.update_user_prefs(user.id, {"a": 1})) == {"a": 1}
    assert dict(api.get_user_prefs(user.id)) == {"a": 1}
    assert api.update_user_status(user.id, False).status is False
    assert api.update_user_status(user.id, True).status is True
    with pytest.raises(InvalidInputError):
        api.update_user_status(user.id, "false")  # type: ignore[arg-type]
    team = api.create_team("Listed")
    api.create_membership(team.id, ["dev"], user_id=user.id)
    memberships = api.list_user_memberships(user.id)
    assert isinstance(memberships, MembershipList) and memberships.total == 1
    assert memberships.memberships[0].team_name == "Listed"
    api.delete_user(user.id)
    with pytest.raises(NotFoundError):
        api.get_user(user.id)
    with pytest.raises(NotFoundError):
        api.delete_user(user.id)


def test_teams_and_invitations(connect: Connect, make_user: Any, server: LocalServer) -> None:
    owner = make_user()
    conn = signed_in(connect, owner)
    api = conn.api
    team = api.create_team("Crew")
    assert isinstance(api.get_team(team.id), Team)
    assert api.update_team_name(team.id, "Renamed").name == "Renamed"
    with pytest.raises(InvalidInputError):
        api.update_team_name(team.id, "")
    invitee = f"i-{uuid.uuid4().hex[:8]}@example.com"
    invited = api.create_membership(team.id, ["viewer"], email=invitee, url=URL, name="Ivy")
    assert isinstance(invited, Membership) and invited.confirm is False
    mail = next(m for m in server.outbox.take() if m.to == invitee)
    link = {k: v[0] for k, v in parse_qs(urlsplit(mail.url).query).items()}
    guest = connect()
    accepted = guest.api.update_membership_status(
        team.id, link["membershipId"], link["userId"], link["secret"]
    )
    assert accepted.confirm is True
    assert guest.api.session_token  # the invitee is signed in on this client
    assert guest.api.get_account().email == invitee
    guest.api.delete_membership(team.id, accepted.id)  # leave the team
    with pytest.raises(NotFoundError):
        guest.api.get_team(team.id)
    api.delete_team(team.id)
    with pytest.raises(NotFoundError):
        api.get_team(team.id)


def test_api_key_client_does_not_keep_a_login_token(connect: Connect, make_user: Any) -> None:
    # Appwrite answers 401 user_session_already_exists to a login sent with a key and a valid
    # session: a key client must not keep (and send) the token of a session it created.
    user = make_user()
    key = connect(with_key=True)
    first = key.api.create_email_password_session(user.email, user.password)
    second = key.api.create_email_password_session(user.email, user.password)
    assert first.secret and second.secret and first.id != second.id
    assert key.api.session_token is None
    assert all(
        "X-Appwrite-Session" not in r.headers and "Cookie" not in r.headers for r in key.requests
    )
    assert key.api.take_session_token(second.id) == second.secret
    resp = httpx.get(
        f"{key.api.endpoint}/account",
        headers={"X-Appwrite-Project": key.api.project, "X-Appwrite-Session": second.secret},
    )
    assert resp.json()["$id"] == user.id
