"""Settings: `homeclerk.toml` for everything that is not secret, `.env` for what is.

The config is found at `$HOMECLERK_CONFIG`, else `./homeclerk.toml`; without either, every
default applies (a fresh machine needs no file). Relative paths are relative to the config
file's folder (or the current folder when there is no file). Every mistake is reported with the
file, the key and an example of a right value, because a daemon that silently falls back to a
default is how an empty feed starts to look like a frugal week.

This module holds what is the program's own (finding the file, the shared keys `timezone`,
`[paths]`, `[feeds]`, `[service]`, `.env` and secrets); each domain declares its own section in
`assets/<domain>/settings.py` (a `SECTION`), read here in the order of `DOMAIN_NAMES`
(`pipeline/domains.py`) with the shared reader (`assets/common/settings_reader.py`).
"""

from __future__ import annotations

import os
import re
import stat
import sys
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from functools import cache
from pathlib import Path
from typing import Any, TextIO
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from assets.common.atomic import DEFAULT_FEED_MODE
from assets.common.settings_reader import (
    Section,
    SettingsError,
    SettingsReader,
    SharedPaths,
)
from assets.common.timezone import DEFAULT_TIMEZONE, HasTimezone
from assets.sms.settings import DEFAULT_CHAT_DB
from assets.transactions.settings import DEFAULT_BANK_SENDERS
from pipeline.commands import installed_command, with_config
from pipeline.domains import domain_modules
from pipeline.secret_source import EXAMPLE as OP_EXAMPLE
from pipeline.secret_source import PROVIDERS, SecretsSettings, load_op_secrets, reference_problem

__all__ = [
    "BROKER_KEYS",
    "CONFIG_ENV",
    "CONFIG_NAME",
    "DEFAULT_BANK_SENDERS",
    "DEFAULT_CHAT_DB",
    "ENV_FILE_ENV",
    "SecretsSettings",
    "ServiceSettings",
    "Settings",
    "SettingsError",
    "accepted_keys",
    "exposed_secret_files",
    "find_config_file",
    "find_env_file",
    "load_env_file",
    "load_settings",
    "not_configured",
    "sections",
    "setting_fix",
    "settings_from_text",
    "warn_exposed_secrets",
]

CONFIG_ENV = "HOMECLERK_CONFIG"
ENV_FILE_ENV = "HOMECLERK_ENV_FILE"
CONFIG_NAME = "homeclerk.toml"

# A Host header value: a name or IPv4 address, or a bracketed IPv6 address, with an optional port.
_HOST_NAME = re.compile(
    r"^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?)(:\d{1,5})?$"
)


_ORIGIN = re.compile(
    r"^https?://(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?)(:\d{1,5})?$"
)


@dataclass(frozen=True)
class ServiceSettings:
    """`[service]`: what `homeclerk serve` listens on and keeps."""

    ui_port: int = 3000
    fava_port: int = 5000
    feeds_port: int = 5080
    # macOS only: `caffeinate -i` as a supervised child, so the Mac does not idle-sleep.
    keep_awake: bool = False
    # Extra Host names the UIs answer to (a `tailscale serve` name, a reverse proxy's name).
    allowed_hosts: tuple[str, ...] = ()
    # Runs older than this are deleted by the daily maintenance job.
    run_retention_days: int = 30
    # Web origins (a dashboard page elsewhere) the feed server allows to read it cross-site.
    cors_origins: tuple[str, ...] = ()
    # The service's launchd label, and where its plist / systemd user unit is written.
    label: str = "io.homeclerk.serve"
    launch_agents_dir: Path = field(
        default_factory=lambda: Path("~/Library/LaunchAgents").expanduser()
    )
    systemd_user_dir: Path = field(
        default_factory=lambda: Path("~/.config/systemd/user").expanduser()
    )
    # Where `homeclerk systemd install --system` writes the system unit (a Linux box without a
    # user manager: containers, many NAS and VPS).
    systemd_system_dir: Path = Path("/etc/systemd/system")


