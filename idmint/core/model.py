"""Domain objects of idmint: user pools, app clients, users, refresh sessions, keys.

Plain frozen dataclasses: no I/O, no wire names. Every timestamp is epoch seconds (float) from the
clock injected at ``create_app``.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

JSONValue = object


class UserStatus(enum.StrEnum):
    """Account states (Cognito ``UserStatusType``)."""

    UNCONFIRMED = "UNCONFIRMED"
    CONFIRMED = "CONFIRMED"
    FORCE_CHANGE_PASSWORD = "FORCE_CHANGE_PASSWORD"
    RESET_REQUIRED = "RESET_REQUIRED"


class AuthFlow(enum.StrEnum):
    """Sign-in flows a client may be allowed (Cognito ``ExplicitAuthFlowsType``, ALLOW_ form)."""

    USER_PASSWORD = "ALLOW_USER_PASSWORD_AUTH"
    ADMIN_USER_PASSWORD = "ALLOW_ADMIN_USER_PASSWORD_AUTH"
    USER_SRP = "ALLOW_USER_SRP_AUTH"
    CUSTOM = "ALLOW_CUSTOM_AUTH"
    REFRESH_TOKEN = "ALLOW_REFRESH_TOKEN_AUTH"
    USER_AUTH = "ALLOW_USER_AUTH"


# Flows a client gets when it names none (Cognito CreateUserPoolClient, ExplicitAuthFlows).
DEFAULT_AUTH_FLOWS = frozenset({AuthFlow.USER_SRP, AuthFlow.CUSTOM, AuthFlow.REFRESH_TOKEN})


@dataclass(frozen=True, slots=True)
class PasswordPolicy:
    """Cognito ``PasswordPolicyType``; the defaults are Cognito's when a pool names no policy."""

    minimum_length: int = 8
    require_uppercase: bool = True
    require_lowercase: bool = True
    require_numbers: bool = True
    require_symbols: bool = True
    temporary_password_validity_days: int = 7


@dataclass(frozen=True, slots=True)
class AttributeSchema:
    """One attribute of a pool's schema (Cognito ``SchemaAttributeType``)."""

    name: str
    data_type: str = "String"
    mutable: bool = True
    required: bool = False
    developer_only: bool = False
    min_length: int | None = None
    max_length: int | None = None
    min_value: int | None = None
    max_value: int | None = None


@dataclass(frozen=True, slots=True)
class MessageTemplate:
    """An email subject and body and a text message; ``{####}`` stands for the code or
    temporary password, ``{username}`` for the username (Cognito ``MessageTemplateType``)."""

    email_subject: str
    email_message: str
    sms_message: str


# Cognito's wording when a pool sets no template of its own.
VERIFICATION_TEMPLATE = MessageTemplate(
    email_subject="Your verification code",
    email_message="Your verification code is {####}. ",
    sms_message="Your verification code is {####}. ",
)
INVITATION_TEMPLATE = MessageTemplate(
    email_subject="Your temporary password",
    email_message="Your username is {username} and temporary password is {####}. ",
    sms_message="Your username is {username} and temporary password is {####}. ",
)
# AccountRecoverySetting when a pool names none: Cognito's legacy order, phone first.
DEFAULT_RECOVERY = ("verified_phone_number", "verified_email")


@dataclass(frozen=True, slots=True, kw_only=True)
class PoolSettings:
    """Everything an administrator sets on a user pool (CreateUserPool's inputs)."""

    name: str
    password_policy: PasswordPolicy = field(default_factory=PasswordPolicy)
    username_attributes: tuple[str, ...] = ()
    alias_attributes: tuple[str, ...] = ()
    auto_verified_attributes: tuple[str, ...] = ()
    case_sensitive: bool = False
    schema: tuple[AttributeSchema, ...] = ()
    deletion_protection: bool = False
    verification_message: MessageTemplate = VERIFICATION_TEMPLATE
    """Codes for sign-up, password reset and attribute verification."""
    invitation_message: MessageTemplate = INVITATION_TEMPLATE
    """AdminCreateUser's invitation with the temporary password."""
    allow_admin_create_user_only: bool = False
    recovery_mechanisms: tuple[str, ...] = DEFAULT_RECOVERY
    """Where ForgotPassword sends its code, in priority order (``verified_email``,
    ``verified_phone_number``; ``admin_only`` disables self-service recovery)."""
    # Settings a front-end accepts and echoes back but that no use case acts on yet
    # (message templates, tags, ...). Opaque to the core.
    extra: Mapping[str, JSONValue] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class UserPool(PoolSettings):
    id: str
    created_at: float
    updated_at: float

    @property
    def sign_in_aliases(self) -> tuple[str, ...]:
        """Attributes a user may type instead of the username (email, phone_number, ...)."""
        return self.username_attributes or self.alias_attributes

    def attribute(self, name: str) -> AttributeSchema | None:
        """This pool's own schema entry for ``name`` (custom or overridden standard)."""
        for attr in self.schema:
            if attr.name == name:
                return attr
        return None


