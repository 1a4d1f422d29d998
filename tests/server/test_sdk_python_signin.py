"""The official Python SDK (PyPI ``appwrite`` 27) through every sign-in method of the server.

Mail goes to a local SMTP catcher; the OAuth2 URL the SDK returns is followed by hand.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import httpx
import pytest
from appwrite.client import Client
from appwrite.id import ID
from appwrite.services.account import Account
from appwrite.services.users import Users
from signin_helpers import FAILURE, PAGE, follow, mail_to, query

from appwrite_widgets.server.local import LocalServer


@pytest.fixture(scope="module")
def srv(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    data = tmp_path_factory.mktemp("pysdk") / "db.sqlite3"
    with LocalServer(
        project="pysdk", data=data, seed="demo", smtp="catch", rate_limits=False, fast_hashing=True
    ) as server:
        yield server


def _guest(srv: LocalServer) -> Client:
    return Client().set_endpoint(srv.endpoint).set_project(srv.project)


def _admin(srv: LocalServer) -> Client:
    return _guest(srv).set_key(srv.api_key)


def _email() -> str:
    return f"py-{uuid.uuid4().hex[:10]}@example.com"


def test_email_token_and_create_session(srv: LocalServer) -> None:
    email = _email()
    token = Account(_guest(srv)).create_email_token(user_id=ID.unique(), email=email)
    assert token.secret == "" and token.userid
    code = mail_to(srv, email, "email-otp").code
    session = Account(_guest(srv)).create_session(user_id=token.userid, secret=code)
    assert session.userid == token.userid and session.provider == "token"
    assert session.factors == ["email"] and session.current is True


def test_magic_url_token_and_update_magic_url_session(srv: LocalServer) -> None:
    email = _email()
    token = Account(_guest(srv)).create_magic_url_token(user_id=ID.unique(), email=email, url=PAGE)
    params = query(mail_to(srv, email, "magic-url").url)
    assert params["userId"] == token.userid
    with pytest.warns(DeprecationWarning):  # deprecated by the SDK since 1.6, still served
        session = Account(_guest(srv)).update_magic_url_session(
            user_id=params["userId"], secret=params["secret"]
        )
    assert session.provider == "magic-url"


def test_recovery(srv: LocalServer) -> None:
    email = _email()
    user = Users(_admin(srv)).create(user_id=ID.unique(), email=email, password="py-password-1")
    token = Account(_guest(srv)).create_recovery(email=email, url=PAGE)
    assert token.userid == user.id and token.secret == ""
    secret = query(mail_to(srv, email, "recovery").url)["secret"]
    done = Account(_guest(srv)).update_recovery(
        user_id=user.id, secret=secret, password="py-password-2"
    )
    assert done.id == token.id
    session = Account(_admin(srv)).create_email_password_session(
        email=email, password="py-password-2"
    )
    assert Account(_guest(srv).set_session(session.secret)).get().emailverification is True


def test_verification(srv: LocalServer) -> None:
    email = _email()
    user = Users(_admin(srv)).create(user_id=ID.unique(), email=email, password="py-password-1")
    session = Account(_admin(srv)).create_email_password_session(
        email=email, password="py-password-1"
    )
    me = _guest(srv).set_session(session.secret)
    sent = Account(me).create_email_verification(url=PAGE)
    assert sent.userid == user.id
    link = query(mail_to(srv, email, "verification").url)
    verified = Account(_guest(srv)).update_email_verification(
        user_id=user.id, secret=link["secret"]
    )
    assert verified.id == sent.id
    assert Account(me).get().emailverification is True


def test_oauth2_token_url_followed_by_hand_then_identities(srv: LocalServer) -> None:
    location = Account(_guest(srv)).create_o_auth2_token(
        provider="mock", success=PAGE, failure=FAILURE
    )
    assert location.startswith(srv.endpoint + "/mock/tests/general/oauth2?")
    own = srv.endpoint.rsplit("/v1", 1)[0]
    with httpx.Client(timeout=30.0) as browser:
        final = follow(browser, location, stop_outside=own)[-1]
    params = query(final.headers["location"])
    session = Account(_admin(srv)).create_session(user_id=params["userId"], secret=params["secret"])
    assert session.provider == "mock" and session.secret
    me = _guest(srv).set_session(session.secret)
    identities = Account(me).list_identities()
    assert identities.total == 1
    assert identities.identities[0].provider == "mock"
    assert identities.identities[0].provideremail == "useroauth@localhost.test"
    Account(me).delete_identity(identity_id=identities.identities[0].id)
    assert Account(me).list_identities().total == 0


def test_anonymous_session(srv: LocalServer) -> None:
    session = Account(_guest(srv)).create_anonymous_session()
    assert session.provider == "anonymous" and session.factors == ["anonymous"]
