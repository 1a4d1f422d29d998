"""Set-up helpers for the TablesDB server tests (raw httpx with the API key)."""

from __future__ import annotations

import uuid
from typing import Any, NamedTuple

import httpx


class TableRef(NamedTuple):
    """A database + table created for one test; ``rows`` is the rows path."""

    db: str
    table: str

    @property
    def path(self) -> str:
        """``/tablesdb/{db}/tables/{table}``."""
        return f"/tablesdb/{self.db}/tables/{self.table}"

    @property
    def rows(self) -> str:
        """``…/rows``."""
        return self.path + "/rows"


EVENT_COLUMNS: list[dict[str, Any]] = [
    {"key": "title", "type": "varchar", "size": 64, "required": True},
    {"key": "startsAt", "type": "datetime", "required": False},
    {"key": "seats", "type": "integer", "required": False, "min": 0, "max": 500},
    {"key": "open", "type": "boolean", "required": False, "default": True},
    {"key": "tags", "type": "varchar", "size": 16, "required": False, "array": True},
]


def new_table(
    api: httpx.Client,
    *,
    permissions: list[str] | None = None,
    row_security: bool = False,
    columns: list[dict[str, Any]] | None = None,
    enabled: bool = True,
) -> TableRef:
    """A fresh database with one table (inline columns, default: the events columns)."""
    ref = TableRef("db" + uuid.uuid4().hex[:10], "t" + uuid.uuid4().hex[:10])
    resp = api.post("/tablesdb", json={"databaseId": ref.db, "name": "Test DB"})
    assert resp.status_code == 201, resp.text
    body: dict[str, Any] = {
        "tableId": ref.table,
        "name": "Events",
        "permissions": permissions or [],
        "rowSecurity": row_security,
        "enabled": enabled,
        "columns": EVENT_COLUMNS if columns is None else columns,
    }
    resp = api.post(f"/tablesdb/{ref.db}/tables", json=body)
    assert resp.status_code == 201, resp.text
    return ref


def add_row(
    client: httpx.Client, ref: TableRef, data: dict[str, Any], **extra: Any
) -> dict[str, Any]:
    """Create a row (201 asserted) and return its body."""
    resp = client.post(ref.rows, json={"rowId": "unique()", "data": data, **extra})
    assert resp.status_code == 201, resp.text
    body: dict[str, Any] = resp.json()
    return body
