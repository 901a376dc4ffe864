"""Commands homeclerk prints for the owner to paste: this homeclerk, with the same `--config`.

A fix text must work pasted into any shell as is (homeclerk may not be on PATH, the shell may
sit in another folder), so every printed command starts with the absolute path of the running
`homeclerk` (or this Python with `-m pipeline.cli`) and names the settings file it read.
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path


def own_command(argv0: str | None = None, python: str | None = None) -> str:
    """How to run this homeclerk again from any shell: the absolute path of the `homeclerk`
    script that is running, else this Python with `-m pipeline.cli` (homeclerk may not be on
    PATH, e.g. in a virtualenv that is not activated)."""
    script = Path(argv0 if argv0 is not None else sys.argv[0])
    if script.name == "homeclerk" and script.is_file():
        return shlex.quote(str(script.absolute()))
    return f"{shlex.quote(python or sys.executable)} -m pipeline.cli"


def installed_command() -> str:
    """The `homeclerk` script beside this Python, else `python -m pipeline.cli`: for processes
    whose own argv is another program's (a code server's is Dagster's)."""
    script = Path(sys.executable).parent / "homeclerk"
    if script.is_file():
        return shlex.quote(str(script))
    return f"{shlex.quote(sys.executable)} -m pipeline.cli"


def with_config(base: str, config_file: Path | None, *words: str) -> str:
    """`base`, then `--config` with the absolute settings file (when one was read), then
    `words`, each quoted for a POSIX shell."""
    command = base
    if config_file is not None:
        command += f" --config {shlex.quote(str(Path(config_file).expanduser().resolve()))}"
    if words:
        command += f" {shlex.join(words)}"
    return command


def command_for(config_file: Path | None, *words: str) -> str:
    """The running homeclerk on the settings in `config_file`, running `words`."""
    return with_config(own_command(), config_file, *words)
