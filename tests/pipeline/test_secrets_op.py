"""`[secrets] provider = "op"`: `.env`-style names read from 1Password with `op read` (a stand-in
`op` on PATH), into the process environment only; clear errors when `op` is missing or signed
out; never a value on screen."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.doctor.checks import run_checks
from pipeline.settings import SettingsError, load_env_file, load_settings
from tests.pipeline.service_support import OpStandIn

KEY, SECRET = "op-kite-key-5RT2", "op-kite-secret-9QW4"
OP_CONFIG = """
[broker]
adapter = "kite"
[secrets]
provider = "op"
[[secrets.op]]
name = "KITE_API_KEY"
reference = "op://Private/Kite/api key"
[[secrets.op]]
name = "KITE_API_SECRET"
reference = "op://Private/Kite/secret"
"""


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("KITE_API_KEY", "KITE_API_SECRET", "HOMECLERK_ENV_FILE"):
        monkeypatch.delenv(name, raising=False)


def _config(tmp_path: Path, text: str = OP_CONFIG) -> Path:
    config = tmp_path / "homeclerk.toml"
    config.write_text(text)
    return config


def _op(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, signed_in: bool = True) -> OpStandIn:
    op = OpStandIn(tmp_path, monkeypatch, signed_in)
    op.item("Private/Kite/api key", KEY)
    op.item("Private/Kite/secret", SECRET)
    return op


def test_secrets_are_read_into_the_environment_and_never_shown(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    clean_env: None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    op = _op(tmp_path, monkeypatch)
    settings = load_settings(_config(tmp_path))
    assert load_env_file(settings) == ["KITE_API_KEY", "KITE_API_SECRET"]
    assert os.environ["KITE_API_KEY"] == KEY and os.environ["KITE_API_SECRET"] == SECRET
    assert op.calls() == [
        "read --no-newline op://Private/Kite/api key",
        "read --no-newline op://Private/Kite/secret",
    ]
    out = capsys.readouterr()
    assert KEY not in out.out + out.err and SECRET not in out.out + out.err
    # Nothing of it on disk beside the stand-in's own items.
    written = [p for p in tmp_path.rglob("*") if p.is_file() and "op" not in p.parts]
    assert all(KEY not in p.read_text(errors="replace") for p in written)


def test_env_file_and_environment_win_over_1password(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clean_env: None
) -> None:
    op = _op(tmp_path, monkeypatch)
    env = tmp_path / ".env"
    env.write_text("KITE_API_KEY=from-dotenv\n")
    env.chmod(0o600)
    settings = load_settings(_config(tmp_path))
    assert load_env_file(settings) == ["KITE_API_KEY", "KITE_API_SECRET"]
    assert os.environ["KITE_API_KEY"] == "from-dotenv"
    assert op.calls() == ["read --no-newline op://Private/Kite/secret"]  # asked for one only


def test_signed_out_names_the_secret_and_the_fix_and_a_service_token_clears_it(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    clean_env: None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _op(tmp_path, monkeypatch, signed_in=False)
    settings = load_settings(_config(tmp_path))
    assert load_env_file(settings) == []
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 2 and err[0].startswith("homeclerk: warning: KITE_API_KEY: ")
    assert "signed out" in err[0] and "eval $(op signin)" in err[0]
    assert "OP_SERVICE_ACCOUNT_TOKEN in .env" in err[0]
    assert "KITE_API_KEY" not in os.environ
    # The fix for an unattended service: a service account's token in .env.
    env = tmp_path / ".env"
    env.write_text("OP_SERVICE_ACCOUNT_TOKEN=ops_standin\n")
    env.chmod(0o600)
    monkeypatch.delenv("OP_SERVICE_ACCOUNT_TOKEN", raising=False)
    settings = load_settings(_config(tmp_path))
    loaded = load_env_file(settings)
    monkeypatch.delenv("OP_SERVICE_ACCOUNT_TOKEN", raising=False)
    assert loaded == ["OP_SERVICE_ACCOUNT_TOKEN", "KITE_API_KEY", "KITE_API_SECRET"]
    assert os.environ["KITE_API_SECRET"] == SECRET


def test_op_missing_and_a_wrong_reference_are_clear(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    clean_env: None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    text = OP_CONFIG.replace('provider = "op"', 'provider = "op"\nop_path = "no-such-op"')
    load_env_file(load_settings(_config(tmp_path, text)))
    err = capsys.readouterr().err
    assert "KITE_API_KEY: the 1Password CLI `no-such-op` is not on PATH" in err
    assert 'provider = "env"' in err
    op = OpStandIn(tmp_path, monkeypatch)
    op.item("Private/Kite/api key", KEY)  # the secret's item is missing
    load_env_file(load_settings(_config(tmp_path)))
    err = capsys.readouterr().err
    assert "KITE_API_SECRET: `op read op://Private/Kite/secret` failed" in err
    assert "isn't an item" in err and "[[secrets.op]] entry of KITE_API_SECRET" in err
    assert os.environ["KITE_API_KEY"] == KEY  # one bad secret does not block the other


@pytest.mark.parametrize(
    ("text", "key", "words"),
    [
        ('[secrets]\nprovider = "op"\n', "secrets.provider", "no [[secrets.op]]"),
        ('[secrets]\nprovider = "vault"\n', "secrets.provider", "vault"),
        (
            '[[secrets.op]]\nname = "KITE_API_KEY"\nreference = "Private/Kite/key"\n',
            "secrets.op[1]",
            "not a 1Password secret reference",
        ),
        (
            '[[secrets.op]]\nname = "KITE API KEY"\nreference = "op://P/K/key"\n',
            "secrets.op[1]",
            "not an environment variable name",
        ),
        (
            '[[secrets.op]]\nname = "A"\nreference = "op://P/K/a"\nvault = "x"\n',
            "secrets.op[1]",
            "unknown key",
        ),
        (
            '[[secrets.op]]\nname = "A"\nreference = "op://P/K/a"\n'
            '[[secrets.op]]\nname = "A"\nreference = "op://P/K/b"\n',
            "secrets.op[2]",
            "second time",
        ),
    ],
)
def test_settings_errors_name_the_key(tmp_path: Path, text: str, key: str, words: str) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings(_config(tmp_path, text))
    assert key in str(caught.value) and words in str(caught.value)


def test_doctor_reads_each_reference_without_showing_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clean_env: None
) -> None:
    op = _op(tmp_path, monkeypatch)
    settings = load_settings(_config(tmp_path))
    findings = {f.check: f for f in run_checks(settings)}
    assert findings["1Password"].ok and "2 secret(s)" in findings["1Password"].detail
    assert ".env" not in findings or findings[".env"].ok  # no .env needed: op has the keys
    op.sign_in(False)
    bad = [f for f in run_checks(settings) if f.check == "1Password"]
    assert [f.ok for f in bad] == [False, False]
    assert bad[0].fix is not None and "op signin" in bad[0].fix
    assert all(KEY not in f.detail + (f.fix or "") for f in run_checks(settings))


def test_doctor_command_line_shows_no_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clean_env: None
) -> None:
    _op(tmp_path, monkeypatch)
    config = _config(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "--config", str(config), "doctor"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
    )
    assert "1Password" in done.stdout, done.stdout + done.stderr
    assert KEY not in done.stdout + done.stderr and SECRET not in done.stdout + done.stderr
