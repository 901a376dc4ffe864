"""The supervisor with real processes: restart with backoff, logs, rotation, stopping a tree."""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

from pipeline.service.feed_server import FeedServer
from pipeline.service.hostcheck import allowed_hosts
from pipeline.service.processes import OWNER_ENV, belongs_to, owner_argv, owner_mark
from pipeline.service.runs import pid_alive
from pipeline.service.supervisor import (
    ChildSpec,
    Supervisor,
    ThreadSpec,
    backoff_seconds,
    port_open,
    rotating_logger,
)
from tests.support import free_port, wait_for

PY = sys.executable


def _spec(name: str, code: str, tmp_path: Path, **kw: object) -> ChildSpec:
    return ChildSpec(name, (PY, "-c", code), tmp_path, **kw)  # type: ignore[arg-type]


def test_backoff_doubles_up_to_the_most() -> None:
    assert [backoff_seconds(n, 1.0, 10.0) for n in range(6)] == [0.0, 1.0, 2.0, 4.0, 8.0, 10.0]


def test_a_dying_child_is_restarted_with_backoff_and_each_exit_is_logged(tmp_path: Path) -> None:
    crash = _spec("crasher", "print('about to fail', flush=True); raise SystemExit(3)", tmp_path)
    now = [0.0]
    sup = Supervisor([crash], tmp_path / "logs", backoff_first=2.0, clock=lambda: now[0])
    sup.start_all()
    child = sup.children[0]
    assert child.proc is not None
    child.proc.wait()
    sup.check()  # noticed: first failure, restart in 2 s
    assert child.proc is None and child.next_start == 2.0
    sup.check()
    assert child.proc is None, "restarted before its backoff was over"
    now[0] = 2.0
    sup.check()
    assert child.proc is not None and child.restarts == 1
    child.proc.wait()
    now[0] = 3.0
    sup.check()  # second short run in a row: 4 s
    assert child.next_start == 3.0 + 4.0
    sup.stop_all()
    log = (tmp_path / "logs" / "serve.log").read_text()
    assert log.count("started crasher (pid") == 2
    assert "exited: exit code 3 after 0 s; restarting in 2 s" in log
    assert "restarting in 4 s" in log
    wait_for(
        lambda: (tmp_path / "logs" / "crasher.log").read_text().count("about to fail") == 2,
        5,
        "the child's output in its own log",
    )


def test_a_child_that_ran_long_starts_its_backoff_again(tmp_path: Path) -> None:
    now = [0.0]
    sup = Supervisor(
        [_spec("short", "pass", tmp_path)], tmp_path / "logs", stable_after=60, clock=lambda: now[0]
    )
    sup.start_all()
    child = sup.children[0]
    child.failures = 5
    assert child.proc is not None
    child.proc.wait()
    now[0] = 100.0
    sup.check()
    assert child.failures == 1 and child.next_start == 101.0
    sup.stop_all()


def test_stop_reaches_grandchildren_and_kills_what_ignores_the_signal(tmp_path: Path) -> None:
    pid_file = tmp_path / "grandchild.pid"
    # A child that starts a grandchild ignoring SIGTERM, then waits.
    code = (
        "import subprocess, sys, time\n"
        "g = subprocess.Popen([sys.executable, '-c', "
        "'import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(600)'])\n"
        f"open({str(pid_file)!r}, 'w').write(str(g.pid))\n"
        "time.sleep(600)\n"
    )
    sup = Supervisor([_spec("parent", code, tmp_path)], tmp_path / "logs", stop_grace=1.0)
    sup.start_all()
    grandchild = int(wait_for(lambda: pid_file.exists() and pid_file.read_text(), 10, "pid"))
    parent = sup.children[0].proc
    assert parent is not None
    sup.stop_all()
    assert parent.poll() is not None
    wait_for(lambda: not pid_alive(grandchild), 5, "the grandchild to be killed")
    assert "stopping parent" in (tmp_path / "logs" / "serve.log").read_text()


def test_run_stops_on_request_and_leaves_nothing(tmp_path: Path) -> None:
    sup = Supervisor([_spec("sleeper", "import time; time.sleep(600)", tmp_path)], tmp_path / "l")
    thread = threading.Thread(target=sup.run, kwargs={"interval": 0.1})
    thread.start()
    pid = wait_for(lambda: sup.pids().get("sleeper"), 10, "the sleeper")
    sup.stopping.set()
    thread.join(timeout=20)
    assert not thread.is_alive()
    assert not pid_alive(pid)


