"""Typed descriptions of Appwrite API calls, without I/O.

Each function validates its arguments (raising :class:`InvalidInputError` before anything is
sent) and returns a :class:`Call`: the route, the parameters and how to read the answer. A
client sends it with ``client.send(call)`` (``await client.send(call)`` for an
``AsyncClient``); every method of the clients is exactly that. ``SessionContext`` flows yield
these objects, so the path from an action to its HTTP request can be read top to bottom.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Generic, TypeVar
from urllib.parse import quote

from appwrite_widgets.client._errors import InvalidInputError
from appwrite_widgets.client._models import (
    Membership,
    MembershipList,
    Session,
    SessionList,
    Team,
    TeamList,
    User,
    UserList,
)
from appwrite_widgets.client._validation import (
    UNIQUE,
    need_str,
    validate_email,
    validate_id,
    validate_optional_str,
    validate_password,
    validate_secret,
    validate_strings,
)

__all__ = [
    "Call",
    "create_account",
    "create_anonymous_session",
    "create_email_password_session",
    "create_membership",
    "create_team",
    "create_user",
    "create_user_session",
    "delete_session",
    "delete_sessions",
    "delete_user_session",
    "delete_user_sessions",
    "get_account",
    "get_session",
    "get_user",
    "list_memberships",
    "list_sessions",
    "list_teams",
    "list_user_sessions",
    "list_users",
    "update_session",
    "update_user_labels",
]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Call(Generic[T]):
    """One API call: what to send and how to turn the answer into a ``T``.

    ``credential`` set (see :meth:`with_credential`): the call is sent with that session token
    (``X-Appwrite-Session``, no API key) instead of the client's own credential, and its answer
    never changes the client's credential (revoking a session this device no longer holds).
    """

    method: str
    path: str
    parse: Callable[[Any], T] = field(repr=False)
    body: dict[str, Any] | None = field(default=None, repr=False)
    params: tuple[tuple[str, str], ...] = ()
    json_body: bool = True
    creates_session: bool = False
    clears_session: bool = False
    secrets: tuple[str, ...] = field(default=(), repr=False)
    credential: str | None = field(default=None, repr=False)

    def with_credential(self, token: str) -> Call[T]:
        """This call, sent with session ``token`` rather than the client's credential."""
        return replace(self, credential=validate_secret(token, "session"))


def _none(_: Any) -> None:
    return None


def _seg(value: str) -> str:
    # IDs are validated already; quoting is a second fence against path changes.
    return quote(value, safe="")


def _list_params(queries: Sequence[str] | None, search: str | None) -> tuple[tuple[str, str], ...]:
    params: list[tuple[str, str]] = []
    if queries is not None:
        items = validate_strings(queries, "queries")
        if len(items) > 100:
            raise InvalidInputError("queries may hold at most 100 queries.")
        params.extend(("queries[]", query) for query in items)
    if search is not None:
        params.append(("search", need_str(search, "search")))
    return tuple(params)


def _new_user_body(email: str, password: str, user_id: str, name: str | None) -> dict[str, Any]:
    """The validated body of ``POST /account`` and ``POST /users`` (the same four params)."""
    body: dict[str, Any] = {
        "userId": validate_id(user_id, "user_id", allow_unique=True),
        "email": validate_email(email),
        "password": validate_password(password),
    }
    if validate_optional_str(name, "name") is not None:
        body["name"] = name
    return body


# -- Account ----------------------------------------------------------------------------------


def create_account(
    email: str, password: str, *, user_id: str = UNIQUE, name: str | None = None
) -> Call[User]:
    """``POST /account``: sign up (does not sign in)."""
    body = _new_user_body(email, password, user_id, name)
    return Call("POST", "/account", User.from_json, body=body, secrets=(password,))


def create_email_password_session(email: str, password: str) -> Call[Session]:
    """``POST /account/sessions/email``: sign in; the client keeps the session credential."""
    body = {"email": validate_email(email), "password": validate_password(password)}
    return Call(
        "POST",
        "/account/sessions/email",
        Session.from_json,
        body=body,
        creates_session=True,
        secrets=(password,),
    )


def create_anonymous_session() -> Call[Session]:
    """``POST /account/sessions/anonymous``: sign in as a new anonymous user."""
    return Call("POST", "/account/sessions/anonymous", Session.from_json, creates_session=True)


def get_account() -> Call[User]:
    """``GET /account``: the signed-in user (401 when signed out)."""
    return Call("GET", "/account", User.from_json)


def get_session(session_id: str = "current") -> Call[Session]:
    """``GET /account/sessions/{id}``."""
    sid = _seg(validate_id(session_id, "session_id"))
    return Call("GET", f"/account/sessions/{sid}", Session.from_json)


def list_sessions() -> Call[SessionList]:
    """``GET /account/sessions``: every session of the signed-in user."""
    return Call("GET", "/account/sessions", SessionList.from_json)


