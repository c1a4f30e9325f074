"""Identifiers in Cognito's formats, all from the OS CSPRNG (``secrets``)."""

from __future__ import annotations

import secrets
import string
import uuid

_ALNUM = string.ascii_letters + string.digits
_LOWER_ALNUM = string.ascii_lowercase + string.digits


def _random(alphabet: str, length: int) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(length))


def new_pool_id(region: str) -> str:
    """``<region>_<9 alphanumerics>``, as Cognito's ``UserPoolIdType``."""
    return f"{region}_{_random(_ALNUM, 9)}"


def new_client_id() -> str:
    """26 lowercase alphanumerics, as Cognito app client ids."""
    return _random(_LOWER_ALNUM, 26)


def new_client_secret() -> str:
    """51 lowercase alphanumerics (~263 bits), the shape of Cognito client secrets."""
    return _random(_LOWER_ALNUM, 51)


def new_uuid() -> str:
    """A random (version 4) UUID: user ``sub``, ``jti``, ``event_id``, ``origin_jti``."""
    return str(uuid.UUID(bytes=secrets.token_bytes(16), version=4))


def new_access_key_id() -> str:
    """An admin access key id in AWS's shape (``AKIA`` + 16 upper-case alphanumerics)."""
    return "AKIA" + _random(string.ascii_uppercase + string.digits, 16)


def new_secret_access_key() -> str:
    """A 40-character admin secret (~238 bits), the shape of AWS secret access keys."""
    return _random(_ALNUM + "+/", 40)
