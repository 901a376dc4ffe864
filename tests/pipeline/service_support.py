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
