"""`idmint serve --workers N` as a user runs it (``idmint.serving``): the parent prepares the
database, binds the socket and forks N uvicorn workers, replaces a worker that dies after its
first seconds, stops everything on SIGTERM/SIGINT, and gives up when a worker dies at once.

Which worker answers is made certain, not left to the kernel: the other worker is stopped
(SIGSTOP) for a phase, so every connection of that phase is accepted by the chosen one. State a
phase leaves (pools, users, sessions, revocations, signing keys) is read by the other worker in
the next: it can only have gone through the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import boto3
import httpx
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from sqlalchemy.engine import make_url

from tests.conftest import PG_URL, error, free_port, make_pool, make_user, sign_in

IDMINT = [sys.executable, "-m", "idmint"]
DEADLINE = 60.0
CRASH_WINDOW = 5.0  # idmint.serving._CRASH_WINDOW
TICKS = os.sysconf("SC_CLK_TCK")


# --------------------------------------------------------------------------- processes in /proc


def stat(pid: int) -> list[str] | None:
    """``/proc/<pid>/stat`` from field 3 (state) on, or None once the process is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    return text[text.rindex(")") + 2 :].split()


def children_of(parent: int) -> list[int]:
    """Live (not zombie) processes whose parent is ``parent``."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = stat(int(entry.name))
            if fields is not None and fields[1] == str(parent) and fields[0] != "Z":
                found.append(int(entry.name))
    return sorted(found)


def state(pid: int) -> str | None:
    fields = stat(pid)
    return fields[0] if fields else None


def age(pid: int) -> float:
    """Seconds since ``pid`` started (field 22, in clock ticks since boot)."""
    fields = stat(pid)
    assert fields is not None, f"process {pid} is gone"
    uptime = float(Path("/proc/uptime").read_text().split()[0])
    return uptime - int(fields[19]) / TICKS


def wait_until(condition: Callable[[], bool], what: str, deadline: float = DEADLINE) -> None:
    end = time.monotonic() + deadline
    while not condition():
        assert time.monotonic() < end, f"timed out waiting until {what}"
        time.sleep(0.02)


# ----------------------------------------------------------------------------------- servers


@dataclass
class Backend:
    """The command-line options naming one test's database."""

    args: list[str]


def _pg(statement: str) -> None:
    async def run() -> None:
        conn = await asyncpg.connect(PG_URL)
        try:
            await conn.execute(statement)
        finally:
            await conn.close()

    with ThreadPoolExecutor(1) as worker:  # the caller's thread may run an event loop
        worker.submit(asyncio.run, run()).result()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    """SQLite in a fresh data directory, or a fresh PostgreSQL database (not a schema: the
    server takes a URL, and a URL has no search_path, so a schema would not separate it)."""
    if request.param == "sqlite":
        yield Backend(["--data-dir", str(tmp_path / "d")])
        return
    if not PG_URL:
        pytest.skip("IDMINT_TEST_DATABASE_URL is not set")
    name = f"idmint_serving_{secrets.token_hex(6)}"
    _pg(f'CREATE DATABASE "{name}"')
    try:
        url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
        yield Backend(["--database-url", url])
    finally:
        _pg(f'DROP DATABASE "{name}" WITH (FORCE)')


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*IDMINT, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=DEADLINE,
        check=False,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


@dataclass
class Served:
    proc: subprocess.Popen[str]
    url: str
    log: Path
    seen: set[int] = field(default_factory=set)
    """Every worker pid seen, for the teardown."""

    @property
    def pid(self) -> int:
        return self.proc.pid

    def workers(self) -> list[int]:
        pids = children_of(self.pid)
        self.seen.update(pids)
        return pids

    def output(self) -> str:
        return self.log.read_text()

    def health(self) -> int:
        try:
            # A new connection each time (no client kept): any worker may accept it.
            return httpx.get(self.url + "/health", timeout=5).status_code
        except httpx.HTTPError:
            return 0

    def stop(self, signum: int = signal.SIGTERM) -> int:
        """Signal the parent only (as a service manager does); its exit code."""
        self.proc.send_signal(signum)
        return self.proc.wait(30)


