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
    assert settings.accounts.lookup("hdfc", "XX1276") == "Assets:Bank:HDFC:Savings"
    assert settings.accounts.refs[0].bank == "HDFC"


def test_appended_books_accounts_join_the_inline_mapping(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "[books]\naccount_mapping = [\n"
        '{ bank = "HDFC", tail = "1276", account = "Assets:Bank:HDFC:Savings" }]\n\n'
        '[[books.accounts]]  # a wallet: its alerts name no number\nbank = "hdfc"\n'
        'instrument = "wallet"\naccount = "Assets:Wallet:HDFC"\n\n'
        '[[books.accounts]]\nbank = "ICICI"\ntail = "0042"\naccount = "Assets:Bank:ICICI"\n',
    )
    accounts = load_settings(path).accounts
    assert accounts.lookup("HDFC", "XX1276") == "Assets:Bank:HDFC:Savings"
    assert accounts.lookup("ICICI", "42") is None and accounts.lookup("ICICI", "0042")
    assert accounts.lookup("HDFC", None, "wallet") == "Assets:Wallet:HDFC"
    # Only the wallet's tail-less alerts: a bank alert that names no number stays unmapped.
    assert accounts.lookup("HDFC", None, "account") is None
    assert accounts.lookup("HDFC", "9999", "wallet") is None


def test_config_env_var_is_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, 'timezone = "Europe/Berlin"\n')
    monkeypatch.setenv(CONFIG_ENV, str(path))
    assert load_settings(cwd=Path("/")).timezone == "Europe/Berlin"


