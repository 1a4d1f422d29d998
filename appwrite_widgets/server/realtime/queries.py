"""Realtime subscription queries (protocol §17.2): parsed once, evaluated against payloads.

A subscription item's queries compile to one :class:`QuerySet`: a tree of plain tuples
(strings and numbers only, so the garbage collector soon stops tracking it) and how many
conditions it holds, which is what evaluating it costs. Compiling refuses a query longer than
:data:`~.limits.QUERY_CHARS`, nesting deeper than :data:`~.limits.QUERY_DEPTH`, and stops as
soon as ``max_terms`` conditions are exceeded.
"""

from __future__ import annotations

import functools
import json
import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .limits import QUERY_CHARS, QUERY_DEPTH

__all__ = ["MATCH_ALL", "Predicate", "QueryError", "QuerySet", "compile_queries"]

Predicate = Callable[[Mapping[str, Any]], bool]

# Opcodes of the compiled tree: (op, attribute, value) leaves, (op, children) for and/or.
_EQUAL, _NOT_EQUAL, _IS_NULL, _NOT_NULL, _AND, _OR = range(6)
_LESS, _LESS_EQUAL, _GREATER, _GREATER_EQUAL = range(6, 10)
_COMPARE: dict[int, Callable[[Any, Any], bool]] = {
    _LESS: operator.lt,
    _LESS_EQUAL: operator.le,
    _GREATER: operator.gt,
    _GREATER_EQUAL: operator.ge,
}
_OPCODES = {
    "equal": _EQUAL,
    "notEqual": _NOT_EQUAL,
    "lessThan": _LESS,
    "lessThanEqual": _LESS_EQUAL,
    "greaterThan": _GREATER,
    "greaterThanEqual": _GREATER_EQUAL,
    "isNull": _IS_NULL,
    "isNotNull": _NOT_NULL,
    "and": _AND,
    "or": _OR,
}
ALLOWED = (*_OPCODES, "select")
_SET_FROM = 8  # equal/notEqual with more hashable values than this look them up in a frozenset


class QueryError(ValueError):
    """A query the realtime server does not accept (sent back as error 1003)."""


def _holds(node: tuple[Any, ...], payload: Mapping[str, Any]) -> bool:
    """Evaluate one compiled node (depth is bounded at compile time)."""
    op = node[0]
    if op == _OR:
        for child in node[1]:  # noqa: SIM110 (a loop: no generator per evaluation)
            if _holds(child, payload):
                return True
        return False
    if op == _AND:
        for child in node[1]:  # noqa: SIM110
            if not _holds(child, payload):
                return False
        return True
    got = payload.get(node[1])
    if op in (_EQUAL, _NOT_EQUAL):
        values = node[2]
        if isinstance(values, frozenset):
            # a list or object equals no hashable value (and cannot be looked up)
            found = not isinstance(got, (list, dict)) and got in values
        else:
            found = got in values
        return found if op == _EQUAL else not found
    if op == _IS_NULL:
        return got is None
    if op == _NOT_NULL:
        return got is not None
    try:
        return got is not None and _COMPARE[op](got, node[2])
    except TypeError:  # e.g. a string compared with a number: no match
        return False


def _all_hold(nodes: tuple[tuple[Any, ...], ...], payload: Mapping[str, Any]) -> bool:
    for node in nodes:  # noqa: SIM110
        if not _holds(node, payload):
            return False
    return True


def _always(_: Mapping[str, Any]) -> bool:
    return True


@dataclass(frozen=True, slots=True, eq=False)
class QuerySet:
    """The queries of one subscription item: their strings, one predicate, and its cost.

    ``terms`` counts conditions (``and``/``or`` included; each value of a list that cannot be
    hashed too): what evaluating ``match`` may cost.
    """

    strings: tuple[str, ...]
    match: Predicate = field(repr=False)
    terms: int = 0


MATCH_ALL = QuerySet((), _always, 0)


class _Compiler:
    """Compiles parsed queries to tuples, counting terms against a budget."""

    def __init__(self, max_terms: int) -> None:
        self.max_terms = max_terms
        self.terms = 0

    def spend(self, n: int) -> None:
        self.terms += n
        if self.terms > self.max_terms:
            raise QueryError(
                f"Invalid query: A connection's queries hold at most {self.max_terms:,} conditions."
            )

    def compile(self, q: Any, depth: int = 0) -> tuple[Any, ...] | None:
        """The node of one query; None for ``select(["*"])`` (always true)."""
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
            return None
        op = _OPCODES[method]
        self.spend(1)
        if op in (_AND, _OR):
            if depth >= QUERY_DEPTH:
                raise QueryError(
                    f"Invalid query: Queries may be nested at most {QUERY_DEPTH} deep."
                )
            children = (self.compile(v, depth + 1) for v in values)
            # select(["*"]) inside: true, so it ends an `or` and drops out of an `and`
            kept = tuple(c if c is not None else (_NOT_EQUAL, "", ()) for c in children)
            return (op, kept)
        if op in (_EQUAL, _NOT_EQUAL):
            return (op, attr, self._values(values))
        if op in (_IS_NULL, _NOT_NULL):
            return (op, attr)
        if len(values) != 1:
            raise QueryError(f"Invalid query: {method} takes exactly one value.")
        return (op, attr, values[0])

    def _values(self, values: list[Any]) -> frozenset[Any] | tuple[Any, ...]:
        if len(values) > _SET_FROM:
            try:
                return frozenset(values)  # one lookup per event, whatever their number
            except TypeError:  # a list or object among them: compared one by one
                self.spend(len(values))
        return tuple(values)


def compile_queries(raw: Sequence[Any], max_terms: int) -> QuerySet:
    """The :class:`QuerySet` of one item's queries (all must match; none = match all).

    Each query is Appwrite's JSON form ``{"method", "attribute", "values"}``, as a string.
    Raises :class:`QueryError` on a bad query, one longer than ``QUERY_CHARS``, nesting deeper
    than ``QUERY_DEPTH``, or more than ``max_terms`` conditions.
    """
    compiler = _Compiler(max_terms)
    nodes = []
    for item in raw:
        if not isinstance(item, str):
            raise QueryError("Invalid query: Query must be a JSON string.")
        if len(item) > QUERY_CHARS:
            raise QueryError(f"Invalid query: A query is at most {QUERY_CHARS:,} characters.")
        try:
            parsed = json.loads(item)
        except (ValueError, RecursionError):
            raise QueryError("Invalid query: Invalid query JSON.") from None
        node = compiler.compile(parsed)
        if node is not None:
            nodes.append(node)
    if not raw:
        return MATCH_ALL
    match = functools.partial(_all_hold, tuple(nodes)) if nodes else _always
    return QuerySet(tuple(raw), match, compiler.terms)
