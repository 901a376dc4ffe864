"""Answer only requests addressed to us: the `Host` header check in front of every local UI.

A page on any web site can make the browser send requests to 127.0.0.1 under a name it controls
(DNS rebinding); the only thing that tells those apart is the `Host` header, which names the
attacker's domain. So every server `homeclerk serve` starts answers 421 (Misdirected Request)
unless `Host` is one of the loopback names with its port, or a name the owner allowed in
`[service] allowed_hosts` (for `tailscale serve` or a reverse proxy).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")
MISDIRECTED = 421
_REFUSAL = (
    b"Misdirected request: this server answers only requests addressed to it by its loopback "
    b"name (127.0.0.1, localhost, [::1]) or a name in [service] allowed_hosts of homeclerk.toml.\n"
)


def allowed_hosts(port: int, extra: Iterable[str] = ()) -> frozenset[str]:
    """Host header values accepted on `port`: each loopback name with the port, plus `extra`."""
    names = {f"{name}:{port}" for name in LOOPBACK_NAMES}
    names |= {h.lower() for h in extra}
    return frozenset(names)


def host_allowed(host: str | None, allowed: frozenset[str]) -> bool:
    """Whether a request's Host header is one of `allowed` (case-insensitive; an allowed name
    without a port accepts that name on any port, as a proxy in front may use its own)."""
    if not host:
        return False
    host = host.strip().lower()
    if host in allowed:
        return True
    name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    return name in allowed and name not in LOOPBACK_NAMES


class HostCheckASGI:
    """ASGI middleware: 421 for HTTP and a closed WebSocket for any other Host."""

    def __init__(self, app: Any, allowed: frozenset[str]) -> None:
        self.app, self.allowed = app, allowed

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] in ("http", "websocket"):
            host = _header(scope.get("headers") or (), b"host")
            if not host_allowed(host, self.allowed):
                if scope["type"] == "websocket":
                    await send({"type": "websocket.close", "code": 1008})
                    return
                await send(
                    {
                        "type": "http.response.start",
                        "status": MISDIRECTED,
                        "headers": [
                            (b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(_REFUSAL)).encode()),
                        ],
                    }
                )
                await send({"type": "http.response.body", "body": _REFUSAL})
                return
        await self.app(scope, receive, send)


def _header(headers: Iterable[tuple[bytes, bytes]], name: bytes) -> str | None:
    for key, value in headers:
        if key.lower() == name:
            return value.decode("latin-1")
    return None


class HostCheckWSGI:
    """WSGI middleware (Fava): 421 for any Host that is not allowed."""

    def __init__(self, app: Callable[..., Any], allowed: frozenset[str]) -> None:
        self.app, self.allowed = app, allowed

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if not host_allowed(environ.get("HTTP_HOST"), self.allowed):
            start_response(
                "421 Misdirected Request",
                [
                    ("Content-Type", "text/plain; charset=utf-8"),
                    ("Content-Length", str(len(_REFUSAL))),
                ],
            )
            return [_REFUSAL]
        return self.app(environ, start_response)
