"""Bounded admission to password hashing (``idmint.core.passwords``): at most ``workers`` jobs
run, at most ``queue`` more wait, and anything past that is refused at once with ``Overloaded``,
which each front-end answers in its own dialect (Cognito TooManyRequestsException, the mint
API's 503 ``temporarily_unavailable``, the hosted pages' 503), with ``Retry-After``.

The server tests make the hasher busy without timing: jobs blocked on a ``threading.Event`` are
scheduled on the server's loop and hold their slots until the test sets the event.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from typing import Any

import boto3
import httpx
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from sqlalchemy import Table, func, select

from idmint.core.errors import Overloaded
from idmint.core.passwords import HashParams, PasswordHasher
from idmint.store.schema import authorization_codes, hosted_sessions, mint_tokens, refresh_sessions
from tests.conftest import (
    PASSWORD,
    Database,
    FrozenClock,
    LiveServer,
    Pool,
    error,
    make_pool,
    make_user,
    sign_in,
    start_server,
    stop_server,
)
from tests.web.hosted.conftest import make_oauth_pool
from tests.web.hosted.test_pages import callback_params, flow, location, submit
from tests.web.hosted.test_pages import make_user as make_hosted_user
from tests.web.mint.conftest import Mint, make_mint

DEADLINE = 30.0
TARGET = "AWSCognitoIdentityProviderService."


@pytest.fixture
def server_options() -> dict[str, Any]:
    # One hashing thread and one waiting place: two blocked jobs saturate the hasher. (A queue
    # of 0 would refuse every sign-up: it hashes and makes the SRP verifier at once, see
    # test_sign_up_on_an_idle_server_with_no_queue.) httpx keeps the hosted pages' cookies
    # over plain http only with insecure_localhost_cookies.
    return {"hash_workers": 1, "hash_queue": 1, "insecure_localhost_cookies": True}


# ----------------------------------------------------------------------------------- helpers


def hasher_of(live: LiveServer) -> PasswordHasher:
    # start_server returns once the database is ready; the lifespan makes the service later.
    wait_until(lambda: live._server is not None and live._server.started, "the server runs")
    hasher = live.app.state.service.ctx.hasher
    assert isinstance(hasher, PasswordHasher)
    return hasher


def admitted(live: LiveServer) -> int:
    """The hasher's admitted count, read on the server's loop (where it is kept)."""
    hasher = hasher_of(live)

    async def read() -> int:
        return hasher.admitted

    return int(live.run(read()))


def wait_until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + DEADLINE
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting until {what}"
        time.sleep(0.005)


def wait_admitted(live: LiveServer, count: int) -> None:
    wait_until(lambda: admitted(live) == count, f"{count} hashing jobs are admitted")


@contextmanager
def saturated(live: LiveServer, jobs: int = 2) -> Iterator[None]:
    """``jobs`` hashing jobs blocked on an event hold their slots until the block ends."""
    hasher, loop = hasher_of(live), live._loop
    assert loop is not None
    wait_admitted(live, 0)  # any earlier sign-in
    blocker = threading.Event()
    held: list[Future[Any]] = []
    try:
        for _ in range(jobs):
            held.append(
                asyncio.run_coroutine_threadsafe(hasher.compute(blocker.wait, DEADLINE), loop)
            )
        wait_admitted(live, jobs)
        yield
    finally:
        blocker.set()
    for job in held:
        assert job.result(DEADLINE) is True  # each job was waiting on the blocker, not refused
    wait_admitted(live, 0)


def strict_client(live: LiveServer) -> Any:
    """A boto3 client that sends each request once. (The conftest client's legacy-mode
    ``max_attempts=1`` is one *retry*: a throttled InitiateAuth reaches the server twice.)"""
    return boto3.client(
        "cognito-idp",
        endpoint_url=live.url,
        region_name="us-east-1",
        aws_access_key_id=live.admin_key.access_key_id,
        aws_secret_access_key=live.admin_key.secret_access_key,
        config=Config(
            retries={"total_max_attempts": 1, "mode": "standard"},
            connect_timeout=5,
            read_timeout=DEADLINE,
        ),
    )


def cognito_call(live: LiveServer, action: str, body: dict[str, Any]) -> httpx.Response:
    """A public (unsigned) Cognito action over plain HTTP."""
    return httpx.post(
        live.url + "/",
        json=body,
        headers={
            "Content-Type": "application/x-amz-json-1.1",
            "X-Amz-Target": TARGET + action,
        },
        timeout=DEADLINE,
    )


def password_auth(pool: Pool, username: str = "alice", password: str = PASSWORD) -> dict[str, Any]:
    return {
        "ClientId": pool.client_id,
        "AuthFlow": "USER_PASSWORD_AUTH",
        "AuthParameters": {"USERNAME": username, "PASSWORD": password},
    }


def rows(live: LiveServer, table: Table) -> int:
    async def count() -> int:
        async with live.store.engine.connect() as conn:
            return int((await conn.execute(select(func.count()).select_from(table))).scalar_one())

    return int(live.run(count()))


def retry_after(response: httpx.Response) -> int:
    value = response.headers.get("retry-after", "")
    assert value.isdigit() and int(value) >= 1, f"Retry-After {value!r}"
    return int(value)


@pytest.fixture
def mint(live: LiveServer, cognito: Any) -> Iterator[Mint]:
    yield from make_mint(live, cognito)


# ---------------------------------------------------------------------------- Cognito JSON API


def test_cognito_sign_in_is_refused_at_once_and_hash_free_requests_still_answer(
    live: LiveServer, cognito: Any, pool: Pool
) -> None:
    make_user(cognito, pool)
    tokens = sign_in(cognito, pool)
    sessions = rows(live, refresh_sessions)
    strict = strict_client(live)
    with saturated(live):
        with pytest.raises(ClientError) as refused:
            strict.initiate_auth(**password_auth(pool))
        code, message = error(refused)
        assert code == "TooManyRequestsException" and message
        assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400

        raw = cognito_call(live, "InitiateAuth", password_auth(pool))
        assert raw.status_code == 400, raw.text
        assert raw.json() == {"__type": "TooManyRequestsException", "message": message}
        assert retry_after(raw) == 1

        # A wrong password is refused the same way: it is never checked, so never "wrong".
        wrong = cognito_call(live, "InitiateAuth", password_auth(pool, password="Wr0ng-horse!"))
        assert wrong.status_code == 400 and wrong.json()["__type"] == "TooManyRequestsException"
        assert rows(live, refresh_sessions) == sessions  # no session was opened

        # Requests that need no hash are answered while the hasher is full.
        assert cognito.get_user(AccessToken=tokens["AccessToken"])["Username"] == "alice"
        refreshed = cognito.initiate_auth(
            ClientId=pool.client_id,
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]},
        )["AuthenticationResult"]
        assert cognito.get_user(AccessToken=refreshed["AccessToken"])["Username"] == "alice"
        jwks = httpx.get(f"{live.url}/{pool.id}/.well-known/jwks.json", timeout=DEADLINE)
        assert jwks.status_code == 200 and jwks.json()["keys"]
        assert admitted(live) == 2  # nothing above took or waited for a hashing slot

    again = sign_in(cognito, pool)
    assert cognito.get_user(AccessToken=again["AccessToken"])["Username"] == "alice"
    assert rows(live, refresh_sessions) > sessions


def test_overload_refusals_are_not_counted_as_failed_sign_ins(
    live: LiveServer, cognito: Any, pool: Pool
) -> None:
    sub = make_user(cognito, pool)
    with saturated(live):
        for _ in range(5):  # as many as the free failures
            refused = cognito_call(live, "InitiateAuth", password_auth(pool))
            assert refused.json()["__type"] == "TooManyRequestsException"
    # Nothing was checked, so nothing was counted, and the right password signs in at once.
    assert live.run(live.store.get_sign_in_attempts(pool.id, sub)) is None
    assert sign_in(cognito, pool)["AccessToken"]


def test_the_queue_admits_one_sign_in_then_refuses_the_next(
    live: LiveServer, cognito: Any, pool: Pool
) -> None:
    """hash_workers=1, hash_queue=1: one running job leaves the waiting place free; a sign-in
    takes it and waits; the next sign-in finds both taken and is refused."""
    make_user(cognito, pool)
    waiting: list[httpx.Response] = []
    with saturated(live, jobs=1):
        queued = threading.Thread(
            target=lambda: waiting.append(cognito_call(live, "InitiateAuth", password_auth(pool)))
        )
        queued.start()
        wait_admitted(live, 2)  # the sign-in's verification waits behind the blocked job
        assert not waiting
        refused = cognito_call(live, "InitiateAuth", password_auth(pool))
        assert refused.status_code == 400, refused.text
        assert refused.json()["__type"] == "TooManyRequestsException"
        assert retry_after(refused) == 1
    queued.join(DEADLINE)
    assert not queued.is_alive()
    assert waiting[0].status_code == 200, waiting[0].text
    assert waiting[0].json()["AuthenticationResult"]["AccessToken"]


def test_with_no_queue_one_running_job_saturates(database: Database, clock: FrozenClock) -> None:
    first = start_server(database, clock, hash_workers=1, hash_queue=1)
    try:
        cognito = first.client()
        pool = make_pool(cognito)
        make_user(cognito, pool)
    finally:
        stop_server(first)
    live = start_server(database, clock, hash_workers=1, hash_queue=0)  # same database
    try:
        with saturated(live, jobs=1):
            refused = cognito_call(live, "InitiateAuth", password_auth(pool))
            assert refused.status_code == 400 and retry_after(refused) == 1
            assert refused.json()["__type"] == "TooManyRequestsException"
        assert sign_in(live.client(), pool)["AccessToken"]
    finally:
        stop_server(live)


def test_sign_up_on_an_idle_server_with_no_queue(database: Database, clock: FrozenClock) -> None:
    live = start_server(database, clock, hash_workers=1, hash_queue=0)
    try:
        cognito = live.client()
        pool = make_pool(cognito)
        wait_admitted(live, 0)
        make_user(cognito, pool)
    finally:
        stop_server(live)


# ------------------------------------------------------------------------------------ mint API


def test_mint_password_grant_is_a_503_with_retry_after(live: LiveServer, mint: Mint) -> None:
    assert mint.register().status_code == 200
    tokens = rows(live, mint_tokens)
    with saturated(live):
        refused = mint.sign_in()
        assert refused.status_code == 503, refused.text
        body = refused.json()
        assert set(body) == {"response", "error", "error_description"}
        assert body["error"] == "temporarily_unavailable"
        assert body["response"] and body["error_description"] == body["response"]
        assert retry_after(refused) == 1
        assert rows(live, mint_tokens) == tokens
    signed_in = mint.sign_in()
    assert signed_in.status_code == 200, signed_in.text
    assert signed_in.json()["access_token"]


# -------------------------------------------------------------------------------- hosted pages


def test_hosted_login_post_is_a_503_page(live: LiveServer, cognito: Any) -> None:
    oauth_pool = make_oauth_pool(cognito)
    make_hosted_user(live, cognito, oauth_pool)
    with httpx.Client(base_url=live.url, follow_redirects=False, timeout=DEADLINE) as browser:
        f = flow(oauth_pool)
        page = browser.get(location(browser.get("/oauth2/authorize", params=f.query)))
        assert page.status_code == 200
        written = rows(live, hosted_sessions), rows(live, authorization_codes)
        with saturated(live):
            refused = submit(browser, page, {"username": "ada@example.com", "password": PASSWORD})
            assert refused.status_code == 503, refused.text[:500]
            assert "busy" in refused.text
            assert (rows(live, hosted_sessions), rows(live, authorization_codes)) == written
        page = browser.get(location(browser.get("/oauth2/authorize", params=f.query)))
        done = submit(browser, page, {"username": "ada@example.com", "password": PASSWORD})
        assert callback_params(location(done))["state"] == f.state


def test_hosted_login_post_503_has_retry_after(live: LiveServer, cognito: Any) -> None:
    oauth_pool = make_oauth_pool(cognito)
    make_hosted_user(live, cognito, oauth_pool)
    with httpx.Client(base_url=live.url, follow_redirects=False, timeout=DEADLINE) as browser:
        f = flow(oauth_pool)
        page = browser.get(location(browser.get("/oauth2/authorize", params=f.query)))
        with saturated(live):
            refused = submit(browser, page, {"username": "ada@example.com", "password": PASSWORD})
            assert refused.status_code == 503
            assert retry_after(refused) == 1


# ------------------------------------------------------------------ PasswordHasher on its own

PARAMS = HashParams(memory_kib=8192, time_cost=1)


async def until(condition: Callable[[], bool], what: str) -> None:
    """Let the loop run until ``condition`` holds (bounded by a deadline, not a duration)."""
    deadline = time.monotonic() + DEADLINE
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting until {what}"
        await asyncio.sleep(0.001)


class Gauge:
    """Counts the jobs running at once (on the hashing threads) and the most ever seen."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.running = 0
        self.most = 0
        self.gate = threading.Event()

    def job(self, value: int) -> int:
        with self.lock:
            self.running += 1
            self.most = max(self.most, self.running)
        try:
            assert self.gate.wait(DEADLINE)
            return value
        finally:
            with self.lock:
                self.running -= 1


