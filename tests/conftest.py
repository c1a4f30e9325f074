"""Shared fixtures: a frozen clock, databases (SQLite always, PostgreSQL when
IDMINT_TEST_DATABASE_URL is set), and a live idmint server on a random port driven by boto3."""

from __future__ import annotations

import asyncio
import os
import re
import secrets
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import pytest
import uvicorn
from botocore.config import Config
from botocore.exceptions import ClientError

from idmint.app import create_app
from idmint.core.model import AdminKey, Message
from idmint.settings import Settings
from idmint.store import migrate
from idmint.store.database import create_engine
from idmint.store.sql import SqlStore

PG_URL = os.environ.get("IDMINT_TEST_DATABASE_URL")
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@dataclass
class FrozenClock:
    """The clock injected into the app: time moves only when a test moves it.

    It starts at the real time because boto3 signs admin requests with the real time and the
    server checks SigV4 timestamps against this clock; after ``advance`` use public actions.
    """

    now: float = field(default_factory=time.time)

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@dataclass
class Database:
    """One test's database: a SQLite file, or a fresh schema in the PostgreSQL test database."""

    url: str
    schema: str | None = None

    def engine(self) -> Any:
        return create_engine(self.url, schema=self.schema)


def _pg_admin(statement: str) -> None:
    async def run() -> None:
        engine = create_engine(PG_URL)  # type: ignore[arg-type]
        async with engine.begin() as conn:
            await conn.exec_driver_sql(statement)
        await engine.dispose()

    # In a worker thread: the caller's thread may already run an event loop (Playwright's
    # sync API keeps one marked as running between its calls).
    with ThreadPoolExecutor(1) as worker:
        worker.submit(asyncio.run, run()).result()


@pytest.fixture(params=BACKENDS)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    if request.param == "sqlite":
        yield Database(f"sqlite:///{tmp_path / 'idmint.db'}")
        return
    if not PG_URL:
        pytest.skip("IDMINT_TEST_DATABASE_URL is not set")
    schema = f"t_{secrets.token_hex(6)}"
    _pg_admin(f'CREATE SCHEMA "{schema}"')
    try:
        yield Database(PG_URL, schema)
    finally:
        _pg_admin(f'DROP SCHEMA "{schema}" CASCADE')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LiveServer:
    """A real idmint on a real socket, run by uvicorn in a thread of the test process."""

    url: str
    clock: FrozenClock
    admin_key: AdminKey
    settings: Settings
    store: SqlStore
    app: Any = None
    """The Starlette app; ``app.state.service`` holds the use cases once the server runs."""
    _server: uvicorn.Server | None = None
    _thread: threading.Thread | None = None
    _loop: asyncio.AbstractEventLoop | None = field(default=None, repr=False)

    def client(
        self,
        *,
        access_key: str | None = None,
        secret_key: str | None = None,
        region: str = "us-east-1",
    ) -> Any:
        """A boto3 cognito-idp client pointed at this server, signing with the admin key."""
        return boto3.client(
            "cognito-idp",
            endpoint_url=self.url,
            region_name=region,
            aws_access_key_id=access_key or self.admin_key.access_key_id,
            aws_secret_access_key=secret_key or self.admin_key.secret_access_key,
            config=Config(retries={"max_attempts": 1}, connect_timeout=5, read_timeout=30),
        )

    def run(self, coro: Any) -> Any:
        """Run a coroutine (e.g. a store query) on the server's event loop."""
        assert self._loop is not None
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout=30)


