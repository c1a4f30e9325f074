"""User attributes: Cognito's standard schema, custom attributes, and the checks on writes.

Cognito developer guide, "User pool attributes": standard attributes follow OpenID Connect;
custom ones are named ``custom:<name>``; every value is a string at the API.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from idmint.core.errors import InvalidParameter, NotAuthorized
from idmint.core.model import AttributeSchema, UserPool

_STRING = 2048
STANDARD_SCHEMA: tuple[AttributeSchema, ...] = (
    AttributeSchema("sub", mutable=False, required=True, min_length=1, max_length=2048),
    *(
        AttributeSchema(name, min_length=0, max_length=_STRING)
        for name in (
            "name",
            "given_name",
            "family_name",
            "middle_name",
            "nickname",
            "preferred_username",
            "profile",
            "picture",
            "website",
            "email",
        )
    ),
    AttributeSchema("email_verified", data_type="Boolean"),
    *(AttributeSchema(name, min_length=0, max_length=_STRING) for name in ("gender",)),
    AttributeSchema("birthdate", min_length=10, max_length=10),
    *(
        AttributeSchema(name, min_length=0, max_length=_STRING)
        for name in ("zoneinfo", "locale", "phone_number")
    ),
    AttributeSchema("phone_number_verified", data_type="Boolean"),
    AttributeSchema("address", min_length=0, max_length=_STRING),
    AttributeSchema("updated_at", data_type="Number", min_value=0),
    AttributeSchema("identities", mutable=True),
)
STANDARD_NAMES = frozenset(a.name for a in STANDARD_SCHEMA)
# Attributes a user may sign in with instead of the username.
USERNAME_ATTRIBUTES = frozenset({"email", "phone_number"})
ALIAS_ATTRIBUTES = frozenset({"email", "phone_number", "preferred_username"})
VERIFIABLE = frozenset({"email", "phone_number"})
# Set by the server, never by a caller of SignUp/UpdateUserAttributes.
_READ_ONLY = frozenset({"sub", "identities"})

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
PHONE = re.compile(r"^\+[0-9]{4,15}$")


def effective_schema(pool: UserPool) -> tuple[AttributeSchema, ...]:
    """Standard attributes (with the pool's overrides) followed by its custom attributes."""
    overrides = {a.name: a for a in pool.schema}
    standard = tuple(overrides.get(a.name, a) for a in STANDARD_SCHEMA)
    custom = tuple(a for a in pool.schema if a.name not in STANDARD_NAMES)
    return standard + custom


def _conform(message: str) -> InvalidParameter:
    return InvalidParameter(f"Attributes did not conform to the schema: {message}")


def check_format(name: str, value: str) -> None:
    if name == "email" and not EMAIL.match(value):
        raise InvalidParameter("Invalid email address format.")
    if name == "phone_number" and not PHONE.match(value):
        raise InvalidParameter("Invalid phone number format.")


def check_writable(
    pool: UserPool,
    attributes: Mapping[str, str],
    *,
    writable: Iterable[str] | None,
    creating: bool,
    admin: bool = False,
) -> None:
    """Refuse unknown, read-only, unauthorized, malformed or (on create) missing attributes.

    ``writable`` is the client's WriteAttributes (None: all). Developer-only attributes
    (``custom:dev:...``) are for administrators: refused unless ``admin``.
    """
    schema = {a.name: a for a in effective_schema(pool)}
    allowed = frozenset(writable) if writable is not None else None
    for name, value in attributes.items():
        if _CONTROL.search(value):
            raise InvalidParameter(f"{name}: Attribute value contains control characters.")
        attr = schema.get(name)
        if attr is None:
            raise _conform(f"{name}: Attribute does not exist in the schema.")
        if name in _READ_ONLY:
            raise _conform(f"{name}: Attribute cannot be updated.")
        if allowed is not None and name not in allowed:
            raise NotAuthorized("A client attempted to write unauthorized attribute")
        if not creating and not attr.mutable:
            raise _conform(
                f"{name}: Attribute cannot be updated. (changing an immutable attribute)"
            )
        if attr.developer_only and not admin:
            raise NotAuthorized("A client attempted to write unauthorized attribute")
        _check_value(attr, value)
        check_format(name, value)
    if creating:
        for attr in schema.values():
            if attr.required and attr.name not in _READ_ONLY and not attributes.get(attr.name):
                raise _conform(f"{attr.name}: The attribute {attr.name} is required")


def _check_value(attr: AttributeSchema, value: str) -> None:
    """The schema's type and length or range constraints (Cognito SchemaAttributeType)."""
    name = attr.name
    if attr.data_type == "Boolean" and value not in ("true", "false"):
        raise _conform(f"{name}: Attribute value must be true or false.")
    if attr.data_type == "Number":
        if not re.fullmatch(r"-?[0-9]{1,19}", value):
            raise _conform(f"{name}: Number attribute value must be an integer.")
        number = int(value)
        if attr.min_value is not None and number < attr.min_value:
            raise _conform(f"{name}: Number must be greater than or equal to {attr.min_value}.")
        if attr.max_value is not None and number > attr.max_value:
            raise _conform(f"{name}: Number must be less than or equal to {attr.max_value}.")
    if attr.data_type == "DateTime" and not re.fullmatch(r"-?[0-9]{1,19}", value):
        raise _conform(f"{name}: DateTime attribute value must be epoch seconds.")
    if attr.data_type == "String":
        if attr.max_length is not None and len(value) > attr.max_length:
            raise InvalidParameter(
                f"{name}: String attribute is too long; maximum length is {attr.max_length}."
            )
        if attr.min_length is not None and value and len(value) < attr.min_length:
            raise InvalidParameter(
                f"{name}: String attribute is too short; minimum length is {attr.min_length}."
            )


def alias_keys(pool: UserPool, attributes: Mapping[str, str]) -> list[str]:
    """Lookup keys for the attributes this pool lets users sign in with.

    With ``UsernameAttributes`` the email/phone always works; with ``AliasAttributes`` an email
    or phone works only once verified (preferred_username always), as in Cognito.
    """
    keys: list[str] = []
    for name in pool.sign_in_aliases:
        value = attributes.get(name)
        if not value:
            continue
        verified = attributes.get(f"{name}_verified") == "true"
        if pool.username_attributes or name not in VERIFIABLE or verified:
            keys.append(value.lower())
    return keys
