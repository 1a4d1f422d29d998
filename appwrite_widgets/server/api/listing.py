"""Applying Appwrite list queries (filters, order, cursor, offset, limit, search) in memory."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from ..http.errors import AppwriteError
from ..http.params import Query

T = TypeVar("T")

DEFAULT_LIMIT = 25
MAX_TOTAL = 5000


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _matches(q: Query, value: Any) -> bool:
    vals = q.values
    items = _as_list(value)
    if q.method == "equal":
        return any(v in vals for v in items)
    if q.method == "notEqual":
        return all(v not in vals for v in items)
    if q.method == "isNull":
        return value is None or value == ""
    if q.method == "isNotNull":
        return not (value is None or value == "")
    if q.method == "contains":
        return any(
            any(str(x).lower() in str(v).lower() if isinstance(v, str) else x == v for v in items)
            for x in vals
        )
    if q.method in ("startsWith", "endsWith", "search"):
        text = " ".join(str(v) for v in items).lower()
        if q.method == "search":
            return any(matches_search(text, str(x)) for x in vals)
        fn = str.startswith if q.method == "startsWith" else str.endswith
        return any(fn(text, str(x).lower()) for x in vals)
    try:
        v0 = vals[0]
        if q.method == "lessThan":
            return bool(value < v0)
        if q.method == "lessThanEqual":
            return bool(value <= v0)
        if q.method == "greaterThan":
            return bool(value > v0)
        if q.method == "greaterThanEqual":
            return bool(value >= v0)
    except (TypeError, IndexError):
        return False
    return True


def matches_search(haystack: str, search: str) -> bool:
    """Full-text approximation: the phrase as a substring, or every word as a token prefix."""
    needle = search.strip().lower()
    if not needle:
        return True
    hay = haystack.lower()
    if needle in hay:
        return True
    tokens = re.findall(r"[a-z0-9]+", hay)
    words = re.findall(r"[a-z0-9]+", needle)
    return bool(words) and all(any(tok.startswith(w) for tok in tokens) for w in words)


def apply(
    items: Sequence[T],
    queries: list[Query],
    *,
    attributes: Mapping[str, Callable[[T], Any]],
    item_id: Callable[[T], str],
    search: str | None,
    search_text: Callable[[T], str],
    with_total: bool,
    cursor_label: str,
) -> tuple[list[T], int]:
    """Return (page, total) for ``items`` (given in insertion order)."""
    ordered = list(items)
    for q in reversed([q for q in queries if q.method in ("orderAsc", "orderDesc")]):
        getter = attributes[q.attribute]
        ordered.sort(
            key=lambda it, g=getter: (g(it) is None, g(it)),  # type: ignore[misc]
            reverse=q.method == "orderDesc",
        )
    filters = [
        q
        for q in queries
        if q.method
        not in ("orderAsc", "orderDesc", "limit", "offset", "cursorAfter", "cursorBefore")
    ]

    def keep(it: T) -> bool:
        if search and not matches_search(search_text(it), search):
            return False
        return all(_matches(q, attributes[q.attribute](it)) for q in filters)

    matched = [it for it in ordered if keep(it)]
    total = min(len(matched), MAX_TOTAL) if with_total else 0
    page = matched
    for q in queries:
        if q.method in ("cursorAfter", "cursorBefore"):
            ids = [item_id(it) for it in ordered]
            cursor = q.values[0]
            if cursor not in ids:
                raise AppwriteError(
                    "general_cursor_not_found",
                    f"{cursor_label} '{cursor}' for the 'cursor' value not found.",
                )
            pos = ids.index(cursor)
            allowed = set(ids[pos + 1 :]) if q.method == "cursorAfter" else set(ids[:pos])
            page = [it for it in page if item_id(it) in allowed]
    offset = next((q.values[0] for q in queries if q.method == "offset"), 0)
    limit = next((q.values[0] for q in queries if q.method == "limit"), DEFAULT_LIMIT)
    cursor_before = any(q.method == "cursorBefore" for q in queries)
    if cursor_before:
        page = page[max(len(page) - offset - limit, 0) : len(page) - offset]
    else:
        page = page[offset : offset + limit]
    return page, total
