"""``parse_filter``: the ListUsers ``Filter`` language (Cognito API reference, ListUsers)."""

from __future__ import annotations

import itertools
import random

import pytest

from idmint.core.errors import InvalidParameter
from idmint.core.filters import PARSE_ERROR, SEARCHABLE, parse_filter
from idmint.core.model import UserFilter


def refused(text: str) -> str:
    with pytest.raises(InvalidParameter) as exc:
        parse_filter(text)
    return exc.value.message


@pytest.mark.parametrize("text", [None, ""])
def test_no_filter(text: str | None) -> None:
    assert parse_filter(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('family_name = "Reddy"', UserFilter("family_name", "Reddy")),
        ('given_name ^= "Jon"', UserFilter("given_name", "Jon", prefix=True)),
        ('email="a@example.com"', UserFilter("email", "a@example.com")),
        ('email^="testuser"', UserFilter("email", "testuser", prefix=True)),
        ('"email"^="testuser"', UserFilter("email", "testuser", prefix=True)),  # AWS's example
        ('  phone_number   =   "+1555"  ', UserFilter("phone_number", "+1555")),
        ('name\t=\t"x"', UserFilter("name", "x")),
        ('name = ""', UserFilter("name", "")),
        ('name ^= ""', UserFilter("name", "", prefix=True)),
        ('name = "two  words "', UserFilter("name", "two  words ")),
        ('name = "a = \\"b\\""', UserFilter("name", 'a = "b"')),
        ('name = "back\\\\slash"', UserFilter("name", "back\\slash")),
        ('name = "\\\\"', UserFilter("name", "\\")),
        ('name = "\\""', UserFilter("name", '"')),
        ('name = "100% a_b"', UserFilter("name", "100% a_b")),
        ('name = "名前 🔐"', UserFilter("name", "名前 🔐")),
        ('preferred_username = "^="', UserFilter("preferred_username", "^=")),
        ('username = "Alice"', UserFilter("username", "Alice")),  # the core folds case
        ('sub = "0f0f-ABC"', UserFilter("sub", "0f0f-ABC")),
    ],
)
def test_parses(text: str, expected: UserFilter) -> None:
    assert parse_filter(text) == expected


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ('cognito:user_status = "UNCONFIRMED"', "UNCONFIRMED"),
        ('cognito:user_status = "confirmed"', "CONFIRMED"),
        ('cognito:user_status = "Force_Change_Password"', "FORCE_CHANGE_PASSWORD"),
        ('cognito:user_status ^= "un"', "UN"),
        # Non-ASCII is left alone, so a dotless i does not upper-case its way into a status.
        ('cognito:user_status = "unconf\u0131rmed"', "unconf\u0131rmed"),
    ],
)
def test_user_status_is_case_insensitive(text: str, value: str) -> None:
    parsed = parse_filter(text)
    assert parsed is not None and parsed.attribute == "cognito:user_status"
    assert parsed.value == value


@pytest.mark.parametrize("value", ["Enabled", "Disabled", "enabled", "Dis"])
def test_status_keeps_its_value(value: str) -> None:
    """``status`` (Enabled in the console) is case-sensitive: the store matches it as given."""
    assert parse_filter(f'status = "{value}"') == UserFilter("status", value)


@pytest.mark.parametrize(
    "text",
    [
        " ",
        "foo",
        "email",
        "email =",
        'email = "',
        'email = "unterminated',
        'email = "a" "b"',
        'email = "a" extra',
        'email = "a"b',
        "email = unquoted",
        "email = 'single'",
        'email == "a"',
        'email ^ "a"',
        'email != "a"',
        'email =^ "a"',
        'email ~= "a"',
        'email ^== "a"',
        '= "a"',
        '^= "a"',
        '"" = "a"',
        '"email = "a"',
        '"em ail" = "a"',
        'email name = "a"',
        'email = "a\\b"',  # only \" and \\ are escapes
        'email = "a\\"',  # the escaped quote leaves the value open
        'email = "a\\n"',
        'email\\ = "a"',
        'email = "a" and name = "b"',
        'email = "a", name = "b"',
    ],
)
def test_malformed_is_a_parse_error(text: str) -> None:
    assert refused(text) == PARSE_ERROR == "Error while parsing filter."


@pytest.mark.parametrize(
    "name",
    [
        "custom:tenant",
        "locale",
        "email_verified",
        "middle_name",
        "Email",
        "USERNAME",
        "user_status",
        "enabled",
        "dev:custom:x",
        "日本",
    ],
)
def test_unsearchable_attribute(name: str) -> None:
    assert refused(f'{name} = "x"') == f"Invalid search attribute: {name}"
    assert refused(f'{name} ^= "x"') == f"Invalid search attribute: {name}"


def test_syntax_is_checked_before_the_attribute() -> None:
    assert refused("custom:tenant = x") == PARSE_ERROR


@pytest.mark.parametrize("name", sorted(SEARCHABLE))
def test_every_searchable_attribute(name: str) -> None:
    parsed = parse_filter(f'{name} ^= "V"')
    assert parsed is not None and parsed.attribute == name and parsed.prefix


def quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


# Strings over the characters that matter to the grammar, plus a few others.
_ALPHABET = '"\\ \t=^:a_%é🔐'
_RANDOM = random.Random(20240601)
SAMPLES = ["".join(p) for n in range(4) for p in itertools.product(_ALPHABET, repeat=n)] + [
    "".join(_RANDOM.choices(_ALPHABET, k=_RANDOM.randint(4, 40))) for _ in range(2000)
]


@pytest.mark.parametrize("op", ["=", "^="])
def test_any_escaped_value_round_trips(op: str) -> None:
    names = sorted(SEARCHABLE - {"cognito:user_status"})
    for n, value in enumerate(SAMPLES):
        blanks = ["", " ", "\t ", "  "]
        a, b, c, d = (blanks[(n >> shift) % 4] for shift in (0, 2, 4, 6))
        text = f"{a}{names[n % len(names)]}{b}{op}{c}{quote(value)}{d}"
        assert parse_filter(text) == UserFilter(names[n % len(names)], value, op == "^="), text


def test_never_anything_but_a_filter_none_or_invalid_parameter() -> None:
    texts = SAMPLES + [f'{a} = "{b}' for a, b in itertools.product(SAMPLES[:200], repeat=2)]
    for text in texts:
        try:
            parsed = parse_filter(text)
        except InvalidParameter as exc:
            assert exc.message == PARSE_ERROR or exc.message.startswith(
                "Invalid search attribute: "
            ), text
        else:
            assert parsed is None or parsed.attribute in SEARCHABLE, text
