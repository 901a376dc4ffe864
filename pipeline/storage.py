"""Dagster's SQLite run and schedule storages, minus the work they repeat on every call.

The daemon polls these every few seconds (sensor state and ticks, the run queue, heartbeats).
Each call of the stock SQLite storages builds a new SQLAlchemy engine, so no compiled statement
is ever reused (each query is compiled again), and the schedule storage also reflects the
database's tables (is there an `instigators` table? a `secondary_indexes` table? is this index
built?) several times per sensor tick: much of the idle daemon's CPU. Here each storage keeps
one engine (still without a pool: each call its own connection, as before) and the schedule
storage remembers those answers once true (migrations only add). Same files, same schema: an
instance can switch between these classes and the stock ones freely. Named in the `dagster.yaml`
homeclerk writes (`pipeline/templates/dagster.yaml`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as db
from dagster._core.storage.runs.sqlite.sqlite_run_storage import SqliteRunStorage
from dagster._core.storage.schedules.sqlite.sqlite_schedule_storage import SqliteScheduleStorage
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import NullPool


class _KeptEngine:
    """`connect()` over one engine made once, instead of a new engine per call."""

    _conn_string: str
    _kept: Engine | None = None

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        if self._kept is None:
            self._kept = db.create_engine(self._conn_string, poolclass=NullPool)
        with self._kept.connect() as conn, conn.begin():
            yield conn


class KeptEngineSqliteRunStorage(_KeptEngine, SqliteRunStorage):
    """`SqliteRunStorage` over one engine, so its compiled statements are reused."""

    @classmethod
    def from_config_value(cls, inst_data: Any, config_value: Any) -> KeptEngineSqliteRunStorage:
        # The stock class names itself here; `from_local` builds `cls`.
        return cls.from_local(inst_data=inst_data, **config_value)


class CheckedOnceSqliteScheduleStorage(_KeptEngine, SqliteScheduleStorage):
    """`SqliteScheduleStorage` over one engine that remembers its (positive) schema checks."""

    def __init__(self, conn_string: str, inst_data: Any = None) -> None:
        super().__init__(conn_string, inst_data)
        self._known_true: set[str] = set()

    @classmethod
    def from_config_value(
        cls, inst_data: Any, config_value: Any
    ) -> CheckedOnceSqliteScheduleStorage:
        return cls.from_local(inst_data=inst_data, **config_value)

    def _once(self, key: str, check: Callable[[], bool]) -> bool:
        if key in self._known_true:
            return True
        result = bool(check())
        if result:
            self._known_true.add(key)
        return result

    def has_instigators_table(self) -> bool:
        return self._once("instigators", super().has_instigators_table)

    def _has_instigators_table(self, conn: Connection) -> bool:
        parent = super()._has_instigators_table
        return self._once("instigators", lambda: parent(conn))

    def has_secondary_index_table(self) -> bool:
        return self._once("secondary_indexes", super().has_secondary_index_table)

    def has_built_index(self, migration_name: str) -> bool:
        parent = super().has_built_index
        return self._once(f"index:{migration_name}", lambda: parent(migration_name))
