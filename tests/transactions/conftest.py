"""Fixtures the transactions tests share with the SMS tests: a real chat.db to derive from."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.sms.helpers import ChatDb


@pytest.fixture
def chat_db(tmp_path: Path) -> ChatDb:
    return ChatDb(tmp_path / "Messages" / "chat.db")
