"""The official Python SDK (PyPI ``appwrite`` 27, strict pydantic models) against the server."""

from __future__ import annotations

import uuid

import pytest
from appwrite.client import Client
from appwrite.exception import AppwriteException
from appwrite.id import ID
from appwrite.query import Query
from appwrite.services.account import Account
from appwrite.services.teams import Teams
from appwrite.services.users import Users

from appwrite_widgets.server.local import LocalServer


def _client(server: LocalServer) -> Client:
    return Client().set_endpoint(server.endpoint).set_project(server.project)


def test_python_sdk_session_lifecycle(server: LocalServer) -> None:
    admin = _client(server).set_key(server.api_key)
    email = f"py-{uuid.uuid4().hex[:10]}@example.com"
    user = Users(admin).create(
        user_id=ID.unique(), email=email, password="py-sdk-password", name="Py User"
    )
    assert user.email == email and user.labels == []
    first = Account(admin).create_email_password_session(email=email, password="py-sdk-password")
    second = Account(admin).create_email_password_session(email=email, password="py-sdk-password")
    assert first.secret and second.secret and first.provider == "email"

    me = _client(server).set_session(second.secret)
    assert Account(me).get().id == user.id
    sessions = Account(me).list_sessions()
    assert sessions.total == 2
    assert {s.id: s.current for s in sessions.sessions} == {first.id: False, second.id: True}
    assert Account(me).get_session(session_id="current").id == second.id

    Account(me).delete_session(session_id=first.id)
    assert [s.id for s in Account(me).list_sessions().sessions] == [second.id]
    Account(me).delete_session(session_id="current")
    with pytest.raises(AppwriteException) as err:
        Account(me).get()
    assert err.value.code == 401 and err.value.type == "general_unauthorized_scope"


def test_python_sdk_users_labels_teams_and_delete_sessions_current_false(
    server: LocalServer,
) -> None:
    admin = _client(server).set_key(server.api_key)
    email = f"py-{uuid.uuid4().hex[:10]}@example.com"
    user = Users(admin).create(user_id=ID.unique(), email=email, password="py-sdk-password")
    assert Users(admin).update_labels(user_id=user.id, labels=["admin"]).labels == ["admin"]
    found = Users(admin).list(queries=[Query.equal("email", [email])])
    assert found.total == 1 and found.users[0].id == user.id
    team = Teams(admin).create(team_id=ID.unique(), name="Py Team")
    membership = Teams(admin).create_membership(team_id=team.id, roles=["owner"], user_id=user.id)
    assert membership.confirm is True and membership.teamname == "Py Team"

    keep = Account(admin).create_email_password_session(email=email, password="py-sdk-password")
    Users(admin).create_session(user_id=user.id)
    me = _client(server).set_session(keep.secret)
    assert [t.id for t in Teams(me).list().teams] == [team.id]
    Account(me).delete_sessions(current=False)
    remaining = Users(admin).list_sessions(user_id=user.id)
    assert [s.id for s in remaining.sessions] == [keep.id]
    with pytest.raises(AppwriteException) as err:
        Users(admin).get(user_id="missing-user")
    assert err.value.code == 404 and err.value.type == "user_not_found"


def test_python_sdk_account_prefs_name_password_and_token_session(
    server: LocalServer,
) -> None:
    admin = _client(server).set_key(server.api_key)
    email = f"py-{uuid.uuid4().hex[:10]}@example.com"
    user = Users(admin).create(user_id=ID.unique(), email=email, password="py-sdk-password")
    token = Users(admin).create_token(user_id=user.id, length=12, expire=600)
    assert token.userid == user.id and len(token.secret) == 12

    session = Account(admin).create_session(user_id=user.id, secret=token.secret)
    assert session.provider == "token" and session.factors == ["token"] and session.secret
    me = _client(server).set_session(session.secret)
    assert Account(me).get_prefs().data == {}
    updated = Account(me).update_prefs(prefs={"theme": "dark"})
    assert updated.prefs.data == {"theme": "dark"}
    assert Account(me).get_prefs().data == {"theme": "dark"}
    assert Account(me).update_name(name="Py Renamed").name == "Py Renamed"
    changed = Account(me).update_password(
        password="py-new-password", old_password="py-sdk-password"
    )
    assert changed.id == user.id
    with pytest.raises(AppwriteException) as err:
        Account(me).update_password(password="another-password", old_password="wrong-one")
    assert err.value.code == 401 and err.value.type == "user_invalid_credentials"
    with pytest.raises(AppwriteException) as err:
        Account(admin).create_session(user_id=user.id, secret=token.secret)  # single use
    assert err.value.code == 401 and err.value.type == "user_invalid_token"
    fresh = Account(admin).create_email_password_session(email=email, password="py-new-password")
    assert fresh.userid == user.id


