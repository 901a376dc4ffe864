"""Settings: `homeclerk.toml` for everything that is not secret, `.env` for what is.

The config is found at `$HOMECLERK_CONFIG`, else `./homeclerk.toml`; without either, every
default applies (a fresh machine needs no file). Relative paths are relative to the config
file's folder (or the current folder when there is no file). Every mistake is reported with the
file, the key and an example of a right value, because a daemon that silently falls back to a
default is how an empty feed starts to look like a frugal week.
"""

from __future__ import annotations

import math
import os
import re
import stat
import sys
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from assets.books.accounts import AccountMapping, parse_account_mapping
from assets.books.errors import ACCOUNT_MAPPING_EXAMPLE, InvalidAccountMappingError
from assets.common.atomic import DEFAULT_FEED_MODE
from assets.common.timezone import DEFAULT_TIMEZONE, HasTimezone
from assets.transactions.categories import CategoryConfigError, rules_from_config
from assets.transactions.parsing import (
    KNOWN_BANK_HEADERS,
    FormatConfigError,
    formats_from_config,
)
from assets.transactions.payees import OWNER_EXAMPLE as PAYEE_EXAMPLE
from assets.transactions.payees import PayeeConfigError, aliases_from_config

CONFIG_ENV = "HOMECLERK_CONFIG"
ENV_FILE_ENV = "HOMECLERK_ENV_FILE"
CONFIG_NAME = "homeclerk.toml"
DEFAULT_CHAT_DB = "~/Library/Messages/chat.db"

# Every sender header the parser routes: a bank it knows is read without configuration.
DEFAULT_BANK_SENDERS = tuple(sorted(KNOWN_BANK_HEADERS))

_DEFAULT_CHAT_DB_PATH = Path(DEFAULT_CHAT_DB).expanduser()
_HEADER = re.compile(r"^[A-Z0-9]{6}$")
# A Host header value: a name or IPv4 address, or a bracketed IPv6 address, with an optional port.
_HOST_NAME = re.compile(
    r"^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?)(:\d{1,5})?$"
)


class SettingsError(ValueError):
    """A setting is missing or malformed; the message names the file, the key and a fix.

    `example` is a right value; `hint` replaces it when an example would not help (a TOML
    syntax error, a misspelt name: "did you mean …").
    """

    def __init__(
        self, source: str, key: str, problem: str, example: str | None = None, hint: str = ""
    ) -> None:
        self.source, self.key, self.problem, self.example = source, key, problem, example
        tail = f". Example of a right value: {example}" if example is not None else ""
        tail += f"; {hint}" if hint else ""
        super().__init__(f"{source}: `{key}` {problem}{tail}")


@dataclass(frozen=True)
class BrokerSettings:
    """`[broker]`: the adapter, its URLs and files, the timeout, and when to trust an answer."""

    adapter: str = "kite"
    base_url: str = "https://api.kite.trade"
    login_url: str = "https://kite.zerodha.com/connect/login"
    csv_folder: Path = Path("broker-csv")
    token_file: Path = Path("secrets/kite-token.json")
    timeout_seconds: float = 10.0
    callback_port: int = 5010
    include_mutual_funds: bool = True
    # Set for one run when you really sold everything; otherwise an empty holdings list after
    # a non-empty one is treated as a broker glitch and not published.
    accept_empty_holdings: bool = False
    # Ledger value vs the broker's: prices move between the snapshot and the check.
    value_tolerance: float = 0.005


@dataclass(frozen=True)
class BackupSettings:
    """`[backup]`: where nightly snapshots go, how many are kept, the optional off-box copy."""

    dir: Path = Path("backups")
    keep_daily: int = 7
    keep_weekly: int = 4
    keep_monthly: int = 12
    remote: str = ""  # an rsync destination (or restic repository); empty: no off-box copy
    remote_tool: str = "rsync"
    include_secrets: bool = False  # `.env` and the broker token stay out unless true


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
    # The service's launchd label, and where its plist / systemd user unit is written.
    label: str = "io.homeclerk.serve"
    launch_agents_dir: Path = field(
        default_factory=lambda: Path("~/Library/LaunchAgents").expanduser()
    )
    systemd_user_dir: Path = field(
        default_factory=lambda: Path("~/.config/systemd/user").expanduser()
    )