def test_a_program_that_cannot_start_is_retried_not_fatal(tmp_path: Path) -> None:
    missing = ChildSpec("missing", (str(tmp_path / "no-such-program"),), tmp_path)
    sup = Supervisor([missing], tmp_path / "logs", clock=lambda: 0.0)
    sup.start_all()
    assert sup.children[0].proc is None and sup.children[0].next_start == 1.0
    assert "missing could not start" in (tmp_path / "logs" / "serve.log").read_text()


def test_logs_rotate_by_size(tmp_path: Path, monkeypatch: object) -> None:
    import pipeline.service.supervisor as service

    monkeypatch.setattr(service, "LOG_MAX_BYTES", 1000)  # type: ignore[attr-defined]
    log = rotating_logger("x", tmp_path / "x.log", "%(message)s")
    for i in range(100):
        log.info("line %03d %s", i, "." * 40)
    assert (tmp_path / "x.log.1").exists()
    assert (tmp_path / "x.log").stat().st_size <= 1000
    assert "line 099" in (tmp_path / "x.log").read_text()
    assert not (tmp_path / f"x.log.{service.LOG_BACKUPS + 1}").exists()


def test_stop_signal_is_sent_to_the_group(tmp_path: Path) -> None:
    # A leader with a grandchild in its group (as the code server has its run workers). Each
    # records the SIGINT it gets; the leader ends only after the grandchild, which ends only on
    # its own SIGINT. Signalling the leader alone leaves the grandchild to the SIGKILL after the
    # grace: no mark, and the supervisor says it did not stop in time.
    leader_got, worker_got = tmp_path / "leader-int", tmp_path / "worker-int"
    worker_pid = tmp_path / "worker.pid"
    worker = (
        "import os, signal, time, pathlib\n"
        f"mark = pathlib.Path({str(worker_got)!r})\n"
        "signal.signal(signal.SIGINT, lambda *a: (mark.write_text('x'), exit(0)))\n"
        f"pathlib.Path({str(worker_pid)!r}).write_text(str(os.getpid()))\n"
        "time.sleep(600)\n"
    )
    leader = (
        "import signal, subprocess, sys, time, pathlib\n"
        f"mark = pathlib.Path({str(leader_got)!r})\n"
        "signal.signal(signal.SIGINT, lambda *a: mark.write_text('x'))\n"
        f"w = subprocess.Popen([sys.executable, '-c', {worker!r}])\n"
        "while w.poll() is None:\n"
        "    time.sleep(0.05)\n"
    )
    sup = Supervisor(
        [_spec("dagsterish", leader, tmp_path, stop_signal=signal.SIGINT)],
        tmp_path / "logs",
        stop_grace=5.0,
    )
    sup.start_all()
    pid = int(wait_for(lambda: worker_pid.exists() and worker_pid.read_text(), 10, "worker pid"))
    proc = sup.children[0].proc
    assert proc is not None and os.getpgid(pid) == proc.pid  # the grandchild is in the group
    sup.stop_all()
    assert leader_got.exists() and worker_got.exists()
    assert not pid_alive(pid)
    log = (tmp_path / "logs" / "serve.log").read_text()
    assert "did not stop" not in log


def test_when_a_child_dies_its_group_goes_with_it(tmp_path: Path) -> None:
    # A code server that crashes leaves its run workers behind; the new one must not meet them.
    pid_file = tmp_path / "worker.pid"
    code = (
        "import subprocess, sys\n"
        "w = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)'])\n"
        f"open({str(pid_file)!r}, 'w').write(str(w.pid))\n"
    )
    now = [0.0]
    sup = Supervisor([_spec("server", code, tmp_path)], tmp_path / "logs", clock=lambda: now[0])
    sup.start_all()
    worker = int(wait_for(lambda: pid_file.exists() and pid_file.read_text(), 10, "worker pid"))
    proc = sup.children[0].proc
    assert proc is not None
    proc.wait()
    assert pid_alive(worker)
    sup.check()
    wait_for(lambda: not pid_alive(worker), 5, "the orphaned worker to be killed")
    sup.stop_all()


def test_a_new_service_stops_the_children_a_killed_one_left(tmp_path: Path) -> None:
    pid_file = tmp_path / "worker.pid"
    code = (
        "import subprocess, sys, time\n"
        "w = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)'])\n"
        f"open({str(pid_file)!r}, 'w').write(str(w.pid))\n"
        "time.sleep(600)\n"
    )
    first = Supervisor([_spec("server", code, tmp_path)], tmp_path / "logs")
    first.start_all()
    worker = int(wait_for(lambda: pid_file.exists() and pid_file.read_text(), 10, "worker pid"))
    server = first.pids()["server"]
    # `first` is never stopped: as if the service had been killed with SIGKILL.
    second = Supervisor([], tmp_path / "logs")
    assert second.stop_leftovers() == [server]
    # It returns once the whole group is gone, the leader's child too.
    assert not pid_alive(server) and not pid_alive(worker)
    assert second.stop_leftovers() == []  # nothing recorded any more


