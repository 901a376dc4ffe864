"""Dagster's SQLite schedule storage, minus the schema checks it repeats on every call.

The sensor daemon reads and writes sensor state and ticks every few seconds; each call of the
stock `SqliteScheduleStorage` first builds a new SQLAlchemy engine and reflects the database's
tables (is there an `instigators` table? a `secondary_indexes` table? is this index built?),
several times per tick: much of the idle daemon's CPU. Those answers do not change once true
(migrations only add), so they are remembered here once true, and one engine is kept (still
without a pool: each call its own connection, as before). Same files, same schema: an instance
can switch between this class and the stock one freely. Named in the `dagster.yaml` homeclerk
writes (`pipeline/templates/dagster.yaml`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as db
from dagster._core.storage.schedules.sqlite.sqlite_schedule_storage import SqliteScheduleStorage
from sqlalchemy.engine import Connection
from sqlalchemy.pool import NullPool


class CheckedOnceSqliteScheduleStorage(SqliteScheduleStorage):
    """`SqliteScheduleStorage` that remembers its (positive) schema checks and keeps one engine."""

    def __init__(self, conn_string: str, inst_data: Any = None) -> None:
        super().__init__(conn_string, inst_data)
        self._engine = db.create_engine(conn_string, poolclass=NullPool)
        self._known_true: set[str] = set()

    @classmethod
    def from_config_value(
        cls, inst_data: Any, config_value: Any
    ) -> CheckedOnceSqliteScheduleStorage:
        # The stock class names itself here; `from_local` builds `cls`.
        return cls.from_local(inst_data=inst_data, **config_value)

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        with self._engine.connect() as conn, conn.begin():
            yield conn

    def _once(self, key: str, check: Any) -> bool:
        if key in self._known_true:
            return True
        result = bool(check())
        if result:
            self._known_true.add(key)
        return result

    def has_instigators_table(self) -> bool:
        return self._once("instigators", super().has_instigators_table)

    def _has_instigators_table(self, conn: Connection) -> bool:
        return self._once(
            "instigators", lambda: super(type(self), self)._has_instigators_table(conn)
        )

    def has_secondary_index_table(self) -> bool:
        return self._once("secondary_indexes", super().has_secondary_index_table)

    def has_built_index(self, migration_name: str) -> bool:
        return self._once(
            f"index:{migration_name}",
            lambda: super(type(self), self).has_built_index(migration_name),
        )