def update_session(session_id: str = "current") -> Call[Session]:
    """``PATCH /account/sessions/{id}``: extend a session."""
    sid = _seg(validate_id(session_id, "session_id"))
    return Call("PATCH", f"/account/sessions/{sid}", Session.from_json)


def delete_session(session_id: str = "current") -> Call[None]:
    """``DELETE /account/sessions/{id}``: sign out one session (this one for "current")."""
    sid = validate_id(session_id, "session_id")
    return Call(
        "DELETE",
        f"/account/sessions/{_seg(sid)}",
        _none,
        json_body=False,
        clears_session=sid == "current",
    )


def delete_sessions() -> Call[None]:
    """``DELETE /account/sessions``: sign out everywhere; clears the credential."""
    return Call("DELETE", "/account/sessions", _none, json_body=False, clears_session=True)


# -- Teams ------------------------------------------------------------------------------------


def list_teams(
    *, queries: Sequence[str] | None = None, search: str | None = None
) -> Call[TeamList]:
    """``GET /teams``: teams visible to the caller."""
    return Call("GET", "/teams", TeamList.from_json, params=_list_params(queries, search))


def list_memberships(
    team_id: str, *, queries: Sequence[str] | None = None, search: str | None = None
) -> Call[MembershipList]:
    """``GET /teams/{id}/memberships``."""
    tid = _seg(validate_id(team_id, "team_id"))
    params = _list_params(queries, search)
    return Call("GET", f"/teams/{tid}/memberships", MembershipList.from_json, params=params)


def create_team(
    name: str, *, team_id: str = UNIQUE, roles: Sequence[str] | None = None
) -> Call[Team]:
    """``POST /teams``."""
    body: dict[str, Any] = {
        "teamId": validate_id(team_id, "team_id", allow_unique=True),
        "name": need_str(name, "name"),
    }
    if not name.strip():
        raise InvalidInputError("name must not be empty.")
    if roles is not None:
        body["roles"] = validate_strings(roles, "roles")
    return Call("POST", "/teams", Team.from_json, body=body)


def create_membership(
    team_id: str, roles: Sequence[str], *, user_id: str | None = None, email: str | None = None
) -> Call[Membership]:
    """``POST /teams/{id}/memberships``."""
    tid = _seg(validate_id(team_id, "team_id"))
    body: dict[str, Any] = {"roles": validate_strings(roles, "roles")}
    if user_id is None and email is None:
        raise InvalidInputError("create_membership needs user_id or email.")
    if user_id is not None:
        body["userId"] = validate_id(user_id, "user_id")
    if email is not None:
        body["email"] = validate_email(email)
    return Call("POST", f"/teams/{tid}/memberships", Membership.from_json, body=body)


# -- Users (API key) --------------------------------------------------------------------------


def list_users(
    *, queries: Sequence[str] | None = None, search: str | None = None
) -> Call[UserList]:
    """``GET /users`` (API key)."""
    return Call("GET", "/users", UserList.from_json, params=_list_params(queries, search))


def get_user(user_id: str) -> Call[User]:
    """``GET /users/{id}`` (API key)."""
    return Call("GET", f"/users/{_seg(validate_id(user_id, 'user_id'))}", User.from_json)


def create_user(
    email: str, password: str, *, user_id: str = UNIQUE, name: str | None = None
) -> Call[User]:
    """``POST /users`` (API key)."""
    body = _new_user_body(email, password, user_id, name)
    return Call("POST", "/users", User.from_json, body=body, secrets=(password,))


def list_user_sessions(user_id: str) -> Call[SessionList]:
    """``GET /users/{id}/sessions`` (API key)."""
    uid = _seg(validate_id(user_id, "user_id"))
    return Call("GET", f"/users/{uid}/sessions", SessionList.from_json)


def create_user_session(user_id: str) -> Call[Session]:
    """``POST /users/{id}/sessions`` (API key); ``secret`` holds the new token."""
    uid = _seg(validate_id(user_id, "user_id"))
    return Call("POST", f"/users/{uid}/sessions", Session.from_json)


def delete_user_session(user_id: str, session_id: str) -> Call[None]:
    """``DELETE /users/{id}/sessions/{sid}`` (API key)."""
    uid = _seg(validate_id(user_id, "user_id"))
    sid = _seg(validate_id(session_id, "session_id"))
    return Call("DELETE", f"/users/{uid}/sessions/{sid}", _none, json_body=False)


def delete_user_sessions(user_id: str) -> Call[None]:
    """``DELETE /users/{id}/sessions`` (API key)."""
    uid = _seg(validate_id(user_id, "user_id"))
    return Call("DELETE", f"/users/{uid}/sessions", _none, json_body=False)


def update_user_labels(user_id: str, labels: Sequence[str]) -> Call[User]:
    """``PUT /users/{id}/labels`` (API key): replace the user's labels."""
    uid = _seg(validate_id(user_id, "user_id"))
    body = {"labels": validate_strings(labels, "labels")}
    return Call("PUT", f"/users/{uid}/labels", User.from_json, body=body)
