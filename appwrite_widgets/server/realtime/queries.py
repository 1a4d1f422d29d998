"""Realtime subscription queries (protocol §17.2): parsed once, evaluated against payloads.

A subscription item's queries compile to one :class:`QuerySet`, which remembers how many
conditions and values it holds (what evaluating it costs); compiling refuses nesting deeper
than :data:`~.limits.QUERY_DEPTH` and stops as soon as ``max_terms`` is exceeded.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .limits import QUERY_DEPTH

__all__ = ["MATCH_ALL", "Predicate", "QueryError", "QuerySet", "compile_queries"]

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


@dataclass(frozen=True, slots=True)
class QuerySet:
    """The queries of one subscription item: their strings, one predicate, and its cost.

    ``terms`` counts conditions and values (``and``/``or`` included): what evaluating
    ``match`` may touch.
    """

    strings: tuple[str, ...]
    match: Predicate = field(repr=False)
    terms: int = 0


MATCH_ALL = QuerySet((), _always, 0)


def _compare(op: Callable[[Any, Any], bool], attr: str, value: Any) -> Predicate:
    def check(payload: Mapping[str, Any]) -> bool:
        got = payload.get(attr)
        try:
            return got is not None and op(got, value)
        except TypeError:  # e.g. a string compared with a number: no match
            return False

    return check


class _Compiler:
    """Compiles parsed queries, counting terms against a budget."""

    def __init__(self, max_terms: int) -> None:
        self.max_terms = max_terms
        self.terms = 0

    def spend(self, n: int) -> None:
        self.terms += n
        if self.terms > self.max_terms:
            raise QueryError(
                f"Invalid query: A connection's queries hold at most {self.max_terms:,} "
                "conditions and values."
            )

    def compile(self, q: Any, depth: int = 0) -> Predicate:
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
            if depth >= QUERY_DEPTH:
                raise QueryError(
                    f"Invalid query: Queries may be nested at most {QUERY_DEPTH} deep."
                )
            self.spend(1)
            parts = tuple(self.compile(v, depth + 1) for v in values)
            if method == "and":
                return lambda p: all(f(p) for f in parts)
            return lambda p: any(f(p) for f in parts)
        self.spend(1 + len(values))
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


def compile_queries(raw: Sequence[Any], max_terms: int) -> QuerySet:
    """The :class:`QuerySet` of one item's queries (all must match; none = match all).

    Each query is Appwrite's JSON form ``{"method", "attribute", "values"}``, as a string.
    Raises :class:`QueryError` on a bad query, nesting deeper than ``QUERY_DEPTH``, or more
    than ``max_terms`` conditions and values.
    """
    compiler = _Compiler(max_terms)
    preds: list[Predicate] = []
    for item in raw:
        if not isinstance(item, str):
            raise QueryError("Invalid query: Query must be a JSON string.")
        try:
            parsed = json.loads(item)
        except (ValueError, RecursionError):
            raise QueryError("Invalid query: Invalid query JSON.") from None
        preds.append(compiler.compile(parsed))
    if not preds:
        return MATCH_ALL
    if len(preds) == 1:
        return QuerySet(tuple(raw), preds[0], compiler.terms)
    parts = tuple(preds)
    return QuerySet(tuple(raw), lambda p: all(f(p) for f in parts), compiler.terms)
