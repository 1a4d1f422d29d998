"""The official web SDK (npm ``appwrite`` 28 on Node 20) against the embedded server."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from appwrite_widgets.server.local import LocalServer

JS_DIR = Path(__file__).resolve().parents[1] / "js"


def test_web_sdk_signs_up_in_lists_and_signs_out_via_fallback_cookies(server: LocalServer) -> None:
    node = shutil.which("node")
    assert node, "node is not installed (Node 20 is needed for the web SDK test)"
    assert (JS_DIR / "node_modules" / "appwrite").is_dir(), (
        "tests/js/node_modules is missing: run `make js` (npm ci in tests/js)"
    )
    proc = subprocess.run(
        [node, str(JS_DIR / "web_sdk_flow.mjs"), server.endpoint, server.project],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=JS_DIR,
    )
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["ok"] is True, out.get("error")
    assert out["getEmail"] == out["signupEmail"]
    assert out["sessionSecret"] == "" and out["sessionCurrent"] is True
    assert out["fallbackStored"] is True
    assert out["listTotal"] == 2 and out["listCurrent"] == [out["sessionId"]]
    assert out["afterOtherDelete"] == [out["sessionId"]]
    assert out["fallbackAfterLogout"] == "[]"
    assert out["getAfterLogout"] == {"code": 401, "type": "general_unauthorized_scope"}


def test_web_sdk_subscribe_account_hears_its_session_deleted(server: LocalServer) -> None:
    """``client.subscribe('account', …)`` of the web SDK (``ws`` as Node's WebSocket) receives
    ``users.<U>.sessions.<S>.delete`` when another device revokes its session."""
    node = shutil.which("node")
    assert node, "node is not installed (Node 20 is needed for the web SDK test)"
    assert (JS_DIR / "node_modules" / "ws").is_dir(), (
        "tests/js/node_modules is missing: run `make js` (npm ci in tests/js)"
    )
    proc = subprocess.run(
        [node, str(JS_DIR / "web_sdk_realtime.mjs"), server.endpoint, server.project],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=JS_DIR,
    )
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["ok"] is True, out.get("error")
    assert out["subscribed"] is True and out["deleteStatus"] == 204
    assert out["heardDelete"] is True
    assert out["deleteChannels"] == ["account", f"account.{out['userId']}"]
    assert out["deletePayloadId"] == out["sessionId"] and out["deleteHasTimestamp"] is True


def test_web_sdk_sign_in_methods_with_mail_from_a_local_smtp_catcher(tmp_path: Path) -> None:
    """``createEmailToken``/``createSession``, ``createMagicURLToken``/``updateMagicURLSession``,
    ``createVerification``/``updateVerification``, ``createRecovery``/``updateRecovery``,
    ``createOAuth2Token`` (its URL followed by hand), ``listIdentities`` and
    ``createAnonymousSession``. The script asks for each mail on stdout; it is read from the
    SMTP catcher the server sends to and handed back on stdin."""
    node = shutil.which("node")
    assert node, "node is not installed (Node 20 is needed for the web SDK test)"
    assert (JS_DIR / "node_modules" / "appwrite").is_dir(), (
        "tests/js/node_modules is missing: run `make js` (npm ci in tests/js)"
    )
    page = "http://localhost:8866/app"
    with LocalServer(
        project="websdk",
        data=tmp_path / "db.sqlite3",
        seed="demo",
        smtp="catch",
        rate_limits=False,
        fast_hashing=True,
    ) as srv:
        out: dict[str, object] = {}
        with subprocess.Popen(
            [node, str(JS_DIR / "web_sdk_signin.mjs"), srv.endpoint, srv.project, page],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=JS_DIR,
        ) as proc:
            assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None
            try:
                for line in proc.stdout:
                    message = json.loads(line)
                    if "need" not in message:
                        out = message
                        break
                    mail = srv.mailcatcher.wait_for(
                        lambda m, msg=message: m.to == msg["to"] and m.kind == msg["need"]
                    )
                    proc.stdin.write(json.dumps({"code": mail.code, "url": mail.url}) + "\n")
                    proc.stdin.flush()
                assert proc.wait(timeout=120) == 0, proc.stderr.read()
            finally:
                if proc.poll() is None:
                    proc.kill()
    assert out["ok"] is True, out.get("error")
    assert out["anonProvider"] == "anonymous"
    assert out["tokenSecret"] == "" and out["otpProvider"] == "token" and out["otpEmail"] is True
    assert out["otpSecondUse"] == 401  # a code signs in once
    assert out["magicProvider"] == "magic-url"
    assert out["verificationUser"] is True and out["verified"] is True
    assert out["recovered"] is True
    assert out["oauthUrl"] == (
        f"{srv.endpoint}/account/tokens/oauth2/mock?success=http%3A%2F%2Flocalhost%3A8866%2Fapp"
        "&failure=http%3A%2F%2Flocalhost%3A8866%2Fapp%3Ffailed%3D1&project=websdk"
    )
    assert out["hops"] == [301, 301, 301, 301]
    assert out["finalLocation"].startswith(page + "?secret=")
    assert out["oauthProvider"] == "mock"
    assert out["identities"] == [["mock", "useroauth@localhost.test"]]
