"""``set_user_agent``: a page's companion makes requests carry the browser's User-Agent."""

from __future__ import annotations

from typing import Any

import pytest
from helpers import CountingTransport

from appwrite_widgets.client import Client, InvalidInputError

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0"


def test_user_agent_is_sent_shared_with_the_twin_and_copied_to_siblings(
    server: Any, make_user: Any
) -> None:
    user = make_user()
    transport = CountingTransport()
    with Client(server.endpoint, server.project, transport=transport) as client:
        default = client.user_agent
        assert default.startswith("appwrite-widgets/")
        client.set_user_agent(BROWSER)
        session = client.create_email_password_session(user.email, user.password)
        assert transport.sent[-1].headers["user-agent"] == BROWSER
        assert client.twin().user_agent == BROWSER
        token = client.session_token
        assert token is not None
        sibling = client.with_session(token)
        assert sibling.user_agent == BROWSER
        assert sibling.get_session("current").client_name == "Firefox"
        sibling.close()
        assert session.client_name == "Firefox" and session.os_name == "GNU/Linux"
        client.set_user_agent(None)
        client.get_account()
        assert transport.sent[-1].headers["user-agent"] == default


@pytest.mark.parametrize("bad", ["", "   ", "a\nb", "caf\u00e9", "x" * 513, 7])
def test_an_unusable_user_agent_is_refused_and_changes_nothing(server: Any, bad: Any) -> None:
    with Client(server.endpoint, server.project) as client:
        before = client.user_agent
        with pytest.raises(InvalidInputError, match="user_agent"):
            client.set_user_agent(bad)
        assert client.user_agent == before
