"""Read bank SMS from the macOS Messages database (chat.db), read-only and incrementally.

Messages keeps chat.db in WAL mode and writes it while we read. `mode=ro` reads a consistent
snapshot and never writes; `immutable=1` would be wrong here, because it tells SQLite the file
cannot change and so ignores the live -wal file (new messages would be missed or misread).
"""

from __future__ import annotations

import datetime as dt
import errno
import os
import sqlite3
from collections.abc import Collection, Iterator
from contextlib import closing
from pathlib import Path
from typing import NamedTuple

from assets.common.senders import alert_key, sender_header
from assets.sms.attributed_body import decode_attributed_body
from assets.sms.errors import SmsError

APPLE_EPOCH = dt.datetime(2001, 1, 1, tzinfo=dt.UTC)
UNIX_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
# Older macOS stored seconds, newer stores nanoseconds; 1e11 s is year 5170, 1e11 ns is 100 s.
_NANOSECONDS_ABOVE = 100_000_000_000


class ChatDbUnreadableError(SmsError, RuntimeError):
    """chat.db cannot be opened or read; the message names the file and the fix."""


class RawMessage(NamedTuple):
    """One message as read from chat.db, its text decoded."""

    rowid: int
    guid: str
    sender: str
    received_at: dt.datetime  # aware, UTC
    body: str | None
    from_attributed_body: bool