@pytest.mark.anyio
@pytest.mark.parametrize(("workers", "queue"), [(1, 1), (2, 3)])
async def test_no_more_than_workers_jobs_run_at_once(workers: int, queue: int) -> None:
    hasher = PasswordHasher(PARAMS, workers=workers, queue=queue)
    gauge = Gauge()
    try:
        tasks = [asyncio.create_task(hasher.compute(gauge.job, i)) for i in range(workers + queue)]
        await until(lambda: gauge.running == workers, f"{workers} jobs run")
        assert hasher.admitted == workers + queue
        with pytest.raises(Overloaded):
            await hasher.compute(gauge.job, -1)
        gauge.gate.set()
        assert await asyncio.gather(*tasks) == list(range(workers + queue))
        assert gauge.most == workers
        await until(lambda: hasher.admitted == 0, "every slot is free")
        # With the slots free again, as many jobs are admitted again.
        again = [hasher.compute(gauge.job, i) for i in range(workers + queue)]
        assert await asyncio.gather(*again) == list(range(workers + queue))
        assert gauge.most == workers
    finally:
        gauge.gate.set()
        hasher.close()


@pytest.mark.anyio
async def test_the_submission_past_workers_plus_queue_is_refused_at_once() -> None:
    hasher = PasswordHasher(PARAMS, workers=1, queue=1)
    gauge = Gauge()
    try:
        running = asyncio.create_task(hasher.compute(gauge.job, 1))
        waiting = asyncio.create_task(hasher.hash("Corr3ct-horse!"))
        await until(lambda: gauge.running == 1 and hasher.admitted == 2, "the hasher is full")
        for refused in (
            hasher.hash("other"),
            hasher.verify(None, "other"),
            hasher.compute(gauge.job, 3),
        ):
            with pytest.raises(Overloaded) as exc:
                await refused  # raised before any await of a job: nothing queues
            assert exc.value.retry_after == 1
        assert hasher.admitted == 2 and not waiting.done()
        gauge.gate.set()
        assert await running == 1
        digest = await waiting
        assert await hasher.verify(digest, "Corr3ct-horse!") == (True, None)
        await until(lambda: hasher.admitted == 0, "every slot is free")
    finally:
        gauge.gate.set()
        hasher.close()


