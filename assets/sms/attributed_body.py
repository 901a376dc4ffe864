"""Messages' `attributedBody`: an NSArchiver "streamtyped" NSAttributedString.

macOS Messages often leaves `message.text` NULL and keeps the body only here. The blob holds an
NSString (or NSMutableString) object: the class name, `\\x01+` (the "+" type tag of its bytes),
the byte length as a typedstream integer, then that many UTF-8 bytes. A run table of attributes
follows. Only the string matters to us, so this reads just enough of the format to find it,
instead of a full typedstream unarchiver.
"""

from __future__ import annotations

import struct

# typedstream integer tags: one signed byte, or a tag then a little-endian int16 / int32.
_TAG_INT16 = 0x81
_TAG_INT32 = 0x82
_TAG_NEW = 0x84
_TAG_END = 0x86

_BYTES_TAG = b"\x01+"
# How far after the class name the "+" tag may sit (class version, superclass reference...).
_TAG_WINDOW = 48

_HEADER = (
    b"\x04\x0bstreamtyped\x81\xe8\x03\x84\x01@\x84\x84\x84\x12NSAttributedString\x00"
    b"\x84\x84\x08NSObject\x00\x85\x92\x84\x84\x84\x08NSString\x01\x94\x84\x01+"
)
_MESSAGE_PART_KEY = b"__kIMMessagePartAttributeName"


def decode_attributed_body(blob: bytes | bytearray | memoryview | None) -> str | None:
    """The message text held by an attributedBody blob; None when it holds none or is unreadable.

    Never raises on bad input: a corrupt blob in someone's chat.db (or a cell of another SQLite
    type) must not stop an ingest. A bug in this module does raise, so that a test sees it.
    """
    if not blob or not isinstance(blob, bytes | bytearray | memoryview):
        return None
    try:
        return _decode(bytes(blob))
    except (IndexError, struct.error):  # an offset the readers below failed to bound
        return None


def _decode(blob: bytes) -> str | None:
    start = _payload_start(blob)
    if start is None:
        return None
    parsed = _read_length(blob, start)
    if parsed is not None:
        length, text_start = parsed
        end = text_start + length
        # A strict read must land exactly on the end-of-object tag (or the end of the blob).
        if end <= len(blob) and (end == len(blob) or blob[end] == _TAG_END):
            try:
                text = blob[text_start:end].decode("utf-8")
            except UnicodeDecodeError:
                text = None
            if text is not None:
                return text or None
        # Some real blobs declare a length that does not match their bytes: fall back.
        return _fallback(blob, text_start)
    return _fallback(blob, start + 1)


def _payload_start(blob: bytes) -> int | None:
    """Index of the length field of the first NSString/NSMutableString payload."""
    # NSMutableString's superclass NSString is named too, so one search finds both kinds;
    # NSMutableString alone is a fallback for a blob that names only the subclass.
    for name in (b"NSString", b"NSMutableString"):
        at = blob.find(name)
        while at != -1:
            after = at + len(name)
            tag = blob.find(_BYTES_TAG, after, after + _TAG_WINDOW)
            if tag != -1:
                return tag + len(_BYTES_TAG)
            at = blob.find(name, after)
    return None


def _read_length(blob: bytes, at: int) -> tuple[int, int] | None:
    """(byte length, index of the first text byte), or None when the field is cut short."""
    if at >= len(blob):
        return None
    first = blob[at]
    if first == _TAG_INT16:
        if at + 3 > len(blob):
            return None
        return struct.unpack_from("<H", blob, at + 1)[0], at + 3
    if first == _TAG_INT32:
        if at + 5 > len(blob):
            return None
        return struct.unpack_from("<I", blob, at + 1)[0], at + 5
    if first >= 0x80:  # another tag where a length belongs: not a string payload
        return None
    return first, at + 1


def _fallback(blob: bytes, text_start: int) -> str | None:
    """Best effort: the bytes up to the end-of-object tag that starts the attribute runs."""
    end = blob.find(bytes((_TAG_END, _TAG_NEW)), text_start)
    if end == -1:
        end = blob.find(bytes((_TAG_END,)), text_start)
    if end == -1:
        end = len(blob)
    text = blob[text_start:end].decode("utf-8", errors="replace")
    return text or None


def _typedstream_int(value: int) -> bytes:
    if 0 <= value < 0x80:
        return bytes((value,))
    if value <= 0x7FFF:
        return bytes((_TAG_INT16,)) + struct.pack("<H", value)
    return bytes((_TAG_INT32,)) + struct.pack("<I", value)


def encode_attributed_body(text: str) -> bytes:
    """A streamtyped blob shaped like the ones Messages writes for a plain-text message.

    One attribute run covers the whole text (its length counts UTF-16 code units, as NSString
    does) with the `__kIMMessagePartAttributeName = 0` attribute real messages carry.
    """
    data = text.encode("utf-8")
    out = bytearray(_HEADER)
    out += _typedstream_int(len(data))
    out += data
    out.append(_TAG_END)  # end of the NSString
    if data:
        utf16_units = len(text.encode("utf-16-le")) // 2
        # Attribute run: type "iI" = (attribute-dictionary number 1, run length).
        out += b"\x84\x02iI\x01" + _typedstream_int(utf16_units)
        # The NSDictionary of the run: one key (an NSString) and one value (an NSNumber 0).
        out += b"\x92\x84\x84\x84\x0cNSDictionary\x00\x94\x84\x01i\x01"
        out += b"\x92\x84\x96\x96" + bytes((len(_MESSAGE_PART_KEY),)) + _MESSAGE_PART_KEY
        out.append(_TAG_END)
        out += (
            b"\x92\x84\x84\x84\x08NSNumber\x00\x84\x84\x07NSValue\x00\x94\x84\x01*\x84\x99\x99\x00"
        )
        out.append(_TAG_END)  # end of the NSNumber
        out.append(_TAG_END)  # end of the NSDictionary
    out.append(_TAG_END)  # end of the NSAttributedString
    return bytes(out)
