"""Bad input on the client side, fuzzed with hypothesis, against the real embedded server.

Oracle: the documented client rules (IDs: 1-36 of [A-Za-z0-9._-], not starting with a
punctuation mark; email: one '@', no spaces, <= 320; password: 8-256 UTF-8 bytes; text must be
encodable). Input the rules refuse raises InvalidInputError and sends **no request**; input they
accept is sent and the real server answers with a typed error, never a 500. Nothing else may
escape: not a UnicodeEncodeError, not an httpx exception, not a traceback in a widget.
"""

from __future__ import annotations

import re
import string
import warnings
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from helpers import consistent
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from reliability_helpers import new_user, page_sends, sign_in_message

from appwrite_widgets.client import (
    APIError,
    AppwriteError,
    Client,
    InvalidInputError,
    ServerError,
    calls,
)
from appwrite_widgets.session import CredentialStore, SessionContext
from appwrite_widgets.widgets import LoginForm

ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,35}")
EMAIL_RE = re.compile(r"[^@\s]+@[^@\s]+")
FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Text that slips past naive checks: separators, encodings, control and odd code points.
nasty = st.sampled_from(
    [
        "",
        " ",
        ".",
        "..",
        "../users",
        "a/b",
        "a%2Fb",
        "a?b=c",
        "a#b",
        "current/../x",
        "a" * 36,
        "a" * 37,
        "_a",
        "-a",
        "a\n",
        "a\r\nX-Injected: 1",
        "a\x00b",
        "ä",
        "\ud800",
        "a\udfffb",
        "\u202eevil",
        "💥",
        "unique()",
    ]
)
texts = st.one_of(nasty, st.text(max_size=60), st.text(alphabet=string.printable, max_size=60))
with_surrogates = st.text(
    alphabet=st.characters(categories=["Cs", "Ll", "Nd"]), min_size=1, max_size=20
)


