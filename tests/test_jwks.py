"""The JWKS client for external issuers (idmint.jwks) against a real HTTP server on 127.0.0.1
whose answers each test sets and whose requests it counts; time moves only by a frozen clock."""

from __future__ import annotations

import asyncio
import gzip
import logging
import re
import threading
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import orjson
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from idmint.core.keys import b64url, public_jwk
from idmint.jwks import JwksCache, JwksError
from tests.conftest import FrozenClock, listening_socket

pytestmark = pytest.mark.anyio

PATH = "/pool/.well-known/jwks.json"
TTL = 3600.0
INTERVAL = 30.0


# --- keys -------------------------------------------------------------------------------------


_KEYS: dict[tuple[str, int], rsa.RSAPublicKey] = {}


def rsa_key(name: str, bits: int = 2048) -> rsa.RSAPublicKey:
    """One RSA public key per name (and size), generated once for the module."""
    if (name, bits) not in _KEYS:
        private = rsa.generate_private_key(public_exponent=65537, key_size=bits)
        _KEYS[name, bits] = private.public_key()
    return _KEYS[name, bits]


def jwk(name: str, bits: int = 2048, **members: Any) -> dict[str, Any]:
    """The JWK of ``rsa_key(name)`` with ``kid`` = name, as Cognito publishes it."""
    return {"kid": name, "alg": "RS256", "use": "sig"} | public_jwk(rsa_key(name, bits)) | members


def same(found: rsa.RSAPublicKey | None, name: str) -> bool:
    return found is not None and found.public_numbers() == rsa_key(name).public_numbers()


# --- the issuer -------------------------------------------------------------------------------


@dataclass
class Answer:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "application/json"})
    content_length: bool = True  # False: the body ends when the connection closes


class Issuer:
    """A JWKS endpoint on a real socket: ``answers[path]`` is what it serves, ``requests[path]``
    counts what it was asked. Unknown paths get 404."""

    def __init__(self) -> None:
        self.answers: dict[str, Answer] = {}
        self.requests: Counter[str] = Counter()
        self.request_headers: list[dict[str, str]] = []
        issuer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                issuer.requests[self.path] += 1
                issuer.request_headers.append({k.lower(): v for k, v in self.headers.items()})
                answer = issuer.answers.get(self.path, Answer(404, b'{"error": "not found"}'))
                self.send_response(answer.status)
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                if answer.content_length:
                    self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                self.wfile.write(answer.body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        # Bound and listening on construction: clients may connect before serve_forever runs.
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = int(self._server.server_address[1])
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        self._running = True

    def url(self, path: str = PATH) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def serve(self, *keys: Any, path: str = PATH) -> None:
        """Serve ``{"keys": [...]}`` at ``path``."""
        self.answers[path] = Answer(body=orjson.dumps({"keys": list(keys)}))

    def answer(self, body: bytes, status: int = 200, path: str = PATH, **options: Any) -> None:
        self.answers[path] = Answer(status, body, **options)

    def stop(self) -> None:
        """Shut down and close the socket: connections are refused from now on."""
        if self._running:
            self._running = False
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(10)


@pytest.fixture
def issuer() -> Iterator[Issuer]:
    server = Issuer()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(1_700_000_000.0)


@pytest.fixture
async def jwks(clock: FrozenClock) -> AsyncIterator[JwksCache]:
    cache_ = JwksCache(clock=clock, ttl=TTL, min_refetch_interval=INTERVAL)
    try:
        yield cache_
    finally:
        await cache_.close()


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.INFO, logger="idmint.jwks")
    return caplog


def no_key_material_in(caplog: pytest.LogCaptureFixture, *names: str) -> None:
    text = "\n".join(record.getMessage() for record in caplog.records)
    for name in names:
        numbers = public_jwk(rsa_key(name))
        assert numbers["n"] not in text
        assert numbers["n"][:40] not in text


# --- fetching and caching ---------------------------------------------------------------------


