"""User existence by timing: with PreventUserExistenceErrors ENABLED (the default for new app
clients), does a known user's answer take as long as an unknown user's? For each public action
that names a user, known and unknown requests are interleaved (ABBA order, so drift and position
effects fall on both alike) and timed one at a time as raw HTTP POSTs (httpx, one keep-alive
connection), so boto3's overhead is not measured. Prints figures; asserts nothing.

    .venv/bin/python bench/existence_timing.py [--requests 40] [--smtp [--smtp-delay-ms 0]]

Without ``--smtp`` messages go to the development outbox (a database write); with it, to an
aiosmtpd relay on 127.0.0.1 (``--smtp-url smtp+insecure://...``), whose delivery time the server's
``pretend`` imitates for unknown users.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import os
import platform
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import httpx
from aiosmtpd.controller import Controller
from pycognito.aws_srp import AWSSRP

PASSWORD = "Bench-Passw0rd!"
WRONG_PASSWORD = "Wrong-Passw0rd!"
NEW_PASSWORD = "Fresh-Passw0rd!"
WRONG_CODE = "000000"
MAX_CODE_ATTEMPTS = 5  # wrong answers a code allows (idmint.core.codes.MAX_ATTEMPTS)
MAIL_FROM = "idmint bench <no-reply@example.com>"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Relay:
    """aiosmtpd handler: accepts every message, after ``delay`` seconds, and counts them."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.received = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.delay > 0:
            await asyncio.sleep(self.delay)
        self.received += 1
        return "250 Message accepted for delivery"


@dataclass
class Server:
    url: str
    proc: subprocess.Popen[bytes]
    log: Path


def start_server(data_dir: Path, log: Path, extra: list[str]) -> Server:
    port = free_port()
    command = [sys.executable, "-m", "idmint", "serve", "--port", str(port)]
    command += ["--data-dir", str(data_dir), *extra]
    with log.open("wb") as out:
        proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        if proc.poll() is not None:
            sys.exit(f"idmint serve exited with {proc.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                return Server(url, proc, log)
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            proc.kill()
            sys.exit(f"idmint serve did not answer /health within 60 s:\n{log.read_text()}")
        time.sleep(0.02)


def stop_server(server: Server) -> None:
    server.proc.send_signal(signal.SIGTERM)
    try:
        server.proc.wait(30)
    except subprocess.TimeoutExpired:
        server.proc.kill()
        server.proc.wait()


def admin_key(data_dir: Path) -> dict[str, str]:
    command = [sys.executable, "-m", "idmint", "admin-key", "create", "--json"]
    out = subprocess.run(
        [*command, "--data-dir", str(data_dir)], check=True, capture_output=True, text=True
    ).stdout
    key: dict[str, str] = json.loads(out)
    return key


@dataclass
class Fixture:
    pool_id: str
    client_id: str
    confirmed: list[str]
    unconfirmed: list[str]


def populate(url: str, key: dict[str, str], users: int, unconfirmed: int) -> Fixture:
    """A pool (email auto-verified), an app client with USER_PASSWORD_AUTH and the users."""
    idp = boto3.client(
        "cognito-idp",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id=key["AccessKeyId"],
        aws_secret_access_key=key["SecretAccessKey"],
    )
    pool_id = idp.create_user_pool(PoolName="existence-timing", AutoVerifiedAttributes=["email"])[
        "UserPool"
    ]["Id"]
    client_id = idp.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="bench",
        ExplicitAuthFlows=[
            "ALLOW_USER_PASSWORD_AUTH",
            "ALLOW_USER_SRP_AUTH",
            "ALLOW_REFRESH_TOKEN_AUTH",
        ],
    )["UserPoolClient"]["ClientId"]
    confirmed = [f"known-{i:03d}" for i in range(users)]
    pending = [f"pending-{i:03d}" for i in range(unconfirmed)]
    for name in confirmed + pending:
        idp.sign_up(
            ClientId=client_id,
            Username=name,
            Password=PASSWORD,
            UserAttributes=[{"Name": "email", "Value": f"{name}@example.com"}],
        )
    for name in confirmed:
        idp.admin_confirm_sign_up(UserPoolId=pool_id, Username=name)
        idp.admin_update_user_attributes(
            UserPoolId=pool_id,
            Username=name,
            UserAttributes=[{"Name": "email_verified", "Value": "true"}],
        )
    return Fixture(pool_id, client_id, confirmed, pending)


