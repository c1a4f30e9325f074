"""Request-body validation against the model generated from botocore."""

from __future__ import annotations

import importlib.util
import re
import sys
import warnings
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from idmint.web.cognito.validation import (
    MAX_REPORTED_ERRORS,
    MODEL,
    OPERATIONS,
    Operation,
    RequestRejected,
    translate_java_regex,
    validate,
)

ROOT = Path(__file__).resolve().parents[3]
GENERATOR = ROOT / "scripts" / "gen_cognito_model.py"
MODEL_FILE = ROOT / "idmint" / "web" / "cognito" / "model.json"

POOL = "us-east-1_AbCdEf123"
CLIENT = "1example23456789"


def rejected(operation: str, body: object) -> RequestRejected:
    with pytest.raises(RequestRejected) as info:
        validate(operation, body)
    return info.value


def validation_message(operation: str, body: object) -> str:
    error = rejected(operation, body)
    assert error.type_name == "ValidationException", error.message
    return error.message


def serialization_message(operation: str, body: object) -> str:
    error = rejected(operation, body)
    assert error.type_name == "SerializationException", error.message
    return error.message


def load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_cognito_model", GENERATOR)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)
    spec.loader.exec_module(module)
    return module


# --- the cases the wire contract spells out -------------------------------------------


def test_short_password_on_sign_up() -> None:
    body = {"ClientId": CLIENT, "Username": "bob", "Password": "12345"}
    assert validation_message("SignUp", body) == (
        "1 validation error detected: Value at 'password' failed to satisfy constraint: "
        "Member must have length greater than or equal to 6"
    )


def test_missing_client_id_on_initiate_auth() -> None:
    body = {"AuthFlow": "USER_PASSWORD_AUTH", "AuthParameters": {"USERNAME": "bob"}}
    assert validation_message("InitiateAuth", body) == (
        "1 validation error detected: Value null at 'clientId' failed to satisfy constraint: "
        "Member must not be null"
    )


def test_bad_auth_flow_enum() -> None:
    allowed = MODEL["shapes"]["AuthFlowType"]["enum"]
    assert "USER_SRP_AUTH" in allowed and "USER_PASSWORD_AUTH" in allowed
    message = validation_message("InitiateAuth", {"AuthFlow": "FOO", "ClientId": CLIENT})
    assert message == (
        "1 validation error detected: Value 'FOO' at 'authFlow' failed to satisfy constraint: "
        f"Member must satisfy enum value set: [{', '.join(allowed)}]"
    )


def test_two_errors_use_plural_and_semicolons_in_document_order() -> None:
    body = {"ClientId": "has space", "Username": "bob", "Password": "123"}
    assert validation_message("SignUp", body) == (
        "2 validation errors detected: "
        "Value at 'clientId' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [\\w+]+; "
        "Value at 'password' failed to satisfy constraint: "
        "Member must have length greater than or equal to 6"
    )


def test_every_failed_constraint_of_a_member_is_reported() -> None:
    # Empty username: too short AND not matching its pattern, like AWS reports it.
    message = validation_message("SignUp", {"ClientId": CLIENT, "Username": ""})
    assert message == (
        "2 validation errors detected: "
        "Value at 'username' failed to satisfy constraint: "
        "Member must have length greater than or equal to 1; "
        "Value at 'username' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+"
    )


def test_missing_required_members_come_after_present_ones() -> None:
    message = validation_message("SignUp", {"Password": "123"})
    assert message == (
        "3 validation errors detected: "
        "Value at 'password' failed to satisfy constraint: "
        "Member must have length greater than or equal to 6; "
        "Value null at 'clientId' failed to satisfy constraint: Member must not be null; "
        "Value null at 'username' failed to satisfy constraint: Member must not be null"
    )


@pytest.mark.parametrize(
    ("length", "constraint"),
    [
        (5, "Member must have value greater than or equal to 6"),
        (100, "Member must have value less than or equal to 99"),
    ],
)
def test_nested_password_policy_minimum_length(length: int, constraint: str) -> None:
    body = {"PoolName": "pool", "Policies": {"PasswordPolicy": {"MinimumLength": length}}}
    assert validation_message("CreateUserPool", body) == (
        f"1 validation error detected: Value '{length}' at "
        f"'policies.passwordPolicy.minimumLength' failed to satisfy constraint: {constraint}"
    )


