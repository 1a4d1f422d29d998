"""Typed, immutable views of TablesDB models: Database, Table, Column, Row and their listings.

Tolerant like the account models: unknown fields are ignored, missing ones take defaults; a
``Row`` keeps its column values (everything not starting with ``$``) in a read-only mapping.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any, ClassVar, Self

from appwrite_widgets.client._models import Listing, ModelError, json_object, parse_datetime

__all__ = [
    "Column",
    "ColumnList",
    "Database",
    "DatabaseList",
    "Row",
    "RowList",
    "Table",
    "TableList",
]


def _text(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    return value if isinstance(value, str) else ""


def _flag(data: Mapping[str, Any], key: str, default: bool = False) -> bool:
    value = data.get(key)
    return value if isinstance(value, bool) else default


def _number(data: Mapping[str, Any], key: str) -> int | None:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return int(value)


def _texts(data: Mapping[str, Any], key: str) -> tuple[str, ...]:
    value = data.get(key)
    return tuple(v for v in value if isinstance(v, str)) if isinstance(value, list) else ()


def _need_id(data: Mapping[str, Any], key: str, what: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value:
        raise ModelError(f"{what} without a '{key}'")
    return value


@dataclass(frozen=True, slots=True)
class Database:
    """A TablesDB database."""

    listed_as: ClassVar[str] = "databases"
    id: str
    name: str = ""
    enabled: bool = True
    type: str = "tablesdb"
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Self:
        """Parse Appwrite's Database JSON."""
        data = json_object(data, "Database")
        return cls(
            id=_need_id(data, "$id", "Database"),
            name=_text(data, "name"),
            enabled=_flag(data, "enabled", True),
            type=_text(data, "type") or "tablesdb",
            created_at=parse_datetime(data.get("$createdAt")),
            updated_at=parse_datetime(data.get("$updatedAt")),
        )


@dataclass(frozen=True, slots=True)
class Column:
    """A column (its type-specific fields are None when they do not apply)."""

    listed_as: ClassVar[str] = "columns"
    key: str
    type: str = ""
    status: str = ""
    required: bool = False
    array: bool = False
    size: int | None = None
    min: int | None = None
    max: int | None = None
    default: Any = None
    error: str = ""

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Self:
        """Parse any ``Column*`` JSON."""
        data = json_object(data, "Column")
        return cls(
            key=_need_id(data, "key", "Column"),
            type=_text(data, "type"),
            status=_text(data, "status"),
            required=_flag(data, "required"),
            array=_flag(data, "array"),
            size=_number(data, "size"),
            min=_number(data, "min"),
            max=_number(data, "max"),
            default=data.get("default"),
            error=_text(data, "error"),
        )


@dataclass(frozen=True, slots=True)
class Table:
    """A table: its permissions, ``row_security`` flag and columns."""

    listed_as: ClassVar[str] = "tables"
    id: str
    database_id: str = ""
    name: str = ""
    enabled: bool = True
    row_security: bool = False
    permissions: tuple[str, ...] = ()
    columns: tuple[Column, ...] = ()
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Self:
        """Parse Appwrite's Table JSON."""
        data = json_object(data, "Table")
        cols = data.get("columns")
        return cls(
            id=_need_id(data, "$id", "Table"),
            database_id=_text(data, "databaseId"),
            name=_text(data, "name"),
            enabled=_flag(data, "enabled", True),
            row_security=_flag(data, "rowSecurity"),
            permissions=_texts(data, "$permissions"),
            columns=tuple(Column.from_json(c) for c in cols) if isinstance(cols, list) else (),
            created_at=parse_datetime(data.get("$createdAt")),
            updated_at=parse_datetime(data.get("$updatedAt")),
        )


@dataclass(frozen=True, slots=True)
class Row:
    """A row: system fields plus ``data`` (its column values, read-only).

    Usage: ``row["title"]``, ``row.data.get("startsAt")``, ``row.permissions``
    """

    listed_as: ClassVar[str] = "rows"
    id: str
    table_id: str = ""
    database_id: str = ""
    sequence: str = ""
    permissions: tuple[str, ...] = ()
    created_at: datetime | None = None
    updated_at: datetime | None = None
    data: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Self:
        """Parse Appwrite's Row (or legacy Document) JSON."""
        data = json_object(data, "Row")
        values = {k: v for k, v in data.items() if isinstance(k, str) and not k.startswith("$")}
        return cls(
            id=_need_id(data, "$id", "Row"),
            table_id=_text(data, "$tableId") or _text(data, "$collectionId"),
            database_id=_text(data, "$databaseId"),
            sequence=str(data.get("$sequence", "")),
            permissions=_texts(data, "$permissions"),
            created_at=parse_datetime(data.get("$createdAt")),
            updated_at=parse_datetime(data.get("$updatedAt")),
            data=MappingProxyType(values),
        )

    def __getitem__(self, column: str) -> Any:
        return self.data[column]

    def get(self, column: str, default: Any = None) -> Any:
        """A column value, or ``default``."""
        return self.data.get(column, default)


DatabaseList = Listing[Database]
"""``databases``: from ``list_databases()``."""
TableList = Listing[Table]
"""``tables``: from ``list_tables()``."""
ColumnList = Listing[Column]
"""``columns``: from ``list_columns()``."""
RowList = Listing[Row]
"""``rows``: from ``list_rows()`` (one page; ``total`` counts every match, up to 5000)."""
