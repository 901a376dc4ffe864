"""One snapshot folder: every file homeclerk cannot get back, copied consistently, with a manifest.

Layout of `<backup dir>/<YYYYMMDDTHHMMSSZ>/`:
  data/      the data folder: warehouse.duckdb, dagster/ (the instance), feeds/, broker CSVs …
  books/     the books folder
  config/homeclerk.toml
  secrets/   `.env` (and a token file kept outside the data folder), only with include_secrets
  manifest.json   written last: size and SHA-256 of every file above

The snapshot is built in a hidden `.<name>.partial` folder and renamed when complete, so a folder
with a readable manifest is a whole snapshot ("good"); a killed backup leaves only a `.partial`.

A running service's own files stay out (`is_runtime`): its child PIDs, locks, sockets, the code
server's workspace file and the logs it is writing. Restored elsewhere they would name processes
and ports of the live service (a `serve` on the restored folder once killed the live one's
children from a restored `children.pids`).

The warehouse is copied as a file after a `CHECKPOINT`, while this process holds the one
read-write connection: DuckDB allows a single writer, so no run can change it under the copy,
and the checkpoint folds the write-ahead log into the file. Restoring is then copying the file
back: every table, type, sequence and index is exactly as it was, and a restore is as fast as a
copy (`EXPORT DATABASE` would rebuild from CSV/Parquet on `IMPORT`, slower and not byte-exact).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from assets.common.atomic import write_json_atomic
from assets.common.warehouse import WarehouseLockedError, connect

MANIFEST = "manifest.json"
MANIFEST_FORMAT = 1
NAME_FORMAT = "%Y%m%dT%H%M%SZ"
SQLITE_HEADER = b"SQLite format 3\x00"
# SQLite side files: the online backup reads through them, copying them would tear the database.
_SQLITE_SIDE = ("-wal", "-shm", "-journal")
WAREHOUSE_WAIT_S = 120.0
# Why a snapshot was taken, in its manifest: by hand (`homeclerk backup`) or by the `backup` asset
# (the nightly schedule). Retention leaves snapshots taken by hand unless asked to prune them.
TRIGGER_MANUAL = "manual"
TRIGGER_SCHEDULED = "scheduled"

# The running service's files, inside the data folder: `logs/` (the service's and each child's
# log, and `children.pids`), locks, PID files and sockets anywhere, and the workspace file `serve`
# writes at each start with its code server's port.
# sms-spool: the SMS webhook's spool holds every forwarded SMS, OTPs and personal ones too,
# until the next run stores the bank ones and empties it; no copy of it may outlive that run.
RUNTIME_DIRS = ("logs", "sms-spool")
RUNTIME_SUFFIXES = (".lock", ".pid", ".pids", ".sock", ".socket")
RUNTIME_FILES = ("dagster/serve-workspace.yaml",)


class BackupError(RuntimeError):
    """A snapshot could not be taken or verified; the message says what and the fix."""


@dataclass(frozen=True)
class BackupSources:
    """What to back up, as plain paths (from the settings)."""

    data_dir: Path
    books_dir: Path
    config_file: Path | None = None
    env_file: Path | None = None
    token_file: Path | None = None
    include_secrets: bool = False

    @property
    def warehouse(self) -> Path:
        """The DuckDB warehouse file."""
        return self.data_dir / "warehouse.duckdb"

    @property
    def dagster_home(self) -> Path:
        """The Dagster instance folder."""
        return self.data_dir / "dagster"


@dataclass
class SnapshotResult:
    """A snapshot just written: where, how many files and bytes."""

    path: Path
    files: int
    bytes: int
    seconds: float
    warehouse_tables: dict[str, int] = field(default_factory=dict)


def snapshot_name(now: dt.datetime) -> str:
    """The folder name of a snapshot taken at `now` (aware): UTC, sortable."""
    return now.astimezone(dt.UTC).strftime(NAME_FORMAT)


def parse_snapshot_name(name: str) -> dt.datetime | None:
    """The UTC instant a snapshot folder name stands for, or None for any other name."""
    try:
        return dt.datetime.strptime(name[:16], NAME_FORMAT).replace(tzinfo=dt.UTC)
    except ValueError:
        return None


def is_runtime(rel: str) -> bool:
    """Whether `rel` ('/'-separated, inside the data folder) is a running service's own file."""
    parts = PurePosixPath(rel).parts
    if not parts:
        return False
    return parts[0] in RUNTIME_DIRS or rel in RUNTIME_FILES or parts[-1].endswith(RUNTIME_SUFFIXES)


