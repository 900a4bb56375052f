"""Multi-row writes in one statement, for the few hot paths where the ORM's per-object
cost dominates (the ledger's batched transfers, see ``ledger.services``).

Why not ``bulk_create``: on this project's 2-core machine it spends about 0.3 ms of Python
per row (it prepares every field of every object, and on PostgreSQL builds the arrays of
its ``UNNEST`` element by element), more than the database spends storing the row; and a
statement with a thousand ``%s`` placeholders costs psycopg about 3 ms to parse, each
time, because statements that long are not cached. So on PostgreSQL the rows travel as
ONE parameter, a JSON text that ``json_to_recordset`` unpacks on the server (C on both
ends: ``json.dumps`` and PostgreSQL's JSON parser); on SQLite, whose driver binds
parameters in C, as a plain multi-row ``VALUES``. Values are plain Python values (ints,
strings, None, aware datetimes, and dicts or lists for JSON fields).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from django.db import connection, models
from django.utils import timezone


def _field(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field), f"{name} is not a column of {model.__name__}"
    return field


def _column(model: type[models.Model], name: str) -> str:
    return connection.ops.quote_name(str(_field(model, name).column))


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not a column value")


@functools.cache
def _recordset(model: type[models.Model], fields: tuple[str, ...]) -> tuple[str, str]:
    """The columns, and ``json_to_recordset(%s::json) AS r(column type, ...)``
    (PostgreSQL only)."""
    columns = [_column(model, f) for f in fields]
    types = [str(_field(model, f).db_type(connection)) for f in fields]
    shape = ", ".join(f"{c} {t}" for c, t in zip(columns, types, strict=True))
    return ", ".join(columns), f"json_to_recordset(%s::json) AS r({shape})"


def _rows_as_json(model: type[models.Model], fields: Sequence[str], rows: Sequence[Any]) -> str:
    names = [str(_field(model, f).column) for f in fields]
    return json.dumps([dict(zip(names, row, strict=True)) for row in rows], default=_json_default)


def _sqlite_converters(
    model: type[models.Model], fields: Sequence[str]
) -> list[Callable[[Any], Any]]:
    def convert(field: models.Field[Any, Any]) -> Callable[[Any], Any]:
        if isinstance(field, models.JSONField):
            return lambda v: field.get_db_prep_save(v, connection)
        if isinstance(field, models.DateTimeField):
            return lambda v: connection.ops.adapt_datetimefield_value(v)
        return lambda v: v

    return [convert(_field(model, f)) for f in fields]


def insert_many(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    returning: Sequence[str] = (),
) -> list[tuple[Any, ...]]:
    """Insert ``rows`` (values in the order of ``fields``) in one statement, returning the
    ``returning`` columns of each row in no promised order (ask for a unique key too)."""
    if not rows:
        return []
    table = connection.ops.quote_name(model._meta.db_table)
    back = (" RETURNING " + ", ".join(_column(model, f) for f in returning)) if returning else ""
    if connection.vendor == "postgresql":
        columns, source = _recordset(model, tuple(fields))
        sql = f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {source}{back}"
        params: list[Any] = [_rows_as_json(model, fields, rows)]
    else:
        converters = _sqlite_converters(model, fields)
        one = "(" + ", ".join(["%s"] * len(fields)) + ")"
        columns = ", ".join(_column(model, f) for f in fields)
        sql = f"INSERT INTO {table} ({columns}) VALUES " + ", ".join([one] * len(rows)) + back
        params = [c(v) for row in rows for c, v in zip(converters, row, strict=True)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [tuple(r) for r in cursor.fetchall()] if returning else []


def update_by_pk(model: type[models.Model], field: str, values: Mapping[int, Any]) -> None:
    """Set ``field`` to ``values[pk]`` on each of those rows, in one statement."""
    if not values:
        return
    pk_name = model._meta.pk.name if model._meta.pk is not None else "id"
    table = connection.ops.quote_name(model._meta.db_table)
    column, pk = _column(model, field), _column(model, pk_name)
    if connection.vendor == "postgresql":
        _, source = _recordset(model, (pk_name, field))
        sql = f"UPDATE {table} SET {column} = r.{column} FROM {source} WHERE {table}.{pk} = r.{pk}"
        params: list[Any] = [_rows_as_json(model, [pk_name, field], list(values.items()))]
    else:
        cases = " ".join(["WHEN %s THEN %s"] * len(values))
        marks = ", ".join(["%s"] * len(values))
        sql = f"UPDATE {table} SET {column} = CASE {pk} {cases} END WHERE {pk} IN ({marks})"
        params = [x for item in values.items() for x in item] + list(values)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def select_where_in(
    model: type[models.Model],
    fields: Sequence[str],
    where: Mapping[str, Sequence[Any]],
    *,
    extra: str = "",
    lock: bool = False,
) -> list[tuple[Any, ...]]:
    """``SELECT fields FROM model WHERE a IN (...) AND b IN (...) [extra] [FOR UPDATE]``
    without the ORM's query compilation (about 0.5 ms a query here); name the leading
    columns of an index so that it is used. ``extra`` is a constant of the caller's code,
    never input. ``FOR UPDATE`` only where the database has it: SQLite's writers are
    serialised by its IMMEDIATE transactions."""
    if not where or not all(where.values()):
        return []
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(_column(model, f) for f in fields)
    conditions = " AND ".join(
        f"{_column(model, name)} IN ({', '.join(['%s'] * len(values))})"
        for name, values in where.items()
    )
    sql = f"SELECT {columns} FROM {table} WHERE {conditions} {extra}"
    if lock and connection.features.has_select_for_update:
        sql += " FOR UPDATE"
    with connection.cursor() as cursor:
        cursor.execute(sql, [value for values in where.values() for value in values])
        return [tuple(r) for r in cursor.fetchall()]


def database_now() -> datetime:
    """Now, for a change being written: on PostgreSQL the database server's clock, read in
    the change's transaction (after its locks, so that changes under one lock get times in
    the order they were made, whichever app server made them); on SQLite, where the
    database is a file of this process, this process's clock. The ledger's payment
    function (migration ``ledger/0007``) and the journal take their times from it, so that
    one body's journal and one ledger never mix two servers' clocks."""
    assert connection.in_atomic_block, "the time of a change is read in its transaction"
    if connection.vendor != "postgresql":
        return timezone.now()
    with connection.cursor() as cursor:
        cursor.execute("SELECT clock_timestamp()")
        now: datetime = cursor.fetchone()[0]
    return now
