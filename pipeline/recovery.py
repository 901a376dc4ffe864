"""How to get a damaged store back: the exact commands, from the newest good snapshot.

A truncated warehouse or a run storage with garbage in it cannot be repaired in place; the
snapshot is the copy that can be trusted. `homeclerk restore` never overwrites, so the fix
restores into a fresh folder beside the backups, keeps the damaged file aside (never deleted)
and copies the good one in. The warehouse needs nothing else: the ingest re-reads chat.db past
the restored cursor, so no SMS is lost.
"""

from __future__ import annotations

import shlex
from pathlib import Path

from pipeline.commands import command_for
from pipeline.settings import Settings


def restore_fix(settings: Settings, damaged: Path) -> str:
    """One shell line that replaces `damaged` (a file or folder under the data folder) with its
    copy in the newest good snapshot, keeping the damaged one as `<name>.damaged`."""
    from assets.backup.snapshot import newest_good

    data_dir = settings.data_dir.resolve()
    damaged = damaged.resolve()
    q = shlex.quote
    aside = q(str(damaged) + ".damaged")
    snapshot = newest_good(settings.backup.dir)
    if snapshot is None:
        if damaged == settings.warehouse.resolve():
            return (
                f"no good snapshot to restore from: mv {q(str(damaged))} {aside} && "
                f"{command_for(settings.config_file)} materialize 'sms_messages+' "
                "(rebuilds it from chat.db; the broker history starts again)"
            )
        return f"no good snapshot to restore from: mv {q(str(damaged))} {aside}"
    into = settings.backup.dir.resolve() / f"restored-{snapshot.path.name}"
    copy = into / "data" / damaged.relative_to(data_dir)
    restore = (
        f"{command_for(settings.config_file)} restore {q(str(snapshot.path))} --to {q(str(into))}"
    )
    if into.exists():
        restore = f"test -e {q(str(copy))}"  # restored by an earlier paste of this line
    return f"{restore} && mv {q(str(damaged))} {aside} && cp -a {q(str(copy))} {q(str(damaged))}"
