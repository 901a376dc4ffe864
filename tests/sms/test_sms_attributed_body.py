from __future__ import annotations

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from assets.sms.attributed_body import decode_attributed_body, encode_attributed_body

HEADER = (
    b"\x04\x0bstreamtyped\x81\xe8\x03\x84\x01@\x84\x84\x84\x12NSAttributedString\x00"
    b"\x84\x84\x08NSObject\x00\x85\x92\x84\x84\x84\x08NSString\x01\x94\x84\x01+"
)


@pytest.mark.parametrize("length", [1, 2, 127, 128, 255, 256, 32767, 32768, 65535, 65536, 70001])
def test_round_trip_across_length_encodings(length: int) -> None:
    text = ("Rs.1,234.00 debited " * (length // 20 + 1))[:length]
    assert decode_attributed_body(encode_attributed_body(text)) == text


@pytest.mark.parametrize(
    ("length", "field"),
    [
        (127, b"\x7f"),
        (128, b"\x81\x80\x00"),
        (256, b"\x81\x00\x01"),
        (65536, b"\x82\x00\x00\x01\x00"),
    ],
)
def test_length_field_is_the_typedstream_integer(length: int, field: bytes) -> None:
    blob = encode_attributed_body("a" * length)
    assert blob.startswith(HEADER + field + b"aaa")


def test_blob_has_the_structure_of_a_real_one() -> None:
    blob = encode_attributed_body("Test 3")
    assert blob.startswith(HEADER + b"\x06Test 3\x86\x84\x02iI\x01\x06")
    assert b"__kIMMessagePartAttributeName" in blob
    assert blob.endswith(b"\x00\x86\x86\x86")


def test_run_length_counts_utf16_units() -> None:
    blob = encode_attributed_body("𝖍𝖊 x")  # 2 astral characters = 4 UTF-16 units, +2
    assert b"\x86\x84\x02iI\x01\x06" in blob


def test_empty_text_is_no_body() -> None:
    blob = encode_attributed_body("")
    assert blob == HEADER + b"\x00\x86\x86"
    assert decode_attributed_body(blob) is None


@pytest.mark.parametrize(
    "text",
    [
        "𝖍𝖊𝖑𝖑𝖔 𝖜𝖔𝖗𝖑𝖉",
        "\ufffctest 1\ufffctest 2 \ufffctest 3",
        "Sent Rs.6443.28\nFrom HDFC Bank A/C *1276\nTo JOSEPH THOMAS",
        "₹ 500 paid 🎉 " * 30,
        "\x86\x84 control-looking bytes inside text",
    ],
)
def test_round_trip_of_unusual_text(text: str) -> None:
    assert decode_attributed_body(encode_attributed_body(text)) == text


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=1, max_size=400))
def test_round_trip_of_any_text(text: str) -> None:
    assert decode_attributed_body(encode_attributed_body(text)) == text


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_garbage_without_a_string_object_is_no_body(blob: bytes) -> None:
    assume(b"NSString" not in blob and b"NSMutableString" not in blob)
    assert decode_attributed_body(blob) is None


def _runs_of_valid_text(text: str) -> list[str]:
    return [run for run in text.split("\ufffd") if run]


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_garbage_after_a_string_header_is_read_from_the_garbage_only(garbage: bytes) -> None:
    # Whatever the decoder makes of it, it read the bytes after the header: every run of text
    # it returns (between replacement characters) is a run of the garbage's bytes.
    result = decode_attributed_body(HEADER + garbage)
    assert result is None or isinstance(result, str)
    for run in _runs_of_valid_text(result or ""):
        assert run.encode("utf-8") in garbage


def _length_field_size(n: int) -> int:
    return 1 if n < 0x80 else 3 if n <= 0x7FFF else 5


@settings(max_examples=300, deadline=None)
@given(st.text(min_size=1, max_size=200), st.data())
def test_a_truncated_blob_gives_the_text_a_prefix_of_it_or_none(
    text: str, data: st.DataObject
) -> None:
    blob = encode_attributed_body(text)
    encoded = text.encode("utf-8")
    field = _length_field_size(len(encoded))
    text_start = len(HEADER) + field
    end = text_start + len(encoded)
    cut = data.draw(st.integers(min_value=0, max_value=len(blob)))
    result = decode_attributed_body(blob[:cut])
    if cut <= len(HEADER):  # the "+" tag or the length field is missing: no string payload
        assert result is None
    elif cut < text_start:  # a cut inside a multi-byte length: at most its stray bytes
        stray = blob[len(HEADER) + 1 : cut]  # after the integer's tag byte
        if b"\x86" not in stray:
            assert result == (stray.decode("utf-8", "replace") or None)
        assert result is None or len(result) < field
    elif cut < end:  # the text is cut: what is left of it, up to an end-of-object tag
        visible = encoded[: cut - text_start]
        if b"\x86" not in visible:
            assert result == (visible.decode("utf-8", "replace") or None)
        else:
            assert result is None or text.startswith(result.rstrip("\ufffd"))
    else:  # the whole text is there: the declared length reads it exactly
        assert result == text


@pytest.mark.parametrize("length", [200, 70000])
def test_a_blob_cut_inside_its_length_field_reads_at_most_its_stray_bytes(length: int) -> None:
    blob = encode_attributed_body("a" * length)
    field = _length_field_size(length)
    for cut in range(len(HEADER), len(HEADER) + field):
        stray = blob[len(HEADER) + 1 : cut]  # the length's bytes after its tag, never the tag
        assert decode_attributed_body(blob[:cut]) == (stray.decode("utf-8", "replace") or None)


def test_a_cell_of_another_type_is_no_body() -> None:
    # SQLite keeps any type in any column: a text or a number where a blob belongs.
    assert decode_attributed_body("Rs 500 debited") is None  # type: ignore[arg-type]
    assert decode_attributed_body(42) is None  # type: ignore[arg-type]
    assert decode_attributed_body(memoryview(encode_attributed_body("hi"))) == "hi"


def test_a_bug_in_the_decoder_is_not_swallowed(monkeypatch: pytest.MonkeyPatch) -> None:
    # Only what malformed input can raise is caught: an error of the code itself (here a
    # reader that adds text to a number) reaches the caller instead of reading as "no body".
    from assets.sms import attributed_body

    monkeypatch.setattr(attributed_body, "_read_length", lambda blob, at: blob[at] + "1")
    with pytest.raises(TypeError):
        decode_attributed_body(encode_attributed_body("Rs 500 debited"))


def test_declared_length_past_the_end_falls_back_to_the_visible_text() -> None:
    # The length claims 157 bytes but the object ends after 17: a strict read fails.
    blob = HEADER + b"\x81\x9d\x00This is parsing  \x86\x84\x02iI\x01\x81\x9d\x00\x86\x86"
    assert decode_attributed_body(blob) == "This is parsing  "


def test_no_string_object_is_no_body() -> None:
    assert decode_attributed_body(b"\x04\x0bstreamtyped\x81\xe8\x03\x84\x01@\x86") is None
    assert decode_attributed_body(b"") is None
    assert decode_attributed_body(None) is None


def test_mutable_string_class_is_read_too() -> None:
    blob = encode_attributed_body("hello").replace(
        b"\x84\x84\x84\x08NSString\x01\x94",
        b"\x84\x84\x84\x0fNSMutableString\x01\x84\x84\x08NSString\x01\x95",
    )
    assert b"NSMutableString" in blob
    assert decode_attributed_body(blob) == "hello"
