"""`[messages] senders` (and its old name `bank_senders`): every shape a sender arrives in is
accepted as its key; a wrong entry is refused with what is accepted and a right value."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assets.common.senders import EXAMPLE
from pipeline.settings import DEFAULT_BANK_SENDERS, SettingsError, load_settings


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "homeclerk.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("key", ["senders", "bank_senders"])
@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ("HDFCBK", "HDFCBK"),
        ("hdfcbk", "HDFCBK"),
        ("VM-HDFCBK", "HDFCBK"),
        ("VM-HDFCBK-S", "HDFCBK"),
        ("AD-HDFCBK-T", "HDFCBK"),
        ("BZ-SLCEIT-G", "SLCEIT"),
        ("PAYTM", "PAYTM"),
        ("CRED", "CRED"),
        ("JX-AMAZON-S", "AMAZON"),
        ("AMAZONPAY", "AMAZONPAY"),
        ("American Express", "AMERICAN EXPRESS"),
    ],
)
def test_every_sender_shape_is_accepted_as_its_key(
    tmp_path: Path, key: str, entry: str, expected: str
) -> None:
    settings = load_settings(write(tmp_path, f'[messages]\n{key} = ["{entry}"]\n'))
    assert settings.bank_senders == (expected,)


def test_entries_of_one_sender_are_one_key_in_the_order_given(tmp_path: Path) -> None:
    text = '[messages]\nsenders = ["PAYTM", "VM-HDFCBK-S", "HDFCBK", "JM-PAYTM-T"]\n'
    assert load_settings(write(tmp_path, text)).bank_senders == ("PAYTM", "HDFCBK")


def test_without_either_key_every_known_bank_is_read(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, '[messages]\nchat_db = "chat.db"\n'))
    assert settings.bank_senders == DEFAULT_BANK_SENDERS


@pytest.mark.parametrize(
    ("entry", "says"),
    [
        ("VM-HDFCBK-P", "a promotional (-P) sender: banks send alerts as service (-S)"),
        ("AX-FEDBNK-P", 'so give the header alone. Example of a right value: "FEDBNK"'),
        ("+919800000000", "(a phone number, short code or numeric header)"),
        ("98000 00000", "(a phone number, short code or numeric header)"),
        ("57575", "(a phone number, short code or numeric header)"),
        ("VM-123456", "(a phone number, short code or numeric header)"),
        ("alerts@hdfcbank.example", "(an e-mail address)"),
        ("VM-HDFCBK-X", "(its suffix -X is not a DLT category (-S, -T, -P, -G))"),
        ("HDFC_BANK", "(not a sender id)"),
        ("AB", "(not a sender id)"),
        ("ABCDEFGHIJKL", "(not a sender id)"),
    ],
)
@pytest.mark.parametrize("key", ["senders", "bank_senders"])
def test_a_wrong_entry_is_refused_with_what_is_accepted_and_an_example(
    tmp_path: Path, key: str, entry: str, says: str
) -> None:
    path = write(tmp_path, f'[messages]\n{key} = ["HDFCBK", "{entry}"]\n')
    with pytest.raises(SettingsError) as info:
        load_settings(path)
    message = str(info.value)
    assert message.startswith(f"{path}: `messages.{key}[1]` is {entry!r}")
    assert says in message
    if entry.endswith("-P"):
        # The fix is the entry's own header, which loads.
        header = message.rpartition("Example of a right value: ")[2]
        assert header == f'"{entry[3:-2]}"'
        assert load_settings(write(tmp_path, f"[messages]\n{key} = [{header}]\n")).bank_senders
        return
    assert "never from phone numbers, short codes or e-mail" in message
    assert '"PAYTM", "AMAZONPAY"), or a name with spaces ("American Express")' in message
    assert message.endswith(
        'Example of a right value: "HDFCBK" (or "VM-HDFCBK-S", "PAYTM", "American Express")'
    )


def test_the_examples_the_errors_give_are_accepted(tmp_path: Path) -> None:
    # The whole-list example (a list that is not a list of strings) and the entry example.
    path = write(tmp_path, "[messages]\nsenders = 3\n")
    with pytest.raises(SettingsError) as info:
        load_settings(path)
    assert str(info.value).endswith(f"Example of a right value: {EXAMPLE}")
    pasted = load_settings(write(tmp_path, f"[messages]\nsenders = {EXAMPLE}\n"))
    assert pasted.bank_senders == ("HDFCBK", "PAYTM", "AMERICAN EXPRESS")
    path = write(tmp_path, '[messages]\nsenders = ["VM-HDFCBK-P"]\n')
    with pytest.raises(SettingsError) as info:
        load_settings(path)
    entries = re.findall(r'"[^"]+"', str(info.value).rpartition("Example of a right value: ")[2])
    for entry in entries:
        assert load_settings(write(tmp_path, f"[messages]\nsenders = [{entry}]\n")).bank_senders


def test_both_names_at_once_are_refused_with_the_fix(tmp_path: Path) -> None:
    path = write(tmp_path, '[messages]\nsenders = ["PAYTM"]\nbank_senders = ["HDFCBK"]\n')
    with pytest.raises(SettingsError) as info:
        load_settings(path)
    message = str(info.value)
    assert "`messages.bank_senders` is the old name of `messages.senders`" in message
    fix = message.rpartition("Example of a right value: ")[2]
    assert fix == f"senders = {EXAMPLE}"
    # The fix, pasted in place of the two keys, loads.
    assert load_settings(write(tmp_path, f"[messages]\n{fix}\n")).bank_senders
