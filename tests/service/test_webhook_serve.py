"""`homeclerk serve` runs the SMS webhook on a thread only when `[sources.webhook]` is set, and
without a token says what to add, as a command that works pasted."""

from __future__ import annotations

import http.client
import json
import re
import stat
import subprocess
import threading
from pathlib import Path

import pytest

from assets.sms.webhook_spool import read_spool
from pipeline.service.serve import child_specs
from pipeline.service.supervisor import ThreadSpec
from pipeline.service.webhook_server import MissingTokenError
from pipeline.settings import load_settings
from tests.support import free_port


def _settings(tmp_path: Path, webhook: bool):  # type: ignore[no-untyped-def]
    config = tmp_path / "homeclerk.toml"
    port = free_port()
    text = f'[paths]\ndata_dir = "data"\n[service]\nfeeds_port = {free_port()}\n'
    config.write_text(text + (f"[sources.webhook]\nport = {port}\n" if webhook else ""))
    return load_settings(config)


def _webhook_spec(settings, tmp_path: Path) -> ThreadSpec | None:  # type: ignore[no-untyped-def]
    specs = child_specs(settings, tmp_path / "home", 1234)
    found = [s for s in specs if s.name == "sms-webhook"]
    return found[0] if found else None  # type: ignore[return-value]


def test_no_webhook_thread_without_the_setting(tmp_path: Path) -> None:
    assert _webhook_spec(_settings(tmp_path, webhook=False), tmp_path) is None


def test_the_missing_token_fix_pastes_and_the_webhook_then_serves(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SMS_WEBHOOK_TOKEN", raising=False)
    monkeypatch.delenv("HOMECLERK_ENV_FILE", raising=False)
    settings = _settings(tmp_path, webhook=True)
    spec = _webhook_spec(settings, tmp_path)
    assert isinstance(spec, ThreadSpec)
    with pytest.raises(MissingTokenError) as caught:
        spec.make()
    command = re.search(r"`(\(umask [^`]+)`", str(caught.value))
    assert command is not None
    subprocess.run(["sh", "-c", command[1]], cwd=tmp_path, check=True, timeout=30)
    token = dict(
        line.split("=", 1) for line in (tmp_path / ".env").read_text().splitlines() if line
    )["SMS_WEBHOOK_TOKEN"]
    assert len(token) >= 32
    assert stat.S_IMODE((tmp_path / ".env").stat().st_mode) == 0o600  # no exposed-secret warning
    server = spec.make()  # the supervisor's next try
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1})
    thread.start()
    try:
        connection = http.client.HTTPConnection("127.0.0.1", settings.webhook_port, timeout=10)
        body = json.dumps(
            {"from": "VM-HDFCBK", "body": "Rs 5 debited", "received_at": 1773133200000}
        )
        connection.request("POST", "/sms", body=body, headers={"Authorization": f"Bearer {token}"})
        assert connection.getresponse().status == 202
        connection.close()
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
    assert len(read_spool(settings.webhook_spool).messages) == 1
    assert settings.webhook_spool == tmp_path / "data" / "sms-spool"


def test_the_token_comes_from_1password_with_provider_op(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.pipeline.service_support import OpStandIn

    monkeypatch.delenv("SMS_WEBHOOK_TOKEN", raising=False)
    monkeypatch.delenv("HOMECLERK_ENV_FILE", raising=False)
    op = OpStandIn(tmp_path, monkeypatch, signed_in=False)
    op.item("Private/homeclerk/webhook", "op-webhook-token-7ZK1")
    config = tmp_path / "homeclerk.toml"
    config.write_text(
        f'[paths]\ndata_dir = "data"\n[sources.webhook]\nport = {free_port()}\n'
        '[secrets]\nprovider = "op"\n[[secrets.op]]\nname = "SMS_WEBHOOK_TOKEN"\n'
        'reference = "op://Private/homeclerk/webhook"\n'
    )
    settings = load_settings(config)
    spec = _webhook_spec(settings, tmp_path)
    assert isinstance(spec, ThreadSpec)
    with pytest.raises(MissingTokenError, match="SMS_WEBHOOK_TOKEN") as caught:
        spec.make()
    assert "op-webhook-token-7ZK1" not in str(caught.value)
    op.sign_in()
    server = spec.make()
    try:
        assert server.expected == b"Bearer op-webhook-token-7ZK1"
    finally:
        server.server_close()


def test_doctor_names_a_missing_token_and_its_fix_pasted_clears_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipeline.doctor import run_checks

    monkeypatch.delenv("SMS_WEBHOOK_TOKEN", raising=False)
    monkeypatch.delenv("HOMECLERK_ENV_FILE", raising=False)
    settings = _settings(tmp_path, webhook=True)

    def finding():  # type: ignore[no-untyped-def]
        return next(
            f for f in run_checks(load_settings(settings.config_file)) if f.check == "sms webhook"
        )

    missing = finding()
    assert not missing.ok and "SMS_WEBHOOK_TOKEN" in missing.detail
    command = missing.fix.split(", give the token")[0]
    subprocess.run(["sh", "-c", command], cwd=tmp_path, check=True, timeout=30)
    fixed = finding()
    assert fixed.ok and "spool empty" in fixed.detail
    token = (tmp_path / ".env").read_text().split("=", 1)[1].strip()
    assert token not in fixed.detail + (fixed.fix or "")