def apple_time_to_utc(value: int) -> dt.datetime:
    """Messages' `date` (seconds or nanoseconds since 2001-01-01 UTC) as an aware UTC datetime."""
    if abs(value) > _NANOSECONDS_ABOVE:
        # Integer microseconds: float seconds would lose sub-millisecond precision.
        return APPLE_EPOCH + dt.timedelta(microseconds=value // 1000)
    return APPLE_EPOCH + dt.timedelta(seconds=value)


def utc_to_apple_ns(moment: dt.datetime) -> int:
    """The inverse, as macOS 10.13+ stores it: integer nanoseconds since 2001-01-01 UTC."""
    delta = moment.astimezone(dt.UTC) - APPLE_EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000_000 + delta.microseconds * 1000


def _fda_fix(path: Path) -> str:
    return (
        f"cannot read the Messages database {path}: permission denied. On macOS this means the "
        "program reading it lacks Full Disk Access: open System Settings → Privacy & Security → "
        "Full Disk Access, add the binary launchd starts (the homeclerk launcher, see the "
        "launchd/ guide in the README), switch it on, then restart the service. Elsewhere, "
        "check that the file is readable by this user."
    )


def _missing_fix(path: Path) -> str:
    return (
        f"the Messages database {path} does not exist: check `[messages] chat_db` in "
        "homeclerk.toml (on a Mac it is ~/Library/Messages/chat.db)."
    )


def _long_path_fix(path: Path) -> str:
    return (
        f"the path of the Messages database is {len(str(path))} characters long, more than "
        f"SQLite opens ({SQLITE_MAX_PATH}) or the system allows: {str(path)[:80]}… Point "
        "`[messages] chat_db` in homeclerk.toml at a shorter path (a copy or a symlink to it)."
    )


# SQLite refuses longer database paths ("unable to open database file").
SQLITE_MAX_PATH = 512


def describe_os_error(path: Path, exc: OSError) -> str:
    """The message for an OSError met while opening chat.db: each cause with its own fix."""
    if isinstance(exc, FileNotFoundError):
        return _missing_fix(path)
    if isinstance(exc, PermissionError):  # macOS answers EPERM without Full Disk Access
        return _fda_fix(path)
    if exc.errno == errno.ENAMETOOLONG:
        return _long_path_fix(path)
    return (
        f"cannot read the Messages database {path} ({exc.strerror or exc}): check "
        "`[messages] chat_db` in homeclerk.toml and the disk it is on."
    )


def describe_sqlite_error(path: Path, exc: sqlite3.Error) -> str:
    """The message for an SQLite error on chat.db: corrupt, locked, too long a path, or other.

    SQLite's error text never carries row data (unlike a decoding error, which is why bodies are
    read as bytes), so it is safe to quote.
    """
    text = str(exc)
    name = getattr(exc, "sqlite_errorname", "")
    if "malformed" in text or "corrupt" in text or name.startswith("SQLITE_CORRUPT"):
        return (
            f"the Messages database {path} is damaged ({text}). Nothing was stored from it. Quit "
            "and reopen Messages (it repairs its database on start) or restore chat.db from a "
            "backup; the next run continues where this one stopped."
        )
    if "not a database" in text or name == "SQLITE_NOTADB":
        return (
            f"{path} is not a readable Messages database ({text}): check `[messages] chat_db` in "
            "homeclerk.toml"
        )
    if "locked" in text or name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        return (
            f"the Messages database {path} is locked by another program ({text}). Nothing was "
            "stored; the next run retries. If it persists, quit the program holding it (a backup "
            "or a copy tool) or restart the Mac."
        )
    if len(str(path)) > SQLITE_MAX_PATH:
        return _long_path_fix(path)
    if path.is_dir():
        return (
            f"{path} is a folder, not the Messages database: check `[messages] chat_db` in "
            "homeclerk.toml (on a Mac it is ~/Library/Messages/chat.db)."
        )
    return (
        f"cannot read the Messages database {path} ({text}): check `[messages] chat_db` in "
        "homeclerk.toml and that the file is a Messages database."
    )


def open_chat_db_readonly(path: Path | str, timeout: float = 5.0) -> sqlite3.Connection:
    """A read-only connection to chat.db; never creates or modifies the file.

    `timeout` is how long to wait for a lock another program holds before giving up.
    """
    path = Path(path).expanduser()
    try:
        os.stat(path)
        if not os.path.isdir(path):
            # Opening tells a permission problem from the others (SQLite only says "unable to
            # open"): only that one gets the Full Disk Access advice.
            os.close(os.open(path, os.O_RDONLY))
    except OSError as exc:
        raise ChatDbUnreadableError(describe_os_error(path, exc)) from exc
    uri = path.resolve().as_uri() + "?mode=ro"
    try:
        con = sqlite3.connect(uri, uri=True, check_same_thread=False, timeout=timeout)
    except sqlite3.Error as exc:
        raise ChatDbUnreadableError(describe_sqlite_error(path, exc)) from exc
    try:
        # sqlite3 opens lazily: touch the schema now so an unreadable file fails here.
        tables = {row[0] for row in con.execute("SELECT name FROM sqlite_master")}
    except sqlite3.Error as exc:
        con.close()
        raise ChatDbUnreadableError(describe_sqlite_error(path, exc)) from exc
    if not {"message", "handle"} <= tables:
        con.close()
        raise ChatDbUnreadableError(
            f"{path} has no `message`/`handle` tables, so it is not a Messages database: "
            "check `[messages] chat_db` in homeclerk.toml"
        )
    return con


def normalise_headers(headers: Collection[str]) -> frozenset[str]:
    """Configured senders as keys (`HDFCBK`, `PAYTM`, `AMERICAN EXPRESS`), in any shape given."""
    return frozenset(key for key in map(sender_header, headers) if key is not None)


def bank_handles(con: sqlite3.Connection, headers: Collection[str]) -> dict[int, str]:
    """handle ROWID -> sender id for the handles whose key (header or brand) is configured.

    A promotional (`-P`) handle of a configured brand is left out: it carries offers, never an
    alert, and an offer quoting an amount is a misreading waiting to happen. Phone numbers and
    e-mail have no key, so they are never read. There are few handles (one per correspondent),
    so matching them in Python is cheap and lets the message query be a plain
    `handle_id IN (...)`.
    """
    wanted = normalise_headers(headers)
    return {
        rowid: sender
        for rowid, sender in con.execute("SELECT ROWID, id FROM handle")
        if sender and alert_key(sender) in wanted
    }


def max_message_rowid(con: sqlite3.Connection) -> int:
    """The highest message ROWID in chat.db (0 when there are none)."""
    return int(con.execute("SELECT COALESCE(MAX(ROWID), 0) FROM message").fetchone()[0])


# Apple time → Unix microseconds, computed by SQLite so Python never loops over it.
_UNIX_MICROS = (
    # abs(): a clock set before 2001 gives a negative date, in nanoseconds all the same.
    f"CASE WHEN abs(COALESCE(date, 0)) > {_NANOSECONDS_ABOVE} THEN date / 1000"
    " ELSE COALESCE(date, 0) * 1000000 END"
    f" + {int((APPLE_EPOCH - UNIX_EPOCH).total_seconds()) * 1_000_000}"
)

BankRow = tuple[int, str, int, int, bytes | None, bytes | None]
"""(ROWID, guid, handle ROWID, received at in Unix microseconds, text as UTF-8 bytes,
attributedBody or None)."""


def iter_bank_rows(
    con: sqlite3.Connection,
    handles: Collection[int],
    since_rowid: int,
    upto_rowid: int | None = None,
) -> Iterator[BankRow]:
    """Raw incoming rows from `handles` with since_rowid < ROWID (<= upto_rowid), by ROWID.

    The ROWID range keeps the cost proportional to what is new. The blob is fetched only when
    text is NULL: most rows carry both, and blobs are large. `text` comes as bytes: one message
    that is not valid UTF-8 would otherwise stop the whole read (and sqlite3's error quotes the
    raw body); decode it with `decode_text`.
    """
    if not handles:
        return iter(())
    marks = ",".join("?" * len(handles))
    upper = "" if upto_rowid is None else " AND ROWID <= ?"
    sql = (
        f"SELECT ROWID, guid, handle_id, {_UNIX_MICROS}, CAST(text AS BLOB),"
        " CASE WHEN text IS NULL THEN attributedBody END"
        f" FROM message WHERE handle_id IN ({marks}) AND is_from_me = 0 AND ROWID > ?{upper}"
        " ORDER BY ROWID"
    )
    params: list[int] = [*handles, since_rowid]
    if upto_rowid is not None:
        params.append(upto_rowid)
    return iter(con.execute(sql, params))


def iter_bank_messages(
    con: sqlite3.Connection,
    handles: dict[int, str],
    since_rowid: int,
    upto_rowid: int | None = None,
) -> Iterator[RawMessage]:
    """Incoming messages from `handles` with since_rowid < ROWID (<= upto_rowid), by ROWID."""
    for rowid, guid, handle_id, micros, text, blob in iter_bank_rows(
        con, handles, since_rowid, upto_rowid
    ):
        received = UNIX_EPOCH + dt.timedelta(microseconds=micros)
        if text is None and blob is not None:
            body = decode_attributed_body(blob)
            yield RawMessage(rowid, guid, handles[handle_id], received, body, True)
        else:
            body = None if text is None else decode_text(text)[0]
            yield RawMessage(rowid, guid, handles[handle_id], received, body, False)


def decode_text(raw: bytes) -> tuple[str, bool]:
    """(text, whether it was valid UTF-8): invalid bytes become U+FFFD instead of failing."""
    try:
        return raw.decode("utf-8"), True
    except UnicodeDecodeError:
        return raw.decode("utf-8", "replace"), False


def read_bank_messages(
    path: Path | str, headers: Collection[str], since_rowid: int
) -> list[RawMessage]:
    """Incoming messages from configured bank senders with ROWID > since_rowid, by ROWID."""
    with closing(open_chat_db_readonly(path)) as con:
        return list(iter_bank_messages(con, bank_handles(con, headers), since_rowid))


def newest_bank_rowid(path: Path | str, headers: Collection[str]) -> int:
    """ROWID of the newest incoming bank message (0 if none): the sensor's cheap news check."""
    with closing(open_chat_db_readonly(path)) as con:
        return newest_bank_rowid_in(con, headers)


def newest_bank_rowid_in(con: sqlite3.Connection, headers: Collection[str]) -> int:
    """ROWID of the newest incoming bank message in an open chat.db (0 if none)."""
    handles = bank_handles(con, headers)
    if not handles:
        return 0
    marks = ",".join("?" * len(handles))
    # Walks ROWIDs backwards and stops at the first match: bank SMS are frequent enough
    # that this touches only the newest pages.
    row = con.execute(
        f"SELECT ROWID FROM message WHERE handle_id IN ({marks}) AND is_from_me = 0"
        " ORDER BY ROWID DESC LIMIT 1",
        list(handles),
    ).fetchone()
    return int(row[0]) if row else 0