def take_snapshot(
    sources: BackupSources,
    backup_dir: Path,
    now: dt.datetime,
    warehouse_wait_s: float = WAREHOUSE_WAIT_S,
    trigger: str = TRIGGER_SCHEDULED,
) -> SnapshotResult:
    """Write one complete snapshot under `backup_dir`, named for `now`; returns what it holds.

    `trigger` (TRIGGER_MANUAL or TRIGGER_SCHEDULED) goes into the manifest for retention.
    """
    started = time.perf_counter()
    backup_dir = Path(backup_dir)
    backup_dir.mkdir(parents=True, exist_ok=True)
    name = _free_name(backup_dir, snapshot_name(now))
    partial = backup_dir / f".{name}.partial"
    if partial.exists():
        shutil.rmtree(partial)
    partial.mkdir(mode=0o700)  # the owner's money: nobody else reads a snapshot
    try:
        tables = _copy_warehouse(
            sources.warehouse, partial / "data" / "warehouse.duckdb", warehouse_wait_s
        )
        _copy_instance(sources.dagster_home, partial / "data" / "dagster")
        _copy_tree(
            sources.data_dir,
            partial / "data",
            skip=_data_skips(sources, backup_dir),
            runtime=is_runtime,
        )
        _copy_tree(sources.books_dir, partial / "books", skip=_backup_skip(backup_dir))
        if sources.config_file is not None and sources.config_file.is_file():
            _copy_file(sources.config_file, partial / "config" / "homeclerk.toml")
        if sources.include_secrets:
            if sources.env_file is not None and sources.env_file.is_file():
                _copy_file(sources.env_file, partial / "secrets" / ".env")
            token = sources.token_file
            if token is not None and token.is_file() and not _inside(token, sources.data_dir):
                _copy_file(token, partial / "secrets" / token.name)
        entries = list(_manifest_entries(partial))
        manifest = {
            "format": MANIFEST_FORMAT,
            "name": name,
            "created_at": now.astimezone(dt.UTC).isoformat(timespec="seconds"),
            "trigger": trigger,
            "include_secrets": sources.include_secrets,
            "sources": {
                "data_dir": str(sources.data_dir),
                # As the instance's dagster.yaml names it (symlinks resolved): restore rewrites it.
                "data_dir_resolved": str(sources.data_dir.resolve()),
                "books_dir": str(sources.books_dir),
                "config_file": str(sources.config_file) if sources.config_file else None,
            },
            "warehouse_tables": tables,
            "files": entries,
        }
        write_json_atomic(partial / MANIFEST, manifest, mode=0o600)
        final = backup_dir / name
        os.replace(partial, final)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return SnapshotResult(
        path=final,
        files=len(entries),
        bytes=sum(e["size"] for e in entries),
        seconds=time.perf_counter() - started,
        warehouse_tables=tables,
    )


def _free_name(backup_dir: Path, name: str) -> str:
    candidate, n = name, 1
    while (backup_dir / candidate).exists():
        n += 1
        candidate = f"{name}-{n}"
    return candidate


def _copy_warehouse(source: Path, target: Path, wait_s: float) -> dict[str, int]:
    """Checkpoint, then copy the file while holding the only read-write connection."""
    if not source.exists():
        return {}
    deadline = time.monotonic() + wait_s
    while True:
        try:
            with connect(source) as con:
                con.execute("CHECKPOINT")
                names = con.execute("SELECT table_name FROM duckdb_tables() ORDER BY 1").fetchall()
                tables = {str(n[0]): _count(con, str(n[0])) for n in names}
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, target)
                return tables
        except WarehouseLockedError:
            # A run (or another program) is writing: wait for it rather than copy a torn file.
            if time.monotonic() > deadline:
                raise BackupError(
                    f"warehouse {source} stayed locked for {wait_s:.0f} s: another program "
                    "keeps it open; close it (or stop `homeclerk ui`) and run `homeclerk backup`"
                ) from None
            time.sleep(0.1)


def _count(con: object, table: str) -> int:
    row = con.execute(f'SELECT count(*) FROM "{table}"').fetchone()  # type: ignore[attr-defined]
    return int(row[0]) if row else 0


def _copy_instance(home: Path, target: Path) -> None:
    """The Dagster instance: SQLite files through the online backup API, the rest copied."""
    if not home.is_dir():
        return
    for path in sorted(home.rglob("*")):
        if not path.is_file() or path.name.endswith(_SQLITE_SIDE):
            continue
        if is_runtime(f"{home.name}/{path.relative_to(home).as_posix()}"):
            continue
        dest = target / path.relative_to(home)
        dest.parent.mkdir(parents=True, exist_ok=True)
        if _is_sqlite(path):
            backup_sqlite(path, dest)
        else:
            shutil.copy2(path, dest)


