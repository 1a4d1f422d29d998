"""Builders for Appwrite list queries (each query is a JSON string, sent as ``queries[]``)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from appwrite_widgets.client._errors import InvalidInputError

__all__ = ["Query"]

_Scalar = str | int | float | bool


def _check_attribute(attribute: object) -> str:
    if not isinstance(attribute, str) or not attribute:
        raise InvalidInputError("Query attribute must be a non-empty string.")
    return attribute


def _check_count(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidInputError(f"Query.{what}() needs a non-negative integer.")
    return value


def _dump(method: str, attribute: str | None = None, values: list[Any] | None = None) -> str:
    query: dict[str, Any] = {"method": method}
    if attribute is not None:
        query["attribute"] = attribute
    if values is not None:
        query["values"] = values
    return json.dumps(query, separators=(",", ":"), ensure_ascii=False)


class Query:
    """Build the query strings Appwrite list endpoints accept.

    Usage: ``client.list_users(queries=[Query.equal("labels", "admin"), Query.limit(10)])``
    """

    @staticmethod
    def limit(n: int) -> str:
        """At most ``n`` results."""
        return _dump("limit", values=[_check_count(n, "limit")])

    @staticmethod
    def offset(n: int) -> str:
        """Skip the first ``n`` results."""
        return _dump("offset", values=[_check_count(n, "offset")])

    @staticmethod
    def cursor_after(document_id: str) -> str:
        """Results after the document with this ID (cursor pagination)."""
        if not isinstance(document_id, str) or not document_id:
            raise InvalidInputError("Query.cursor_after() needs a non-empty ID string.")
        return _dump("cursorAfter", values=[document_id])

    @staticmethod
    def equal(attribute: str, value: _Scalar | Sequence[_Scalar]) -> str:
        """``attribute`` equals the value (or any of the values)."""
        values = [value] if isinstance(value, _Scalar) else list(value)
        return _dump("equal", _check_attribute(attribute), values)

    @staticmethod
    def order_asc(attribute: str) -> str:
        """Sort ascending by ``attribute``."""
        return _dump("orderAsc", _check_attribute(attribute))

    @staticmethod
    def order_desc(attribute: str) -> str:
        """Sort descending by ``attribute``."""
        return _dump("orderDesc", _check_attribute(attribute))

    @staticmethod
    def search(attribute: str, text: str) -> str:
        """Full-text search of ``text`` in ``attribute``."""
        if not isinstance(text, str):
            raise InvalidInputError("Query.search() needs a string.")
        return _dump("search", _check_attribute(attribute), [text])
