"""ID, access and refresh tokens in the shape Amazon Cognito issues them.

ID and access tokens are RS256 JWS compact serializations (RFC 7515, RFC 7519) with a ``kid``
header and Cognito's claims (Cognito developer guide, "Understanding user pool JSON web tokens").
Verification pins the algorithm to RS256 and looks the key up by ``kid``; nothing in the token
chooses how it is checked. Refresh tokens are opaque CSPRNG strings; only their SHA-256 is
stored, which is enough for a 256-bit random value (no password-style stretching needed).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import secrets
from collections.abc import Mapping, Sequence
from typing import Any

import orjson
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

from idmint.core.errors import InvalidToken
from idmint.core.ids import new_uuid
from idmint.core.keys import KeyRing, b64url
from idmint.core.model import AppClient, Group, User

ACCESS_SCOPE = "aws.cognito.signin.user.admin"
_BOOLEAN_ATTRIBUTES = frozenset({"email_verified", "phone_number_verified"})


def sign(ring: KeyRing, claims: Mapping[str, Any]) -> str:
    """Serialize ``claims`` as an RS256 JWS signed by the ring's active key."""
    header = b64url(orjson.dumps({"kid": ring.active_kid, "alg": "RS256"}))
    payload = b64url(orjson.dumps(claims))
    signing_input = f"{header}.{payload}".encode("ascii")
    signature = ring.signer.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
    return f"{header}.{payload}.{b64url(signature)}"


def _b64decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def unverified_header(token: str) -> dict[str, Any]:
    """The JOSE header of a compact JWS, not yet trusted; ``InvalidToken`` if malformed."""
    try:
        header = orjson.loads(_b64decode(token.split(".", 1)[0]))
    except (ValueError, binascii.Error, orjson.JSONDecodeError) as exc:
        raise InvalidToken() from exc
    if not isinstance(header, dict):
        raise InvalidToken()
    return header


def verify(ring: KeyRing, token: str, now: float) -> dict[str, Any]:
    """Check an RS256 signature made by one of the ring's published keys; return the claims.

    Only the signature and structure are checked here; expiry, issuer and ``token_use`` are the
    caller's (they differ per use). Every failure is the same ``InvalidToken``.
    """
    kid = signing_kid(token)
    return verify_with(ring.public_key(kid, now), token)


def signing_kid(token: str) -> str:
    """The ``kid`` of a compact RS256 JWS (not yet trusted); ``InvalidToken`` for any other
    algorithm, a ``crit`` header or a malformed token."""
    if token.count(".") != 2:
        raise InvalidToken()
    header = unverified_header(token)
    kid = header.get("kid")
    if header.get("alg") != "RS256" or not isinstance(kid, str) or "crit" in header:
        raise InvalidToken()
    return kid


def unverified_claims(token: str) -> dict[str, Any]:
    """The payload of a compact JWS before its signature is checked: only to pick the key."""
    try:
        claims = orjson.loads(_b64decode(token.split(".")[1]))
    except (IndexError, ValueError, binascii.Error, orjson.JSONDecodeError) as exc:
        raise InvalidToken() from exc
    if not isinstance(claims, dict):
        raise InvalidToken()
    return claims


def verify_with(key: RSAPublicKey | None, token: str) -> dict[str, Any]:
    """Check a compact RS256 JWS against ``key`` (None: no such key); return its claims."""
    parts = token.split(".")
    if key is None or len(parts) != 3:
        raise InvalidToken()
    try:
        signature = _b64decode(parts[2])
        key.verify(
            signature, f"{parts[0]}.{parts[1]}".encode("ascii"), padding.PKCS1v15(), hashes.SHA256()
        )
        claims = orjson.loads(_b64decode(parts[1]))
    except (InvalidSignature, ValueError, binascii.Error, orjson.JSONDecodeError) as exc:
        raise InvalidToken() from exc
    if not isinstance(claims, dict):
        raise InvalidToken()
    return claims


def user_claims(user: User, client: AppClient) -> dict[str, Any]:
    """The user's attributes as ID-token claims: verified flags as booleans, the rest strings.

    Limited to the client's ``ReadAttributes`` when it names them (Cognito puts every readable
    attribute in the ID token).
    """
    readable = client.read_attributes
    claims: dict[str, Any] = {}
    for name, value in user.attributes.items():
        if readable is not None and name not in readable:
            continue
        claims[name] = (value == "true") if name in _BOOLEAN_ATTRIBUTES else value
    for name in ("email", "phone_number"):
        if name in claims:
            claims.setdefault(f"{name}_verified", False)
    return claims


def group_claims(groups: Sequence[Group]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The group claims of the ID token and of the access token; none without groups.

    ``groups`` comes in claim order (``idmint.core.groups.claim_order``). Both tokens get
    ``cognito:groups``; the ID token also ``cognito:roles`` (each group role once) and
    ``cognito:preferred_role``: the role of the highest-precedence group that has one, unless
    another group of the same precedence has a different role (Cognito CreateGroup
    ``Precedence``: then the claim is not set).
    """
    if not groups:
        return {}, {}
    names = [g.name for g in groups]
    access = {"cognito:groups": names}
    id_claims: dict[str, Any] = {"cognito:groups": names}
    with_role = [g for g in groups if g.role_arn]
    if with_role:
        id_claims["cognito:roles"] = list(dict.fromkeys(g.role_arn for g in with_role))
        first = with_role[0]
        if all(g.role_arn == first.role_arn for g in with_role if g.precedence == first.precedence):
            id_claims["cognito:preferred_role"] = first.role_arn
    return id_claims, access


def issue_pair(
    ring: KeyRing,
    *,
    issuer: str,
    client: AppClient,
    user: User,
    origin_jti: str,
    auth_time: float,
    now: float,
    groups: Sequence[Group] = (),
    scope: str = ACCESS_SCOPE,
    nonce: str | None = None,
) -> tuple[str, str]:
    """Sign one ID token and one access token for a sign-in or refresh (same ``event_id``).

    ``groups`` are the user's groups in claim order (see ``group_claims``); ``scope`` goes in
    the access token (RFC 9068 §2.2.3), ``nonce`` in the ID token (OIDC Core §2)."""
    id_group_claims, access_group_claims = group_claims(groups)
    iat = int(now)
    event_id = new_uuid()
    common = {
        "sub": user.sub,
        "iss": issuer,
        "origin_jti": origin_jti,
        "event_id": event_id,
        "auth_time": int(auth_time),
        "iat": iat,
    }
    if user.partner_id is not None:  # a managed user (seed 000): the partner that owns it
        common["idmint:partner"] = user.partner_id
    id_claims = {
        **user_claims(user, client),
        **common,
        **id_group_claims,
        "aud": client.id,
        "token_use": "id",
        "cognito:username": user.username,
        "exp": iat + client.id_token_validity.seconds,
        "jti": new_uuid(),
    }
    if nonce is not None:
        id_claims["nonce"] = nonce
    access_claims = {
        **common,
        **access_group_claims,
        "client_id": client.id,
        "token_use": "access",
        "scope": scope,
        "username": user.username,
        "exp": iat + client.access_token_validity.seconds,
        "jti": new_uuid(),
    }
    return sign(ring, id_claims), sign(ring, access_claims)


def new_opaque_token() -> tuple[str, bytes]:
    """A fresh opaque token (256 bits from the CSPRNG) and the SHA-256 to store: refresh
    tokens, mint user tokens."""
    token = secrets.token_urlsafe(32)
    return token, opaque_token_hash(token)


def opaque_token_hash(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8")).digest()
