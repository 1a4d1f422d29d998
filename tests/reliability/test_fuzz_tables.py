"""TablesDB routes fuzzed with hypothesis over real HTTP: any body, query or permission list gets
a well-formed Appwrite answer (never a 5xx), and a refused write changes nothing."""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=10,
)
COLUMNS = ["title", "seats", "open", "startsAt", "tags", "$id", "$createdAt", "nope"]
METHODS = [
    "equal",
    "notEqual",
    "lessThan",
    "greaterThanEqual",
    "between",
    "search",
    "contains",
    "isNull",
    "orderAsc",
    "orderDesc",
    "limit",
    "offset",
    "cursorAfter",
    "cursorBefore",
    "select",
    "and",
    "or",
    "bogus",
]
query_objects = st.fixed_dictionaries(
    {"method": st.sampled_from(METHODS)},
    optional={"attribute": st.sampled_from(COLUMNS) | json_values, "values": json_values},
)
query_strings = st.one_of(query_objects.map(json.dumps), st.text(max_size=40))
permission_strings = st.one_of(
    st.builds(
        lambda t, r: f'{t}("{r}")',
        st.sampled_from(["read", "create", "update", "delete", "write", "x"]),
        st.sampled_from(["any", "users", "guests", "user:a", "team:t/r", "label:x", "member:m"])
        | st.text(max_size=12),
    ),
    st.text(max_size=20),
)
data_values = st.dictionaries(st.sampled_from(COLUMNS), json_values, max_size=5) | json_values


def _assert_appwrite_answer(resp: httpx.Response) -> None:
    assert resp.status_code < 500, resp.text
    if resp.status_code >= 400:
        body = resp.json()
        assert set(body) >= {"message", "code", "type"} and body["code"] == resp.status_code


def _table(api: httpx.Client) -> str:
    db = "fz" + uuid.uuid4().hex[:10]
    api.post("/tablesdb", json={"databaseId": db, "name": "Fuzz"})
    columns = [
        {"key": "title", "type": "varchar", "size": 16, "required": True},
        {"key": "seats", "type": "integer", "required": False, "min": 0, "max": 9},
        {"key": "open", "type": "boolean", "required": False},
        {"key": "startsAt", "type": "datetime", "required": False},
        {"key": "tags", "type": "varchar", "size": 4, "required": False, "array": True},
    ]
    resp = api.post(
        f"/tablesdb/{db}/tables",
        json={
            "tableId": "t",
            "name": "T",
            "columns": columns,
            "rowSecurity": True,
            "permissions": ['read("any")', 'create("users")'],
        },
    )
    assert resp.status_code == 201, resp.text
    api.post(f"/tablesdb/{db}/tables/t/rows", json={"rowId": "r1", "data": {"title": "x"}})
    return f"/tablesdb/{db}/tables/t"


@FUZZ
@given(data=data_values, permissions=st.lists(permission_strings, max_size=3) | json_values)
def test_fuzzed_row_writes(api: httpx.Client, data: Any, permissions: Any) -> None:
    path = _table(api)
    before = api.get(path + "/rows").json()["total"]
    created = api.post(
        path + "/rows", json={"rowId": "unique()", "data": data, "permissions": permissions}
    )
    _assert_appwrite_answer(created)
    after = api.get(path + "/rows").json()["total"]
    assert after == before + (1 if created.status_code == 201 else 0)
    patched = api.patch(path + "/rows/r1", json={"data": data, "permissions": permissions})
    _assert_appwrite_answer(patched)
    if patched.status_code >= 400:
        assert api.get(path + "/rows/r1").json()["title"] == "x"


@FUZZ
@given(queries=st.lists(query_strings, max_size=4), total=json_values)
def test_fuzzed_row_queries(api: httpx.Client, queries: list[str], total: Any) -> None:
    path = _table(api)
    params: dict[str, Any] = {f"queries[{i}]": q for i, q in enumerate(queries)}
    if isinstance(total, (str, bool)):
        params["total"] = str(total)
    _assert_appwrite_answer(api.get(path + "/rows", params=params))
    _assert_appwrite_answer(api.get(path + "/rows/r1", params=params))


@FUZZ
@given(
    kind=st.sampled_from(["varchar", "string", "integer", "boolean", "datetime"]),
    body=json_values
    | st.dictionaries(
        st.sampled_from(["key", "required", "size", "min", "max", "default", "array"]),
        json_values,
        max_size=6,
    ),
)
def test_fuzzed_column_creation(api: httpx.Client, kind: str, body: Any) -> None:
    path = _table(api)
    _assert_appwrite_answer(api.post(f"{path}/columns/{kind}", json=body))
    _assert_appwrite_answer(api.put(path, json=body if isinstance(body, dict) else {"x": body}))
