"""Core errors -> Cognito wire errors (``__type`` and HTTP status), in one table.

Amazon Cognito API reference, "Common Errors" and each action's "Errors" section. A test checks
every core error class has a row; anything unmapped is our fault and renders as
``InternalErrorException`` (HTTP 500) with the request id.
"""

from __future__ import annotations

from idmint.core import errors as core

ERRORS: dict[type[core.IdmintError], tuple[str, int]] = {
    core.IdmintError: ("InternalErrorException", 500),
    core.InvalidParameter: ("InvalidParameterException", 400),
    core.ResourceNotFound: ("ResourceNotFoundException", 400),
    core.NotAuthorized: ("NotAuthorizedException", 400),
    core.InvalidCredentials: ("NotAuthorizedException", 400),
    core.PasswordAttemptsExceeded: ("NotAuthorizedException", 400),
    core.UserDisabled: ("NotAuthorizedException", 400),
    core.InvalidToken: ("NotAuthorizedException", 400),
    core.TokenExpired: ("NotAuthorizedException", 400),
    core.TokenRevoked: ("NotAuthorizedException", 400),
    core.InvalidRefreshToken: ("NotAuthorizedException", 400),
    core.SecretHashMismatch: ("NotAuthorizedException", 400),
    core.UserNotFound: ("UserNotFoundException", 400),
    core.UserNotConfirmed: ("UserNotConfirmedException", 400),
    core.PasswordResetRequired: ("PasswordResetRequiredException", 400),
    core.UsernameExists: ("UsernameExistsException", 400),
    core.AliasExists: ("AliasExistsException", 400),
    core.InvalidSession: ("NotAuthorizedException", 400),
    core.CodeMismatch: ("CodeMismatchException", 400),
    core.ExpiredCode: ("ExpiredCodeException", 400),
    core.CodeDeliveryFailure: ("CodeDeliveryFailureException", 400),
    core.GroupExists: ("GroupExistsException", 400),
    core.UnsupportedUserState: ("UnsupportedUserStateException", 400),
    core.InvalidPassword: ("InvalidPasswordException", 400),
    core.Unauthorized: ("UnauthorizedException", 400),
    core.UnsupportedTokenType: ("UnsupportedTokenTypeException", 400),
    core.UnsupportedOperation: ("UnsupportedOperationException", 400),
    core.Conflict: ("InvalidParameterException", 400),
    core.LimitExceeded: ("LimitExceededException", 400),
    # Throttling, which botocore's and the JS SDK's retryers back off from and retry.
    core.Overloaded: ("TooManyRequestsException", 400),
    # Raised only by the web-session front-end; never by a Cognito action.
    core.Unauthenticated: ("NotAuthorizedException", 400),
    core.CsrfFailed: ("NotAuthorizedException", 400),
    # Raised only by the mint front-end (seed 002).
    core.InvalidClient: ("NotAuthorizedException", 400),
    core.GrantNotAllowed: ("NotAuthorizedException", 400),
    core.AuthorizationError: ("InvalidParameterException", 400),
}


class CognitoError(Exception):
    """An error already in Cognito's terms: rendered as ``{"__type", "message"}``."""

    def __init__(self, type_name: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.type_name = type_name
        self.message = message
        self.status = status

    @classmethod
    def from_core(cls, exc: core.IdmintError) -> CognitoError:
        type_name, status = ERRORS.get(type(exc), ERRORS[core.IdmintError])
        return cls(type_name, exc.message, status)
