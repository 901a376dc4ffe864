"""`homeclerk launchd …` and `homeclerk systemd …`: the always-on service's job."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path
from typing import Any

from pipeline.cli.common import (
    settings_for,
)


def add_parsers(sub: Any) -> None:
    """`homeclerk launchd …` and `homeclerk systemd …`: the always-on service's job."""
    launchd = sub.add_parser("launchd", help="the macOS LaunchAgent that runs `homeclerk serve`")
    verbs = launchd.add_subparsers(title="launchd commands")
    for name, text in (
        ("render", "print the plist (any OS)"),
        ("install", "write the plist, bootout, bootstrap, kickstart"),
    ):
        verb = verbs.add_parser(name, help=text)
        verb.add_argument(
            "--launcher", type=Path, help="program launchd starts (default: the built launcher)"
        )
        verb.set_defaults(handler=_launchd, verb=name)
    for name, text in (
        ("status", "is the job installed, loaded, running; its runs and last exit code"),
        ("uninstall", "bootout and remove the plist"),
    ):
        verbs.add_parser(name, help=text).set_defaults(handler=_launchd, verb=name)
    lint = verbs.add_parser("lint", help="check any launchd plist for the quiet failures")
    lint.add_argument("plists", nargs="+", type=Path)
    lint.set_defaults(handler=_launchd_lint)
    build = verbs.add_parser("build-launcher", help="compile the Full Disk Access launcher")
    build.add_argument("--out", type=Path, help="default: <data_dir>/bin/homeclerk-launcher")
    build.add_argument("--target", type=Path, help="default: this homeclerk script")
    build.set_defaults(handler=_launchd_build)

    systemd = sub.add_parser("systemd", help="the Linux user unit that runs `homeclerk serve`")
    verbs = systemd.add_subparsers(title="systemd commands")
    for name, text in (
        ("render", "print the unit (any OS)"),
        ("install", "write the unit, daemon-reload, enable --now"),
        ("status", "ActiveState, SubState, MainPID, restarts, last exit status"),
        ("uninstall", "disable --now and remove the unit"),
    ):
        verb = verbs.add_parser(name, help=text)
        verb.add_argument(
            "--system",
            action="store_true",
            help="the system unit in [service] systemd_system_dir (no user manager needed)",
        )
        if name in ("render", "install"):
            verb.add_argument(
                "--user",
                metavar="NAME",
                help="with --system: the user the service runs as (default: this user)",
            )
        verb.set_defaults(handler=_systemd, verb=name)


def _launchd(args: argparse.Namespace) -> int:
    from pipeline.platform import launchd
    from pipeline.platform.service_spec import default_launcher, service_spec

    settings = settings_for(args)
    try:
        if args.verb in ("render", "install"):
            spec = service_spec(settings, launcher=args.launcher or default_launcher(settings))
            if args.verb == "render":
                sys.stdout.write(launchd.plist_bytes(spec).decode("utf-8"))
                return 0
            done = launchd.install(spec, settings.service.launch_agents_dir, launchd.current_uid())
        elif args.verb == "status":
            job = launchd.status(
                settings.service.launch_agents_dir, settings.service.label, launchd.current_uid()
            )
            print("\n".join(job.lines()))
            return 0 if job.running else 1
        else:
            done = launchd.uninstall(
                settings.service.launch_agents_dir, settings.service.label, launchd.current_uid()
            )
    except launchd.LaunchdError as exc:
        print(f"homeclerk: {exc}", file=sys.stderr)
        return 1
    print("\n".join(done))
    return 0


def _launchd_lint(args: argparse.Namespace) -> int:
    from pipeline.platform.plist_lint import lint_plist

    bad = 0
    for path in args.plists:
        findings = lint_plist(path)
        bad += len(findings)
        if not findings:
            print(f"{path}: ok")
        for f in findings:
            print(f"{path}: {f.key}: {f.problem}\n    fix: {f.fix}")
    return 1 if bad else 0


def _launchd_build(args: argparse.Namespace) -> int:
    from pipeline.platform.launchd import LaunchdError, build_launcher
    from pipeline.platform.service_spec import default_launcher, homeclerk_script

    settings = settings_for(args)
    target = (args.target or homeclerk_script()).absolute()
    out = (args.out or default_launcher(settings)).absolute()
    try:
        build_launcher(target, out)
    except LaunchdError as exc:
        print(f"homeclerk: {exc}", file=sys.stderr)
        return 1
    print(f"built {out} → {target}")
    print("grant it Full Disk Access once (launchd/README.md), then `homeclerk launchd install`")
    return 0


def _systemd(args: argparse.Namespace) -> int:
    from pipeline.commands import command_for
    from pipeline.platform import systemd
    from pipeline.platform.service_spec import service_spec

    settings = settings_for(args)
    system = bool(getattr(args, "system", False))
    # Under sudo the owner is SUDO_USER, not root: the service should run as them.
    user = getattr(args, "user", None) or os.environ.get("SUDO_USER") or getpass.getuser()
    if getattr(args, "user", None) and not system:
        print(
            "homeclerk: --user NAME goes with --system (the user a system unit runs as)",
            file=sys.stderr,
        )
        return 2
    scope: systemd.Scope = "system" if system else "user"
    unit_dir = settings.service.systemd_system_dir if system else settings.service.systemd_user_dir
    try:
        if args.verb == "render":
            sys.stdout.write(systemd.render_unit(service_spec(settings), user if system else None))
            return 0
        if not system and args.verb in ("install", "status"):
            manager = systemd.user_manager()
            if manager.state != "user":
                forward = systemd.way_forward(
                    manager, lambda *w: command_for(settings.config_file, *w), user
                )
                print(f"homeclerk: {manager.detail}", file=sys.stderr)
                print(f"  {forward.note}", file=sys.stderr)
                if forward.command:
                    print(f"  fix: {forward.command}", file=sys.stderr)
                return 1
        if args.verb == "install":
            done = systemd.install(
                service_spec(settings), unit_dir, system_user=user if system else None
            )
        elif args.verb == "status":
            unit = systemd.status(unit_dir, scope=scope)
            print("\n".join(unit.lines()))
            return 0 if unit.running else 1
        else:
            done = systemd.uninstall(unit_dir, scope=scope)
    except systemd.SystemdError as exc:
        print(f"homeclerk: {exc}", file=sys.stderr)
        return 1
    except PermissionError as exc:
        words = ["systemd", args.verb, *(["--system"] if system else [])]
        words += ["--user", user] if system and args.verb == "install" else []
        print(
            f"homeclerk: {exc.filename or unit_dir}: permission denied; a system unit is "
            f"written as root: sudo {command_for(settings.config_file, *words)}",
            file=sys.stderr,
        )
        return 1
    print("\n".join(done))
    return 0
