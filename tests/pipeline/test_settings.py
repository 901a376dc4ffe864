from pathlib import Path

import pytest

from assets.transactions.parsing import KNOWN_BANK_HEADERS
from pipeline.settings import CONFIG_ENV, DEFAULT_BANK_SENDERS, SettingsError, load_settings


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "homeclerk.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_work_without_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(CONFIG_ENV, raising=False)
    settings = load_settings(cwd=tmp_path)
    assert settings.config_file is None
    assert settings.data_dir == tmp_path.resolve() / "data"
    assert settings.warehouse == tmp_path.resolve() / "data" / "warehouse.duckdb"
    assert settings.bank_senders == DEFAULT_BANK_SENDERS
    # Every bank the parser knows is read by default (a stale list silently drops alerts).
    assert set(settings.bank_senders) == KNOWN_BANK_HEADERS
    assert str(settings.tz) == "Asia/Kolkata"


def test_relative_paths_are_relative_to_the_config_file(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[paths]\ndata_dir = "d"\n[messages]\nchat_db = "x/chat.db"\nbank_senders = ["hdfcbk"]\n'
        "[books]\naccount_mapping = [\n"
        '{ bank = "hdfc", tail = "1276", account = "Assets:Bank:HDFC:Savings" }]\n',
    )
    settings = load_settings(path)
    assert settings.data_dir == tmp_path / "d"
    assert settings.chat_db == tmp_path / "x" / "chat.db"
    assert settings.bank_senders == ("HDFCBK",)
    assert settings.accounts[0].bank == "HDFC"
    assert settings.accounts[0].account == "Assets:Bank:HDFC:Savings"


def test_config_env_var_is_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, 'timezone = "Europe/Berlin"\n')
    monkeypatch.setenv(CONFIG_ENV, str(path))
    assert load_settings(cwd=Path("/")).timezone == "Europe/Berlin"


@pytest.mark.parametrize(
    ("text", "key", "example"),
    [
        ('timezone = "Mars/Olympus"\n', "timezone", "Asia/Kolkata"),
        ('[messages]\nbank_senders = ["VM-HDFCBK"]\n', "messages.bank_senders[0]", "HDFCBK"),
        ("[messages]\nbank_senders = 3\n", "messages.bank_senders", '["HDFCBK"'),
        (
            '[books]\naccount_mapping = [{ bank = "HDFC", tail = "12345", account = "A" }]\n',
            "books.account_mapping[0].tail",
            '"1276"',
        ),
        (
            '[books]\naccount_mapping = [{ bank = "HDFC", tail = "1276", account = "Bank" }]\n',
            "books.account_mapping[0].account",
            "Assets:Bank",
        ),
        ('[[categories.rules]]\npattern = "x"\n', "categories.rules", "Food:Delivery"),
        (
            '[[categories.rules]]\npattern = "(x"\ncategory = "Food"\n',
            "categories.rules",
            "regular",
        ),
        ('[[sms.formats]]\nsender = "XYZBNK"\n', "sms.formats", "XYZBNK"),
        ('[paths]\ndata_dri = "x"\n', "paths.data_dri", "paths.data_dir"),
        ('[broker]\nadapter = "ftp"\n', "broker.adapter", '"kite"'),
        ("timezone = \n", "(syntax)", "timezone"),
    ],
)
def test_malformed_settings_name_file_key_and_example(
    tmp_path: Path, text: str, key: str, example: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(SettingsError) as info:
        load_settings(path)
    message = str(info.value)
    assert str(path) in message
    assert f"`{key}`" in message
    assert example in message


def test_missing_config_named_by_env_var(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CONFIG_ENV, str(tmp_path / "nope.toml"))
    with pytest.raises(SettingsError, match=r"nope\.toml"):
        load_settings()