def test_list_element_paths_are_one_based() -> None:
    body = {
        "ClientId": CLIENT,
        "Username": "bob",
        "UserAttributes": [{"Name": "email", "Value": "b@example.com"}, {"Value": "x"}],
    }
    assert validation_message("SignUp", body) == (
        "1 validation error detected: Value null at 'userAttributes.2.member.name' "
        "failed to satisfy constraint: Member must not be null"
    )


def test_list_element_member_value_is_shown_when_not_sensitive() -> None:
    body = {"ClientId": CLIENT, "Username": "bob", "UserAttributes": [{"Name": "a" * 33}]}
    assert validation_message("SignUp", body) == (
        f"1 validation error detected: Value '{'a' * 33}' at 'userAttributes.1.member.name' "
        "failed to satisfy constraint: Member must have length less than or equal to 32"
    )


def test_list_of_scalars_reports_once_on_the_list() -> None:
    body = {"PoolName": "pool", "AutoVerifiedAttributes": ["email", "fax"]}
    assert validation_message("CreateUserPool", body) == (
        "1 validation error detected: Value '[email, fax]' at 'autoVerifiedAttributes' "
        "failed to satisfy constraint: Member must satisfy constraint: "
        "[Member must satisfy enum value set: [phone_number, email]]"
    )


def test_list_length() -> None:
    scopes = ["openid"] * 51
    body = {"UserPoolId": POOL, "ClientName": "c", "AllowedOAuthScopes": scopes}
    assert validation_message("CreateUserPoolClient", body) == (
        f"1 validation error detected: Value '[{', '.join(scopes)}]' at 'allowedOAuthScopes' "
        "failed to satisfy constraint: Member must have length less than or equal to 50"
    )


def test_map_keys_constraint() -> None:
    body = {"PoolName": "pool", "UserPoolTags": {"": "v"}}
    assert validation_message("CreateUserPool", body) == (
        "1 validation error detected: Value '{=v}' at 'userPoolTags' failed to satisfy "
        "constraint: Map keys must satisfy constraint: [Member must have length less than "
        "or equal to 128, Member must have length greater than or equal to 1]"
    )


def test_map_value_constraint() -> None:
    body = {"PoolName": "pool", "UserPoolTags": {"k": "v" * 257}}
    message = validation_message("CreateUserPool", body)
    assert message.startswith(f"1 validation error detected: Value '{{k={'v' * 257}}}' at ")
    assert message.endswith(
        "'userPoolTags' failed to satisfy constraint: Map value must satisfy constraint: "
        "[Member must have length less than or equal to 256, "
        "Member must have length greater than or equal to 0]"
    )


def test_number_range_message() -> None:
    body = {"UserPoolId": POOL, "Limit": 61}
    assert validation_message("ListUsers", body) == (
        "1 validation error detected: Value '61' at 'limit' failed to satisfy constraint: "
        "Member must have value less than or equal to 60"
    )


def test_string_too_long() -> None:
    body = {"UserPoolId": POOL, "GroupName": "g" * 129}
    assert validation_message("CreateGroup", body) == (
        f"1 validation error detected: Value '{'g' * 129}' at 'groupName' failed to satisfy "
        "constraint: Member must have length less than or equal to 128"
    )


def test_patterns_must_match_the_whole_value() -> None:
    message = validation_message("AdminGetUser", {"UserPoolId": POOL + "!", "Username": "bob"})
    assert message == (
        f"1 validation error detected: Value '{POOL}!' at 'userPoolId' failed to satisfy "
        "constraint: Member must satisfy regular expression pattern: [\\w-]+_[0-9a-zA-Z]+"
    )


def test_reported_violations_are_capped() -> None:
    attributes = [{"Value": "x"} for _ in range(MAX_REPORTED_ERRORS + 5)]
    body = {"ClientId": CLIENT, "Username": "bob", "UserAttributes": attributes}
    message = validation_message("SignUp", body)
    assert message.startswith(f"{MAX_REPORTED_ERRORS} validation errors detected: ")
    assert message.count("failed to satisfy constraint") == MAX_REPORTED_ERRORS


