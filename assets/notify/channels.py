"""The two ways a message reaches the owner: an ntfy topic (one HTTP POST) and e-mail (SMTP).

Each sender raises DeliveryError with one plain line on any failure; the line never holds the
token or the password (a server may echo what it was sent, so both are blanked out of it).
"""

from __future__ import annotations

import smtplib
import ssl
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

TIMEOUT_SECONDS = 10.0
SMTPS_PORT = 465


@dataclass(frozen=True)
class Message:
    """What the owner reads: a title (the e-mail subject), a body and an optional link."""

    title: str
    body: str
    link: str = ""
    urgent: bool = False


class DeliveryError(Exception):
    """A channel could not deliver a message; the text says why in one line, without secrets."""


@dataclass(frozen=True)
class Channel:
    """A configured channel: its name and the function that sends one message through it."""

    name: str
    send: Callable[[Message], None]


def _blank(text: str, secrets: Sequence[str]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return " ".join(text.split())


def _header(text: str) -> str:
    # HTTP headers are latin-1: ntfy reads RFC 2047 encoded words for anything else (₹, names).
    try:
        text.encode("latin-1")
    except UnicodeEncodeError:
        from email.header import Header

        return Header(text, "utf-8").encode()
    return text


def send_ntfy(
    url: str, message: Message, token: str = "", timeout: float = TIMEOUT_SECONDS
) -> None:
    """POST `message` to the ntfy topic at `url` (the body is the text; title, link as headers)."""
    headers = {"Title": _header(message.title), "Tags": "homeclerk"}
    if message.link:
        headers["Click"] = message.link
    if message.urgent:
        headers["Priority"] = "high"
    if token:
        headers["Authorization"] = f"Bearer {token}"
    body = message.body + (f"\n{message.link}" if message.link else "")
    request = urllib.request.Request(url, data=body.encode("utf-8"), headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()
    except urllib.error.HTTPError as exc:
        raise DeliveryError(
            _blank(f"{url} answered HTTP {exc.code} {exc.reason}", [token])
        ) from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DeliveryError(_blank(f"{url} unreachable: {reason}", [token])) from None


@dataclass(frozen=True)
class SmtpServer:
    """Where and as whom e-mail is sent (the password is passed apart, never kept in logs)."""

    host: str
    port: int
    user: str = ""
    starttls: bool = True


def send_email(
    server: SmtpServer,
    password: str,
    sender: str,
    recipients: Sequence[str],
    message: Message,
    timeout: float = TIMEOUT_SECONDS,
) -> None:
    """Send `message` by SMTP to `recipients`; STARTTLS when asked, login when a user is set."""
    mail = EmailMessage()
    mail["Subject"] = message.title
    mail["From"] = sender
    mail["To"] = ", ".join(recipients)
    mail["Date"] = formatdate(localtime=False)
    mail["Message-ID"] = make_msgid(domain="homeclerk.local")
    mail.set_content(message.body + (f"\n\n{message.link}\n" if message.link else "\n"))
    where = f"SMTP {server.host}:{server.port}"
    try:
        # Port 465 speaks TLS from the first byte (SMTPS); any other port upgrades with STARTTLS.
        if server.port == SMTPS_PORT:
            connection = smtplib.SMTP_SSL(
                server.host, server.port, timeout=timeout, context=ssl.create_default_context()
            )
        else:
            connection = smtplib.SMTP(server.host, server.port, timeout=timeout)
        with connection as smtp:
            if server.starttls and server.port != SMTPS_PORT:
                smtp.starttls(context=ssl.create_default_context())
            if server.user:
                smtp.login(server.user, password)
            smtp.send_message(mail)
    except smtplib.SMTPAuthenticationError as exc:
        raise DeliveryError(
            _blank(f"{where} refused the login of {server.user}: {exc.smtp_code}", [password])
        ) from None
    except smtplib.SMTPNotSupportedError:
        raise DeliveryError(
            f"{where} does not offer STARTTLS: set `smtp_starttls = false` only for a server on "
            "this machine"
        ) from None
    except (smtplib.SMTPException, OSError) as exc:
        raise DeliveryError(_blank(f"{where}: {exc}", [password])) from None


def configured_channels(
    ntfy_url: str,
    ntfy_token: str,
    smtp: SmtpServer | None,
    smtp_password: str,
    sender: str,
    recipients: Sequence[str],
    timeout: float = TIMEOUT_SECONDS,
) -> list[Channel]:
    """The channels a configuration names, ntfy first (empty when none is configured)."""
    channels = []
    if ntfy_url:
        channels.append(
            Channel("ntfy", lambda m: send_ntfy(ntfy_url, m, ntfy_token, timeout=timeout))
        )
    if smtp is not None and smtp.host:
        channels.append(
            Channel(
                "email",
                lambda m: send_email(smtp, smtp_password, sender, recipients, m, timeout=timeout),
            )
        )
    return channels
