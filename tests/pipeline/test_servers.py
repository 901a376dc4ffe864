"""`homeclerk ui` and `homeclerk fava`: one per instance, stopped whole by SIGTERM, clear on a busy
port. Real processes on 127.0.0.1, real signals; every wait polls with a deadline."""

from __future__ import annotations

import contextlib
import datetime as dt
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from pipeline.demo.build import MARKER, write_chat_db, write_demo_config
from pipeline.demo.messages import generate_demo_messages

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_free(port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def poll(predicate: Callable[[], object], timeout: float, what: str) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"not within {timeout} s: {what}")


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def tree(pid: int) -> set[int]:
    """The process and every descendant, from /proc/<pid>/task/*/children."""
    found, todo = {pid}, [pid]
    while todo:
        for task in Path(f"/proc/{todo.pop()}/task").glob("*"):
            try:
                children = (task / "children").read_text().split()
            except OSError:
                continue
            for child in map(int, children):
                if child not in found:
                    found.add(child)
                    todo.append(child)
    return found


def gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return True
    return state == "Z"  # a zombie runs nothing and holds no port


def env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("HOMECLERK_", "DAGSTER_"))}


def homeclerk(*args: str, cwd: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "pipeline.cli", *args],
        cwd=cwd,
        env=env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.fixture
def folder(tmp_path: Path) -> Iterator[Path]:
    """A demo-like folder: chat.db, homeclerk.toml and the starter books."""
    messages = generate_demo_messages(dt.date(2026, 11, 19), seed=5, days=2)
    write_chat_db(tmp_path / "chat.db", messages, 5)
    write_demo_config(tmp_path, "http://127.0.0.1:9/none")
    (tmp_path / "ledger").mkdir()
    shutil.copy(ROOT / "ledger" / "main.beancount", tmp_path / "ledger" / "main.beancount")
    yield tmp_path


@pytest.fixture
def started() -> Iterator[list[subprocess.Popen]]:
    procs: list[subprocess.Popen] = []
    yield procs
    for proc in procs:  # a failed test must not leave servers behind
        pids = tree(proc.pid)
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        proc.communicate()


def _send(port: int, path: str, headers: dict[str, str]) -> tuple[int, bytes]:
    """GET `path` from 127.0.0.1:`port` with these headers (Host: the loopback name unless set)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("GET", path, headers={"Host": f"127.0.0.1:{port}", **headers})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def stop_and_check_tree(proc: subprocess.Popen, port: int) -> str:
    pids = tree(proc.pid)
    proc.send_signal(signal.SIGTERM)
    t0 = time.monotonic()
    poll(lambda: all(gone(p) for p in pids), 30, f"every process of {sorted(pids)} exits")
    proc.wait(timeout=5)
    poll(lambda: port_free(port), 30 - (time.monotonic() - t0), f"port {port} is free")
    return proc.stderr.read()


def test_ui_is_one_per_instance_and_sigterm_stops_its_whole_tree(
    folder: Path, started: list[subprocess.Popen]
) -> None:
    port = free_port()
    config = str(folder / "homeclerk.toml")
    first = homeclerk("--config", config, "ui", "--port", str(port), cwd=folder)
    started.append(first)
    poll(lambda: answers(f"http://127.0.0.1:{port}/server_info"), 240, "the UI answers")
    pids = tree(first.pid)
    assert len(pids) >= 3  # homeclerk, the UI+daemon, and its code server

    # A page the owner visits while `ui` runs cannot launch runs: a GraphQL mutation sent as a
    # GET (no preflight) from a foreign Origin is refused; from the UI's own origin it runs.
    mutation = 'mutation { terminateRun(runId: "no-such-run") { __typename } }'
    as_get = "/graphql?" + urllib.parse.urlencode({"query": mutation})
    status, body = _send(port, as_get, {"Origin": "http://evil.example.com"})
    assert status == 403 and body.startswith(b"Forbidden: a request that can change something")
    status, body = _send(port, as_get, {"Origin": f"http://127.0.0.1:{port}"})
    assert status == 200 and json.loads(body)["data"]["terminateRun"]["__typename"]
    assert _send(port, "/server_info", {"Host": "evil.example.com"})[0] == 421  # DNS rebinding

    second = homeclerk("--config", config, "ui", "--port", str(free_port()), cwd=folder)
    started.append(second)
    _, err = second.communicate(timeout=60)
    assert second.returncode == 2
    assert f"homeclerk: already running (pid {first.pid}, port {port})" in err

    # The UI and its daemon stop before their code server: no sensor tick fails on the way out.
    assert "Traceback" not in stop_and_check_tree(first, port)


def test_fava_is_one_per_books_and_sigterm_stops_it(
    folder: Path, started: list[subprocess.Popen]
) -> None:
    port = free_port()
    config = str(folder / "homeclerk.toml")
    first = homeclerk("--config", config, "fava", "--port", str(port), cwd=folder)
    started.append(first)
    poll(lambda: answers(f"http://127.0.0.1:{port}/"), 120, "Fava answers")

    second = homeclerk("--config", config, "fava", "--port", str(free_port()), cwd=folder)
    started.append(second)
    _, err = second.communicate(timeout=60)
    assert second.returncode == 2
    assert f"homeclerk: already running (pid {first.pid}, port {port})" in err

    # Fava stops as on Ctrl-C, quietly.
    assert "Traceback" not in stop_and_check_tree(first, port)


def test_busy_ports_are_one_clear_line_not_a_traceback(folder: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        taken = busy.getsockname()[1]
        config = str(folder / "homeclerk.toml")

        fava = homeclerk("--config", config, "fava", "--port", str(taken), cwd=folder)
        _, err = fava.communicate(timeout=60)
        assert fava.returncode == 2, err
        assert "Traceback" not in err and f"127.0.0.1:{taken}" in err
        assert len(err.strip().splitlines()) == 1

        # The demo's recorded broker, on a folder `homeclerk demo` made, on a port in use.
        write_demo_config(folder, f"http://127.0.0.1:{taken}")
        (folder / MARKER).write_text("")
        ui = homeclerk("--config", config, "ui", "--port", str(free_port()), cwd=folder)
        _, err = ui.communicate(timeout=120)
        assert ui.returncode == 2, err
        assert "Traceback" not in err
        assert f"the demo broker cannot listen on 127.0.0.1:{taken}" in err


def _paste_under_service(config: Path, printed: str) -> None:
    """Apply a busy-port fix as printed: the line it names goes under the file's [service]."""
    assert f"in {config}, under [service], put (or change to) this line:" in printed
    line = printed.strip().splitlines()[-1]
    key = line.split(" = ")[0]
    text = config.read_text()
    kept = [x for x in text.splitlines() if not x.startswith(f"{key} =")]
    at = kept.index("[service]") + 1
    config.write_text("\n".join([*kept[:at], line, *kept[at:]]) + "\n")