async def test_fetches_and_finds_a_key(
    issuer: Issuer, jwks: JwksCache, logs: pytest.LogCaptureFixture
) -> None:
    issuer.serve(jwk("k1"), jwk("k2"))
    assert same(await jwks.key(issuer.url(), "k1"), "k1")
    assert same(await jwks.key(issuer.url(), "k2"), "k2")
    assert issuer.requests[PATH] == 1
    headers = issuer.request_headers[0]
    assert headers["accept"] == "application/json"
    assert headers["accept-encoding"] == "identity"

    [record] = logs.records
    assert record.levelno == logging.INFO
    assert issuer.url() in record.getMessage() and "2 RSA signature key(s)" in record.getMessage()
    no_key_material_in(logs, "k1", "k2")


async def test_keys_without_use_or_alg_are_kept(issuer: Issuer, jwks: JwksCache) -> None:
    bare = {"kid": "bare"} | public_jwk(rsa_key("bare"))
    issuer.serve(bare)
    assert same(await jwks.key(issuer.url(), "bare"), "bare")


async def test_a_cached_key_needs_no_request(
    issuer: Issuer, jwks: JwksCache, clock: FrozenClock
) -> None:
    issuer.serve(jwk("k1"))
    await jwks.key(issuer.url(), "k1")
    clock.advance(TTL - 1)
    for _ in range(5):
        assert same(await jwks.key(issuer.url(), "k1"), "k1")
    assert issuer.requests[PATH] == 1


async def test_an_unknown_kid_refetches_once_and_finds_the_rotated_in_key(
    issuer: Issuer, jwks: JwksCache, clock: FrozenClock
) -> None:
    issuer.serve(jwk("old"))
    await jwks.key(issuer.url(), "old")
    clock.advance(INTERVAL)
    issuer.serve(jwk("old"), jwk("new"))
    assert same(await jwks.key(issuer.url(), "new"), "new")
    assert same(await jwks.key(issuer.url(), "old"), "old")
    assert issuer.requests[PATH] == 2


async def test_the_first_fetch_counts_against_the_refetch_interval(
    issuer: Issuer, jwks: JwksCache
) -> None:
    issuer.serve(jwk("k1"))
    assert await jwks.key(issuer.url(), "unknown") is None
    issuer.serve(jwk("k1"), jwk("unknown"))
    assert await jwks.key(issuer.url(), "unknown") is None
    assert issuer.requests[PATH] == 1


async def test_a_flood_of_unknown_kids_refetches_at_most_once_per_interval(
    issuer: Issuer, jwks: JwksCache, clock: FrozenClock
) -> None:
    issuer.serve(jwk("k1"))
    await jwks.key(issuer.url(), "k1")
    clock.advance(INTERVAL)
    for i in range(160):
        assert await jwks.key(issuer.url(), f"random-{i}") is None
        clock.advance(0.125)  # 20 s in all: still inside the interval after the refetch
    assert issuer.requests[PATH] == 2
    assert same(await jwks.key(issuer.url(), "k1"), "k1")

    # Once the interval has passed since that refetch, the next unknown kid may refetch again.
    clock.advance(INTERVAL - 20)
    issuer.serve(jwk("k1"), jwk("rotated"))
    assert same(await jwks.key(issuer.url(), "rotated"), "rotated")
    assert issuer.requests[PATH] == 3


async def test_the_interval_is_per_url(issuer: Issuer, jwks: JwksCache) -> None:
    issuer.serve(jwk("a"), path="/a/jwks.json")
    issuer.serve(jwk("b"), path="/b/jwks.json")
    assert same(await jwks.key(issuer.url("/a/jwks.json"), "a"), "a")
    assert same(await jwks.key(issuer.url("/b/jwks.json"), "b"), "b")
    # A key of one issuer is not found at another's URL.
    assert await jwks.key(issuer.url("/b/jwks.json"), "a") is None
    assert issuer.requests == Counter({"/a/jwks.json": 1, "/b/jwks.json": 1})