SLEEP = "import time; time.sleep(600)"


def test_a_recorded_child_of_another_folders_service_is_never_killed(tmp_path: Path) -> None:
    # The live service of folder A; B is a copy of A's data folder (a restored snapshot) whose
    # children.pids names A's children.
    live = Supervisor([_spec("server", SLEEP, tmp_path)], tmp_path / "A" / "logs")
    live.start_all()
    try:
        server = live.pids()["server"]
        (tmp_path / "B" / "logs").mkdir(parents=True)
        shutil.copy(live.groups_file, tmp_path / "B" / "logs" / "children.pids")
        assert Supervisor([], tmp_path / "B" / "logs").stop_leftovers() == []
        assert pid_alive(server)
        log = (tmp_path / "B" / "logs" / "serve.log").read_text()
        assert f"left process group {server} alone" in log
        # In A's own folder the same record is a leftover of A's, and it goes.
        assert Supervisor([], tmp_path / "A" / "logs").stop_leftovers() == [server]
        assert not pid_alive(server)
    finally:
        live.stop_all()


def test_a_recorded_pid_of_an_unmarked_process_is_never_killed(tmp_path: Path) -> None:
    # A PID the system gave to another program since (its own session, as our children have).
    other = subprocess.Popen([PY, "-c", SLEEP], start_new_session=True)
    try:
        (tmp_path / "logs").mkdir()
        (tmp_path / "logs" / "children.pids").write_text(f"{other.pid}\n")
        assert Supervisor([], tmp_path / "logs").stop_leftovers() == []
        assert other.poll() is None
    finally:
        other.kill()
        other.wait()


def test_belongs_to_reads_the_environment_or_else_the_command_line(tmp_path: Path) -> None:
    owner = owner_mark(tmp_path / "logs")
    near = owner_mark(tmp_path / "logs2")  # a longer path that starts with ours
    env_marked = subprocess.Popen([PY, "-c", SLEEP], env={OWNER_ENV: owner})
    argv_marked = subprocess.Popen([PY, *owner_argv(owner), "-c", SLEEP])
    argv_near = subprocess.Popen([PY, *owner_argv(near), "-c", SLEEP])
    procs = (env_marked, argv_marked, argv_near)
    try:
        # Linux: /proc shows the environment and the command line.
        assert belongs_to(env_marked.pid, owner) and belongs_to(argv_marked.pid, owner)
        assert not belongs_to(argv_near.pid, owner) and not belongs_to(env_marked.pid, near)
        # Elsewhere (no /proc, as on macOS): only the command line from `ps`; unsure is no.
        no_proc = tmp_path / "no-proc"
        assert belongs_to(argv_marked.pid, owner, proc_root=no_proc)
        assert not belongs_to(argv_near.pid, owner, proc_root=no_proc)
        assert not belongs_to(env_marked.pid, owner, proc_root=no_proc)
        gone = subprocess.Popen([PY, *owner_argv(owner), "-c", "pass"])
        gone.wait()
        assert not belongs_to(gone.pid, owner) and not belongs_to(gone.pid, owner, no_proc)
    finally:
        for proc in procs:
            proc.kill()
            proc.wait()


def _get(port: int, path: str = "/expenses.json") -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path, headers={"Host": f"127.0.0.1:{port}"})
        return conn.getresponse().status
    finally:
        conn.close()


def _feeds_spec(tmp_path: Path, port: int, made: list[FeedServer]) -> ThreadSpec:
    folder = tmp_path / "feeds"
    folder.mkdir(exist_ok=True)
    (folder / "expenses.json").write_text(json.dumps({"recent": []}))

    def make() -> FeedServer:
        made.append(FeedServer(folder, port, allowed_hosts(port)))
        return made[-1]

    return ThreadSpec("feeds", make)


