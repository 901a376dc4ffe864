"""Fava over the books, bound to the loopback interface by default (private by default)."""

from __future__ import annotations

import argparse
import shlex
import signal
from pathlib import Path
from types import FrameType

LOOPBACK = "127.0.0.1"
MAIN_FILE = "main.beancount"
# The starter books shipped with homeclerk (options, example opening balances, the include of
# the generated entries), in a source checkout.
STARTER = Path(__file__).resolve().parents[2] / "ledger" / MAIN_FILE


def missing_books(books_dir: Path, starter: Path = STARTER) -> str | None:
    """None when the books folder has its main.beancount; else what is missing and how to
    start, with a command that pastes (`homeclerk demo` writes a working one to look at)."""
    main = books_dir / MAIN_FILE
    if main.is_file():
        return None
    if starter.is_file():
        start = f"`mkdir -p {shlex.quote(str(books_dir))} && cp {shlex.quote(str(starter))} "
        start += f"{shlex.quote(str(main))}`"
    else:
        start = f"copy ledger/{MAIN_FILE} of the homeclerk project to {main}"
    return (
        f"no {main}: Fava has no books to show and the books assets fail. Start from the "
        f"starter file: {start}, then edit it (a demo folder's ledger/{MAIN_FILE} is a "
        "working example); or set [paths] books_dir to the folder your books are in"
    )


class FavaLedgerMissingError(FileNotFoundError):
    """The ledger Fava should show does not exist."""

    def __init__(self, path: Path) -> None:
        super().__init__(
            f"ledger {path} does not exist: set [paths] books_dir in homeclerk.toml, or run "
            "`homeclerk demo` to build demo books"
        )


def serve(
    ledger_file: str | Path,
    host: str = LOOPBACK,
    port: int = 5000,
    extra_hosts: tuple[str, ...] = (),
) -> None:
    """Run Fava on http://host:port until interrupted (Fava's own production server, cheroot).

    Requests whose `Host` is not a loopback name with this port (or one of `extra_hosts`) get
    421: DNS rebinding must not reach the books.
    """
    from cheroot.wsgi import Server
    from fava.application import create_app

    path = Path(ledger_file).expanduser().resolve()
    if not path.exists():
        raise FavaLedgerMissingError(path)
    from pipeline.service.single_instance import ensure_port_free

    ensure_port_free(port, "Fava", host)  # a clear line, not cheroot's traceback
    from pipeline.service.hostcheck import HostCheckWSGI, allowed_hosts

    app = HostCheckWSGI(create_app([path]), allowed_hosts(port, extra_hosts))
    server = Server((host, port), app)
    print(f"Fava on http://{host}:{port} for {path}", flush=True)
    # What a service manager sends: stop as on Ctrl-C, closing the socket.
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        server.start()
    except KeyboardInterrupt:
        server.stop()
    finally:
        signal.signal(signal.SIGTERM, previous)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> None:
    """`python -m pipeline.service.fava_server`: Fava over the books behind the Host check."""
    parser = argparse.ArgumentParser(description="Serve the books in Fava.")
    parser.add_argument("ledger_file")
    parser.add_argument("--host", default=LOOPBACK)
    parser.add_argument("--port", type=int, default=5000)
    parser.add_argument("--allow-host", action="append", default=[])
    args = parser.parse_args(argv)
    serve(args.ledger_file, args.host, args.port, tuple(args.allow_host))


if __name__ == "__main__":
    main()
