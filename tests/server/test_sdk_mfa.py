"""MFA through the official SDKs: Python SDK 27 and web SDK 28 (Node), on a fake clock.

TOTP codes are computed by pyotp for the server's current 30-second window; the clock moves
one window before each code, since a used window cannot be used again.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyotp
import pytest
from appwrite.client import Client
from appwrite.enums.authentication_factor import AuthenticationFactor
from appwrite.enums.authenticator_type import AuthenticatorType
from appwrite.exception import AppwriteException
from appwrite.id import ID
from appwrite.services.account import Account
from appwrite.services.users import Users
from server_helpers import FakeClock

from appwrite_widgets.server.local import LocalServer

JS_DIR = Path(__file__).resolve().parents[1] / "js"
PASSWORD = "sdk-mfa-password"


@pytest.fixture(scope="module")
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(scope="module")
def sdk_server(tmp_path_factory: pytest.TempPathFactory, clock: FakeClock) -> Iterator[LocalServer]:
    data = tmp_path_factory.mktemp("sdk-mfa") / "server.sqlite3"
    with LocalServer(
        project="test", data=data, rate_limits=False, fast_hashing=True, clock=clock
    ) as srv:
        yield srv


def _code(secret: str, clock: FakeClock) -> str:
    clock.advance(30)
    return pyotp.TOTP(secret).at(int(clock.now))


def _client(server: LocalServer) -> Client:
    return Client().set_endpoint(server.endpoint).set_project(server.project)


def _session(server: LocalServer, email: str) -> Account:
    """An account service signed in with the password only (token from an API-key call)."""
    admin = _client(server).set_key(server.api_key)
    secret = Account(admin).create_email_password_session(email=email, password=PASSWORD).secret
    return Account(_client(server).set_session(secret))


def test_python_sdk_mfa_flow(sdk_server: LocalServer, clock: FakeClock) -> None:
    admin = _client(sdk_server).set_key(sdk_server.api_key)
    email = f"py-mfa-{uuid.uuid4().hex[:10]}@example.com"
    user = Users(admin).create(user_id=ID.unique(), email=email, password=PASSWORD)

    me = _session(sdk_server, email)
    enrolled = me.create_mfa_authenticator(type=AuthenticatorType.TOTP)
    assert enrolled.uri.startswith("otpauth://totp/test%3A") and len(enrolled.secret) == 103
    verified = me.update_mfa_authenticator(
        type=AuthenticatorType.TOTP, otp=_code(enrolled.secret, clock)
    )
    assert verified.id == user.id
    codes = me.create_mfa_recovery_codes().recoverycodes
    assert len(codes) == 6
    assert me.update_mfa(mfa=True).mfa is True

    pending = _session(sdk_server, email)
    with pytest.raises(AppwriteException) as err:
        pending.get()
    assert (err.value.code, err.value.type) == (401, "user_more_factors_required")
    factors = pending.list_mfa_factors()  # the SDK's model needs ``custom`` too
    assert (factors.totp, factors.email, factors.recoverycode) == (True, False, True)
    opened = pending.create_mfa_challenge(factor=AuthenticationFactor.TOTP)
    assert opened.userid == user.id
    with pytest.raises(AppwriteException) as err:
        pending.update_mfa_challenge(challenge_id=opened.id, otp="000000")
    assert (err.value.code, err.value.type) == (401, "user_invalid_token")
    done = pending.update_mfa_challenge(challenge_id=opened.id, otp=_code(enrolled.secret, clock))
    assert done.factors == ["password", "totp"] and done.mfaupdatedat
    assert pending.get().id == user.id

    for attempt in range(2):
        again = _session(sdk_server, email)
        ch = again.create_mfa_challenge(factor=AuthenticationFactor.RECOVERYCODE)
        if attempt == 0:
            assert again.update_mfa_challenge(challenge_id=ch.id, otp=codes[0]).factors == [
                "password",
                "recoveryCode",
            ]
        else:
            with pytest.raises(AppwriteException) as err:
                again.update_mfa_challenge(challenge_id=ch.id, otp=codes[0])
            assert err.value.type == "user_invalid_token"
    assert pending.get_mfa_recovery_codes().recoverycodes == codes[1:]


def test_python_sdk_users_mfa_routes(sdk_server: LocalServer, clock: FakeClock) -> None:
    admin = _client(sdk_server).set_key(sdk_server.api_key)
    users = Users(admin)
    email = f"py-umfa-{uuid.uuid4().hex[:10]}@example.com"
    user = users.create(user_id=ID.unique(), email=email, password=PASSWORD)
    made = users.create_mfa_recovery_codes(user_id=user.id).recoverycodes
    assert len(made) == 6
    assert users.get_mfa_recovery_codes(user_id=user.id).recoverycodes == made
    renewed = users.update_mfa_recovery_codes(user_id=user.id).recoverycodes
    assert renewed != made and len(renewed) == 6
    me = _session(sdk_server, email)
    secret = me.create_mfa_authenticator(type=AuthenticatorType.TOTP).secret
    me.update_mfa_authenticator(type=AuthenticatorType.TOTP, otp=_code(secret, clock))
    assert users.update_mfa(user_id=user.id, mfa=True).mfa is True
    assert users.list_mfa_factors(user_id=user.id).totp is True
    users.delete_mfa_authenticator(user_id=user.id, type=AuthenticatorType.TOTP)
    assert users.list_mfa_factors(user_id=user.id).totp is False
    with pytest.raises(AppwriteException) as err:
        users.delete_mfa_authenticator(user_id=user.id, type=AuthenticatorType.TOTP)
    assert err.value.type == "user_authenticator_not_found"


def _run_node(server: LocalServer, clock: FakeClock) -> dict[str, Any]:
    """Run web_sdk_mfa.mjs, answering each TOTP request with the next window's code."""
    node = shutil.which("node")
    assert node, "node is not installed (Node 20 is needed for the web SDK test)"
    assert (JS_DIR / "node_modules" / "appwrite").is_dir(), (
        "tests/js/node_modules is missing: run `make js` (npm ci in tests/js)"
    )
    proc = subprocess.Popen(
        [node, str(JS_DIR / "web_sdk_mfa.mjs"), server.endpoint, server.project],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=JS_DIR,
    )
    watchdog = threading.Timer(120, proc.kill)  # a hung script must not hang the suite
    watchdog.start()
    assert proc.stdin is not None and proc.stdout is not None
    try:
        last = ""
        for line in proc.stdout:
            message = json.loads(line)
            if "need" not in message:
                last = line
                continue
            proc.stdin.write(_code(message["secret"], clock) + "\n")
            proc.stdin.flush()
        assert proc.wait() == 0, proc.stderr.read() if proc.stderr else ""
    finally:
        watchdog.cancel()
        proc.kill()
        proc.wait()
        for stream in (proc.stdin, proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()
    result: dict[str, Any] = json.loads(last)
    return result


def test_web_sdk_mfa_flow(sdk_server: LocalServer, clock: FakeClock) -> None:
    out = _run_node(sdk_server, clock)
    assert out["ok"] is True, out.get("error")
    assert out["uriStartsWith"] is True and out["secretLength"] == 103
    assert out["wrongEnrol"] == {"code": 401, "type": "user_invalid_token"}
    assert out["codeCount"] == 6 and out["mfaOn"] is True
    assert out["pendingFactors"] == ["password"]
    assert out["pendingGet"] == {"code": 401, "type": "user_more_factors_required"}
    assert out["pendingJwt"] == {"code": 401, "type": "user_more_factors_required"}
    assert out["factors"] == {
        "totp": True,
        "phone": False,
        "email": False,
        "recoveryCode": True,
        "custom": False,
    }
    assert out["wrongCode"] == {"code": 401, "type": "user_invalid_token"}
    assert out["doneFactors"] == ["password", "totp"] and out["doneMfaUpdatedAt"] is True
    assert out["afterEmail"].startswith("web-mfa-") and out["jwtAfter"] == "string"
    assert out["recoveryUses"] == [None, {"code": 401, "type": "user_invalid_token"}]