async def test_ttl_expiry_refetches(issuer: Issuer, jwks: JwksCache, clock: FrozenClock) -> None:
    issuer.serve(jwk("k1"))
    await jwks.key(issuer.url(), "k1")
    clock.advance(TTL)
    issuer.serve(jwk("k2"))  # the issuer dropped k1
    assert await jwks.key(issuer.url(), "k1") is None
    assert same(await jwks.key(issuer.url(), "k2"), "k2")
    assert issuer.requests[PATH] == 2


async def test_a_clock_set_back_does_not_freeze_the_cache(
    issuer: Issuer, jwks: JwksCache, clock: FrozenClock
) -> None:
    issuer.serve(jwk("k1"))
    await jwks.key(issuer.url(), "k1")
    clock.advance(-2 * TTL)
    issuer.serve(jwk("k1"), jwk("k2"))
    assert same(await jwks.key(issuer.url(), "k2"), "k2")
    assert issuer.requests[PATH] == 2


# --- concurrency ------------------------------------------------------------------------------


async def test_concurrent_callers_share_one_fetch(issuer: Issuer, jwks: JwksCache) -> None:
    issuer.serve(jwk("k1"))
    found = await asyncio.gather(*(jwks.key(issuer.url(), "k1") for _ in range(10)))
    assert all(same(key, "k1") for key in found)
    assert issuer.requests[PATH] == 1


async def test_concurrent_callers_share_one_fetch_even_without_an_interval(
    issuer: Issuer, clock: FrozenClock
) -> None:
    """Callers that waited for the lock use the fetch that just completed, not their own."""
    jwks = JwksCache(clock=clock, min_refetch_interval=0)
    try:
        issuer.serve(jwk("k1"))
        found = await asyncio.gather(*(jwks.key(issuer.url(), "unknown") for _ in range(10)))
        assert found == [None] * 10
        assert issuer.requests[PATH] == 1
        assert await jwks.key(issuer.url(), "unknown") is None  # no interval: a new fetch
        assert issuer.requests[PATH] == 2
    finally:
        await jwks.close()


async def test_concurrent_callers_share_one_failure(issuer: Issuer, jwks: JwksCache) -> None:
    issuer.answer(b"oops", status=503)
    results = await asyncio.gather(
        *(jwks.key(issuer.url(), "k1") for _ in range(10)), return_exceptions=True
    )
    assert all(isinstance(result, JwksError) for result in results)
    assert issuer.requests[PATH] == 1


# --- failures ---------------------------------------------------------------------------------


async def test_server_down_without_a_copy_is_an_error(
    issuer: Issuer, jwks: JwksCache, logs: pytest.LogCaptureFixture
) -> None:
    url = issuer.url()
    issuer.stop()
    with pytest.raises(JwksError, match=re.escape(f"could not fetch the JWKS at {url}: ")):
        await jwks.key(url, "k1")
    assert [r.levelno for r in logs.records] == [logging.WARNING]


async def test_server_down_with_a_copy_serves_the_old_keys(
    issuer: Issuer, jwks: JwksCache, clock: FrozenClock, logs: pytest.LogCaptureFixture
) -> None:
    issuer.serve(jwk("k1"))
    await jwks.key(issuer.url(), "k1")
    issuer.stop()
    clock.advance(TTL + 1)
    assert same(await jwks.key(issuer.url(), "k1"), "k1")
    assert await jwks.key(issuer.url(), "unknown") is None
    clock.advance(INTERVAL)
    assert same(await jwks.key(issuer.url(), "k1"), "k1")

    warnings = [r for r in logs.records if r.levelno == logging.WARNING]
    assert len(warnings) == 2  # one per attempt: the second call fell inside the interval
    assert "still serving the 1 key(s)" in warnings[0].getMessage()
    no_key_material_in(logs, "k1")