@pytest.mark.anyio
async def test_cancelling_frees_a_queued_slot_at_once_and_a_running_one_when_it_ends() -> None:
    hasher = PasswordHasher(PARAMS, workers=1, queue=1)
    gauge = Gauge()
    ran: list[str] = []

    def queued_job() -> None:
        ran.append("queued")

    try:
        running = asyncio.create_task(hasher.compute(gauge.job, 1))
        await until(lambda: gauge.running == 1, "the first job runs")
        waiting = asyncio.create_task(hasher.compute(queued_job))
        await until(lambda: hasher.admitted == 2, "the second job waits")

        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        await until(lambda: hasher.admitted == 1, "the queued job's slot is free")
        # The freed place takes another job (and only one).
        refill = asyncio.create_task(hasher.compute(gauge.job, 2))
        await until(lambda: hasher.admitted == 2, "the freed place is taken")
        with pytest.raises(Overloaded):
            await hasher.compute(gauge.job, 3)
        refill.cancel()
        with pytest.raises(asyncio.CancelledError):
            await refill
        await until(lambda: hasher.admitted == 1, "the refill's slot is free")

        running.cancel()
        with pytest.raises(asyncio.CancelledError):
            await running
        for _ in range(10):  # the thread still runs the job: its slot stays taken
            await asyncio.sleep(0)
        assert gauge.running == 1 and hasher.admitted == 1
        gauge.gate.set()
        await until(lambda: hasher.admitted == 0, "the running job's slot is free when it ends")
        assert gauge.running == 0 and gauge.most == 1
        assert ran == []  # cancelled before starting: never run
    finally:
        gauge.gate.set()
        hasher.close()


