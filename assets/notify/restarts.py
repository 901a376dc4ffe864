"""The service restarting a child too often: an incident the supervisor writes in the state
file (the `notify_incidents` sensor sends it; the supervisor itself never touches the network).

Only exits nobody asked for count (a child restarted to read changed settings does not). More
than `limit` in an hour opens `service:<child>`; an hour without such an exit clears it.
"""

from __future__ import annotations

import collections
import datetime as dt
from collections.abc import Callable
from pathlib import Path

from assets.common.clock import now_utc
from assets.notify.incidents import Problem, clear_incident, open_incident
from assets.notify.store import changing_state

WINDOW_SECONDS = 3600.0


class RestartWatch:
    """Counts each child's unasked exits over the last hour; `at` is the supervisor's clock
    (monotonic seconds), `wall` the instant written in the state."""

    def __init__(
        self,
        state_file: Path,
        limit: int,
        wall: Callable[[], dt.datetime] = now_utc,
        log: Callable[[str], None] = lambda line: None,
    ) -> None:
        self.state_file, self.limit, self.wall, self.log = Path(state_file), limit, wall, log
        self.exits: dict[str, collections.deque[float]] = collections.defaultdict(collections.deque)
        self.open: set[str] = set()

    def _recent(self, name: str, at: float) -> collections.deque[float]:
        exits = self.exits[name]
        while exits and at - exits[0] > WINDOW_SECONDS:
            exits.popleft()
        return exits

    def exited(self, name: str, at: float, why: str) -> None:
        """A child exited unasked at `at`: open the incident once the hour holds too many."""
        exits = self._recent(name, at)
        exits.append(at)
        if len(exits) <= self.limit or name in self.open:
            return
        problem = Problem(
            f"Service: {name} keeps restarting",
            f"`homeclerk serve` restarted {name} {len(exits)} times in the last hour (more "
            f"than `restarts_per_hour` = {self.limit}); the last exit: {why}. Its log is "
            f"{name}.log beside serve.log.",
            urgent=True,
        )
        if self._change(lambda state, now: open_incident(state, f"service:{name}", problem, now)):
            self.open.add(name)

    def check(self, at: float) -> None:
        """Clear the incident of each child that went an hour without an unasked exit."""
        for name in sorted(self.open):
            if self._recent(name, at):
                continue
            body = f"{name} has run an hour without a restart."
            if self._change(
                lambda state, now, key=f"service:{name}", body=body: clear_incident(
                    state, key, now, body
                )
            ):
                self.open.discard(name)

    def _change(self, update: Callable[[dict, dt.datetime], bool]) -> bool:
        """Apply `update`; True when written. A state file that cannot be written is said in
        the log and tried again at the next exit or check: the service itself goes on."""
        try:
            with changing_state(self.state_file, self.log) as state:
                update(state, self.wall())
        except OSError as exc:
            self.log(f"notification state {self.state_file} not written: {exc}")
            return False
        return True
