"""``/v1/realtime``: Appwrite's Realtime WebSocket (protocol §17) over the in-process hub.

Handshake: ``project`` (query or ``X-Appwrite-Project``), optional ``channels[]``, and the session
from the cookie, ``X-Appwrite-Session`` or ``X-Fallback-Cookies`` (as REST). Then JSON text
frames: ``ping``, ``authentication``, ``subscribe``, ``unsubscribe`` in; ``connected``,
``response``, ``pong``, ``event``, ``error`` out. Only 1008 errors close the socket.

Differences from Appwrite 1.9.6, on purpose: after an ``error`` with code 1008 the socket is
closed with a close frame carrying 1008 (Appwrite drops the TCP connection); sockets of a deleted
session are closed after its delete event (see :meth:`Hub.end_sessions`); per-channel URL queries
are not supported (queries go in ``subscribe`` messages); there is no console project; what a
connection may hold is capped (:mod:`.limits`; over a cap: error 1003, nothing stored); sockets
have a budget of their own, per address and in all (over it: error 1013, then the socket
closes with 1013), and a socket silent for ``idle_timeout`` seconds is closed (1000).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from .. import models, security
from ..http import auth, jwts
from ..http.errors import AppwriteError
from ..http.network import client_ip
from ..http.origins import normalize_origin
from ..http.routing import Config
from ..storage.sessions import Session
from ..storage.store import Store
from ..storage.users import User
from . import limits
from .hub import Connection, Hub, SubscriptionError
from .queries import QueryError

__all__ = ["current_roles", "make_endpoint", "user_roles"]

log = logging.getLogger("appwrite_widgets.server")

MESSAGES_PER_MINUTE = 32
HANDSHAKES_PER_MINUTE = 128
MAX_SESSION_CHARS = 2048
_CHANNELS_PARAM = re.compile(r"channels\[\d*\]")


class _Refused(Exception):
    """An error message to send; ``code`` 1008 also closes the socket."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def user_roles(store: Store, user: User) -> list[str]:
    """The roles a signed-in user's connection holds (Appwrite's ``Auth::getRoles``)."""
    verified = "verified" if user.email_verification else "unverified"
    roles = [f"user:{user.id}", f"user:{user.id}/{verified}", "users", f"users/{verified}"]
    roles += [f"label:{label}" for label in user.labels]
    for team in store.teams.all(member=user.id):
        roles.append(f"team:{team.id}")
        membership = store.memberships.find(team.id, user.id)
        if membership is not None:
            roles += [f"team:{team.id}/{r}" for r in membership.roles]
            roles.append(f"member:{membership.id}")
    return roles


def current_roles(store: Store, user_id: str) -> list[str] | None:
    """The roles ``user_id``'s sockets hold now; None when the user is gone or blocked."""
    user = store.users.get(user_id)
    return user_roles(store, user) if user is not None and user.status else None


def _error(code: int, message: str) -> dict[str, Any]:
    return {"type": "error", "data": {"code": code, "message": message}}


