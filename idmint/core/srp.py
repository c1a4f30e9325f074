"""The server side of Cognito's SRP-6a (``USER_SRP_AUTH`` and ``PASSWORD_VERIFIER``), exactly as
amazon-cognito-identity-js (``AuthenticationHelper``) and pycognito (``aws_srp``) compute it.

- Group: RFC 5054's 3072-bit prime ``N`` with ``g = 2``; ``k = H(pad(N) | pad(g))``.
- ``H`` is SHA-256 over the bytes of a hex string; ``pad`` is Cognito's hex padding: an odd
  length gets one leading ``0``, and a value whose first hex digit is 8-F gets ``00`` (so the
  bytes read as a positive number).
- ``x = H(pad(salt) | hex(SHA-256(poolName | userId | ":" | password)))``, poolName being the
  part of the pool id after ``_``; the verifier is ``v = g^x mod N``.
- ``B = k*v + g^b mod N``; ``u = H(pad(A) | pad(B))``; ``S = (A * v^u)^b mod N``; the key is
  the first 16 bytes of HKDF-SHA256(ikm = pad(S), salt = pad(u), info = "Caldera Derived Key").
- The client proves it with HMAC-SHA256(key, poolName | userId | secret block | timestamp),
  the timestamp written ``Sun Nov 22 09:56:09 UTC 2026`` (English names, day not padded).

Pure functions of their inputs (no clock, no randomness except where named ``new_*``).
"""

from __future__ import annotations

import calendar
import hashlib
import hmac
import secrets
import time

N_HEX = (
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A0879"
    "8E3404DDEF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B"
    "0BFF5CB6F406B7EDEE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA4836"
    "1C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804"
    "F1746C08CA18217C32905E462E36CE3BE39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6"
    "955817183995497CEA956AE515D2261898FA051015728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64"
    "ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7ABF5AE8CDB0933D71E8C94E04A25619DCEE3D226"
    "1AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200CBBE117577A615D6C770988C0BAD946E2"
    "08E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF"
)
N = int(N_HEX, 16)
G = 2
INFO = b"Caldera Derived Key"
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


class SrpError(ValueError):
    """A client value the protocol forbids (``A mod N == 0``, ``u == 0``, not hex, ...)."""


def pad_hex(value: int | str) -> str:
    """Cognito's ``padHex``: hex digits that read as a positive big-endian number."""
    digits = f"{value:x}" if isinstance(value, int) else value
    if len(digits) % 2 == 1:
        return "0" + digits
    if digits[0] in "89ABCDEFabcdef":
        return "00" + digits
    return digits


def hex_hash(hex_digits: str) -> str:
    """SHA-256 of the bytes the hex digits spell, as 64 hex digits."""
    return hashlib.sha256(bytes.fromhex(hex_digits)).hexdigest()


K = int(hex_hash(pad_hex(N_HEX) + pad_hex(G)), 16)


def pool_name(pool_id: str) -> str:
    """The part of a pool id after ``_`` (``us-east-1_AbC123`` -> ``AbC123``)."""
    return pool_id.split("_", 1)[1]


def new_salt() -> str:
    """16 random bytes as hex, never starting with a 0 digit: JavaScript clients read the salt
    as a number and write it back without leading zeros, so one would change its hash."""
    while True:
        salt = secrets.token_bytes(16)
        if salt[0] >= 0x10:
            return salt.hex()


def stable_salt(digest: bytes) -> str:
    """A salt from a keyed digest (simulated answers for unknown users), same shape as
    ``new_salt``'s."""
    return bytes([digest[0] | 0x10, *digest[1:16]]).hex()


def password_x(pool_id: str, user_id: str, password: str, salt: str) -> int:
    inner = hashlib.sha256(f"{pool_name(pool_id)}{user_id}:{password}".encode()).hexdigest()
    return int(hex_hash(pad_hex(salt) + inner), 16)


def verifier(pool_id: str, user_id: str, password: str, salt: str) -> int:
    """``v = g^x mod N``: what the server keeps so that it never needs the password."""
    return pow(G, password_x(pool_id, user_id, password, salt), N)


def to_bytes(value: int) -> bytes:
    """A group element as big-endian bytes (how verifiers are stored)."""
    return value.to_bytes(384, "big")


def new_private() -> int:
    """The server's ephemeral ``b``: 256 bits from the CSPRNG."""
    return secrets.randbits(256) | 1


def public_b(v: int, b: int) -> int:
    """``B = k*v + g^b mod N``."""
    return (K * v + pow(G, b, N)) % N


def parse_a(srp_a: str) -> int:
    """The client's ``A`` from hex; ``SrpError`` when malformed or ``A mod N == 0``."""
    try:
        a = int(srp_a, 16)
    except ValueError as exc:
        raise SrpError("SRP_A is not a hexadecimal number.") from exc
    if a <= 0 or a % N == 0:
        raise SrpError("SRP_A is not acceptable.")
    return a


def session_key(a: int, b_public: int, b: int, v: int) -> bytes:
    """The 16-byte key both sides derive; ``SrpError`` if ``u == 0``."""
    u = int(hex_hash(pad_hex(a) + pad_hex(b_public)), 16)
    if u == 0:
        raise SrpError("u must not be zero.")
    s = pow(a * pow(v, u, N) % N, b, N)
    prk = hmac.new(bytes.fromhex(pad_hex(u)), bytes.fromhex(pad_hex(s)), hashlib.sha256).digest()
    return hmac.new(prk, INFO + b"\x01", hashlib.sha256).digest()[:16]


def claim_signature(
    key: bytes, pool_id: str, user_id: str, secret_block: bytes, timestamp: str
) -> bytes:
    """HMAC-SHA256 over poolName | userId | secret block | timestamp (PASSWORD_CLAIM_SIGNATURE)."""
    message = pool_name(pool_id).encode() + user_id.encode() + secret_block + timestamp.encode()
    return hmac.new(key, message, hashlib.sha256).digest()


def format_timestamp(epoch: float) -> str:
    """``Sun Nov 22 09:56:09 UTC 2026``: English names whatever the locale, day not padded."""
    t = time.gmtime(epoch)
    return (
        f"{_DAYS[t.tm_wday]} {_MONTHS[t.tm_mon - 1]} {t.tm_mday} "
        f"{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d} UTC {t.tm_year}"
    )


def parse_timestamp(text: str) -> float | None:
    """The epoch seconds of a TIMESTAMP in Cognito's format, or None if it is not one."""
    parts = text.split(" ")
    if len(parts) != 6 or parts[0] not in _DAYS or parts[1] not in _MONTHS or parts[4] != "UTC":
        return None
    clock = parts[3].split(":")
    numbers = [parts[2], parts[5], *clock]
    if len(clock) != 3 or not all(n.isascii() and n.isdigit() for n in numbers):
        return None
    day, year, hour, minute, second = (int(n) for n in numbers)
    month = _MONTHS.index(parts[1]) + 1
    try:
        epoch = calendar.timegm((year, month, day, hour, minute, second, 0, 0, 0))
        weekday = time.gmtime(epoch).tm_wday
    except (OverflowError, ValueError):
        return None
    if not (1 <= day <= 31 and hour < 24 and minute < 60 and second < 61) or (
        _DAYS[weekday] != parts[0] or time.gmtime(epoch).tm_mday != day
    ):
        return None
    return float(epoch)
