"""Where the weekly reviews are written."""

from pathlib import Path

from dagster import ConfigurableResource

from assets.common.atomic import DEFAULT_FEED_MODE


class Reviews(ConfigurableResource):
    """The folder holding `2026-W47.md` and `2026-W47.html`, one pair per week."""

    folder: str
    file_mode: int = DEFAULT_FEED_MODE

    @property
    def path(self) -> Path:
        """The folder the reviews are written to."""
        return Path(self.folder)
