"""The settings composed from the domains' sections, and the example file held to them."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

from pipeline.domains import DOMAIN_NAMES
from pipeline.settings import SettingsError, accepted_keys, load_settings, sections

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "homeclerk.example.toml"
# A commented-out setting or table header (`# key = value`, `# [table]`, `# [[table.list]]`);
# prose comments and commented inline-array items (`# { bank = … },`) stay comments.
_COMMENTED_SETTING = re.compile(r"^#\s?((?:[a-z_]+\s*=|\[\[?[a-z_.]+\]\]?(?:\s|$)).*)$")


def uncommented(text: str) -> str:
    """The example with every commented-out key and table header made live."""
    lines = []
    for line in text.splitlines():
        match = _COMMENTED_SETTING.match(line)
        lines.append(match.group(1) if match else line)
    return "\n".join(lines) + "\n"


def leaf_keys(table: dict[str, Any], prefix: str = "") -> set[str]:
    """`table.key` for every value that is not a table (an array of tables is one key)."""
    keys: set[str] = set()
    for key, value in table.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, dict):
            keys |= leaf_keys(value, f"{dotted}.")
        else:
            keys.add(dotted)
    return keys


def test_the_uncommenting_reads_commented_keys_and_headers_only() -> None:
    text = (
        '# prose about ports = many\n# [power]\n# source = "auto"  # a note\n'
        '# [[payees]]\n#   { bank = "HDFC" },\nui = 1\n'
    )
    assert uncommented(text) == (
        '# prose about ports = many\n[power]\nsource = "auto"  # a note\n'
        '[[payees]]\n#   { bank = "HDFC" },\nui = 1\n'
    )


def test_the_example_file_shows_every_accepted_key_and_no_other(tmp_path: Path) -> None:
    # The accepted keys come from what the shared part and each domain's section read, so a
    # section that gains a key fails here until the example shows it (and the reverse).
    example = EXAMPLE.read_text(encoding="utf-8")
    live = tmp_path / "homeclerk.toml"
    live.write_text(uncommented(example), encoding="utf-8")
    shown = leaf_keys(tomllib.loads(live.read_text(encoding="utf-8")))
    accepted = accepted_keys()
    assert sorted(accepted - shown) == [], "accepted but not in homeclerk.example.toml"
    assert sorted(shown - accepted) == [], "in homeclerk.example.toml but not accepted"
    # Every value it shows, commented or not, is one the settings take.
    settings = load_settings(live)
    assert settings.power.source == "auto" and settings.sms_formats[0]["sender"] == "XYZBNK"
    # As shipped (most keys commented), it loads too.
    assert load_settings(EXAMPLE).broker.adapter == "kite"


def test_a_key_no_section_reads_is_refused_and_not_accepted(tmp_path: Path) -> None:
    # The reverse direction of the check above, on a copy of the example.
    text = uncommented(EXAMPLE.read_text()).replace("[power]\n", "[power]\nvolts = 5\n", 1)
    assert "power.volts" in leaf_keys(tomllib.loads(text)) - accepted_keys()
    live = tmp_path / "homeclerk.toml"
    live.write_text(text, encoding="utf-8")
    with pytest.raises(SettingsError, match=r"`power\.volts` is not a known setting"):
        load_settings(live)


def test_each_domain_with_a_settings_module_declares_one_section() -> None:
    with_settings = [n for n in DOMAIN_NAMES if (ROOT / "assets" / n / "settings.py").is_file()]
    assert with_settings, "no domain declares settings"
    found = sections()
    assert len(found) == len(with_settings)
    names = [s.name for s in found]
    assert len(set(names)) == len(names)


@pytest.mark.parametrize("table", sorted({k.split(".")[0] for k in accepted_keys() if "." in k}))
def test_a_misspelt_section_is_matched_against_every_sections_table(
    tmp_path: Path, table: str
) -> None:
    # The known sections are those the readers read, not a hand list that a new domain forgets.
    path = tmp_path / "homeclerk.toml"
    path.write_text(f"[{table}x]\n", encoding="utf-8")
    with pytest.raises(SettingsError) as info:
        load_settings(path)
    assert f"`[{table}x]` is not a known section; did you mean `[{table}]`?" in str(info.value)


def test_a_section_and_its_fields_are_reached_on_the_settings(tmp_path: Path) -> None:
    path = tmp_path / "homeclerk.toml"
    path.write_text(
        '[power]\nlow_charge_percent = 15\n[messages]\nchat_db = "c.db"\n'
        "[books]\nbroker_value_tolerance = 0.01\n",
        encoding="utf-8",
    )
    settings = load_settings(path)
    assert settings.power is settings.section("power")
    assert settings.power.low_charge_percent == 15.0
    assert settings.chat_db == tmp_path / "c.db"  # flat: the messages section's field
    assert settings.section("books").broker_value_tolerance == 0.01
    with pytest.raises(AttributeError, match="no attribute 'volts'"):
        _ = settings.volts
