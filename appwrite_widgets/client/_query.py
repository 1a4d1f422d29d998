"""Builders for Appwrite list queries (each query is a JSON string, sent as ``queries[]``).

The strings are byte-for-byte what the official Python SDK's ``Query`` builds (compact JSON,
``attribute`` and ``values`` omitted when absent, non-ASCII escaped), so a query written for
either client works with both.
"""

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


def _check_id(value: object, what: str) -> str:
    if not isinstance(value, str) or not value:
        raise InvalidInputError(f"Query.{what}() needs a non-empty ID string.")
    return value


def _values(value: object, what: str) -> list[Any]:
    """A scalar becomes ``[value]``, a list/tuple its items (the SDK's rule)."""
    items = list(value) if isinstance(value, list | tuple) else [value]
    for item in items:
        if item is not None and not isinstance(item, _Scalar):
            raise InvalidInputError(f"Query.{what}() values must be strings, numbers or booleans.")
    return items


def _dump(method: str, attribute: str | None = None, values: list[Any] | None = None) -> str:
    query: dict[str, Any] = {"method": method}
    if attribute is not None:
        query["attribute"] = attribute
    if values is not None:
        query["values"] = values
    return json.dumps(query, separators=(",", ":"))


def _nested(queries: Sequence[str], what: str) -> list[Any]:
    if isinstance(queries, str) or not isinstance(queries, Sequence):
        raise InvalidInputError(f"Query.{what}() needs a list of query strings.")
    out = []
    for text in queries:
        try:
            out.append(json.loads(text))
        except (TypeError, ValueError):
            raise InvalidInputError(f"Query.{what}() needs query strings built by Query.") from None
    return out


class Query:
    """Build the query strings Appwrite list endpoints accept.

    Usage: ``client.list_rows("demo", "events", queries=[Query.equal("title", "Launch"),
    Query.order_desc("startsAt"), Query.limit(10)])``
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
        """Results after the row/document with this ID (cursor pagination)."""
        return _dump("cursorAfter", values=[_check_id(document_id, "cursor_after")])

    @staticmethod
    def cursor_before(document_id: str) -> str:
        """Results before the row/document with this ID (cursor pagination)."""
        return _dump("cursorBefore", values=[_check_id(document_id, "cursor_before")])

    @staticmethod
    def equal(attribute: str, value: _Scalar | Sequence[_Scalar]) -> str:
        """``attribute`` equals the value (or any of the values)."""
        return _dump("equal", _check_attribute(attribute), _values(value, "equal"))

    @staticmethod
    def not_equal(attribute: str, value: _Scalar | Sequence[_Scalar]) -> str:
        """``attribute`` differs from the value (from all of the values)."""
        return _dump("notEqual", _check_attribute(attribute), _values(value, "not_equal"))

    @staticmethod
    def less_than(attribute: str, value: _Scalar) -> str:
        """``attribute < value``."""
        return _dump("lessThan", _check_attribute(attribute), _values(value, "less_than"))

    @staticmethod
    def less_than_equal(attribute: str, value: _Scalar) -> str:
        """``attribute <= value``."""
        return _dump(
            "lessThanEqual", _check_attribute(attribute), _values(value, "less_than_equal")
        )

    @staticmethod
    def greater_than(attribute: str, value: _Scalar) -> str:
        """``attribute > value``."""
        return _dump("greaterThan", _check_attribute(attribute), _values(value, "greater_than"))

    @staticmethod
    def greater_than_equal(attribute: str, value: _Scalar) -> str:
        """``attribute >= value``."""
        values = _values(value, "greater_than_equal")
        return _dump("greaterThanEqual", _check_attribute(attribute), values)

    @staticmethod
    def between(attribute: str, start: _Scalar, end: _Scalar) -> str:
        """``start <= attribute <= end``."""
        return _dump("between", _check_attribute(attribute), _values([start, end], "between"))

    @staticmethod
    def is_null(attribute: str) -> str:
        """``attribute`` is unset."""
        return _dump("isNull", _check_attribute(attribute))

    @staticmethod
    def is_not_null(attribute: str) -> str:
        """``attribute`` is set."""
        return _dump("isNotNull", _check_attribute(attribute))

    @staticmethod
    def starts_with(attribute: str, value: str) -> str:
        """The string ``attribute`` starts with ``value``."""
        return _dump("startsWith", _check_attribute(attribute), _values(value, "starts_with"))

    @staticmethod
    def ends_with(attribute: str, value: str) -> str:
        """The string ``attribute`` ends with ``value``."""
        return _dump("endsWith", _check_attribute(attribute), _values(value, "ends_with"))

    @staticmethod
    def contains(attribute: str, value: _Scalar | Sequence[_Scalar]) -> str:
        """A string ``attribute`` contains the text, or an array ``attribute`` the item."""
        return _dump("contains", _check_attribute(attribute), _values(value, "contains"))

    @staticmethod
    def search(attribute: str, text: str) -> str:
        """Full-text search of ``text`` in ``attribute``."""
        if not isinstance(text, str):
            raise InvalidInputError("Query.search() needs a string.")
        return _dump("search", _check_attribute(attribute), [text])

    @staticmethod
    def select(attributes: Sequence[str]) -> str:
        """Answer only these columns (system ``$`` fields always come)."""
        if isinstance(attributes, str) or not all(isinstance(a, str) for a in attributes):
            raise InvalidInputError("Query.select() needs a list of column names.")
        return _dump("select", values=list(attributes))

    @staticmethod
    def order_asc(attribute: str) -> str:
        """Sort ascending by ``attribute``."""
        return _dump("orderAsc", _check_attribute(attribute))

    @staticmethod
    def order_desc(attribute: str) -> str:
        """Sort descending by ``attribute``."""
        return _dump("orderDesc", _check_attribute(attribute))

    @staticmethod
    def or_queries(queries: Sequence[str]) -> str:
        """Any of the filter ``queries`` holds."""
        return _dump("or", values=_nested(queries, "or_queries"))

    @staticmethod
    def and_queries(queries: Sequence[str]) -> str:
        """All of the filter ``queries`` hold."""
        return _dump("and", values=_nested(queries, "and_queries"))
