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
