"""Mail over SMTP: ``serve --smtp``/``--oauth2``, ``LocalServer(smtp="catch")``, invitations,
long links and the settings' own checks. Every message goes through a real local SMTP
server (aiosmtpd)."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from signin_helpers import PAGE, mail_to, post, query, token_of

from appwrite_widgets.server.local import LocalServer
from appwrite_widgets.server.mail import Mail, MailCatcher, SmtpSettings


def _serve(*args: str) -> tuple[subprocess.Popen[str], dict[str, str]]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "appwrite_widgets", "serve", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    info: dict[str, str] = {}
    for line in proc.stdout:  # blocks until the banner's last line
        key, _, value = line.strip().partition(": ")
        info[key] = value
        if key == "data":
            break
    return proc, info


def test_serve_sends_mail_to_the_smtp_server_and_names_providers_not_secrets(
    tmp_path: Path,
) -> None:
    secret = "gh-secret-do-not-print"
    settings = tmp_path / "oauth2.json"
    settings.write_text(json.dumps({"github": {"client_id": "gh", "client_secret": secret}}))
    with MailCatcher() as catcher:
        proc, info = _serve(
            "--data",
            str(tmp_path / "db.sqlite3"),
            "--seed",
            "demo",
            "--smtp",
            catcher.address,
            "--oauth2",
            str(settings),
        )
        try:
            assert info["smtp"] == catcher.address
            assert info["oauth2"] == "github, mock"
            body = {"userId": "unique()", "email": "cli@example.com"}
            resp = httpx.post(
                info["endpoint"] + "/account/tokens/email",
                json=body,
                headers={"X-Appwrite-Project": "demo"},
            )
            assert resp.status_code == 201
            mail = catcher.wait_for(lambda m: m.to == "cli@example.com")
            assert mail.kind == "email-otp" and len(mail.code) == 6
        finally:
            proc.send_signal(signal.SIGTERM)
            out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0
    assert secret not in out + err + json.dumps(info)


def test_serve_smtp_catch_runs_a_mail_catcher(tmp_path: Path) -> None:
    proc, info = _serve("--data", str(tmp_path / "db.sqlite3"), "--smtp", "catch")
    try:
        host, _, port = info["mail catcher"].rpartition(":")
        assert host == "127.0.0.1" and int(port) > 0
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=30)
    assert proc.returncode == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read the OAuth2 settings"),
        ("{not json", "are not valid JSON"),
        ('{"github": {"client_id": "x", "secret": "s3cr3t-value"}}', "unknown setting 'secret'"),
    ],
)
def test_serve_refuses_bad_oauth2_settings_without_a_traceback_or_the_secret(
    tmp_path: Path, content: str | None, message: str
) -> None:
    path = tmp_path / "oauth2.json"
    if content is not None:
        path.write_text(content)
    done = subprocess.run(
        [sys.executable, "-m", "appwrite_widgets", "serve", "--port", "0", "--oauth2", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1 and message in done.stderr
    assert "Traceback" not in done.stderr and "s3cr3t-value" not in done.stderr


def test_team_invitations_go_over_smtp(tmp_path: Path) -> None:
    with LocalServer(
        project="invites", data=tmp_path / "db.sqlite3", smtp="catch", fast_hashing=True
    ) as srv:
        key = {"X-Appwrite-Key": srv.api_key}
        owner = {"userId": "owner", "email": "owner@example.com", "password": "owner-password"}
        assert post(srv, "/users", owner, **key).status_code == 201
        signed = post(
            srv, "/account/sessions/email", {"email": owner["email"], "password": owner["password"]}
        )
        session = {"X-Appwrite-Session": token_of(signed, srv.project)}
        team = post(srv, "/teams", {"teamId": "crew", "name": "Crew"}, **session)
        assert team.status_code == 201
        invite = {"email": "guest@example.com", "roles": ["member"], "url": PAGE}
        assert post(srv, "/teams/crew/memberships", invite, **session).status_code == 201
        mail = mail_to(srv, "guest@example.com", "invitation")
        assert mail.subject == "Invitation to join Crew"
        assert query(mail.url)["teamId"] == "crew" and query(mail.url)["secret"]
        assert srv.outbox.messages() == []


def test_a_long_link_survives_smtp_encoding(tmp_path: Path) -> None:
    long_page = PAGE + "?" + "&".join(f"p{n}=value-{n:04d}" for n in range(80))
    with LocalServer(project="longlink", data=tmp_path / "db.sqlite3", smtp="catch") as srv:
        body = {"userId": "unique()", "email": "long@example.com", "url": long_page}
        resp = post(srv, "/account/tokens/magic-url", body, **{"X-Appwrite-Key": srv.api_key})
        assert resp.status_code == 201
        mail = mail_to(srv, "long@example.com", "magic-url")
    assert len(mail.url) > 1200 and mail.url.startswith(long_page + "&userId=")
    assert query(mail.url)["secret"] == resp.json()["secret"]  # a key sees the secret


def test_smtp_settings_parse_and_hide_the_password() -> None:
    settings = SmtpSettings.parse(
        "[::1]:2525", username="u", password="hunter22", security="starttls"
    )
    assert settings.address == "[::1]:2525" and "hunter22" not in repr(settings)
    for bad in ("localhost", "host:0", "host:99999", "a b:25", ""):
        with pytest.raises(ValueError):
            SmtpSettings.parse(bad)
    with pytest.raises(ValueError):
        SmtpSettings("h", 25, security="tls")
    mail = Mail("a@example.com", "Subject", url="http://x/?secret=abc", kind="magic-url")
    assert "secret" not in repr(mail) and "http://x/?secret=abc" in mail.text
    assert '<a href="http://x/?secret=abc">' in mail.html
    hostile = Mail("a@example.com", "S", url='http://x/"><script>', kind="magic-url")
    assert "<script>" not in hostile.html
