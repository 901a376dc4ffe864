from __future__ import annotations

import pytest
from hypothesis import given, settings
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
def test_garbage_never_raises(blob: bytes) -> None:
    result = decode_attributed_body(blob)
    assert result is None or isinstance(result, str)


@settings(max_examples=100, deadline=None)
@given(st.text(min_size=1, max_size=200), st.data())
def test_truncated_blob_never_raises(text: str, data: st.DataObject) -> None:
    blob = encode_attributed_body(text)
    cut = data.draw(st.integers(min_value=0, max_value=len(blob)))
    result = decode_attributed_body(blob[:cut])
    assert result is None or isinstance(result, str)


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