@pytest.mark.anyio
async def test_verify_succeeds_without_a_new_hash_when_the_rehash_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    old = PasswordHasher(HashParams(memory_kib=8192, time_cost=2), workers=1)
    stored = await old.hash("Corr3ct-horse!")
    old.close()
    hasher = PasswordHasher(PARAMS, workers=1, queue=1)
    gauge = Gauge()
    fillers: list[asyncio.Task[int]] = []
    real_hash = hasher.hash

    async def hash_when_full(password: str) -> str:
        # Between the verification and its rehash, other sign-ins take every slot.
        fillers.extend(
            asyncio.create_task(hasher.compute(gauge.job, i))
            for i in range(hasher.workers + hasher.queue)
        )
        await until(lambda: hasher.admitted == hasher.workers + hasher.queue, "the hasher is full")
        return await real_hash(password)

    try:
        monkeypatch.setattr(hasher, "hash", hash_when_full)
        # The password was right: the sign-in goes on, and the rehash waits for a quieter one.
        assert await hasher.verify(stored, "Corr3ct-horse!") == (True, None)
        assert len(fillers) == 2 and hasher.admitted == 2
        gauge.gate.set()
        assert await asyncio.gather(*fillers) == [0, 1]
        monkeypatch.undo()
        await until(lambda: hasher.admitted == 0, "every slot is free")
        ok, rehashed = await hasher.verify(stored, "Corr3ct-horse!")  # room again: rehashed
        assert ok and rehashed is not None and rehashed.startswith("$argon2id$v=19$m=8192,t=1,")
    finally:
        gauge.gate.set()
        await asyncio.gather(*fillers)
        hasher.close()
