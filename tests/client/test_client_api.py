"""Every client method against the real embedded server over HTTP on 127.0.0.1, for both
``Client`` and ``AsyncClient`` (the ``kind`` parameter of the ``connect`` fixture)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from appwrite_widgets.client import (
    Client,
    ConflictError,
    InvalidArgumentError,
    Membership,
    MembershipList,
    NotFoundError,
    Query,
    RateLimitError,
    Session,
    SessionList,
    Team,
    TeamList,
    UnauthorizedError,
    User,
    UserList,
)
from appwrite_widgets.server.local import LocalServer

Connect = Callable[..., Any]


def unique_email() -> str:
    return f"c-{uuid.uuid4().hex[:12]}@example.com"


def signed_in(connect: Connect, user: Any, **kwargs: Any) -> Any:
    """A connection signed in as ``user``, with the login request already cleared."""
    conn = connect(**kwargs)
    conn.api.create_email_password_session(user.email, user.password)
    conn.requests.clear()
    return conn


# -- Account -----------------------------------------------------------------------------


def test_create_account_returns_the_user_without_signing_in(connect: Connect) -> None:
    conn = connect()
    email = unique_email()
    user = conn.api.create_account(email, "correct-horse-9", name="Ann")
    assert isinstance(user, User)
    assert (user.email, user.name, user.labels) == (email, "Ann", ())
    assert conn.api.session_token is None


def test_login_keeps_the_session_token_and_signs_in(connect: Connect, make_user: Any) -> None:
    user = make_user()
    conn = connect()
    session = conn.api.create_email_password_session(user.email, user.password)
    assert isinstance(session, Session)
    assert (session.user_id, session.provider, session.current) == (user.id, "email", True)
    assert session.secret == ""
    assert conn.api.session_token
    assert conn.api.get_account().id == user.id
    # the credential travels as the a_session_<project> cookie (host-only on 127.0.0.1)
    assert conn.requests[-1].headers["Cookie"].startswith(f"a_session_{conn.api.project}=")
    assert "signed_in=True" in repr(conn.api)


def test_anonymous_session_signs_in_a_new_user(connect: Connect) -> None:
    conn = connect()
    session = conn.api.create_anonymous_session()
    assert session.provider == "anonymous"
    account = conn.api.get_account()
    assert (account.id, account.email) == (session.user_id, "")


def test_session_reads_and_update(connect: Connect, make_user: Any) -> None:
    user = make_user()
    conn = signed_in(connect, user)
    current = conn.api.get_session()
    assert current.current is True
    assert conn.api.get_session(current.id).id == current.id
    listing = conn.api.list_sessions()
    assert isinstance(listing, SessionList)
    assert [s.id for s in listing.sessions] == [current.id]
    assert listing.total == 1
    updated = conn.api.update_session()
    assert updated.id == current.id
    assert updated.expire is not None


def test_delete_current_session_clears_the_token(connect: Connect, make_user: Any) -> None:
    conn = signed_in(connect, make_user())
    conn.api.delete_session()
    assert len(conn.requests) == 1
    assert conn.api.session_token is None
    assert "signed_in=False" in repr(conn.api)
    with pytest.raises(UnauthorizedError):
        conn.api.get_account()


def test_delete_current_session_by_its_id_clears_the_token(
    connect: Connect, make_user: Any
) -> None:
    conn = connect()
    user = make_user()
    session = conn.api.create_email_password_session(user.email, user.password)
    conn.api.delete_session(session.id)  # the server expires our cookie: that is the signal
    assert conn.api.session_token is None


def test_delete_another_session_by_id_keeps_this_one(connect: Connect, make_user: Any) -> None:
    user = make_user()
    here = connect()
    elsewhere = connect()
    here.api.create_email_password_session(user.email, user.password)
    other = elsewhere.api.create_email_password_session(user.email, user.password)
    token = here.api.session_token
    here.api.delete_session(other.id)
    assert here.api.session_token == token
    assert here.api.get_account().id == user.id
    with pytest.raises(UnauthorizedError):
        elsewhere.api.get_account()


def test_delete_sessions_signs_out_everywhere(connect: Connect, make_user: Any) -> None:
    user = make_user()
    here = signed_in(connect, user)
    elsewhere = signed_in(connect, user)
    here.api.delete_sessions()
    assert here.api.session_token is None
    with pytest.raises(UnauthorizedError):
        elsewhere.api.get_account()


def test_restored_token_works_through_x_appwrite_session(
    connect: Connect, admin: Client, make_user: Any
) -> None:
    user = make_user()
    token = admin.create_user_session(user.id).secret
    assert token
    conn = connect(session=token)
    assert conn.api.get_account().id == user.id
    sent = conn.requests[-1].headers
    assert sent["X-Appwrite-Session"] == token
    assert "Cookie" not in sent
    conn.api.delete_session()
    assert conn.api.session_token is None


def test_set_session_restores_and_clears_the_credential(
    connect: Connect, admin: Client, make_user: Any
) -> None:
    user = make_user()
    conn = connect()
    conn.api.set_session(admin.create_user_session(user.id).secret)
    assert conn.api.get_account().email == user.email
    conn.api.set_session(None)
    with pytest.raises(UnauthorizedError):
        conn.api.get_account()


def test_unauthorized_get_account_does_not_drop_the_credential(
    connect: Connect, admin: Client, make_user: Any
) -> None:
    user = make_user()
    conn = signed_in(connect, user)
    token = conn.api.session_token
    admin.delete_user_sessions(user.id)  # revoked elsewhere
    with pytest.raises(UnauthorizedError):
        conn.api.get_account()
    assert conn.api.session_token == token  # the SessionContext decides what a 401 means


# -- Teams -------------------------------------------------------------------------------


def test_teams_and_memberships_as_member_and_admin(
    connect: Connect, admin: Client, make_user: Any
) -> None:
    user = make_user()
    team = admin.create_team("Readers", team_id=f"t{uuid.uuid4().hex[:12]}", roles=["owner"])
    assert isinstance(team, Team)
    membership = admin.create_membership(team.id, ["reader"], user_id=user.id)
    assert isinstance(membership, Membership)
    assert (membership.user_id, membership.team_id, membership.roles) == (
        user.id,
        team.id,
        ("reader",),
    )

    member = signed_in(connect, user)
    teams = member.api.list_teams()
    assert isinstance(teams, TeamList)
    assert team.id in [t.id for t in teams.teams]
    members = member.api.list_memberships(team.id)
    assert isinstance(members, MembershipList)
    assert [m.user_id for m in members.memberships] == [user.id]
    searched = member.api.list_teams(queries=[Query.limit(1)], search="Readers")
    assert [t.id for t in searched.teams] == [team.id]


# -- Users (API key) -----------------------------------------------------------------------


def test_user_admin_methods(connect: Connect, make_user: Any) -> None:
    server_conn = connect(with_key=True)
    api = server_conn.api
    email = unique_email()
    created = api.create_user(email, "correct-horse-9", name="Carl")
    assert (created.email, created.name) == (email, "Carl")
    assert api.get_user(created.id).email == email

    found = api.list_users(queries=[Query.equal("email", email)])
    assert isinstance(found, UserList)
    assert [u.id for u in found.users] == [created.id]
    assert api.list_users(search=email).total >= 1
    assert len(api.list_users(queries=[Query.limit(1)]).users) == 1

    labelled = api.update_user_labels(created.id, ["admin", "staff"])
    assert labelled.labels == ("admin", "staff")

    session = api.create_user_session(created.id)
    assert session.secret and session.user_id == created.id
    assert session.secret not in repr(session)
    assert [s.id for s in api.list_user_sessions(created.id).sessions] == [session.id]
    api.delete_user_session(created.id, session.id)
    assert api.list_user_sessions(created.id).total == 0
    api.create_user_session(created.id)
    api.delete_user_sessions(created.id)
    assert api.list_user_sessions(created.id).sessions == ()
    assert server_conn.api.session_token is None  # server-side calls never sign the key in


# -- Errors from real responses ------------------------------------------------------------


def test_guest_get_account_is_unauthorized_scope(connect: Connect) -> None:
    conn = connect()
    with pytest.raises(UnauthorizedError) as caught:
        conn.api.get_account()
    assert (caught.value.code, caught.value.type) == (401, "general_unauthorized_scope")
    assert "missing scopes" in caught.value.message


def test_wrong_password_is_invalid_credentials(connect: Connect, make_user: Any) -> None:
    user = make_user()
    conn = connect()
    with pytest.raises(UnauthorizedError) as caught:
        conn.api.create_email_password_session(user.email, "wrong-password-1")
    assert caught.value.type == "user_invalid_credentials"
    assert conn.api.session_token is None


def test_unknown_session_is_not_found(connect: Connect, make_user: Any) -> None:
    conn = signed_in(connect, make_user())
    with pytest.raises(NotFoundError) as caught:
        conn.api.get_session("nosuchsession0000000")
    assert (caught.value.code, caught.value.type) == (404, "user_session_not_found")


def test_duplicate_user_is_conflict(connect: Connect, make_user: Any) -> None:
    user = make_user()
    conn = connect(with_key=True)
    with pytest.raises(ConflictError) as caught:
        conn.api.create_user(user.email, "correct-horse-9")
    assert (caught.value.code, caught.value.type) == (409, "user_already_exists")


def test_invalid_label_is_invalid_argument(connect: Connect, make_user: Any) -> None:
    user = make_user()
    conn = connect(with_key=True)
    with pytest.raises(InvalidArgumentError) as caught:
        conn.api.update_user_labels(user.id, ["invalid-label"])
    assert (caught.value.code, caught.value.type) == (400, "general_argument_invalid")


def test_unknown_project_is_not_found(connect: Connect) -> None:
    conn = connect(project="nosuchproject")
    with pytest.raises(NotFoundError) as caught:
        conn.api.get_account()
    assert caught.value.type == "project_not_found"


def test_unknown_user_is_not_found(connect: Connect) -> None:
    conn = connect(with_key=True)
    with pytest.raises(NotFoundError) as caught:
        conn.api.get_user("nosuchuser")
    assert caught.value.type == "user_not_found"


@pytest.fixture(scope="module")
def limited_server() -> Iterator[LocalServer]:
    """The shared server runs without rate limits; this one keeps Appwrite's limits on.

    Appwrite's limit windows are aligned to the clock (an hour for sign-ins): the server's clock
    is shifted to one second into a window, so no test here straddles a window's end (a run at
    14:00 once saw its eleventh attempt land in a fresh window)."""
    shift = time.time() % 3600 - 1
    with LocalServer(project="limited", rate_limits=True, clock=lambda: time.time() - shift) as srv:
        yield srv


def test_eleventh_failed_login_for_an_email_is_rate_limited(
    connect: Connect, limited_server: LocalServer
) -> None:
    with Client(
        limited_server.endpoint, limited_server.project, api_key=limited_server.api_key
    ) as admin:
        email = unique_email()
        admin.create_user(email, "correct-horse-9")
    conn = connect(endpoint=limited_server.endpoint, project=limited_server.project)
    for _ in range(10):
        with pytest.raises(UnauthorizedError):
            conn.api.create_email_password_session(email, "wrong-password-1")
    with pytest.raises(RateLimitError) as caught:
        conn.api.create_email_password_session(email, "correct-horse-9")
    assert (caught.value.code, caught.value.type) == (429, "general_rate_limit_exceeded")
    assert caught.value.retry_after is not None and caught.value.retry_after >= 0
    assert conn.api.session_token is None


# -- One HTTP request per method -----------------------------------------------------------


@dataclass
class Env:
    user: Any
    other_session: str
    team: str
    key_user: str
    key_session: str
    token: str  # a one-time token secret of ``user``
    invite: tuple[str, str, str]  # (membershipId, userId, secret) of an invitation to ``team``
    membership: str  # a confirmed membership of ``team`` (not ``user``'s)


@pytest.fixture
def env(admin: Client, make_user: Any, server: LocalServer) -> Env:
    user = make_user()
    other = admin.create_user_session(user.id).id
    team = admin.create_team("Counted", roles=["owner"]).id
    admin.create_membership(team, ["owner"], user_id=user.id)
    key_user = make_user()
    key_session = admin.create_user_session(key_user.id).id
    token = admin.create_user_token(user.id).secret
    member = admin.create_membership(team, ["m"], user_id=make_user().id).id
    invitee = unique_email()
    with Client(server.endpoint, server.project) as owner:
        owner.create_email_password_session(user.email, user.password)
        invited = owner.create_membership(team, ["m"], email=invitee, url="http://localhost/j")
    mail = next(m for m in server.outbox.take() if m.to == invitee)
    secret = parse_qs(urlsplit(mail.url).query)["secret"][0]
    invite = (invited.id, invited.user_id, secret)
    return Env(user, other, team, key_user.id, key_session, token, invite, member)


# (name, who calls: guest / user / key, call)
CASES: list[tuple[str, str, Callable[[Any, Env], Any]]] = [
    ("create_account", "guest", lambda api, e: api.create_account(unique_email(), "pass-word-1")),
    (
        "create_email_password_session",
        "guest",
        lambda api, e: api.create_email_password_session(e.user.email, e.user.password),
    ),
    ("create_anonymous_session", "guest", lambda api, e: api.create_anonymous_session()),
    ("get_account", "user", lambda api, e: api.get_account()),
    ("get_session", "user", lambda api, e: api.get_session()),
    ("list_sessions", "user", lambda api, e: api.list_sessions()),
    ("update_session", "user", lambda api, e: api.update_session()),
    ("delete_session", "user", lambda api, e: api.delete_session()),
    ("delete_session_by_id", "user", lambda api, e: api.delete_session(e.other_session)),
    ("delete_sessions", "user", lambda api, e: api.delete_sessions()),
    ("list_teams", "user", lambda api, e: api.list_teams(queries=[Query.limit(5)])),
    ("list_memberships", "user", lambda api, e: api.list_memberships(e.team)),
    ("list_users", "key", lambda api, e: api.list_users(search="example")),
    ("get_user", "key", lambda api, e: api.get_user(e.key_user)),
    ("create_user", "key", lambda api, e: api.create_user(unique_email(), "pass-word-1")),
    ("list_user_sessions", "key", lambda api, e: api.list_user_sessions(e.key_user)),
    ("create_user_session", "key", lambda api, e: api.create_user_session(e.key_user)),
    (
        "delete_user_session",
        "key",
        lambda api, e: api.delete_user_session(e.key_user, e.key_session),
    ),
    ("delete_user_sessions", "key", lambda api, e: api.delete_user_sessions(e.key_user)),
    ("update_user_labels", "key", lambda api, e: api.update_user_labels(e.key_user, ["vip"])),
    ("create_team", "key", lambda api, e: api.create_team("One more")),
    (
        "create_membership",
        "key",
        lambda api, e: api.create_membership(e.team, ["member"], user_id=e.key_user),
    ),
    ("create_session", "guest", lambda api, e: api.create_session(e.user.id, e.token)),
    ("get_prefs", "user", lambda api, e: api.get_prefs()),
    ("update_prefs", "user", lambda api, e: api.update_prefs({"k": "v"})),
    ("update_name", "user", lambda api, e: api.update_name("Counted Name")),
    (
        "update_password",
        "user",
        lambda api, e: api.update_password("pass-word-2", old_password=e.user.password),
    ),
    ("update_email", "user", lambda api, e: api.update_email(unique_email(), e.user.password)),
    ("update_status", "user", lambda api, e: api.update_status()),
    ("list_logs", "user", lambda api, e: api.list_logs(queries=[Query.limit(1)])),
    ("create_jwt", "user", lambda api, e: api.create_jwt()),
    ("get_team", "user", lambda api, e: api.get_team(e.team)),
    ("update_team_name", "user", lambda api, e: api.update_team_name(e.team, "Renamed")),
    ("delete_team", "user", lambda api, e: api.delete_team(e.team)),
    (
        "update_membership_status",
        "guest",
        lambda api, e: api.update_membership_status(e.team, *e.invite),
    ),
    ("delete_membership", "user", lambda api, e: api.delete_membership(e.team, e.membership)),
    ("delete_user", "key", lambda api, e: api.delete_user(e.key_user)),
    ("update_user_status", "key", lambda api, e: api.update_user_status(e.key_user, False)),
    ("get_user_prefs", "key", lambda api, e: api.get_user_prefs(e.key_user)),
    ("update_user_prefs", "key", lambda api, e: api.update_user_prefs(e.key_user, {"a": 1})),
    ("list_user_memberships", "key", lambda api, e: api.list_user_memberships(e.user.id)),
    ("create_user_jwt", "key", lambda api, e: api.create_user_jwt(e.key_user)),
    ("create_user_token", "key", lambda api, e: api.create_user_token(e.key_user)),
]


@pytest.mark.parametrize(("name", "who", "call"), CASES, ids=[c[0] for c in CASES])
def test_each_method_sends_exactly_one_http_request(
    connect: Connect, env: Env, name: str, who: str, call: Callable[[Any, Env], Any]
) -> None:
    if who == "user":
        conn = signed_in(connect, env.user)
    elif who == "key":
        conn = connect(with_key=True)
    else:
        conn = connect()
    call(conn.api, env)
    assert len(conn.requests) == 1, [f"{r.method} {r.url.path}" for r in conn.requests]


def test_every_request_identifies_the_sdk(connect: Connect) -> None:
    conn = connect(locale="de")
    with pytest.raises(UnauthorizedError):
        conn.api.get_account()
    headers: httpx.Headers = conn.requests[0].headers
    assert headers["X-Appwrite-Project"] == conn.api.project
    assert headers["X-Appwrite-Response-Format"] == "1.9.6"
    assert headers["X-SDK-Name"] == "appwrite-widgets"
    assert headers["X-Appwrite-Locale"] == "de"
    assert headers["User-Agent"].startswith("appwrite-widgets/")
