"""Typed descriptions of Appwrite API calls, without I/O.

Each function validates its arguments (raising :class:`InvalidInputError` before anything is
sent) and returns a :class:`Call`: the route, the parameters and how to read the answer. A
client sends it with ``client.send(call)`` (``await client.send(call)`` for an
``AsyncClient``); every method of the clients is exactly that. ``SessionContext`` flows yield
these objects, so the path from an action to its HTTP request can be read top to bottom.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Generic, TypeVar
from urllib.parse import quote

from appwrite_widgets.client._errors import InvalidInputError
from appwrite_widgets.client._models import (
    IdentityList,
    Jwt,
    LogList,
    Membership,
    MembershipList,
    Session,
    SessionList,
    Team,
    TeamList,
    Token,
    User,
    UserList,
    prefs_from_json,
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
    "create_email_token",
    "create_jwt",
    "create_magic_url_token",
    "create_membership",
    "create_recovery",
    "create_session",
    "create_team",
    "create_user",
    "create_user_jwt",
    "create_user_session",
    "create_user_token",
    "create_verification",
    "delete_identity",
    "delete_membership",
    "delete_session",
    "delete_sessions",
    "delete_team",
    "delete_user",
    "delete_user_session",
    "delete_user_sessions",
    "get_account",
    "get_prefs",
    "get_session",
    "get_team",
    "get_user",
    "get_user_prefs",
    "list_identities",
    "list_logs",
    "list_memberships",
    "list_sessions",
    "list_teams",
    "list_user_memberships",
    "list_user_sessions",
    "list_users",
    "update_email",
    "update_magic_url_session",
    "update_membership_status",
    "update_name",
    "update_password",
    "update_prefs",
    "update_recovery",
    "update_session",
    "update_status",
    "update_team_name",
    "update_user_labels",
    "update_user_prefs",
    "update_user_status",
    "update_verification",
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


def _prefs(prefs: object) -> dict[str, Any]:
    """A prefs object: a mapping with string keys, JSON-encodable, ≤ 65 535 bytes encoded."""
    if not isinstance(prefs, Mapping) or not all(isinstance(k, str) for k in prefs):
        raise InvalidInputError("prefs must be a mapping with string keys.")
    try:
        encoded = json.dumps(dict(prefs), separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError, RecursionError):
        raise InvalidInputError("prefs must hold only JSON values.") from None
    if len(encoded.encode()) > 65_535:
        raise InvalidInputError("prefs may take at most 65535 bytes as JSON.")
    return dict(prefs)


def _int_in(value: object, what: str, low: int, high: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise InvalidInputError(f"{what} must be an integer from {low} to {high}.")
    return value


def _name(name: object) -> str:
    text = need_str(name, "name")
    if not text.strip() or len(text) > 128:
        raise InvalidInputError("name must be 1-128 characters.")
    return text


# -- Account: profile, prefs, JWTs, logs -------------------------------------------------------


def get_prefs() -> Call[Mapping[str, Any]]:
    """``GET /account/prefs``: the signed-in user's preferences."""
    return Call("GET", "/account/prefs", prefs_from_json)


def update_prefs(prefs: Mapping[str, Any]) -> Call[User]:
    """``PATCH /account/prefs``: replace the preferences (not merged)."""
    return Call("PATCH", "/account/prefs", User.from_json, body={"prefs": _prefs(prefs)})


def update_name(name: str) -> Call[User]:
    """``PATCH /account/name``."""
    return Call("PATCH", "/account/name", User.from_json, body={"name": _name(name)})


def update_password(password: str, *, old_password: str | None = None) -> Call[User]:
    """``PATCH /account/password``; the user's other sessions end.

    ``old_password`` is required once the user has a password.
    """
    body = {"password": validate_password(password)}
    if old_password is not None:
        body["oldPassword"] = need_str(old_password, "old_password")
    secrets = (password,) if old_password is None else (password, old_password)
    return Call("PATCH", "/account/password", User.from_json, body=body, secrets=secrets)


