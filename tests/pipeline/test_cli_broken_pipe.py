"""A command whose reader stopped reading (`homeclerk reconcile --json | head -3`) ends quietly
with the shell's SIGPIPE status, not a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def test_output_into_a_closed_pipe_is_no_traceback(tmp_path: Path) -> None:
    (tmp_path / "homeclerk.toml").write_text("")
    # Far more output than a pipe holds (64 KB), so the writer meets the closed pipe.
    lines = tmp_path / "alerts.jsonl"
    lines.write_text(
        "".join(
            json.dumps(
                {
                    "id": str(i),
                    "sender": "VM-HDFCBK",
                    "body": f"Rs.{i}.00 debited from "
                    "a/c XX1234 on 01-12-26 to VPA shop@ybl (UPI Ref No 612345678901)",
                }
            )
            + "\n"
            for i in range(1, 3001)
        )
    )
    script = (
        f"{sys.executable} -m pipeline.cli --config {tmp_path / 'homeclerk.toml'} "
        f"sms parse < {lines} | head -1; echo rc=${{PIPESTATUS[0]}} >&2"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    done = subprocess.run(
        ["bash", "-c", script], capture_output=True, text=True, timeout=120, env=env
    )
    assert done.stdout.startswith('{"id": "1"')
    assert "Traceback" not in done.stderr and "BrokenPipeError" not in done.stderr, done.stderr
    assert done.stderr.strip().splitlines()[-1] in ("rc=0", "rc=141")
