from __future__ import annotations

import gc

import pytest

from assets.common.gc_pause import gc_paused


@gc_paused
def _collector_on(fail: bool = False) -> bool:
    if fail:
        raise ValueError("failed")
    return gc.isenabled()


def test_the_collector_is_off_while_the_function_runs_and_back_after() -> None:
    assert gc.isenabled()
    assert _collector_on() is False
    assert gc.isenabled()
    with pytest.raises(ValueError, match="failed"):
        _collector_on(fail=True)
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off() -> None:
    gc.disable()
    try:
        assert _collector_on() is False
        assert not gc.isenabled()
    finally:
        gc.enable()
