"""SMTP delivery of EMAIL messages: the production ``MessageSender``.

One connection per message, made with the standard library's ``smtplib`` in a worker thread
(``asyncio.to_thread``), so the event loop never waits on the network. Every socket operation
(connect, TLS handshake, each SMTP command) is bounded by ``timeout``. Three ways to connect, named
by the scheme of ``smtp_url``:

* ``smtp://[user:pass@]host[:port]``: submission with STARTTLS required (RFC 3207, RFC 6409;
  port 587). A server that does not offer STARTTLS gets nothing, credentials included.
* ``smtps://[user:pass@]host[:port]``: implicit TLS from the first byte (RFC 8314 §3.3; port 465).
* ``smtp+insecure://[user:pass@]host[:port]``: plaintext (port 25), for a relay on the same host.

Server certificates are verified against the system CAs (plus ``smtp_ca_file``) and the host name
(``ssl.create_default_context``). Any failure (refused connection, timeout, TLS error, refused
sender or recipient, failed AUTH) becomes ``DeliveryFailed``, logged with its cause but never the
body, a code or the password.
"""

from __future__ import annotations

import asyncio
import email.errors
import email.policy
import email.utils
import functools
import logging
import smtplib
import socket
import ssl
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.message import EmailMessage
from pathlib import Path
from typing import Literal
from urllib.parse import unquote, urlsplit

from idmint.core.model import Channel, Message
from idmint.core.ports import Clock, DeliveryFailed
from idmint.delivery.timing import SendTimer

log = logging.getLogger("idmint.smtp")

Security = Literal["starttls", "tls", "plaintext"]
SCHEMES: dict[str, tuple[Security, int]] = {
    "smtp": ("starttls", 587),
    "smtps": ("tls", 465),
    "smtp+insecure": ("plaintext", 25),
}
DEFAULT_SUBJECT = "Your verification code"
# Non-ASCII bodies go as quoted-printable: 7-bit clean, whatever the server's 8BITMIME support.
_POLICY = email.policy.SMTP.clone(cte_type="7bit")


class DeliveryConfigError(ValueError):
    """A delivery setting is unusable. The message names the setting, never its secret part."""


@dataclass(frozen=True, slots=True)
class SmtpConfig:
    """Where and how to connect, from ``smtp_url``."""

    security: Security
    host: str
    port: int
    username: str | None = None
    password: str | None = field(default=None, repr=False)

    @classmethod
    def from_url(cls, url: str) -> SmtpConfig:
        """Parse ``smtp_url``; ``DeliveryConfigError`` (without the URL in it) if malformed."""
        try:
            parts = urlsplit(url.strip())
            port = parts.port
        except ValueError:
            raise DeliveryConfigError("smtp_url is not a valid URL") from None
        scheme = parts.scheme.lower()
        if scheme not in SCHEMES:
            raise DeliveryConfigError(
                "smtp_url must start with smtp:// (STARTTLS), smtps:// (implicit TLS) "
                "or smtp+insecure:// (plaintext, local relay only)"
            )
        if parts.path not in ("", "/") or parts.query or parts.fragment:
            raise DeliveryConfigError(
                "smtp_url has a path, query or fragment: percent-encode '/', '?', '#' and '@' "
                "in the user name and password"
            )
        if not parts.hostname:
            raise DeliveryConfigError("smtp_url has no host name")
        security, default_port = SCHEMES[scheme]
        username = None if parts.username is None else unquote(parts.username)
        password = None if parts.password is None else unquote(parts.password)
        if not (username or "").isascii() or not (password or "").isascii():
            raise DeliveryConfigError("smtp_url: the SMTP user name and password must be ASCII")
        return cls(security, parts.hostname, port or default_port, username or None, password)

    @property
    def address(self) -> str:
        """``host:port``, for logs."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"


def parse_mail_from(value: str | None) -> Address:
    """The ``mail_from`` setting as one address (``Name <user@domain>`` or ``user@domain``)."""
    if not value or not value.strip():
        raise DeliveryConfigError(
            "mail_from (--mail-from, IDMINT_MAIL_FROM) is required when SMTP is configured, "
            "e.g. 'Example <no-reply@example.com>'"
        )
    problem = DeliveryConfigError(
        f"mail_from is not one email address: {value!r} "
        "(expected 'user@domain' or 'Name <user@domain>')"
    )
    if "\r" in value or "\n" in value:
        raise problem
    try:
        header = email.policy.default.header_factory("From", value.strip())
        addresses = header.addresses
    except (ValueError, IndexError, email.errors.MessageError):
        raise problem from None
    if header.defects or len(addresses) != 1:
        raise problem
    address: Address = addresses[0]
    if not address.username or not address.domain:
        raise problem
    return address


def tls_context(ca_file: Path | None) -> ssl.SSLContext:
    """Certificate and host name verification with the system CAs, plus ``ca_file``'s."""
    context = ssl.create_default_context()
    if ca_file is not None:
        try:
            context.load_verify_locations(cafile=str(ca_file))
        except (OSError, ssl.SSLError) as exc:
            raise DeliveryConfigError(
                f"smtp_ca_file {str(ca_file)!r} is not a readable PEM file of CA certificates "
                f"({exc.strerror or type(exc).__name__})"
            ) from None
    return context


