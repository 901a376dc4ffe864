"""How long a stop of `homeclerk serve` may take: the supervisor waits these, and the jobs that
run it (launchd's ExitTimeOut, systemd's TimeoutStopSec) must wait longer before they kill it."""

# After its stop signal, a child has this long before it is killed.
STOP_GRACE_SECONDS = 15.0
# On a stop, a run in flight (a worker below the code server) has this long to finish before its
# child is signalled; what is still running then is killed and marked interrupted by a stop.
RUN_STOP_GRACE_SECONDS = 30.0
# The run storage has this long to name the runs in flight (out of their wait), and again to mark
# those still running interrupted: a worker stopped or hung in the middle of a write can keep it
# from answering, and the stop goes on without its answer.
STORAGE_ANSWER_SECONDS = 5.0
# The longest a stop takes: the runs' wait, the marking, the children's wait, and ~5 s of killing
# and reaping.
STOP_DEADLINE_SECONDS = RUN_STOP_GRACE_SECONDS + STORAGE_ANSWER_SECONDS + STOP_GRACE_SECONDS + 5