def test_a_thread_server_whose_loop_ends_is_restarted_with_backoff(tmp_path: Path) -> None:
    port, made = free_port(), []
    now = [0.0]
    sup = Supervisor([_feeds_spec(tmp_path, port, made)], tmp_path / "logs", clock=lambda: now[0])
    sup.start_all()
    assert _get(port) == 200
    made[0].shutdown()  # its serve_forever returns: the thread ends
    child = sup.children[0]
    wait_for(lambda: child.thread is not None and not child.thread.is_alive(), 5, "the thread")
    sup.check()
    assert child.thread is None and child.next_start == 1.0
    assert not port_open(port), "the dead server's socket was left open"
    now[0] = 1.0
    sup.check()
    assert len(made) == 2 and child.restarts == 1
    assert _get(port) == 200
    sup.stop_all()
    assert not port_open(port)
    log = (tmp_path / "logs" / "serve.log").read_text()
    assert "feeds (thread) stopped: serve_forever returned after 0 s; restarting in 1 s" in log
    assert log.count("started feeds (a thread of the service") == 2


def test_a_thread_server_that_cannot_bind_is_retried_not_fatal(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        sup = Supervisor([_feeds_spec(tmp_path, port, [])], tmp_path / "logs", clock=lambda: 0.0)
        sup.start_all()
    child = sup.children[0]
    assert child.thread is None and child.next_start == 1.0
    assert "feeds could not start" in (tmp_path / "logs" / "serve.log").read_text()
    sup.stop_all()


def test_run_stops_thread_servers_and_frees_their_port(tmp_path: Path) -> None:
    port, made = free_port(), []
    sleeper = _spec("sleeper", "import time; time.sleep(600)", tmp_path)
    sup = Supervisor([sleeper, _feeds_spec(tmp_path, port, made)], tmp_path / "logs")
    thread = threading.Thread(target=sup.run, kwargs={"interval": 0.1})
    thread.start()
    wait_for(lambda: port_open(port), 10, "the feed server")
    # A request that is no HTTP at all, and one cut off midway: the server (and so the
    # supervisor) carries on.
    for junk in (b"\x00\xffGARBAGE\r\n\r\n", b"GET /expenses.json HTTP/1.1\r\nHo"):
        with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
            sock.sendall(junk)
    assert _get(port) == 200
    assert sup.children[1].thread is not None and sup.children[1].thread.is_alive()
    sup.stopping.set()
    thread.join(timeout=20)
    assert not thread.is_alive()
    assert not port_open(port)
    assert sup.children[1].thread is None


def test_a_child_is_restarted_when_its_settings_change_once_it_is_not_busy(
    tmp_path: Path,
) -> None:
    settings = tmp_path / "homeclerk.toml"
    settings.write_text('timezone = "Asia/Kolkata"\n')
    busy = tmp_path / "busy"
    busy.touch()
    # Reads the file at start; while `busy` exists it has a child whose command line has the
    # marker (as a code server's run worker has `spawn_main`).
    worker = tmp_path / "worker.py"
    worker.write_text(f"import os, time\nwhile os.path.exists({str(busy)!r}): time.sleep(0.05)\n")
    code = (
        "import signal, subprocess, sys, time\n"
        f"print('read', open({str(settings)!r}).read().strip(), flush=True)\n"
        "signal.signal(signal.SIGINT, lambda *a: sys.exit(0))\n"
        f"subprocess.Popen([sys.executable, {str(worker)!r}, 'spawn_main'])\n"
        "while True: time.sleep(0.1)\n"
    )
    spec = _spec("code", code, tmp_path, restart_on_change=(settings,), busy_marker="spawn_main")
    now = [0.0]
    sup = Supervisor([spec], tmp_path / "logs", clock=lambda: now[0])
    sup.start_all()
    child = sup.children[0]
    first = child.proc
    assert first is not None
    sup.check()
    assert child.proc is first  # nothing changed

    settings.write_text('timezone = "Asia/Kolkatta"\n')
    wait_for(lambda: _has_marked_child(first.pid), 10, "the busy child")
    sup.check()
    # Its work is not killed: no stop is asked for while a marked child runs.
    assert child.proc is first and not child.restarting
    assert "changed" not in (tmp_path / "logs" / "serve.log").read_text()
    busy.unlink()
    wait_for(lambda: not _has_marked_child(first.pid), 10, "the work to end")
    sup.check()  # asked to stop
    first.wait(timeout=10)
    sup.check()  # exited: started again at once, not after a backoff
    assert child.proc is not None and child.proc is not first
    sup.stop_all()
    log = (tmp_path / "logs" / "serve.log").read_text()
    assert f"{settings} changed: restarting code to read it" in log
    assert "restarting in 0 s" in log
    wait_for(
        lambda: 'read timezone = "Asia/Kolkatta"' in (tmp_path / "logs" / "code.log").read_text(),
        10,
        "the new child to read the new file",
    )


def _has_marked_child(pid: int) -> bool:
    from pipeline.service.supervisor import _busy

    return _busy(pid, "spawn_main")
