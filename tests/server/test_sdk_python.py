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