def update_email(email: str, password: str) -> Call[User]:
    """``PATCH /account/email`` (an anonymous user's ``password`` becomes theirs)."""
    body = {"email": validate_email(email), "password": validate_password(password)}
    return Call("PATCH", "/account/email", User.from_json, body=body, secrets=(password,))


def update_status() -> Call[User]:
    """``PATCH /account/status``: block your own account; this device is signed out."""
    return Call("PATCH", "/account/status", User.from_json, clears_session=True)


def list_logs(*, queries: Sequence[str] | None = None) -> Call[LogList]:
    """``GET /account/logs``: the signed-in user's audit log (``limit``/``offset`` queries)."""
    return Call("GET", "/account/logs", LogList.from_json, params=_list_params(queries, None))


def create_jwt(*, duration: int | None = None) -> Call[Jwt]:
    """``POST /account/jwts``: a JWT for this session, valid ``duration`` s (default 900)."""
    body = None if duration is None else {"duration": _int_in(duration, "duration", 1, 3600)}
    return Call("POST", "/account/jwts", Jwt.from_json, body=body)


def create_session(user_id: str, secret: str) -> Call[Session]:
    """``POST /account/sessions/token``: sign in with a one-time token's ``secret``."""
    body = {"userId": validate_id(user_id, "user_id"), "secret": validate_secret(secret, "secret")}
    return Call(
        "POST",
        "/account/sessions/token",
        Session.from_json,
        body=body,
        creates_session=True,
        secrets=(secret,),
    )


# -- Account: passwordless sign-in, recovery, verification, identities -----------------------


def _phrase(phrase: object) -> bool:
    if not isinstance(phrase, bool):
        raise InvalidInputError("phrase must be True or False.")
    return phrase


def _link(url: object, what: str = "url") -> str:
    """A page URL the server links to (it must be on the server's origin list)."""
    text = need_str(url, what)
    if not text.strip() or len(text) > 2048:
        raise InvalidInputError(f"{what} must be a URL of 1-2048 characters.")
    return text


def _user_secret(user_id: str, secret: str) -> dict[str, Any]:
    return {"userId": validate_id(user_id, "user_id"), "secret": validate_secret(secret, "secret")}


def create_email_token(email: str, *, user_id: str = UNIQUE, phrase: bool = False) -> Call[Token]:
    """``POST /account/tokens/email``: mail a 6-digit code (valid 15 minutes, once).

    Then ``create_session(token.user_id, code)``. An unknown email gets a new account (ID
    ``user_id``); ``phrase=True`` adds a security phrase to the mail and to the token.
    """
    body: dict[str, Any] = {
        "userId": validate_id(user_id, "user_id", allow_unique=True),
        "email": validate_email(email),
    }
    if _phrase(phrase):
        body["phrase"] = True
    return Call("POST", "/account/tokens/email", Token.from_json, body=body)


def create_magic_url_token(
    email: str, *, user_id: str = UNIQUE, url: str | None = None, phrase: bool = False
) -> Call[Token]:
    """``POST /account/tokens/magic-url``: mail a sign-in link (valid 1 hour, once).

    The link is ``url`` plus ``userId``, ``secret``, ``expire`` and ``project``; the page
    there calls ``update_magic_url_session`` (or ``create_session``) with them.
    """
    body: dict[str, Any] = {
        "userId": validate_id(user_id, "user_id", allow_unique=True),
        "email": validate_email(email),
    }
    if url is not None:
        body["url"] = _link(url)
    if _phrase(phrase):
        body["phrase"] = True
    return Call("POST", "/account/tokens/magic-url", Token.from_json, body=body)


def update_magic_url_session(user_id: str, secret: str) -> Call[Session]:
    """``PUT /account/sessions/magic-url``: sign in with a magic link's ``userId``/``secret``."""
    return Call(
        "PUT",
        "/account/sessions/magic-url",
        Session.from_json,
        body=_user_secret(user_id, secret),
        creates_session=True,
        secrets=(secret,),
    )


