"""Realtime subscription queries (protocol §17.2): parsed once, evaluated against payloads."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

__all__ = ["Predicate", "QueryError", "compile_queries"]

Predicate = Callable[[Mapping[str, Any]], bool]

_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "lessThan": lambda a, b: a < b,
    "lessThanEqual": lambda a, b: a <= b,
    "greaterThan": lambda a, b: a > b,
    "greaterThanEqual": lambda a, b: a >= b,
}
ALLOWED = (
    "equal",
    "notEqual",
    *_COMPARE,
    "isNull",
    "isNotNull",
    "and",
    "or",
    "select",
)


class QueryError(ValueError):
    """A query the realtime server does not accept (sent back as error 1003)."""


def _always(_: Mapping[str, Any]) -> bool:
    return True


def _compare(op: Callable[[Any, Any], bool], attr: str, value: Any) -> Predicate:
    def check(payload: Mapping[str, Any]) -> bool:
        got = payload.get(attr)
        try:
            return got is not None and op(got, value)
        except TypeError:  # e.g. a string compared with a number: no match
            return False

    return check


def _compile(q: Any) -> Predicate:
    if not isinstance(q, dict) or not isinstance(q.get("method"), str):
        raise QueryError("Invalid query: Query must be an object with a method.")
    method = q["method"]
    attr = q.get("attribute", "")
    values = q.get("values", [])
    if method not in ALLOWED:
        raise QueryError(
            f"Invalid query: Query method '{method}' is not supported in Realtime queries. "
            f"Allowed query methods are: {', '.join(ALLOWED)}"
        )
    if not isinstance(values, list) or not isinstance(attr, str):
        raise QueryError("Invalid query: Query values must be an array.")
    if method == "select":
        if values != ["*"]:
            raise QueryError('Invalid query: Only select(["*"]) is supported in Realtime.')
        return _always
    if method in ("and", "or"):
        parts = [_compile(v) for v in values]
        if method == "and":
            return lambda p: all(f(p) for f in parts)
        return lambda p: any(f(p) for f in parts)
    if method == "isNull":
        return lambda p: p.get(attr) is None
    if method == "isNotNull":
        return lambda p: p.get(attr) is not None
    if method == "equal":
        return lambda p: p.get(attr) in values
    if method == "notEqual":
        return lambda p: p.get(attr) not in values
    if len(values) != 1:
        raise QueryError(f"Invalid query: {method} takes exactly one value.")
    return _compare(_COMPARE[method], attr, values[0])


def compile_queries(raw: Sequence[Any]) -> Predicate:
    """One predicate for a subscription's queries (all must match; none = match all).

    Each query is Appwrite's JSON form ``{"method", "attribute", "values"}``, as a string.
    """
    preds: list[Predicate] = []
    for item in raw:
        if not isinstance(item, str):
            raise QueryError("Invalid query: Query must be a JSON string.")
        try:
            parsed = json.loads(item)
        except (ValueError, RecursionError):
            raise QueryError("Invalid query: Invalid query JSON.") from None
        try:
            preds.append(_compile(parsed))
        except RecursionError:
            raise QueryError("Invalid query: Query is nested too deeply.") from None
    if not preds:
        return _always
    return lambda p: all(f(p) for f in preds)