async def test_a_failed_refresh_is_retried_only_after_the_interval(
    issuer: Issuer, jwks: JwksCache, clock: FrozenClock
) -> None:
    issuer.serve(jwk("k1"))
    await jwks.key(issuer.url(), "k1")
    issuer.answer(b"busy", status=503)
    clock.advance(TTL)
    for _ in range(20):
        assert same(await jwks.key(issuer.url(), "k1"), "k1")
    assert issuer.requests[PATH] == 2

    clock.advance(INTERVAL)
    issuer.serve(jwk("k2"))
    assert same(await jwks.key(issuer.url(), "k2"), "k2")
    assert await jwks.key(issuer.url(), "k1") is None  # the new copy replaced the old one
    assert issuer.requests[PATH] == 3


async def test_a_failed_first_fetch_is_retried_only_after_the_interval(
    issuer: Issuer, jwks: JwksCache, clock: FrozenClock
) -> None:
    issuer.answer(b"busy", status=503)
    for _ in range(5):
        with pytest.raises(JwksError, match="HTTP 503"):
            await jwks.key(issuer.url(), "k1")
    assert issuer.requests[PATH] == 1

    clock.advance(INTERVAL)
    issuer.serve(jwk("k1"))
    assert same(await jwks.key(issuer.url(), "k1"), "k1")
    assert issuer.requests[PATH] == 2


@pytest.mark.parametrize(
    ("status", "body", "reason"),
    [
        (404, b'{"keys": []}', "HTTP 404"),
        (500, b'{"keys": []}', "HTTP 500"),
        (204, b"", "HTTP 204"),
        (200, b"<html>Service Unavailable</html>", "not JSON"),
        (200, b"\xff\xfe{", "not JSON"),
        (200, b"", "not JSON"),
        (200, b"[]", '"keys" list'),
        (200, b'{"kid": "k1"}', '"keys" list'),
        (200, b'{"keys": {"kid": "k1"}}', '"keys" list'),
        (200, b'{"keys": null}', '"keys" list'),
    ],
)
async def test_unusable_answers_are_errors(
    issuer: Issuer, jwks: JwksCache, status: int, body: bytes, reason: str
) -> None:
    issuer.answer(body, status=status)
    with pytest.raises(JwksError, match=reason):
        await jwks.key(issuer.url(), "k1")


async def test_redirects_are_not_followed(issuer: Issuer, jwks: JwksCache) -> None:
    issuer.serve(jwk("k1"), path="/elsewhere")
    issuer.answer(b"", status=302, headers={"Location": issuer.url("/elsewhere")})
    with pytest.raises(JwksError, match="HTTP 302"):
        await jwks.key(issuer.url(), "k1")
    assert issuer.requests["/elsewhere"] == 0


async def test_a_client_that_follows_redirects_still_does_not(
    issuer: Issuer, clock: FrozenClock
) -> None:
    issuer.serve(jwk("k1"), path="/elsewhere")
    issuer.answer(b"", status=301, headers={"Location": issuer.url("/elsewhere")})
    async with httpx.AsyncClient(follow_redirects=True) as client:
        jwks = JwksCache(clock=clock, client=client)
        with pytest.raises(JwksError, match="HTTP 301"):
            await jwks.key(issuer.url(), "k1")
        await jwks.close()
        assert not client.is_closed  # the caller's client stays the caller's to close
    assert issuer.requests["/elsewhere"] == 0


@pytest.mark.parametrize("content_length", [True, False])
async def test_an_oversized_answer_is_an_error(
    issuer: Issuer, clock: FrozenClock, content_length: bool
) -> None:
    keys = orjson.dumps({"keys": [jwk("k1")]})
    jwks = JwksCache(clock=clock, max_bytes=len(keys))
    try:
        issuer.answer(keys + b" ", content_length=content_length)
        with pytest.raises(JwksError, match=f"larger than {len(keys)} bytes"):
            await jwks.key(issuer.url(), "k1")
        clock.advance(INTERVAL)
        issuer.answer(keys, content_length=content_length)  # exactly max_bytes is fine
        assert same(await jwks.key(issuer.url(), "k1"), "k1")
    finally:
        await jwks.close()