# --- sensitive values ------------------------------------------------------------------

SECRET = "s3cr3t value"  # contains a space, so it breaks most patterns


@pytest.mark.parametrize(
    ("operation", "body", "path"),
    [
        ("SignUp", {"ClientId": CLIENT, "Username": "bob", "Password": SECRET}, "password"),
        ("SignUp", {"ClientId": CLIENT, "Username": SECRET}, "username"),
        ("SignUp", {"ClientId": SECRET, "Username": "bob"}, "clientId"),
        (
            "SignUp",
            {"ClientId": CLIENT, "Username": "bob", "SecretHash": SECRET},
            "secretHash",
        ),
        (
            "SignUp",
            {
                "ClientId": CLIENT,
                "Username": "bob",
                "UserAttributes": [{"Name": "email", "Value": SECRET * 200}],
            },
            "userAttributes.1.member.value",
        ),
        (
            "InitiateAuth",
            {
                "AuthFlow": "USER_PASSWORD_AUTH",
                "ClientId": CLIENT,
                "AuthParameters": {"PASSWORD": SECRET * 12000},
            },
            "authParameters",
        ),
        (
            "InitiateAuth",
            {
                "AuthFlow": "USER_PASSWORD_AUTH",
                "ClientId": CLIENT,
                "UserContextData": {"IpAddress": SECRET * 12000},
            },
            "userContextData.ipAddress",
        ),
        ("ChangePassword", {"ProposedPassword": "abcdefg", "AccessToken": SECRET}, "accessToken"),
        (
            "RespondToAuthChallenge",
            {"ClientId": CLIENT, "ChallengeName": "SMS_MFA", "Session": "short" + SECRET},
            "session",
        ),
    ],
)
def test_sensitive_values_are_never_echoed(operation: str, body: Any, path: str) -> None:
    message = validation_message(operation, body)
    assert "s3cr3t" not in message
    assert f"Value at '{path}' failed to satisfy constraint: " in message


# --- type mismatches ---------------------------------------------------------------------


def sign_up(**extra: Any) -> dict[str, Any]:
    return {"ClientId": CLIENT, "Username": "bob", **extra}


