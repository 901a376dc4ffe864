"""Fixtures every test gets."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

# Commands set these for the processes they start (`homeclerk --config X …` exports
# HOMECLERK_CONFIG, the demo DAGSTER_HOME and the broker keys); a test that runs one in-process
# must not hand them to the tests after it.
_PROCESS_ENV = (
    "HOMECLERK_CONFIG",
    "HOMECLERK_ENV_FILE",
    "DAGSTER_HOME",
    "KITE_API_KEY",
    "KITE_API_SECRET",
    "SMS_WEBHOOK_TOKEN",
)


@pytest.fixture(autouse=True)
def _environment_kept() -> Iterator[None]:
    before = {name: os.environ.get(name) for name in _PROCESS_ENV}
    yield
    for name, value in before.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
