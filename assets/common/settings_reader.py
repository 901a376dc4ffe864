"""The shared reader of `homeclerk.toml` that every domain's settings section is read with.

Each domain with settings declares a `Section` in its own `settings.py`: its frozen dataclass
and a function reading it from a `SettingsReader`, with its rules, messages and examples. The
program (`pipeline/settings.py`) finds the file, reads the shared keys, then reads each domain's
section in turn and rejects whatever no section read. Every mistake is a `SettingsError` naming
the file, the key and an example of a right value.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar

T = TypeVar("T")


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
class SharedPaths:
    """What a section may need from the shared keys while it is read (defaults under data)."""

    base_dir: Path
    data_dir: Path
    books_dir: Path
    timezone: str


class SharedSettings(Protocol):
    """The composed settings as a domain's `resources_from_settings` sees them.

    The shared keys as attributes; a domain's own section (or another's it builds on) through
    `section(name)`.
    """

    base_dir: Path
    config_file: Path | None
    env_file: Path | None
    data_dir: Path
    books_dir: Path
    timezone: str
    command: str  # how to run homeclerk on these settings, for the commands checks print

    def section(self, name: str) -> Any:
        """The value of the section called `name`."""


@dataclass(frozen=True)
class Section(Generic[T]):
    """A domain's part of the settings: `settings.<name>` is what `read` returns.

    `read(reader, shared)` reads every key of the section (each read is what makes a key known:
    a key no section reads is refused as unknown) and raises SettingsError on a bad value. The
    fields of the value are also reachable flat on the settings (`settings.chat_db`), so a field
    name belongs to one section only.
    """

    name: str
    read: Callable[[SettingsReader, SharedPaths], T]


class SettingsReader:
    """Typed access to the TOML table that remembers which keys were used."""

    def __init__(self, raw: Mapping[str, Any], source: str, base: Path) -> None:
        self.raw, self.source, self.base = raw, source, base
        self.used: set[str] = set()

    def get(self, dotted: str) -> Any:
        """The raw value at `table.key` (None when absent); marks the key as known."""
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

    def error(
        self, key: str, problem: str, example: str | None = None, hint: str = ""
    ) -> SettingsError:
        """A SettingsError against this file (for a section's own rules)."""
        return SettingsError(self.source, key, problem, example, hint)

    def string(self, key: str, default: str, example: str) -> str:
        """A non-empty string, stripped."""
        value = self.get(key)
        if value is None:
            return default
        if not isinstance(value, str) or not value.strip():
            raise SettingsError(self.source, key, f"is {value!r}, not a non-empty string", example)
        return value.strip()

    def number(self, key: str, default: float, example: str) -> float:
        """A positive finite number."""
        value = self.get(key)
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

    def count(self, key: str, default: int) -> int:
        """A whole number 0 or more."""
        value = self.get(key)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise SettingsError(
                self.source, key, f"is {value!r}, not a whole number 0 or more", str(default)
            )
        return value

    def file_mode(self, key: str, default: int) -> int:
        """An octal mode as a string ("0644"): the owner reads and writes, no one else writes."""
        value = self.get(key)
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
        """A TCP port, 1-65535."""
        value = self.get(key)
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
        """true or false."""
        value = self.get(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            raise SettingsError(self.source, key, f"is {value!r}, not true or false", "true")
        return value

    def choice(self, key: str, default: str, options: tuple[str, ...]) -> str:
        """One of `options` (the first is the example)."""
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
        """A path, `~` expanded, relative to the config file's folder."""
        text = self.string(key, default, example)
        path = Path(text).expanduser()
        return path if path.is_absolute() else (self.base / path)

    def string_list(self, key: str, default: list[str], example: str) -> list[str]:
        """A list of non-empty strings."""
        value = self.get(key)
        if value is None:
            return default
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise SettingsError(self.source, key, "must be a list of strings", example)
        return value

    def table_list(self, key: str, example: str) -> list[dict[str, Any]]:
        """An array of tables (`[[key]]` or an inline list); empty when absent."""
        value = self.get(key)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise SettingsError(
                self.source, key, f"must be an array of tables ([[{key}]])", example
            )
        return [dict(v) for v in value]

    def reject_unknown(self) -> None:
        """Refuse every key and section no read asked for, with a "did you mean"."""
        # A misspelt key silently ignored is a setting the owner thinks is in force.
        known_leaves = set(self.used)
        known_tables = {k.split(".")[0] for k in self.used}
        # The sections are the tables some key was read under (not top-level keys like timezone).
        sections = {k.split(".")[0] for k in self.used if "." in k}
        for key, value in self.raw.items():
            if isinstance(value, dict) and key in known_tables:
                self._reject_unknown_in(key, value, known_leaves)
            elif isinstance(value, dict):
                # A misspelt section: compare it with the sections, not with dotted keys.
                raise SettingsError(
                    self.source,
                    f"[{key}]",
                    "is not a known section",
                    hint=closest(key, sections, "[{}]"),
                )
            elif key not in known_leaves and key not in known_tables:
                top_level = {k for k in known_leaves if "." not in k}
                raise SettingsError(
                    self.source,
                    key,
                    "is not a known setting",
                    hint=closest(key, top_level | known_leaves),
                )

    def _reject_unknown_in(self, prefix: str, table: Mapping[str, Any], known: set[str]) -> None:
        """The keys of one known table, and of its known sub-tables (`[sources.android]`)."""
        for sub, value in table.items():
            dotted = f"{prefix}.{sub}"
            if dotted in known:
                continue
            if isinstance(value, dict) and any(k.startswith(dotted + ".") for k in known):
                self._reject_unknown_in(dotted, value, known)
                continue
            raise SettingsError(
                self.source, dotted, "is not a known setting", hint=closest(dotted, known)
            )


def closest(key: str, known: set[str], shape: str = "{}") -> str:
    """The nearest known name as "did you mean `…`?", else where every setting is listed."""
    match = difflib.get_close_matches(key, sorted(known), n=1)
    if match:
        return f"did you mean `{shape.format(match[0])}`?"
    return "see homeclerk.example.toml for every setting"