def make_endpoint(store: Store, cfg: Config, hub: Hub) -> Callable[[WebSocket], Awaitable[None]]:
    """The WebSocket endpoint for ``cfg.project`` over ``store``, publishing through ``hub``."""
    limiter = security.RateLimiter()

    def resolve(parsed: tuple[str, str] | None) -> tuple[User, Session] | None:
        user, session = auth.resolve_session(store, parsed, cfg.clock())
        if user is None or session is None or not user.status:
            return None  # a guest (a blocked user's socket hears nothing either)
        return user, session

    def resolve_jwt(token: str) -> tuple[User, Session | None] | None:
        """The user and session of an ``X-Appwrite-JWT`` (§17.1).

        A forged or expired token is refused (401); one whose session is gone is a guest.
        """
        try:
            payload = jwts.decode(store.jwt_key, token, cfg.clock())
        except jwts.JWTError as exc:
            error = AppwriteError("user_jwt_invalid", f"Failed to verify JWT. {exc}")
            raise _Refused(error.code, error.message) from None
        user_id, session_id = payload.get("userId"), payload.get("sessionId")
        user = store.users.get(user_id) if isinstance(user_id, str) and user_id else None
        if user is None or not user.status:
            return None
        if not session_id:
            return user, None
        session = store.sessions.get(session_id) if isinstance(session_id, str) else None
        if session is None or session.user_id != user.id:
            return None
        return user, session

    def bind(conn: Connection, found: tuple[User, Session | None] | None) -> dict[str, Any] | None:
        if found is None:
            conn.authenticate(None, None, ())
            return None
        user, session = found
        conn.authenticate(user.id, session.id if session else None, user_roles(store, user))
        return models.user(user, account=True)

    def handshake(ws: WebSocket, conn: Connection) -> dict[str, Any]:
        project = ws.query_params.get("project") or ws.headers.get("x-appwrite-project") or ""
        if project != cfg.project:
            raise _Refused(1008, "Missing or unknown project ID")
        if cfg.rate_limits:
            decision = limiter.hit(
                f"realtime:{conn.address}", HANDSHAKES_PER_MINUTE, 60, cfg.clock()
            )
            if not decision.allowed:
                raise _Refused(1013, "Too many requests")
        origin = ws.headers.get("origin")
        if origin is not None and not cfg.origins.allows(origin):
            page = (normalize_origin(origin) or "null")[:100]
            raise _Refused(
                1008,
                f"Invalid Origin. Register your new client ({page}) as a new Web platform "
                "on your project console dashboard",
            )
        parsed, _fallback = auth.session_token(project, ws.headers, ws.cookies)
        found: tuple[User, Session | None] | None = resolve(parsed)
        jwt = ws.headers.get("x-appwrite-jwt", "")
        if jwt:
            if found is not None:
                error = AppwriteError("user_jwt_and_cookie_set")
                raise _Refused(error.code, error.message)
            found = resolve_jwt(jwt)
        user = bind(conn, found)
        channels = [v for k, v in ws.query_params.multi_items() if _CHANNELS_PARAM.fullmatch(k)]
        if channels:
            conn.subscribe([(security.unique_id(), _check_channels(channels), [])])
        return {
            "type": "connected",
            "data": {
                "channels": [c for s in conn.subscriptions.values() for c in s.channels],
                "subscriptions": list(conn.subscriptions),
                "user": user,
            },
        }

    def on_message(conn: Connection, raw: str) -> dict[str, Any]:
        try:
            message = json.loads(raw)
        except (ValueError, RecursionError):
            message = None
        if not isinstance(message, dict) or "type" not in message or "data" not in message:
            if isinstance(message, dict) and message.get("type") == "ping":
                return {"type": "pong"}
            raise _Refused(1003, "Message format is not valid.")
        kind, data = message["type"], message["data"]
        if kind == "ping":
            return {"type": "pong"}
        if kind == "authentication":
            token = data.get("session") if isinstance(data, dict) else None
            if not isinstance(token, str) or not token:
                raise _Refused(1003, "Payload is not valid. Session is required")
            too_long = len(token) > MAX_SESSION_CHARS
            found = None if too_long else resolve(security.decode_token(token))
            if found is None:
                raise _Refused(1003, "Session is not valid.")
            user = bind(conn, found)
            return _response("authentication", user=user)
        if kind == "subscribe":
            return _response("subscribe", subscriptions=_subscribe(conn, data))
        if kind == "unsubscribe":
            return _response("unsubscribe", subscriptions=_unsubscribe(conn, data))
        raise _Refused(1003, "Message type is not valid.")

    async def writer(ws: WebSocket, conn: Connection) -> None:
        while True:
            message = await conn.outbox.get()
            if message is None:
                await ws.close(conn.close_code, conn.close_reason)
                return
            await ws.send_text(message)

    async def refuse(ws: WebSocket, refused: _Refused) -> None:
        await ws.accept()
        await ws.send_json(_error(refused.code, refused.message))
        await ws.close(1013 if refused.code == 1013 else 1008)  # 1013: try later

    async def endpoint(ws: WebSocket) -> None:
        peer = ws.client.host if ws.client else ""
        conn = Connection(client_ip(peer, ws.headers.get("x-forwarded-for"), cfg.trusted_proxies))
        full = hub.admit(conn)  # counted from now on, so handshakes in flight count too
        if full is not None:
            await refuse(ws, _Refused(1013, full))
            return
        try:
            await serve(ws, conn)
        finally:
            hub.discard(conn)

    async def serve(ws: WebSocket, conn: Connection) -> None:
        try:
            hello = handshake(ws, conn)
        except _Refused as refused:
            await refuse(ws, refused)
            return
        await ws.accept()
        await ws.send_json(hello)
        send_task = asyncio.create_task(writer(ws, conn))
        window: list[float] = []
        idle = hub.limits.idle_timeout
        try:
            while not send_task.done():
                try:
                    async with asyncio.timeout(idle):
                        frame = await ws.receive()
                except TimeoutError:
                    conn.close(1000, f"Idle for {idle:g} s")
                    break
                if frame["type"] == "websocket.disconnect":
                    break
                raw = frame.get("text")
                if raw is None:  # a binary frame: Appwrite reads text JSON only
                    raw = ""
                now = cfg.clock()
                window = [t for t in window if t > now - 60] + [now]
                if len(window) > MESSAGES_PER_MINUTE:
                    conn.send(_error(1013, "Too many messages."))
                    continue
                try:
                    conn.send(on_message(conn, raw))
                except _Refused as refused:
                    conn.send(_error(refused.code, refused.message))
                    if refused.code == 1008:
                        conn.close(1008, refused.message[:100])
        except (WebSocketDisconnect, RuntimeError):
            pass  # the peer left
        except Exception:
            log.exception("realtime connection failed")
        finally:
            if not send_task.done():
                conn.close()
                await asyncio.wait({send_task}, timeout=5)
                send_task.cancel()
            with contextlib.suppress(BaseException):
                send_task.result()
            if ws.application_state is not WebSocketState.DISCONNECTED:
                with contextlib.suppress(Exception):
                    await ws.close()

    return endpoint