UNKNOWN_PREFIX = "nobody-"
SENDING_ACTIONS = ("ForgotPassword", "ResendConfirmationCode")


class Wire:
    """Raw Cognito JSON calls over one keep-alive connection."""

    def __init__(self, url: str) -> None:
        self._http = httpx.Client(base_url=url, timeout=60)
        # Successful ForgotPassword/ResendConfirmationCode answers for registered users: each
        # should have sent one message (unknown users' answers send none).
        self.real_sends = 0

    def close(self) -> None:
        self._http.close()

    def json(self, action: str, body: dict[str, Any]) -> dict[str, Any]:
        """An untimed call's answer, decoded."""
        response = self._http.post(
            "/",
            content=json.dumps(body).encode(),
            headers={
                "Content-Type": "application/x-amz-json-1.1",
                "X-Amz-Target": f"AWSCognitoIdentityProviderService.{action}",
            },
        )
        answer: dict[str, Any] = response.json()
        return answer

    def call(self, action: str, body: dict[str, Any]) -> tuple[float, str]:
        """Seconds from sending the request to having read the whole answer, and the answer's
        kind: the error ``__type``, or ``200`` (plus the delivery medium, if any)."""
        content = json.dumps(body).encode()
        headers = {
            "Content-Type": "application/x-amz-json-1.1",
            "X-Amz-Target": f"AWSCognitoIdentityProviderService.{action}",
        }
        started = time.perf_counter()
        response = self._http.post("/", content=content, headers=headers)
        elapsed = time.perf_counter() - started
        answer = answer_kind(response)
        if (
            action in SENDING_ACTIONS
            and answer.startswith("200")
            and not str(body.get("Username", "")).startswith(UNKNOWN_PREFIX)
        ):
            self.real_sends += 1
        return elapsed, answer


def answer_kind(response: httpx.Response) -> str:
    try:
        data = response.json()
    except ValueError:
        return f"HTTP {response.status_code} (not JSON)"
    if response.status_code == 200:
        medium = (data.get("CodeDeliveryDetails") or {}).get("DeliveryMedium")
        return f"200 {medium}" if medium else "200"
    return str(data.get("__type", f"HTTP {response.status_code}"))


@dataclass
class Sample:
    seconds: list[float] = field(default_factory=list)
    answers: collections.Counter[str] = field(default_factory=collections.Counter)

    def add(self, seconds: float, answer: str) -> None:
        self.seconds.append(seconds)
        self.answers[answer] += 1


@dataclass
class Case:
    """One operation: ``known(i)``/``unknown(i)`` give the i-th request's action and body;
    ``before_known(i)`` runs untimed before the i-th known request (fresh codes)."""

    name: str
    action: str
    known: Callable[[int], dict[str, Any]]
    unknown: Callable[[int], dict[str, Any]]
    before_known: Callable[[int], None] = lambda i: None


def abba(count: int) -> Iterator[tuple[int, bool]]:
    """(i, known?) for ``count`` known and ``count`` unknown requests: K U U K K U U K ..."""
    for i in range(count):
        first_known = i % 2 == 0
        yield i, first_known
        yield i, not first_known


