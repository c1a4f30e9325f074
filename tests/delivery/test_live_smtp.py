"""The live server sending Cognito codes through a real SMTP server on loopback: SignUp's code
arrives by email and confirms the user; a refused message is CodeDeliveryFailureException and
the user can ask again (Cognito SignUp, ResendConfirmationCode, ForgotPassword)."""

from __future__ import annotations

import email
import email.policy
import re
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import (
    PASSWORD,
    Database,
    FrozenClock,
    LiveServer,
    error,
    make_pool,
    outbox,
    start_server,
    stop_server,
)
from tests.delivery.conftest import SmtpServer, StartSmtp

EMAIL = "bob@example.com"


@pytest.fixture
def relay(smtp_server: StartSmtp) -> SmtpServer:
    return smtp_server()


@pytest.fixture
def mailing(database: Database, clock: FrozenClock, relay: SmtpServer) -> Iterator[LiveServer]:
    server = start_server(
        database,
        clock,
        smtp_url=f"smtp+insecure://127.0.0.1:{relay.port}",
        mail_from="Example <no-reply@example.com>",
    )
    try:
        yield server
    finally:
        stop_server(server)


def received_code(relay: SmtpServer, to: str) -> str:
    mails = [m for m in relay.mailbox.received if to in m.rcpt_tos]
    assert mails, f"no mail to {to}"
    message = email.message_from_bytes(mails[-1].content, policy=email.policy.default)
    assert message["From"] == "Example <no-reply@example.com>"
    assert message["Subject"] == "Your verification code"
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    found = re.search(r"\b[0-9]{6}\b", body.get_content())
    assert found
    return found.group()


def test_codes_arrive_by_email(mailing: LiveServer, relay: SmtpServer) -> None:
    cognito: Any = mailing.client()
    pool = make_pool(cognito, pool_args={"AutoVerifiedAttributes": ["email"]})
    result = cognito.sign_up(
        ClientId=pool.client_id,
        Username="bob",
        Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": EMAIL}],
    )
    assert result["CodeDeliveryDetails"]["Destination"] == "b***@e***"
    cognito.confirm_sign_up(
        ClientId=pool.client_id, Username="bob", ConfirmationCode=received_code(relay, EMAIL)
    )
    assert cognito.admin_get_user(UserPoolId=pool.id, Username="bob")["UserStatus"] == "CONFIRMED"
    assert outbox(mailing, EMAIL) == []  # email went by SMTP, not to the outbox


def test_refused_message_then_ask_again(mailing: LiveServer, relay: SmtpServer) -> None:
    cognito: Any = mailing.client()
    pool = make_pool(cognito, pool_args={"AutoVerifiedAttributes": ["email"]})
    relay.mailbox.refuse.add(EMAIL)
    with pytest.raises(ClientError) as exc:
        cognito.sign_up(
            ClientId=pool.client_id,
            Username="bob",
            Password=PASSWORD,
            UserAttributes=[{"Name": "email", "Value": EMAIL}],
        )
    kind, message = error(exc)
    assert kind == "CodeDeliveryFailureException"
    assert "550" not in message  # the relay's reply is for the log, not the client
    # The user exists, unconfirmed, and can ask for the code again once mail flows.
    assert cognito.admin_get_user(UserPoolId=pool.id, Username="bob")["UserStatus"] == (
        "UNCONFIRMED"
    )
    relay.mailbox.refuse.clear()
    cognito.resend_confirmation_code(ClientId=pool.client_id, Username="bob")
    cognito.confirm_sign_up(
        ClientId=pool.client_id, Username="bob", ConfirmationCode=received_code(relay, EMAIL)
    )
    assert cognito.admin_get_user(UserPoolId=pool.id, Username="bob")["UserStatus"] == "CONFIRMED"


def test_sms_still_goes_to_the_outbox(mailing: LiveServer, relay: SmtpServer) -> None:
    cognito: Any = mailing.client()
    pool = make_pool(cognito, pool_args={"AutoVerifiedAttributes": ["phone_number"]})
    cognito.sign_up(
        ClientId=pool.client_id,
        Username="bob",
        Password=PASSWORD,
        UserAttributes=[{"Name": "phone_number", "Value": "+15555550100"}],
    )
    assert len(outbox(mailing, "+15555550100")) == 1
    assert relay.mailbox.received == []