@dataclass(frozen=True, slots=True)
class Validity:
    """A token lifetime as configured: an amount and a unit (seconds/minutes/hours/days)."""

    amount: int
    unit: str

    _SECONDS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}

    @property
    def seconds(self) -> int:
        return self.amount * self._SECONDS[self.unit]


# Cognito's OAuth 2.0 grants (CreateUserPoolClient, AllowedOAuthFlows: ``OAuthFlowType``).
OAUTH_FLOWS = frozenset({"code", "implicit", "client_credentials"})
# The scopes Cognito itself defines (CreateUserPoolClient, AllowedOAuthScopes). Scopes of
# resource servers (``<identifier>/<name>``) are not supported by idmint.
OAUTH_SCOPES = frozenset({"phone", "email", "openid", "profile", "aws.cognito.signin.user.admin"})
# The only identity provider a client may name: the user pool's own directory.
COGNITO_PROVIDER = "COGNITO"


@dataclass(frozen=True, slots=True, kw_only=True)
class OAuthSettings:
    """An app client's OAuth 2.0 authorization-server settings, the members of Cognito's
    CreateUserPoolClient / UpdateUserPoolClient request and of ``UserPoolClientType`` named in
    each field's docstring (Amazon Cognito API reference). The defaults are Cognito's when a
    request names none: no URLs, flows, scopes or providers, and OAuth not allowed."""

    callback_urls: tuple[str, ...] = ()
    """``CallbackURLs``: the redirect URIs ``/oauth2/authorize`` may send a browser back to,
    matched exactly. Absolute, without a fragment, https except ``http://localhost``; app
    schemes such as ``myapp://callback`` are allowed. At most 100, each 1 to 1024 chars."""
    logout_urls: tuple[str, ...] = ()
    """``LogoutURLs``: where ``/logout`` may send a browser back to; the same rules."""
    default_redirect_uri: str | None = None
    """``DefaultRedirectURI``: one of ``callback_urls``."""
    flows: frozenset[str] = frozenset()
    """``AllowedOAuthFlows``: a subset of ``OAUTH_FLOWS``; ``client_credentials`` alone."""
    scopes: frozenset[str] = frozenset()
    """``AllowedOAuthScopes``: a subset of ``OAUTH_SCOPES``."""
    allowed: bool = False
    """``AllowedOAuthFlowsUserPoolClient``: whether the client may use the OAuth 2.0
    endpoints at all; when false only the API sign-in flows (``ExplicitAuthFlows``) work."""
    identity_providers: tuple[str, ...] = ()
    """``SupportedIdentityProviders``: only ``COGNITO`` (the pool's own users) exists here."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ClientSettings:
    """Everything an administrator sets on an app client (CreateUserPoolClient's inputs)."""

    name: str
    explicit_auth_flows: frozenset[AuthFlow] | None = None
    access_token_validity: Validity = Validity(60, "minutes")
    id_token_validity: Validity = Validity(60, "minutes")
    refresh_token_validity: Validity = Validity(30, "days")
    prevent_user_existence_errors: bool = True
    enable_token_revocation: bool = True
    read_attributes: tuple[str, ...] | None = None
    write_attributes: tuple[str, ...] | None = None
    auth_session_validity: int = 3
    """Minutes a sign-in challenge's Session stays valid (Cognito: 3 to 15, default 3)."""
    oauth: OAuthSettings = OAuthSettings()
    """The OAuth 2.0 settings (CallbackURLs, AllowedOAuthFlows, ...), see ``OAuthSettings``."""
    extra: Mapping[str, JSONValue] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class AppClient(ClientSettings):
    id: str
    pool_id: str
    created_at: float
    updated_at: float
    secret: str | None = None

    def allows(self, flow: AuthFlow) -> bool:
        return flow in (self.explicit_auth_flows or DEFAULT_AUTH_FLOWS)


def settings_of(
    obj: PoolSettings | ClientSettings, cls: type[PoolSettings] | type[ClientSettings]
) -> dict[str, Any]:
    """The fields of ``cls`` (a settings class) taken from ``obj``: to build a pool or client
    from its settings without listing them again."""
    return {f.name: getattr(obj, f.name) for f in fields(cls)}


@dataclass(frozen=True, slots=True)
class User:
    pool_id: str
    sub: str
    username: str
    status: UserStatus
    enabled: bool
    attributes: Mapping[str, str]
    created_at: float
    updated_at: float
    password_hash: str | None = None
    password_set_at: float | None = None
    """When the current password was set: a temporary password expires relative to it."""
    srp_salt: str | None = None
    """Hex salt of the SRP verifier (``idmint.core.srp``), set with every password."""
    srp_verifier: bytes | None = None
    """``v = g^x mod N`` for SRP sign-in, big-endian; never the password itself."""
    partner_id: str | None = None
    """Set for a partner's anonymous managed user (seed 000): the partner that owns it."""
    external_id: str | None = None
    """A managed user's opaque id chosen by its partner (unique per partner)."""


@dataclass(frozen=True, slots=True)
class RefreshSession:
    """One sign-in: its refresh token (stored hashed) and the ``origin_jti`` of its tokens."""

    id: str  # the origin_jti shared by every token of this sign-in
    pool_id: str
    client_id: str
    user_sub: str
    token_hash: bytes
    auth_time: float
    created_at: float
    expires_at: float
    revoked_at: float | None = None
    scope: str | None = None
    """The space-separated scopes of a sign-in through ``/oauth2/authorize`` (RFC 6749 §3.3);
    None for the API sign-ins, whose access tokens carry ``aws.cognito.signin.user.admin``."""


@dataclass(frozen=True, slots=True)
class AuthorizationCode:
    """An OAuth 2.0 authorization code (RFC 6749 §4.1.2), stored only as its SHA-256: single
    use, bound to the client, the redirect URI and the PKCE challenge (RFC 7636 §4.4), and
    short-lived (``expires_at``). ``session_id`` is the sign-in its exchange started, so a
    replayed code can revoke it (RFC 6749 §4.1.2, §10.5)."""

    code_hash: bytes
    pool_id: str
    client_id: str
    user_sub: str
    redirect_uri: str
    scope: str
    nonce: str | None
    code_challenge: str | None
    auth_time: float
    created_at: float
    expires_at: float
    used_at: float | None = None
    session_id: str | None = None


@dataclass(frozen=True, slots=True)
class HostedSession:
    """A browser's sign-in to a pool's hosted pages (the hosted-UI session cookie): lets a
    second app sign the user in without the password until ``expires_at``, unless the app
    asks otherwise (``prompt=login``, ``max_age``). Stored only as the hash of its token."""

    id: str
    pool_id: str
    user_sub: str
    token_hash: bytes
    auth_time: float
    created_at: float
    expires_at: float
    revoked_at: float | None = None


@dataclass(frozen=True, slots=True)
class UiCustomization:
    """The look of the hosted pages (Cognito SetUICustomization / ``UICustomizationType``):
    for the whole pool (``client_id`` ``ALL``) or one app client. ``css`` is the sanitised
    CSS of Cognito's ``*-customizable`` classes; ``image`` the logo (PNG or JPEG bytes)."""

    pool_id: str
    client_id: str
    css: str | None
    image: bytes | None
    image_type: str | None
    created_at: float
    updated_at: float


@dataclass(frozen=True, slots=True)
class Partner:
    """A partner (seed 000): another company's app that signs in with its Partner API Account
    (a user of ``pool_id`` signing in through ``client_id``) and creates anonymous managed
    users in the same pool."""

    id: str
    name: str
    pool_id: str
    client_id: str
    user_sub: str
    """The Partner API Account's user."""
    username: str
    enabled: bool
    created_at: float
    updated_at: float
    max_managed_users: int | None = None


@dataclass(frozen=True, slots=True)
class MintApp:
    """An application of the mint API (seed 002): it authenticates with ``Application
    <id>:<secret>`` and signs up and signs in the users of one pool.

    The secret is stored only as its SHA-256 (it is 256 random bits, so a slow hash buys
    nothing). ``token_seconds`` is the lifetime of the user tokens it gets; None issues tokens
    that never expire, which seed 002 allows (``expires_in`` is then omitted).
    """

    id: str
    pool_id: str
    name: str
    secret_hash: bytes
    enabled: bool
    created_at: float
    updated_at: float
    token_seconds: int | None = 3600
    password_grant: bool = True
    """RFC 9700 §2.4 deprecates the password grant; an application can be refused it."""
    is_default: bool = False
    """The application a password grant without application credentials belongs to (seed 002's
    password grant sends no Authorization header)."""


@dataclass(frozen=True, slots=True)
class MintToken:
    """A mint user token (seed 002 ``UserToken``): opaque, stored only as its SHA-256."""

    token_hash: bytes
    app_id: str
    pool_id: str
    user_sub: str
    user_id: int
    """The user's stable integer id (seed 002 ``user``)."""
    created_at: float
    expires_at: float | None
    revoked_at: float | None = None


@dataclass(frozen=True, slots=True)
class Tokens:
    """What a successful sign-in or refresh returns (Cognito ``AuthenticationResultType``)."""

    id_token: str
    access_token: str
    expires_in: int
    refresh_token: str | None = None
    token_type: str = "Bearer"


class CodePurpose(enum.StrEnum):
    """What a one-time code proves; one live code per user and purpose."""

    SIGN_UP = "sign_up"
    RESET_PASSWORD = "reset_password"
    VERIFY_EMAIL = "verify:email"
    VERIFY_PHONE = "verify:phone_number"


@dataclass(frozen=True, slots=True)
class VerificationCode:
    """A one-time code sent to a user: stored as a salted hash, with a count of wrong tries."""

    user_sub: str
    purpose: CodePurpose
    code_hash: bytes
    salt: bytes
    attempts: int
    created_at: float
    expires_at: float
    destination: str | None = None
    """The attribute value the code was sent to (it is the one a correct code verifies)."""


@dataclass(frozen=True, slots=True)
class SignInAttempts:
    """Consecutive failed password sign-ins of one subject of a pool (a user's ``sub``, or a
    derived id for an unknown username), counted before each check (``idmint.core.throttle``)."""

    pool_id: str
    subject: str
    failures: int
    """Attempts counted since the last success, the one in progress included."""
    locked_until: float
    """No further attempt is checked before this time."""
    updated_at: float
    """When the last attempt was counted."""


@dataclass(frozen=True, slots=True)
class AuthChallenge:
    """A pending sign-in challenge (Cognito ``Session``): bound to user, client and challenge,
    stored only as the hash of the session value, answered at most once."""

    id_hash: bytes
    client_id: str
    user_sub: str
    name: str
    created_at: float
    expires_at: float


class Channel(enum.StrEnum):
    EMAIL = "EMAIL"
    SMS = "SMS"


@dataclass(frozen=True, slots=True)
class Message:
    """One email or text message for a user (codes, invitations)."""

    channel: Channel
    to: str
    body: str
    subject: str | None = None
    pool_id: str | None = None


@dataclass(frozen=True, slots=True)
class CodeDelivery:
    """Where a code went, masked (Cognito ``CodeDeliveryDetailsType``)."""

    destination: str
    medium: Channel
    attribute_name: str


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    """A message kept by the development outbox instead of being sent."""

    id: int
    message: Message
    created_at: float


@dataclass(frozen=True, slots=True)
class Group:
    """A user pool group (Cognito ``GroupType``)."""

    pool_id: str
    name: str
    created_at: float
    updated_at: float
    description: str | None = None
    role_arn: str | None = None
    precedence: int | None = None


@dataclass(frozen=True, slots=True)
class UserFilter:
    """ListUsers ``Filter``: ``attribute = "value"`` or, with ``prefix``, ``^=``.

    ``attribute`` is a user attribute name, or one of the pseudo-attributes ``username``,
    ``status`` (``Enabled``/``Disabled``) and ``cognito:user_status``.
    """

    attribute: str
    value: str
    prefix: bool = False


@dataclass(frozen=True, slots=True)
class Challenge:
    """A sign-in that needs one more answer (Cognito ``ChallengeName``, ``Session`` and
    ``ChallengeParameters``)."""

    name: str
    session: str | None
    """None where the challenge carries its own state (SRP's SECRET_BLOCK)."""
    parameters: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class Account:
    """A first-party web account (seed 001 ``UserInfo``), linked to one identity: the ``iss``
    and ``sub`` of the ID tokens it signs in with."""

    id: str
    issuer: str
    subject: str
    username: str
    created_at: float
    updated_at: float
    avatar: str | None = None
    emblem: str | None = None
    profile: str | None = None
    is_admin: bool = False


@dataclass(frozen=True, slots=True)
class WebSession:
    """One login's server-side session: its cookie stored only as a SHA-256, with an idle
    timeout (``last_seen_at``) and an absolute end (``expires_at``)."""

    id: str
    token_hash: bytes
    account_id: str
    created_at: float
    last_seen_at: float
    expires_at: float
    origin_jti: str | None = None
    """The Cognito sign-in behind it, for this server's own pools: GlobalSignOut, RevokeToken,
    disabling or deleting the user end the web session too."""
    revoked_at: float | None = None


@dataclass(frozen=True, slots=True)
class SigningKey:
    kid: str
    private_pem: bytes
    created_at: float
    retired_at: float | None = None


@dataclass(frozen=True, slots=True)
class AdminKey:
    """A credential for the admin API: the SigV4 access key id and its secret."""

    access_key_id: str
    secret_access_key: str
    created_at: float
    enabled: bool = True
