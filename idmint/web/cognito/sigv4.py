"""Server-side verification of AWS Signature Version 4 (``AWS4-HMAC-SHA256``).

This module checks requests signed by boto3 / botocore / aws-cli (and any other
AWS SDK) with header-based SigV4 authentication, following the AWS General
Reference, "Signature Version 4 signing process"
(https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html):

* Task 1, "Create a canonical request": ``Method \\n CanonicalURI \\n
  CanonicalQueryString \\n CanonicalHeaders \\n \\n SignedHeaders \\n
  HexEncode(Hash(Payload))`` -- see :func:`canonical_request`.
* Task 2, "Create a string to sign": ``AWS4-HMAC-SHA256 \\n RequestDateTime \\n
  CredentialScope \\n HexEncode(Hash(CanonicalRequest))`` -- see
  :func:`string_to_sign`.
* Task 3, "Calculate the signature": the signing key is derived as
  ``kDate = HMAC("AWS4" + secret, Date)``, ``kRegion = HMAC(kDate, Region)``,
  ``kService = HMAC(kRegion, Service)``, ``kSigning = HMAC(kService,
  "aws4_request")`` and the signature is ``HexEncode(HMAC(kSigning,
  StringToSign))`` -- see :func:`signing_key`.
* Task 4, "Add the signature to the HTTP request": the ``Authorization`` header
  ``AWS4-HMAC-SHA256 Credential=AKID/YYYYMMDD/region/service/aws4_request,
  SignedHeaders=h1;h2, Signature=hex`` -- parsed by :func:`parse`.

Usage is two-step because the secret access key lives in the database::

    credential = parse(request)                      # may raise SigV4Error
    secret = lookup_secret(credential.access_key_id)
    verify(request, credential, secret, now=time.time())

The functions are pure: no I/O, no clock (``now`` is injected), no framework.
Error messages mimic what AWS returns to botocore, but never contain the
signature presented by the client nor the secret access key.  Presigned
(query-string) authentication is not supported.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import quote, unquote_to_bytes

__all__ = [
    "ALGORITHM",
    "SigV4Credential",
    "SigV4Error",
    "SignedRequest",
    "canonical_request",
    "parse",
    "signing_key",
    "string_to_sign",
    "verify",
]

ALGORITHM = "AWS4-HMAC-SHA256"
TERMINATOR = "aws4_request"
_AMZ_DATE_FORMAT = "%Y%m%dT%H%M%SZ"
_HEX_ANY_CASE = frozenset("0123456789abcdefABCDEF")
_ECHO_SAFE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/-_.;:")
_REDACTED = "[redacted]"
_MONTHS = {
    name: index
    for index, name in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
        start=1,
    )
}

MISMATCH_MESSAGE = (
    "The request signature we calculated does not match the signature you provided. "
    "Check your AWS Secret Access Key and signing method. "
    "Consult the service documentation for details."
)


@dataclass(frozen=True, slots=True)
class SignedRequest:
    """An HTTP request as received, with everything SigV4 covers."""

    method: str
    path: str
    query: str
    headers: Sequence[tuple[str, str]]
    body: bytes


@dataclass(frozen=True, slots=True)
class SigV4Credential:
    """The parsed ``Authorization`` header plus the request timestamp."""

    access_key_id: str
    date: str
    region: str
    service: str
    signed_headers: tuple[str, ...]
    signature: str
    amz_date: str


class SigV4Error(Exception):
    """type_name is the AWS error __type; status the HTTP status AWS uses; message AWS's wording."""

    def __init__(self, type_name: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.type_name = type_name
        self.message = message
        self.status = status

    def __repr__(self) -> str:
        return f"SigV4Error({self.type_name!r}, {self.message!r}, {self.status!r})"


# --------------------------------------------------------------------------- helpers


def _incomplete(message: str) -> SigV4Error:
    return SigV4Error("IncompleteSignatureException", _scrub_hex(message), 400)


def _invalid(message: str) -> SigV4Error:
    return SigV4Error("InvalidSignatureException", message, 400)


def _scrub_hex(message: str) -> str:
    """Replace any run of 32+ hex digits by ``[redacted]`` (defence in depth).

    Signatures are 64 hex digits; nothing legitimately echoed (access key ids,
    dates, regions, header names) contains such a run.
    """
    out: list[str] = []
    run: list[str] = []
    for char in message + "\0":
        if char in _HEX_ANY_CASE:
            run.append(char)
            continue
        out.append(_REDACTED if len(run) >= 32 else "".join(run))
        run.clear()
        out.append(char)
    return "".join(out)[:-1]


def _echo(value: str, limit: int = 128) -> str:
    """Return ``value`` if it looks harmless to echo back, else a placeholder."""
    if value and len(value) <= limit and all(char in _ECHO_SAFE for char in value):
        return value
    return _REDACTED


def _header_map(headers: Sequence[tuple[str, str]]) -> dict[str, list[str]]:
    result: dict[str, list[str]] = {}
    for name, value in headers:
        result.setdefault(name.strip().lower(), []).append(value)
    return result


def _format_amz(moment: datetime.datetime) -> str:
    return moment.strftime(_AMZ_DATE_FORMAT)


def _parse_amz_date(value: str) -> datetime.datetime | None:
    """Parse ISO 8601 basic format ``YYYYMMDDTHHMMSSZ`` (the SigV4 RequestDateTime)."""
    if len(value) != 16 or value[8] != "T" or value[15] != "Z":
        return None
    if not (value[:8].isdigit() and value[9:15].isdigit() and value.isascii()):
        return None
    try:
        parsed = datetime.datetime.strptime(value, _AMZ_DATE_FORMAT)
    except ValueError:
        return None
    return parsed.replace(tzinfo=datetime.UTC)


def _parse_http_date(value: str) -> datetime.datetime | None:
    """Parse an RFC 7231 IMF-fixdate (``Sun, 06 Nov 1994 08:49:37 GMT``).

    Numeric zones (``-0000``, ``+0100``) are accepted too, because botocore
    writes the ``Date`` header with :func:`email.utils.formatdate`, which uses
    ``-0000``.  Parsing is locale independent.
    """
    parts = value.split()
    if len(parts) == 6 and parts[0].endswith(","):
        parts = parts[1:]
    if len(parts) != 5:
        return None
    day, month_name, year, clock, zone = parts
    month = _MONTHS.get(month_name.title())
    pieces = clock.split(":")
    if (
        month is None
        or not (day.isdigit() and year.isdigit() and len(year) == 4)
        or len(pieces) != 3
        or not all(piece.isdigit() and len(piece) == 2 for piece in pieces)
    ):
        return None
    if zone.upper() in ("GMT", "UTC", "UT", "Z"):
        offset = 0
    elif len(zone) == 5 and zone[0] in "+-" and zone[1:].isdigit():
        offset = (int(zone[1:3]) * 60 + int(zone[3:5])) * (-1 if zone[0] == "-" else 1)
    else:
        return None
    try:
        local = datetime.datetime(
            int(year),
            month,
            int(day),
            int(pieces[0]),
            int(pieces[1]),
            int(pieces[2]),
            tzinfo=datetime.timezone(datetime.timedelta(minutes=offset)),
        )
    except ValueError:
        return None
    return local.astimezone(datetime.UTC)


def _parse_authorization_params(rest: str) -> dict[str, str]:
    params: dict[str, str] = {}
    for raw_part in rest.split(","):
        part = raw_part.strip()
        if not part:
            continue
        key, sep, value = part.partition("=")
        key = key.strip()
        if not sep or not key:
            raise _incomplete(
                "Invalid key=value pair (missing equal-sign) in Authorization header."
            )
        if key in params:
            raise _incomplete(f"Authorization header has a duplicate '{_echo(key)}' parameter.")
        params[key] = value.strip()
    return params


def _redacted_authorization(params: dict[str, str]) -> str:
    """Render the Authorization header for an error message, without the signature."""
    rendered = []
    for key, value in params.items():
        if key in ("Credential", "SignedHeaders"):
            rendered.append(f"{_echo(key)}={_echo(value, 256)}")
        else:
            rendered.append(f"{_echo(key, 32)}={_REDACTED if value else ''}")
    return f"{ALGORITHM} " + ", ".join(rendered) if rendered else ALGORITHM


def _request_datetime(headers: dict[str, list[str]]) -> tuple[str | None, str | None]:
    """Return (raw header value, header name) for the request timestamp, if any."""
    for name in ("x-amz-date", "date"):
        values = headers.get(name)
        if values:
            if len(values) > 1:
                raise _incomplete(f"Multiple '{name}' headers are not allowed.")
            return values[0].strip(), name
    return None, None


# --------------------------------------------------------------------------- parsing


def parse(request: SignedRequest, *, service: str = "cognito-idp") -> SigV4Credential:
    """Parse and sanity-check the SigV4 ``Authorization`` header of ``request``.

    Implements the header form from the AWS "Signature Version 4 signing process",
    Task 4 ("Add the signature to the HTTP request")::

        Authorization: AWS4-HMAC-SHA256
            Credential=AKID/YYYYMMDD/region/service/aws4_request,
            SignedHeaders=host;x-amz-date;..., Signature=<64 lowercase hex>

    plus the request timestamp (``X-Amz-Date`` in ISO 8601 basic format, or,
    failing that, an HTTP ``Date`` header) that enters the string to sign.
    No secret is needed; the caller looks one up for ``access_key_id`` and then
    calls :func:`verify`.

    Raises :class:`SigV4Error`:
    ``MissingAuthenticationTokenException`` (403) without an Authorization
    header, ``IncompleteSignatureException`` (400) when it is malformed.
    """
    headers = _header_map(request.headers)
    authorizations = headers.get("authorization")
    if not authorizations:
        raise SigV4Error("MissingAuthenticationTokenException", "Missing Authentication Token", 403)
    if len(authorizations) > 1:
        raise _incomplete("Multiple 'Authorization' headers are not allowed.")

    algorithm, _, rest = authorizations[0].strip().partition(" ")
    if algorithm != ALGORITHM:
        raise _incomplete(
            f"Unsupported Authorization header algorithm; only '{ALGORITHM}' "
            "(header-based Signature Version 4) is supported."
        )
    params = _parse_authorization_params(rest)
    raw_date, date_header = _request_datetime(headers)

    problems = [
        f"Authorization header requires '{name}' parameter."
        for name in ("Credential", "Signature", "SignedHeaders")
        if not params.get(name)
    ]
    if raw_date is None:
        problems.append(
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."
        )
    if problems or raw_date is None or date_header is None:
        raise _incomplete(" ".join(problems) + f" Authorization={_redacted_authorization(params)}")

    signature = params["Signature"]
    if len(signature) != 64 or not all(char in _HEX_ANY_CASE for char in signature):
        raise _incomplete(
            "Signature must be 64 hexadecimal characters (hex-encoded HMAC-SHA256). "
            f"Authorization={_redacted_authorization(params)}"
        )

    scope = params["Credential"].split("/")
    if len(scope) != 5 or not all(scope):
        raise _incomplete(
            "Credential must have the form "
            f"'<access key id>/<YYYYMMDD>/<region>/<service>/{TERMINATOR}'. "
            f"Authorization={_redacted_authorization(params)}"
        )
    access_key_id, scope_date, region, scope_service, terminator = scope
    if terminator != TERMINATOR:
        raise _incomplete(
            f"Credential should be scoped with a valid terminator: '{TERMINATOR}', "
            f"not '{_echo(terminator, 64)}'."
        )
    if scope_service != service:
        raise _incomplete(f"Credential should be scoped to correct service: '{service}'.")

    signed_headers = tuple(name.strip().lower() for name in params["SignedHeaders"].split(";"))
    if not all(signed_headers):
        raise _incomplete(
            "SignedHeaders must be a ';'-separated list of header names. "
            f"Authorization={_redacted_authorization(params)}"
        )
    if "host" not in signed_headers:
        raise _incomplete(
            "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."
        )

    if date_header == "x-amz-date":
        moment = _parse_amz_date(raw_date)
        if moment is None:
            raise _incomplete(
                f"Date must be in ISO-8601 'basic format'. Got '{_echo(raw_date, 64)}'. "
                "See http://en.wikipedia.org/wiki/ISO_8601"
            )
    else:
        moment = _parse_http_date(raw_date)
        if moment is None:
            raise _incomplete(
                f"Date header must be an RFC 7231 HTTP-date. Got '{_echo(raw_date, 64)}'."
            )
    amz_date = _format_amz(moment)
    if scope_date != amz_date[:8]:
        raise _incomplete(
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date "
            f"from HTTP: '{_echo(scope_date, 32)}' != '{amz_date[:8]}', from '{amz_date}'."
        )

    return SigV4Credential(
        access_key_id=access_key_id,
        date=scope_date,
        region=region,
        service=scope_service,
        signed_headers=signed_headers,
        signature=signature.lower(),
        amz_date=amz_date,
    )


# --------------------------------------------------------------------------- canonical form


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 section 5.2.4, also collapsing empty segments, exactly as botocore does."""
    if not path:
        return ""
    output: list[str] = []
    for segment in path.split("/"):
        if not segment or segment == ".":
            continue
        if segment == "..":
            if output:
                output.pop()
        else:
            output.append(segment)
    first = "/" if path[0] == "/" else ""
    last = "/" if path[-1] == "/" and output else ""
    return first + "/".join(output) + last


def _canonical_uri(path: str) -> str:
    """CanonicalURI for non-S3 services: normalised path, each segment URI-encoded.

    The raw path received on the wire is already percent-encoded once by the
    client, and the spec ("Each path segment must be URI-encoded twice",
    except for S3) has clients encode it again for signing -- so we encode the
    raw path once more, keeping only ``/`` and RFC 3986 unreserved characters.
    """
    return quote(_remove_dot_segments(path) or "/", safe="/~")


def _uri_encode(raw: str) -> str:
    return quote(unquote_to_bytes(raw.replace("+", " ")), safe="-_.~")


def _canonical_query(query: str) -> str:
    """CanonicalQueryString: ``name=value`` pairs, RFC 3986 encoded, sorted by name then value.

    The received query is decoded (``+`` meaning space, as AWS does) and
    re-encoded with uppercase percent-escapes; a parameter without ``=`` gets an
    empty value.
    """
    pairs = []
    for component in query.split("&"):
        if not component:
            continue
        name, _, value = component.partition("=")
        pairs.append((_uri_encode(name), _uri_encode(value)))
    return "&".join(f"{name}={value}" for name, value in sorted(pairs))


def _trimall(value: str) -> str:
    """Trim the value and collapse sequential whitespace to one space (botocore semantics)."""
    return " ".join(value.split())


def _payload_hash(headers: dict[str, list[str]], body: bytes) -> str:
    body_hash = hashlib.sha256(body).hexdigest()
    declared = headers.get("x-amz-content-sha256")
    if not declared:
        return body_hash
    value = declared[0].strip()
    if len(value) != 64 or not all(char in _HEX_ANY_CASE for char in value):
        raise _invalid(
            "Unsupported 'x-amz-content-sha256' value: only the hex SHA-256 of the "
            "request body is accepted (no unsigned or streaming payloads)."
        )
    if not hmac.compare_digest(value.lower(), body_hash):
        raise _invalid(
            "The provided 'x-amz-content-sha256' header does not match what was computed."
        )
    return value


def canonical_request(request: SignedRequest, credential: SigV4Credential) -> str:
    """Build the SigV4 canonical request (AWS SigV4 signing process, Task 1).

    ``HTTPMethod \\n CanonicalURI \\n CanonicalQueryString \\n CanonicalHeaders \\n
    SignedHeaders \\n HashedPayload``, where CanonicalHeaders has one
    ``lowercase-name:trimmed,values`` line per signed header (values of repeated
    headers joined with ``,``) and a trailing newline, and HashedPayload is the
    ``x-amz-content-sha256`` header if present (it must then equal the body's
    hash, otherwise :class:`SigV4Error` is raised) or the hex SHA-256 of the body.
    """
    headers = _header_map(request.headers)
    canonical_headers = "".join(
        f"{name}:{','.join(_trimall(value) for value in headers.get(name, ()))}\n"
        for name in credential.signed_headers
    )
    return "\n".join(
        (
            request.method.upper(),
            _canonical_uri(request.path),
            _canonical_query(request.query),
            canonical_headers,
            ";".join(credential.signed_headers),
            _payload_hash(headers, request.body),
        )
    )


def string_to_sign(credential: SigV4Credential, canonical: str) -> str:
    """Build the SigV4 string to sign (AWS SigV4 signing process, Task 2).

    ``AWS4-HMAC-SHA256 \\n RequestDateTime \\n CredentialScope \\n
    HexEncode(SHA256(CanonicalRequest))`` with CredentialScope
    ``YYYYMMDD/region/service/aws4_request``.
    """
    scope = f"{credential.date}/{credential.region}/{credential.service}/{TERMINATOR}"
    digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    return f"{ALGORITHM}\n{credential.amz_date}\n{scope}\n{digest}"


@functools.lru_cache(maxsize=256)
def signing_key(secret_access_key: str, date: str, region: str, service: str) -> bytes:
    """Derive the SigV4 signing key (AWS SigV4 signing process, Task 3).

    ``kDate = HMAC("AWS4" + secret, date)``, ``kRegion = HMAC(kDate, region)``,
    ``kService = HMAC(kRegion, service)``, ``kSigning = HMAC(kService,
    "aws4_request")``.  Cached: the key only changes daily per credential.
    """
    key = ("AWS4" + secret_access_key).encode("utf-8")
    for message in (date, region, service, TERMINATOR):
        key = hmac.new(key, message.encode("utf-8"), hashlib.sha256).digest()
    return key


# --------------------------------------------------------------------------- verification


def _skew_text(seconds: int) -> str:
    return f"{seconds // 60} min." if seconds % 60 == 0 else f"{seconds} sec."


def _check_clock(amz_date: str, now: float, max_skew_seconds: int) -> None:
    moment = _parse_amz_date(amz_date)
    if moment is None:
        raise _incomplete(
            f"Date must be in ISO-8601 'basic format'. Got '{_echo(amz_date, 64)}'. "
            "See http://en.wikipedia.org/wiki/ISO_8601"
        )
    request_time = moment.timestamp()
    current = datetime.datetime.fromtimestamp(int(now), datetime.UTC)
    skew = datetime.timedelta(seconds=max_skew_seconds)
    if request_time < now - max_skew_seconds:
        raise _invalid(
            f"Signature expired: {amz_date} is now earlier than {_format_amz(current - skew)} "
            f"({_format_amz(current)} - {_skew_text(max_skew_seconds)})"
        )
    if request_time > now + max_skew_seconds:
        raise _invalid(
            f"Signature not yet current: {amz_date} is still later than "
            f"{_format_amz(current + skew)} ({_format_amz(current)} + "
            f"{_skew_text(max_skew_seconds)})"
        )


def verify(
    request: SignedRequest,
    credential: SigV4Credential,
    secret_access_key: str,
    *,
    now: float,
    max_skew_seconds: int = 300,
) -> None:
    """Verify ``credential`` (from :func:`parse`) against ``request`` and the secret.

    Follows the AWS "Signature Version 4 signing process": rebuilds the
    canonical request (Task 1), the string to sign (Task 2), derives the signing
    key and the expected signature (Task 3) and compares it with the presented
    one using :func:`hmac.compare_digest`.  Before that, the request time must be
    within ``max_skew_seconds`` of ``now`` (epoch seconds, supplied by the caller).

    Returns ``None`` on success; raises :class:`SigV4Error`
    (``InvalidSignatureException``, 400) when the signature is expired / not yet
    current, the declared payload hash is wrong, or the signature does not match.
    """
    _check_clock(credential.amz_date, now, max_skew_seconds)
    canonical = canonical_request(request, credential)
    key = signing_key(secret_access_key, credential.date, credential.region, credential.service)
    expected = hmac.new(
        key, string_to_sign(credential, canonical).encode("utf-8"), hashlib.sha256
    ).hexdigest()
    if not hmac.compare_digest(expected.encode("utf-8"), credential.signature.encode("utf-8")):
        raise _invalid(MISMATCH_MESSAGE)
