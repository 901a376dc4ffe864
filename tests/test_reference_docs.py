"""The reference tables in the README and docs/architecture.md are the code's own."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from pipeline import reference_docs
from pipeline.cli import descriptions as command_help

ROOT = Path(__file__).resolve().parents[1]


def test_the_committed_tables_are_what_the_code_writes() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pipeline.reference_docs", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout == ""


def test_a_table_edited_by_hand_is_written_anew(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    text = (ROOT / "README.md").read_text("utf-8")
    row = next(line for line in text.splitlines() if line.startswith("| `homeclerk doctor"))
    readme.write_text(text.replace(row + "\n", ""), "utf-8")
    makers = {"commands": reference_docs.commands_table}
    assert reference_docs.rendered(readme, makers) == text


def test_every_command_is_in_the_table_with_its_synopsis() -> None:
    table = reference_docs.commands_table()
    for words in command_help.DESCRIPTIONS:
        assert f"| `homeclerk {words}" in table, words
    assert "`homeclerk sms dump --chat-db CHAT_DB [--since-rowid SINCE_ROWID]`" in table
    assert "[--config CONFIG]" not in table and "[-h]" not in table


def test_a_command_without_a_description_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(command_help.DESCRIPTIONS, "sms confirm")
    with pytest.raises(reference_docs.MissingDescriptionError, match="'homeclerk sms confirm'"):
        reference_docs.commands_table()


def test_a_region_missing_from_a_file_is_named(tmp_path: Path) -> None:
    doc = tmp_path / "doc.md"
    doc.write_text("# no tables here\n", "utf-8")
    with pytest.raises(SystemExit, match="no region for commands"):
        reference_docs.rendered(doc, {"commands": reference_docs.commands_table})


def test_the_settings_table_has_every_key_a_section_reads() -> None:
    import re

    from pipeline.settings import accepted_keys

    listed = set(
        re.findall(r"`([a-z_]+\.[a-z_.]+|payees|budgets)`", reference_docs.settings_table())
    )
    shared = {k for k in accepted_keys() if k.split(".")[0] in ("timezone", "paths", "feeds")}
    shared |= {k for k in accepted_keys() if k.startswith(("service.", "secrets."))}
    assert listed == accepted_keys() - shared
