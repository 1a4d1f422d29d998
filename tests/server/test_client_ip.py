"""Client IP: X-Forwarded-For only from trusted proxies, validated; bounded rate-limit memory
(issue 14, item 3)."""

from __future__ import annotations

import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest
from server_helpers import guest

from appwrite_widgets.server.local import LocalServer
from appwrite_widgets.server.security import RateLimiter


@pytest.fixture
def direct(tmp_path: Path) -> Iterator[LocalServer]:
    """Rate limits on, no trusted proxy (the default)."""
    with LocalServer(project="direct", data=tmp_path / "db.sqlite3") as srv:
        yield srv


@pytest.fixture
def proxied(tmp_path: Path) -> Iterator[LocalServer]:
    """Rate limits on, behind a proxy at 127.0.0.1 (where the tests connect from)."""
    with LocalServer(
        project="proxied", data=tmp_path / "db.sqlite3", trusted_proxies=["127.0.0.0/8"]
    ) as srv:
        yield srv


def _anonymous_ip(server: LocalServer, forwarded: str) -> str:
    with guest(server, **{"X-Forwarded-For": forwarded}) as c:
        resp = c.post("/account/sessions/anonymous")
    assert resp.status_code == 201, resp.text
    ip: str = resp.json()["ip"]
    return ip


def test_rotating_forwarded_for_does_not_escape_the_rate_limit(direct: LocalServer) -> None:
    codes = []
    with guest(direct) as c:
        for n in range(11):
            resp = c.post(
                "/account",
                json={"userId": "unique()", "email": "not-an-email", "password": "p"},
                headers={"X-Forwarded-For": f"198.51.100.{n}"},
            )
            codes.append(resp.status_code)
    assert codes == [400] * 10 + [429]


def test_forwarded_for_from_an_untrusted_peer_is_ignored(direct: LocalServer) -> None:
    assert _anonymous_ip(direct, "203.0.113.7") == "127.0.0.1"
    assert _anonymous_ip(direct, "<b>admin</b>") == "127.0.0.1"


def test_trusted_proxy_forwarded_for_is_validated(proxied: LocalServer) -> None:
    assert _anonymous_ip(proxied, "203.0.113.7") == "203.0.113.7"
    # The rightmost address the proxy did not add itself is the client's.
    assert _anonymous_ip(proxied, "192.0.2.1, 203.0.113.8, 127.0.0.1") == "203.0.113.8"
    assert _anonymous_ip(proxied, "2001:DB8:0:0::1") == "2001:db8::1"
    for junk in ("<b>admin</b>", "999.1.1.1", "203.0.113.9, not-an-ip", ""):
        assert _anonymous_ip(proxied, junk) == "127.0.0.1"


def test_rate_limiter_memory_is_bounded() -> None:
    limiter = RateLimiter(max_keys=100)
    for n in range(5000):
        limiter.hit(f"email-session:user{n}@example.com", 10, 3600, 1_800_000_000.0)
    assert len(limiter) <= 100
    for _ in range(10):
        assert limiter.hit("victim", 10, 3600, 1_800_000_000.0).allowed
    assert not limiter.hit("victim", 10, 3600, 1_800_000_000.0).allowed


def test_invalid_trusted_proxy_is_refused_up_front(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"invalid trusted proxy address 'proxy\.local'"):
        LocalServer(data=tmp_path / "x.sqlite3", trusted_proxies=["proxy.local"])


def test_rate_limiter_keeps_long_keys_short() -> None:
    limiter = RateLimiter()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for n in range(200):  # the email-session key embeds the email as sent (up to 1 MiB)
            limiter.hit(f"email-session:{n}" + "x" * 100_000, 10, 3600, 1_800_000_000.0)
        retained = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert retained < 1_000_000  # 200 keys of 100 KB would hold 20 MB
    long_key = "email-session:" + "y" * 100_000
    for _ in range(10):
        assert limiter.hit(long_key, 10, 3600, 1_800_000_000.0).allowed
    assert not limiter.hit(long_key, 10, 3600, 1_800_000_000.0).allowed
    assert limiter.hit(long_key + "z", 10, 3600, 1_800_000_000.0).allowed  # another key
    limiter.reset(long_key)
    assert limiter.hit(long_key, 10, 3600, 1_800_000_000.0).allowed
