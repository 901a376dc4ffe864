"""`[service]` settings: defaults, values, and clear errors."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pipeline.service.processes import owner_argv, owner_mark
from pipeline.service.serve import child_specs, log_dir
from pipeline.service.supervisor import ChildSpec
from pipeline.settings import ServiceSettings, SettingsError, load_settings

ROOT = Path(__file__).resolve().parents[2]


def _load(tmp_path: Path, text: str):  # type: ignore[no-untyped-def]
    config = tmp_path / "homeclerk.toml"
    config.write_text(text)
    return load_settings(config)


def test_defaults(tmp_path: Path) -> None:
    assert _load(tmp_path, "").service == ServiceSettings()
    assert ServiceSettings().ui_port == 3000 and ServiceSettings().run_retention_days == 30


def test_the_example_file_documents_every_service_setting(tmp_path: Path) -> None:
    settings = load_settings(ROOT / "homeclerk.example.toml")
    assert settings.service == ServiceSettings()


def test_values(tmp_path: Path) -> None:
    service = _load(
        tmp_path,
        "[service]\nui_port = 3100\nfava_port = 5100\nfeeds_port = 5180\nkeep_awake = true\n"
        'allowed_hosts = ["Box.tailnet.ts.net", "[::1]:8443"]\nrun_retention_days = 7\n',
    ).service
    assert service == ServiceSettings(
        3100, 5100, 5180, True, ("box.tailnet.ts.net", "[::1]:8443"), 7
    )


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("ui_port = 70000", "service.ui_port"),
        ('keep_awake = "yes"', "service.keep_awake"),
        ('allowed_hosts = ["https://box.lan/"]', "service.allowed_hosts[0]"),
        ("run_retention_days = 0", "service.run_retention_days"),
        ("run_retention_days = 2.5", "service.run_retention_days"),
        ("retention_days = 3", "service.retention_days"),
    ],
)
def test_errors_name_the_key(tmp_path: Path, text: str, key: str) -> None:
    with pytest.raises(SettingsError, match=key.replace("[", r"\[").replace("]", r"\]")):
        _load(tmp_path, f"[service]\n{text}\n")


def test_caffeinate_only_on_macos_when_asked(tmp_path: Path) -> None:
    awake = _load(tmp_path, "[service]\nkeep_awake = true\n")
    names = lambda s, p: [c.name for c in child_specs(s, tmp_path, 1234, platform=p)]  # noqa: E731
    assert names(awake, "darwin")[-1] == "caffeinate"
    assert "caffeinate" not in names(awake, "linux")
    assert "caffeinate" not in names(_load(tmp_path, ""), "darwin")
    # No books: no Fava to start (it would exit and be restarted forever).
    assert names(awake, "linux") == ["code-server", "ui-daemon", "feeds", "sms-watch"]
    (awake.books_dir).mkdir(parents=True)
    (awake.books_dir / "main.beancount").write_text('option "title" "t"\n')
    assert names(awake, "linux") == ["code-server", "ui-daemon", "fava", "feeds", "sms-watch"]


def test_every_python_child_carries_the_folders_mark_in_its_command_line(tmp_path: Path) -> None:
    settings = _load(tmp_path, "[service]\nkeep_awake = true\n")
    settings.books_dir.mkdir(parents=True, exist_ok=True)
    (settings.books_dir / "main.beancount").write_text('option "title" "t"\n')
    mark = owner_argv(owner_mark(log_dir(settings)))
    specs = child_specs(settings, tmp_path, 1234, python="py", platform="darwin")
    # caffeinate carries no mark: it ends with the service itself, however that ends.
    [awake] = [s for s in specs if s.name == "caffeinate"]
    assert isinstance(awake, ChildSpec) and awake.argv[-2:] == ("-w", str(os.getpid()))
    specs = [s for s in specs if isinstance(s, ChildSpec) and s.name != "caffeinate"]
    assert [s.name for s in specs] == ["code-server", "ui-daemon", "fava"]
    for spec in specs:
        assert spec.argv[:3] == ("py", *mark), spec.name
    assert mark[1] == f"homeclerk_service={(tmp_path / 'data' / 'logs').resolve()}"