@pytest.mark.parametrize(
    ("operation", "body", "message"),
    [
        ("SignUp", sign_up(Password=123456), "NUMBER_VALUE can not be converted to a String"),
        ("SignUp", sign_up(Password=1.5), "NUMBER_VALUE can not be converted to a String"),
        ("SignUp", sign_up(Password=True), "TRUE_VALUE can not be converted to a String"),
        ("SignUp", sign_up(Password=False), "FALSE_VALUE can not be converted to a String"),
        ("SignUp", sign_up(Password={}), "Start of structure or map found where not expected."),
        ("SignUp", sign_up(Password=["x"]), "Start of list found where not expected"),
        ("SignUp", sign_up(UserAttributes="email"), "Expected list or null"),
        ("SignUp", sign_up(UserAttributes=7), "Expected list or null"),
        (
            "SignUp",
            sign_up(UserAttributes={"Name": "email"}),
            "Start of structure or map found where not expected.",
        ),
        ("SignUp", sign_up(UserAttributes=["email"]), "Expected null"),
        ("SignUp", sign_up(UserAttributes=[[]]), "Start of list found where not expected"),
        ("SignUp", sign_up(UserContextData="1.2.3.4"), "Expected null"),
        ("SignUp", sign_up(ClientMetadata="x"), "Expected map or null"),
        ("SignUp", sign_up(ClientMetadata=[]), "Start of list found where not expected"),
        (
            "SignUp",
            sign_up(ClientMetadata={"k": 1}),
            "NUMBER_VALUE can not be converted to a String",
        ),
        (
            "CreateUserPool",
            {"PoolName": "p", "Policies": {"PasswordPolicy": {"MinimumLength": "8"}}},
            "STRING_VALUE can not be converted to an Integer",
        ),
        (
            "CreateUserPool",
            {"PoolName": "p", "Policies": {"PasswordPolicy": {"MinimumLength": True}}},
            "TRUE_VALUE can not be converted to an Integer",
        ),
        (
            "CreateUserPool",
            {"PoolName": "p", "Policies": {"PasswordPolicy": {"MinimumLength": 8.5}}},
            "NUMBER_VALUE can not be converted to an Integer",
        ),
        (
            "CreateUserPool",
            {"PoolName": "p", "Policies": {"PasswordPolicy": {"RequireNumbers": "true"}}},
            "STRING_VALUE can not be converted to a Boolean",
        ),
        (
            "CreateUserPool",
            {"PoolName": "p", "Policies": {"PasswordPolicy": {"RequireNumbers": 1}}},
            "NUMBER_VALUE can not be converted to a Boolean",
        ),
        (
            "CreateUserPool",
            {"PoolName": "p", "AutoVerifiedAttributes": ["email", 3]},
            "NUMBER_VALUE can not be converted to a String",
        ),
        (
            "CreateUserPool",
            {"PoolName": "p", "Policies": []},
            "Start of list found where not expected",
        ),
        ("SignUp", [], "Start of list found where not expected"),
        (
            "SetUICustomization",
            {"UserPoolId": POOL, "ImageFile": 12},
            "NUMBER_VALUE can not be converted to a Blob",
        ),
        (
            "SetUICustomization",
            {"UserPoolId": POOL, "ImageFile": "abc"},
            "'abc' can not be converted to a Blob: Base64 encoded length is expected a "
            "multiple of 4 bytes but found: 3",
        ),
        (
            "SetUICustomization",
            {"UserPoolId": POOL, "ImageFile": "ab!d"},
            "'ab!d' can not be converted to a Blob: Invalid Base64 character: '!'",
        ),
    ],
)
def test_type_mismatches_are_serialization_exceptions(
    operation: str, body: Any, message: str
) -> None:
    assert serialization_message(operation, body) == message


@pytest.mark.parametrize("body", [None, "x", 1, True])
def test_non_object_body_is_a_serialization_exception_without_message(body: object) -> None:
    assert serialization_message("SignUp", body) == ""


def test_type_mismatch_wins_over_constraint_violations() -> None:
    # Deserialisation fails before any constraint is checked, wherever the bad value is.
    body = {"ClientId": "bad id", "Username": "", "Password": 5}
    assert serialization_message("SignUp", body) == "NUMBER_VALUE can not be converted to a String"


# --- accepted bodies ------------------------------------------------------------------------

VALID_BODIES: list[tuple[str, dict[str, Any]]] = [
    (
        "SignUp",
        {
            "ClientId": CLIENT,
            "SecretHash": "abc+/=",
            "Username": "bob.builder@example.com",
            "Password": "correct-horse-Battery-9",
            "UserAttributes": [
                {"Name": "email", "Value": "bob.builder@example.com"},
                {"Name": "custom:team", "Value": "Größe 日本"},
            ],
            "ValidationData": [],
            "ClientMetadata": {"source": "web"},
            "UserContextData": {"IpAddress": "192.0.2.1", "EncodedData": "e30="},
        },
    ),
    (
        "InitiateAuth",
        {
            "AuthFlow": "USER_PASSWORD_AUTH",
            "ClientId": CLIENT,
            "AuthParameters": {"USERNAME": "bob", "PASSWORD": "hunter2 with spaces"},
        },
    ),
    ("InitiateAuth", {"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": CLIENT}),
    (
        "CreateUserPool",
        {
            "PoolName": "my pool",
            "Policies": {
                "PasswordPolicy": {
                    "MinimumLength": 8,
                    "RequireUppercase": True,
                    "RequireLowercase": True,
                    "RequireNumbers": True,
                    "RequireSymbols": False,
                    "TemporaryPasswordValidityDays": 7,
                }
            },
            "AutoVerifiedAttributes": ["email"],
            "UsernameAttributes": ["email"],
            "MfaConfiguration": "OFF",
            "EmailVerificationMessage": "Your code is {####}",
            "EmailVerificationSubject": "Your code",
            "UserPoolTags": {"team": "identity"},
            "Schema": [
                {
                    "Name": "team",
                    "AttributeDataType": "String",
                    "Mutable": True,
                    "StringAttributeConstraints": {"MinLength": "0", "MaxLength": "64"},
                }
            ],
            "AdminCreateUserConfig": {"AllowAdminCreateUserOnly": False},
        },
    ),
    (
        "CreateUserPoolClient",
        {
            "UserPoolId": POOL,
            "ClientName": "web-app",
            "GenerateSecret": False,
            "RefreshTokenValidity": 30,
            "AccessTokenValidity": 60,
            "IdTokenValidity": 60,
            "TokenValidityUnits": {
                "AccessToken": "minutes",
                "IdToken": "minutes",
                "RefreshToken": "days",
            },
            "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
            "SupportedIdentityProviders": ["COGNITO"],
            "CallbackURLs": ["https://app.example.com/callback"],
            "AllowedOAuthFlows": ["code"],
            "AllowedOAuthScopes": ["openid", "email"],
            "AllowedOAuthFlowsUserPoolClient": True,
            "PreventUserExistenceErrors": "ENABLED",
        },
    ),
    ("AdminGetUser", {"UserPoolId": POOL, "Username": "bob"}),
    ("ListUserPools", {"MaxResults": 10}),
    ("SetUICustomization", {"UserPoolId": POOL, "ImageFile": "iVBORw0KGgo="}),
]


