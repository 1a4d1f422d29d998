"""TablesDB persistence in the server's SQLite file: databases, tables, columns, rows.

Rows keep their column values as one JSON document; their read/update/delete roles are also
stored one per line in ``tdb_row_perms`` so a permission-filtered list is one indexed query.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .connection import Conflict, Connection

MAX_TOTAL = 5000
"""A filtered total counts at most this many rows (as Appwrite)."""


class CursorNotFound(LookupError):
    """The cursor names a row that is not in the table."""


class NullOrderValue(ValueError):
    """The cursor row has no value for an order column (``args[0]`` names it)."""


class QueryTooComplex(ValueError):
    """SQLite refused the query as too large (expression depth, variables, pattern)."""


# SQLite's messages for a statement beyond its limits (not for a busy or broken database).
_TOO_COMPLEX = ("too large", "too many", "too complex", "stack overflow")


@dataclass(frozen=True, slots=True)
class Column:
    """One column of a table."""

    key: str
    type: str
    required: bool
    array: bool
    size: int | None
    min: int | None
    max: int | None
    default: Any
    created_at: float
    updated_at: float


@dataclass
class Plan:
    """A row list request as SQL: filters, order, page, cursor (built by ``tables.queries``)."""

    limit: int
    where: list[str] = field(default_factory=list)
    args: list[Any] = field(default_factory=list)
    order: list[tuple[str, str, bool]] = field(default_factory=list)  # (sql, attribute, desc)
    offset: int = 0
    cursor: tuple[str, str] | None = None  # ("after"|"before", rowId)
    select: list[str] | None = None


@dataclass(frozen=True, slots=True)
class Database:
    """A stored database."""

    id: str
    name: str
    enabled: bool
    created_at: float
    updated_at: float


@dataclass(frozen=True, slots=True)
class Table:
    """A stored table with its columns (in creation order)."""

    seq: int
    database_id: str
    id: str
    name: str
    enabled: bool
    row_security: bool
    permissions: list[str]
    created_at: float
    updated_at: float
    columns: dict[str, Column]


@dataclass(frozen=True, slots=True)
class NewRow:
    """A row to insert: its ID, checked values, permissions and dates."""

    id: str
    data: dict[str, Any]
    permissions: list[str]
    created_at: float
    updated_at: float


@dataclass(frozen=True, slots=True)
class Row:
    """A stored row."""

    seq: int
    id: str
    data: dict[str, Any]
    permissions: list[str]
    created_at: float
    updated_at: float


def _row(r: sqlite3.Row) -> Row:
    return Row(
        r["seq"],
        r["id"],
        json.loads(r["data"]),
        json.loads(r["permissions"]),
        r["created_at"],
        r["updated_at"],
    )


def _perm_lines(seq: int, permissions: list[str]) -> list[tuple[int, str, str]]:
    out = []
    for p in permissions:
        head, _, rest = p.partition('("')
        out.append((seq, head, rest[:-2]))
    return out


class TablesRepo:
    """The TablesDB databases, tables, columns and rows."""

    def __init__(self, db: Connection) -> None:
        self._db = db

    # databases ----------------------------------------------------------------------
    def create_database(self, db_id: str, name: str, enabled: bool, now: float) -> Database:
        """Insert a database; :class:`Conflict` when the id is taken."""
        try:
            with self._db.write() as db:
                db.execute(
                    "INSERT INTO tdb_databases (id, name, enabled, created_at, updated_at)"
                    " VALUES (?,?,?,?,?)",
                    (db_id, name, int(enabled), now, now),
                )
        except sqlite3.IntegrityError as exc:
            raise Conflict(str(exc)) from exc
        found = self.get_database(db_id)
        assert found is not None
        return found

    def get_database(self, db_id: str) -> Database | None:
        """The database or None."""
        rows = self._db.all("SELECT * FROM tdb_databases WHERE id = ?", (db_id,))
        return self._database(rows[0]) if rows else None

    def list_databases(self) -> list[Database]:
        """All databases in creation order."""
        return [self._database(r) for r in self._db.all("SELECT * FROM tdb_databases ORDER BY seq")]

    @staticmethod
    def _database(r: sqlite3.Row) -> Database:
        return Database(r["id"], r["name"], bool(r["enabled"]), r["created_at"], r["updated_at"])

    def update_database(self, db_id: str, name: str, enabled: bool, now: float) -> Database:
        """Set a database's name and ``enabled``."""
        with self._db.write() as db:
            db.execute(
                "UPDATE tdb_databases SET name = ?, enabled = ?, updated_at = ? WHERE id = ?",
                (name, int(enabled), now, db_id),
            )
        found = self.get_database(db_id)
        assert found is not None
        return found

    def delete_database(self, db_id: str) -> bool:
        """Delete a database with its tables and rows."""
        with self._db.write() as db:
            return db.execute("DELETE FROM tdb_databases WHERE id = ?", (db_id,)).rowcount > 0

    # tables -------------------------------------------------------------------------
    def create_table(
        self,
        *,
        database_id: str,
        table_id: str,
        name: str,
        enabled: bool,
        row_security: bool,
        permissions: list[str],
        columns: list[Column],
        now: float,
    ) -> Table:
        """Insert a table (and inline columns); :class:`Conflict` when the id is taken."""
        try:
            with self._db.write() as db:
                cur = db.execute(
                    "INSERT INTO tdb_tables (database_id, id, name, enabled, row_security,"
                    " permissions, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?)",
                    (
                        database_id,
                        table_id,
                        name,
                        int(enabled),
                        int(row_security),
                        json.dumps(permissions),
                        now,
                        now,
                    ),
                )
                for col in columns:
                    self._insert_column(db, int(cur.lastrowid or 0), col)
        except sqlite3.IntegrityError as exc:
            raise Conflict(str(exc)) from exc
        found = self.get_table(database_id, table_id)
        assert found is not None
        return found

    def get_table(self, database_id: str, table_id: str) -> Table | None:
        """The table with its columns, or None."""
        rows = self._db.all(
            "SELECT * FROM tdb_tables WHERE database_id = ? AND id = ?", (database_id, table_id)
        )
        return self._table(rows[0]) if rows else None

    def list_tables(self, database_id: str) -> list[Table]:
        """The tables of a database in creation order."""
        rows = self._db.all(
            "SELECT * FROM tdb_tables WHERE database_id = ? ORDER BY seq", (database_id,)
        )
        return [self._table(r) for r in rows]

    def _table(self, r: sqlite3.Row) -> Table:
        cols = {
            c["key"]: Column(
                c["key"],
                c["type"],
                bool(c["required"]),
                bool(c["array"]),
                c["size"],
                c["min"],
                c["max"],
                json.loads(c["dflt"]),
                c["created_at"],
                c["updated_at"],
            )
            for c in self._db.all(
                "SELECT * FROM tdb_columns WHERE table_seq = ? ORDER BY seq", (r["seq"],)
            )
        }
        return Table(
            r["seq"],
            r["database_id"],
            r["id"],
            r["name"],
            bool(r["enabled"]),
            bool(r["row_security"]),
            json.loads(r["permissions"]),
            r["created_at"],
            r["updated_at"],
            cols,
        )

    def update_table(self, table: Table, now: float, **fields: Any) -> Table:
        """Set name/enabled/row_security/permissions."""
        cols = {k: json.dumps(v) if k == "permissions" else v for k, v in fields.items()}
        sets = "".join(f"{k} = ?, " for k in cols)
        with self._db.write() as db:
            db.execute(
                f"UPDATE tdb_tables SET {sets}updated_at = ? WHERE seq = ?",
                (*cols.values(), now, table.seq),
            )
        found = self.get_table(table.database_id, table.id)
        assert found is not None
        return found

    def delete_table(self, table: Table) -> None:
        """Delete a table with its columns and rows."""
        with self._db.write() as db:
            db.execute("DELETE FROM tdb_tables WHERE seq = ?", (table.seq,))

    # columns ------------------------------------------------------------------------
    @staticmethod
    def _insert_column(db: sqlite3.Connection, table_seq: int, col: Column) -> None:
        db.execute(
            "INSERT INTO tdb_columns (table_seq, key, type, required, array, size, min, max,"
            " dflt, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (
                table_seq,
                col.key,
                col.type,
                int(col.required),
                int(col.array),
                col.size,
                col.min,
                col.max,
                json.dumps(col.default),
                col.created_at,
                col.updated_at,
            ),
        )

    def add_column(self, table: Table, col: Column) -> None:
        """Add a column; :class:`Conflict` when the key exists."""
        try:
            with self._db.write() as db:
                self._insert_column(db, table.seq, col)
        except sqlite3.IntegrityError as exc:
            raise Conflict(str(exc)) from exc

    def update_column(self, table: Table, key: str, col: Column) -> None:
        """Replace column ``key`` with ``col``; a new key is carried into every row.

        :class:`Conflict` when the new key exists.
        """
        try:
            with self._db.write() as db:
                db.execute(
                    "UPDATE tdb_columns SET key = ?, required = ?, size = ?, min = ?, max = ?,"
                    " dflt = ?, updated_at = ? WHERE table_seq = ? AND key = ?",
                    (
                        col.key,
                        int(col.required),
                        col.size,
                        col.min,
                        col.max,
                        json.dumps(col.default),
                        col.updated_at,
                        table.seq,
                        key,
                    ),
                )
                if col.key == key:
                    return
                rows = db.execute(
                    "SELECT seq, data FROM tdb_rows WHERE table_seq = ?", (table.seq,)
                ).fetchall()
                for seq, raw in rows:
                    data = json.loads(raw)
                    if key in data:
                        data[col.key] = data.pop(key)
                        db.execute(
                            "UPDATE tdb_rows SET data = ? WHERE seq = ?", (json.dumps(data), seq)
                        )
        except sqlite3.IntegrityError as exc:
            raise Conflict(str(exc)) from exc

    def column_values(self, table: Table, key: str) -> list[Any]:
        """Every row's stored value of column ``key`` (nulls and absent ones left out)."""
        path = f'$."{key}"'
        rows = self._db.all(
            "SELECT json_type(data, ?), json_extract(data, ?) FROM tdb_rows WHERE table_seq = ?",
            (path, path, table.seq),
        )
        return [json.loads(v) if t == "array" else v for t, v in rows if t not in (None, "null")]

    def delete_column(self, table: Table, key: str) -> bool:
        """Drop a column and its values from every row."""
        path = f'$."{key}"'
        with self._db.write() as db:
            gone = db.execute(
                "DELETE FROM tdb_columns WHERE table_seq = ? AND key = ?", (table.seq, key)
            ).rowcount
            db.execute(
                "UPDATE tdb_rows SET data = json_remove(data, ?) WHERE table_seq = ?",
                (path, table.seq),
            )
        return gone > 0

    # rows ---------------------------------------------------------------------------
    def insert_row(
        self,
        table: Table,
        row_id: str,
        data: dict[str, Any],
        permissions: list[str],
        created_at: float,
        updated_at: float,
    ) -> Row:
        """Insert a row; :class:`Conflict` when the id exists in the table."""
        try:
            with self._db.write() as db:
                cur = db.execute(
                    "INSERT INTO tdb_rows (table_seq, id, data, permissions, created_at,"
                    " updated_at) VALUES (?,?,?,?,?,?)",
                    (
                        table.seq,
                        row_id,
                        json.dumps(data),
                        json.dumps(permissions),
                        created_at,
                        updated_at,
                    ),
                )
                seq = int(cur.lastrowid or 0)
                db.executemany(
                    "INSERT OR IGNORE INTO tdb_row_perms VALUES (?,?,?)",
                    _perm_lines(seq, permissions),
                )
        except sqlite3.IntegrityError as exc:
            raise Conflict(str(exc)) from exc
        return Row(seq, row_id, data, permissions, created_at, updated_at)

    def insert_rows(self, table: Table, rows: list[NewRow]) -> list[Row]:
        """Insert several rows in one transaction (all or none).

        :class:`Conflict` when an ID exists (in the table or twice in ``rows``).
        """
        made: list[Row] = []
        try:
            with self._db.write() as db:
                for new in rows:
                    cur = db.execute(
                        "INSERT INTO tdb_rows (table_seq, id, data, permissions, created_at,"
                        " updated_at) VALUES (?,?,?,?,?,?)",
                        (
                            table.seq,
                            new.id,
                            json.dumps(new.data),
                            json.dumps(new.permissions),
                            new.created_at,
                            new.updated_at,
                        ),
                    )
                    seq = int(cur.lastrowid or 0)
                    db.executemany(
                        "INSERT OR IGNORE INTO tdb_row_perms VALUES (?,?,?)",
                        _perm_lines(seq, new.permissions),
                    )
                    made.append(
                        Row(seq, new.id, new.data, new.permissions, new.created_at, new.updated_at)
                    )
        except sqlite3.IntegrityError as exc:
            raise Conflict(str(exc)) from exc
        return made

    def add_to(
        self,
        table: Table,
        row_id: str,
        key: str,
        step: int,
        now: float,
        check: Callable[[int], None],
    ) -> Row | None:
        """Add ``step`` to the row's number ``key`` (null counts as 0) in one transaction.

        ``check(result)`` may raise to refuse (nothing is written); None when the row is gone.
        """
        with self._db.write() as db:
            found = db.execute(
                "SELECT * FROM tdb_rows WHERE table_seq = ? AND id = ?", (table.seq, row_id)
            ).fetchone()
            if found is None:
                return None
            row = _row(found)
            result = int(row.data.get(key) or 0) + step
            check(result)
            data = {**row.data, key: result}
            db.execute(
                "UPDATE tdb_rows SET data = ?, updated_at = ? WHERE seq = ?",
                (json.dumps(data), now, row.seq),
            )
        return Row(row.seq, row.id, data, row.permissions, row.created_at, now)

    def get_row(self, table: Table, row_id: str) -> Row | None:
        """The row (no permission check) or None."""
        rows = self._db.all(
            "SELECT * FROM tdb_rows WHERE table_seq = ? AND id = ?", (table.seq, row_id)
        )
        return _row(rows[0]) if rows else None

    def update_row(self, row: Row, data: dict[str, Any], permissions: list[str], now: float) -> Row:
        """Replace a row's data and permissions, bump ``$updatedAt``."""
        with self._db.write() as db:
            db.execute(
                "UPDATE tdb_rows SET data = ?, permissions = ?, updated_at = ? WHERE seq = ?",
                (json.dumps(data), json.dumps(permissions), now, row.seq),
            )
            db.execute("DELETE FROM tdb_row_perms WHERE row_seq = ?", (row.seq,))
            db.executemany(
                "INSERT OR IGNORE INTO tdb_row_perms VALUES (?,?,?)",
                _perm_lines(row.seq, permissions),
            )
        return Row(row.seq, row.id, data, permissions, row.created_at, now)

    def delete_row(self, row: Row) -> bool:
        """Delete a row; False when it was already gone."""
        with self._db.write() as db:
            return db.execute("DELETE FROM tdb_rows WHERE seq = ?", (row.seq,)).rowcount > 0

    def _find_rows(
        self, table: Table, plan: Plan, read_roles: list[str] | None, *, with_total: bool
    ) -> tuple[list[Row], int]:
        where = ["r.table_seq = ?", *plan.where]
        args: list[Any] = [table.seq, *plan.args]
        if read_roles is not None:
            marks = ",".join("?" * len(read_roles))
            where.append(
                "EXISTS (SELECT 1 FROM tdb_row_perms p WHERE p.row_seq = r.seq AND"
                f" p.type = 'read' AND p.role IN ({marks}))"
            )
            args.extend(read_roles)
        total = 0
        if with_total:
            count_sql = (
                "SELECT COUNT(*) FROM (SELECT 1 FROM tdb_rows r WHERE"
                f" {' AND '.join(where)} LIMIT {MAX_TOTAL})"
            )
            total = int(self._db.all(count_sql, args)[0][0])
        # Ties break on the internal sequence, ascending (utopia-php/database's SQL adapter).
        order = [(sql, desc) for sql, _, desc in plan.order] + [("r.seq", False)]
        before = plan.cursor is not None and plan.cursor[0] == "before"
        if plan.cursor is not None:
            cond, cond_args = self._cursor(table, plan, order, before, read_roles)
            where.append(cond)
            args.extend(cond_args)
        direction = [(sql, desc != before) for sql, desc in order]
        order_sql = ", ".join(f"{sql} {'DESC' if desc else 'ASC'}" for sql, desc in direction)
        sql = (
            f"SELECT r.* FROM tdb_rows r WHERE {' AND '.join(where)} ORDER BY {order_sql}"
            " LIMIT ? OFFSET ?"
        )
        rows = [_row(r) for r in self._db.all(sql, [*args, plan.limit, plan.offset])]
        if before:
            rows.reverse()
        return rows, total

    def find_rows(
        self, table: Table, plan: Plan, read_roles: list[str] | None, *, with_total: bool
    ) -> tuple[list[Row], int]:
        """One page of rows and the filtered total (≤5000).

        ``read_roles`` None: no row filter (a key, or a table-level read); else only rows
        whose ``read`` role is one of them. :class:`CursorNotFound` or :class:`NullOrderValue`
        when the cursor cannot be used; :class:`QueryTooComplex` when SQLite refuses the
        statement as too large.
        """
        try:
            return self._find_rows(table, plan, read_roles, with_total=with_total)
        except sqlite3.OperationalError as exc:
            if any(needle in str(exc).lower() for needle in _TOO_COMPLEX):
                raise QueryTooComplex(str(exc)) from None
            raise

    def _cursor(
        self,
        table: Table,
        plan: Plan,
        order: list[tuple[str, bool]],
        before: bool,
        read_roles: list[str] | None,
    ) -> tuple[str, list[Any]]:
        assert plan.cursor is not None
        row_id = plan.cursor[1]
        exprs = ", ".join(sql for sql, _ in order)
        sql = f"SELECT {exprs} FROM tdb_rows r WHERE r.table_seq = ? AND r.id = ?"
        args: list[Any] = [table.seq, row_id]
        if read_roles is not None:  # a row the caller cannot read is no anchor: as if absent
            sql += (
                " AND EXISTS (SELECT 1 FROM tdb_row_perms p WHERE p.row_seq = r.seq AND"
                f" p.type = 'read' AND p.role IN ({','.join('?' * len(read_roles))}))"
            )
            args.extend(read_roles)
        found = self._db.all(sql, args)
        if not found:
            raise CursorNotFound(row_id)
        values = list(found[0])
        for (_, attribute, _), value in zip(plan.order, values, strict=False):
            if value is None:
                raise NullOrderValue(attribute)
        ors, cond_args = [], []
        for i, (expr, desc) in enumerate(order):
            op = ">" if desc == before else "<"
            parts = [f"{order[j][0]} = ?" for j in range(i)] + [f"{expr} {op} ?"]
            cond_args.extend(values[: i + 1])
            ors.append("(" + " AND ".join(parts) + ")")
        return "(" + " OR ".join(ors) + ")", cond_args
