"""The domains homeclerk runs, in order: the one list a new domain is added to.

Each name is a folder under `assets/`: its `definitions.py` has `build_defs(resources)` (and,
when it has incidents to notify, `notify_sources(resources)`: the one `notify_incidents` sensor
looks at them all), its `settings.py` (when it has settings) a `SECTION`, its `resources.py`
(when it builds resources from the settings) a `resources_from_settings(settings)`. The program
finds each part from this list, so the settings (read without Dagster) and the definitions (with
it) share it.
"""

from __future__ import annotations

import importlib
import importlib.util
from types import ModuleType

DOMAIN_NAMES = (
    "sms",
    "transactions",
    "expenses",
    "portfolio",
    "books",
    "power",
    "review",
    "backup",
    "notify",
)


def domain_modules(part: str) -> tuple[ModuleType, ...]:
    """`assets.<domain>.<part>` of every domain that has one, in the order of DOMAIN_NAMES."""
    found = []
    for name in DOMAIN_NAMES:
        dotted = f"assets.{name}.{part}"
        if importlib.util.find_spec(dotted) is not None:
            found.append(importlib.import_module(dotted))
    return tuple(found)