def measure(wire: Wire, case: Case, requests: int, warmup: int) -> tuple[Sample, Sample]:
    known, unknown = Sample(), Sample()
    for i, is_known in abba(warmup + requests):
        if is_known:
            case.before_known(i)
        body = case.known(i) if is_known else case.unknown(i)
        seconds, answer = wire.call(case.action, body)
        if i >= warmup:
            (known if is_known else unknown).add(seconds, answer)
    return known, unknown


LOCK_FREE_FAILURES = 4
"""Wrong passwords a user may take and still be answered on its merits: the fifth failure in a
row locks the user for a second (README "Failed sign-ins"), which would make the answers differ
from an unknown name's (each unknown name is new)."""


def unknown_name(i: int, salt: str) -> str:
    """A different never-registered username for every request."""
    return f"{UNKNOWN_PREFIX}{salt}-{i:04d}"


def cases(wire: Wire, fx: Fixture) -> list[Case]:
    salt = secrets.token_hex(3)
    client = fx.client_id

    def confirmed(i: int) -> str:
        return fx.confirmed[i % len(fx.confirmed)]

    def pending(i: int) -> str:
        return fx.unconfirmed[i % len(fx.unconfirmed)]

    def sign_in(name: str, password: str) -> dict[str, Any]:
        return {
            "AuthFlow": "USER_PASSWORD_AUTH",
            "ClientId": client,
            "AuthParameters": {"USERNAME": name, "PASSWORD": password},
        }

    def confirm_reset(name: str) -> dict[str, Any]:
        return {
            "ClientId": client,
            "Username": name,
            "ConfirmationCode": WRONG_CODE,
            "Password": NEW_PASSWORD,
        }

    # ConfirmForgotPassword: each known user holds a live reset code; after the fifth wrong
    # answer the code is spent (a sixth would be LimitExceededException), so a new one is
    # requested, untimed, before the user's next timed try.
    tries: collections.Counter[str] = collections.Counter()

    def fresh_code(i: int) -> None:
        name = confirmed(i)
        if name not in tries or tries[name] >= MAX_CODE_ATTEMPTS:
            _, answer = wire.call("ForgotPassword", {"ClientId": client, "Username": name})
            if not answer.startswith("200"):
                print(f"warning: ForgotPassword({name}) for a fresh code answered {answer}")
            tries[name] = 0
        tries[name] += 1

    def srp_start(name: str, helper: AWSSRP | None = None) -> dict[str, Any]:
        helper = helper or AWSSRP(name, WRONG_PASSWORD, fx.pool_id, client, client=object())
        return {
            "AuthFlow": "USER_SRP_AUTH",
            "ClientId": client,
            "AuthParameters": helper.get_auth_params(),
        }

    def srp_answer(name: str) -> dict[str, Any]:
        """A wrong-password PASSWORD_VERIFIER answer to a fresh challenge (made untimed: the
        body is built before the clock starts)."""
        helper = AWSSRP(name, WRONG_PASSWORD, fx.pool_id, client, client=object())
        challenge = wire.json("InitiateAuth", srp_start(name, helper))
        responses = helper.process_challenge(challenge["ChallengeParameters"], {"USERNAME": name})
        return {
            "ClientId": client,
            "ChallengeName": "PASSWORD_VERIFIER",
            "ChallengeResponses": responses,
        }

    return [
        Case(
            "InitiateAuth USER_SRP_AUTH",
            "InitiateAuth",
            lambda i: srp_start(confirmed(i)),
            lambda i: srp_start(unknown_name(i, salt)),
        ),
        Case(
            "RespondToAuthChallenge PASSWORD_VERIFIER (wrong password / unknown user)",
            "RespondToAuthChallenge",
            lambda i: srp_answer(confirmed(i)),
            lambda i: srp_answer(unknown_name(i, salt)),
        ),
        Case(
            "InitiateAuth USER_PASSWORD_AUTH (wrong password / unknown user)",
            "InitiateAuth",
            lambda i: sign_in(confirmed(i), WRONG_PASSWORD),
            lambda i: sign_in(unknown_name(i, salt), WRONG_PASSWORD),
        ),
        Case(
            "ForgotPassword",
            "ForgotPassword",
            lambda i: {"ClientId": client, "Username": confirmed(i)},
            lambda i: {"ClientId": client, "Username": unknown_name(i, salt)},
        ),
        Case(
            "ResendConfirmationCode (unconfirmed / unknown user)",
            "ResendConfirmationCode",
            lambda i: {"ClientId": client, "Username": pending(i)},
            lambda i: {"ClientId": client, "Username": unknown_name(i, salt)},
        ),
        Case(
            "ConfirmForgotPassword (wrong code)",
            "ConfirmForgotPassword",
            lambda i: confirm_reset(confirmed(i)),
            lambda i: confirm_reset(unknown_name(i, salt)),
            before_known=fresh_code,
        ),
    ]


