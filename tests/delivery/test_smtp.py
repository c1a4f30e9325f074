"""SMTP delivery (idmint.delivery.smtp) against a real aiosmtpd server on loopback: plaintext relay,
STARTTLS and implicit TLS with a private CA, AUTH, refusals, a server that is down or silent."""

from __future__ import annotations

import email
import email.policy
import email.utils
import logging
import socket
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest

from idmint.core.model import Channel, Message
from idmint.core.ports import DeliveryFailed
from idmint.delivery.smtp import (
    DeliveryConfigError,
    SmtpConfig,
    SmtpSender,
    parse_mail_from,
    tls_context,
)
from idmint.delivery.timing import SendTimer
from idmint.settings import Settings
from tests.conftest import FrozenClock, listening_socket
from tests.delivery.conftest import Accounts, Pki, StartSmtp

pytestmark = pytest.mark.anyio

FROM = "Exämple Ünïcode <no-reply@example.com>"
BODY = "Votre code de vérification est 482913. Ne le partagez pas — merci ✓\n"
CODE = "482913"


def sender(
    url: str,
    *,
    ca_file: Path | None = None,
    timeout: float = 10.0,
    timer: SendTimer | None = None,
    clock: FrozenClock | None = None,
) -> SmtpSender:
    return SmtpSender(
        SmtpConfig.from_url(url),
        parse_mail_from(FROM),
        clock or FrozenClock(1_700_000_000.0),
        tls=tls_context(ca_file),
        timeout=timeout,
        timer=timer,
    )


def email_to(
    to: str = "alice@example.com", subject: str | None = "Vérifiez votre adresse"
) -> Message:
    return Message(Channel.EMAIL, to, BODY, subject, pool_id="us-east-1_abcdefghi")