async def test_a_default_sized_cache_refuses_a_large_document(
    issuer: Issuer, jwks: JwksCache
) -> None:
    issuer.answer(orjson.dumps({"keys": [jwk("k1")], "padding": "x" * 512 * 1024}))
    with pytest.raises(JwksError, match="larger than 524288 bytes"):
        await jwks.key(issuer.url(), "k1")


GZIPPED = {"Content-Type": "application/json", "Content-Encoding": "gzip"}


async def test_a_compressed_answer_is_inflated(issuer: Issuer, clock: FrozenClock) -> None:
    """A server that compresses although asked not to still works, within ``max_bytes``."""
    document = orjson.dumps({"keys": [jwk("k1")]})
    jwks = JwksCache(clock=clock, max_bytes=len(document))
    try:
        issuer.answer(gzip.compress(document), headers=GZIPPED)
        assert same(await jwks.key(issuer.url(), "k1"), "k1")
    finally:
        await jwks.close()


BOMB = gzip.compress(orjson.dumps({"keys": [], "padding": " " * 10_000_000}))


@pytest.mark.parametrize(
    ("body", "headers", "reason"),
    [
        (BOMB, GZIPPED, "larger than 524288 bytes"),  # 10 MB from a small body
        (b'{"keys": []}', GZIPPED, "corrupt compressed body"),
        (gzip.compress(b'{"keys": []}')[:-12], GZIPPED, "truncated compressed body"),
        (b'{"keys": []}', {"Content-Encoding": "br"}, "unsupported Content-Encoding"),
    ],
)
async def test_unusable_compressed_answers_are_errors(
    issuer: Issuer, jwks: JwksCache, body: bytes, headers: dict[str, str], reason: str
) -> None:
    assert len(BOMB) < 100_000
    issuer.answer(body, headers=headers)
    with pytest.raises(JwksError, match=reason):
        await jwks.key(issuer.url(), "k1")


async def test_a_silent_server_times_out(clock: FrozenClock) -> None:
    """A server that accepts the connection (into its backlog) but never answers."""
    jwks = JwksCache(clock=clock, timeout=0.2)
    try:
        with listening_socket() as silent:
            port = silent.getsockname()[1]
            with pytest.raises(JwksError, match=r"timed out after 0\.2 s"):
                await jwks.key(f"http://127.0.0.1:{port}{PATH}", "k1")
    finally:
        await jwks.close()


@pytest.mark.parametrize("url", ["ftp://127.0.0.1/jwks.json", "not a url", "http://[::1/jwks"])
async def test_unusable_urls_are_errors(jwks: JwksCache, url: str) -> None:
    with pytest.raises(JwksError, match="could not fetch the JWKS"):
        await jwks.key(url, "k1")


async def test_credentials_and_query_in_the_url_are_not_shown(
    issuer: Issuer, jwks: JwksCache, logs: pytest.LogCaptureFixture
) -> None:
    issuer.answer(b"nope", status=401)
    url = f"http://user:hunter2@127.0.0.1:{issuer.port}{PATH}?api_key=s3cr3t"
    with pytest.raises(JwksError) as raised:
        await jwks.key(url, "k1")
    for text in (str(raised.value), *(r.getMessage() for r in logs.records)):
        assert "hunter2" not in text and "s3cr3t" not in text
        assert f"http://127.0.0.1:{issuer.port}{PATH}" in text


# --- which keys are kept ----------------------------------------------------------------------


