"""Rebuild a working folder from a snapshot: `<to>/data`, `<to>/ledger` and `<to>/homeclerk.toml`.

The restored `homeclerk.toml` is the snapshot's, with `[paths]` pointing at the restored data and
books folders (relative, so the folder can be moved), and every other relative path made absolute
against the original config's folder (chat.db is Apple's, not ours: it is never in a snapshot).
The verbatim original is kept beside it as `homeclerk.snapshot.toml`. `homeclerk --config
<to>/homeclerk.toml materialize …` then works on the restored data unchanged.

The instance's `dagster.yaml` names its storage folders by absolute path: every path inside the
original data folder is rewritten to the restored one before `restore` returns, or `doctor` on
the restored folder would read the original's runs and ticks. A running service's own files
(child PIDs, locks, logs; older snapshots carried them) are not restored.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assets.backup.snapshot import BackupError, is_runtime, read_manifest, verify_snapshot
from assets.common.atomic import write_text_atomic

# Settings that hold a path, besides [paths] (rewritten to the restored folders).
_PATH_KEYS = (
    ("messages", "chat_db"),
    ("broker", "csv_folder"),
    ("broker", "token_file"),
    ("service", "launch_agents_dir"),
    ("service", "systemd_user_dir"),
    ("service", "systemd_system_dir"),
)


@dataclass(frozen=True)
class RestoreResult:
    """Where a restore put the data folder, the books and the settings."""

    folder: Path
    data_dir: Path
    books_dir: Path
    config: Path
    files: int
    # Absolute paths the restored instance settings still name outside the restored folder.
    foreign_paths: tuple[str, ...] = ()


def restore_snapshot(snapshot: Path, to: Path) -> RestoreResult:
    """Verify `snapshot` against its manifest, then rebuild it into the empty folder `to`."""
    snapshot, to = Path(snapshot), Path(to)
    if not snapshot.is_dir():
        raise BackupError(f"{snapshot} is not a snapshot folder: give one from the backup folder")
    if to.exists() and (not to.is_dir() or any(to.iterdir())):
        raise BackupError(
            f"{to} is not empty: restore never overwrites; give a new or empty folder"
        )
    manifest = read_manifest(snapshot)
    problems = verify_snapshot(snapshot)
    if problems:
        shown = "; ".join(problems[:5]) + (
            f"; … {len(problems) - 5} more" if len(problems) > 5 else ""
        )
        raise BackupError(
            f"{snapshot} does not match its manifest, nothing restored: {shown}. Restore an "
            "older snapshot (or the off-box copy)"
        )
    to.mkdir(parents=True, exist_ok=True)
    # Absolute: the instance settings name the restored folder by absolute path.
    to = to.resolve()
    data_dir, books_dir = to / "data", to / "ledger"
    count = 0
    for entry in manifest["files"]:  # type: ignore[union-attr]
        rel = Path(str(entry["path"]))
        top, rest = rel.parts[0], Path(*rel.parts[1:])
        target = {"data": data_dir, "books": books_dir, "config": to, "secrets": to}.get(top)
        if target is None:
            continue
        if top == "config":
            rest = Path("homeclerk.snapshot.toml")
        if top == "data" and is_runtime(rest.as_posix()):
            continue  # the original service's PIDs, locks and logs mean nothing here
        dest = target / rest
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(snapshot / rel, dest)
        if top == "secrets":
            os.chmod(dest, 0o600)
        count += 1
    data_dir.mkdir(exist_ok=True)
    books_dir.mkdir(exist_ok=True)
    make_document_roots(books_dir)
    original = to / "homeclerk.snapshot.toml"
    raw = tomllib.loads(original.read_text("utf-8")) if original.is_file() else {}
    sources: dict[str, Any] = manifest.get("sources") or {}  # type: ignore[assignment]
    foreign = rehome_instance(data_dir / "dagster", old_data_dirs(sources), data_dir)
    config = to / "homeclerk.toml"
    write_text_atomic(config, restored_config(raw, sources), mode=0o644)
    return RestoreResult(to, data_dir, books_dir, config, count, tuple(foreign))


def old_data_dirs(sources: dict[str, Any]) -> list[str]:
    """Every spelling of the original data folder an instance file may hold, longest first.

    The instance writes it with symlinks resolved (`/private/var/…` for `/var/…` on macOS); the
    manifest records both spellings (older snapshots only the settings' one, resolved here too).
    """
    names = set()
    for key in ("data_dir", "data_dir_resolved"):
        value = sources.get(key)
        if isinstance(value, str) and Path(value).is_absolute():
            names |= {value.rstrip("/") or "/", str(Path(value).resolve())}
    return sorted(names, key=len, reverse=True)


def rehome_instance(home: Path, old_dirs: list[str], new_dir: Path) -> list[str]:
    """Rewrite the original data folder to `new_dir` in the instance's YAML files under `home`.

    Returns the absolute paths `dagster.yaml` still names outside `new_dir` (the owner's own
    additions, say), for the restore to report; the SQLite history is left as it was.
    """
    if not home.is_dir():
        return []
    # A whole path component only: `/a/data` is in `/a/data/dagster`, not in `/a/data2`.
    pattern = (
        re.compile("(" + "|".join(re.escape(d) for d in old_dirs) + r")(?=[/\s\"',]|$)", re.M)
        if old_dirs
        else None
    )
    for path in sorted(home.rglob("*.y*ml")):
        if not path.is_file() or pattern is None:
            continue
        text = path.read_text("utf-8")
        rewritten = pattern.sub(lambda _: str(new_dir), text)
        if rewritten != text:
            write_text_atomic(path, rewritten, mode=path.stat().st_mode & 0o777)
    settings_file = home / "dagster.yaml"
    if not settings_file.is_file():
        return []
    return [p for p in _absolute_paths(settings_file.read_text("utf-8")) if not _inside(p, new_dir)]


def _absolute_paths(text: str) -> list[str]:
    """Every value in the YAML `text` that is an absolute path."""
    import yaml

    found: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
        elif isinstance(node, str) and node.startswith("/"):
            found.append(node)

    walk(yaml.safe_load(text))
    return found


def _inside(path: str, folder: Path) -> bool:
    return Path(path).is_relative_to(folder)


def restored_config(raw: dict[str, Any], sources: dict[str, Any]) -> str:
    """The snapshot's settings with `[paths]` re-pointed and other relative paths absolute."""
    base = Path(str(sources["config_file"])).parent if sources.get("config_file") else None
    old_data = Path(str(sources.get("data_dir", "")))
    table = json.loads(json.dumps(raw))  # a deep copy of plain TOML data
    for section, key in _PATH_KEYS:
        value = table.get(section, {}).get(key)
        if not isinstance(value, str):
            continue
        if value.startswith("~"):
            continue  # the owner's home, the same after a restore
        path = Path(value)
        if not path.is_absolute() and base is not None:
            path = base / path
        if path.is_relative_to(old_data):
            # Inside the old data folder: it was restored into data/ with the rest.
            table[section][key] = (Path("data") / path.relative_to(old_data)).as_posix()
        else:
            table[section][key] = str(path)
    paths = table.setdefault("paths", {})
    paths["data_dir"], paths["books_dir"] = "data", "ledger"
    header = (
        "# Written by `homeclerk restore`; the snapshot's own file is homeclerk.snapshot.toml.\n"
    )
    return header + dump_toml(table)


# `option "documents" "documents"` in a books file: a folder Beancount requires to exist.
_DOCUMENTS_OPTION = re.compile(r'^option\s+"documents"\s+"([^"]+)"', re.MULTILINE)


def make_document_roots(books_dir: Path) -> list[Path]:
    """Create the documents folders the restored books name (a snapshot holds files, not empty
    folders, and Beancount reports a missing document root as an error in every load)."""
    made = []
    for book in sorted(books_dir.glob("*.beancount")):
        try:
            text = book.read_text("utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        for name in _DOCUMENTS_OPTION.findall(text):
            root = (book.parent / name).resolve()
            if root.is_relative_to(books_dir.resolve()) and not root.exists():
                root.mkdir(parents=True)
                made.append(root)
    return made


def dump_toml(table: dict[str, Any]) -> str:
    """TOML text for plain settings data (strings, numbers, booleans, lists, tables)."""
    lines: list[str] = []
    scalars = {k: v for k, v in table.items() if not isinstance(v, dict) and not _is_tables(v)}
    for key, value in scalars.items():
        lines.append(f"{_key(key)} = {_value(value)}")
    for key, value in table.items():
        if isinstance(value, dict):
            _dump_table(lines, [key], value)
        elif _is_tables(value):
            for item in value:
                lines += ["", f"[[{_key(key)}]]"]
                lines += [f"{_key(k)} = {_value(v)}" for k, v in item.items()]
    return "\n".join(lines).lstrip("\n") + "\n"


def _dump_table(lines: list[str], path: list[str], table: dict[str, Any]) -> None:
    lines += ["", f"[{'.'.join(_key(p) for p in path)}]"]
    for key, value in table.items():
        if not isinstance(value, dict) and not _is_tables(value):
            lines.append(f"{_key(key)} = {_value(value)}")
    for key, value in table.items():
        if isinstance(value, dict):
            _dump_table(lines, [*path, key], value)
        elif _is_tables(value):
            for item in value:
                lines += ["", f"[[{'.'.join(_key(p) for p in [*path, key])}]]"]
                lines += [f"{_key(k)} = {_value(v)}" for k, v in item.items()]


def _is_tables(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def _key(key: str) -> str:
    return key if key.replace("_", "").replace("-", "").isalnum() else json.dumps(key)


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"cannot write {type(value).__name__} as TOML")
