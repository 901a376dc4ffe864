"""Writes Android "SMS Backup & Restore" XML backups: the demo's `--source android`, the tests'
fixtures and the benchmark's million-message file, in the app's own layout (assets.sms.android
describes it). Characters outside the Basic Multilingual Plane are written the way the app's
"emoji" option writes them, as two UTF-16 surrogate character references."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple
from xml.sax.saxutils import quoteattr

from assets.common.atomic import write_text_atomic

HEADER = (
    "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n"
    '<?xml-stylesheet type="text/xsl" href="sms.xsl"?>\n'
)


class BackupSms(NamedTuple):
    """One message as the app records it: `type` 1 received, 2 sent."""

    address: str
    sent_at: dt.datetime  # aware
    body: str
    type: int = 1


def _surrogates(text: str) -> str:
    """Non-BMP characters as the app writes them: `&#55357;&#56846;` for 😎 (after quoting)."""
    if all(ord(c) < 0x10000 for c in text):
        return text
    out = []
    for char in text:
        code = ord(char)
        if code < 0x10000:
            out.append(char)
            continue
        code -= 0x10000
        out.append(f"&#{0xD800 + (code >> 10)};&#{0xDC00 + (code & 0x3FF)};")
    return "".join(out)


def sms_line(sms: BackupSms) -> str:
    """One `<sms …/>` element with the attributes the app writes."""
    millis = int(sms.sent_at.timestamp() * 1000)
    readable = sms.sent_at.strftime("%d-%b-%Y %I:%M:%S %p")
    return (
        f'  <sms protocol="0" address={quoteattr(sms.address)} date="{millis}" type="{sms.type}"'
        f' subject="null" body={_surrogates(quoteattr(sms.body))} toa="null" sc_toa="null"'
        f' service_center="null" read="1" status="-1" locked="0" date_sent="{millis}"'
        f' sub_id="1" readable_date={quoteattr(readable)} contact_name="(Unknown)" />\n'
    )


def backup_text(messages: Iterable[BackupSms]) -> str:
    """A whole backup file's text."""
    lines = [sms_line(m) for m in messages]
    return (
        HEADER
        + f'<smses count="{len(lines)}" backup_set="homeclerk-demo" type="full">\n'
        + "".join(lines)
        + "</smses>\n"
    )


def write_backup(path: Path, messages: Iterable[BackupSms]) -> int:
    """Write one backup file atomically; the number of messages in it."""
    text = backup_text(messages)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(path, text)
    return text.count("<sms ")
