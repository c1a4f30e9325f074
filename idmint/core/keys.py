"""The signing key ring: RSA keys for RS256, the active key, and the public JWKS.

Keys are generated on first start and persisted by the store; ``idmint keys rotate`` adds a new
active key and retires the old one, which stays in the JWKS for ``retention`` seconds (longer
than any ID/access token lives) so tokens it signed keep verifying (RFC 7517 key sets; RFC 7638
thumbprints as ``kid``).
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence

import orjson
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from idmint.core.model import SigningKey

# An ID or access token lives at most one day (Cognito's upper bound); keep retired keys longer.
DEFAULT_RETENTION_SECONDS = 86400 + 3600


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _int_b64(value: int) -> str:
    return b64url(value.to_bytes((value.bit_length() + 7) // 8, "big"))


def public_jwk(public_key: rsa.RSAPublicKey) -> dict[str, str]:
    numbers = public_key.public_numbers()
    return {"kty": "RSA", "e": _int_b64(numbers.e), "n": _int_b64(numbers.n)}


def thumbprint(public_key: rsa.RSAPublicKey) -> str:
    """RFC 7638 JWK thumbprint (SHA-256) of an RSA public key."""
    canonical = orjson.dumps(public_jwk(public_key), option=orjson.OPT_SORT_KEYS)
    return b64url(hashlib.sha256(canonical).digest())


def generate_signing_key(now: float) -> SigningKey:
    """A fresh RSA-2048 key (public exponent 65537) with its thumbprint as ``kid``."""
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return SigningKey(kid=thumbprint(private.public_key()), private_pem=pem, created_at=now)


class KeyRing:
    """The loaded keys: the newest unretired one signs; recent ones verify and are published."""

    def __init__(
        self, keys: Sequence[SigningKey], *, retention_seconds: int = DEFAULT_RETENTION_SECONDS
    ) -> None:
        active = [k for k in keys if k.retired_at is None]
        if not active:
            raise ValueError("the key ring has no active signing key")
        self._keys = {k.kid: k for k in keys}
        self._retention = retention_seconds
        newest = max(active, key=lambda k: k.created_at)
        self.active_kid = newest.kid
        self._private: dict[str, rsa.RSAPrivateKey] = {}
        for key in keys:
            loaded = serialization.load_pem_private_key(key.private_pem, password=None)
            assert isinstance(loaded, rsa.RSAPrivateKey)
            self._private[key.kid] = loaded

    @property
    def kids(self) -> frozenset[str]:
        return frozenset(self._keys)

    @property
    def signer(self) -> rsa.RSAPrivateKey:
        return self._private[self.active_kid]

    def _published(self, key: SigningKey, now: float) -> bool:
        return key.retired_at is None or now < key.retired_at + self._retention

    def public_key(self, kid: str, now: float) -> rsa.RSAPublicKey | None:
        key = self._keys.get(kid)
        if key is None or not self._published(key, now):
            return None
        return self._private[kid].public_key()

    def jwks(self, now: float) -> dict[str, list[dict[str, str]]]:
        """The public JSON Web Key Set (RFC 7517 §5), active key first."""
        ordered = sorted(
            self._keys.values(), key=lambda k: (k.kid != self.active_kid, -k.created_at)
        )
        return {
            "keys": [
                {
                    "alg": "RS256",
                    "kid": k.kid,
                    "use": "sig",
                    **public_jwk(self._private[k.kid].public_key()),
                }
                for k in ordered
                if self._published(k, now)
            ]
        }