def start(tmp_path: Path, backend: Backend, workers: int = 2) -> Served:
    port = free_port()
    log = tmp_path / f"serve-{port}.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [*IDMINT, "serve", "--workers", str(workers), "--port", str(port), *backend.args],
            cwd=tmp_path,
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
    return Served(proc, f"http://127.0.0.1:{port}", log)


def cleanup(served: Served) -> None:
    """Leave no process behind, whatever the test did (stopped workers included)."""
    served.workers()
    for pid in served.seen:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGCONT)
    if served.proc.poll() is None:
        served.proc.send_signal(signal.SIGTERM)
        try:
            served.proc.wait(30)
        except subprocess.TimeoutExpired:
            served.proc.kill()
            served.proc.wait(30)
    for pid in served.seen:
        fields = stat(pid)
        if fields is not None and fields[1] in (str(served.pid), "1"):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


@contextlib.contextmanager
def serving(tmp_path: Path, backend: Backend, workers: int = 2) -> Iterator[Served]:
    """A running server: /health answers and all ``workers`` children are up."""
    served = start(tmp_path, backend, workers)
    try:

        def ready() -> bool:
            assert served.proc.poll() is None, f"serve exited early:\n{served.output()}"
            return len(served.workers()) == workers and served.health() == 200

        wait_until(ready, f"{workers} workers serve")
        yield served
    finally:
        cleanup(served)


@contextlib.contextmanager
def only(served: Served, worker: int) -> Iterator[None]:
    """Every other worker stopped (SIGSTOP) for the block: ``worker`` accepts every new
    connection (the stopped ones cannot accept from the shared socket)."""
    others = [pid for pid in served.workers() if pid != worker]
    assert worker in served.workers()
    try:
        for pid in others:
            os.kill(pid, signal.SIGSTOP)
        wait_until(lambda: all(state(pid) == "T" for pid in others), "the others are stopped")
        yield
    finally:
        for pid in others:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)


def client(url: str, key: dict[str, str]) -> Any:
    """A boto3 client with its own connections (made after the phase's worker is chosen)."""
    return boto3.client(
        "cognito-idp",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id=key["AccessKeyId"],
        aws_secret_access_key=key["SecretAccessKey"],
        config=Config(retries={"total_max_attempts": 1}, connect_timeout=5, read_timeout=30),
    )


def get_user(url: str, access_token: str) -> httpx.Response:
    """GetUser over a new connection."""
    return httpx.post(
        url + "/",
        json={"AccessToken": access_token},
        headers={
            "Content-Type": "application/x-amz-json-1.1",
            "X-Amz-Target": "AWSCognitoIdentityProviderService.GetUser",
        },
        timeout=30,
    )


def refresh(cognito: Any, client_id: str, token: str) -> dict[str, Any]:
    return dict(
        cognito.initiate_auth(
            ClientId=client_id,
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": token},
        )["AuthenticationResult"]
    )


# -------------------------------------------------------------------------------------- tests


