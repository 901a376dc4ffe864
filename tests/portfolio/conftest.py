"""Fixtures: a fake Kite server on 127.0.0.1, a session token file, feed and warehouse paths."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from assets.portfolio.kite_adapter import KiteAdapter
from pipeline.demo.broker import FakeKiteServer

from .helpers import ACCESS_TOKEN, API_KEY, API_SECRET, Paths, write_session


@pytest.fixture
def paths(tmp_path: Path) -> Paths:
    token_file = tmp_path / "secrets" / "kite-token.json"
    write_session(token_file)
    return Paths(
        feeds=tmp_path / "feeds", warehouse=tmp_path / "warehouse.duckdb", token_file=token_file
    )


@pytest.fixture
def broker() -> Iterator[Callable[..., FakeKiteServer]]:
    """Start fake brokers (any scenario) that are all stopped when the test ends."""
    started: list[FakeKiteServer] = []

    def start(scenario: str = "ok", **options: object) -> FakeKiteServer:
        options.setdefault("api_key", API_KEY)
        options.setdefault("api_secret", API_SECRET)
        options.setdefault("access_tokens", (ACCESS_TOKEN,))
        server = FakeKiteServer(scenario=scenario, **options).start()  # type: ignore[arg-type]
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def adapter_for(paths: Paths) -> Callable[..., KiteAdapter]:
    def make(server: FakeKiteServer, **options: object) -> KiteAdapter:
        options.setdefault("timeout_seconds", 2.0)
        options.setdefault("backoff_seconds", 0.01)
        return KiteAdapter(API_KEY, paths.token_file, base_url=server.base_url, **options)  # type: ignore[arg-type]

    return make
