"""The few statements every request or every sheet runs, sent straight to the database driver.

SQLAlchemy's Core ``execute`` spends ~40 µs of Python on each statement here (execution context, result
metadata, events): as much as SQLite takes to run it. A ``Prepared`` statement is an ordinary Core statement,
compiled once per dialect by SQLAlchemy itself (same SQL, same placeholders and casts), whose parameters and
results go through the column types' own converters (UUIDs, decimals, JSON, booleans), run on the DBAPI
connection underneath a SQLAlchemy ``Connection``: in its transaction, if it has one (issue 22: the login's
user, a signed sheet's lookups and inserts). Driver errors come back as SQLAlchemy's exceptions
(``IntegrityError``…), so callers catch what they always caught. Everything else goes through SQLAlchemy.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.expression import ClauseElement

Params = Mapping[str, Any]
_Convert = Callable[[Any], Any] | None


@dataclass(frozen=True)
class _Bind:
    """One placeholder: the caller's key, its converter, and its value when the statement fixes one."""

    key: str
    convert: _Convert
    required: bool
    fixed: Any


@dataclass
class _Compiled:
    sql: str
    #: placeholders in order (positional paramstyles) or by name (named ones)
    binds: tuple[tuple[str, _Bind], ...]
    positional: bool
    #: the result columns' converters, known once the driver has described a result (PostgreSQL's depend on
    #: the type it sends: a numeric or a float)
    columns: tuple[_Convert, ...] | None = None

    @cached_property
    def all_given(self) -> bool:
        """Every placeholder is the caller's (none fixed by the statement)."""
        return all(bind.required for _name, bind in self.binds)


class Prepared:
    """A Core statement run on the driver (``keys``: an INSERT's columns, every one given by the caller)."""

    def __init__(self, statement: ClauseElement, keys: Sequence[str] = (), many: bool = False) -> None:
        self.statement, self.keys, self.many = statement, list(keys), many
        self.names: tuple[str, ...] = tuple(c.key for c in getattr(statement, "exported_columns", ()))
        self._compiled: weakref.WeakKeyDictionary[Dialect, _Compiled] = weakref.WeakKeyDictionary()

    def first(self, conn: Connection, params: Params) -> tuple[Any, ...] | None:
        rows = self._run(conn, params, fetch=1)
        return rows[0] if rows else None

    def scalar(self, conn: Connection, params: Params) -> Any:
        row = self.first(conn, params)
        return None if row is None else row[0]

    def run(self, conn: Connection, params: Params | Sequence[Params]) -> None:
        """Execute once, or once per mapping of a sequence (executemany)."""
        self._run(conn, params, fetch=0)

    def _run(self, conn: Connection, params: Params | Sequence[Params], fetch: int) -> list[tuple[Any, ...]]:
        dialect = conn.dialect
        compiled = self._compiled.get(dialect) or self._compile(dialect)
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            if isinstance(params, Mapping):
                cursor.execute(compiled.sql, _values(compiled, params))
            else:
                cursor.executemany(compiled.sql, [_values(compiled, p) for p in params])
            if not fetch:
                return []
            found = cursor.fetchmany(fetch)
            columns = compiled.columns
            if columns is None:
                columns = compiled.columns = self._converters(dialect, cursor.description)
        except dialect.loaded_dbapi.Error as error:
            raise DBAPIError.instance(compiled.sql, None, error, dialect.loaded_dbapi.Error) from error
        finally:
            cursor.close()
        if not any(columns):
            return [tuple(row) for row in found]
        return [tuple(v if c is None else c(v) for c, v in zip(columns, row, strict=True)) for row in found]

    def _compile(self, dialect: Dialect) -> _Compiled:
        options: dict[str, Any] = {"for_executemany": True} if self.many else {}
        compiled: Any = self.statement.compile(dialect=dialect, column_keys=self.keys or None, **options)
        if getattr(compiled, "insert_prefetch", None) or getattr(compiled, "update_prefetch", None):
            names = [c.key for c in [*compiled.insert_prefetch, *compiled.update_prefetch]]
            raise ValueError(f"give every column of a prepared statement (defaults not run): {names}")
        binds = []
        order = compiled.positiontup if compiled.positional else list(compiled.binds)
        escaped = compiled.escaped_bind_names or {}
        for name in order:
            bind = compiled.binds[name]
            if bind.expanding:
                raise ValueError("IN lists cannot be prepared")
            convert = bind.type.dialect_impl(dialect).bind_processor(dialect)
            fixed = None if bind.required else bind.effective_value
            binds.append((escaped.get(name, name), _Bind(bind.key, convert, bind.required, fixed)))
        done = self._compiled[dialect] = _Compiled(compiled.string, tuple(binds), compiled.positional)
        return done

    def _converters(self, dialect: Dialect, description: Sequence[Sequence[Any]]) -> tuple[_Convert, ...]:
        columns = list(getattr(self.statement, "exported_columns", ()))
        return tuple(
            column.type.dialect_impl(dialect).result_processor(dialect, described[1])
            for column, described in zip(columns, description, strict=True)
        )


def _values(compiled: _Compiled, params: Params) -> tuple[Any, ...] | dict[str, Any]:
    if compiled.positional and compiled.all_given:  # the usual case, kept short: it runs for every row
        return tuple(
            params[b.key] if b.convert is None else b.convert(params[b.key]) for _n, b in compiled.binds
        )
    values = []
    for _name, bind in compiled.binds:
        if bind.key in params:
            value = params[bind.key]
        elif bind.required:
            raise KeyError(f"no value for {bind.key!r}")
        else:
            value = bind.fixed
        values.append(value if bind.convert is None else bind.convert(value))
    if compiled.positional:
        return tuple(values)
    return {name: value for (name, _bind), value in zip(compiled.binds, values, strict=True)}
