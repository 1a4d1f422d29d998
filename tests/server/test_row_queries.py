"""``queries[]`` on ``GET …/rows`` in the JSON form the SDKs send (§8, §16.5)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from server_helpers import error_type
from tables_helpers import TableRef, add_row, new_table

ROWS = [
    (
        "a",
        {
            "title": "Alpha party",
            "seats": 10,
            "open": True,
            "startsAt": "2026-01-01T10:00:00Z",
            "tags": ["x", "y"],
        },
    ),
    (
        "b",
        {
            "title": "Beta meeting",
            "seats": 20,
            "open": False,
            "startsAt": "2026-01-02T10:00:00Z",
            "tags": ["y"],
        },
    ),
    ("c", {"title": "Gamma party", "seats": 30, "open": True, "startsAt": "2026-01-03T10:00:00Z"}),
    ("d", {"title": "Delta", "seats": 20, "open": True}),
    ("e", {"title": "Epsilon talk", "open": False, "startsAt": "2026-01-05T10:00:00Z"}),
]


def q(method: str, attribute: str | None = None, values: list[Any] | None = None) -> str:
    """One query string exactly as the SDKs build it."""
    body: dict[str, Any] = {"method": method}
    if attribute is not None:
        body["attribute"] = attribute
    if values is not None:
        body["values"] = values
    return json.dumps(body, separators=(",", ":"))


@pytest.fixture(scope="module")
def table(server: Any) -> TableRef:
    """One table with five rows, shared by the read-only query tests."""
    with httpx.Client(
        base_url=server.endpoint,
        headers={"X-Appwrite-Project": server.project, "X-Appwrite-Key": server.api_key},
    ) as api:
        ref = new_table(api)
        for row_id, data in ROWS:
            add_row(api, ref, data, rowId=row_id)
    return ref


def ids(api: httpx.Client, ref: TableRef, *queries: str) -> list[str]:
    """Row ids answered for ``queries`` (sent as ``queries[0]=…`` like the Python SDK)."""
    params = {f"queries[{i}]": text for i, text in enumerate(queries)}
    resp = api.get(ref.rows, params=params)
    assert resp.status_code == 200, resp.text
    return [r["$id"] for r in resp.json()["rows"]]


@pytest.mark.parametrize(
    ("queries", "expected"),
    [
        ((), ["a", "b", "c", "d", "e"]),
        ((q("equal", "seats", [20]),), ["b", "d"]),
        ((q("equal", "seats", [10, 30]),), ["a", "c"]),
        ((q("equal", "open", [False]),), ["b", "e"]),
        ((q("equal", "$id", ["c"]),), ["c"]),
        ((q("notEqual", "title", ["Delta"]),), ["a", "b", "c", "e"]),
        ((q("lessThan", "seats", [20]),), ["a"]),
        ((q("lessThanEqual", "seats", [20]),), ["a", "b", "d"]),
        ((q("greaterThan", "seats", [10]),), ["b", "c", "d"]),
        ((q("greaterThanEqual", "seats", [20]),), ["b", "c", "d"]),
        ((q("greaterThan", "startsAt", ["2026-01-02T12:00:00.000+00:00"]),), ["c", "e"]),
        ((q("lessThan", "startsAt", ["2026-01-02T10:30:00+00:10"]),), ["a", "b"]),
        ((q("between", "seats", [15, 30]),), ["b", "c", "d"]),
        ((q("search", "title", ["party"]),), ["a", "c"]),
        ((q("search", "title", ["gamma PARTY"]),), ["c"]),
        ((q("contains", "title", ["eta"]),), ["b"]),
        ((q("contains", "tags", ["y"]),), ["a", "b"]),
        ((q("startsWith", "title", ["Ep"]),), ["e"]),
        ((q("endsWith", "title", ["party"]),), ["a", "c"]),
        ((q("isNull", "seats"),), ["e"]),
        ((q("isNotNull", "startsAt"),), ["a", "b", "c", "e"]),
        (
            (
                q(
                    "or",
                    None,
                    [json.loads(q("equal", "$id", ["a"])), json.loads(q("equal", "$id", ["e"]))],
                ),
            ),
            ["a", "e"],
        ),
        (
            (
                q(
                    "and",
                    None,
                    [
                        json.loads(q("equal", "open", [True])),
                        json.loads(q("greaterThan", "seats", [10])),
                    ],
                ),
            ),
            ["c", "d"],
        ),
        ((q("orderDesc", "seats"),), ["c", "b", "d", "a", "e"]),
        ((q("orderAsc", "title"),), ["a", "b", "d", "e", "c"]),
        ((q("orderDesc", "$createdAt"), q("limit", None, [2])), ["e", "d"]),
        ((q("orderAsc", "$sequence"), q("offset", None, [3])), ["d", "e"]),
        ((q("limit", None, [2]), q("offset", None, [1])), ["b", "c"]),
        ((q("cursorAfter", None, ["b"]), q("limit", None, [2])), ["c", "d"]),
        ((q("cursorBefore", None, ["d"]), q("limit", None, [2])), ["b", "c"]),
        ((q("orderDesc", "seats"), q("cursorAfter", None, ["b"])), ["d", "a"]),
        ((q("orderDesc", "seats"), q("cursorBefore", None, ["d"]), q("limit", None, [1])), ["b"]),
    ],
)
def test_query_methods(
    api: httpx.Client, table: TableRef, queries: tuple[str, ...], expected: list[str]
) -> None:
    assert ids(api, table, *queries) == expected


def test_total_counts_filters_not_pages_and_can_be_skipped(
    api: httpx.Client, table: TableRef
) -> None:
    params = {"queries[0]": q("equal", "open", [True]), "queries[1]": q("limit", None, [1])}
    body = api.get(table.rows, params=params).json()
    assert body["total"] == 3 and len(body["rows"]) == 1
    body = api.get(table.rows, params={**params, "total": "false"}).json()
    assert body["total"] == 0 and len(body["rows"]) == 1


def test_select_keeps_system_fields_and_named_columns(api: httpx.Client, table: TableRef) -> None:
    params = {"queries[0]": q("select", None, ["title"]), "queries[1]": q("equal", "$id", ["a"])}
    row = api.get(table.rows, params=params).json()["rows"][0]
    assert row["title"] == "Alpha party" and "seats" not in row and row["$id"] == "a"
    assert "$permissions" in row and "$createdAt" in row
    one = api.get(f"{table.rows}/a", params={"queries[0]": q("select", None, ["seats"])}).json()
    assert one["seats"] == 10 and "title" not in one
    star = api.get(f"{table.rows}/a", params={"queries[0]": q("select", None, ["*"])}).json()
    assert star["title"] == "Alpha party" and star["seats"] == 10


def test_queries_array_form_queries_brackets(api: httpx.Client, table: TableRef) -> None:
    resp = api.get(table.rows, params=[("queries[]", q("equal", "seats", [30]))])
    assert [r["$id"] for r in resp.json()["rows"]] == ["c"]


@pytest.mark.parametrize(
    ("query", "needle"),
    [
        ("{not json", "Invalid query: Syntax error"),
        ('"just a string"', "Invalid query. Must be an array, got string"),
        ('{"values":[1]}', "Invalid query method. Must be a string"),
        (q("explode", "title", [1]), "Invalid query method: explode"),
        ('{"method":"equal","attribute":5,"values":[1]}', "Invalid query attribute."),
        ('{"method":"equal","attribute":"title","values":"x"}', "Invalid query values."),
        (q("equal", "nope", ["x"]), "Attribute not found in schema: nope"),
        (q("orderAsc", "nope"), "Attribute not found in schema: nope"),
        (q("select", None, ["nope"]), "Attribute not found in schema: nope"),
        (q("equal", "seats", ["ten"]), 'Query value is invalid for attribute "seats"'),
        (q("equal", "open", ["true"]), 'Query value is invalid for attribute "open"'),
        (q("equal", "seats", [2**70]), 'Query value is invalid for attribute "seats"'),
        (q("lessThan", "$sequence", [2**64]), 'Query value is invalid for attribute "$sequence"'),
        (q("greaterThan", "startsAt", ["soon"]), 'Query value is invalid for attribute "startsAt"'),
        (q("equal", "title", []), "require at least one value"),
        (q("lessThan", "seats", [1, 2]), "require exactly one value"),
        (q("between", "seats", [1]), "require exactly two values"),
        (q("equal", "tags", ["x"]), "because it is an array"),
        (q("search", "seats", ["1"]), "Cannot query search"),
        (q("limit", None, [0]), "Invalid limit"),
        (q("limit", None, ["5"]), "Invalid limit"),
        (q("offset", None, [-1]), "Invalid offset"),
        (q("cursorAfter", None, [5]), "Invalid cursor"),
        (q("or", None, [json.loads(q("equal", "$id", ["a"]))]), "at least two queries"),
        (
            q("and", None, [json.loads(q("limit", None, [1])), json.loads(q("limit", None, [1]))]),
            "can only contain filter queries",
        ),
    ],
)
def test_malformed_queries_are_400_general_query_invalid(
    api: httpx.Client, table: TableRef, query: str, needle: str
) -> None:
    resp = api.get(table.rows, params={"queries[0]": query})
    assert error_type(resp) == (400, "general_query_invalid")
    assert needle in resp.json()["message"]


def test_unknown_cursor_and_null_order_value(api: httpx.Client, table: TableRef) -> None:
    resp = api.get(table.rows, params={"queries[0]": q("cursorAfter", None, ["zzz"])})
    assert error_type(resp) == (400, "general_cursor_not_found")
    assert resp.json()["message"] == "Row 'zzz' for the 'cursor' value not found."
    resp = api.get(
        table.rows,
        params={"queries[0]": q("orderAsc", "seats"), "queries[1]": q("cursorAfter", None, ["e"])},
    )
    assert error_type(resp) == (400, "database_query_order_null")


def test_too_many_or_too_long_queries_are_400(api: httpx.Client, table: TableRef) -> None:
    many = {f"queries[{i}]": q("limit", None, [1]) for i in range(101)}
    assert error_type(api.get(table.rows, params=many)) == (400, "general_argument_invalid")
    long = {"queries[0]": q("equal", "title", ["x" * 5000])}
    assert error_type(api.get(table.rows, params=long)) == (400, "general_argument_invalid")


def test_get_row_accepts_only_select(api: httpx.Client, table: TableRef) -> None:
    resp = api.get(f"{table.rows}/a", params={"queries[0]": q("limit", None, [1])})
    assert error_type(resp) == (400, "general_query_invalid")


def test_big_list_is_one_page_in_insertion_order(api: httpx.Client) -> None:
    ref = new_table(api, columns=[{"key": "n", "type": "integer", "required": True}])
    for n in range(60):
        add_row(api, ref, {"n": n})
    default = api.get(ref.rows).json()
    assert default["total"] == 60 and [r["n"] for r in default["rows"]] == list(range(25))
    page = api.get(ref.rows, params={"queries[0]": q("limit", None, [100])}).json()
    assert [r["n"] for r in page["rows"]] == list(range(60))


def test_a_huge_search_or_contains_is_a_clear_400_not_a_500(
    api: httpx.Client, table: TableRef
) -> None:
    # 1,500 words once built an expression deeper than SQLite allows: a 500 and a traceback.
    words = " ".join(["p"] * 1500)
    assert len(q("search", "title", [words])) < 4096
    resp = api.get(table.rows, params={"queries[0]": q("search", "title", [words])})
    assert error_type(resp) == (400, "general_query_invalid")
    assert "at most 100 words" in resp.json()["message"]
    # At the cap it works (every word must appear).
    assert ids(api, table, q("search", "title", [" ".join(["party"] * 100)])) == ["a", "c"]
    # Any other expression SQLite finds too large is a 400 too (about 1,000 OR-ed values).
    many = q("contains", "title", ["p"] * 1000)
    assert len(many) < 4096
    resp = api.get(table.rows, params={"queries[0]": many})
    assert error_type(resp) == (400, "general_query_invalid")
    assert "Traceback" not in resp.text
