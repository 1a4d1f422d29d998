"""``Query``, ``Permission`` and ``Role`` build byte-for-byte the strings of the official Python
SDK (PyPI ``appwrite``), so queries and permissions written for either client work with both."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from appwrite.permission import Permission as SdkPermission
from appwrite.query import Query as SdkQuery
from appwrite.role import Role as SdkRole

from appwrite_widgets.client import InvalidInputError, Permission, Query, Role

QUERY_CASES: list[tuple[str, tuple[Any, ...]]] = [
    ("equal", ("title", "Launch")),
    ("equal", ("seats", [1, 2, 3])),
    ("equal", ("open", False)),
    ("equal", ("name", "Zoë ☃")),
    ("not_equal", ("title", "x")),
    ("less_than", ("seats", 5)),
    ("less_than_equal", ("price", 2.5)),
    ("greater_than", ("startsAt", "2026-01-01T00:00:00.000+00:00")),
    ("greater_than_equal", ("seats", 0)),
    ("between", ("seats", 1, 9)),
    ("is_null", ("startsAt",)),
    ("is_not_null", ("startsAt",)),
    ("starts_with", ("title", "Ki")),
    ("ends_with", ("title", "ing")),
    ("contains", ("tags", ["a", "b"])),
    ("contains", ("title", "party")),
    ("search", ("title", "kick off")),
    ("select", (["title", "$id"],)),
    ("order_asc", ("startsAt",)),
    ("order_desc", ("$createdAt",)),
    ("limit", (10,)),
    ("offset", (20,)),
    ("cursor_after", ("row1",)),
    ("cursor_before", ("row2",)),
]


@pytest.mark.parametrize(("name", "args"), QUERY_CASES)
def test_query_strings_match_the_sdk(name: str, args: tuple[Any, ...]) -> None:
    ours = getattr(Query, name)(*args)
    theirs = getattr(SdkQuery, name)(*args)
    assert ours == theirs


def test_nested_queries_match_the_sdk() -> None:
    parts_ours = [Query.equal("a", 1), Query.greater_than("b", 2)]
    parts_sdk = [SdkQuery.equal("a", 1), SdkQuery.greater_than("b", 2)]
    assert Query.or_queries(parts_ours) == SdkQuery.or_queries(parts_sdk)
    assert Query.and_queries(parts_ours) == SdkQuery.and_queries(parts_sdk)


ROLE_CASES: list[tuple[Callable[..., str], Callable[..., str], tuple[Any, ...]]] = [
    (Role.any, SdkRole.any, ()),
    (Role.guests, SdkRole.guests, ()),
    (Role.users, SdkRole.users, ()),
    (Role.users, SdkRole.users, ("verified",)),
    (Role.user, SdkRole.user, ("ada",)),
    (Role.user, SdkRole.user, ("ada", "unverified")),
    (Role.team, SdkRole.team, ("admins",)),
    (Role.team, SdkRole.team, ("admins", "owner")),
    (Role.member, SdkRole.member, ("m1",)),
    (Role.label, SdkRole.label, ("admin",)),
]


@pytest.mark.parametrize(("ours", "theirs", "args"), ROLE_CASES)
@pytest.mark.parametrize("kind", ["read", "write", "create", "update", "delete"])
def test_permission_and_role_strings_match_the_sdk(
    ours: Callable[..., str], theirs: Callable[..., str], args: tuple[Any, ...], kind: str
) -> None:
    assert ours(*args) == theirs(*args)
    assert getattr(Permission, kind)(ours(*args)) == getattr(SdkPermission, kind)(theirs(*args))


@pytest.mark.parametrize(
    "build",
    [
        lambda: Query.limit(-1),
        lambda: Query.limit(True),
        lambda: Query.equal("", "x"),
        lambda: Query.equal("a", {"x": 1}),
        lambda: Query.select("title"),
        lambda: Query.cursor_before(""),
        lambda: Query.or_queries(["not json"]),
        lambda: Query.and_queries("x"),
        lambda: Permission.read(""),
        lambda: Permission.read('any") , read("users'),
        lambda: Permission.delete(5),
        lambda: Role.team(""),
        lambda: Role.user("ada", 3),
        lambda: Role.label(None),
    ],
)
def test_bad_builder_input_is_invalid_input(build: Callable[[], str]) -> None:
    with pytest.raises(InvalidInputError):
        build()
