"""Writes the demo folder: a chat.db with the real schema, a homeclerk.toml, and a ledger."""

from __future__ import annotations

import datetime as dt
import json
import random
import shutil
import uuid
from pathlib import Path

from assets.common.timezone import DEFAULT_TIMEZONE
from assets.sms.attributed_body import encode_attributed_body
from assets.sms.chatdb import utc_to_apple_ns
from pipeline.demo.chatdb_writer import NewMessage, append_messages, create_chat_db
from pipeline.demo.messages import DemoMessage, demo_account_mapping, demo_category_rules

MARKER = ".homeclerk-demo"


class DemoFolderError(RuntimeError):
    """The demo folder holds files homeclerk did not put there."""


def prepare_demo_folder(folder: Path) -> None:
    """Empty a previous demo in `folder`; refuse a folder that holds anything else."""
    folder.mkdir(parents=True, exist_ok=True)
    marker = folder / MARKER
    entries = [p for p in folder.iterdir() if p.name != MARKER]
    if entries and not marker.exists():
        raise DemoFolderError(
            f"{folder} is not empty and was not made by `homeclerk demo`: choose another folder "
            "with --dir (the demo replaces what is in it)"
        )
    for entry in entries:
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()
    marker.write_text("made by `homeclerk demo`; safe to delete\n", encoding="utf-8")


def write_chat_db(path: Path, messages: list[DemoMessage], seed: int) -> int:
    """A chat.db like Messages keeps: about a third of bodies only in `attributedBody`."""
    rng = random.Random(seed * 7919)
    create_chat_db(path)
    rows = []
    for index, msg in enumerate(messages):
        only_blob = rng.random() < 0.35
        rows.append(
            NewMessage(
                guid=str(uuid.UUID(int=rng.getrandbits(128) | index, version=4)).upper(),
                sender=msg.sender,
                text=None if only_blob else msg.body,
                attributed_body=encode_attributed_body(msg.body),
                date=utc_to_apple_ns(msg.sent_at),
            )
        )
    append_messages(path, rows)
    return len(rows)


ANDROID_INBOX = "android-inbox"


def write_android_backup(folder: Path, messages: list[DemoMessage], end: dt.date) -> int:
    """The demo's messages as one Android backup in the demo's inbox (`--source android`)."""
    from pipeline.demo.android_writer import BackupSms, write_backup

    path = folder / ANDROID_INBOX / f"sms-{end:%Y%m%d}000000.xml"
    return write_backup(path, [BackupSms(m.sender, m.sent_at, m.body) for m in messages])


def write_demo_config(
    folder: Path, broker_base_url: str, broker_adapter: str = "kite", source: str = "messages"
) -> Path:
    """The demo's homeclerk.toml: every path inside the demo folder, nothing of the owner's.
    `source = "android"`: the SMS come from the Android inbox (and there is no chat.db)."""
    lines = [
        "# Written by `homeclerk demo`. Everything it points at lives in this folder.",
        f'timezone = "{DEFAULT_TIMEZONE}"',
        "",
        "[paths]",
        'data_dir = "data"',
        'books_dir = "ledger"',
        "",
        "[messages]",
        'chat_db = "chat.db"',
        "",
        *(["[sources.android]", f'inbox = "{ANDROID_INBOX}"', ""] if source == "android" else []),
        "[broker]",
        f"adapter = {json.dumps(broker_adapter)}",
        f"base_url = {json.dumps(broker_base_url)}",
        'csv_folder = "broker-csv"',
        "",
        "[power]",
        "# The demo's power history is recorded; the sampler must not add this machine's.",
        'source = "none"',
        "",
    ]
    for rule in demo_category_rules():
        lines.append("[[categories.rules]]")
        lines.extend(f"{key} = {json.dumps(value)}" for key, value in rule.items())
        lines.append("")
    lines += ["[books]", "account_mapping = ["]
    for row in demo_account_mapping():
        cells = ", ".join(f"{key} = {json.dumps(value)}" for key, value in row.items())
        lines.append(f"  {{ {cells} }},")
    lines += ["]", ""]
    path = folder / "homeclerk.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path