@dataclass(frozen=True)
class Settings(HasTimezone):
    """The shared settings as fields, and every domain's section.

    `settings.power` is the `power` section's value; a section's fields are also reachable
    flat (`settings.chat_db`, `settings.category_rules`), as they were before sections.
    """

    config_file: Path | None
    base_dir: Path
    timezone: str = DEFAULT_TIMEZONE
    data_dir: Path = Path("data")
    books_dir: Path = Path("ledger")
    env_file: Path | None = None
    # Feeds are read by a dashboard that often runs as another user (a container, a web
    # server): readable by all by default; "0600" keeps them to the owner.
    feeds_mode: int = DEFAULT_FEED_MODE
    service: ServiceSettings = field(default_factory=ServiceSettings)
    secrets: SecretsSettings = field(default_factory=SecretsSettings)
    # Section name -> its value, for every domain with a `settings.py`.
    sections: Mapping[str, Any] = field(default_factory=dict)

    @property
    def feeds_dir(self) -> Path:
        """Where the JSON feeds are written."""
        return self.data_dir / "feeds"

    @property
    def warehouse(self) -> Path:
        """The DuckDB warehouse file."""
        return self.data_dir / "warehouse.duckdb"

    @property
    def dagster_home(self) -> Path:
        """The Dagster instance folder."""
        return self.data_dir / "dagster"

    @property
    def command(self) -> str:
        """How to run homeclerk on these settings from any shell, for the commands checks
        print (a code server's argv is Dagster's, not homeclerk's: the script beside this
        Python)."""
        return with_config(installed_command(), self.config_file)

    def section(self, name: str) -> Any:
        """The value of the domain section called `name` (KeyError when there is none)."""
        return self.sections[name]

    def __getattr__(self, name: str) -> Any:
        # Only reached when `name` is not a field or property: a section, or a section's field.
        if name.startswith("__"):
            raise AttributeError(name)
        values = self.__dict__.get("sections") or {}
        if name in values:
            return values[name]
        for value in values.values():
            if name in {f.name for f in fields(value)}:
                return getattr(value, name)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")


@cache
def sections() -> tuple[Section[Any], ...]:
    """Every domain's `SECTION`, in the order of the domains.

    A section's name and each of its fields name one thing only: a clash with another section
    or with a shared field would make `settings.<name>` ambiguous, so it stops the program.
    """
    found: tuple[Section[Any], ...] = tuple(module.SECTION for module in domain_modules("settings"))
    taken = {f.name for f in fields(Settings)} | {"feeds_dir", "warehouse", "dagster_home"}
    for section in found:
        # The defaults' dataclass: reading an empty file gives it, and its fields are flat names.
        names = [section.name, *(f.name for f in fields(_default_value(section)))]
        clash = taken.intersection(names)
        if clash:
            raise RuntimeError(f"settings section {section.name!r} reuses {sorted(clash)}")
        taken.update(names)
    return found


def _default_value(section: Section[Any]) -> Any:
    base = Path(".")  # nothing is read from disk: a relative base needs no current folder
    return section.read(
        SettingsReader({}, "(defaults)", base),
        SharedPaths(base, base / "data", base / "ledger", DEFAULT_TIMEZONE),
    )


def accepted_keys() -> set[str]:
    """Every key the settings accept (`table.key`, or a top-level key), as the shared part and
    the sections read them: what `homeclerk.example.toml` must show, neither more nor less."""
    reader = SettingsReader({}, "(defaults)", Path("."))
    _read(reader)
    return set(reader.used)


def find_config_file(cwd: Path | None = None) -> Path | None:
    """`$HOMECLERK_CONFIG` wins (and must exist); else `homeclerk.toml` in the current folder."""
    explicit = os.environ.get(CONFIG_ENV)
    if explicit:
        path = Path(explicit).expanduser()
        if not path.is_file():
            raise SettingsError(
                f"${CONFIG_ENV}",
                CONFIG_ENV,
                f"points at {path}, which is not a file",
                f"export {CONFIG_ENV}=$HOME/homeclerk/homeclerk.toml",
            )
        return path.resolve()
    candidate = (cwd or Path.cwd()) / CONFIG_NAME
    return candidate.resolve() if candidate.is_file() else None