def parse(content: bytes) -> EmailMessage:
    parsed = email.message_from_bytes(content, policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


@pytest.fixture
def messages(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    caplog.set_level(logging.DEBUG, logger="idmint")
    yield caplog


def no_secrets_in(caplog: pytest.LogCaptureFixture, *secrets: str) -> None:
    text = "\n".join(record.getMessage() for record in caplog.records)
    for secret in (CODE, BODY.strip(), *secrets):
        assert secret not in text


async def test_plaintext_relay_gets_a_proper_utf8_email(smtp_server: StartSmtp) -> None:
    server = smtp_server()
    await sender(f"smtp+insecure://127.0.0.1:{server.port}").send(email_to())

    [received] = server.mailbox.received
    assert received.mail_from == "no-reply@example.com"
    assert received.rcpt_tos == ["alice@example.com"]
    assert not received.tls and not received.authenticated
    mail = parse(received.content)
    assert str(mail["From"]) == FROM
    assert mail["From"].addresses[0].addr_spec == "no-reply@example.com"
    assert str(mail["To"]) == "alice@example.com"
    assert str(mail["Subject"]) == "Vérifiez votre adresse"
    assert email.utils.parsedate_to_datetime(str(mail["Date"])).timestamp() == 1_700_000_000
    assert str(mail["Message-ID"]).startswith("<") and str(mail["Message-ID"]).endswith(
        "@example.com>"
    )
    assert mail.get_content_type() == "text/plain"
    assert mail.get_content_charset() == "utf-8"
    assert mail.get_content().replace("\r\n", "\n") == BODY
    assert received.content.isascii()  # 7-bit clean: no 8BITMIME needed


async def test_each_message_has_its_own_message_id_and_a_default_subject(
    smtp_server: StartSmtp,
) -> None:
    server = smtp_server()
    smtp = sender(f"smtp+insecure://127.0.0.1:{server.port}")
    await smtp.send(email_to(subject=None))
    await smtp.send(email_to("bob@example.com"))
    first, second = (parse(r.content) for r in server.mailbox.received)
    assert str(first["Subject"]) == "Your verification code"
    assert first["Message-ID"] != second["Message-ID"]


async def test_starttls_with_a_private_ca(smtp_server: StartSmtp, pki: Pki) -> None:
    server = smtp_server(tls_context=pki.server_context(), require_starttls=True)
    await sender(f"smtp://127.0.0.1:{server.port}", ca_file=pki.ca_file).send(email_to())
    [received] = server.mailbox.received
    assert received.tls
    assert parse(received.content).get_content().replace("\r\n", "\n") == BODY


async def test_starttls_checks_the_host_name(smtp_server: StartSmtp, pki: Pki) -> None:
    """The certificate names localhost and 127.0.0.1; both are accepted, others are not."""
    server = smtp_server(tls_context=pki.server_context(), require_starttls=True)
    await sender(f"smtp://localhost:{server.port}", ca_file=pki.ca_file).send(email_to())
    assert len(server.mailbox.received) == 1


async def test_starttls_refuses_an_untrusted_certificate(
    smtp_server: StartSmtp, pki: Pki, messages: pytest.LogCaptureFixture
) -> None:
    server = smtp_server(tls_context=pki.server_context(), require_starttls=True)
    with pytest.raises(DeliveryFailed):
        await sender(f"smtp://127.0.0.1:{server.port}").send(email_to())  # system CAs only
    assert server.mailbox.received == []
    assert "CERTIFICATE_VERIFY_FAILED" in messages.text
    no_secrets_in(messages)


async def test_smtp_refuses_a_server_without_starttls(
    smtp_server: StartSmtp, messages: pytest.LogCaptureFixture
) -> None:
    """smtp:// means STARTTLS required: no AUTH and no message over plaintext."""
    accounts = Accounts({"mailer": "s3cret-pw"})
    server = smtp_server(authenticator=accounts, auth_require_tls=False)
    with pytest.raises(DeliveryFailed, match="STARTTLS"):
        await sender(f"smtp://mailer:s3cret-pw@127.0.0.1:{server.port}").send(email_to())
    assert server.mailbox.received == [] and accounts.attempts == []
    assert "does not offer STARTTLS" in messages.text
    no_secrets_in(messages, "s3cret-pw")


async def test_implicit_tls(smtp_server: StartSmtp, pki: Pki) -> None:
    server = smtp_server(ssl_context=pki.server_context())
    await sender(f"smtps://127.0.0.1:{server.port}", ca_file=pki.ca_file).send(email_to())
    [received] = server.mailbox.received
    assert parse(received.content).get_content().replace("\r\n", "\n") == BODY


async def test_auth_over_starttls_with_percent_encoded_credentials(
    smtp_server: StartSmtp, pki: Pki
) -> None:
    password = "p@ss:w/rd?#%"
    accounts = Accounts({"mailer@example.com": password})
    server = smtp_server(
        tls_context=pki.server_context(),
        require_starttls=True,
        authenticator=accounts,
        auth_required=True,
    )
    url = f"smtp://mailer%40example.com:p%40ss%3Aw%2Frd%3F%23%25@127.0.0.1:{server.port}"
    await sender(url, ca_file=pki.ca_file).send(email_to())
    assert accounts.attempts == [("mailer@example.com", password)]
    [received] = server.mailbox.received
    assert received.tls and received.authenticated


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
async def test_auth_over_a_plaintext_relay(smtp_server: StartSmtp) -> None:
    accounts = Accounts({"relay": "relay-pw"})
    server = smtp_server(authenticator=accounts, auth_required=True, auth_require_tls=False)
    await sender(f"smtp+insecure://relay:relay-pw@127.0.0.1:{server.port}").send(email_to())
    assert server.mailbox.received[0].authenticated


async def test_wrong_password_is_a_delivery_failure_that_never_logs_it(
    smtp_server: StartSmtp, pki: Pki, messages: pytest.LogCaptureFixture
) -> None:
    accounts = Accounts({"mailer": "right-pw"})
    server = smtp_server(
        tls_context=pki.server_context(),
        require_starttls=True,
        authenticator=accounts,
        auth_required=True,
    )
    smtp = sender(f"smtp://mailer:Wrong-Pw-123@127.0.0.1:{server.port}", ca_file=pki.ca_file)
    with pytest.raises(DeliveryFailed) as failure:
        await smtp.send(email_to())
    assert accounts.attempts == [("mailer", "Wrong-Pw-123")]
    assert server.mailbox.received == []
    assert "SMTPAuthenticationError 535" in messages.text
    no_secrets_in(messages, "Wrong-Pw-123")
    assert "Wrong-Pw-123" not in str(failure.value) and "Wrong-Pw-123" not in repr(smtp.config)


async def test_refused_recipient(
    smtp_server: StartSmtp, messages: pytest.LogCaptureFixture
) -> None:
    server = smtp_server()
    server.mailbox.refuse.add("ghost@example.com")
    smtp = sender(f"smtp+insecure://127.0.0.1:{server.port}")
    with pytest.raises(DeliveryFailed, match="550"):
        await smtp.send(email_to("ghost@example.com"))
    assert server.mailbox.received == []
    assert "ghost@example.com" in messages.text and "550 5.1.1" in messages.text
    no_secrets_in(messages)
    await smtp.send(email_to())  # the next message goes through: nothing is stuck
    assert len(server.mailbox.received) == 1


async def test_server_down(messages: pytest.LogCaptureFixture) -> None:
    with socket.socket() as bound:  # bound, not listening: connections are refused
        bound.bind(("127.0.0.1", 0))
        port = bound.getsockname()[1]
        with pytest.raises(DeliveryFailed):
            await sender(f"smtp+insecure://127.0.0.1:{port}").send(email_to())
    assert "ConnectionRefusedError" in messages.text
    no_secrets_in(messages)


async def test_silent_server_times_out(messages: pytest.LogCaptureFixture) -> None:
    """A server that accepts the connection but never greets: the IO timeout ends the wait."""
    with listening_socket() as silent:
        port = silent.getsockname()[1]
        with pytest.raises(DeliveryFailed, match="timed out"):
            await sender(f"smtp+insecure://127.0.0.1:{port}", timeout=0.2).send(email_to())
    no_secrets_in(messages)


async def test_unusable_recipient_is_a_delivery_failure(smtp_server: StartSmtp) -> None:
    server = smtp_server()
    with pytest.raises(DeliveryFailed):
        await sender(f"smtp+insecure://127.0.0.1:{server.port}").send(
            email_to("alice@example.com\r\nBcc: everyone@example.com")
        )
    assert server.mailbox.received == []


async def test_sms_is_not_for_smtp(smtp_server: StartSmtp) -> None:
    server = smtp_server()
    with pytest.raises(DeliveryFailed):
        await sender(f"smtp+insecure://127.0.0.1:{server.port}").send(
            Message(Channel.SMS, "+15555550100", "Your code is 123456")
        )


async def test_pretend_waits_as_long_as_successful_sends_took(smtp_server: StartSmtp) -> None:
    ticks = iter([10.0, 10.25, 20.0, 20.75, 30.0])  # two sends: 0.25 s and 0.75 s
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    timer = SendTimer(monotonic=lambda: next(ticks), sleep=sleep)
    server = smtp_server()
    server.mailbox.refuse.add("ghost@example.com")
    smtp = sender(f"smtp+insecure://127.0.0.1:{server.port}", timer=timer)
    await smtp.pretend(email_to())
    assert slept == []  # nothing measured yet: nothing to imitate
    await smtp.send(email_to())
    await smtp.send(email_to("bob@example.com"))
    with pytest.raises(DeliveryFailed):
        await smtp.send(email_to("ghost@example.com"))  # failures are not measured
    await smtp.pretend(email_to("nobody@example.com"))
    assert slept == [0.5]
    assert len(server.mailbox.received) == 2


async def test_send_timer_averages_a_moving_window() -> None:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    timer = SendTimer(window=3, sleep=sleep)
    for seconds in (9.0, 1.0, 2.0, 3.0):
        timer.record(seconds)
    assert timer.average == 2.0
    await timer.pretend()
    assert slept == [2.0]


# --------------------------------------------------------------------------- settings


@pytest.mark.parametrize(
    ("url", "security", "host", "port", "username", "password"),
    [
        ("smtp://mail.example.com", "starttls", "mail.example.com", 587, None, None),
        ("smtps://mail.example.com", "tls", "mail.example.com", 465, None, None),
        ("smtp+insecure://localhost", "plaintext", "localhost", 25, None, None),
        ("SMTP://u:p@Mail.Example.com:2525", "starttls", "mail.example.com", 2525, "u", "p"),
        ("smtps://a%40b.c:x%2Fy%3Az@[::1]:4650", "tls", "::1", 4650, "a@b.c", "x/y:z"),
        ("smtp://apikey@mail.example.com/", "starttls", "mail.example.com", 587, "apikey", None),
    ],
)
def test_smtp_url(
    url: str, security: str, host: str, port: int, username: str | None, password: str | None
) -> None:
    config = SmtpConfig.from_url(url)
    assert (config.security, config.host, config.port) == (security, host, port)
    assert (config.username, config.password) == (username, password)


@pytest.mark.parametrize(
    "url",
    [
        "http://mail.example.com",
        "mail.example.com:587",
        "smtp://",
        "smtp://user:pa/ss@mail.example.com",  # unescaped '/' in the password
        "smtp://user:pa?ss@mail.example.com",
        "smtp://mail.example.com:99999",
        "smtp://mail.example.com/path",
        "smtp://user:pässword@mail.example.com",
    ],
)
def test_bad_smtp_url_is_a_clear_error_without_the_password(url: str) -> None:
    with pytest.raises(DeliveryConfigError) as error:
        SmtpConfig.from_url(url)
    assert "pa" not in str(error.value).replace("path", "").replace("password", "")
    assert "smtp_url" in str(error.value)


def test_settings_keep_the_smtp_url_secret() -> None:
    settings = Settings(smtp_url="smtp://mailer:Hunter2-pw@mail.example.com:2525")
    assert "Hunter2-pw" not in repr(settings) and "Hunter2-pw" not in str(settings.model_dump())
    assert settings.smtp_url_redacted == "smtp://mailer:***@mail.example.com:2525"
    assert Settings(smtp_url="smtps://[::1]").smtp_url_redacted == "smtps://[::1]"
    assert Settings(smtp_url="smtp://u:pa/ss@h").smtp_url_redacted == "<malformed SMTP URL>"
    assert Settings().smtp_url_redacted is None


def test_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("IDMINT_SMTP_URL", "smtps://mail.example.com")
    monkeypatch.setenv("IDMINT_MAIL_FROM", "no-reply@example.com")
    monkeypatch.setenv("IDMINT_SMTP_CA_FILE", str(tmp_path / "ca.pem"))
    monkeypatch.setenv("IDMINT_SMTP_TIMEOUT", "2.5")
    settings = Settings()
    assert settings.smtp_url is not None
    assert settings.smtp_url.get_secret_value() == "smtps://mail.example.com"
    assert settings.mail_from == "no-reply@example.com"
    assert settings.smtp_ca_file == tmp_path / "ca.pem"
    assert settings.smtp_timeout == 2.5


@pytest.mark.parametrize(
    "value", [None, "", "   ", "no-reply", "a@b.c, d@e.f", "a@b.c\r\nBcc: x@y.z", "<>", "a@"]
)
def test_mail_from_must_be_one_address(value: str | None) -> None:
    with pytest.raises(DeliveryConfigError, match="mail_from"):
        parse_mail_from(value)


def test_mail_from_forms() -> None:
    assert parse_mail_from("no-reply@example.com").addr_spec == "no-reply@example.com"
    named = parse_mail_from("Example <no-reply@example.com>")
    assert (named.display_name, named.domain) == ("Example", "example.com")


def test_ca_file_must_be_readable(tmp_path: Path) -> None:
    with pytest.raises(DeliveryConfigError, match="smtp_ca_file"):
        tls_context(tmp_path / "missing.pem")
    (tmp_path / "junk.pem").write_text("not a certificate")
    with pytest.raises(DeliveryConfigError, match="smtp_ca_file"):
        tls_context(tmp_path / "junk.pem")