def attempt_limit_probe(wire: Wire, fx: Fixture) -> tuple[list[str], list[str]]:
    """Answers to MAX_CODE_ATTEMPTS + 1 wrong reset codes in a row, for a known user holding a
    fresh code and for an unknown user: not timing, but the other thing an attacker can count."""
    name = fx.confirmed[0]
    wire.call("ForgotPassword", {"ClientId": fx.client_id, "Username": name})
    nobody = f"{UNKNOWN_PREFIX}probe-{secrets.token_hex(3)}"
    known: list[str] = []
    unknown: list[str] = []
    for _ in range(MAX_CODE_ATTEMPTS + 1):
        for who, out in ((name, known), (nobody, unknown)):
            body = {
                "ClientId": fx.client_id,
                "Username": who,
                "ConfirmationCode": WRONG_CODE,
                "Password": NEW_PASSWORD,
            }
            out.append(wire.call("ConfirmForgotPassword", body)[1])
    return known, unknown


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def p90(values: list[float]) -> float:
    if len(values) < 2:
        return values[0]
    return statistics.quantiles(values, n=10)[-1]


def answers(sample: Sample) -> str:
    total = len(sample.seconds)
    return ", ".join(f"{kind} {n}/{total}" for kind, n in sample.answers.most_common())


def runs(answers_seen: list[str]) -> str:
    """``CodeMismatchException x5, LimitExceededException x1``."""
    out: list[tuple[str, int]] = []
    for answer in answers_seen:
        if out and out[-1][0] == answer:
            out[-1] = (answer, out[-1][1] + 1)
        else:
            out.append((answer, 1))
    return ", ".join(f"{answer} x{n}" for answer, n in out)


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


# idmint's "2024-05-01 12:00:00,000 LEVEL logger: ..." and uvicorn's "LEVEL:    ...".
LOG_LEVEL = re.compile(r"^(?:\S+ \S+ )?(DEBUG|INFO|WARNING|ERROR|CRITICAL)[: ]")


