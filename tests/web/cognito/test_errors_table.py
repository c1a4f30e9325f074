"""DESIGN.md rule 3: every core error has a row in the Cognito front-end's ``ERRORS`` table,
and every row names an error Cognito really has, with the status Cognito uses."""

from __future__ import annotations

import inspect

import botocore.session
import pytest

from idmint.core import errors as core
from idmint.web.cognito.errors import ERRORS, CognitoError
from idmint.web.cognito.validation import OPERATIONS


def botocore_error_shapes() -> set[str]:
    model = botocore.session.get_session().get_service_model("cognito-idp")
    return {shape.name for shape in model.error_shapes}


def model_json_errors() -> set[str]:
    return {name for operation in OPERATIONS.values() for name in operation.errors}


COGNITO_ERRORS = botocore_error_shapes() | model_json_errors() | {"InternalErrorException"}


def test_all_errors_lists_every_core_error_class() -> None:
    defined = {
        obj
        for _, obj in inspect.getmembers(core, inspect.isclass)
        if issubclass(obj, core.IdmintError) and obj.__module__ == core.__name__
    }
    assert set(core.ALL_ERRORS) == defined
    assert core.IdmintError in defined


@pytest.mark.parametrize("error", core.ALL_ERRORS, ids=lambda cls: cls.__name__)
def test_every_core_error_has_a_row(error: type[core.IdmintError]) -> None:
    assert error in ERRORS, f"{error.__name__} has no row in idmint.web.cognito.errors.ERRORS"


def test_every_row_is_a_core_error() -> None:
    assert set(ERRORS) <= set(core.ALL_ERRORS)


@pytest.mark.parametrize("error", list(ERRORS), ids=lambda cls: cls.__name__)
def test_status_is_400_except_for_the_base_class(error: type[core.IdmintError]) -> None:
    _, status = ERRORS[error]
    assert status == (500 if error is core.IdmintError else 400)


def test_the_base_class_is_an_internal_error() -> None:
    assert ERRORS[core.IdmintError] == ("InternalErrorException", 500)


@pytest.mark.parametrize("error", list(ERRORS), ids=lambda cls: cls.__name__)
def test_type_is_a_cognito_error_shape(error: type[core.IdmintError]) -> None:
    type_name, _ = ERRORS[error]
    assert type_name in COGNITO_ERRORS, f"{type_name} is not an error of the cognito-idp model"


def test_known_error_shapes_are_loaded() -> None:
    """Guard against a vacuous check: the botocore model and model.json both list errors."""
    assert {
        "NotAuthorizedException",
        "UserNotFoundException",
        "UsernameExistsException",
    } <= botocore_error_shapes()
    assert {"NotAuthorizedException", "InternalErrorException"} <= model_json_errors()
    assert "CodeMismatchException" in COGNITO_ERRORS
    assert "MadeUpException" not in COGNITO_ERRORS


@pytest.mark.parametrize("error", core.ALL_ERRORS, ids=lambda cls: cls.__name__)
def test_from_core_uses_the_row_and_keeps_the_message(error: type[core.IdmintError]) -> None:
    wire = CognitoError.from_core(error("a message"))
    assert (wire.type_name, wire.status) == ERRORS[error]
    assert wire.message == "a message"
    default = CognitoError.from_core(error())
    assert default.message == error.default_message


def test_an_unmapped_error_is_an_internal_error() -> None:
    class Unmapped(core.IdmintError):
        default_message = "not in the table"

    wire = CognitoError.from_core(Unmapped())
    assert (wire.type_name, wire.status) == ("InternalErrorException", 500)
