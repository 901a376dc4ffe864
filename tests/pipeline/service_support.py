"""Stand-ins for `launchctl` and `systemctl` (Linux has no launchctl; tests never touch the real
systemd): shell scripts on PATH that record their argv and answer with canned output."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pipeline.settings import Settings, load_settings

# Each call appends one line (its argv) to $STANDIN_LOG; `<verb>.out` / `<verb>.rc` in
# $STANDIN_CANNED give its stdout and exit code (first argument that is not an option
# is the verb). `<verb>.rc.N` answers the Nth call of that verb instead.
STANDIN = """#!/bin/sh
echo "$*" >> "$STANDIN_LOG"
verb=""
for a in "$@"; do case "$a" in -*) ;; *) verb="$a"; break;; esac; done
count_file="$STANDIN_CANNED/.count.$verb"
n=$(( $(cat "$count_file" 2>/dev/null || echo 0) + 1 ))
echo "$n" > "$count_file"
[ -f "$STANDIN_CANNED/$verb.out" ] && cat "$STANDIN_CANNED/$verb.out"
[ -f "$STANDIN_CANNED/$verb.err" ] && cat "$STANDIN_CANNED/$verb.err" >&2
if [ -f "$STANDIN_CANNED/$verb.rc.$n" ]; then exit "$(cat "$STANDIN_CANNED/$verb.rc.$n")"; fi
[ -f "$STANDIN_CANNED/$verb.rc" ] && exit "$(cat "$STANDIN_CANNED/$verb.rc")"
exit 0
"""


class StandIn:
    """A recording `name` on PATH; `canned(verb, out=…, rc=…)` sets its answers."""

    def __init__(self, root: Path, name: str, monkeypatch: pytest.MonkeyPatch) -> None:
        self.bin = root / "bin"
        self.canned_dir = root / "canned"
        self.log = root / f"{name}.log"
        self.bin.mkdir(parents=True, exist_ok=True)
        self.canned_dir.mkdir(exist_ok=True)
        script = self.bin / name
        script.write_text(STANDIN)
        script.chmod(0o755)
        monkeypatch.setenv("PATH", f"{self.bin}{os.pathsep}{os.environ['PATH']}")
        monkeypatch.setenv("STANDIN_LOG", str(self.log))
        monkeypatch.setenv("STANDIN_CANNED", str(self.canned_dir))

    def canned(
        self, verb: str, out: str | None = None, rc: int | None = None, err: str | None = None
    ) -> None:
        if out is not None:
            (self.canned_dir / f"{verb}.out").write_text(out)
        if err is not None:
            (self.canned_dir / f"{verb}.err").write_text(err)
        if rc is not None:
            (self.canned_dir / f"{verb}.rc").write_text(str(rc))

    def canned_nth(self, verb: str, n: int, rc: int) -> None:
        (self.canned_dir / f"{verb}.rc.{n}").write_text(str(rc))

    def calls(self) -> list[str]:
        return self.log.read_text().splitlines() if self.log.exists() else []


def service_settings(tmp_path: Path) -> Settings:
    """Settings whose data, LaunchAgents and systemd folders are all under tmp_path."""
    config = tmp_path / "homeclerk.toml"
    config.write_text(
        '[paths]\ndata_dir = "data"\n'
        '[service]\nlabel = "io.homeclerk.test"\n'
        'launch_agents_dir = "agents"\nsystemd_user_dir = "units"\n'
    )
    return load_settings(config)


# A stand-in 1Password CLI: `op read --no-newline op://vault/item/field` prints the file
# <root>/items/vault/item/field; signed out (no <root>/signed-in and no
# OP_SERVICE_ACCOUNT_TOKEN) it fails the way `op` 2.x does. Each call appends its argv to
# <root>/calls (never the value).
OP_STANDIN = """#!/bin/sh
echo "$*" >> "$OP_STANDIN_ROOT/calls"
[ "$1" = read ] || { echo "[ERROR] unknown command \\"$1\\"" >&2; exit 1; }
if [ -z "$OP_SERVICE_ACCOUNT_TOKEN" ] && [ ! -f "$OP_STANDIN_ROOT/signed-in" ]; then
  printf '%s %s\\n' "[ERROR] 2026/01/01 00:00:00 You are not currently signed in." \\
    "Please run \\`op signin --help\\` for instructions" >&2
  exit 1
fi
ref="$3"
item="$OP_STANDIN_ROOT/items/${ref#op://}"
if [ ! -f "$item" ]; then
  echo "[ERROR] 2026/01/01 00:00:00 could not read secret '$ref': isn't an item" >&2
  exit 1
fi
cat "$item"
"""


class OpStandIn:
    """A stand-in `op` on PATH holding `items` {"vault/item/field": value}; signed in or not."""

    def __init__(self, root: Path, monkeypatch: pytest.MonkeyPatch, signed_in: bool = True) -> None:
        self.root = root / "op"
        (self.root / "bin").mkdir(parents=True, exist_ok=True)
        script = self.root / "bin" / "op"
        script.write_text(OP_STANDIN)
        script.chmod(0o755)
        monkeypatch.setenv("PATH", f"{self.root / 'bin'}{os.pathsep}{os.environ['PATH']}")
        monkeypatch.setenv("OP_STANDIN_ROOT", str(self.root))
        monkeypatch.delenv("OP_SERVICE_ACCOUNT_TOKEN", raising=False)
        self.sign_in(signed_in)

    def sign_in(self, signed_in: bool = True) -> None:
        marker = self.root / "signed-in"
        if signed_in:
            marker.touch()
        else:
            marker.unlink(missing_ok=True)

    def item(self, path: str, value: str) -> None:
        file = self.root / "items" / path
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(value)

    def calls(self) -> list[str]:
        log = self.root / "calls"
        return log.read_text().splitlines() if log.exists() else []
