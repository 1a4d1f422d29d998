"""MFA helpers for the server tests: TOTP codes by pyotp at the server's (fake) clock."""

from __future__ import annotations

from typing import Any

import httpx
import pyotp
from server_helpers import FakeClock, guest


def totp_code(secret: str, clock: FakeClock) -> str:
    """The code of the server's current 30-second window."""
    return pyotp.TOTP(secret).at(int(clock.now))


def enrol_totp(client: httpx.Client, clock: FakeClock) -> str:
    """Add and verify a TOTP authenticator for the signed-in ``client``; its secret.

    The clock then moves to the next window (the code used here is spent).
    """
    created = client.post("/account/mfa/authenticators/totp")
    assert created.status_code == 200, created.text
    secret: str = created.json()["secret"]
    verified = client.put(
        "/account/mfa/authenticators/totp", json={"otp": totp_code(secret, clock)}
    )
    assert verified.status_code == 200, verified.text
    clock.advance(30)
    return secret


def password_session(server: Any, email: str, password: str) -> tuple[httpx.Client, dict[str, Any]]:
    """A cookie client signed in with the password only, and its Session body."""
    client = guest(server)
    resp = client.post("/account/sessions/email", json={"email": email, "password": password})
    assert resp.status_code == 201, resp.text
    return client, resp.json()


def challenge(client: httpx.Client, factor: str) -> str:
    """Open a challenge for ``factor``; its ID."""
    resp = client.post("/account/mfa/challenges", json={"factor": factor})
    assert resp.status_code == 201, resp.text
    return str(resp.json()["$id"])
