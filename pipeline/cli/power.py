"""`homeclerk power sample`: the power state now."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from pipeline.cli.common import (
    settings_for,
)


def add_parsers(sub: Any) -> None:
    """`homeclerk power …`."""
    power = sub.add_parser("power", help="power and battery").add_subparsers(title="power commands")
    power.add_parser("sample", help="the current power state as one JSON line").set_defaults(
        handler=_power_sample
    )


def _power_sample(args: argparse.Namespace) -> int:
    import json

    from assets.common.clock import now_utc
    from assets.power.readers import PowerReadError
    from assets.power.source import read_sample

    power = settings_for(args).power
    try:
        sample = read_sample(
            power.source,
            at=now_utc(),
            sysfs_root=power.sysfs_root,
            pmset_command=power.pmset_command,
        )
    except PowerReadError as exc:
        print(f"homeclerk: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(sample.to_json(), ensure_ascii=False))
    return 0