def load_settings(config_file: Path | None = None, cwd: Path | None = None) -> Settings:
    """Read and validate the settings; raise SettingsError on the first thing that is wrong."""
    path = config_file if config_file is not None else find_config_file(cwd)
    if path is None:
        base = (cwd or Path.cwd()).resolve()
        return _from_table({}, "(defaults)", base)
    path = Path(path).expanduser().resolve()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SettingsError(
            str(path), "(file)", "does not exist", "homeclerk.example.toml"
        ) from None
    except tomllib.TOMLDecodeError as exc:
        # tomllib's message carries "(at line L, column C)": that is the whole fix.
        raise SettingsError(str(path), "(syntax)", f"is not valid TOML: {exc}") from None
    settings = _from_table(raw, str(path), path.parent)
    return settings


def settings_from_text(text: str, path: Path) -> Settings:
    """The settings `text` would give as the file `path`: what a writer checks before it
    replaces the owner's file (raises SettingsError as `load_settings` would)."""
    path = Path(path).expanduser().resolve()
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(str(path), "(syntax)", f"is not valid TOML: {exc}") from None
    return _from_table(raw, str(path), path.parent)


def _from_table(raw: Mapping[str, Any], source: str, base: Path) -> Settings:
    reader = SettingsReader(raw, source, base)
    settings = _read(reader)
    reader.reject_unknown()
    return settings


def _read(reader: SettingsReader) -> Settings:
    """The shared keys, then each domain's section with the paths it may build on."""
    source, base = reader.source, reader.base
    timezone = reader.string("timezone", DEFAULT_TIMEZONE, example=f'"{DEFAULT_TIMEZONE}"')
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsError(
            source, "timezone", f"is {timezone!r}, not an IANA time zone", f'"{DEFAULT_TIMEZONE}"'
        ) from None

    data_dir = reader.path("paths.data_dir", "data", example='"~/homeclerk-data"')
    books_dir = reader.path("paths.books_dir", "ledger", example='"~/books"')
    feeds_mode = reader.file_mode("feeds.mode", DEFAULT_FEED_MODE)
    service = _service(reader)
    shared = SharedPaths(base_dir=base, data_dir=data_dir, books_dir=books_dir, timezone=timezone)
    values = {section.name: section.read(reader, shared) for section in sections()}
    return Settings(
        config_file=Path(source) if source != "(defaults)" else None,
        base_dir=base,
        timezone=timezone,
        data_dir=data_dir,
        books_dir=books_dir,
        env_file=find_env_file(base),
        feeds_mode=feeds_mode,
        service=service,
        secrets=_secrets(reader),
        sections=values,
    )


def _secrets(reader: SettingsReader) -> SecretsSettings:
    """`[secrets]`: provider "env" (the default: `.env` alone) or "op" (then 1Password)."""
    provider = reader.choice("secrets.provider", "env", PROVIDERS)
    op_path = reader.string("secrets.op_path", "op", '"/usr/local/bin/op"')
    refs: dict[str, str] = {}
    for index, entry in enumerate(reader.table_list("secrets.op", OP_EXAMPLE), start=1):
        name, reference = entry.get("name"), entry.get("reference")
        problem = (
            f"has unknown key(s) {sorted(set(entry) - {'name', 'reference'})}"
            if set(entry) - {"name", "reference"}
            else reference_problem(name, reference)
        )
        if problem is None and name in refs:
            problem = f"maps {name} a second time"
        if problem:
            raise SettingsError(reader.source, f"secrets.op[{index}]", problem, OP_EXAMPLE)
        refs[str(name)] = str(reference)
    if provider == "op" and not refs:
        raise SettingsError(
            reader.source,
            "secrets.provider",
            'is "op" but no [[secrets.op]] maps a name to a 1Password reference',
            OP_EXAMPLE,
        )
    return SecretsSettings(provider=provider, op_path=op_path, op_refs=refs)


