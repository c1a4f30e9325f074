"""A JWKS client for external OpenID Connect issuers: the RSA keys that verify their ID tokens.

An issuer (an Amazon Cognito user pool, another idmint, any OIDC provider) publishes its signing
keys as a JWK Set (RFC 7517 §5) at its ``jwks_uri`` (OpenID Connect Discovery 1.0 §3). The
``JwksCache`` fetches that document with httpx, keeps the RSA signature keys by ``kid`` and serves
them from memory:

* the copy is refreshed after ``ttl`` seconds;
* a ``kid`` the copy does not hold triggers a refetch, as OpenID Connect Core 1.0 §10.1.1 asks of
  a relying party when the issuer rotates keys; but every fetch of one URL, whatever its reason and
  outcome, waits ``min_refetch_interval`` seconds after the previous one, so a flood of tokens
  with made-up ``kid`` values (or an issuer that is down) cannot make us hammer the issuer;
* concurrent callers for one URL share one fetch (an ``asyncio.Lock`` per URL);
* a failed refresh keeps the older copy in service (logged as a warning); with no copy at all the
  caller gets ``JwksError``.

Only keys that can verify RS256 signatures are kept: ``kty`` ``RSA`` (RFC 7518 §6.3.1: ``n`` and
``e`` as base64url unsigned big-endian integers), ``use`` ``sig`` or absent (RFC 7517 §4.2),
``alg`` ``RS256`` or absent (RFC 7517 §4.4), a ``kid``, and a modulus of at least 2048 bits
(RFC 7518 §3.3). Anything else in the set is skipped, never an error.

The fetch follows no redirects (a 3xx is a failure), is bounded in time (``timeout`` covers the
whole fetch) and in size (``max_bytes`` of body, after any decompression), and accepts only a 200
answer whose body is a JSON object with a ``keys`` list.

``jwks_url`` must come from configuration (the trusted issuers), never from a token being
verified (its ``iss`` or ``jku``): the cache fetches whatever URL it is given.

Logs name the URL without credentials or query string and never contain key material.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import logging
import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

import orjson
from cryptography.hazmat.primitives.asymmetric import rsa

from idmint.core.ports import KeysUnavailable

if TYPE_CHECKING:
    import httpx

log = logging.getLogger("idmint.jwks")

# RFC 7518 §3.3: "A key of size 2048 bits or larger MUST be used with these algorithms."
MIN_RSA_BITS = 2048

_BASE64URL = re.compile(r"[A-Za-z0-9_-]+")
# Content-Encoding values we can decompress with a bound on the output (zlib: gzip or zlib header).
_ZLIB_ENCODINGS = frozenset({"gzip", "x-gzip", "deflate"})


class JwksError(KeysUnavailable):
    """The issuer's JWKS could not be fetched or parsed (message says why; no secrets)."""


@dataclass(eq=False)
class _Entry:
    """What the cache knows about one JWKS URL."""

    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    keys: dict[str, rsa.RSAPublicKey] | None = None  # None until a fetch succeeds
    fetched_at: float = 0.0  # clock time of the fetch that produced ``keys``
    attempted_at: float | None = None  # clock time of the last fetch, successful or not
    attempts: int = 0  # completed fetches: waiters on the lock see whether one happened meanwhile
    error: str = ""  # why the last fetch failed ("" if it succeeded)


