"""Models, Query builders, the error tree and the exported surface."""

from __future__ import annotations

import dataclasses
import json
import types
from datetime import UTC, datetime
from typing import Any

import pytest

import appwrite_widgets
import appwrite_widgets.client
from appwrite_widgets.client import (
    APIError,
    AppwriteError,
    ClientClosedError,
    ColumnList,
    ConflictError,
    ConnectError,
    DatabaseList,
    ForbiddenError,
    InvalidArgumentError,
    InvalidInputError,
    LogList,
    Membership,
    MembershipList,
    NotFoundError,
    Query,
    RateLimitError,
    RequestTimeoutError,
    ResponseError,
    RowList,
    ServerError,
    Session,
    SessionList,
    TableList,
    Team,
    TeamList,
    TLSError,
    TransportError,
    UnauthorizedError,
    User,
    UserList,
)
from appwrite_widgets.client._models import Listing

USER_JSON: dict[str, Any] = {
    "$id": "ada",
    "$createdAt": "2026-08-21T10:15:30.123+00:00",
    "$updatedAt": "2026-08-21T10:15:30.123+00:00",
    "name": "Ada Admin",
    "password": "$argon2id$v=19$m=7168,t=5,p=1$c2FsdA$aGFzaA",
    "hash": "argon2",
    "hashOptions": {"type": "argon2", "memoryCost": 7168},
    "registration": "2026-08-21T10:15:30.123+00:00",
    "status": True,
    "labels": ["admin"],
    "passwordUpdate": "",
    "email": "ada@example.com",
    "phone": "",
    "emailVerification": False,
    "phoneVerification": False,
    "mfa": False,
    "prefs": {"theme": "dark"},
    "targets": [{"$id": "t1", "providerType": "email"}],
    "accessedAt": "2026-08-21T10:15:30.123+00:00",
    "passwordPwned": False,  # a field a newer Appwrite adds
}


def test_user_from_json_maps_fields_and_drops_the_password_hash() -> None:
    user = User.from_json(USER_JSON)
    assert user.id == "ada"
    assert user.name == "Ada Admin"
    assert user.labels == ("admin",)
    assert user.prefs == {"theme": "dark"}
    assert user.created_at == datetime(2026, 8, 21, 10, 15, 30, 123000, tzinfo=UTC)
    assert user.password_update is None
    field_names = {f.name for f in dataclasses.fields(User)}
    assert not field_names & {"password", "hash", "hash_options"}
    assert "argon2" not in repr(user)


def test_models_are_frozen_and_slotted() -> None:
    user = User.from_json(USER_JSON)
    with pytest.raises(dataclasses.FrozenInstanceError):
        user.name = "Eve"  # type: ignore[misc]
    assert not hasattr(user, "__dict__")


def test_models_tolerate_missing_optional_fields() -> None:
    assert User.from_json({"$id": "x"}) == User(id="x")
    assert Session.from_json({"$id": "s"}).factors == ()
    assert Team.from_json({"$id": "t"}).total == 0
    assert Membership.from_json({"$id": "m"}).roles == ()


def test_naive_datetime_is_treated_as_utc_and_garbage_as_none() -> None:
    user = User.from_json({"$id": "x", "$createdAt": "2026-01-02T03:04:05", "accessedAt": "soon"})
    assert user.created_at == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert user.accessed_at is None


def test_session_repr_hides_the_secret() -> None:
    session = Session.from_json({"$id": "s", "secret": "eyJzZWNyZXQiOiJ0b3AifQ==", "ip": "1.2.3.4"})
    assert session.secret == "eyJzZWNyZXQiOiJ0b3AifQ=="
    assert "eyJzZWNyZXQiOiJ0b3AifQ" not in repr(session)
    assert "ip='1.2.3.4'" in repr(session)


def test_session_drops_oauth_provider_tokens() -> None:
    session = Session.from_json({"$id": "s", "providerAccessToken": "oauth-secret"})
    assert "oauth-secret" not in repr(session)
    assert not hasattr(session, "provider_access_token")


def test_lists_parse_their_items() -> None:
    sessions = SessionList.from_json({"total": 2, "sessions": [{"$id": "a"}, {"$id": "b"}]})
    assert [s.id for s in sessions.sessions] == ["a", "b"]
    assert (
        UserList.from_json({"total": 1, "users": [USER_JSON]}).users[0].email == "ada@example.com"
    )
    teams = TeamList.from_json({"total": 1, "teams": [{"$id": "admins", "name": "Admins"}]})
    assert teams.teams[0].name == "Admins"
    members = MembershipList.from_json(
        {"total": 1, "memberships": [{"$id": "m", "roles": ["owner"]}]}
    )
    assert members.memberships[0].roles == ("owner",)


LISTINGS = [  # each list model, Appwrite's key for its items, one item's JSON
    (SessionList, "sessions", {"$id": "s"}),
    (UserList, "users", {"$id": "u"}),
    (TeamList, "teams", {"$id": "t"}),
    (MembershipList, "memberships", {"$id": "m"}),
    (LogList, "logs", {"event": "session.create"}),
    (DatabaseList, "databases", {"$id": "db"}),
    (TableList, "tables", {"$id": "t"}),
    (ColumnList, "columns", {"key": "title"}),
    (RowList, "rows", {"$id": "r"}),
]


