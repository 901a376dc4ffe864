"""Dagster wrappers for notifications: the notify domain's own sensors (failed runs, stale
feeds, delivery and reminders). The other domains wire their incidents with
`assets.notify.sensors.incident_sensor`."""

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dagster import Definitions

from assets.notify.sensors import build_notify_sensors


def build_defs(resources: Mapping[str, Any]) -> Definitions:
    """The notify slice: its sensors, holding the `notifier` and the `clock`."""
    notifier = resources["notifier"]
    return Definitions(
        sensors=build_notify_sensors(
            notifier,
            resources["clock"].now,
            Path(resources["feeds"].folder),
            notifier.ui_url,
        )
    )
