"""The client's sign-in methods (codes, magic links, recovery, verification, identities, the
OAuth2 URL), for ``Client`` and ``AsyncClient`` (``kind``), against the real server.

Each method is one request. Mail is read from the server's outbox (no SMTP configured); the
OAuth2 round trip uses a second server with the mock provider (``seed="demo"``).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from appwrite_widgets.client import (
    Client,
    Identity,
    IdentityList,
    InvalidArgumentError,
    InvalidInputError,
    NotFoundError,
    Session,
    Token,
    UnauthorizedError,
)
from appwrite_widgets.server.local import LocalServer
from appwrite_widgets.server.mail import Mail

Connect = Callable[..., Any]
PAGE = "http://localhost:8866/app"


def _email() -> str:
    return f"cl-{uuid.uuid4().hex[:10]}@example.com"


def _mail(server: LocalServer, to: str, kind: str) -> Mail:
    return server.outbox.wait_for(lambda m: m.to == to and m.kind == kind)


def _link(mail: Mail) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(mail.url).query).items()}


def test_email_code_then_create_session_signs_the_client_in(
    connect: Connect, server: LocalServer
) -> None:
    conn = connect()
    email = _email()
    token = conn.api.create_email_token(email, phrase=True)
    assert isinstance(token, Token) and token.secret == "" and token.user_id
    assert token.phrase and token.phrase in repr(token)
    mail = _mail(server, email, "email-otp")
    assert mail.phrase == token.phrase
    session = conn.api.create_session(token.user_id, mail.code)
    assert isinstance(session, Session) and session.provider == "token"
    assert conn.api.get_account().email == email  # the client holds the new session
    assert [(r.method, r.url.path) for r in conn.requests] == [
        ("POST", "/v1/account/tokens/email"),
        ("POST", "/v1/account/sessions/token"),
        ("GET", "/v1/account"),
    ]
    other = connect()
    with pytest.raises(UnauthorizedError) as err:
        other.api.create_session(token.user_id, mail.code)  # once only
    assert err.value.type == "user_invalid_token" and mail.code not in str(err.value)


def test_magic_link_then_update_magic_url_session(connect: Connect, server: LocalServer) -> None:
    conn = connect()
    email = _email()
    token = conn.api.create_magic_url_token(
        email, url=PAGE, user_id="magic-" + uuid.uuid4().hex[:8]
    )
    assert token.user_id.startswith("magic-")
    link = _link(_mail(server, email, "magic-url"))
    session = conn.api.update_magic_url_session(link["userId"], link["secret"])
    assert session.provider == "magic-url" and conn.api.get_account().email_verification is True
    assert len(conn.requests) == 3


def test_recovery_resets_the_password(
    connect: Connect, server: LocalServer, make_user: Any
) -> None:
    user = make_user()
    conn = connect()
    token = conn.api.create_recovery(user.email, PAGE)
    assert isinstance(token, Token) and token.user_id == user.id
    link = _link(_mail(server, user.email, "recovery"))
    done = conn.api.update_recovery(link["userId"], link["secret"], "brand-new-password")
    assert done.id == token.id and done.secret == ""
    assert (
        conn.api.create_email_password_session(user.email, "brand-new-password").user_id == user.id
    )
    assert len(conn.requests) == 3


def test_verification_from_a_signed_in_client(
    connect: Connect, server: LocalServer, make_user: Any
) -> None:
    user = make_user()
    conn = connect()
    conn.api.create_email_password_session(user.email, user.password)
    sent = conn.api.create_verification(PAGE)
    assert sent.user_id == user.id
    link = _link(_mail(server, user.email, "verification"))
    guest = connect()  # the link may be opened anywhere
    assert guest.api.update_verification(link["userId"], link["secret"]).id == sent.id
    assert conn.api.get_account().email_verification is True


def test_a_page_on_an_unknown_host_is_refused_by_the_server(connect: Connect) -> None:
    conn = connect()
    with pytest.raises(InvalidArgumentError) as err:
        conn.api.create_magic_url_token(_email(), url="https://evil.example/")
    assert err.value.code == 400 and "evil.example" in str(err.value)


@pytest.mark.parametrize(
    "call",
    [
        lambda api: api.create_email_token("not-an-email"),
        lambda api: api.create_email_token("a@example.com", phrase="yes"),
        lambda api: api.create_email_token("a@example.com", user_id="-bad"),
        lambda api: api.create_magic_url_token("a@example.com", url=""),
        lambda api: api.create_recovery("a@example.com", 42),
        lambda api: api.update_recovery("u1", "secret", "short"),
        lambda api: api.update_magic_url_session("u1", "bad secret\n"),
        lambda api: api.update_verification("", "x"),
        lambda api: api.delete_identity("../x"),
        lambda api: api.list_identities(queries="not-a-list"),
    ],
)
def test_bad_input_is_refused_before_sending(connect: Connect, call: Any) -> None:
    conn = connect()
    with pytest.raises(InvalidInputError):
        call(conn.api)
    assert conn.requests == []


@pytest.fixture(scope="module")
def oauth_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    data = tmp_path_factory.mktemp("client-oauth") / "db.sqlite3"
    with LocalServer(
        project="cloauth", data=data, seed="demo", rate_limits=False, fast_hashing=True
    ) as srv:
        yield srv


def _browser(url: str, own: str) -> str:
    """Follow ``url`` like a browser while it stays on the server; the last Location."""
    with httpx.Client(timeout=30.0) as browser:
        answer = browser.get(url)
        while answer.headers.get("location", "").startswith(own):
            answer = browser.get(answer.headers["location"])
    assert answer.status_code == 301, answer.text
    return answer.headers["location"]


def test_oauth2_url_round_trip_then_identities(connect: Connect, oauth_server: LocalServer) -> None:
    conn = connect(oauth_server.endpoint, oauth_server.project)
    url = conn.api.oauth2_url("mock", success=PAGE, failure=PAGE + "?failed=1")
    assert conn.requests == []  # building the URL sends nothing
    final = _browser(url, oauth_server.endpoint.rsplit("/v1", 1)[0])
    back = {k: v[0] for k, v in parse_qs(urlsplit(final).query).items()}
    assert final.startswith(PAGE + "?secret=")
    session = conn.api.create_session(back["userId"], back["secret"])
    assert session.provider == "mock"
    identities = conn.api.list_identities()
    assert isinstance(identities, IdentityList) and identities.total == 1
    identity = identities.identities[0]
    assert isinstance(identity, Identity) and identity.provider_email == "useroauth@localhost.test"
    assert identity.provider_access_token and identity.provider_access_token not in repr(identity)
    assert identity.provider_refresh_token not in repr(identity)
    assert conn.api.delete_identity(identity.id) is None
    assert conn.api.list_identities().total == 0
    with pytest.raises(NotFoundError):
        conn.api.delete_identity(identity.id)


def test_oauth2_url_is_built_as_the_web_sdk_builds_it() -> None:
    with Client("http://127.0.0.1:8080/v1", "demo") as client:
        assert client.oauth2_url("github", success=PAGE, failure=PAGE + "?failed=1") == (
            "http://127.0.0.1:8080/v1/account/tokens/oauth2/github?success=http%3A%2F%2Flocalhost"
            "%3A8866%2Fapp&failure=http%3A%2F%2Flocalhost%3A8866%2Fapp%3Ffailed%3D1&project=demo"
        )
        scoped = client.oauth2_url("oidc", scopes=["openid", "a b*~"], token=False)
        assert scoped == (
            "http://127.0.0.1:8080/v1/account/sessions/oauth2/oidc?scopes%5B0%5D=openid"
            "&scopes%5B1%5D=a+b*%7E&project=demo"
        )
        for bad in ("GitHub", "", "git/hub", "x" * 65):
            with pytest.raises(InvalidInputError):
                client.oauth2_url(bad)
        with pytest.raises(InvalidInputError):
            client.oauth2_url("github", success="/relative")
