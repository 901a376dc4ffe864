"""The service's Fava child writes the generated skeleton the starter ledger includes."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

from tests.support import free_port, http_ok, wait_for

ROOT = Path(__file__).resolve().parents[2]


def test_fava_child_creates_the_generated_index_then_serves_without_errors(
    tmp_path: Path,
) -> None:
    # The supervisor no longer writes it (it stays without Beancount): Fava's process must.
    books = tmp_path / "books"
    books.mkdir()
    shutil.copy(ROOT / "ledger" / "main.beancount", books / "main.beancount")
    assert not (books / "generated").exists()
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "pipeline.fava_server", str(books / "main.beancount"),
         "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: proc.poll() is None and http_ok(base + "/"), 60, "Fava to answer")
        assert (books / "generated" / "index.beancount").is_file()
        with urllib.request.urlopen(base + "/", timeout=5) as response:
            slug = response.geturl().removeprefix(base + "/").split("/", 1)[0]
        with urllib.request.urlopen(f"{base}/{slug}/api/errors", timeout=5) as response:
            assert json.loads(response.read())["data"] == []
    finally:
        proc.terminate()
        proc.wait(timeout=10)
