"""Android SMS backups: "SMS Backup & Restore" XML files → the same rows chat.db gives.

The app writes `<smses count="N">` holding one `<sms …/>` per message, its fields as attributes:
`address` (the sender), `date` (Java epoch milliseconds), `type` (1 received, 2 sent, 3 draft,
4 outbox, 5 failed, 6 queued), `body`, and others this reader ignores (`protocol`, `read`,
`status`, `readable_date`, `contact_name` …); a backup of "messages and MMS" also holds `<mms>`
elements, skipped. Only received SMS (type 1) from a configured alert sender are kept.

A file is read as a stream (expat, one message at a time, nothing of the tree kept), so a backup
of a million messages costs the memory of one batch. The app's "emoji and special characters"
option writes UTF-16 surrogate halves as character references (`&#55357;&#56846;`), which XML
forbids and every conforming parser refuses; they are joined back into the character they
encode (a lone half becomes U+FFFD) before the parser sees them.

A message's id is a hash of its address, date and body: the same message in two overlapping
backups (the app writes a new file each time) is one message.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Collection, Iterator
from pathlib import Path
from typing import BinaryIO, NamedTuple
from xml.parsers import expat

from assets.common.senders import alert_key

RECEIVED = "1"
CHUNK_BYTES = 1 << 20
GUID_PREFIX = "android:"
# Two character references that are a UTF-16 surrogate pair, and one that is half of one.
_PAIR = re.compile(rb"&#(5[5-6]\d{3});&#(5[6-7]\d{3});")
_HALF = re.compile(rb"&#(5[5-7]\d{3});")


class AndroidSms(NamedTuple):
    """One received SMS from a backup: who sent it, when (Unix ms), what it says."""

    address: str
    date_ms: int
    body: str


class BackupUnreadableError(ValueError):
    """A backup file that is not (or no longer) a readable SMS Backup & Restore XML file."""

    def __init__(self, path: Path, problem: str) -> None:
        self.path, self.problem = path, problem
        super().__init__(
            f"{path}: {problem}; the messages before it were read. A backup still being synced "
            "is read again when it changes; otherwise make a new backup in SMS Backup & Restore "
            "(XML, messages) and drop it in the inbox"
        )


def message_guid(address: str, date_ms: int, body: str) -> str:
    """A stable id: the same message in any backup gets the same one."""
    digest = hashlib.blake2b(
        f"{address}\x1f{date_ms}\x1f{body}".encode("utf-8", "surrogatepass"), digest_size=12
    )
    return GUID_PREFIX + digest.hexdigest()


def _joined(match: re.Match[bytes]) -> bytes:
    high, low = int(match[1]), int(match[2])
    if 0xD800 <= high <= 0xDBFF and 0xDC00 <= low <= 0xDFFF:
        code = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
        return b"&#%d;" % code
    return _HALF.sub(_lone, match[0])


def _lone(match: re.Match[bytes]) -> bytes:
    code = int(match[1])
    return b"&#65533;" if 0xD800 <= code <= 0xDFFF else match[0]


def _repaired(chunk: bytes) -> bytes:
    if b"&#5" not in chunk:
        return chunk  # the usual backup: no character references in that range at all
    return _HALF.sub(_lone, _PAIR.sub(_joined, chunk))


def _chunks(stream: BinaryIO) -> Iterator[bytes]:
    """The file in chunks that each end just before a `<` (an element's start), so no element
    is cut: XML allows no raw `<` inside an attribute value."""
    carry = b""
    while block := stream.read(CHUNK_BYTES):
        block = carry + block
        cut = block.rfind(b"<")
        block, carry = (block[:cut], block[cut:]) if cut > 0 else (b"", block)
        if block:
            yield block
    yield carry  # the end of the file: `</smses>` when the backup is whole


# An SMS element's start and its address: the app writes `address` before `body`, and no
# attribute value holds a raw `<`, so the look never leaves the element.
_SMS_ADDRESS = re.compile(rb"""<sms\s[^<>]*?\baddress=(?:"([^"]*)"|'([^']*)')""")
# An address that starts with one of these is a phone number or a short code, never an alert
# sender (assets.common.senders): most of a phone's messages, passed over at once.
_NUMERIC_START = frozenset(b"+0123456789")


def read_backup(path: Path, senders: Collection[str]) -> Iterator[AndroidSms]:
    """The received SMS of configured alert senders in one backup file, in file order.

    `senders` are keys (`HDFCBK`, `AMERICAN EXPRESS`, see assets.sms.chatdb.normalise_headers).
    Most of a phone's messages are not from a bank, so each element's address is looked at
    first (a regex over the bytes) and only the elements of configured senders are parsed, by
    expat, their entities and character references resolved. Raises BackupUnreadableError
    where the file stops being a whole backup (after yielding the messages before it).
    """
    keys: dict[bytes, bool] = {}  # address → is a configured alert sender (few addresses)
    with path.open("rb") as stream:
        for chunk in _chunks(stream):
            if chunk.lstrip().startswith(b"</smses"):
                return  # the root's end: the whole file was read
            wanted = []
            for match in _SMS_ADDRESS.finditer(chunk):
                address = match[1] if match[1] is not None else match[2]
                if not address or address[0] in _NUMERIC_START:
                    continue
                known = keys.get(address)
                if known is None:
                    key = alert_key(_attribute_text(address))
                    known = keys[address] = key is not None and key in senders
                if known:
                    end = chunk.find(b"<", match.end())
                    wanted.append(chunk[match.start() : end if end >= 0 else len(chunk)])
            if wanted:
                yield from _parsed(path, wanted)
            if b"</smses" in chunk:
                return
    raise BackupUnreadableError(path, "it ends before `</smses>` (an incomplete file)")


def _attribute_text(raw: bytes) -> str:
    text = raw.decode("utf-8", "replace")
    return html.unescape(text) if "&" in text else text


def _parsed(path: Path, elements: list[bytes]) -> Iterator[AndroidSms]:
    """The received SMS among `elements` (`<sms …/>` texts), parsed by expat as one document."""
    found: list[AndroidSms] = []

    def start(name: str, attrs: dict[str, str]) -> None:
        if name != "sms" or attrs.get("type") != RECEIVED:
            return
        try:
            date_ms = int(attrs.get("date") or "")
        except ValueError:
            date_ms = 0  # settled to the ingest's time with the other implausible dates
        found.append(AndroidSms(attrs.get("address") or "", date_ms, attrs.get("body") or ""))

    parts = [b"<r>"]
    for element in elements:
        element = element.rstrip()
        if not element.endswith(b"/>") and element.endswith(b">"):
            element = element[:-1] + b"/>"  # `<sms …></sms>`: its end tag is the next element
        parts.append(element)
    parts.append(b"</r>")
    parser = expat.ParserCreate()
    parser.StartElementHandler = start
    try:
        parser.Parse(_repaired(b"".join(parts)), True)
    except expat.ExpatError as exc:
        yield from found
        raise BackupUnreadableError(path, f"not valid XML ({exc.args[0].split(':')[0]})") from None
    yield from found