def test_python_sdk_users_jwt_prefs_memberships_status_and_delete(server: LocalServer) -> None:
    admin = _client(server).set_key(server.api_key)
    email = f"py-{uuid.uuid4().hex[:10]}@example.com"
    user = Users(admin).create(user_id=ID.unique(), email=email, password="py-sdk-password")
    session = Users(admin).create_session(user_id=user.id)
    assert session.current is False
    jwt = Users(admin).create_jwt(user_id=user.id, session_id=session.id, duration=120).jwt
    as_jwt = _client(server).set_jwt(jwt)
    assert Account(as_jwt).get().id == user.id
    assert Users(admin).get_prefs(user_id=user.id).data == {}
    team = Teams(admin).create(team_id=ID.unique(), name="Py Crew")
    Teams(admin).create_membership(team_id=team.id, roles=["dev"], user_id=user.id)
    listed = Users(admin).list_memberships(user_id=user.id)
    assert listed.total == 1 and listed.memberships[0].teamname == "Py Crew"
    blocked = Users(admin).update_status(user_id=user.id, status=False)
    assert blocked.status is False
    with pytest.raises(AppwriteException) as err:
        Account(as_jwt).get()
    assert err.value.code == 403 and err.value.type == "user_blocked"
    assert Users(admin).update_status(user_id=user.id, status=True).status is True
    Users(admin).delete(user_id=user.id)
    with pytest.raises(AppwriteException) as err:
        Users(admin).get(user_id=user.id)
    assert err.value.code == 404 and err.value.type == "user_not_found"
    with pytest.raises(AppwriteException) as err:
        Account(as_jwt).get()
    assert err.value.code == 401


def test_python_sdk_teams_get_update_name_delete_membership_and_delete(
    server: LocalServer,
) -> None:
    admin = _client(server).set_key(server.api_key)
    email = f"py-{uuid.uuid4().hex[:10]}@example.com"
    user = Users(admin).create(user_id=ID.unique(), email=email, password="py-sdk-password")
    team = Teams(admin).create(team_id=ID.unique(), name="Py Team")
    membership = Teams(admin).create_membership(team_id=team.id, roles=["dev"], user_id=user.id)
    assert Teams(admin).get(team_id=team.id).total == 1
    assert Teams(admin).update_name(team_id=team.id, name="Py Team 2").name == "Py Team 2"
    member = _client(server).set_session(
        Account(admin).create_email_password_session(email=email, password="py-sdk-password").secret
    )
    assert Teams(member).get(team_id=team.id).name == "Py Team 2"
    with pytest.raises(AppwriteException) as err:
        Teams(member).update_name(team_id=team.id, name="Mine now")
    assert err.value.code == 401 and err.value.type == "user_unauthorized"
    Teams(member).delete_membership(team_id=team.id, membership_id=membership.id)
    assert Teams(admin).get(team_id=team.id).total == 0
    with pytest.raises(AppwriteException) as err:
        Teams(member).get(team_id=team.id)
    assert err.value.code == 404 and err.value.type == "team_not_found"
    Teams(admin).delete(team_id=team.id)
    with pytest.raises(AppwriteException) as err:
        Teams(admin).get(team_id=team.id)
    assert err.value.code == 404 and err.value.type == "team_not_found"