def _service(reader: SettingsReader) -> ServiceSettings:
    retention = reader.number("service.run_retention_days", 30, example="30")
    if retention < 1 or retention != int(retention):
        raise SettingsError(
            reader.source,
            "service.run_retention_days",
            f"is {retention!r}: give a whole number of days, at least 1",
            "30",
        )
    hosts = reader.string_list("service.allowed_hosts", [], example='["homeserver.tailnet.ts.net"]')
    for index, host in enumerate(hosts):
        if not _HOST_NAME.match(host):
            raise SettingsError(
                reader.source,
                f"service.allowed_hosts[{index}]",
                f"is {host!r}: give a host name or address, optionally with :port, "
                "without scheme or path",
                '"homeserver.tailnet.ts.net"',
            )
    origins = reader.string_list("service.cors_origins", [], example='["http://dash.lan:8080"]')
    for index, origin in enumerate(origins):
        if not _ORIGIN.match(origin):
            raise SettingsError(
                reader.source,
                f"service.cors_origins[{index}]",
                f"is {origin!r}: give an origin, scheme://host with an optional :port and no "
                "path (what a browser sends as Origin)",
                '"http://dash.lan:8080"',
            )
    label = reader.string("service.label", "io.homeclerk.serve", '"io.homeclerk.serve"')
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", label):
        raise SettingsError(
            reader.source,
            "service.label",
            f"is {label!r}: letters, digits, . _ - only",
            '"io.homeclerk.serve"',
        )
    ports = {
        name: reader.port(f"service.{name}", default)
        for name, default in (("ui_port", 3000), ("fava_port", 5000), ("feeds_port", 5080))
    }
    _no_shared_port(reader, ports)
    return ServiceSettings(
        label=label,
        launch_agents_dir=reader.path(
            "service.launch_agents_dir", "~/Library/LaunchAgents", '"~/Library/LaunchAgents"'
        ),
        systemd_user_dir=reader.path(
            "service.systemd_user_dir", "~/.config/systemd/user", '"~/.config/systemd/user"'
        ),
        systemd_system_dir=reader.path(
            "service.systemd_system_dir", "/etc/systemd/system", '"/etc/systemd/system"'
        ),
        ui_port=ports["ui_port"],
        fava_port=ports["fava_port"],
        feeds_port=ports["feeds_port"],
        keep_awake=reader.boolean("service.keep_awake", False),
        allowed_hosts=tuple(h.lower() for h in hosts),
        run_retention_days=int(retention),
        cors_origins=tuple(o.lower() for o in origins),
    )


def _no_shared_port(reader: SettingsReader, ports: Mapping[str, int]) -> None:
    """Two servers of `serve` on one port: the second never starts (and is restarted forever)."""
    names = list(ports)
    for i, first in enumerate(names):
        for second in names[i + 1 :]:
            if ports[first] != ports[second]:
                continue
            # Name the one the owner set (both, when both were set: the first is reported).
            blamed, other = (first, second)
            if reader.get(f"service.{first}") is None:
                blamed, other = second, first
            free = next(p for p in range(ports[blamed] + 1, 65536) if p not in set(ports.values()))
            raise SettingsError(
                reader.source,
                f"service.{blamed}",
                f"is {ports[blamed]}, the same port as `service.{other}`: each server of "
                "`homeclerk serve` needs its own port",
                str(free),
            )


def find_env_file(base: Path) -> Path | None:
    """`$HOMECLERK_ENV_FILE`, else `.env` in the config's folder; None when there is none."""
    explicit = os.environ.get(ENV_FILE_ENV)
    if explicit:
        return Path(explicit).expanduser()
    candidate = base / ".env"
    return candidate if candidate.is_file() else None


def load_env_file(settings: Settings, out: TextIO | None = None) -> list[str]:
    """Put `.env` values into the process environment (never overriding what is set already),
    then, with `[secrets] provider = "op"`, the 1Password secrets `[[secrets.op]]` names that are
    still unset (the .env may hold OP_SERVICE_ACCOUNT_TOKEN for them).

    Returns the names loaded (never the values). Dagster's EnvVar reads them from there. A
    secret 1Password cannot give is one warning line on stderr (`out`) naming it and the fix;
    the others still load.
    """
    loaded = []
    path = settings.env_file
    if path is not None:
        if not path.is_file():
            raise SettingsError(
                f"${ENV_FILE_ENV}",
                ENV_FILE_ENV,
                f"points at {path}, which is not a file",
                "KITE_API_KEY=… in a file of mode 0600",
            )
        from dotenv import dotenv_values

        for name, value in dotenv_values(path).items():
            if value is not None and name not in os.environ:
                os.environ[name] = value
                loaded.append(name)
    from_op, problems = load_op_secrets(settings.secrets)
    for problem in problems:
        print(f"homeclerk: warning: {problem}", file=out or sys.stderr)
    return loaded + from_op