def create_recovery(email: str, url: str) -> Call[Token]:
    """``POST /account/recovery``: mail a password-reset link to ``url`` (valid 1 hour)."""
    body = {"email": validate_email(email), "url": _link(url)}
    return Call("POST", "/account/recovery", Token.from_json, body=body)


def update_recovery(user_id: str, secret: str, password: str) -> Call[Token]:
    """``PUT /account/recovery``: the new password, with the link's ``userId``/``secret``.

    The email counts as verified and every session of the user ends.
    """
    body = {**_user_secret(user_id, secret), "password": validate_password(password)}
    return Call("PUT", "/account/recovery", Token.from_json, body=body, secrets=(secret, password))


def create_verification(url: str) -> Call[Token]:
    """``POST /account/verifications/email``: mail the signed-in user a verification link."""
    return Call("POST", "/account/verifications/email", Token.from_json, body={"url": _link(url)})


def update_verification(user_id: str, secret: str) -> Call[Token]:
    """``PUT /account/verifications/email``: confirm the email with the link's values."""
    return Call(
        "PUT",
        "/account/verifications/email",
        Token.from_json,
        body=_user_secret(user_id, secret),
        secrets=(secret,),
    )


def list_identities(*, queries: Sequence[str] | None = None) -> Call[IdentityList]:
    """``GET /account/identities``: the OAuth2 provider accounts linked to the user."""
    params = _list_params(queries, None)
    return Call("GET", "/account/identities", IdentityList.from_json, params=params)


def delete_identity(identity_id: str) -> Call[None]:
    """``DELETE /account/identities/{id}``: unlink a provider account (sessions stay)."""
    iid = _seg(validate_id(identity_id, "identity_id"))
    return Call("DELETE", f"/account/identities/{iid}", _none, json_body=False)


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
    team_id: str,
    roles: Sequence[str],
    *,
    user_id: str | None = None,
    email: str | None = None,
    url: str | None = None,
    name: str | None = None,
) -> Call[Membership]:
    """``POST /teams/{id}/memberships``: an API key adds the member; an owner invites them.

    An invitation (a team owner's session) needs ``url``: the invitation link points there.
    """
    tid = _seg(validate_id(team_id, "team_id"))
    body: dict[str, Any] = {"roles": validate_strings(roles, "roles")}
    if user_id is None and email is None:
        raise InvalidInputError("create_membership needs user_id or email.")
    if user_id is not None:
        body["userId"] = validate_id(user_id, "user_id")
    if email is not None:
        body["email"] = validate_email(email)
    if url is not None:
        body["url"] = need_str(url, "url")
    if name is not None:
        body["name"] = need_str(name, "name")
    return Call("POST", f"/teams/{tid}/memberships", Membership.from_json, body=body)


def get_team(team_id: str) -> Call[Team]:
    """``GET /teams/{id}``."""
    return Call("GET", f"/teams/{_seg(validate_id(team_id, 'team_id'))}", Team.from_json)


def update_team_name(team_id: str, name: str) -> Call[Team]:
    """``PUT /teams/{id}``: rename a team (owners or API key)."""
    tid = _seg(validate_id(team_id, "team_id"))
    return Call("PUT", f"/teams/{tid}", Team.from_json, body={"name": _name(name)})


def delete_team(team_id: str) -> Call[None]:
    """``DELETE /teams/{id}`` (owners or API key)."""
    tid = _seg(validate_id(team_id, "team_id"))
    return Call("DELETE", f"/teams/{tid}", _none, json_body=False)