@pytest.mark.parametrize(
    ("text", "key", "example"),
    [
        ('timezone = "Mars/Olympus"\n', "timezone", "Asia/Kolkata"),
        ('[messages]\nbank_senders = ["VM-HDFCBK-P"]\n', "messages.bank_senders[0]", "HDFCBK"),
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
        (  # the books reject a spending account as the owner's own: so does the file's loader
            "[books]\naccount_mapping = [\n"
            '{ bank = "HDFC", tail = "1276", account = "Expenses:Food" }]\n',
            "books.account_mapping[0].account",
            "Liabilities:CreditCard:HDFC",
        ),
        (
            "[books]\naccount_mapping = [\n"
            '{ bank = "HDFC", tail = "1276", account = "Assets:Bank:HDFC:Savings" },\n'
            '{ bank = "hdfc", tail = "1276", account = "Assets:Bank:HDFC:Current" }]\n',
            "books.account_mapping[1]",
            '{ bank = "HDFC", tail = "1276", account = "Assets:Bank:HDFC:Savings" }',
        ),
        (
            '[books]\naccount_mapping = [{ tail = "1276", account = "Assets:X" }]\n',
            "books.account_mapping[0].bank",
            '"HDFC"',
        ),
        (  # the same account twice, once inline and once appended: named by the appended key
            "[books]\naccount_mapping = [\n"
            '{ bank = "HDFC", tail = "1276", account = "Assets:Bank:HDFC:Savings" }]\n'
            '[[books.accounts]]\nbank = "HDFC"\ntail = "1276"\naccount = "Assets:Bank:X"\n',
            "books.accounts[0]",
            '{ bank = "HDFC", tail = "1276", account = "Assets:Bank:HDFC:Savings" }',
        ),
        (
            '[[books.accounts]]\nbank = "HDFC"\ntail = "????"\naccount = "Assets:Wallet:H"\n',
            "books.accounts[0].tail",
            '"1276"',
        ),
        (
            '[[books.accounts]]\nbank = "HDFC"\naccount = "Assets:Wallet:H"\n',
            "books.accounts[0].tail",
            'instrument = "wallet"',
        ),
        (
            '[[books.accounts]]\nbank = "HDFC"\ninstrument = "purse"\naccount = "Assets:W"\n',
            "books.accounts[0].instrument",
            '"wallet"',
        ),
        ("[service]\nui_port = 5000\n", "service.ui_port", "fava_port"),
        ("[service]\nfeeds_port = 3100\nui_port = 3100\n", "service.ui_port", "feeds_port"),
        ("[service]\nfava_port = 5080\n", "service.fava_port", "feeds_port"),
        ('[[categories.rules]]\npattern = "x"\n', "categories.rules", "Food:Delivery"),
        (
            '[[categories.rules]]\npattern = "(x"\ncategory = "Food"\n',
            "categories.rules",
            "regular",
        ),
        ('[[sms.formats]]\nsender = "XYZBNK"\n', "sms.formats", "XYZBNK"),
        ("[sms]\nmax_plausible_amount = -5\n", "sms.max_plausible_amount", "5000000"),
        ('[sms]\nmax_plausible_amount = "lots"\n', "sms.max_plausible_amount", "5000000"),
        ("[categories]\nauto_apply_confidence = 1.5\n", "categories.auto_apply_confidence", "0.95"),
        ("[categories]\nauto_apply_confidence = 0\n", "categories.auto_apply_confidence", "0.95"),
        ("[sms]\nlink_window_minutes = -1\n", "sms.link_window_minutes", "10"),
        ("[sms]\nlink_window_minutes = 2.5\n", "sms.link_window_minutes", "10"),
        ('[paths]\ndata_dri = "x"\n', "paths.data_dri", "paths.data_dir"),
        ('[broker]\nadapter = "ftp"\n', "broker.adapter", '"kite"'),
        ("timezone = \n", "(syntax)", "at line 1, column 12"),
        ("[broker]\ntimeout_seconds = inf\n", "broker.timeout_seconds", "10"),
        ("[broker]\ntimeout_seconds = nan\n", "broker.timeout_seconds", "10"),
        ("[books]\nbroker_value_tolerance = inf\n", "books.broker_value_tolerance", "0.005"),
        ("[broker]\ncallback_port = 0\n", "broker.callback_port", "5010"),
        ("[broker]\ncallback_port = 70000\n", "broker.callback_port", "5010"),
        ("[broker]\ncallback_port = 5010.5\n", "broker.callback_port", "5010"),
        ("[broker]\ncallback_port = inf\n", "broker.callback_port", "5010"),
        ('[pahts]\ndata_dir = "x"\n', "[pahts]", "did you mean `[paths]`?"),
        ('[brokr]\nadapter = "csv"\n', "[brokr]", "did you mean `[broker]`?"),
        ('timezon = "Asia/Kolkata"\n', "timezon", "did you mean `timezone`?"),
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


@pytest.mark.parametrize(
    ("text", "problem", "example"),
    [
        (
            "[[sms.formats]]\nsender = \"XYZBNK\"\npattern = 'Rs (?P<amount>[\\d.]+'\n"
            'direction = "debit"\n',
            "is not a valid regular expression",
            '{sender = "XYZBNK", pattern = ',
        ),
        (
            '[[categories.rules]]\npattern = "(x"\ncategory = "Food"\n',
            "is not a valid regular expression",
            '{pattern = "(?i)swiggy|zomato", ',
        ),
    ],
)
def test_a_bad_format_or_category_rule_says_its_problem_once_then_a_valid_entry(
    tmp_path: Path, text: str, problem: str, example: str
) -> None:
    with pytest.raises(SettingsError) as info:
        load_settings(write(tmp_path, text))
    message = str(info.value)
    assert message.count(problem) == 1, message
    # The example is the valid entry alone, not the whole message again.
    assert info.value.example is not None and info.value.example.startswith(example)
    assert message.endswith(f"Example of a right value: {info.value.example}")


def test_missing_config_named_by_env_var(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CONFIG_ENV, str(tmp_path / "nope.toml"))
    with pytest.raises(SettingsError, match=r"nope\.toml"):
        load_settings()


def test_syntax_error_gives_line_and_column_and_no_unrelated_example(tmp_path: Path) -> None:
    path = write(tmp_path, '[paths]\ndata_dir = "d"\nbooks_dir = \n')
    with pytest.raises(SettingsError) as info:
        load_settings(path)
    message = str(info.value)
    assert "is not valid TOML" in message and "line 3, column" in message
    assert "Example" not in message and "timezone" not in message


def test_a_right_port_and_finite_numbers_are_kept(tmp_path: Path) -> None:
    path = write(tmp_path, "[broker]\ncallback_port = 65535\ntimeout_seconds = 2.5\n")
    settings = load_settings(path)
    assert settings.broker.callback_port == 65535
    assert settings.broker.timeout_seconds == 2.5


def test_payees_are_read_and_a_bad_entry_names_its_key_and_the_fix(tmp_path: Path) -> None:
    good = write(
        tmp_path,
        '[[payees]]\nname = "Divya Menon"\nmatch = ["divya.m@okhdfc", "DIVYA MENON"]\n',
    )
    assert [dict(p) for p in load_settings(good).payees] == [
        {"name": "Divya Menon", "match": ["divya.m@okhdfc", "DIVYA MENON"]}
    ]
    bad = write(
        tmp_path,
        '[[payees]]\nname = "Divya Menon"\nmatch = ["divya.m@okhdfc"]\n'
        '[[payees]]\nname = "Rent"\nmatch = ["landlord@"]\n',
    )
    with pytest.raises(SettingsError) as info:
        load_settings(bad)
    message = str(info.value)
    assert "`payees[1]`" in message
    assert "'landlord@', which is not a UPI address" in message
    assert 'name = "Divya Menon", match = ["divya.m@okhdfc", "DIVYA MENON"]' in message
    not_tables = write(tmp_path, 'payees = ["Divya"]\n')
    with pytest.raises(SettingsError, match=r"`payees`.*array of tables"):
        load_settings(not_tables)


def test_the_plausibility_ceiling_is_a_setting_or_learned(tmp_path: Path) -> None:
    assert load_settings(write(tmp_path, "")).max_plausible_amount is None  # learned
    text = "[sms]\nmax_plausible_amount = 2500000\n"
    assert load_settings(write(tmp_path, text)).max_plausible_amount == 2_500_000.0


def test_learned_categories_are_filed_only_when_the_owner_sets_a_confidence(
    tmp_path: Path,
) -> None:
    assert load_settings(write(tmp_path, "")).auto_apply_confidence is None  # off
    text = '[categories]\nauto_apply_confidence = 0.95\n[[categories.rules]]\npattern = "x"\n'
    text += 'category = "Gifts"\n'
    settings = load_settings(write(tmp_path, text))
    assert settings.auto_apply_confidence == 0.95
    assert len(settings.category_rules) == 1


def test_the_window_that_links_alerts_of_one_payment_is_a_setting(tmp_path: Path) -> None:
    from assets.transactions.resources import resources_from_settings

    assert load_settings(write(tmp_path, "")).link_window_minutes == 10
    settings = load_settings(write(tmp_path, "[sms]\nlink_window_minutes = 3\n"))
    assert settings.link_window_minutes == 3
    assert resources_from_settings(settings)["parsing"].link_window_minutes == 3


def test_a_setting_fix_pastes_whether_or_not_the_file_has_the_table(tmp_path: Path) -> None:
    from pipeline.settings import setting_fix

    path = write(tmp_path, '[paths]\ndata_dir = "d"\n')
    fix = setting_fix(load_settings(path), "service.ui_port", "3001")
    assert fix == f"append these lines to {path}:\n[service]\nui_port = 3001"
    path.write_text(path.read_text() + fix.split(":\n", 1)[1] + "\n")
    assert load_settings(path).service.ui_port == 3001
    # Now the table is there: appending a second [service] would be a syntax error.
    fix = setting_fix(load_settings(path), "service.fava_port", "5001")
    assert fix == f"in {path}, under [service], put (or change to) this line:\nfava_port = 5001"
