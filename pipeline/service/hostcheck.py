"""Answer only requests addressed to us: the `Host` header check in front of every local UI.

A page on any web site can make the browser send requests to 127.0.0.1 under a name it controls
(DNS rebinding); the only thing that tells those apart is the `Host` header, which names the
attacker's domain. So every server `homeclerk serve` starts answers 421 (Misdirected Request)
unless `Host` is one of the loopback names with its port, or a name the owner allowed in
`[service] allowed_hosts` (for `tailscale serve` or a reverse proxy).

The Host check does not stop a page the owner visits from sending requests to `127.0.0.1:PORT`
under that very name (cross-site request forgery): a form POST, a `text/plain` fetch or a GET
with a GraphQL mutation in its URL needs no preflight, and a websocket has no same-origin rule.
So a request that can change something (any method but GET/HEAD/OPTIONS, a GraphQL mutation sent
as a GET, every websocket) whose `Origin` (or, without one, `Sec-Fetch-Site`) says it comes from
another site gets 403. Reads stay open, and so do clients that are no browser (they send neither
header: curl, dashboards fetching server-side).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs, urlsplit

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


FORBIDDEN = 403
_CROSS_SITE_REFUSAL = (
    b"Forbidden: a request that can change something must come from this server's own pages "
    b"(its Origin was another site). Open this server at its own address instead.\n"
)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_MUTATION = re.compile(r"(?<![\w$])mutation(?![\w$])")
_COMMENT = re.compile(r"#[^\n\r]*")


def is_cross_site(origin: str | None, fetch_site: str | None, allowed: frozenset[str]) -> bool:
    """Whether a browser sent this request from a page that is not this server's own.

    `Origin` decides when present (`null`, from a sandboxed frame or a file, is foreign); without
    it, `Sec-Fetch-Site` (`same-site` is another port or subdomain: foreign too). A request with
    neither comes from no browser and is not cross-site.
    """
    if origin is not None:
        origin = origin.strip()
        if origin.lower() == "null":
            return True
        parts = urlsplit(origin)
        return parts.scheme not in ("http", "https") or not host_allowed(parts.netloc, allowed)
    return (fetch_site or "").strip().lower() in ("cross-site", "same-site")


def can_change_state(method: str, path: str, query_string: str) -> bool:
    """Whether a request may change something: any method but GET/HEAD/OPTIONS, or a GET to a
    GraphQL endpoint whose `query` holds a mutation (Dagster's API accepts those as GETs)."""
    if method.upper() not in SAFE_METHODS:
        return True
    if not path.rstrip("/").endswith("/graphql"):
        return False
    queries = parse_qs(query_string, keep_blank_values=True).get("query", [])
    return any(_MUTATION.search(_COMMENT.sub("", q)) for q in queries)


class HostCheckASGI:
    """ASGI middleware: 421 for HTTP and a closed WebSocket for any other Host; 403 for a
    cross-site request that can change something, and a refused cross-site WebSocket."""

    def __init__(self, app: Any, allowed: frozenset[str]) -> None:
        self.app, self.allowed = app, allowed

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        """Answer 403 to a foreign Host or a cross-site change; pass the rest on."""
        if scope["type"] in ("http", "websocket"):
            headers = scope.get("headers") or ()
            host = _header(headers, b"host")
            if not host_allowed(host, self.allowed):
                if scope["type"] == "websocket":
                    await send({"type": "websocket.close", "code": 1008})
                    return
                await _send_plain(send, MISDIRECTED, _REFUSAL)
                return
            origin = _header(headers, b"origin")
            fetch_site = _header(headers, b"sec-fetch-site")
            if scope["type"] == "websocket":
                changes = True  # a websocket can do whatever its protocol allows
            else:
                query = (scope.get("query_string") or b"").decode("latin-1")
                changes = can_change_state(scope.get("method", "GET"), scope["path"], query)
            if changes and is_cross_site(origin, fetch_site, self.allowed):
                if scope["type"] == "websocket":
                    # Closing before accepting makes the server answer the handshake with 403.
                    await send({"type": "websocket.close", "code": 1008})
                    return
                await _send_plain(send, FORBIDDEN, _CROSS_SITE_REFUSAL)
                return
        await self.app(scope, receive, send)


async def _send_plain(send: Any, status: int, body: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _header(headers: Iterable[tuple[bytes, bytes]], name: bytes) -> str | None:
    for key, value in headers:
        if key.lower() == name:
            return value.decode("latin-1")
    return None


class HostCheckWSGI:
    """WSGI middleware (Fava): 421 for any Host that is not allowed, 403 for a cross-site
    request that can change something (every write of Fava's API is a PUT or a DELETE)."""

    def __init__(self, app: Callable[..., Any], allowed: frozenset[str]) -> None:
        self.app, self.allowed = app, allowed

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        """Answer 403 to a foreign Host or a cross-site change; pass the rest on."""
        if not host_allowed(environ.get("HTTP_HOST"), self.allowed):
            start_response(
                "421 Misdirected Request",
                [
                    ("Content-Type", "text/plain; charset=utf-8"),
                    ("Content-Length", str(len(_REFUSAL))),
                ],
            )
            return [_REFUSAL]
        changes = can_change_state(
            environ.get("REQUEST_METHOD", "GET"),
            environ.get("PATH_INFO", ""),
            environ.get("QUERY_STRING", ""),
        )
        if changes and is_cross_site(
            environ.get("HTTP_ORIGIN"), environ.get("HTTP_SEC_FETCH_SITE"), self.allowed
        ):
            start_response(
                "403 Forbidden",
                [
                    ("Content-Type", "text/plain; charset=utf-8"),
                    ("Content-Length", str(len(_CROSS_SITE_REFUSAL))),
                ],
            )
            return [_CROSS_SITE_REFUSAL]
        return self.app(environ, start_response)