def _is_sqlite(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(16) == SQLITE_HEADER
    except OSError:
        return False


def backup_sqlite(source: Path, target: Path) -> None:
    """A consistent copy of a live SQLite database (`sqlite3.Connection.backup`)."""
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()


def _backup_skip(backup_dir: Path) -> set[Path]:
    return {backup_dir.resolve()}


def _data_skips(sources: BackupSources, backup_dir: Path) -> set[Path]:
    skips = _backup_skip(backup_dir) | {
        sources.warehouse.resolve(),
        Path(str(sources.warehouse) + ".wal").resolve(),
        sources.dagster_home.resolve(),
    }
    if not sources.include_secrets and sources.token_file is not None:
        skips.add(sources.token_file.resolve())
    if not sources.include_secrets and sources.env_file is not None:
        skips.add(sources.env_file.resolve())
    return skips


def _copy_tree(
    source: Path,
    target: Path,
    skip: set[Path],
    runtime: Callable[[str], bool] = lambda rel: False,
) -> None:
    if not source.is_dir():
        return
    for root, dirs, files in os.walk(source):
        base = Path(root)
        dirs[:] = sorted(
            d
            for d in dirs
            if (base / d).resolve() not in skip
            and not runtime((base / d).relative_to(source).as_posix())
        )
        for name in sorted(files):
            path = base / name
            if path.resolve() in skip or (name.startswith(".") and name.endswith(".tmp")):
                continue  # an atomic write in progress is not a file yet
            if not path.is_file() or runtime(path.relative_to(source).as_posix()):
                continue  # a socket or FIFO, or a running service's own file
            _copy_file(path, target / path.relative_to(source))


def _copy_file(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source, target)


def _inside(path: Path, folder: Path) -> bool:
    return path.resolve().is_relative_to(folder.resolve())


def sha256_file(path: Path) -> str:
    """The file's SHA-256, hex, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _files(folder: Path) -> Iterator[Path]:
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.name != MANIFEST:
            yield path


def _manifest_entries(folder: Path) -> Iterator[dict[str, object]]:
    for path in _files(folder):
        yield {
            "path": path.relative_to(folder).as_posix(),
            "size": path.stat().st_size,
            "sha256": sha256_file(path),
        }


def read_manifest(snapshot: Path) -> dict[str, object]:
    """The snapshot's manifest; BackupError when it is missing or unreadable."""
    path = Path(snapshot) / MANIFEST
    try:
        manifest = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise BackupError(
            f"{snapshot} has no {MANIFEST}: it is not a complete snapshot; pick another "
            "(`ls` the backup folder) or take one with `homeclerk backup`"
        ) from None
    except (OSError, ValueError) as exc:
        raise BackupError(f"{path} is unreadable ({exc}): pick another snapshot") from None
    if (
        not isinstance(manifest, dict)
        or manifest.get("format") != MANIFEST_FORMAT
        or not isinstance(manifest.get("files"), list)
    ):
        raise BackupError(f"{path} is not a homeclerk backup manifest (format {MANIFEST_FORMAT})")
    return manifest


def verify_snapshot(snapshot: Path) -> list[str]:
    """Every way the snapshot differs from its manifest (empty: it is whole), one line each."""
    snapshot = Path(snapshot)
    manifest = read_manifest(snapshot)
    problems = []
    listed = {str(e["path"]): e for e in manifest["files"]}  # type: ignore[union-attr]
    for rel, entry in listed.items():
        path = snapshot / rel
        if not path.is_file():
            problems.append(f"{rel}: missing")
        elif path.stat().st_size != entry["size"]:
            problems.append(f"{rel}: size {path.stat().st_size}, manifest says {entry['size']}")
        elif sha256_file(path) != entry["sha256"]:
            problems.append(f"{rel}: SHA-256 differs from the manifest (the file is corrupted)")
    for path in _files(snapshot):
        rel = path.relative_to(snapshot).as_posix()
        if rel not in listed:
            problems.append(f"{rel}: not in the manifest")
    return problems


@dataclass(frozen=True)
class SnapshotInfo:
    """A snapshot found on disk: when it was taken, whether it is whole, whether by hand."""

    path: Path
    taken_at: dt.datetime
    good: bool
    manual: bool = False


def list_snapshots(backup_dir: Path) -> list[SnapshotInfo]:
    """The snapshot folders under `backup_dir`, oldest first; `good` = has a readable manifest,
    `manual` = the manifest says it was taken by hand."""
    found = []
    try:
        entries = list(Path(backup_dir).iterdir())
    except OSError:
        return []
    for path in entries:
        taken = parse_snapshot_name(path.name)
        if taken is None or not path.is_dir():
            continue
        try:
            manual = read_manifest(path).get("trigger") == TRIGGER_MANUAL
            good = True
        except BackupError:
            good = manual = False
        found.append(SnapshotInfo(path, taken, good, manual))
    return sorted(found, key=lambda s: (s.taken_at, s.path.name))


def newest_good(backup_dir: Path) -> SnapshotInfo | None:
    """The newest snapshot with a readable manifest, or None."""
    good = [s for s in list_snapshots(backup_dir) if s.good]
    return good[-1] if good else None