def _response(to: str, **fields: Any) -> dict[str, Any]:
    return {"type": "response", "data": {"to": to, "success": True, **fields}}


def _check_channels(channels: Any) -> list[str]:
    if (
        not isinstance(channels, list)
        or not channels
        or not all(isinstance(c, str) and 0 < len(c) <= 256 for c in channels)
    ):
        raise _Refused(1003, "Payload is not valid. Channels must be a list of channel names.")
    if len(channels) > limits.CHANNELS_PER_SUBSCRIPTION:
        raise _Refused(
            1003,
            "Payload is not valid. A subscription holds at most "
            f"{limits.CHANNELS_PER_SUBSCRIPTION} channels.",
        )
    return channels


def _subscribe(conn: Connection, data: Any) -> list[dict[str, Any]]:
    """Check the shape of every item, then apply them all (or none) to ``conn``."""
    items = []
    for item in data if isinstance(data, list) else [data]:
        if not isinstance(item, dict):
            raise _Refused(1003, "Payload is not valid.")
        sub_id = item.get("subscriptionId") or security.unique_id()
        if not isinstance(sub_id, str) or not security.is_valid_id(sub_id):
            raise _Refused(1003, "Payload is not valid. Invalid subscription ID.")
        channels = _check_channels(item.get("channels"))
        queries = item.get("queries") or []
        if not isinstance(queries, list):
            raise _Refused(1003, "Payload is not valid. Queries must be a list.")
        items.append((sub_id, channels, queries))
    try:
        return conn.subscribe(items)
    except (SubscriptionError, QueryError) as exc:
        raise _Refused(1003, str(exc)) from None


def _unsubscribe(conn: Connection, data: Any) -> list[dict[str, Any]]:
    items = data if isinstance(data, list) else [data]
    out = []
    for item in items:
        sub_id = item.get("subscriptionId") if isinstance(item, dict) else None
        if not isinstance(sub_id, str):
            raise _Refused(1003, "Payload is not valid. Subscription ID is required.")
        out.append({"subscriptionId": sub_id, "removed": conn.unsubscribe(sub_id)})
    return out
