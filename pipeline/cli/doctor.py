"""`homeclerk doctor`: the findings, as text or JSON."""

from __future__ import annotations

import argparse
from typing import Any

from pipeline.cli.common import (
    settings_for,
)


def add_parsers(sub: Any) -> None:
    """`homeclerk doctor`."""
    doctor = sub.add_parser("doctor", help="check every reason the pipeline could be quietly wrong")
    doctor.add_argument("--json", action="store_true", help="the findings as a JSON list")
    doctor.set_defaults(handler=_doctor)


def _doctor(args: argparse.Namespace) -> int:
    from pipeline.doctor import doctor_exit_code, render, render_json, run_checks

    findings = run_checks(settings_for(args))
    print(render_json(findings) if getattr(args, "json", False) else render(findings))
    return doctor_exit_code(findings)
