"""Tests for idmint.web.cognito.sigv4 against requests signed by botocore itself."""

from __future__ import annotations

import calendar
import datetime
import hashlib
import random
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

import botocore.auth
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from idmint.web.cognito import sigv4
from idmint.web.cognito.sigv4 import (
    MISMATCH_MESSAGE,
    SignedRequest,
    SigV4Credential,
    SigV4Error,
    canonical_request,
    parse,
    signing_key,
    verify,
)

AKID = "AKIDEXAMPLE0000000001"
SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
REGION = "us-east-1"
URL = "http://127.0.0.1:8790/"
BODY = b'{"PoolName": "demo", "Policies": {"PasswordPolicy": {"MinimumLength": 8}}}'
SIGNED_AT = datetime.datetime(2026, 11, 22, 10, 10, 10)  # naive UTC, like botocore's clock
SIGNED_AT_EPOCH = float(calendar.timegm(SIGNED_AT.timetuple()))
AMZ_DATE = "20261122T101010Z"

Signer = Callable[..., tuple[SignedRequest, AWSRequest]]


@pytest.fixture(autouse=True)
def frozen_botocore_clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Make botocore sign at SIGNED_AT instead of the wall clock."""

    def fake_now(remove_tzinfo: bool = True) -> datetime.datetime:
        if remove_tzinfo:
            return SIGNED_AT
        return SIGNED_AT.replace(tzinfo=datetime.UTC)

    monkeypatch.setattr(botocore.auth, "get_current_datetime", fake_now)
    sigv4.signing_key.cache_clear()
    yield
    sigv4.signing_key.cache_clear()


def to_signed_request(aws_request: AWSRequest) -> SignedRequest:
    """What the server would see for the request botocore just signed."""
    prepared = aws_request.prepare()
    parts = urlsplit(prepared.url)
    headers = [(name, value) for name, value in aws_request.headers.items()]
    headers.append(("Host", botocore.auth._host_from_url(prepared.url)))
    body = prepared.body or b""
    if isinstance(body, str):
        body = body.encode("utf-8")
    return SignedRequest(
        method=prepared.method,
        path=parts.path,
        query=parts.query,
        headers=headers,
        body=body,
    )


@pytest.fixture
def sign() -> Signer:
    def _sign(
        body: bytes = BODY,
        *,
        url: str = URL,
        method: str = "POST",
        headers: dict[str, str] | None = None,
        extra_headers: list[tuple[str, str]] | None = None,
        params: dict[str, str] | None = None,
        secret: str = SECRET,
        token: str | None = None,
        service: str = "cognito-idp",
        region: str = REGION,
    ) -> tuple[SignedRequest, AWSRequest]:
        all_headers = {
            "X-Amz-Target": "AWSCognitoIdentityProviderService.CreateUserPool",
            "Content-Type": "application/x-amz-json-1.1",
        }
        all_headers.update(headers or {})
        request = AWSRequest(
            method=method, url=url, data=body, headers=all_headers, params=params or {}
        )
        for name, value in extra_headers or []:
            request.headers[name] = value  # HTTPMessage appends, so names can repeat
        SigV4Auth(Credentials(AKID, secret, token), service, region).add_auth(request)
        return to_signed_request(request), request

    return _sign


def replace_header(request: SignedRequest, name: str, value: str) -> SignedRequest:
    headers = [(n, value if n.lower() == name.lower() else v) for n, v in request.headers]
    return SignedRequest(request.method, request.path, request.query, headers, request.body)


def with_headers(request: SignedRequest, headers: list[tuple[str, str]]) -> SignedRequest:
    return SignedRequest(request.method, request.path, request.query, headers, request.body)


def with_authorization(request: SignedRequest, value: str | None) -> SignedRequest:
    headers = [(n, v) for n, v in request.headers if n.lower() != "authorization"]
    if value is not None:
        headers.append(("Authorization", value))
    return with_headers(request, headers)


def check(request: SignedRequest, secret: str = SECRET, now: float = SIGNED_AT_EPOCH) -> None:
    verify(request, parse(request), secret, now=now)


def expect_error(
    request: SignedRequest, type_name: str, status: int = 400, secret: str = SECRET, **kw: float
) -> SigV4Error:
    with pytest.raises(SigV4Error) as info:
        verify(request, parse(request), secret, now=kw.get("now", SIGNED_AT_EPOCH))
    assert info.value.type_name == type_name
    assert info.value.status == status
    assert str(info.value) == info.value.message
    return info.value


# ------------------------------------------------------------------ happy paths


def test_botocore_signed_request_verifies(sign: Signer) -> None:
    request, _ = sign()
    credential = parse(request)
    assert credential == SigV4Credential(
        access_key_id=AKID,
        date="20261122",
        region=REGION,
        service="cognito-idp",
        signed_headers=("content-type", "host", "x-amz-date", "x-amz-target"),
        signature=credential.signature,
        amz_date=AMZ_DATE,
    )
    assert len(credential.signature) == 64
    verify(request, credential, SECRET, now=SIGNED_AT_EPOCH)


def test_canonical_request_matches_botocore(sign: Signer) -> None:
    cases: list[dict[str, Any]] = [
        {},
        {"url": "http://127.0.0.1:8790/a%20b/c%2Fd/./e/../f~g/", "params": {"b": "2", "a": "x y"}},
        {"extra_headers": [("X-Dup", " one  two "), ("X-Dup", "three")]},
        {"token": "session-token"},
        {"headers": {"Date": "whatever"}},
    ]
    for case in cases:
        request, aws_request = sign(**case)
        auth = SigV4Auth(Credentials(AKID, SECRET, case.get("token")), "cognito-idp", REGION)
        aws_request.context["timestamp"] = AMZ_DATE
        del aws_request.headers["Authorization"]  # botocore signs before adding it
        assert canonical_request(request, parse(request)) == auth.canonical_request(aws_request)


def test_signing_key_is_derived_per_spec_and_cached() -> None:
    # Example from the AWS SigV4 documentation ("Examples of how to derive a signing key").
    key = signing_key("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20120215", "us-east-1", "iam")
    assert key.hex() == "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d"
    signing_key("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20120215", "us-east-1", "iam")
    assert signing_key.cache_info().hits >= 1
    assert signing_key.cache_info().maxsize == 256


def test_extra_unsigned_header_is_fine(sign: Signer) -> None:
    request, _ = sign()
    request = with_headers(
        request, [*request.headers, ("X-Forwarded-For", "10.0.0.1"), ("User-Agent", "x")]
    )
    check(request)


def test_lowercase_header_names_as_asgi_delivers_them(sign: Signer) -> None:
    request, _ = sign()
    check(with_headers(request, [(n.lower(), v) for n, v in request.headers]))


def test_path_needing_encoding_and_query_string_verify(sign: Signer) -> None:
    request, _ = sign(url="http://127.0.0.1:8790/some%20dir/a%2Fb/%C3%A9t%C3%A9?z=1&a=b%20c&a=a&e")
    assert request.path == "/some%20dir/a%2Fb/%C3%A9t%C3%A9"
    assert request.query == "z=1&a=b%20c&a=a&e"
    check(request)


def test_params_encoded_by_botocore_verify(sign: Signer) -> None:
    # botocore puts params on the wire with urlencode ("+" for space) but signs "%20".
    request, _ = sign(params={"Name": "a b/c", "Other": "~x*y"})
    assert "+" in request.query
    check(request)


def test_dot_segments_and_double_slashes_verify(sign: Signer) -> None:
    check(sign(url="http://127.0.0.1:8790//a/./b/../c//")[0])


def test_header_values_with_internal_whitespace_verify(sign: Signer) -> None:
    request, _ = sign(headers={"X-Custom": "  a   b \t c  "})
    assert ("X-Custom", "  a   b \t c  ") in list(request.headers)
    assert "x-custom" in parse(request).signed_headers
    check(request)


def test_repeated_header_names_verify(sign: Signer) -> None:
    request, _ = sign(extra_headers=[("X-Multi", "one"), ("X-Multi", "  two  three ")])
    assert [v for n, v in request.headers if n == "X-Multi"] == ["one", "  two  three "]
    check(request)


def test_session_token_requests_verify(sign: Signer) -> None:
    request, _ = sign(token="FQoGZXIvYXdzEJr//////////wEaDOPp+session/token==")
    credential = parse(request)
    assert "x-amz-security-token" in credential.signed_headers
    verify(request, credential, SECRET, now=SIGNED_AT_EPOCH)


def test_date_header_instead_of_x_amz_date(sign: Signer) -> None:
    request, _ = sign(headers={"Date": "placeholder"})
    assert not any(n.lower() == "x-amz-date" for n, _ in request.headers)
    credential = parse(request)
    assert credential.amz_date == AMZ_DATE
    assert "date" in credential.signed_headers
    verify(request, credential, SECRET, now=SIGNED_AT_EPOCH)


def test_x_amz_content_sha256_header_verifies(sign: Signer) -> None:
    request, _ = sign(headers={"X-Amz-Content-SHA256": hashlib.sha256(BODY).hexdigest()})
    check(request)


def test_empty_body_get_request(sign: Signer) -> None:
    check(sign(b"", method="GET", url="http://127.0.0.1:8790")[0])


def test_random_bodies_verify_and_detect_tampering(sign: Signer) -> None:
    rng = random.Random(4242)
    for _ in range(25):
        body = bytes(rng.randrange(256) for _ in range(rng.randrange(0, 600)))
        request, _ = sign(body)
        check(request)
        flipped = bytearray(body or b"\0")
        index = rng.randrange(len(flipped))
        flipped[index] ^= 1 << rng.randrange(8)
        tampered = SignedRequest(
            request.method, request.path, request.query, request.headers, bytes(flipped)
        )
        expect_error(tampered, "InvalidSignatureException")


def test_clock_skew_within_limit_is_accepted(sign: Signer) -> None:
    request, _ = sign()
    check(request, now=SIGNED_AT_EPOCH + 300)
    check(request, now=SIGNED_AT_EPOCH - 300)


# ------------------------------------------------------------------ signature failures


def test_wrong_secret_is_rejected(sign: Signer) -> None:
    request, _ = sign()
    error = expect_error(request, "InvalidSignatureException", secret=SECRET + "x")
    assert error.message == (
        "The request signature we calculated does not match the signature you provided. "
        "Check your AWS Secret Access Key and signing method. "
        "Consult the service documentation for details."
    )
    assert error.message == MISMATCH_MESSAGE


def test_tampered_body_is_rejected(sign: Signer) -> None:
    request, _ = sign()
    tampered = SignedRequest(
        request.method,
        request.path,
        request.query,
        request.headers,
        BODY.replace(b"demo", b"evil"),
    )
    assert expect_error(tampered, "InvalidSignatureException").message == MISMATCH_MESSAGE


def test_tampered_body_with_content_sha256_header_is_rejected(sign: Signer) -> None:
    request, _ = sign(headers={"X-Amz-Content-SHA256": hashlib.sha256(BODY).hexdigest()})
    tampered = SignedRequest(request.method, request.path, request.query, request.headers, b"{}")
    error = expect_error(tampered, "InvalidSignatureException")
    assert "x-amz-content-sha256" in error.message


def test_unsigned_payload_is_rejected(sign: Signer) -> None:
    request, _ = sign(headers={"X-Amz-Content-SHA256": "UNSIGNED-PAYLOAD"})
    expect_error(request, "InvalidSignatureException")


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("X-Amz-Target", "AWSCognitoIdentityProviderService.DeleteUserPool"),
        ("Content-Type", "application/json"),
        ("Host", "evil.example:8790"),
    ],
)
def test_tampered_signed_header_is_rejected(sign: Signer, name: str, value: str) -> None:
    request, _ = sign()
    error = expect_error(replace_header(request, name, value), "InvalidSignatureException")
    assert error.message == MISMATCH_MESSAGE


def test_tampered_path_query_and_method_are_rejected(sign: Signer) -> None:
    request, _ = sign(url="http://127.0.0.1:8790/x?a=1")
    for tampered in (
        SignedRequest("PUT", request.path, request.query, request.headers, request.body),
        SignedRequest(request.method, "/y", request.query, request.headers, request.body),
        SignedRequest(request.method, request.path, "a=2", request.headers, request.body),
    ):
        expect_error(tampered, "InvalidSignatureException")


def test_dropped_signed_header_is_rejected(sign: Signer) -> None:
    request, _ = sign()
    headers = [(n, v) for n, v in request.headers if n != "X-Amz-Target"]
    expect_error(with_headers(request, headers), "InvalidSignatureException")


def test_wrong_region_in_scope_is_rejected(sign: Signer) -> None:
    request, _ = sign()
    auth = dict(request.headers)["Authorization"]
    forged = with_authorization(request, auth.replace("/us-east-1/", "/eu-west-1/"))
    assert parse(forged).region == "eu-west-1"
    expect_error(forged, "InvalidSignatureException")


def test_uppercase_signature_is_normalised(sign: Signer) -> None:
    request, _ = sign()
    auth = dict(request.headers)["Authorization"]
    signature = parse(request).signature
    upper = with_authorization(request, auth.replace(signature, signature.upper()))
    assert parse(upper).signature == signature
    check(upper)


# ------------------------------------------------------------------ clock


def test_expired_request_is_rejected(sign: Signer) -> None:
    request, _ = sign()
    error = expect_error(request, "InvalidSignatureException", now=SIGNED_AT_EPOCH + 20 * 60)
    assert error.message == (
        "Signature expired: 20261122T101010Z is now earlier than 20261122T102510Z "
        "(20261122T103010Z - 5 min.)"
    )


def test_future_request_is_rejected(sign: Signer) -> None:
    request, _ = sign()
    error = expect_error(request, "InvalidSignatureException", now=SIGNED_AT_EPOCH - 20 * 60)
    assert error.message == (
        "Signature not yet current: 20261122T101010Z is still later than 20261122T095510Z "
        "(20261122T095010Z + 5 min.)"
    )


def test_custom_skew(sign: Signer) -> None:
    request, _ = sign()
    with pytest.raises(SigV4Error, match=r"Signature expired: .* - 30 sec\.\)"):
        verify(request, parse(request), SECRET, now=SIGNED_AT_EPOCH + 31, max_skew_seconds=30)
    verify(request, parse(request), SECRET, now=SIGNED_AT_EPOCH + 30, max_skew_seconds=30)


def test_expiry_is_checked_before_the_signature(sign: Signer) -> None:
    request, _ = sign()
    error = expect_error(
        request, "InvalidSignatureException", secret="nope", now=SIGNED_AT_EPOCH + 3600
    )
    assert error.message.startswith("Signature expired:")


# ------------------------------------------------------------------ malformed headers


def test_missing_authorization_header(sign: Signer) -> None:
    request, _ = sign()
    with pytest.raises(SigV4Error) as info:
        parse(with_authorization(request, None))
    assert info.value.type_name == "MissingAuthenticationTokenException"
    assert info.value.message == "Missing Authentication Token"
    assert info.value.status == 403


def _authorization_variants(auth: str, signature: str) -> list[tuple[str, str]]:
    scope = f"{AKID}/20261122/{REGION}/cognito-idp/aws4_request"
    signed = "content-type;host;x-amz-date;x-amz-target"
    return [
        ("bearer", f"Bearer {signature}"),
        ("opaque token", signature),
        ("other algorithm", auth.replace("AWS4-HMAC-SHA256", "AWS4-HMAC-SHA512")),
        ("sigv2", f"AWS {AKID}:{signature}"),
        ("no credential", f"AWS4-HMAC-SHA256 SignedHeaders={signed}, Signature={signature}"),
        ("no signed headers", f"AWS4-HMAC-SHA256 Credential={scope}, Signature={signature}"),
        ("no signature", f"AWS4-HMAC-SHA256 Credential={scope}, SignedHeaders={signed}"),
        (
            "empty signature",
            f"AWS4-HMAC-SHA256 Credential={scope}, SignedHeaders={signed}, Signature=",
        ),
        ("nothing", "AWS4-HMAC-SHA256"),
        (
            "missing equal sign",
            f"AWS4-HMAC-SHA256 Credential={scope}, SignedHeaders={signed}, Signature {signature}",
        ),
        (
            "missing comma",
            f"AWS4-HMAC-SHA256 Credential={scope} SignedHeaders={signed} Signature={signature}",
        ),
        ("lowercase key", auth.replace("Signature=", "signature=")),
        ("duplicate key", f"{auth}, Signature={signature}"),
        ("short signature", auth.replace(signature, signature[:-2])),
        ("long signature", auth.replace(signature, signature + "00")),
        ("non-hex signature", auth.replace(signature, "z" + signature[1:])),
        ("four-part scope", auth.replace(f"{AKID}/", "")),
        ("six-part scope", auth.replace("aws4_request", f"aws4_request/{signature}")),
        ("empty scope part", auth.replace(f"/{REGION}/", "//")),
        ("bad terminator", auth.replace("aws4_request", "aws5_request")),
        ("wrong service", auth.replace("/cognito-idp/", "/iam/")),
        (
            "host not signed",
            f"AWS4-HMAC-SHA256 Credential={scope}, SignedHeaders=content-type;x-amz-date, "
            f"Signature={signature}",
        ),
        (
            "empty signed header",
            f"AWS4-HMAC-SHA256 Credential={scope}, SignedHeaders=host;;x-amz-date, "
            f"Signature={signature}",
        ),
        ("credential date mismatch", auth.replace("/20261122/", "/20261121/")),
        ("credential date garbage", auth.replace("/20261122/", "/2026-11-22/")),
    ]


def test_malformed_authorization_headers_are_incomplete(sign: Signer) -> None:
    request, _ = sign()
    auth = dict(request.headers)["Authorization"]
    signature = parse(request).signature
    variants = _authorization_variants(auth, signature)
    assert len(variants) >= 12
    assert all(value != auth for _, value in variants)
    for label, value in variants:
        with pytest.raises(SigV4Error) as info:
            parse(with_authorization(request, value))
        error = info.value
        assert error.type_name == "IncompleteSignatureException", label
        assert error.status == 400, label
        assert signature not in error.message, label
        assert signature.upper() not in error.message, label
        assert signature[:32] not in error.message, label
        assert SECRET not in error.message, label


def test_missing_parameters_message_is_aws_like(sign: Signer) -> None:
    request, _ = sign()
    request = with_authorization(request, "AWS4-HMAC-SHA256 SignedHeaders=host;x-amz-date")
    request = with_headers(request, [(n, v) for n, v in request.headers if n != "X-Amz-Date"])
    with pytest.raises(SigV4Error) as info:
        parse(request)
    assert info.value.message == (
        "Authorization header requires 'Credential' parameter. "
        "Authorization header requires 'Signature' parameter. "
        "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. "
        "Authorization=AWS4-HMAC-SHA256 SignedHeaders=host;x-amz-date"
    )


def test_missing_signature_echo_redacts_signature_and_keeps_access_key(sign: Signer) -> None:
    request, _ = sign()
    auth = dict(request.headers)["Authorization"]
    signature = parse(request).signature
    broken = auth.replace("SignedHeaders=", "Signed=")
    with pytest.raises(SigV4Error) as info:
        parse(with_authorization(request, broken))
    assert "requires 'SignedHeaders' parameter" in info.value.message
    assert AKID in info.value.message
    assert "Signature=[redacted]" in info.value.message
    assert signature not in info.value.message


def test_wrong_service_message(sign: Signer) -> None:
    request, _ = sign(service="cognito-identity")
    with pytest.raises(SigV4Error) as info:
        parse(request)
    assert info.value.type_name == "IncompleteSignatureException"
    assert info.value.message == "Credential should be scoped to correct service: 'cognito-idp'."
    # ...but a caller expecting that service accepts it.
    credential = parse(request, service="cognito-identity")
    verify(request, credential, SECRET, now=SIGNED_AT_EPOCH)


def test_credential_date_mismatch_message(sign: Signer) -> None:
    request, _ = sign()
    auth = dict(request.headers)["Authorization"]
    with pytest.raises(SigV4Error) as info:
        parse(with_authorization(request, auth.replace("/20261122/", "/20261121/")))
    assert info.value.message == (
        "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from "
        "HTTP: '20261121' != '20261122', from '20261122T101010Z'."
    )


@pytest.mark.parametrize(
    "bad_date", ["2026-11-22T10:10:10Z", "20261122T101010", "20261322T101010Z", "", "now"]
)
def test_unparseable_x_amz_date_is_incomplete(sign: Signer, bad_date: str) -> None:
    request, _ = sign()
    with pytest.raises(SigV4Error) as info:
        parse(replace_header(request, "X-Amz-Date", bad_date))
    assert info.value.type_name == "IncompleteSignatureException"
    assert info.value.status == 400


def test_missing_date_headers_is_incomplete(sign: Signer) -> None:
    request, _ = sign()
    request = with_headers(request, [(n, v) for n, v in request.headers if n != "X-Amz-Date"])
    with pytest.raises(SigV4Error) as info:
        parse(request)
    assert info.value.type_name == "IncompleteSignatureException"
    assert "'X-Amz-Date' or a 'Date' header" in info.value.message


def test_unparseable_date_header_is_incomplete(sign: Signer) -> None:
    request, _ = sign(headers={"Date": "placeholder"})
    with pytest.raises(SigV4Error) as info:
        parse(replace_header(request, "Date", "yesterday at noon"))
    assert info.value.type_name == "IncompleteSignatureException"


def test_duplicate_authorization_headers_are_incomplete(sign: Signer) -> None:
    request, _ = sign()
    auth = dict(request.headers)["Authorization"]
    with pytest.raises(SigV4Error) as info:
        parse(with_headers(request, [*request.headers, ("authorization", auth)]))
    assert info.value.type_name == "IncompleteSignatureException"
    assert parse(request).signature not in info.value.message


def test_error_repr_and_defaults() -> None:
    error = SigV4Error("IncompleteSignatureException", "bad")
    assert error.status == 400
    assert error.type_name == "IncompleteSignatureException"
    assert "IncompleteSignatureException" in repr(error)
