"""Who is signed in: :class:`SessionContext`, its remember-me store and :class:`TableData`.

The widgets import from here (never from the private modules): the context, the flows that
drive an action with either client, and the sentences the context shows people.
"""

from __future__ import annotations

from appwrite_widgets.session._clientpair import ClientPair
from appwrite_widgets.session._context import SessionContext
from appwrite_widgets.session._credentials import CredentialStore, CredentialStoreError
from appwrite_widgets.session._device import (
    Device,
    Hello,
    Link,
    OAuth2Failure,
    Purpose,
    page_address,
    parse_hello,
    parse_link,
    parse_oauth2_failure,
    return_to,
    storage_key,
)
from appwrite_widgets.session._flows import Flow, adrive, drive, request, running_loop
from appwrite_widgets.session._messages import (
    CANT_REACH,
    EXPIRES_SOON,
    KEY_REFUSED,
    MAY_BE_ALIVE,
    NOT_SIGNED_IN,
    OAUTH2_BLOCKED,
    OAUTH2_CLOSED,
    OAUTH2_FAILED,
    SESSION_ENDED,
    SESSION_EXPIRED,
    SIGNED_OUT_ELSEWHERE,
    WRONG_CREDENTIALS,
    describe,
)
from appwrite_widgets.session._mfa import KEEPS_SESSION
from appwrite_widgets.session._observers import Names
from appwrite_widgets.session._table_data import TableData, caller_roles

__all__ = [
    "CANT_REACH",
    "EXPIRES_SOON",
    "KEEPS_SESSION",
    "KEY_REFUSED",
    "MAY_BE_ALIVE",
    "NOT_SIGNED_IN",
    "OAUTH2_BLOCKED",
    "OAUTH2_CLOSED",
    "OAUTH2_FAILED",
    "SESSION_ENDED",
    "SESSION_EXPIRED",
    "SIGNED_OUT_ELSEWHERE",
    "WRONG_CREDENTIALS",
    "ClientPair",
    "CredentialStore",
    "CredentialStoreError",
    "Device",
    "Flow",
    "Hello",
    "Link",
    "Names",
    "OAuth2Failure",
    "Purpose",
    "SessionContext",
    "TableData",
    "adrive",
    "caller_roles",
    "describe",
    "drive",
    "page_address",
    "parse_hello",
    "parse_link",
    "parse_oauth2_failure",
    "request",
    "return_to",
    "running_loop",
    "storage_key",
]