@pytest.mark.parametrize(("operation", "body"), VALID_BODIES, ids=[op for op, _ in VALID_BODIES])
def test_valid_bodies_pass(operation: str, body: dict[str, Any]) -> None:
    validate(operation, body)


def test_unknown_members_are_ignored() -> None:
    validate(
        "SignUp",
        {
            "ClientId": CLIENT,
            "Username": "bob",
            "FutureMember": {"anything": [1, 2, 3]},
            "UserAttributes": [{"Name": "email", "Value": "b@example.com", "Extra": 1}],
        },
    )


def test_null_is_the_same_as_absent() -> None:
    validate("SignUp", {"ClientId": CLIENT, "Username": "bob", "Password": None})
    assert validation_message("SignUp", {"ClientId": None, "Username": "bob"}) == (
        "1 validation error detected: Value null at 'clientId' failed to satisfy constraint: "
        "Member must not be null"
    )


def test_null_list_elements_are_dropped() -> None:
    validate("SignUp", {"ClientId": CLIENT, "Username": "bob", "UserAttributes": [None]})
    body = {"PoolName": "p", "AutoVerifiedAttributes": [None, "email", None, "phone_number"]}
    validate("CreateUserPool", body)


def test_unicode_categories_follow_java() -> None:
    # Username: [\p{L}\p{M}\p{S}\p{N}\p{P}]+ -- letters/marks/symbols/numbers/punctuation.
    for username in ("Zoë", "名前", "a+b@c.d", "€100", "x\u0301"):
        validate("AdminGetUser", {"UserPoolId": POOL, "Username": username})
    for username in ("a b", "a\u00a0b", "tab\t", "a\u2028b"):
        assert "Value at 'username'" in validation_message(
            "AdminGetUser", {"UserPoolId": POOL, "Username": username}
        )


@pytest.mark.parametrize(
    ("java", "value", "matches"),
    [
        ("[\\w+]+", "abc_123+", True),
        ("[\\w+]+", "é", False),  # Java's \w is ASCII
        ("[\\S]+", "pässwörd", True),
        ("[\\S]+", "a\u000bb", False),  # \x0B is Java whitespace
        ("[\\S]+", "a\u00a0b", True),  # NBSP is not
        (".*\\{####\\}.*", "code {####}", True),
        (".*\\{####\\}.*", "line\n{####}", False),  # "." stops at line terminators
        ("(?s).*", "multi\nline", True),
        ("[^_\\p{Z}][\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}][^_\\p{Z}]+", "abc", True),
        ("[^_\\p{Z}][\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}][^_\\p{Z}]+", "_bc", False),
        ("\\P{L}+", "123", True),
        ("[\\P{L}]+", "12a", False),
        ("^[0-9A-Za-z\\.\\-_]*(?<!\\.)$", "abc.", False),
        ("[A-Za-z0-9-_+/=.]+", "a-b_c", True),
    ],
)
def test_java_regex_translation(java: str, value: str, matches: bool) -> None:
    compiled = re.compile(translate_java_regex(java), re.ASCII)
    assert (compiled.fullmatch(value) is not None) is matches