def test_two_workers_share_state_through_the_database_and_stop_on_sigterm(
    tmp_path: Path, backend: Backend
) -> None:
    made = run("admin-key", "create", "--json", *backend.args, cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    key = json.loads(made.stdout)
    with serving(tmp_path, backend) as served:
        first, second = workers = served.workers()
        assert len(workers) == 2 and served.pid not in workers
        assert all(stat(pid)[1] == str(served.pid) for pid in workers)  # type: ignore[index]

        with only(served, first):  # the pool, the user and a session, made by the first
            cognito = client(served.url, key)
            pool = make_pool(cognito)
            make_user(cognito, pool)
            tokens = sign_in(cognito, pool)
            jwks_url = f"{served.url}/{pool.id}/.well-known/jwks.json"
            jwks = httpx.get(jwks_url, timeout=30).json()
            assert jwks["keys"]

        with only(served, second):  # ... are the second's too
            cognito = client(served.url, key)
            assert httpx.get(jwks_url, timeout=30).json() == jwks  # one signing key
            assert cognito.get_user(AccessToken=tokens["AccessToken"])["Username"] == "alice"
            refreshed = refresh(cognito, pool.client_id, tokens["RefreshToken"])
            assert cognito.get_user(AccessToken=refreshed["AccessToken"])["Username"] == "alice"
            again = sign_in(cognito, pool)
            cognito.global_sign_out(AccessToken=again["AccessToken"])

        with only(served, first):  # the second's sign-out holds on the first
            cognito = client(served.url, key)
            with pytest.raises(ClientError) as revoked:
                refresh(cognito, pool.client_id, tokens["RefreshToken"])
            assert error(revoked)[0] == "NotAuthorizedException"
            assert sign_in(cognito, pool)["AccessToken"]

        # Both running: many new connections, all answered, whichever worker takes them.
        fresh = sign_in(client(served.url, key), pool)
        for _ in range(20):
            answer = get_user(served.url, fresh["AccessToken"])
            assert answer.status_code == 200 and answer.json()["Username"] == "alice"
            assert served.health() == 200
        assert served.workers() == workers  # no worker died or was replaced

        assert served.stop(signal.SIGTERM) == 0
        wait_until(lambda: all(stat(pid) is None for pid in workers), "the workers are gone")
        out = served.output()
        for pid in workers:  # each finished its requests and shut down (uvicorn's graceful exit)
            assert f"Finished server process [{pid}]" in out
        assert out.count("Application shutdown complete.") == 2
        assert "Traceback" not in out and "starting another" not in out


def test_a_worker_that_dies_later_is_replaced_and_sigint_stops_all(tmp_path: Path) -> None:
    backend = Backend(["--data-dir", str(tmp_path / "d")])
    with serving(tmp_path, backend) as served:
        victim, survivor = served.workers()
        # Only a worker that lived past the crash window is replaced (this test waits ~5 s).
        wait_until(lambda: age(victim) > CRASH_WINDOW + 0.5, "the worker is old enough", 30)
        os.kill(victim, signal.SIGKILL)
        wait_until(
            lambda: len(served.workers()) == 2 and victim not in served.workers(),
            "a replacement worker runs",
        )
        replacement = next(pid for pid in served.workers() if pid != survivor)
        assert survivor in served.workers() and replacement != victim
        assert stat(replacement)[1] == str(served.pid)  # type: ignore[index]
        assert served.proc.poll() is None
        # The replacement serves: with the survivor stopped, it alone answers.
        with only(served, replacement):
            wait_until(lambda: served.health() == 200, "the replacement answers")
        assert f"worker {victim} exited (-9); starting another" in served.output()

        assert served.stop(signal.SIGINT) == 0
        wait_until(
            lambda: stat(survivor) is None and stat(replacement) is None, "the workers are gone"
        )
        assert "Traceback" not in served.output()


def test_a_worker_that_dies_at_once_stops_the_server_with_an_error(tmp_path: Path) -> None:
    served = start(tmp_path, Backend(["--data-dir", str(tmp_path / "d")]))
    try:
        wait_until(lambda: len(served.workers()) == 2, "the workers are forked")
        victim, other = served.workers()
        assert age(victim) < CRASH_WINDOW - 1, "too slow to kill the worker within its window"
        os.kill(victim, signal.SIGKILL)
        assert served.proc.wait(30) == 1
        wait_until(lambda: stat(other) is None, "the other worker is gone")
        out = served.output()
        assert f"worker {victim} exited (-9) right after starting; stopping" in out
        assert "starting another" not in out and "Traceback" not in out
    finally:
        cleanup(served)


def test_a_database_that_cannot_be_opened_is_a_one_line_error_before_any_fork(
    tmp_path: Path,
) -> None:
    result = run(
        "serve", "--workers", "2", "--port", str(free_port()),
        "--database-url", "postgresql://nobody@127.0.0.1:1/x",
        cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, result.stderr
    assert errors[0].startswith("Error: cannot open the database postgresql+asyncpg://nobody@")
    assert result.stderr.rstrip().endswith(errors[0])  # the last word, on one line
    assert "Traceback" not in result.stderr
    assert "started 2 worker" not in result.stderr  # refused in the parent, before forking


def test_a_port_in_use_is_a_clear_error(tmp_path: Path) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run(
            "serve", "--workers", "2", "--port", str(port), "--data-dir", str(tmp_path / "d"),
            cwd=tmp_path,
        )  # fmt: skip
    assert result.returncode != 0
    assert "Address already in use" in result.stderr
    assert "Traceback" not in result.stderr and "started 2 worker" not in result.stderr