@dataclass(frozen=True)
class PowerSettings:
    """`[power]`: where power samples come from and when its checks warn."""

    source: str = "auto"  # auto | pmset | sysfs | upower | none
    sysfs_root: Path = Path("/sys/class/power_supply")
    pmset_command: tuple[str, ...] = ("pmset", "-g", "batt")
    low_charge_percent: float = 20.0
    min_max_capacity_percent: float = 80.0


@dataclass(frozen=True)
class Settings(HasTimezone):
    """Everything homeclerk.toml says (and its defaults), checked; secrets stay in .env."""

    config_file: Path | None
    base_dir: Path
    timezone: str = DEFAULT_TIMEZONE
    data_dir: Path = Path("data")
    books_dir: Path = Path("ledger")
    chat_db: Path = _DEFAULT_CHAT_DB_PATH
    bank_senders: tuple[str, ...] = DEFAULT_BANK_SENDERS
    category_rules: tuple[Mapping[str, Any], ...] = ()
    sms_formats: tuple[Mapping[str, Any], ...] = ()
    # [sms] max_plausible_amount: above it an amount waits for `sms confirm`; None: learned.
    max_plausible_amount: float | None = None
    # [[payees]]: the owner's readable payees ({name, match}), tried before the shipped table.
    payees: tuple[Mapping[str, Any], ...] = ()
    # [books] account_mapping, validated by the books' own rules when the file is read.
    accounts: AccountMapping = field(default_factory=lambda: AccountMapping(()))
    broker: BrokerSettings = field(default_factory=BrokerSettings)
    env_file: Path | None = None
    # Feeds are read by a dashboard that often runs as another user (a container, a web
    # server): readable by all by default; "0600" keeps them to the owner.
    feeds_mode: int = DEFAULT_FEED_MODE
    service: ServiceSettings = field(default_factory=ServiceSettings)
    backup: BackupSettings = field(default_factory=BackupSettings)
    power: PowerSettings = field(default_factory=PowerSettings)

    @property
    def feeds_dir(self) -> Path:
        """`<data_dir>/feeds`: the JSON feeds."""
        return self.data_dir / "feeds"

    @property
    def warehouse(self) -> Path:
        """`<data_dir>/warehouse.duckdb`."""
        return self.data_dir / "warehouse.duckdb"

    @property
    def dagster_home(self) -> Path:
        """`<data_dir>/dagster`: the Dagster instance."""
        return self.data_dir / "dagster"


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


