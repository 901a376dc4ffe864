"""Dagster wrappers for notifications: the notify domain's run sensors (failed runs), and its
own incident source (stale feeds). The other domains list their incidents in their own
`notify_sources(resources)`; `pipeline.definitions` gathers them all into the one
`notify_incidents` sensor (`assets.notify.sensors.build_incidents_sensor`)."""

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dagster import Definitions

from assets.notify.feeds import stale_feed_problems
from assets.notify.sensors import IncidentSource, build_notify_sensors, incident_source


def build_defs(resources: Mapping[str, Any]) -> Definitions:
    """The notify slice: its run sensors, holding the `notifier` and the `clock`."""
    notifier = resources["notifier"]
    return Definitions(
        sensors=build_notify_sensors(notifier, resources["clock"].now, notifier.ui_url)
    )


def notify_sources(resources: Mapping[str, Any]) -> list[IncidentSource]:
    """A message when a feed goes stale (its `status` as of now is not ok), one when it is fresh
    again."""
    feeds_dir = Path(resources["feeds"].folder)
    return [
        incident_source(
            "stale_feeds", "feed:", lambda moment, context: stale_feed_problems(feeds_dir, moment)
        )
    ]
