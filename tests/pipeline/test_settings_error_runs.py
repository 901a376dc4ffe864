"""A run that failed because the settings are broken is not retried (its retry would fail too)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from dagster import DagsterRun, DagsterRunStatus
from dagster._core.storage.tags import WILL_RETRY_TAG

from pipeline.service.storage import NOT_RETRIED_TAG, note_settings_error
from tests.support import homeclerk_instance

ROOT = Path(__file__).resolve().parents[2]


def _failed_run_tags(home: Path) -> dict[str, str]:
    with homeclerk_instance(home) as instance:
        run = instance.add_run(DagsterRun(job_name="bank_sms_job", status=DagsterRunStatus.STARTED))
        instance.report_run_failed(run)
        stored = instance.get_run_by_id(run.run_id)
        assert stored is not None
        return dict(stored.tags)


def test_a_run_failed_on_the_settings_is_not_retried(tmp_path: Path) -> None:
    try:
        note_settings_error("timezone: 'Asia/Kolkatta' is not a time zone")
        tags = _failed_run_tags(tmp_path / "broken")
    finally:
        note_settings_error(None)
    assert tags[WILL_RETRY_TAG] == "false"
    assert "settings error" in tags[NOT_RETRIED_TAG]
    # Any other failure (a worker that died) keeps its one retry.
    other = _failed_run_tags(tmp_path / "fine")
    assert other[WILL_RETRY_TAG] == "true" and NOT_RETRIED_TAG not in other


def test_loading_the_definitions_with_broken_settings_marks_the_process(tmp_path: Path) -> None:
    config = tmp_path / "homeclerk.toml"
    config.write_text('timezone = "Asia/Kolkatta"\n')
    code = (
        "import pipeline.service.storage as s\n"
        "try:\n    import pipeline.definitions\nexcept Exception as e:\n"
        "    print(type(e).__name__, bool(s._SETTINGS_ERROR))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={"HOMECLERK_CONFIG": str(config), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.stdout.strip() == "HomeclerkConfigError True", out.stderr[-2000:]