def _from_table(raw: Mapping[str, Any], source: str, base: Path) -> Settings:
    reader = _Reader(raw, source, base)
    timezone = reader.string("timezone", DEFAULT_TIMEZONE, example=f'"{DEFAULT_TIMEZONE}"')
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsError(
            source, "timezone", f"is {timezone!r}, not an IANA time zone", f'"{DEFAULT_TIMEZONE}"'
        ) from None

    data_dir = reader.path("paths.data_dir", "data", example='"~/homeclerk-data"')
    books_dir = reader.path("paths.books_dir", "ledger", example='"~/books"')
    chat_db = reader.path("messages.chat_db", DEFAULT_CHAT_DB, example=f'"{DEFAULT_CHAT_DB}"')
    senders = reader.string_list(
        "messages.bank_senders", list(DEFAULT_BANK_SENDERS), example='["HDFCBK", "ICICIB"]'
    )
    for index, header in enumerate(senders):
        if not _HEADER.match(header.upper()):
            raise SettingsError(
                source,
                f"messages.bank_senders[{index}]",
                f"is {header!r}: give the six-letter DLT header, without the VM-/AD- prefix "
                "or -S suffix",
                '"HDFCBK" (for VM-HDFCBK, AD-HDFCBK-S, …)',
            )
    rules = reader.table_list(
        "categories.rules", example='{ pattern = "swiggy", category = "Food:Delivery" }'
    )
    _validate_with(source, "categories.rules", lambda: rules_from_config(rules))
    formats = reader.table_list("sms.formats", example='{ sender = "XYZBNK", pattern = "…" }')
    max_amount = reader.number("sms.max_plausible_amount", 0.0, example="5000000") or None
    _validate_with(source, "sms.formats", lambda: formats_from_config(formats))
    payees = reader.table_list("payees", example=PAYEE_EXAMPLE)
    try:
        aliases_from_config(payees)
    except PayeeConfigError as exc:
        problem = str(exc).partition(": ")[2].partition(". Example: ")[0]
        raise SettingsError(
            source, f"payees[{exc.index}]", f"has a problem: {problem}", PAYEE_EXAMPLE
        ) from None
    accounts = _account_mapping(
        source,
        reader.table_list("books.account_mapping", example=f"[{ACCOUNT_MAPPING_EXAMPLE}]"),
        reader.table_list("books.accounts", example=ACCOUNT_MAPPING_EXAMPLE),
    )
    value_tolerance = reader.number("books.broker_value_tolerance", 0.005, example="0.005")
    broker = BrokerSettings(
        adapter=reader.choice("broker.adapter", "kite", ("kite", "csv")),
        base_url=reader.string(
            "broker.base_url", BrokerSettings.base_url, '"https://api.kite.trade"'
        ),
        login_url=reader.string(
            "broker.login_url", BrokerSettings.login_url, '"https://kite.zerodha.com/connect/login"'
        ),
        csv_folder=reader.path(
            "broker.csv_folder", str(data_dir / "broker-csv"), example='"~/Downloads/holdings"'
        ),
        token_file=reader.path(
            "broker.token_file",
            str(data_dir / "secrets" / "kite-token.json"),
            example='"~/.config/homeclerk/kite-token.json"',
        ),
        timeout_seconds=reader.number("broker.timeout_seconds", 10.0, example="10"),
        callback_port=reader.port("broker.callback_port", 5010),
        include_mutual_funds=reader.boolean("broker.include_mutual_funds", True),
        accept_empty_holdings=reader.boolean("broker.accept_empty_holdings", False),
        value_tolerance=value_tolerance,
    )
    feeds_mode = reader.file_mode("feeds.mode", DEFAULT_FEED_MODE)
    service = _service(reader)
    backup = _backup_settings(reader)
    power = PowerSettings(
        source=reader.choice("power.source", "auto", ("auto", "pmset", "sysfs", "upower", "none")),
        sysfs_root=reader.path(
            "power.sysfs_root", "/sys/class/power_supply", '"/sys/class/power_supply"'
        ),
        pmset_command=tuple(
            reader.string_list(
                "power.pmset_command", ["pmset", "-g", "batt"], '["pmset", "-g", "batt"]'
            )
        ),
        low_charge_percent=reader.number("power.low_charge_percent", 20.0, example="20"),
        min_max_capacity_percent=reader.number(
            "power.min_max_capacity_percent", 80.0, example="80"
        ),
    )
    reader.reject_unknown()
    return Settings(
        config_file=Path(source) if source != "(defaults)" else None,
        base_dir=base,
        timezone=timezone,
        data_dir=data_dir,
        books_dir=books_dir,
        chat_db=chat_db,
        bank_senders=tuple(s.upper() for s in senders),
        category_rules=tuple(rules),
        sms_formats=tuple(formats),
        max_plausible_amount=max_amount,
        payees=tuple(payees),
        accounts=accounts,
        broker=broker,
        env_file=find_env_file(base),
        feeds_mode=feeds_mode,
        service=service,
        backup=backup,
        power=power,
    )


def _backup_settings(reader: _Reader) -> BackupSettings:
    def count(key: str, default: int) -> int:
        value = reader._get(key)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise SettingsError(
                reader.source, key, f"is {value!r}, not a whole number 0 or more", str(default)
            )
        return value

    remote = reader._get("backup.remote")
    if remote is not None and not isinstance(remote, str):
        raise SettingsError(
            reader.source,
            "backup.remote",
            f"is {remote!r}, not a string",
            '"nas:/backups/homeclerk"',
        )
    return BackupSettings(
        dir=reader.path("backup.dir", "backups", example='"~/homeclerk-backups"'),
        keep_daily=count("backup.keep_daily", 7),
        keep_weekly=count("backup.keep_weekly", 4),
        keep_monthly=count("backup.keep_monthly", 12),
        remote=(remote or "").strip(),
        remote_tool=reader.choice("backup.remote_tool", "rsync", ("rsync", "restic")),
        include_secrets=reader.boolean("backup.include_secrets", False),
    )


def _service(reader: _Reader) -> ServiceSettings:
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
        ui_port=ports["ui_port"],
        fava_port=ports["fava_port"],
        feeds_port=ports["feeds_port"],
        keep_awake=reader.boolean("service.keep_awake", False),
        allowed_hosts=tuple(h.lower() for h in hosts),
        run_retention_days=int(retention),
    )


