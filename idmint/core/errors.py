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


class PasswordAttemptsExceeded(NotAuthorized):
    """Too many failed password sign-ins in a row: refused without checking the password
    until the lock ends (``idmint.core.throttle``). ``retry_after`` is the whole seconds
    until then (at least 1), for a front-end's Retry-After header (RFC 9110 §10.2.3)."""

    default_message = "Password attempts exceeded"

    def __init__(self, message: str | None = None, *, retry_after: int = 1) -> None:
        super().__init__(message)
        self.retry_after = max(1, retry_after)


class Overloaded(IdmintError):
    """Password hashing is at capacity: every hashing thread is busy and the bounded queue
    behind them is full (``idmint.core.passwords``). Refused at once, before any work, so a
    flood of sign-ins can neither queue without bound nor slow the other requests down.
    ``retry_after`` is whole seconds for a front-end's Retry-After header (RFC 9110 §10.2.3)."""

    default_message = "Too many requests are being processed. Try again shortly."

    def __init__(self, message: str | None = None, *, retry_after: int = 1) -> None:
        super().__init__(message)
        self.retry_after = max(1, retry_after)


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


class AliasExists(IdmintError):
    """Another user already signs in with this email/phone/preferred_username.

    Where the alias is the username itself (UsernameAttributes), use cases report it as
    ``UsernameExists`` with this message, as Cognito does.
    """

    default_message = "An account with the given email already exists."


class InvalidSession(NotAuthorized):
    """A challenge ``Session`` that is unknown, used, expired, or for another user/client."""

    default_message = "Invalid session for the user."


class CodeMismatch(IdmintError):
    default_message = "Invalid verification code provided, please try again."


class ExpiredCode(IdmintError):
    default_message = "Invalid code provided, please request a code again."


class CodeDeliveryFailure(IdmintError):
    """The message carrying a code or invitation could not be sent; the user may ask again."""

    default_message = "Unable to deliver the message. Please try again later."


class GroupExists(IdmintError):
    default_message = "A group with the name already exists."


class UnsupportedUserState(IdmintError):
    """The user is in the wrong state for the request (e.g. RESEND for a confirmed user)."""

    default_message = "The user is in a state that does not allow this request."


class Unauthenticated(IdmintError):
    """No valid web session: missing, expired, ended or forged cookies."""

    default_message = "You are not signed in."


class CsrfFailed(IdmintError):
    """A cookie-authenticated request that changes state came without the session's CSRF
    token (OWASP CSRF prevention: synchronizer token in a custom header)."""

    default_message = "Missing or invalid X-CSRF-Token header."


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


class InvalidClient(NotAuthorized):
    """Application credentials that are missing, unknown, wrong or disabled (RFC 6749 §5.2
    ``invalid_client``)."""

    default_message = "Invalid application credentials."


class GrantNotAllowed(IdmintError):
    """The client may not use this grant (RFC 6749 §5.2 ``unauthorized_client``)."""

    default_message = "This grant type is not enabled for this application."


class AuthorizationError(IdmintError):
    """An OAuth 2.0 or OpenID Connect request refused with the error code its RFC names
    (``error``: RFC 6749 §4.1.2.1, §5.2; RFC 6750 §3.1; OIDC Core §3.1.2.6). The codes are
    the protocol's own vocabulary, so the core names them; the front-end picks the status.

    ``redirect`` says whether the answer may go to the client's redirect URI: never when the
    client or the redirect URI itself could not be verified (RFC 6749 §4.1.2.1), where the
    user sees an error page instead."""

    default_message = "The request was refused."

    def __init__(
        self, message: str | None = None, *, error: str = "invalid_request", redirect: bool = True
    ) -> None:
        super().__init__(message)
        self.error = error
        self.redirect = redirect
        self.location: str | None = None
        """Where to send the browser with the error, once the redirect URI is verified."""


ALL_ERRORS: tuple[type[IdmintError], ...] = tuple(
    cls
    for cls in list(globals().values())
    if isinstance(cls, type) and issubclass(cls, IdmintError)
)
