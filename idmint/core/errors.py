"""Protocol-neutral errors raised by the core.

Each front-end maps every class here to its own wire error in one table (``ERRORS``); a test
fails when a class has no row there. Messages are the wording Cognito uses, since that is the
richest dialect we speak; front-ends with documented messages of their own replace them.
"""

from __future__ import annotations


class IdmintError(Exception):
    """Base of every error the core raises on purpose."""

    default_message = "The request could not be completed."

    def __init__(self, message: str | None = None) -> None:
        self.message = message or self.default_message
        super().__init__(self.message)


class InvalidParameter(IdmintError):
    default_message = "Invalid parameter."


class ResourceNotFound(IdmintError):
    default_message = "Resource not found."


class NotAuthorized(IdmintError):
    default_message = "Not authorized."


class InvalidCredentials(NotAuthorized):
    """Unknown user (when existence is hidden) or wrong password: one answer for both."""

    default_message = "Incorrect username or password."


class UserDisabled(NotAuthorized):
    default_message = "User is disabled."


class InvalidToken(NotAuthorized):
    default_message = "Invalid Access Token"


class TokenExpired(NotAuthorized):
    default_message = "Access Token has expired"


class TokenRevoked(NotAuthorized):
    default_message = "Access Token has been revoked"


class InvalidRefreshToken(NotAuthorized):
    default_message = "Invalid Refresh Token"


class SecretHashMismatch(NotAuthorized):
    default_message = "Unable to verify secret hash for client"


class UserNotFound(IdmintError):
    default_message = "User does not exist."


class UserNotConfirmed(IdmintError):
    default_message = "User is not confirmed."


class PasswordResetRequired(IdmintError):
    default_message = "Password reset required for the user"


class UsernameExists(IdmintError):
    default_message = "User already exists"


class AliasExists(UsernameExists):
    """Another user already signs in with this email/phone/preferred_username."""

    default_message = "An account with the given email already exists."


class InvalidPassword(IdmintError):
    default_message = "Password did not conform with policy"


class Unauthorized(IdmintError):
    """The caller may not act on this object (e.g. revoking another client's token)."""

    default_message = "Unauthorized"


class UnsupportedTokenType(IdmintError):
    default_message = "Unsupported token type"


class UnsupportedOperation(IdmintError):
    default_message = "This operation is not supported."


class Conflict(IdmintError):
    """The object cannot change in its current state (e.g. deletion protection)."""

    default_message = "The request conflicts with the current state of the resource."


class LimitExceeded(IdmintError):
    default_message = "Limit exceeded."


ALL_ERRORS: tuple[type[IdmintError], ...] = tuple(
    cls
    for cls in list(globals().values())
    if isinstance(cls, type) and issubclass(cls, IdmintError)
)
