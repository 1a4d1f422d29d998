"""HTTP requests per user action, counted at the server (an ASGI middleware around its app).

The same scenarios are asserted exactly in ``tests/test_request_counts.py``; here they are
printed beside their budgets.
"""

from __future__ import annotations

import tempfile
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pyotp
from common import Row, exact

from appwrite_widgets import Client, CredentialStore, SessionContext
from appwrite_widgets.server.http.requestlog import RequestLog
from appwrite_widgets.server.local import LocalServer

PASSWORD = "bench-password-123"


def counted_server(data: Path) -> tuple[LocalServer, RequestLog]:
    """A started LocalServer recording every request it receives."""
    server = LocalServer(
        project="bench",
        data=data,
        rate_limits=False,
        record_requests=True,
        oauth2={"mock": {}},  # Appwrite's offline mock provider
    )
    server.start()
    return server, server.requests


class Clock:
    """The MFA server's clock: moved to a new 30-second window before each TOTP code."""

    now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def mfa_rows(sec: str, tmp: Path) -> list[Row]:
    """Password + TOTP sign-in, counted at a server on a clock of its own."""
    clock = Clock()
    server = LocalServer(
        project="bench",
        data=tmp / "mfa.sqlite3",
        rate_limits=False,
        record_requests=True,
        clock=clock,
    )
    server.start()
    store = CredentialStore(tmp / "mfa-credentials")
    email = f"bench-mfa-{uuid.uuid4().hex[:12]}@example.com"

    def code(secret: str) -> str:
        clock.now += 30
        return str(pyotp.TOTP(secret).at(int(clock.now)))

    try:
        with Client(server.endpoint, server.project, api_key=server.api_key) as admin:
            admin.create_user(email, PASSWORD)
        with Client(server.endpoint, server.project) as client:
            ctx = SessionContext(client, credentials_store=store)
            ctx.login(email, PASSWORD)
            secret = ctx.enable_totp().secret
            ctx.confirm_totp(code(secret))
            ctx.set_mfa(True)
            ctx.logout()
        with Client(server.endpoint, server.project) as client:
            ctx = SessionContext(client, credentials_store=store)
            first = server.requests.count(lambda: ctx.login(email, PASSWORD))
            second = server.requests.count(lambda: ctx.complete_mfa(code(secret)))
            n = first + second if ctx.is_authenticated else 99
    finally:
        server.stop()
    return [
        exact(
            sec,
            "password + TOTP sign-in",
            n,
            5,
            note=f"issue 25's bound; password step {first}, code {second}: Appwrite 1.9.6 needs "
            "at least 6 (session, the 401 that asks for a factor, challenge, answer, account, "
            "teams), the 7th lists the factors to ask for",
        )
    ]


PAGE = "http://localhost:8866/app"


class Browser:
    """The page's browser as a context sees it: it opens the provider, keeps the token."""

    page = PAGE

    def __init__(self) -> None:
        self.opened: list[str] = []

    def keep(self, token: str, *, persist: bool) -> None: ...

    def forget(self) -> None: ...

    def start_oauth2(self, url: str, *, persist: bool) -> None:
        self.opened.append(url)


def follow(url: str) -> dict[str, str]:
    """The browser's part of an OAuth2 sign-in: the redirects, to the page it ends on."""
    with httpx.Client() as browser:
        while not url.startswith(PAGE):
            url = browser.get(url).headers["location"]
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def run() -> list[Row]:
    sec = "1 requests"
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        server, log = counted_server(Path(tmp) / "server.sqlite3")
        clients: list[Client] = []
        store = CredentialStore(Path(tmp) / "credentials")

        def device(remember: bool = False) -> SessionContext:
            clients.append(Client(server.endpoint, server.project))
            return SessionContext(clients[-1], remember=remember, credentials_store=store)

        def user() -> str:
            email = f"bench-{uuid.uuid4().hex[:12]}@example.com"
            with Client(server.endpoint, server.project, api_key=server.api_key) as admin:
                admin.create_user(email, PASSWORD)
            return email

        try:
            email = user()
            here = device(remember=True)
            n = log.count(lambda: here.login(email, PASSWORD))
            rows.append(exact(sec, "login (email + password)", n, 3))

            fresh = device(remember=True)
            n = log.count(fresh.refresh)
            rows.append(exact(sec, "restore on kernel start (remembered)", n, 3))
            n = log.count(fresh.logout)
            rows.append(exact(sec, "logout (this device)", n, 1, equal=True))

            oauth = device()
            browser = Browser()
            oauth.attach_device(browser)
            n = log.count(lambda: oauth.login_with_oauth("mock"))
            rows.append(exact(sec, "OAuth2 start (the browser goes on)", n, 0, equal=True))
            back = follow(browser.opened[0])
            n = log.count(lambda: oauth.complete_oauth(back["userId"], back["secret"]))
            ok = oauth.is_authenticated
            rows.append(exact(sec, "OAuth2 completion (mock provider)", n if ok else 99, 3))

            email = user()
            coded = device()
            sent: list[Any] = []
            n = log.count(lambda: sent.append(coded.send_email_code(email)))
            rows.append(exact(sec, "email code: send the code", n, 1, equal=True))
            code = server.outbox.wait_for(lambda m: m.to == email).code
            n = log.count(lambda: coded.login_with_email_code(sent[0].user_id, code))
            ok = coded.is_authenticated
            rows.append(exact(sec, "email code: sign in with it", n if ok else 99, 3))

            email = user()
            here, there = device(), device()
            here.login(email, PASSWORD)
            there.login(email, PASSWORD)
            here.load_sessions()
            assert there.session is not None
            other = there.session.id
            n = log.count(lambda: here.logout(other))
            ok = len(here.sessions) == 1 and here.is_authenticated
            rows.append(
                exact(sec, "logout by ID (list updated locally)", n if ok else 99, 1, equal=True)
            )

            for others in (1, 3):
                email = user()
                here = device()
                here.login(email, PASSWORD)
                for _ in range(others):
                    device().login(email, PASSWORD)
                here.load_sessions()
                n = log.count(here.logout_others)
                budget = others
                rows.append(
                    exact(
                        sec,
                        f"sign out others, {others} other device(s)",
                        n,
                        budget,
                        equal=True,
                        note="sessions list loaded",
                    )
                )
            email = user()
            here = device()
            here.login(email, PASSWORD)
            device().login(email, PASSWORD)
            n = log.count(here.logout_others)
            rows.append(
                Row(
                    sec,
                    "sign out others, 1 other, list not loaded",
                    f"{n} req",
                    note="+1 GET /account/sessions",
                )
            )
            rows.extend(mfa_rows(sec, Path(tmp)))
        finally:
            for client in clients:
                client.close()
            server.stop()
    return rows


if __name__ == "__main__":
    from common import print_table

    print_table(run())