def test_ui_and_fava_listen_on_the_service_ports_and_a_busy_one_names_the_setting(
    folder: Path, started: list[subprocess.Popen]
) -> None:
    from pipeline.settings import load_settings

    config = folder / "homeclerk.toml"
    with socket.socket() as ui_busy, socket.socket() as fava_busy:
        for busy in (ui_busy, fava_busy):
            busy.bind(("127.0.0.1", 0))
            busy.listen()
        ui_port, fava_port = ui_busy.getsockname()[1], fava_busy.getsockname()[1]
        config.write_text(
            config.read_text() + f"\n[service]\nui_port = {ui_port}\nfava_port = {fava_port}\n"
        )
        for command, key, port in (("fava", "fava_port", fava_port), ("ui", "ui_port", ui_port)):
            proc = homeclerk("--config", str(config), command, cwd=folder)
            started.append(proc)  # stopped by the fixture if it listened after all
            _, err = proc.communicate(timeout=120)
            # It tried the port the settings give (not 3000/5000), and says which setting to
            # change, with a line that pastes: no --port, which the service does not have.
            assert proc.returncode == 2, err
            assert f"127.0.0.1:{port}: the port is in use" in err and "--port" not in err
            assert "Traceback" not in err
            _paste_under_service(config, err)
            moved = getattr(load_settings(config).service, key)
            assert moved != port and port_free(moved)


def test_serve_on_a_busy_port_says_which_setting_to_change_as_toml_that_pastes(
    tmp_path: Path,
) -> None:
    from pipeline.service.instance import prepare_instance
    from pipeline.service.serve import run_service
    from pipeline.service.single_instance import PortBusyError
    from pipeline.settings import load_settings

    config = tmp_path / "homeclerk.toml"
    config.write_text('[paths]\ndata_dir = "data"\nbooks_dir = "books"\n')
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        taken = busy.getsockname()[1]
        config.write_text(config.read_text() + f"[service]\nfeeds_port = {taken}\n")
        settings = load_settings(config)
        with pytest.raises(PortBusyError) as info:
            run_service(settings, prepare_instance(settings))
        message = str(info.value)
        assert "([service] feeds_port)" in message and "--port" not in message
        _paste_under_service(config, message)
        moved = load_settings(config).service.feeds_port
        assert moved != taken and port_free(moved)
