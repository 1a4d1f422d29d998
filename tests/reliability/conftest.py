"""Fixtures of the reliability tests; the fault-injection machinery is in reliability_helpers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from reliability_helpers import (
    AsyncFaultInjector,
    FaultInjector,
    FaultPlan,
    FaultPorts,
)

from appwrite_widgets.client import AsyncClient, Client
from appwrite_widgets.session import CredentialStore, SessionContext


@pytest.fixture(scope="session")
def fault_ports() -> Iterator[FaultPorts]:
    ports = FaultPorts()
    yield ports
    ports.close()


@pytest.fixture
def plan(fault_ports: FaultPorts) -> FaultPlan:
    return FaultPlan(fault_ports)


@pytest.fixture
def make_faulty_ctx(
    server: Any, plan: FaultPlan, store: CredentialStore
) -> Iterator[Callable[..., SessionContext]]:
    """``make_faulty_ctx(asynchronous=False, **kw)``: a context whose every request (revocations
    included: they go through the same client) goes through ``plan``."""
    made: list[Any] = []

    def factory(*, asynchronous: bool = False, **kwargs: Any) -> SessionContext:
        client: Any
        if asynchronous:
            transport = AsyncFaultInjector(plan)
            client = AsyncClient(server.endpoint, server.project, transport=transport)
        else:
            client = Client(server.endpoint, server.project, transport=FaultInjector(plan))
        made.append(client)
        kwargs.setdefault("credentials_store", store)
        ctx = SessionContext(client, **kwargs)
        return ctx

    yield factory
    for client in made:
        if isinstance(client, Client):
            client.close()
