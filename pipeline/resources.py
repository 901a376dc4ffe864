"""Resource wiring: settings in, the resources each domain's assets take out.

The shared ones (clock, warehouse, feeds) are built here; each domain builds its own from the
settings in its `resources.py` (`resources_from_settings`), found through `DOMAIN_NAMES`.
"""

from __future__ import annotations

from typing import Any

from assets.common.resources import Clock, Feeds, Warehouse
from pipeline.domains import domain_modules
from pipeline.settings import Settings


def build_resources(settings: Settings) -> dict[str, Any]:
    """Every resource the domains' assets take, keyed by the name they ask for."""
    resources: dict[str, Any] = {
        # The real time; a run pins it through run config (`homeclerk demo` does).
        "clock": Clock(),
        "warehouse": Warehouse(path=str(settings.warehouse)),
        "feeds": Feeds(
            folder=str(settings.feeds_dir),
            timezone=settings.timezone,
            file_mode=settings.feeds_mode,
        ),
    }
    for module in domain_modules("resources"):
        build = getattr(module, "resources_from_settings", None)
        if build is None:
            continue
        built = build(settings)
        clash = resources.keys() & built.keys()
        if clash:
            raise RuntimeError(f"{module.__name__} builds resources already built: {clash}")
        resources.update(built)
    return resources
