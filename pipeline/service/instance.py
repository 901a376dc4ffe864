"""The Dagster instance folder: `$DAGSTER_HOME` inside the data folder, with our dagster.yaml."""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

from assets.common.atomic import write_text_atomic
from pipeline.permissions import secure_data_dir
from pipeline.settings import Settings


def render_dagster_yaml(dagster_home: Path) -> str:
    """homeclerk's `dagster.yaml` for the instance in `dagster_home`."""
    template = resources.files("pipeline").joinpath("templates/dagster.yaml").read_text("utf-8")
    return template.format(storage_dir=str(dagster_home / "storage"))


def prepare_instance(settings: Settings) -> Path:
    """Create DAGSTER_HOME with the project's dagster.yaml (rewritten only when it changed), in
    a data folder that is the owner's alone."""
    secure_data_dir(settings.data_dir, settings.feeds_dir, settings.feeds_mode)
    home = settings.dagster_home.resolve()
    home.mkdir(parents=True, exist_ok=True)
    wanted = render_dagster_yaml(home)
    target = home / "dagster.yaml"
    if not target.is_file() or target.read_text("utf-8") != wanted:
        write_text_atomic(target, wanted)
    return home


def use_instance(settings: Settings) -> Path:
    """Prepare the instance and point this process (and its children) at it."""
    home = prepare_instance(settings)
    os.environ["DAGSTER_HOME"] = str(home)
    return home