def log_problems(log: Path) -> tuple[list[str], list[str]]:
    """The server log's WARNING lines, and its ERROR/CRITICAL lines and traceback lines."""
    warnings, errors = [], []
    for line in log.read_text(errors="replace").splitlines():
        level = LOG_LEVEL.match(line)
        if level is None:
            if line.startswith("Traceback") or line.startswith("  File "):
                errors.append(line)
        elif level.group(1) == "WARNING":
            warnings.append(line)
        elif level.group(1) in ("ERROR", "CRITICAL"):
            errors.append(line)
    return warnings, errors


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=40, help="timed requests of each kind")
    parser.add_argument("--warmup", type=int, default=4, help="untimed pairs first [4]")
    parser.add_argument(
        "--users",
        type=int,
        default=None,
        help="confirmed users [enough that none reaches the failed-sign-in lock: each takes at "
        "most 4 wrong passwords, SRP and USER_PASSWORD_AUTH together]",
    )
    parser.add_argument("--unconfirmed", type=int, default=4, help="unconfirmed users [4]")
    parser.add_argument("--server-log", type=Path, help="keep the server's log in this file")
    parser.add_argument("--smtp", action="store_true", help="deliver email to a local aiosmtpd")
    parser.add_argument(
        "--smtp-delay-ms",
        type=float,
        default=0.0,
        help="with --smtp: the relay answers DATA after this long, like a distant server [0]",
    )
    args = parser.parse_args()
    if args.users is None:  # two wrong-password cases, each (warmup + requests) known tries
        args.users = max(8, -(-2 * (args.requests + args.warmup) // LOCK_FREE_FAILURES))

    relay: Relay | None = None
    controller: Controller | None = None
    extra: list[str] = []
    transport = "development outbox (one SQLite write per message)"
    if args.smtp:
        relay = Relay(args.smtp_delay_ms / 1000)
        smtp_port = free_port()
        controller = Controller(relay, hostname="127.0.0.1", port=smtp_port)
        controller.start()
        extra = ["--smtp-url", f"smtp+insecure://127.0.0.1:{smtp_port}", "--mail-from", MAIL_FROM]
        transport = (
            f"SMTP (smtp+insecure) to aiosmtpd on 127.0.0.1:{smtp_port}, "
            f"DATA answered after {args.smtp_delay_ms:g} ms"
        )

    try:
        with tempfile.TemporaryDirectory() as tmp:
            data_dir = Path(tmp) / "data"
            log = args.server_log or Path(tmp) / "server.log"
            server = start_server(data_dir, log, extra)
            try:
                key = admin_key(data_dir)
                fx = populate(server.url, key, args.users, args.unconfirmed)
                wire = Wire(server.url)
                try:
                    results = [
                        (case, *measure(wire, case, args.requests, args.warmup))
                        for case in cases(wire, fx)
                    ]
                    probe = attempt_limit_probe(wire, fx)
                    expected_sends = len(fx.confirmed) + len(fx.unconfirmed) + wire.real_sends
                finally:
                    wire.close()
            finally:
                stop_server(server)
            problems = log_problems(server.log)
    finally:
        if controller is not None:
            controller.stop()

    print(
        f"Machine: {os.cpu_count()} CPUs ({cpu_model()}), Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}"
    )
    print(f"Transport for messages: {transport}")
    print(
        "Requests: raw HTTP/1.1 POSTs (httpx, one keep-alive connection over loopback, "
        f"sequential), {args.requests} known + {args.requests} unknown per operation in ABBA "
        f"order after {args.warmup} untimed pairs; {args.users} confirmed and "
        f"{args.unconfirmed} unconfirmed users; a new unknown username for every request."
    )
    print()
    print("| operation | known median ms | unknown median ms | known p90 | unknown p90 | answers |")
    print("| --- | ---: | ---: | ---: | ---: | --- |")
    for case, known, unknown in results:
        print(
            f"| {case.name} | {ms(statistics.median(known.seconds))} "
            f"| {ms(statistics.median(unknown.seconds))} | {ms(p90(known.seconds))} "
            f"| {ms(p90(unknown.seconds))} | known: {answers(known)}; "
            f"unknown: {answers(unknown)} |"
        )
    print()
    print(
        f"Attempt limit, {MAX_CODE_ATTEMPTS + 1} wrong reset codes in a row (answers, not timing):"
    )
    print(f"  known user holding a code: {runs(probe[0])}")
    print(f"  unknown user:              {runs(probe[1])}")
    if relay is not None:
        print(
            f"SMTP relay received {relay.received} messages; sign-ups and answers for "
            f"registered users account for {expected_sends} (unknown users' answers send none)."
        )
    warnings, errors = problems
    print(
        f"Server log: {len(warnings)} WARNING lines, {len(errors)} ERROR/CRITICAL/traceback lines."
    )
    for line in [*warnings[:5], *errors[:40]]:
        print(f"  {line}")


if __name__ == "__main__":
    main()
