"""Cognito's SRP-6a maths (idmint.core.srp) with known answers: fixed a, b and salt, checked
against pycognito's client (an independent implementation of Cognito's AuthenticationHelper),
and values recorded from it so a change in either side shows."""

from __future__ import annotations

import base64
import hashlib

import pytest
from pycognito import aws_srp

from idmint.core import srp

POOL = "us-east-1_AbCdEf123"
USER = "alice"
PASSWORD = "Corr3ct-horse!"
SALT = "1f2e3d4c5b6a79881726354453627180"
SMALL_A = int("a1" * 64, 16)
SMALL_B = int("b2" * 32, 16)


def client() -> aws_srp.AWSSRP:
    helper = aws_srp.AWSSRP(USER, PASSWORD, POOL, "client-id", client=object())
    helper.small_a_value = SMALL_A
    helper.large_a_value = pow(2, SMALL_A, srp.N)
    return helper


def test_group_and_multiplier_are_cognitos() -> None:
    assert int(aws_srp.N_HEX, 16) == srp.N and srp.N.bit_length() == 3072
    assert int(aws_srp.hex_hash("00" + aws_srp.N_HEX + "0" + aws_srp.G_HEX), 16) == srp.K
    assert f"{srp.K:x}".startswith("538282c4354742d7")


@pytest.mark.parametrize(
    ("value", "padded"),
    [(0x1, "01"), (0x7F, "7f"), (0x80, "0080"), (0xABC, "0abc"), ("ff00", "00ff00"), ("0f", "0f")],
)
def test_pad_hex(value: int | str, padded: str) -> None:
    assert srp.pad_hex(value) == padded == aws_srp.pad_hex(value)


def test_known_answers() -> None:
    assert f"{srp.password_x(POOL, USER, PASSWORD, SALT):x}" == (
        "ae2885572f08243901c9274591d6f4c27aee0be59a605fecf9a85535a44bba40"
    )
    v = srp.verifier(POOL, USER, PASSWORD, SALT)
    assert hashlib.sha256(srp.to_bytes(v)).hexdigest() == (
        "a6e75b28e848dd5f01dc9acf6a7809dde62785992e750cde76de397d54ffcb1b"
    )
    big_b = srp.public_b(v, SMALL_B)
    assert hashlib.sha256(srp.to_bytes(big_b)).hexdigest() == (
        "5c4e79812cac3e11b1a98c15600088d11ae4b8eaf7e485c26764f82e94dcd51f"
    )
    key = srp.session_key(pow(2, SMALL_A, srp.N), big_b, SMALL_B, v)
    assert key.hex() == "8aff2e8aaf0c94f95957af6843e69d3a"
    signature = srp.claim_signature(
        key, POOL, USER, b"secret-block", "Sun Nov 22 09:56:09 UTC 2026"
    )
    assert base64.b64encode(signature).decode() == "+tx3xe6RwBn7Q/EuECDwP5Pj2w5Rz4sizqZSgkL4uas="


def test_server_and_client_derive_the_same_key() -> None:
    helper = client()
    v = srp.verifier(POOL, USER, PASSWORD, SALT)
    big_b = srp.public_b(v, SMALL_B)
    server = srp.session_key(helper.large_a_value, big_b, SMALL_B, v)
    assert server == helper.get_password_authentication_key(USER, PASSWORD, big_b, SALT)
    wrong = aws_srp.AWSSRP(USER, "Wr0ng-password!", POOL, "client-id", client=object())
    wrong.small_a_value, wrong.large_a_value = helper.small_a_value, helper.large_a_value
    assert server != wrong.get_password_authentication_key(USER, "Wr0ng-password!", big_b, SALT)


def test_signature_matches_the_clients() -> None:
    helper = client()
    v = srp.verifier(POOL, USER, PASSWORD, SALT)
    big_b = srp.public_b(v, SMALL_B)
    block = base64.b64encode(b"\x01opaque block").decode()
    responses = helper.process_challenge(
        {
            "USERNAME": USER,
            "USER_ID_FOR_SRP": USER,
            "SALT": SALT,
            "SRP_B": f"{big_b:x}",
            "SECRET_BLOCK": block,
        },
        {"USERNAME": USER},
    )
    key = srp.session_key(helper.large_a_value, big_b, SMALL_B, v)
    expected = srp.claim_signature(key, POOL, USER, base64.b64decode(block), responses["TIMESTAMP"])
    assert base64.b64encode(expected).decode() == responses["PASSWORD_CLAIM_SIGNATURE"]


@pytest.mark.parametrize("bad", ["", "xyz", "0", f"{srp.N:x}", f"{3 * srp.N:x}", "-5"])
def test_a_is_checked(bad: str) -> None:
    with pytest.raises(srp.SrpError):
        srp.parse_a(bad)


def test_u_zero_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(srp, "hex_hash", lambda _: "0" * 64)
    with pytest.raises(srp.SrpError):
        srp.session_key(5, 7, 11, 13)


@pytest.mark.parametrize(
    ("epoch", "text"),
    [
        (1795341369, "Sun Nov 22 09:56:09 UTC 2026"),
        (1772323200, "Sun Mar 1 00:00:00 UTC 2026"),
        (1798761599, "Thu Dec 31 23:59:59 UTC 2026"),
    ],
)
def test_timestamps(epoch: int, text: str) -> None:
    assert srp.format_timestamp(epoch) == text
    assert srp.parse_timestamp(text) == epoch


@pytest.mark.parametrize(
    "text",
    [
        "Sun Nov 22 09:56:09 GMT 2026",
        "Mon Nov 22 09:56:09 UTC 2026",  # wrong weekday
        "Sun Nov 31 09:56:09 UTC 2026",  # no such day
        "Sun Nov 22 9:56 UTC 2026",
        "Sun Nov 22 25:56:09 UTC 2026",
        "dim. nov. 22 09:56:09 UTC 2026",
        "",
    ],
)
def test_bad_timestamps(text: str) -> None:
    assert srp.parse_timestamp(text) is None


def test_salts_survive_javascripts_number_round_trip() -> None:
    for _ in range(200):
        salt = srp.new_salt()
        assert len(salt) == 32 and salt[0] != "0"
        assert f"{int(salt, 16):x}" == salt  # what a BigInteger gives back
    assert srp.stable_salt(bytes(32))[0] != "0"
