"""What the MFA tests of the context and the widgets share (the fixture ``mfa`` in conftest.py).

The server runs on a clock the test moves: the embedded server accepts a TOTP window's code
once, so each new code is computed (by pyotp, as an authenticator app would) after moving the
clock to the next 30-second window.
"""

from __future__ import annotations

import uuid
from typing import Any, NamedTuple

import pyotp
from helpers import AsyncCountingTransport, CountingTransport, key_client

from appwrite_widgets.client import AsyncClient, Client
from appwrite_widgets.session import CredentialStore, SessionContext

PASSWORD = "correct-horse-battery"


class Clock:
    """An injectable clock for ``LocalServer(clock=...)``: time moves only when told."""

    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class Person(NamedTuple):
    """A user made through the API key (the password in clear for sign-in tests)."""

    id: str
    email: str
    password: str


class Enrolled(NamedTuple):
    """A user with a confirmed authenticator app, recovery codes and MFA on."""

    person: Person
    secret: str
    codes: tuple[str, ...]


class MfaKit:
    """Users, contexts and codes against the MFA test server (closed by the fixture)."""

    def __init__(self, server: Any, clock: Clock, store: CredentialStore) -> None:
        self.server = server
        self.clock = clock
        self.store = store
        self._clients: list[Client] = []
        self._aclients: list[AsyncClient] = []

    def person(self, *, verified: bool = False) -> Person:
        """A new user; ``verified``: with a verified email (the email factor)."""
        email = f"mfa-{uuid.uuid4().hex[:12]}@example.com"
        with key_client(self.server) as api:
            resp = api.post(
                "/users",
                json={"userId": "unique()", "email": email, "password": PASSWORD, "name": "Mo"},
            )
            assert resp.status_code == 201, resp.text
        uid = resp.json()["$id"]
        if verified:
            self.server.store.users.update(uid, self.clock.now, email_verification=1)
        return Person(uid, email, PASSWORD)

    def ctx(self, **kwargs: Any) -> tuple[SessionContext, CountingTransport]:
        """A context over a counting sync Client (one device)."""
        transport = CountingTransport()
        client = Client(self.server.endpoint, self.server.project, transport=transport)
        self._clients.append(client)
        kwargs.setdefault("credentials_store", self.store)
        return SessionContext(client, **kwargs), transport

    def actx(self, **kwargs: Any) -> tuple[SessionContext, AsyncCountingTransport]:
        """A context over a counting AsyncClient (what a kernel uses)."""
        transport = AsyncCountingTransport()
        client = AsyncClient(self.server.endpoint, self.server.project, transport=transport)
        self._aclients.append(client)
        kwargs.setdefault("credentials_store", self.store)
        return SessionContext(client, **kwargs), transport

    def code(self, secret: str) -> str:
        """The authenticator app's next code (the clock moves to a new window first)."""
        self.clock.advance(30)
        return str(pyotp.TOTP(secret).at(int(self.clock.now)))

    def mailed_code(self, email: str) -> str:
        """The code of the newest second-factor mail to ``email``."""
        mail = self.server.outbox.wait_for(lambda m: m.kind == "mfa-challenge" and m.to == email)
        self.server.outbox.take()
        return str(mail.code)

    def enrolled(self, *, verified: bool = False, mfa: bool = True) -> Enrolled:
        """A user who turned on an authenticator app and recovery codes (and MFA)."""
        who = self.person(verified=verified)
        ctx, _ = self.ctx()
        ctx.login(who.email, who.password)
        secret = ctx.enable_totp().secret
        ctx.confirm_totp(self.code(secret))
        codes = ctx.create_recovery_codes()
        if mfa:
            ctx.set_mfa(True)
        ctx.logout()
        return Enrolled(who, secret, codes)

    def sessions_of(self, user_id: str) -> list[dict[str, Any]]:
        """The user's sessions on the server (API key)."""
        with key_client(self.server) as api:
            resp = api.get(f"/users/{user_id}/sessions")
            assert resp.status_code == 200, resp.text
            sessions: list[dict[str, Any]] = resp.json()["sessions"]
            return sessions

    async def aclose(self) -> None:
        for aclient in self._aclients:
            await aclient.aclose()
        self.close()

    def close(self) -> None:
        for client in self._clients:
            client.close()
