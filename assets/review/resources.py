"""Where the weekly reviews are written."""

from pathlib import Path
from typing import Any

from dagster import ConfigurableResource

from assets.common.settings_reader import SharedSettings

# A review lists the week's payees and amounts: the owner's alone (its summary feed,
# feeds/review.json, has `[feeds] mode`).
PRIVATE_FILE_MODE = 0o600


class Reviews(ConfigurableResource):
    """The folder holding `2026-W47.md` and `2026-W47.html`, one pair per week."""

    folder: str
    file_mode: int = PRIVATE_FILE_MODE
    # Where Fava serves the books (`[service] fava_port` on this machine); None: no links.
    fava_url: str | None = None
    # Where the feed server serves the reviews (`[service] feeds_port`); None: not linked.
    served_url: str | None = None

    @property
    def path(self) -> Path:
        """The folder the reviews are written to."""
        return Path(self.folder)


def resources_from_settings(settings: SharedSettings) -> dict[str, Any]:
    """`reviews`: private, under the data folder (feeds/review.json has the feeds' mode), with
    Fava's address for the review's links."""
    service = getattr(settings, "service", None)  # [service]: the composed settings have it
    fava = f"http://127.0.0.1:{service.fava_port}" if service is not None else None
    served = f"http://127.0.0.1:{service.feeds_port}/reviews/" if service is not None else None
    return {
        "reviews": Reviews(
            folder=str(settings.data_dir / "reviews"), fava_url=fava, served_url=served
        )
    }
