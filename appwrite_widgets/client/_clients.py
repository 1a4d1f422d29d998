"""The public ``Client`` and ``AsyncClient``: the two shells, each with its ``twin()``.

The shells never import each other (``_sync.py`` is generated from ``_async.py``); this module
imports both, so each class can name the other.
"""

from __future__ import annotations

import httpx

from appwrite_widgets.client._async import AsyncClientShell
from appwrite_widgets.client._sync import ClientShell

__all__ = ["AsyncClient", "Client"]


class Client(ClientShell):
    """Blocking Appwrite client: Account, Users, Teams and TablesDB.

    Usage::

        with Client("https://cloud.appwrite.io/v1", "my-project") as client:
            client.create_email_password_session("ada@example.com", "s3cret-pass")
            print(client.get_account().name)

    **Parameters:**

    * **endpoint** - API root including ``/v1``.
    * **project** - project ID (``X-Appwrite-Project``).
    * **api_key** - *(optional)* server API key for the Users/Teams admin calls.
    * **session** - *(optional)* a stored session token, sent as ``X-Appwrite-Session``.
    * **timeout** - seconds (or ``httpx.Timeout``) per request.
    * **transport** - *(optional)* an ``httpx.BaseTransport`` (tests, proxies).
    * **locale** - *(optional)* ``X-Appwrite-Locale`` for translated fields.
    """

    is_async = False

    def twin(self, transport: httpx.AsyncBaseTransport | None = None) -> AsyncClient:
        """An :class:`AsyncClient` sharing this client's configuration and credential."""
        return AsyncClient._from_core(self._core, transport)


class AsyncClient(AsyncClientShell):
    """Async Appwrite client (asyncio or trio): the methods of :class:`Client`, awaited.

    Usage::

        async with AsyncClient("https://cloud.appwrite.io/v1", "my-project") as client:
            await client.create_email_password_session("ada@example.com", "s3cret-pass")
            print((await client.get_account()).name)

    Takes the parameters of :class:`Client`; ``transport`` is an ``httpx.AsyncBaseTransport``.
    """

    is_async = True

    def twin(self, transport: httpx.BaseTransport | None = None) -> Client:
        """A blocking :class:`Client` sharing this client's configuration and credential."""
        return Client._from_core(self._core, transport)
