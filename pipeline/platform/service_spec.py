"""What the always-on service runs, shared by the launchd plist and the systemd unit.

Both run `<absolute homeclerk script> serve` with DAGSTER_HOME and HOMECLERK_CONFIG set, from the
folder of homeclerk.toml, logging under `<data_dir>/logs/`. Everything is absolute: launchd and
systemd expand neither `~` nor `$VAR`, and give a minimal PATH.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.settings import CONFIG_ENV, Settings

# launchd's own minimal PATH, after the virtualenv's bin (so `dagster`, `fava` resolve there).
SYSTEM_PATH = "/usr/bin:/bin:/usr/sbin:/sbin"
LAUNCHER_NAME = "homeclerk-launcher"


@dataclass(frozen=True)
class ServiceSpec:
    """What the always-on job runs: label, program and arguments, folder, environment, logs."""

    label: str
    program_arguments: tuple[str, ...]
    working_dir: Path
    environment: dict[str, str] = field(default_factory=dict)
    stdout_path: Path = Path("/dev/null")
    stderr_path: Path = Path("/dev/null")


def homeclerk_script(argv0: str | None = None) -> Path:
    """The absolute path of the `homeclerk` console script: the one running, else the one beside
    this Python (a virtualenv's bin)."""
    running = Path(argv0 if argv0 is not None else sys.argv[0])
    if running.name == "homeclerk" and running.is_file():
        return running.absolute()
    return Path(sys.executable).absolute().parent / "homeclerk"


def default_launcher(settings: Settings) -> Path:
    """Where `homeclerk launchd build-launcher` puts the launcher: `<data_dir>/bin/`."""
    return (settings.data_dir / "bin" / LAUNCHER_NAME).absolute()


def log_dir(settings: Settings) -> Path:
    """Where the service's own logs go (`<data_dir>/logs`)."""
    return (settings.data_dir / "logs").absolute()


def service_spec(
    settings: Settings, script: Path | None = None, launcher: Path | None = None
) -> ServiceSpec:
    """The service for these settings: `launcher serve` when a launcher is given (macOS, for Full
    Disk Access), else `homeclerk serve`."""
    script = (script or homeclerk_script()).absolute()
    program = launcher.absolute() if launcher else script
    env = {
        "DAGSTER_HOME": str(settings.dagster_home.absolute()),
        "PATH": f"{script.parent}:{SYSTEM_PATH}",
    }
    if settings.config_file:
        env[CONFIG_ENV] = str(settings.config_file.absolute())
    logs = log_dir(settings)
    return ServiceSpec(
        label=settings.service.label,
        program_arguments=(str(program), "serve"),
        working_dir=settings.base_dir.absolute(),
        environment=env,
        stdout_path=logs / "service.out.log",
        stderr_path=logs / "service.err.log",
    )
