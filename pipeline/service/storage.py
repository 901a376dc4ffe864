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

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import sqlalchemy as db
from dagster._core.storage.runs.sqlite.sqlite_run_storage import SqliteRunStorage
from dagster._core.storage.schedules.sqlite.sqlite_schedule_storage import SqliteScheduleStorage
from dagster._core.storage.tags import WILL_RETRY_TAG
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


# Set in a process whose definitions failed on the settings (pipeline.definitions): a run worker
# that could not load its job because homeclerk.toml is broken. Its run is not retried: the
# retry would load the same file and fail the same way (Dagster's retry daemon retries a failed
# run whose `dagster/will_retry` tag, set by the process that reports the failure, is true).
_SETTINGS_ERROR: list[str] = []
NOT_RETRIED_TAG = "homeclerk/not_retried"


def note_settings_error(message: str | None) -> None:
    """Record (or, with None, clear) that this process's definitions failed on the settings."""
    _SETTINGS_ERROR[:] = [] if message is None else [message]


class KeptEngineSqliteRunStorage(_KeptEngine, SqliteRunStorage):
    """`SqliteRunStorage` over one engine, so its compiled statements are reused; a run that
    failed because the settings are broken is marked as not to be retried."""

    def add_run_tags(self, run_id: str, new_tags: Mapping[str, str]) -> None:
        """Dagster's, then a settings error noted for the run (so it is not retried)."""
        if _SETTINGS_ERROR and new_tags.get(WILL_RETRY_TAG) == "true":
            new_tags = {
                **new_tags,
                WILL_RETRY_TAG: "false",
                NOT_RETRIED_TAG: "settings error: fix homeclerk.toml (see `homeclerk doctor`)",
            }
        super().add_run_tags(run_id, new_tags)

    @classmethod
    def from_config_value(cls, inst_data: Any, config_value: Any) -> KeptEngineSqliteRunStorage:
        """Dagster's constructor from `dagster.yaml`, with the engine kept."""
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
        """Dagster's constructor from `dagster.yaml`, building this class."""
        return cls.from_local(inst_data=inst_data, **config_value)

    def _once(self, key: str, check: Callable[[], bool]) -> bool:
        if key in self._known_true:
            return True
        result = bool(check())
        if result:
            self._known_true.add(key)
        return result

    def has_instigators_table(self) -> bool:
        """Dagster's check, remembered once it is true (a table, once there, stays)."""
        return self._once("instigators", super().has_instigators_table)

    def _has_instigators_table(self, conn: Connection) -> bool:
        parent = super()._has_instigators_table
        return self._once("instigators", lambda: parent(conn))

    def has_secondary_index_table(self) -> bool:
        """Dagster's check, remembered once it is true (a table, once there, stays)."""
        return self._once("secondary_indexes", super().has_secondary_index_table)

    def has_built_index(self, migration_name: str) -> bool:
        """Dagster's check, remembered once it is true (an index, once built, stays)."""
        parent = super().has_built_index
        return self._once(f"index:{migration_name}", lambda: parent(migration_name))