@pytest.mark.parametrize(("listing", "key", "item"), LISTINGS)
def test_every_listing_reads_its_items_under_appwrites_key(
    listing: Any, key: str, item: dict[str, Any]
) -> None:
    parsed = listing.from_json({"total": 7, key: [item, item], "other": [item]})
    assert (parsed.total, len(parsed)) == (7, 2)
    assert getattr(parsed, key) == parsed.items == tuple(parsed)
    assert all(type(one) is listing.item_type for one in parsed)
    assert listing.from_json({"total": 0}).items == ()
    with pytest.raises(AttributeError):
        parsed.entries  # noqa: B018 (only the items' own key reads them)
    with pytest.raises(ValueError, match=f"'{key}' is not a list"):
        listing.from_json({"total": 1, key: {"0": item}})


def test_a_listing_alias_is_the_generic_listing_of_its_model() -> None:
    assert Listing[Session] is SessionList and issubclass(SessionList, Listing)
    sessions = SessionList.from_json({"total": 1, "sessions": [{"$id": "a"}]})
    assert repr(sessions).startswith("SessionList(total=1, items=(Session(id='a',")
    assert sessions == SessionList(1, (Session("a"),))
    with pytest.raises(dataclasses.FrozenInstanceError):
        sessions.total = 2  # type: ignore[misc]
    with pytest.raises(TypeError, match="Listing\\[Model\\]"):
        Listing.from_json({"total": 0})


def test_membership_maps_camel_case_fields() -> None:
    membership = Membership.from_json(
        {
            "$id": "m",
            "userId": "ada",
            "userName": "Ada",
            "userEmail": "ada@example.com",
            "teamId": "admins",
            "teamName": "Admins",
            "invited": "2026-08-21T10:00:00.000+00:00",
            "joined": "",
            "confirm": True,
            "mfa": False,
            "roles": ["owner"],
        }
    )
    assert (membership.user_id, membership.team_name, membership.joined) == ("ada", "Admins", None)
    assert membership.confirm is True


# -- Query -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (Query.limit(5), {"method": "limit", "values": [5]}),
        (Query.offset(10), {"method": "offset", "values": [10]}),
        (Query.cursor_after("u1"), {"method": "cursorAfter", "values": ["u1"]}),
        (
            Query.equal("email", "a@b.c"),
            {"method": "equal", "attribute": "email", "values": ["a@b.c"]},
        ),
        (
            Query.equal("labels", ["a", "b"]),
            {"method": "equal", "attribute": "labels", "values": ["a", "b"]},
        ),
        (Query.order_asc("name"), {"method": "orderAsc", "attribute": "name"}),
        (Query.order_desc("$createdAt"), {"method": "orderDesc", "attribute": "$createdAt"}),
        (Query.search("name", "ada"), {"method": "search", "attribute": "name", "values": ["ada"]}),
    ],
)
def test_query_builders_emit_appwrite_json(query: str, expected: dict[str, Any]) -> None:
    assert json.loads(query) == expected
    assert " " not in query  # compact, as the SDKs send it


@pytest.mark.parametrize(
    "build",
    [lambda: Query.limit(-1), lambda: Query.limit(True), lambda: Query.equal("", "x")],
    ids=["negative-limit", "bool-limit", "empty-attribute"],
)
def test_query_builders_refuse_bad_input(build: Any) -> None:
    with pytest.raises(InvalidInputError):
        build()


# -- error tree and exports ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cls", "parent"),
    [
        (InvalidInputError, AppwriteError),
        (InvalidInputError, ValueError),
        (ClientClosedError, AppwriteError),
        (TransportError, AppwriteError),
        (ConnectError, TransportError),
        (RequestTimeoutError, TransportError),
        (TLSError, TransportError),
        (ResponseError, TransportError),
        (APIError, AppwriteError),
        (InvalidArgumentError, APIError),
        (UnauthorizedError, APIError),
        (ForbiddenError, APIError),
        (NotFoundError, APIError),
        (ConflictError, APIError),
        (RateLimitError, APIError),
        (ServerError, APIError),
    ],
)
def test_error_tree_matches_the_contract(cls: type, parent: type) -> None:
    assert issubclass(cls, parent)


def test_error_fields_default_to_no_response() -> None:
    error = ConnectError("Could not reach Appwrite at http://x/v1: connection refused")
    assert (error.code, error.type, error.response) == (0, "", None)
    assert str(error) == error.message
    assert repr(error).startswith("ConnectError(message=")


def test_client_all_is_sorted_and_complete() -> None:
    exported = appwrite_widgets.client.__all__
    assert exported == sorted(exported)
    # dir(): the Realtime names load on first use (module __getattr__/__dir__)
    public = {n for n in dir(appwrite_widgets.client) if not n.startswith("_")}
    assert set(exported) == public - {"annotations"}
    for name in exported:
        obj = getattr(appwrite_widgets.client, name)
        if isinstance(obj, types.ModuleType):  # the public module of call descriptions
            assert obj.__name__ == f"appwrite_widgets.client.{name}"
            continue
        assert obj.__module__ == "appwrite_widgets.client"


def test_package_reexports_every_client_name() -> None:
    for name in appwrite_widgets.client.__all__:
        if isinstance(getattr(appwrite_widgets.client, name), types.ModuleType):
            continue  # appwrite_widgets.client.calls is reached through the client package
        assert name in appwrite_widgets.__all__
        assert getattr(appwrite_widgets, name) is getattr(appwrite_widgets.client, name)
    assert appwrite_widgets.__all__ == sorted(appwrite_widgets.__all__)
