"""The development outbox transport and ``build_sender``: which transport each setting gives, and
that SMS goes to the outbox when email goes through SMTP."""

from __future__ import annotations

import email
import email.policy
import logging
from pathlib import Path

import pytest

from idmint.core.model import Channel, Message
from idmint.delivery import DeliveryConfigError, build_sender, check_settings
from idmint.delivery.outbox import OutboxSender, outbox_json
from idmint.delivery.router import ChannelRouter
from idmint.delivery.timing import SendTimer
from idmint.settings import Settings
from idmint.store.sql import SqlStore
from tests.conftest import FrozenClock
from tests.delivery.conftest import Accounts, Pki, StartSmtp

pytestmark = pytest.mark.anyio

CODE_EMAIL = Message(
    Channel.EMAIL, "Alice@Example.com", "Your code is 120394", "Your code", "us-east-1_abc"
)
CODE_SMS = Message(Channel.SMS, "+15555550100", "Your code is 554433", pool_id="us-east-1_abc")


async def test_outbox_stores_and_logs_each_message(
    store: SqlStore, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="idmint")
    clock = FrozenClock(1_700_000_000.0)
    outbox = OutboxSender(store, clock)
    await outbox.send(CODE_EMAIL)
    clock.advance(5)
    await outbox.send(CODE_SMS)

    newest, oldest = await store.list_outbox(None, 10)
    assert (newest.message, newest.created_at) == (CODE_SMS, 1_700_000_005.0)
    assert (oldest.message, oldest.created_at) == (CODE_EMAIL, 1_700_000_000.0)
    assert [m.message for m in await store.list_outbox("alice@EXAMPLE.com", 10)] == [CODE_EMAIL]
    assert [m.message for m in await store.list_outbox(None, 1)] == [CODE_SMS]
    # Printing the message is the outbox's purpose: a developer reads codes in the log.
    assert "EMAIL to Alice@Example.com: [Your code] Your code is 120394" in caplog.text
    assert "SMS to +15555550100: Your code is 554433" in caplog.text


async def test_outbox_pretend_stores_nothing_and_waits_like_a_send(store: SqlStore) -> None:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    ticks = iter([1.0, 1.004])
    outbox = OutboxSender(
        store, FrozenClock(), timer=SendTimer(monotonic=lambda: next(ticks), sleep=sleep)
    )
    await outbox.pretend(CODE_EMAIL)
    await outbox.send(CODE_EMAIL)
    await outbox.pretend(CODE_EMAIL)
    assert len(await store.list_outbox(None, 10)) == 1
    assert slept == [pytest.approx(0.004)]


async def test_outbox_json(store: SqlStore) -> None:
    await OutboxSender(store, FrozenClock(1_700_000_000.9)).send(CODE_EMAIL)
    [item] = await store.list_outbox(None, 1)
    assert outbox_json(item) == {
        "id": item.id,
        "created_at": "2023-11-14T22:13:20Z",
        "channel": "EMAIL",
        "to": "Alice@Example.com",
        "subject": "Your code",
        "body": "Your code is 120394",
        "pool_id": "us-east-1_abc",
    }


async def test_without_smtp_everything_goes_to_the_outbox(
    store: SqlStore, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="idmint")
    sender = build_sender(Settings(), store, FrozenClock())
    assert isinstance(sender, OutboxSender)
    await sender.send(CODE_EMAIL)
    await sender.send(CODE_SMS)
    assert len(await store.list_outbox(None, 10)) == 2
    assert "development outbox" in caplog.text


async def test_with_smtp_email_goes_out_and_sms_to_the_outbox(
    store: SqlStore, smtp_server: StartSmtp, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="idmint")
    server = smtp_server(
        authenticator=Accounts({"relay": "Relay-Secret-9"}), auth_require_tls=False
    )
    settings = Settings(
        smtp_url=f"smtp+insecure://relay:Relay-Secret-9@127.0.0.1:{server.port}",
        mail_from="Example <no-reply@example.com>",
    )
    sender = build_sender(settings, store, FrozenClock())
    assert isinstance(sender, ChannelRouter)
    await sender.send(CODE_EMAIL)
    await sender.send(CODE_SMS)

    [received] = server.mailbox.received
    mail = email.message_from_bytes(received.content, policy=email.policy.default)
    assert received.rcpt_tos == ["Alice@Example.com"]
    assert "Your code is 120394" in mail.get_content()
    assert [m.message for m in await store.list_outbox(None, 10)] == [CODE_SMS]

    startup = [r for r in caplog.records if r.name.startswith("idmint.delivery")]
    text = "\n".join(r.getMessage() for r in startup)
    assert "Relay-Secret-9" not in caplog.text
    assert f"smtp+insecure://relay:***@127.0.0.1:{server.port}" in text
    assert sum("SMS messages go to the development outbox" in r.getMessage() for r in startup) == 1
    assert any(r.levelno == logging.WARNING and "without TLS" in r.getMessage() for r in startup)


async def test_pretend_follows_the_route(store: SqlStore, smtp_server: StartSmtp) -> None:
    server = smtp_server()
    sender = build_sender(
        Settings(
            smtp_url=f"smtp+insecure://127.0.0.1:{server.port}", mail_from="no-reply@example.com"
        ),
        store,
        FrozenClock(),
    )
    await sender.pretend(CODE_EMAIL)
    await sender.pretend(CODE_SMS)
    assert server.mailbox.received == [] and await store.list_outbox(None, 10) == []


def test_smtp_needs_mail_from() -> None:
    with pytest.raises(DeliveryConfigError, match="mail_from"):
        check_settings(Settings(smtp_url="smtp://mail.example.com"))


def test_smtp_settings_are_checked_at_startup(tmp_path: Path, pki: Pki) -> None:
    good = {"smtp_url": "smtps://u:p@mail.example.com", "mail_from": "no-reply@example.com"}
    check_settings(Settings(**good))
    check_settings(Settings(**good, smtp_ca_file=pki.ca_file))
    check_settings(Settings())  # the outbox needs nothing
    check_settings(Settings(smtp_url=" "))  # IDMINT_SMTP_URL= (empty) means unset
    with pytest.raises(DeliveryConfigError, match="smtp_ca_file"):
        check_settings(Settings(**good, smtp_ca_file=tmp_path / "missing.pem"))
    with pytest.raises(DeliveryConfigError, match="smtp_url") as error:
        check_settings(Settings(**{**good, "smtp_url": "smtp://u:Pass/Word@mail.example.com"}))
    assert "Pass" not in str(error.value)
