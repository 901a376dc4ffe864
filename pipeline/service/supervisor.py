"""`homeclerk serve`: the whole always-on system as one supervised process tree.

Why our own supervisor and not `supervisor`/`circus`: both are daemons of their own (a config
file, a control socket, an XML-RPC or ZeroMQ server) that would need a Host check and a lock of
their own, and add 20-40 MB resident to an idle budget of 500 MB; what the service needs (start
in order, restart with backoff, log why, rotate, stop a process group within a deadline) is one
small loop over `subprocess.Popen`, tested here with real processes.

Each child runs in its own process group (`start_new_session`), so a stop reaches its own
children too (the code server's run workers); its output is copied line by line into a rotating
log file of its own; the service's own log (every start, exit and restart, with the reason) is a
`RotatingFileHandler` too.

A child can also be a server on a thread of the supervisor itself (`ThreadSpec`: the feed
server, plain stdlib; the chat.db watcher, a plain loop shaped like one): a Python process of its
own would cost ~20 MB resident. It is supervised like the others: restarted with backoff when its
thread ends, stopped (socket closed) with everything else.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Generic, Protocol, TypeVar

from assets.common.atomic import write_text_atomic
from assets.notify.restarts import RestartWatch
from pipeline.deadlines import (
    RUN_STOP_GRACE_SECONDS,
    STOP_GRACE_SECONDS,
    STORAGE_ANSWER_SECONDS,
)
from pipeline.service.log_files import SpaceAwareFileHandler, say_on_stderr
from pipeline.service.processes import OWNER_ENV, belongs_to, descendants, owner_mark

T = TypeVar("T")

LOG_MAX_BYTES = 5 * 1024 * 1024
LOG_BACKUPS = 3
BACKOFF_FIRST_SECONDS = 1.0
BACKOFF_MAX_SECONDS = 60.0
# A child that ran this long before dying starts its backoff from the beginning again.
STABLE_AFTER_SECONDS = 60.0


@dataclass(frozen=True)
class ChildSpec:
    """One supervised program."""

    name: str
    argv: tuple[str, ...]
    cwd: Path
    env: Mapping[str, str] | None = None
    # A loopback port the child listens on: later children wait for it before they start.
    port: int | None = None
    # Dagster's processes shut down cleanly on SIGINT (what Ctrl-C sends).
    stop_signal: int = signal.SIGTERM
    # Files the child reads at start (the settings): when one changes, the child is restarted,
    # once none of its descendants' command lines contains `busy_marker` (work a stop would kill).
    restart_on_change: tuple[Path, ...] = ()
    busy_marker: str | None = None
    # With `busy_marker`: on a stop the child is signalled only once its busy descendants (the
    # code server's run workers) finished, or `run_grace` passed; `work` names what they do in
    # the service log and marks what is still running then as interrupted by the stop.
    work: WorkInFlight | None = None
    # A file the child cannot run without (the run storage): checked before each start and at
    # each exit; while it is bad the child is held, not restarted in a loop.
    guard: ChildGuard | None = None


class WorkInFlight(Protocol):
    """What the busy processes below a child are doing (for the code server: runs)."""

    def describe(self, workers: set[int]) -> list[str]:
        """One name per piece of work the `workers` (PIDs) do, e.g. `run <id> (<job>)`."""
        ...

    def interrupted(self, workers: set[int], waited: float) -> list[str]:
        """Mark the work `workers` still do as interrupted by a stop; return what was marked."""
        ...


class ChildGuard(Protocol):
    """What a child needs whole before it starts, asked again only when `identity` changes."""

    def problem(self) -> str | None:
        """The one line (file, what is wrong, the fix) while the child must not start."""
        ...

    def identity(self) -> object:
        """Something that changes when the files the child needs change (a restore)."""
        ...


class ThreadServer(Protocol):
    """What a thread child is: a `socketserver` server, or a loop with the same three methods."""

    def serve_forever(self, poll_interval: float = ...) -> None:
        """Serve until `shutdown` is called (from another thread)."""

    def shutdown(self) -> None:
        """Make `serve_forever` return; returns once it did."""

    def server_close(self) -> None:
        """Release the socket (or whatever the loop holds)."""


@dataclass(frozen=True)
class ThreadSpec:
    """One server (or plain loop) run on a thread of the supervisor's own process.

    `make` binds and returns the server (an `OSError` there counts as a failed start); its
    `serve_forever` runs on the thread until `shutdown`. It must be light (stdlib only) and must
    handle its own errors (`socketserver` does, in `handle_error`): whatever runs here runs
    inside the supervisor.
    """

    name: str
    make: Callable[[], ThreadServer]
    port: int | None = None


@dataclass
class _Child:
    spec: ChildSpec | ThreadSpec
    proc: subprocess.Popen[bytes] | None = None
    server: ThreadServer | None = None
    thread: threading.Thread | None = None
    error: str = ""  # why the thread's serve_forever ended, if it raised
    started_at: float = 0.0
    failures: int = 0  # consecutive short-lived runs, for the backoff
    restarts: int = 0
    next_start: float = 0.0
    pump: threading.Thread | None = None
    # Processes that left the child's group (found at stop time with `ps`). No polling while
    # idle: Dagster's run workers stay in the code server's group, which killpg reaches even
    # after the code server itself died.
    tree: set[int] = field(default_factory=set)
    out: logging.Logger | None = None  # one rotating log file per child, kept across restarts
    read: tuple[tuple[int, int] | None, ...] = ()  # stats of `restart_on_change` at start
    restarting: str = ""  # why it was asked to stop, so its exit is a restart, not a failure
    held: str = ""  # why its guard holds it (not started until the guarded files change)
    held_on: object = None  # the guard's identity when it was last looked at
    settling: object = None  # a changed identity, looked at once it holds for one more check


def rotating_logger(name: str, path: Path, fmt: str) -> logging.Logger:
    """A logger writing only to `path`, rotated by size (LOG_MAX_BYTES, LOG_BACKUPS kept)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # Not registered with logging's manager: Dagster's `dictConfig` calls disable every
    # registered logger that exists when they run.
    logger = logging.Logger(f"homeclerk.serve.{name}", logging.INFO)
    # On a full disk: "disk full" once on stderr, then records dropped until there is space.
    handler = SpaceAwareFileHandler(path, max_bytes=LOG_MAX_BYTES, backups=LOG_BACKUPS)
    handler.setFormatter(logging.Formatter(fmt))
    logger.addHandler(handler)
    return logger


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    """Whether something accepts TCP connections on host:port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(0.5)
        return probe.connect_ex((host, port)) == 0


def backoff_seconds(failures: int, first: float, most: float) -> float:
    """Delay before a restart after `failures` consecutive short runs: first, 2×, 4×, … most."""
    if failures <= 0:
        return 0.0
    return min(first * 2 ** (failures - 1), most)


class Supervisor:
    """Starts children in order, restarts the ones that die, stops them all on request."""

    def __init__(
        self,
        specs: Sequence[ChildSpec | ThreadSpec],
        log_dir: Path,
        *,
        backoff_first: float = BACKOFF_FIRST_SECONDS,
        backoff_max: float = BACKOFF_MAX_SECONDS,
        stable_after: float = STABLE_AFTER_SECONDS,
        stop_grace: float = STOP_GRACE_SECONDS,
        run_grace: float = RUN_STOP_GRACE_SECONDS,
        storage_answer: float = STORAGE_ANSWER_SECONDS,
        clock: Callable[[], float] = time.monotonic,
        owner: str | None = None,
        restart_watch: RestartWatch | None = None,
    ) -> None:
        self.children = [_Child(spec) for spec in specs]
        self.log_dir = log_dir
        # Put in every child's environment; a recorded PID without it is not ours to kill.
        self.owner = owner if owner is not None else owner_mark(log_dir)
        self.backoff_first, self.backoff_max = backoff_first, backoff_max
        self.stable_after, self.stop_grace = stable_after, stop_grace
        self.run_grace, self.storage_answer = run_grace, storage_answer
        self.clock = clock
        self.log = rotating_logger("service", log_dir / "serve.log", "%(asctime)s %(message)s")
        self.stopping = threading.Event()
        # The process groups of our children, so a service killed outright (SIGKILL, a crash)
        # can find and stop them when it starts again: they run in sessions of their own,
        # which neither launchd nor a terminal stops with us.
        self.groups_file = log_dir / "children.pids"
        self.said_held: set[str] = set()  # each guard's line is said once, not per child
        # Counts unasked exits; too many in an hour is a notification incident.
        self.restart_watch = restart_watch
        if restart_watch is not None:
            restart_watch.log = self.say

    def say(self, message: str) -> None:
        """One line in the service log and on stderr (launchd's StandardErrorPath)."""
        self.log.info(message)
        say_on_stderr(f"homeclerk serve: {message}")

    def pids(self) -> dict[str, int]:
        """The PID of each running child, by name."""
        return {c.spec.name: c.proc.pid for c in self.children if c.proc and c.proc.poll() is None}

    def start_all(self, ready_timeout: float = 180.0) -> None:
        """Start each child; a child after one with a port waits until that port answers."""
        for child in self.children:
            if self.stopping.is_set():
                return
            self._start(child)
            if child.spec.port is not None:
                deadline = self.clock() + ready_timeout
                while not port_open(child.spec.port) and self.clock() < deadline:
                    if child.proc is None or child.proc.poll() is not None:
                        break  # died: the loop restarts it; do not hold up the others
                    if self.stopping.wait(0.2):
                        return
                if port_open(child.spec.port):
                    self.say(f"{child.spec.name} is listening on 127.0.0.1:{child.spec.port}")

    def _start(self, child: _Child) -> None:
        spec = child.spec
        if isinstance(spec, ThreadSpec):
            self._start_thread(child, spec)
            return
        if spec.guard is not None:
            held = spec.guard.problem()
            if held:
                self._hold(child, spec.guard, held)
                return
        if child.out is None:
            child.out = rotating_logger(spec.name, self.log_dir / f"{spec.name}.log", "%(message)s")
        out = child.out
        env = dict(spec.env) if spec.env is not None else dict(os.environ)
        env[OWNER_ENV] = self.owner
        try:
            proc = subprocess.Popen(
                list(spec.argv),
                cwd=spec.cwd,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        except OSError as exc:
            child.proc = None
            child.failures += 1
            child.next_start = self.clock() + self._delay(child)
            self.say(f"{spec.name} could not start ({exc}); next try in {self._delay(child):.0f} s")
            return
        child.proc, child.started_at, child.tree = proc, self.clock(), set()
        child.read, child.restarting = _stats(spec.restart_on_change), ""
        child.pump = threading.Thread(
            target=_pump, args=(proc, out), name=f"log-{spec.name}", daemon=True
        )
        child.pump.start()
        self.say(f"started {spec.name} (pid {proc.pid})")
        self._record_groups()

    def _start_thread(self, child: _Child, spec: ThreadSpec) -> None:
        try:
            server = spec.make()
        except OSError as exc:
            child.failures += 1
            child.next_start = self.clock() + self._delay(child)
            self.say(f"{spec.name} could not start ({exc}); next try in {self._delay(child):.0f} s")
            return
        child.server, child.started_at, child.error = server, self.clock(), ""
        child.thread = threading.Thread(
            target=_serve_thread, args=(server, child), name=spec.name, daemon=True
        )
        child.thread.start()
        self.say(f"started {spec.name} (a thread of the service, pid {os.getpid()})")

    def _hold(self, child: _Child, guard: ChildGuard, problem: str) -> None:
        """Keep `child` stopped until the guard's files change (said once per problem)."""
        child.proc, child.held, child.held_on = None, problem, guard.identity()
        if problem in self.said_held:
            self.log.info(f"not starting {child.spec.name} either, for the same reason")
            return
        self.said_held.add(problem)
        self.say(f"not starting {child.spec.name} until the file changes: {problem}")

    def _look_again(self, child: _Child, guard: ChildGuard) -> None:
        """Start a held child once its guard's files changed and are good."""
        now = guard.identity()
        if now == child.held_on:
            return
        if now != child.settling:
            # Maybe half done (a restore moves the damaged folder aside, then copies the good
            # one in): looked at once it stayed the same for one more check.
            child.settling = now
            return
        problem = guard.problem()
        child.held_on, child.settling = now, None
        if problem:
            if problem not in self.said_held:
                self.said_held.add(problem)
                self.say(f"still not starting {child.spec.name}: {problem}")
            return
        self.said_held.clear()
        self.say(f"what {child.spec.name} needs is whole again: starting it")
        child.held, child.failures, child.next_start = "", 0, 0.0
        self._start(child)

    def _record_groups(self) -> None:
        pids = [str(c.proc.pid) for c in self.children if c.proc is not None]
        write_text_atomic(self.groups_file, "\n".join(pids) + "\n")

    def stop_leftovers(self) -> list[int]:
        """Kill the process groups a previous service killed outright left running.

        Only groups whose leader still exists, still leads its own group and carries this
        service's mark (`belongs_to`) are killed: never by PID alone, since the file may come
        from another folder (a restored snapshot) or name a PID the system gave to another
        program. Returns the group ids killed, once every process that was in them is gone (or
        after 5 s), and says so.
        """
        try:
            recorded = [int(w) for w in self.groups_file.read_text().split() if w.isdigit()]
        except FileNotFoundError:
            return []
        killed = []
        members: set[int] = set()
        for pgid in recorded:
            try:
                if pgid == os.getpgid(0) or os.getpgid(pgid) != pgid:
                    continue
                if not belongs_to(pgid, self.owner):
                    self.say(
                        f"left process group {pgid} alone: {self.groups_file.name} names it, "
                        f"but it is not a child of this service ({self.owner})"
                    )
                    continue
                # Every member, not only the leader: a run worker or the resource tracker in
                # the group dies a moment after the leader.
                members |= _group_members(pgid)
                os.killpg(pgid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                continue
            killed.append(pgid)
            self.say(f"killed process group {pgid} left running by a service that was killed")
        if killed:
            members |= set(killed)
            deadline = self.clock() + 5
            while any(_alive(p) for p in members) and self.clock() < deadline:
                time.sleep(0.1)
            left = sorted(p for p in members if _alive(p))
            self.say(
                f"stopped what a killed service left running ({len(killed)} process groups)"
                + (f"; still alive after 5 s: {left}" if left else "")
            )
        self.groups_file.unlink(missing_ok=True)
        return killed

    def _delay(self, child: _Child) -> float:
        return backoff_seconds(child.failures, self.backoff_first, self.backoff_max)

    def check(self) -> None:
        """Notice children that exited, and start again the ones whose backoff is over."""
        now = self.clock()
        for child in self.children:
            thread = child.thread
            if thread is not None and not thread.is_alive():
                ran = now - child.started_at
                child.failures = 1 if ran >= self.stable_after else child.failures + 1
                delay = self._delay(child)
                child.next_start = now + delay
                self._close_server(child)
                why = f"{child.error or 'serve_forever returned'} after {ran:.0f} s"
                self.say(f"{child.spec.name} (thread) stopped: {why}; restarting in {delay:.0f} s")
                if self.restart_watch is not None:
                    self.restart_watch.exited(child.spec.name, now, why)
            proc = child.proc
            guard = child.spec.guard if isinstance(child.spec, ChildSpec) else None
            if proc is not None and proc.poll() is not None and guard and not child.restarting:
                problem = guard.problem()
                if problem:
                    child.proc = None
                    self._kill_leftovers(proc.pid, child.tree)
                    self.log.info(
                        f"{child.spec.name} (pid {proc.pid}) exited: {_describe(proc.returncode)}"
                        f" after {now - child.started_at:.0f} s"
                    )
                    self._hold(child, guard, problem)
                    continue
            if proc is not None and proc.poll() is not None:
                ran = now - child.started_at
                if child.restarting:
                    child.failures = 0  # asked to stop: start again at once
                else:
                    child.failures = 1 if ran >= self.stable_after else child.failures + 1
                delay = self._delay(child)
                child.next_start = now + delay
                child.proc = None
                self._kill_leftovers(proc.pid, child.tree)
                self.say(
                    f"{child.spec.name} (pid {proc.pid}) exited: {_describe(proc.returncode)} "
                    f"after {ran:.0f} s; restarting in {delay:.0f} s"
                    + (f" ({child.restarting})" if child.restarting else "")
                )
                if self.restart_watch is not None and not child.restarting:
                    why = f"{_describe(proc.returncode)} after {ran:.0f} s"
                    self.restart_watch.exited(child.spec.name, now, why)
            elif proc is not None:
                self._restart_if_changed(child, proc)
            idle = child.proc is None and child.thread is None
            if idle and child.held and guard is not None:
                if not self.stopping.is_set():
                    self._look_again(child, guard)
                continue
            if idle and now >= child.next_start and not self.stopping.is_set():
                child.restarts += 1
                self._start(child)
        if self.restart_watch is not None:
            self.restart_watch.check(now)

    def _restart_if_changed(self, child: _Child, proc: subprocess.Popen[bytes]) -> None:
        """Stop a child whose `restart_on_change` files changed, once it is not busy."""
        spec = child.spec
        if not isinstance(spec, ChildSpec) or not spec.restart_on_change or child.restarting:
            return
        now = _stats(spec.restart_on_change)
        if now == child.read:
            return
        if spec.busy_marker is not None and _busy(proc.pid, spec.busy_marker):
            return  # looked at again at the next check
        paths = zip(spec.restart_on_change, now, child.read, strict=True)
        changed = [str(path) for path, new, old in paths if new != old]
        child.restarting = f"{', '.join(changed)} changed"
        self.say(f"{', '.join(changed)} changed: restarting {spec.name} to read it")
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, spec.stop_signal)

    def _close_server(self, child: _Child) -> None:
        if child.server is not None:
            child.server.server_close()  # frees the port
        if child.thread is not None:
            child.thread.join(timeout=5)
        child.server = child.thread = None

    def _kill_leftovers(self, pid: int, tree: set[int]) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, signal.SIGKILL)
        for orphan in tree:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(orphan, signal.SIGKILL)

    def run(self, interval: float = 2.0) -> None:
        """Supervise until `stopping` is set, then stop everything.

        Exits are looked for every `interval` seconds (a stop request is seen at once): each
        wake-up of the idle service costs CPU, and a restart a second later costs nothing."""
        try:
            self.stop_leftovers()  # in case the caller did not
            self.start_all()
            while not self.stopping.wait(interval):
                self.check()
        finally:
            self.stop_all()

    def stop_all(self) -> None:
        """Stop every child; SIGKILL what is left after the grace.

        First the children that start runs (the daemon's run queue and sensors, the chat.db
        watcher) and everything else; a child with a `busy_marker` (the code server) is signalled
        only once its busy descendants (run workers) finished, or `run_grace` passed: a stop is
        then no failed run. What still runs then is marked interrupted (`ChildSpec.work`).
        """
        running = [c for c in self.children if c.proc is not None and c.proc.poll() is None]
        draining = [c for c in running if isinstance(c.spec, ChildSpec) and c.spec.busy_marker]
        trees: dict[int, set[int]] = {}
        for child in running:
            if child not in draining:
                self._signal_stop(child, trees)
        for child in self.children:
            if child.server is not None:
                self.say(f"stopping {child.spec.name} (thread)")
                if child.thread is not None and child.thread.is_alive():
                    child.server.shutdown()  # returns once serve_forever did (≤ 2 s poll)
                self._close_server(child)
        self._let_work_finish(draining)
        for child in draining:
            self._signal_stop(child, trees)
        deadline = self.clock() + self.stop_grace
        while self.clock() < deadline:
            if all(c.proc is None or c.proc.poll() is not None for c in running) and not any(
                _alive(p) for tree in trees.values() for p in tree
            ):
                break
            time.sleep(0.1)
        for child in running:
            assert child.proc is not None
            if child.proc.poll() is None:
                self.say(f"{child.spec.name} did not stop in {self.stop_grace:.0f} s: killed")
            self._kill_leftovers(child.proc.pid, trees[child.proc.pid])
            with contextlib.suppress(subprocess.TimeoutExpired):
                child.proc.wait(timeout=5)
            if child.pump is not None:
                child.pump.join(timeout=2)
        self.groups_file.unlink(missing_ok=True)
        self.say("stopped")

    def _signal_stop(self, child: _Child, trees: dict[int, set[int]]) -> None:
        assert child.proc is not None and isinstance(child.spec, ChildSpec)
        trees[child.proc.pid] = descendants(child.proc.pid) | child.tree
        self.say(f"stopping {child.spec.name} (pid {child.proc.pid})")
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(child.proc.pid, child.spec.stop_signal)

    def _let_work_finish(self, children: Sequence[_Child]) -> None:
        """Wait (up to `run_grace` in all) until no busy process is left below `children`;
        mark the work of those still there as interrupted by the stop."""
        deadline = self.clock() + self.run_grace
        for child in children:
            spec = child.spec
            assert child.proc is not None and isinstance(spec, ChildSpec) and spec.busy_marker
            workers = _busy_pids(child.proc.pid, spec.busy_marker)
            if not workers:
                continue
            what = _work_names(spec, workers, self.storage_answer) or (
                f"{len(workers)} busy process(es) of {spec.name}"
            )
            left = max(deadline - self.clock(), 0.0)
            self.say(f"waiting up to {left:.0f} s for {what} to finish")
            while workers and self.clock() < deadline:
                time.sleep(0.2)
                workers = _busy_pids(child.proc.pid, spec.busy_marker)
            if not workers:
                self.say(f"{what}: finished")
                continue
            marked: list[str] = []
            if spec.work is not None:
                mark = functools.partial(spec.work.interrupted, workers, self.run_grace)
                answer = _answer_within(self.storage_answer, mark)
                if answer.done and answer.value is not None:
                    marked = answer.value
                else:  # the stop goes on whatever the run storage says
                    why = (
                        f"{type(answer.error).__name__}: {answer.error}"
                        if answer.error is not None
                        else f"the run storage did not answer in {self.storage_answer:g} s"
                    )
                    self.say(f"could not mark {what} as interrupted ({why})")
            self.say(
                f"{what} did not finish in {self.run_grace:.0f} s: stopped"
                + (
                    f"; {', '.join(marked)} marked interrupted by a stop (not a failure), "
                    "retried at the next start"
                    if marked
                    else ""
                )
            )

    def handle_signals(self) -> None:
        """SIGTERM, SIGINT and SIGHUP end `run` (and so stop every child)."""

        def stop(signum: int, frame: FrameType | None) -> None:
            self.say(f"received {signal.Signals(signum).name}: stopping")
            self.stopping.set()

        for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(s, stop)


def _serve_thread(server: ThreadServer, child: _Child) -> None:
    try:
        # Its loop wakes to look for shutdown(): every 2 s keeps the idle supervisor quiet
        # and a stop well inside the service's 15 s budget.
        server.serve_forever(poll_interval=2.0)
    except BaseException as exc:  # reported by the supervisor, which restarts it
        child.error = f"{type(exc).__name__}: {exc}"


def _stats(paths: Sequence[Path]) -> tuple[tuple[int, int] | None, ...]:
    def one(path: Path) -> tuple[int, int] | None:
        try:
            st = os.stat(path)
        except OSError:
            return None
        return (st.st_mtime_ns, st.st_size)

    return tuple(one(p) for p in paths)


def _work_names(spec: ChildSpec, workers: set[int], seconds: float) -> str:
    if spec.work is None:
        return ""
    work = spec.work
    answer = _answer_within(seconds, lambda: ", ".join(work.describe(workers)))
    if answer.error is not None:  # naming the runs is for the log: never in the stop's way
        error = answer.error
        return f"the work of {spec.name} (could not name it: {type(error).__name__}: {error})"
    if not answer.done:
        return (
            f"the work of {spec.name} (not named: the run storage did not answer in {seconds:g} s)"
        )
    return answer.value or ""


@dataclass
class _Answer(Generic[T]):
    """What `_answer_within` got: `done` with `value`, or `error`, or neither (no answer)."""

    done: bool = False
    value: T | None = None
    error: Exception | None = None


def _answer_within(seconds: float, fn: Callable[[], T]) -> _Answer[T]:
    """fn() on a daemon thread, waited for `seconds` at most; a call still running then is
    left to finish on its own (it holds nothing the stop needs)."""
    answer: _Answer[T] = _Answer()

    def call() -> None:
        try:
            answer.value = fn()
            answer.done = True
        except Exception as exc:
            answer.error = exc

    thread = threading.Thread(target=call, name="storage-answer", daemon=True)
    thread.start()
    thread.join(seconds)
    return answer


def _busy(pid: int, marker: str) -> bool:
    """Whether a process below `pid` has `marker` in its command line."""
    return bool(_busy_pids(pid, marker))


def _busy_pids(pid: int, marker: str) -> set[int]:
    """The processes below `pid` with `marker` in their command line (from `ps`; `-ww`: never
    cut at the terminal's width, which `COLUMNS` can set)."""
    out = subprocess.run(
        ["ps", "-ww", "-A", "-o", "pid=,ppid=,args="], capture_output=True, text=True, check=False
    ).stdout
    children: dict[int, list[tuple[int, str]]] = {}
    for line in out.splitlines():
        parts = line.split(None, 2)
        if len(parts) >= 2 and parts[0].isdigit() and parts[1].isdigit():
            args = parts[2] if len(parts) == 3 else ""
            children.setdefault(int(parts[1]), []).append((int(parts[0]), args))
    found: set[int] = set()
    todo = [pid]
    while todo:
        for child, args in children.get(todo.pop(), []):
            if marker in args and _alive(child):
                found.add(child)
            todo.append(child)
    return found


def _alive(pid: int) -> bool:
    from pipeline.service.runs import pid_alive

    return pid_alive(pid)


def _group_members(pgid: int) -> set[int]:
    out = subprocess.run(
        ["ps", "-A", "-o", "pid=,pgid="], capture_output=True, text=True, check=False
    ).stdout
    return {
        int(pid) for pid, group in (line.split() for line in out.splitlines()) if int(group) == pgid
    }


def _pump(proc: subprocess.Popen[bytes], out: logging.Logger) -> None:
    assert proc.stdout is not None
    for raw in proc.stdout:
        out.info(raw.decode("utf-8", "replace").rstrip("\n"))
    proc.stdout.close()


def _describe(returncode: int | None) -> str:
    if returncode is None:
        return "still running"
    if returncode < 0:
        try:
            return f"killed by {signal.Signals(-returncode).name}"
        except ValueError:
            return f"killed by signal {-returncode}"
    return f"exit code {returncode}"