class Recorder(httpx.BaseTransport):
    """Real transport that records what was sent (the oracle for "no request")."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.sent: list[httpx.Request] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(request)
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


@pytest.fixture
def rec(server: Any) -> Iterator[tuple[Client, Recorder]]:
    transport = Recorder()
    with Client(server.endpoint, server.project, transport=transport) as client:
        yield client, transport


def valid_id(value: object) -> bool:
    return isinstance(value, str) and ID_RE.fullmatch(value) is not None


def valid_email(value: object) -> bool:
    if not isinstance(value, str) or not value.strip() or len(value) > 320:
        return False
    return EMAIL_RE.fullmatch(value) is not None and encodable(value)


def valid_password(value: object) -> bool:
    return isinstance(value, str) and encodable(value) and 8 <= len(value.encode("utf-8")) <= 256


def encodable(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


session_ids = st.one_of(
    texts, st.from_regex(ID_RE, fullmatch=True), st.integers(), st.binary(max_size=8)
)


@FUZZ
@given(sid=session_ids)
def test_session_ids_on_the_client(rec: Any, sid: Any) -> None:
    client, transport = rec
    transport.sent.clear()
    for method in (client.get_session, client.delete_session, client.update_session):
        if sid == "current":
            continue
        try:
            method(sid)
        except InvalidInputError as exc:
            assert not valid_id(sid), (sid, exc)
            assert transport.sent == []
            assert "Traceback" not in str(exc)
        except APIError as exc:  # sent and answered (401: nobody is signed in)
            assert valid_id(sid) and not isinstance(exc, ServerError), (sid, exc)
            assert len(transport.sent) == 1
            # The ID stayed one path segment.
            assert transport.sent[0].url.raw_path.count(b"/") == 4
        else:
            pytest.fail(f"{method.__name__}({sid!r}) succeeded while signed out")
        transport.sent.clear()


@FUZZ
@given(sid=session_ids)
def test_session_ids_through_the_context(
    server: Any, api: httpx.Client, admin_session: Any, sid: Any, tmp_path_factory: Any
) -> None:
    ctx, transport = admin_session
    if sid in ("current", ctx.session.id):
        return
    transport.sent.clear()
    try:
        ctx.logout(sid)
    except InvalidInputError:
        assert not valid_id(sid) and transport.sent == []
        # A sessions-list action: the refusal is the caller's (a panel shows it in place).
        assert ctx.error == "" and ctx.status.startswith("Signed in as")
    except APIError as exc:
        assert valid_id(sid) and not isinstance(exc, ServerError), exc
        assert [r.method for r in transport.sent] == ["DELETE"]
    else:  # an unknown ID is Appwrite's 404, which counts as "already gone"
        assert valid_id(sid) and [r.method for r in transport.sent] == ["DELETE"]
    assert ctx.is_authenticated and consistent(ctx) and not ctx.busy


@pytest.fixture
def admin_session(server: Any, api: httpx.Client, tmp_path: Any) -> Iterator[Any]:
    """A signed-in context (session made with the API key: no argon2)."""
    user = new_user(api)
    transport = Recorder()
    with (
        Client(server.endpoint, server.project, api_key=server.api_key) as admin,
        Client(server.endpoint, server.project, transport=transport) as client,
    ):
        client.set_session(admin.create_user_session(user.id).secret)
        ctx = SessionContext(client, credentials_store=CredentialStore(tmp_path / "c"))
        assert ctx.refresh() is not None
        yield ctx, transport


@FUZZ
@given(
    email=st.one_of(texts, st.emails(), with_surrogates.map(lambda t: t + "@example.com")),
    password=st.one_of(texts, with_surrogates, st.text(min_size=8, max_size=300), st.none()),
)
@example(email="ada@example.com", password="pass\ud800word")
@example(email="ad\udc80a@example.com", password="long-enough-password")
def test_emails_and_passwords_through_the_context(
    server: Any, tmp_path: Any, email: Any, password: Any
) -> None:
    transport = Recorder()
    with Client(server.endpoint, server.project, transport=transport) as client:
        ctx = SessionContext(client, credentials_store=CredentialStore(tmp_path / "c"))
        try:
            ctx.login(email, password)
        except InvalidInputError as exc:
            assert not (valid_email(email) and valid_password(password)), exc
            assert transport.sent == []
        except APIError as exc:
            assert valid_email(email) and valid_password(password)
            assert not isinstance(exc, ServerError), exc
            assert [r.url.path for r in transport.sent] == ["/v1/account/sessions/email"]
        else:
            pytest.fail("signed in with fuzzed credentials")
        assert not ctx.is_authenticated and consistent(ctx) and not ctx.busy
        assert ctx.error and "Traceback" not in ctx.error
        if isinstance(password, str) and len(password) >= 4:
            assert password not in ctx.error


@FUZZ
@given(email=texts, password=st.one_of(texts, with_surrogates))
@example(email="ada@example.com", password="pass\ud800word")
def test_login_form_never_lets_an_exception_out(
    server: Any, tmp_path: Any, email: str, password: str
) -> None:
    transport = Recorder()
    with Client(server.endpoint, server.project, transport=transport) as client:
        ctx = SessionContext(client, credentials_store=CredentialStore(tmp_path / "c"))
        form = LoginForm(ctx)
        try:
            page_sends(form, sign_in_message(email, password))  # fails if a handler raised
            assert not ctx.is_authenticated and consistent(ctx) and not form.busy
            if email.strip() and password:
                assert ctx.error and "Something went wrong" not in ctx.error, ctx.error
            if not (valid_email(email.strip()) and valid_password(password)):
                assert transport.sent == []
        finally:
            form.close()


hosts = st.one_of(
    texts,
    st.from_regex(r"[a-z0-9.-]{1,30}", fullmatch=True),
    st.sampled_from(["xn--", "xn--a", "\u0378", "[::1]", "[::1", "127.0.0.1:99999", "a:b"]),
)
endpoints = st.one_of(
    texts,
    st.builds(
        lambda scheme, host, port, path: f"{scheme}://{host}{port}{path}",
        st.sampled_from(["http", "https", "HTTP", "ftp", "javascript", ""]),
        hosts,
        st.sampled_from(["", ":0", ":443", ":-1", ":65536", ":abc"]),
        st.sampled_from(["/v1", "/v1/", "", "/v1?x=1", "/v1#f", "/ v1"]),
    ),
    st.integers(),
    st.none(),
)


@FUZZ
@given(endpoint=endpoints, project=st.one_of(session_ids, st.just("test")))
def test_endpoints_and_projects(endpoint: Any, project: Any) -> None:
    """Construction either refuses (InvalidInputError) or gives a client whose requests can be
    built; no request is sent while constructing."""
    transport = Recorder()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # plain http to a non-local host
        try:
            client = Client(endpoint, project, transport=transport)
        except InvalidInputError as exc:
            assert "Traceback" not in str(exc)
            assert not valid_id(project) or not isinstance(endpoint, str) or exc.message
            return
    with client:
        assert valid_id(project)
        call = client._core.prepare(
            calls.get_account()
        )  # sans-I/O: the request every call would send
        assert call.request.url.scheme in ("http", "https")
        assert transport.sent == []


def test_errors_never_carry_the_refused_value() -> None:
    """Validation messages name the rule, not the value (which may be a pasted secret)."""
    secret = "sk-this-looks-like-a-secret-Ω"
    with Client("http://127.0.0.1:9/v1", "test") as client:
        for call in (
            lambda: client.get_session(secret),
            lambda: client.create_email_password_session(secret, "x"),
            lambda: client.create_email_password_session("a@b.c", secret + "\ud800"),
        ):
            with pytest.raises(InvalidInputError) as caught:
                call()
            assert secret not in str(caught.value) and isinstance(caught.value, AppwriteError)