class JwksCache:
    """RSA public keys of external issuers by (JWKS URL, ``kid``), cached and refreshed."""

    def __init__(
        self,
        *,
        clock: Callable[[], float],
        ttl: float = 3600.0,
        min_refetch_interval: float = 30.0,
        timeout: float = 5.0,
        client: httpx.AsyncClient | None = None,
        max_bytes: int = 512 * 1024,
    ) -> None:
        """``clock`` is the injected epoch-seconds clock; ``ttl`` and ``min_refetch_interval``
        are measured with it. ``timeout`` (real seconds) bounds each whole fetch. A ``client``
        passed in stays the caller's to close; otherwise the cache makes one and ``close`` closes
        it."""
        if ttl <= 0 or min_refetch_interval < 0 or timeout <= 0 or max_bytes <= 0:
            raise ValueError(
                "JwksCache needs ttl > 0, min_refetch_interval >= 0, timeout > 0, max_bytes > 0"
            )
        self._clock = clock
        self._ttl = ttl
        self._min_interval = min_refetch_interval
        self._timeout = timeout
        self._max_bytes = max_bytes
        self._owns_client = client is None
        self._client = client  # made at the first fetch: most servers never fetch (start-up time)
        self._entries: dict[str, _Entry] = {}

    async def key(self, jwks_url: str, kid: str) -> rsa.RSAPublicKey | None:
        """The RSA public key with this kid from the JWKS at jwks_url. Served from a cache that is
        refreshed after `ttl` seconds; an unknown kid triggers a refetch, but at most once per
        `min_refetch_interval` per URL (so a flood of tokens with random kids cannot make us hammer
        the issuer); returns None if the kid is still unknown. Only keys with kty RSA (and use
        "sig" or no use, alg RS256 or none) are kept; malformed keys are skipped. Concurrent
        callers for the same URL share one fetch (an asyncio lock per URL). Raises JwksError if
        there is no cached copy and the fetch fails (network error, non-200, non-JSON, too large,
        no "keys" list); if a refresh fails but an older copy exists, keep serving the older copy
        (log a warning).

        A failed fetch counts against ``min_refetch_interval`` too: until it has passed, callers
        get the older copy or, with none, ``JwksError`` with the failure's reason, without a new
        request."""
        entry = self._entries.get(jwks_url)
        if entry is None:
            entry = self._entries[jwks_url] = _Entry()
        found = self._fresh(entry, kid, self._clock())
        if found is not None:
            return found
        seen = entry.attempts
        async with entry.lock:
            now = self._clock()
            found = self._fresh(entry, kid, now)
            if found is not None:
                return found
            # A fetch that completed while we waited for the lock answers us too.
            if entry.attempts == seen and self._may_fetch(entry, now):
                await self._refresh(jwks_url, entry, now)
            if entry.keys is None:
                raise JwksError(entry.error)
            return entry.keys.get(kid)

    async def close(self) -> None:
        """Close the HTTP client if the cache made it."""
        if self._owns_client and self._client is not None:
            await self._client.aclose()

    def _fresh(self, entry: _Entry, kid: str, now: float) -> rsa.RSAPublicKey | None:
        """The key if the copy holds it and is younger than ``ttl`` (a clock set back: stale)."""
        if entry.keys is None or not 0 <= now - entry.fetched_at < self._ttl:
            return None
        return entry.keys.get(kid)

    def _may_fetch(self, entry: _Entry, now: float) -> bool:
        if entry.attempted_at is None:
            return True
        elapsed = now - entry.attempted_at
        return elapsed < 0 or elapsed >= self._min_interval

    def _http(self) -> httpx.AsyncClient:
        import httpx

        if self._client is None:
            self._client = httpx.AsyncClient(follow_redirects=False, timeout=self._timeout)
        return self._client

    async def _refresh(self, url: str, entry: _Entry, now: float) -> None:
        try:
            keys = await self._fetch(url)
        except JwksError as exc:
            entry.error = str(exc)
            if entry.keys is None:
                log.warning("%s", exc)
            else:
                log.warning(
                    "%s; still serving the %d key(s) fetched %.0f s ago",
                    exc,
                    len(entry.keys),
                    now - entry.fetched_at,
                )
        else:
            entry.keys, entry.fetched_at, entry.error = keys, now, ""
        entry.attempted_at = now
        entry.attempts += 1

    async def _fetch(self, url: str) -> dict[str, rsa.RSAPublicKey]:
        shown = display_url(url)
        body = await self._download(url, shown)
        try:
            document = orjson.loads(body)
        except orjson.JSONDecodeError:
            raise JwksError(f"the JWKS at {shown} is not JSON") from None
        if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
            raise JwksError(f'the JWKS at {shown} is not a JSON object with a "keys" list')
        keys: dict[str, rsa.RSAPublicKey] = {}
        duplicates = 0
        for jwk in document["keys"]:
            parsed = rsa_signature_key(jwk)
            if parsed is None:
                continue
            kid, public_key = parsed
            if kid in keys:
                duplicates += 1
                continue
            keys[kid] = public_key
        skipped = len(document["keys"]) - len(keys) - duplicates
        log.info(
            "fetched the JWKS at %s: %d RSA signature key(s), %d other or malformed key(s) skipped",
            shown,
            len(keys),
            skipped,
        )
        if duplicates:
            log.warning(
                "the JWKS at %s repeats a kid %d time(s); the first key with each kid is used",
                shown,
                duplicates,
            )
        return keys

    async def _download(self, url: str, shown: str) -> bytes:
        """The body of a 200 answer, at most ``max_bytes`` (decompressed), within ``timeout``."""
        import httpx

        headers = {"Accept": "application/json", "Accept-Encoding": "identity"}
        try:
            async with (
                asyncio.timeout(self._timeout),
                self._http().stream(
                    "GET", url, headers=headers, follow_redirects=False, timeout=self._timeout
                ) as response,
            ):
                if response.status_code != 200:
                    raise JwksError(
                        f"could not fetch the JWKS at {shown}: HTTP {response.status_code}"
                    )
                encoding = response.headers.get("content-encoding", "identity").strip().lower()
                if encoding not in _ZLIB_ENCODINGS | {"identity"}:
                    raise JwksError(
                        f"could not fetch the JWKS at {shown}: unsupported Content-Encoding"
                    )
                inflater = zlib.decompressobj(wbits=32 + zlib.MAX_WBITS)
                body = bytearray()
                async for chunk in response.aiter_raw():
                    if encoding in _ZLIB_ENCODINGS:
                        # Bounded output, so that a small compressed bomb stays small.
                        chunk = inflater.decompress(chunk, self._max_bytes + 1 - len(body))
                    body += chunk
                    if len(body) > self._max_bytes:
                        raise JwksError(
                            f"the JWKS at {shown} is larger than {self._max_bytes} bytes"
                        )
                if encoding in _ZLIB_ENCODINGS:
                    body += inflater.flush()
                    if not inflater.eof:
                        raise JwksError(f"the JWKS at {shown} has a truncated compressed body")
                    if len(body) > self._max_bytes:
                        raise JwksError(
                            f"the JWKS at {shown} is larger than {self._max_bytes} bytes"
                        )
                return bytes(body)
        except (TimeoutError, httpx.TimeoutException):
            raise JwksError(
                f"could not fetch the JWKS at {shown}: timed out after {self._timeout:g} s"
            ) from None
        except zlib.error:
            raise JwksError(f"the JWKS at {shown} has a corrupt compressed body") from None
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            reason = str(exc) or type(exc).__name__
            raise JwksError(f"could not fetch the JWKS at {shown}: {reason}") from None