async def test_non_rsa_and_malformed_keys_are_skipped(
    issuer: Issuer, jwks: JwksCache, logs: pytest.LogCaptureFixture
) -> None:
    ec_numbers = ec.generate_private_key(ec.SECP256R1()).public_key().public_numbers()
    good = jwk("good")
    n, e = good["n"], good["e"]
    skipped: list[Any] = [
        {
            "kid": "ec",
            "kty": "EC",
            "crv": "P-256",
            "use": "sig",
            "x": b64url(ec_numbers.x.to_bytes(32, "big")),
            "y": b64url(ec_numbers.y.to_bytes(32, "big")),
        },
        {"kid": "oct", "kty": "oct", "k": "c2VjcmV0"},
        {"kid": "enc", "kty": "RSA", "use": "enc", "n": n, "e": e},
        {"kid": "rs512", "kty": "RSA", "alg": "RS512", "n": n, "e": e},
        {"kid": "ps256", "kty": "RSA", "alg": "PS256", "n": n, "e": e},
        {"kid": "null-use", "kty": "RSA", "use": None, "n": n, "e": e},
        {"kid": "lowercase", "kty": "rsa", "n": n, "e": e},
        {"kty": "RSA", "n": n, "e": e},  # no kid
        {"kid": "", "kty": "RSA", "n": n, "e": e},
        {"kid": 7, "kty": "RSA", "n": n, "e": e},
        {"kid": "no-n", "kty": "RSA", "e": e},
        {"kid": "no-e", "kty": "RSA", "n": n},
        {"kid": "int-n", "kty": "RSA", "n": 12345, "e": e},
        {"kid": "padded-n", "kty": "RSA", "n": n + "==", "e": e},
        {"kid": "std-base64-n", "kty": "RSA", "n": n.replace("-", "+").replace("_", "/"), "e": e},
        {"kid": "bad-n", "kty": "RSA", "n": "!!!not base64!!!", "e": e},
        {"kid": "empty-n", "kty": "RSA", "n": "", "e": e},
        {"kid": "bad-length", "kty": "RSA", "n": n + "AAA", "e": e},
        {"kid": "even-e", "kty": "RSA", "n": n, "e": b64url((65536).to_bytes(3, "big"))},
        {"kid": "e-is-1", "kty": "RSA", "n": n, "e": "AQ"},
        {"kid": "zero-e", "kty": "RSA", "n": n, "e": "AA"},
        jwk("small", bits=1024) | {"kid": "small"},  # RFC 7518 §3.3: 2048 bits at least
        "not an object",
        None,
        ["kty", "RSA"],
    ]
    good_bare = {"kid": "good-bare", "kty": "RSA", "n": n, "e": e}
    issuer.serve(*skipped[:10], good, *skipped[10:], good_bare)

    assert same(await jwks.key(issuer.url(), "good"), "good")
    assert same(await jwks.key(issuer.url(), "good-bare"), "good")
    for member in skipped:
        kid = member.get("kid") if isinstance(member, dict) else None
        if isinstance(kid, str) and kid:
            assert await jwks.key(issuer.url(), kid) is None, kid
    assert issuer.requests[PATH] == 1
    assert f"2 RSA signature key(s), {len(skipped)} other or malformed" in logs.text


async def test_an_empty_key_set_is_not_an_error(issuer: Issuer, jwks: JwksCache) -> None:
    issuer.serve()
    assert await jwks.key(issuer.url(), "k1") is None


async def test_a_repeated_kid_keeps_the_first_key(
    issuer: Issuer, jwks: JwksCache, logs: pytest.LogCaptureFixture
) -> None:
    issuer.serve(jwk("k1"), jwk("k2") | {"kid": "k1"})
    assert same(await jwks.key(issuer.url(), "k1"), "k1")
    assert "repeats a kid 1 time(s)" in logs.text


async def test_settings_are_checked(clock: FrozenClock) -> None:
    bad: list[dict[str, Any]] = [
        {"ttl": 0},
        {"min_refetch_interval": -1},
        {"timeout": 0},
        {"max_bytes": 0},
    ]
    for setting in bad:
        with pytest.raises(ValueError):
            JwksCache(clock=clock, **setting)