def update_membership_status(
    team_id: str, membership_id: str, user_id: str, secret: str
) -> Call[Membership]:
    """``PATCH /teams/{id}/memberships/{mid}/status``: accept an invitation.

    ``user_id`` and ``secret`` come from the invitation link; a signed-out client is then
    signed in as the invitee.
    """
    tid = _seg(validate_id(team_id, "team_id"))
    mid = _seg(validate_id(membership_id, "membership_id"))
    body = {"userId": validate_id(user_id, "user_id"), "secret": validate_secret(secret, "secret")}
    return Call(
        "PATCH",
        f"/teams/{tid}/memberships/{mid}/status",
        Membership.from_json,
        body=body,
        creates_session=True,
        secrets=(secret,),
    )


def delete_membership(team_id: str, membership_id: str) -> Call[None]:
    """``DELETE /teams/{id}/memberships/{mid}``: leave a team, or remove a member (owners)."""
    tid = _seg(validate_id(team_id, "team_id"))
    mid = _seg(validate_id(membership_id, "membership_id"))
    return Call("DELETE", f"/teams/{tid}/memberships/{mid}", _none, json_body=False)


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


def delete_user(user_id: str) -> Call[None]:
    """``DELETE /users/{id}`` (API key)."""
    uid = _seg(validate_id(user_id, "user_id"))
    return Call("DELETE", f"/users/{uid}", _none, json_body=False)


def update_user_status(user_id: str, status: bool) -> Call[User]:
    """``PATCH /users/{id}/status`` (API key): ``False`` blocks the user, ``True`` unblocks."""
    uid = _seg(validate_id(user_id, "user_id"))
    if not isinstance(status, bool):
        raise InvalidInputError("status must be True or False.")
    return Call("PATCH", f"/users/{uid}/status", User.from_json, body={"status": status})


def get_user_prefs(user_id: str) -> Call[Mapping[str, Any]]:
    """``GET /users/{id}/prefs`` (API key)."""
    uid = _seg(validate_id(user_id, "user_id"))
    return Call("GET", f"/users/{uid}/prefs", prefs_from_json)


def update_user_prefs(user_id: str, prefs: Mapping[str, Any]) -> Call[Mapping[str, Any]]:
    """``PATCH /users/{id}/prefs`` (API key): replace them; answers the new prefs."""
    uid = _seg(validate_id(user_id, "user_id"))
    return Call("PATCH", f"/users/{uid}/prefs", prefs_from_json, body={"prefs": _prefs(prefs)})


def list_user_memberships(
    user_id: str, *, queries: Sequence[str] | None = None, search: str | None = None
) -> Call[MembershipList]:
    """``GET /users/{id}/memberships`` (API key)."""
    uid = _seg(validate_id(user_id, "user_id"))
    params = _list_params(queries, search)
    return Call("GET", f"/users/{uid}/memberships", MembershipList.from_json, params=params)


def create_user_jwt(
    user_id: str, *, session_id: str | None = None, duration: int | None = None
) -> Call[Jwt]:
    """``POST /users/{id}/jwts`` (API key): a JWT bound to ``session_id``.

    ``"recent"`` means the newest session; without one the token is bound to no session
    (Appwrite 1.9.6).
    """
    uid = _seg(validate_id(user_id, "user_id"))
    body: dict[str, Any] = {}
    if session_id is not None:
        body["sessionId"] = validate_id(session_id, "session_id")
    if duration is not None:
        body["duration"] = _int_in(duration, "duration", 1, 3600)
    return Call("POST", f"/users/{uid}/jwts", Jwt.from_json, body=body or None)


def create_user_token(
    user_id: str, *, length: int | None = None, expire: int | None = None
) -> Call[Token]:
    """``POST /users/{id}/tokens`` (API key): a one-time secret for ``create_session``."""
    uid = _seg(validate_id(user_id, "user_id"))
    body: dict[str, Any] = {}
    if length is not None:
        body["length"] = _int_in(length, "length", 4, 128)
    if expire is not None:
        body["expire"] = _int_in(expire, "expire", 60, 31_536_000)
    return Call("POST", f"/users/{uid}/tokens", Token.from_json, body=body or None)