def _no_shared_port(reader: _Reader, ports: Mapping[str, int]) -> None:
    """Two servers of `serve` on one port: the second never starts (and is restarted forever)."""
    names = list(ports)
    for i, first in enumerate(names):
        for second in names[i + 1 :]:
            if ports[first] != ports[second]:
                continue
            # Name the one the owner set (both, when both were set: the first is reported).
            blamed, other = (first, second)
            if reader._get(f"service.{first}") is None:
                blamed, other = second, first
            free = next(p for p in range(ports[blamed] + 1, 65536) if p not in set(ports.values()))
            raise SettingsError(
                reader.source,
                f"service.{blamed}",
                f"is {ports[blamed]}, the same port as `service.{other}`: each server of "
                "`homeclerk serve` needs its own port",
                str(free),
            )


def _validate_with(source: str, key: str, build: Callable[[], object]) -> None:
    """The domain's own validation, reported against this file (it names entry and example)."""
    try:
        build()
    except (CategoryConfigError, FormatConfigError) as exc:
        text = str(exc)
        problem, _, example = text.partition(". Example: ")
        raise SettingsError(source, key, f"has a problem: {problem}", example or text) from None


def _account_mapping(
    source: str, mapping: list[dict[str, Any]], accounts: list[dict[str, Any]]
) -> AccountMapping:
    """The books' validation of `[books] account_mapping` and `[[books.accounts]]`, reported
    against this file and the entry's own key. Both hold the same entries: `[[books.accounts]]`
    (one table each) is what homeclerk's fixes print, because it appends to any file (an
    inline array cannot be extended by appending)."""
    try:
        return parse_account_mapping([*mapping, *accounts])
    except InvalidAccountMappingError as exc:
        if exc.index < len(mapping):
            key = f"books.account_mapping[{exc.index}]"
        else:
            key = f"books.accounts[{exc.index - len(mapping)}]"
        if exc.field is None:
            raise SettingsError(source, key, f"has a problem: {exc.why}", exc.example) from None
        value = exc.entry.get(exc.field) if isinstance(exc.entry, Mapping) else None
        raise SettingsError(
            source, f"{key}.{exc.field}", f"is {value!r}: {exc.why}", exc.example
        ) from None


def find_env_file(base: Path) -> Path | None:
    """`$HOMECLERK_ENV_FILE` when set, else `.env` beside the settings when there is one."""
    explicit = os.environ.get(ENV_FILE_ENV)
    if explicit:
        return Path(explicit).expanduser()
    candidate = base / ".env"
    return candidate if candidate.is_file() else None


def load_env_file(settings: Settings) -> list[str]:
    """Put `.env` values into the process environment (never overriding what is set already).

    Returns the names loaded (never the values). Dagster's EnvVar reads them from there.
    """
    path = settings.env_file
    if path is None:
        return []
    if not path.is_file():
        raise SettingsError(
            f"${ENV_FILE_ENV}",
            ENV_FILE_ENV,
            f"points at {path}, which is not a file",
            "KITE_API_KEY=… in a file of mode 0600",
        )
    from dotenv import dotenv_values

    loaded = []
    for name, value in dotenv_values(path).items():
        if value is not None and name not in os.environ:
            os.environ[name] = value
            loaded.append(name)
    return loaded


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
    if not settings.chat_db.exists():
        notes.append(
            f"no chat.db at {settings.chat_db}: the bank SMS sensor skips until it is there "
            "(fix: set `[messages] chat_db` in homeclerk.toml)"
        )
    if settings.broker.adapter == "kite":
        present = set(os.environ)
        if settings.env_file is not None and settings.env_file.is_file():
            from dotenv import dotenv_values

            present |= {k for k, v in dotenv_values(settings.env_file).items() if v}
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


