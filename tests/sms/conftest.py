"""Fixtures: real chat.db files in tmp_path."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from .helpers import ChatDb


@pytest.fixture
def chat_db(tmp_path: Path) -> ChatDb:
    return ChatDb(tmp_path / "Messages" / "chat.db")


@pytest.fixture
def make_chat_db(tmp_path: Path) -> Callable[[str], ChatDb]:
    return lambda name: ChatDb(tmp_path / name / "chat.db")