def listening_socket() -> socket.socket:
    """A bound, listening socket: clients can connect (into the backlog) before the server runs."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    return sock


def start_server(database: Database, clock: FrozenClock, **overrides: Any) -> LiveServer:
    sock = listening_socket()
    port = int(sock.getsockname()[1])
    settings = Settings(
        host="127.0.0.1",
        port=port,
        database_url=database.url,
        argon2_memory_kib=overrides.pop("argon2_memory_kib", 19 * 1024),
        **overrides,
    )
    store = SqlStore(database.engine())
    key = AdminKey(
        access_key_id="AKIATESTADMIN" + secrets.token_hex(4).upper(),
        secret_access_key=secrets.token_urlsafe(30),
        created_at=clock(),
    )
    live = LiveServer(
        url=f"http://127.0.0.1:{port}", clock=clock, admin_key=key, settings=settings, store=store
    )
    live.app = create_app(settings, store=store, clock=clock)
    config = uvicorn.Config(
        live.app,
        log_level="warning",
        access_log=False,
        lifespan="on",
    )
    server = uvicorn.Server(config)
    ready = threading.Event()
    failure: list[BaseException] = []

    async def main() -> None:
        live._loop = asyncio.get_running_loop()
        try:
            await migrate.upgrade(store.engine)
            await store.add_admin_key(key)
        except BaseException as exc:
            failure.append(exc)
            raise
        finally:
            ready.set()
        await server.serve(sockets=[sock])
        await store.close()

    thread = threading.Thread(target=asyncio.run, args=(main(),), daemon=True)
    thread.start()
    assert ready.wait(60) and not failure, f"server could not prepare its database: {failure}"
    live._server, live._thread = server, thread
    return live


def stop_server(live: LiveServer) -> None:
    assert live._server is not None and live._thread is not None
    live._server.should_exit = True
    live._thread.join(30)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def store(database: Database) -> AsyncIterator[SqlStore]:
    """A ``SqlStore`` on a fresh, migrated database (SQLite, and PostgreSQL when configured)."""
    sql_store = SqlStore(database.engine())
    await migrate.upgrade(sql_store.engine)
    try:
        yield sql_store
    finally:
        await sql_store.close()


@pytest.fixture
def server_options() -> dict[str, Any]:
    """Override in a test module to start the live server with other settings."""
    return {}


@pytest.fixture
def live(
    database: Database, clock: FrozenClock, server_options: dict[str, Any]
) -> Iterator[LiveServer]:
    server = start_server(database, clock, **server_options)
    try:
        yield server
    finally:
        stop_server(server)


@pytest.fixture
def cognito(live: LiveServer) -> Any:
    return live.client()


@dataclass
class Pool:
    """A user pool with one app client (USER_PASSWORD_AUTH + ADMIN_USER_PASSWORD_AUTH allowed)."""

    id: str
    client_id: str
    client_secret: str | None = None


PASSWORD = "Corr3ct-horse!"


def make_pool(
    cognito: Any,
    *,
    secret: bool = False,
    prevent: str = "ENABLED",
    pool_args: dict[str, Any] | None = None,
    client_args: dict[str, Any] | None = None,
) -> Pool:
    pool = cognito.create_user_pool(PoolName="test-pool", **(pool_args or {}))["UserPool"]
    args: dict[str, Any] = {
        "UserPoolId": pool["Id"],
        "ClientName": "test-client",
        "GenerateSecret": secret,
        "ExplicitAuthFlows": [
            "ALLOW_USER_PASSWORD_AUTH",
            "ALLOW_ADMIN_USER_PASSWORD_AUTH",
            "ALLOW_REFRESH_TOKEN_AUTH",
        ],
        "PreventUserExistenceErrors": prevent,
    }
    client = cognito.create_user_pool_client(**(args | (client_args or {})))["UserPoolClient"]
    return Pool(pool["Id"], client["ClientId"], client.get("ClientSecret"))


@pytest.fixture
def pool(cognito: Any) -> Pool:
    return make_pool(cognito)


def make_user(
    cognito: Any, pool: Pool, username: str = "alice", password: str = PASSWORD, **attributes: str
) -> str:
    """Sign a user up and confirm them; return their sub."""
    attrs = [
        {"Name": k, "Value": v}
        for k, v in ({"email": f"{username}@example.com"} | attributes).items()
    ]
    sub = cognito.sign_up(
        ClientId=pool.client_id, Username=username, Password=password, UserAttributes=attrs
    )["UserSub"]
    cognito.admin_confirm_sign_up(UserPoolId=pool.id, Username=username)
    return str(sub)


def sign_in(
    cognito: Any, pool: Pool, username: str = "alice", password: str = PASSWORD
) -> dict[str, Any]:
    result = cognito.initiate_auth(
        ClientId=pool.client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": password},
    )
    return dict(result["AuthenticationResult"])


def error(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    """A boto3 ClientError's Cognito ``__type`` and message."""
    return exc.value.response["Error"]["Code"], exc.value.response["Error"]["Message"]


def outbox(live: LiveServer, to: str) -> list[Message]:
    """Messages the development outbox holds for ``to``, newest first."""
    return [m.message for m in live.run(live.store.list_outbox(to, 100))]


def last_code(live: LiveServer, to: str) -> str:
    """The six-digit code in the newest message to ``to``."""
    messages = outbox(live, to)
    assert messages, f"no message to {to}"
    found = re.search(r"\b[0-9]{6}\b", messages[0].body)
    assert found, messages[0].body
    return found.group()