@functools.cache
def _local_hostname() -> str:
    """The name given in EHLO; looked up once (``getfqdn`` may query DNS)."""
    return socket.getfqdn()


class _NoStartTls(Exception):
    pass


class SmtpSender:
    """``MessageSender`` for EMAIL messages through one SMTP server."""

    def __init__(
        self,
        config: SmtpConfig,
        mail_from: Address,
        clock: Clock,
        *,
        tls: ssl.SSLContext | None = None,
        timeout: float = 10.0,
        timer: SendTimer | None = None,
    ) -> None:
        self.config = config
        self._from = mail_from
        self._clock = clock
        self._tls = tls or ssl.create_default_context()
        self._timeout = timeout
        self._timer = timer or SendTimer()

    async def send(self, message: Message) -> None:
        """Hand ``message`` to the SMTP server, or raise ``DeliveryFailed``."""
        if message.channel is not Channel.EMAIL:
            raise DeliveryFailed(f"SMTP cannot deliver {message.channel.value} messages")
        try:
            mail = self.compose(message)
        except (ValueError, IndexError, email.errors.MessageError):
            log.warning("email not sent: the recipient is not a usable address")
            raise DeliveryFailed("the recipient is not a usable email address") from None
        try:
            with self._timer.measure():
                await asyncio.to_thread(self._deliver, mail)
        except _NoStartTls:
            reason = "the server does not offer STARTTLS"
        except smtplib.SMTPResponseException as exc:  # AUTH, MAIL FROM, DATA refused ...
            reason = f"{type(exc).__name__} {exc.smtp_code} {_text(exc.smtp_error)}"
        except smtplib.SMTPRecipientsRefused as exc:
            refusals = [f"{code} {_text(text)}" for code, text in exc.recipients.values()]
            reason = f"recipient refused: {'; '.join(refusals)}"
        except (OSError, ValueError) as exc:  # connection, timeout, TLS, other SMTP errors
            detail = str(exc) if isinstance(exc, OSError) else ""
            reason = f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__
        else:
            return
        log.warning("email to %s not sent via SMTP %s: %s", message.to, self.config.address, reason)
        raise DeliveryFailed(f"SMTP delivery failed: {reason}")

    async def pretend(self, message: Message) -> None:
        """Wait as long as recent successful sends took, sending nothing."""
        await self._timer.pretend()

    def compose(self, message: Message) -> EmailMessage:
        """The email for ``message``: From, To, Subject, Date, Message-ID, a UTF-8 text body."""
        mail = EmailMessage(policy=_POLICY)
        mail["From"] = self._from
        mail["To"] = message.to
        mail["Subject"] = message.subject or DEFAULT_SUBJECT
        mail["Date"] = email.utils.formatdate(self._clock(), usegmt=True)
        mail["Message-ID"] = email.utils.make_msgid(domain=self._from.domain)
        mail.set_content(message.body, charset="utf-8")
        return mail

    def _deliver(self, mail: EmailMessage) -> None:
        """Connect, secure, authenticate and send: blocking, run in a worker thread."""
        config = self.config
        client: smtplib.SMTP
        if config.security == "tls":
            client = smtplib.SMTP_SSL(
                config.host,
                config.port,
                local_hostname=_local_hostname(),
                timeout=self._timeout,
                context=self._tls,
            )
        else:
            client = smtplib.SMTP(
                config.host, config.port, local_hostname=_local_hostname(), timeout=self._timeout
            )
        with client:
            client.ehlo()
            if config.security == "starttls":
                if not client.has_extn("starttls"):
                    raise _NoStartTls()
                client.starttls(context=self._tls)
                client.ehlo()
            if config.username is not None:
                _login(client, config.username, config.password or "")
            client.send_message(mail)


def _login(client: smtplib.SMTP, username: str, password: str) -> None:
    """AUTH with one mechanism: PLAIN (RFC 4616), else LOGIN, else whatever smtplib picks.

    ``SMTP.login`` tries every mechanism the server offers until one works: a wrong password
    would count as several failed logins, and some servers lock accounts after a few.
    """
    offered = client.esmtp_features.get("auth", "").upper().split()
    for mechanism, answer in (("PLAIN", client.auth_plain), ("LOGIN", client.auth_login)):
        if mechanism in offered:
            client.user, client.password = username, password
            client.auth(mechanism, answer)  # SMTPAuthenticationError unless 235 (or 503)
            return
    client.login(username, password)


def _text(value: bytes | str) -> str:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return " ".join(value.split())[:200]