def test_every_model_pattern_translates_and_compiles_cleanly() -> None:
    patterns = {s["pattern"] for s in MODEL["shapes"].values() if "pattern" in s}
    assert patterns
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for pattern in patterns:
            re.compile(translate_java_regex(pattern), re.ASCII)


# --- operations -------------------------------------------------------------------------------


def test_operation_flags() -> None:
    assert OPERATIONS["InitiateAuth"].public is True
    assert OPERATIONS["CreateUserPool"].public is False
    assert OPERATIONS["SignUp"] == Operation(
        name="SignUp",
        public=True,
        input_shape="SignUpRequest",
        errors=OPERATIONS["SignUp"].errors,
    )
    assert "NotAuthorizedException" in OPERATIONS["InitiateAuth"].errors
    assert OPERATIONS["AdminGetUser"].public is False
    assert OPERATIONS["RespondToAuthChallenge"].public is True


def test_every_operation_is_listed_and_its_input_shape_exists() -> None:
    shapes = MODEL["shapes"]
    for name, operation in OPERATIONS.items():
        assert operation.name == name
        assert operation.input_shape is None or operation.input_shape in shapes


def test_every_operation_accepts_an_empty_object_or_names_its_required_members() -> None:
    # Builds every input validator once; an empty body only ever fails on required members.
    for name in OPERATIONS:
        try:
            validate(name, {})
        except RequestRejected as error:
            assert error.type_name == "ValidationException"
            assert all(
                part.endswith("Member must not be null")
                for part in error.message.split(": ", 1)[1].split("; ")
            ), error.message


def test_unknown_operation_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        validate("NoSuchOperation", {})


# --- the generated model -------------------------------------------------------------------------


def test_model_applies_the_password_override() -> None:
    assert MODEL["overrides"] == {"PasswordType": {"min": 6}}
    assert MODEL["shapes"]["PasswordType"]["min"] == 6
    assert MODEL["shapes"]["PasswordType"]["sensitive"] is True


def test_model_shapes_are_closed_and_carry_no_documentation() -> None:
    shapes = MODEL["shapes"]
    for name, shape in shapes.items():
        assert "documentation" not in shape, name
        referenced = list(shape.get("members", {}).values())
        referenced += [shape[key] for key in ("member", "key", "value") if key in shape]
        for target in referenced:
            assert target in shapes, f"{name} -> {target}"


def test_model_matches_a_fresh_generation() -> None:
    import botocore

    recorded = MODEL["botocore_version"]
    if botocore.__version__ != recorded:
        pytest.skip(
            f"model.json was generated from botocore {recorded}, botocore "
            f"{botocore.__version__} is installed: rerun scripts/gen_cognito_model.py"
        )
    generator = load_generator()
    assert generator.generate() == MODEL_FILE.read_text(encoding="utf-8")


def test_model_lists_every_botocore_operation() -> None:
    import botocore.session

    service = botocore.session.get_session().get_service_model("cognito-idp")
    assert set(OPERATIONS) == set(service.operation_names)
    for name in service.operation_names:
        operation = service.operation_model(name)
        public = operation.auth_type == "none" or "smithy.api#noAuth" in (operation.auth or [])
        assert OPERATIONS[name].public is public, name


@pytest.mark.parametrize("value", [2**31, -(2**31) - 1, 2**70])
def test_integer_beyond_32_bits_is_refused(value: int) -> None:
    body = {"UserPoolId": POOL, "GroupName": "g", "Precedence": value}
    assert serialization_message("CreateGroup", body) == (
        "NUMBER_VALUE can not be converted to an Integer"
    )
    validate("CreateGroup", body | {"Precedence": 2**31 - 1})
