"""Bulk upserts on PostgreSQL as one statement over arrays, one array per column.

An executemany sends and binds every row on its own; `INSERT .. SELECT FROM unnest(arrays)`
binds a handful of arrays per batch, which is several times faster for the thousands of rows
an import writes. The arrays' element types come from the table, so values arrive as the
column stores them (JSON as text cast to jsonb; no length cast, so an over-long text is
refused by the column as it would be row by row).
"""

import json
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Float, FromClause, Integer, String, Uuid
from sqlalchemy.orm import Session

NEW_ID = object()  # a constant: the database draws a random UUID for each row


def _array_type(table: FromClause, column: str) -> tuple[str, str]:
    """(element type the array is bound as, cast of each element into the column)."""
    kind = table.c[column].type
    kind = getattr(kind, "impl", kind)  # a TypeDecorator stores as its implementation
    if isinstance(kind, JSON):
        return "text", "jsonb"
    for sql_type, names in (
        (Uuid, "uuid"),
        (String, "text"),
        (Boolean, "boolean"),
        (Integer, "bigint"),
        (Float, "float8"),
        (DateTime, "timestamptz"),
    ):
        if isinstance(kind, sql_type):
            return names, ""
    raise TypeError(f"no array type for {table.description}.{column} ({kind!r})")


def upsert_arrays(
    db: Session,
    table: FromClause,
    columns: Mapping[str, Sequence[Any]],
    constants: Mapping[str, Any],
    conflict: Sequence[str],
    update: Sequence[str],
) -> None:
    """INSERT the rows (column -> values, all as long) with `constants` in every row, ON
    CONFLICT (conflict) DO UPDATE the `update` columns. PostgreSQL only."""
    if not columns or not len(next(iter(columns.values()))):
        return
    params: dict[str, Any] = {}
    arrays, selected = [], {}
    for position, (column, values) in enumerate(columns.items()):
        element, cast = _array_type(table, column)
        if cast == "jsonb":
            values = _json_texts(values)
        elif element == "float8":
            values = [None if value is None else float(value) for value in values]
        params[f"a{position}"] = list(values)
        # Binary: psycopg escapes each text of an array in text format, 20 times slower.
        arrays.append(f"CAST(%(a{position})b AS {element}[])")
        selected[column] = f"CAST(s.c{position} AS {cast})" if cast else f"s.c{position}"
    for position, (column, value) in enumerate(constants.items()):
        if value is NEW_ID:
            selected[column] = "gen_random_uuid()"
            continue
        element, cast = _array_type(table, column)
        if cast == "jsonb":
            value = None if value is None else json.dumps(value)
        params[f"k{position}"] = value
        selected[column] = f"CAST(%(k{position})s AS {cast or element})"
    names = ", ".join(f"c{position}" for position in range(len(columns)))
    assignments = ", ".join(f"{column} = excluded.{column}" for column in update)
    statement = (
        f"INSERT INTO {table.description} ({', '.join(selected)})"
        f" SELECT {', '.join(selected.values())}"
        f" FROM unnest({', '.join(arrays)}) AS s({names})"
        f" ON CONFLICT ({', '.join(conflict)})"
        + (f" DO UPDATE SET {assignments}" if update else " DO NOTHING")
    )
    db.connection().exec_driver_sql(statement, params)


def _json_texts(values: Sequence[Any]) -> list[str | None]:
    """Each value as JSON text; a value that is the same object as an earlier one (a list
    many rows share) is dumped once."""
    dumped: dict[int, str] = {}
    texts: list[str | None] = []
    for value in values:
        if value is None:
            texts.append(None)
            continue
        text = dumped.get(id(value))
        if text is None:
            text = dumped[id(value)] = json.dumps(value)
        texts.append(text)
    return texts
