"""Message delivery: the transports behind ``idmint.core.ports.MessageSender``.

Without ``smtp_url`` every message goes to the development outbox (stored, logged, readable with
``idmint outbox`` and ``GET /admin/outbox``). With it, EMAIL messages go through SMTP and SMS
messages still go to the outbox: idmint has no SMS gateway.
"""

from __future__ import annotations

import logging

from idmint.core.model import Channel
from idmint.core.ports import Clock, MessageSender, Store
from idmint.delivery.outbox import OutboxSender
from idmint.delivery.router import ChannelRouter
from idmint.delivery.smtp import (
    DeliveryConfigError,
    SmtpConfig,
    SmtpSender,
    parse_mail_from,
    tls_context,
)
from idmint.settings import Settings

__all__ = ["DeliveryConfigError", "build_sender", "check_settings"]

log = logging.getLogger("idmint.delivery")


def _smtp_sender(settings: Settings, clock: Clock) -> SmtpSender | None:
    """The SMTP transport the settings describe, None without ``smtp_url`` (or with it empty)."""
    if settings.smtp_url is None or not settings.smtp_url.get_secret_value().strip():
        return None
    config = SmtpConfig.from_url(settings.smtp_url.get_secret_value())
    return SmtpSender(
        config,
        parse_mail_from(settings.mail_from),
        clock,
        tls=tls_context(settings.smtp_ca_file),
        timeout=settings.smtp_timeout,
    )


def check_settings(settings: Settings) -> None:
    """Raise ``DeliveryConfigError`` now if the delivery settings cannot work (for the CLI)."""
    _smtp_sender(settings, lambda: 0.0)


def build_sender(settings: Settings, store: Store, clock: Clock) -> MessageSender:
    """The configured transport: the development outbox unless SMTP is configured."""
    outbox = OutboxSender(store, clock)
    smtp = _smtp_sender(settings, clock)
    if smtp is None:
        log.warning(
            "messages are not sent: the development outbox stores and logs them "
            "(read them with `idmint outbox`); set --smtp-url to send email"
        )
        return outbox
    log.info(
        "email through SMTP %s (%s) from %s",
        settings.smtp_url_redacted,
        smtp.config.security,
        settings.mail_from,
    )
    if smtp.config.security == "plaintext":
        log.warning(
            "SMTP without TLS (smtp+insecure): use it only for a relay on this host%s",
            "; the SMTP password crosses the network in the clear" if smtp.config.username else "",
        )
    log.info("SMS messages go to the development outbox: idmint has no SMS gateway")
    return ChannelRouter({Channel.EMAIL: smtp}, default=outbox)