def rsa_signature_key(jwk: object) -> tuple[str, rsa.RSAPublicKey] | None:
    """``(kid, key)`` for a JWK that can verify RS256 signatures; None for any other or malformed
    member of a key set (RFC 7517 §4, RFC 7518 §6.3.1)."""
    if not isinstance(jwk, dict):
        return None
    if jwk.get("kty") != "RSA" or jwk.get("use", "sig") != "sig":
        return None
    if jwk.get("alg", "RS256") != "RS256":
        return None
    kid, n, e = jwk.get("kid"), jwk.get("n"), jwk.get("e")
    if not (isinstance(kid, str) and kid and isinstance(n, str) and isinstance(e, str)):
        return None
    modulus, exponent = base64url_uint(n), base64url_uint(e)
    if modulus is None or exponent is None:
        return None
    try:
        public_key = rsa.RSAPublicNumbers(exponent, modulus).public_key()
    except ValueError:
        return None
    if public_key.key_size < MIN_RSA_BITS:
        return None
    return kid, public_key


def base64url_uint(value: str) -> int | None:
    """A base64url (no padding) unsigned big-endian integer (RFC 7518 §2, Base64urlUInt)."""
    if not _BASE64URL.fullmatch(value) or len(value) % 4 == 1:
        return None
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        return None
    return int.from_bytes(raw, "big")


def display_url(url: str) -> str:
    """The URL for logs and error messages: without user info, query string or fragment."""
    try:
        parts = urlsplit(url)
        host = parts.netloc.rpartition("@")[2]
        return urlunsplit((parts.scheme, host, parts.path, "", ""))
    except ValueError:
        return "<an invalid URL>"
