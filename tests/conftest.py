"""Fixtures every test gets."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator

import pytest

# A launcher may start the suite with SIGTERM ignored (mutmut's runner does), and an ignored
# signal is inherited through exec: every child a test starts, then stops with SIGTERM, would
# ignore it and the test would wait for nothing. The suite starts from the default, as launchd
# and systemd start `serve`.
if signal.getsignal(signal.SIGTERM) == signal.SIG_IGN:
    signal.signal(signal.SIGTERM, signal.SIG_DFL)

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