BROKER_KEYS = ("KITE_API_KEY", "KITE_API_SECRET")


def exposed_secret_files(settings: Settings) -> list[tuple[Path, int]]:
    """Secrets files (`.env`, the broker token) that exist and are readable by others, with mode."""
    exposed = []
    for path in (settings.env_file, settings.broker.token_file):
        try:
            mode = stat.S_IMODE(path.stat().st_mode) if path is not None else 0
        except OSError:
            continue
        if mode & 0o077:
            exposed.append((path, mode))
    return exposed


def warn_exposed_secrets(settings: Settings, out: TextIO | None = None) -> int:
    """Say on stderr, at every start, which secrets files others can read, with the fix."""
    exposed = exposed_secret_files(settings)
    for path, mode in exposed:
        print(
            f"homeclerk: warning: {path} holds secrets but has mode {mode:04o} (readable by "
            f"others): run `chmod 600 {path}`",
            file=out or sys.stderr,
        )
    return len(exposed)


def setting_fix(settings: Settings, dotted: str, value: str) -> str:
    """How to set `table.key` to `value` in the owner's file, in words whose TOML works pasted:
    a new `[table]` appended when the file has no such table (appending a second one is a
    syntax error), else the `key = value` line to put under the one it has."""
    table, _, key = dotted.partition(".")
    path = settings.config_file
    if path is None:
        where = settings.base_dir / CONFIG_NAME
        return f"create {where} with these lines:\n[{table}]\n{key} = {value}"
    try:
        has_table = table in tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        has_table = True  # say where the line goes rather than risk a second table
    if has_table:
        return f"in {path}, under [{table}], put (or change to) this line:\n{key} = {value}"
    return f"append these lines to {path}:\n[{table}]\n{key} = {value}"


def not_configured(settings: Settings) -> list[str]:
    """What this machine has not set up yet, one plain line each with its consequence and fix.

    For `homeclerk ui` to say at start, so a first run explains itself instead of failing
    later in a log nobody reads. Empty when everything is in place.
    """
    notes = []
    if settings.config_file is None:
        notes.append(
            f"no {CONFIG_NAME} in {settings.base_dir}: defaults in use (data in "
            f"{settings.data_dir}); copy homeclerk.example.toml there to change them"
        )
    # An Android inbox or the SMS webhook is an SMS source of its own: no chat.db is expected.
    other_source = settings.android_inbox is not None or settings.webhook_port is not None
    if not settings.chat_db.exists() and not other_source:
        notes.append(
            f"no chat.db at {settings.chat_db}: the bank SMS sensor skips until it is there "
            "(fix: set `[messages] chat_db` in homeclerk.toml)"
        )
    if settings.broker.adapter == "kite":
        present = set(os.environ)
        if settings.env_file is not None and settings.env_file.is_file():
            from dotenv import dotenv_values

            present |= {k for k, v in dotenv_values(settings.env_file).items() if v}
        if settings.secrets.provider == "op":
            present |= set(settings.secrets.op_refs)
        missing = [key for key in BROKER_KEYS if key not in present]
        if missing:
            where = settings.env_file or settings.base_dir / ".env"
            notes.append(
                f"{', '.join(missing)} not set (no {where}?): broker_holdings and portfolio_feed "
                "will fail until you add them there (mode 0600) and run `homeclerk broker "
                'login`, or set `adapter = "csv"` under [broker]'
            )
    elif not settings.broker.csv_folder.is_dir():
        notes.append(
            f"no broker CSV folder at {settings.broker.csv_folder}: broker_holdings will fail "
            "until a holdings CSV is there (or set `[broker] csv_folder`)"
        )
    return notes