class _Reader:
    """Typed access to the TOML table that remembers which keys were used."""

    _KNOWN_TABLES = (
        "paths",
        "messages",
        "categories",
        "sms",
        "broker",
        "books",
        "feeds",
        "service",
        "backup",
        "power",
    )

    def __init__(self, raw: Mapping[str, Any], source: str, base: Path) -> None:
        self.raw, self.source, self.base = raw, source, base
        self.used: set[str] = set()

    def _get(self, dotted: str) -> Any:
        self.used.add(dotted)
        node: Any = self.raw
        parts = dotted.split(".")
        for i, part in enumerate(parts):
            if not isinstance(node, Mapping):
                raise SettingsError(
                    self.source, ".".join(parts[:i]), "must be a table", f"[{parts[0]}]"
                )
            if part not in node:
                return None
            node = node[part]
        return node

    def string(self, key: str, default: str, example: str) -> str:
        value = self._get(key)
        if value is None:
            return default
        if not isinstance(value, str) or not value.strip():
            raise SettingsError(self.source, key, f"is {value!r}, not a non-empty string", example)
        return value.strip()

    def number(self, key: str, default: float, example: str) -> float:
        value = self._get(key)
        if value is None:
            return default
        # TOML allows inf and nan, which pass `> 0` or every comparison: neither is a setting.
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
            or value <= 0
        ):
            raise SettingsError(
                self.source, key, f"is {value!r}, not a positive finite number", example
            )
        return float(value)

    def file_mode(self, key: str, default: int) -> int:
        """An octal mode as a string ("0644"): the owner reads and writes, no one else writes."""
        value = self._get(key)
        if value is None:
            return default
        example = f'"{default:04o}" (or "0600" to keep them to your user)'
        if not isinstance(value, str) or not re.fullmatch(r"0?[0-7]{3}", value.strip()):
            raise SettingsError(
                self.source, key, f"is {value!r}, not an octal file mode in quotes", example
            )
        mode = int(value.strip(), 8)
        if mode & 0o600 != 0o600 or mode & 0o022:
            raise SettingsError(
                self.source,
                key,
                f"is {value!r}: the owner must be able to read and write, and no one else to write",
                example,
            )
        return mode

    def port(self, key: str, default: int) -> int:
        value = self._get(key)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 65535:
            raise SettingsError(
                self.source,
                key,
                f"is {value!r}, not a TCP port (a whole number 1-65535)",
                str(default),
            )
        return value

    def boolean(self, key: str, default: bool) -> bool:
        value = self._get(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            raise SettingsError(self.source, key, f"is {value!r}, not true or false", "true")
        return value

    def choice(self, key: str, default: str, options: tuple[str, ...]) -> str:
        value = self.string(key, default, example=f'"{options[0]}"')
        if value not in options:
            raise SettingsError(
                self.source,
                key,
                f"is {value!r}, not one of {', '.join(options)}",
                f'"{options[0]}"',
            )
        return value

    def path(self, key: str, default: str, example: str) -> Path:
        text = self.string(key, default, example)
        path = Path(text).expanduser()
        return path if path.is_absolute() else (self.base / path)

    def string_list(self, key: str, default: list[str], example: str) -> list[str]:
        value = self._get(key)
        if value is None:
            return default
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise SettingsError(self.source, key, "must be a list of strings", example)
        return value

    def table_list(self, key: str, example: str) -> list[dict[str, Any]]:
        value = self._get(key)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise SettingsError(
                self.source, key, f"must be an array of tables ([[{key}]])", example
            )
        return [dict(v) for v in value]

    def reject_unknown(self) -> None:
        # A misspelt key silently ignored is a setting the owner thinks is in force.
        known_leaves = {k for k in self.used}
        known_tables = {k.split(".")[0] for k in self.used}
        for key, value in self.raw.items():
            if isinstance(value, dict) and key in known_tables:
                for sub in value:
                    dotted = f"{key}.{sub}"
                    if dotted not in known_leaves:
                        raise SettingsError(
                            self.source,
                            dotted,
                            "is not a known setting",
                            hint=_closest(dotted, known_leaves),
                        )
            elif isinstance(value, dict):
                # A misspelt section: compare it with the sections, not with dotted keys.
                raise SettingsError(
                    self.source,
                    f"[{key}]",
                    "is not a known section",
                    hint=_closest(key, set(self._KNOWN_TABLES), "[{}]"),
                )
            elif key not in known_leaves and key not in known_tables:
                top_level = {k for k in known_leaves if "." not in k}
                raise SettingsError(
                    self.source,
                    key,
                    "is not a known setting",
                    hint=_closest(key, top_level | known_leaves),
                )


def _closest(key: str, known: set[str], shape: str = "{}") -> str:
    import difflib

    match = difflib.get_close_matches(key, sorted(known), n=1)
    if match:
        return f"did you mean `{shape.format(match[0])}`?"
    return "see homeclerk.example.toml for every setting"
