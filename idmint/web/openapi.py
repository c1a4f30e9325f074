"""The server's OpenAPI 3.1 document, served at ``GET /api/v1/openapi.json`` and
``GET /mint/api/v1/openapi.json``, so clients can be generated and the APIs fuzzed (e.g.
schemathesis). It describes two front-ends: the web-session API (seed 001,
``idmint.web.session``) and the mint API (seed 002, ``idmint.web.mint``). Tests check that it
names every route those two serve, and fuzz each against it."""

from __future__ import annotations

from typing import Any


def _error(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def _ok(schema: str, description: str = "OK") -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
    }


def _body(schema: str) -> dict[str, Any]:
    return {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
    }


_AUTH_HEADER = {
    "name": "X-Endless-Auth",
    "in": "header",
    "required": True,
    "description": "The auth system version; v2 is mandatory.",
    "schema": {"type": "string", "enum": ["v2"]},
}
_CSRF_HEADER = {
    "name": "X-CSRF-Token",
    "in": "header",
    "required": True,
    "description": "The session's CSRF token (from login, signup, refresh or session).",
    "schema": {"type": "string"},
}
_NULLABLE_STRING = {"type": ["string", "null"]}

_SESSION_PATHS: dict[str, Any] = {
    "/api/v1/auth/cognito/login": {
        "post": {
            "summary": "Trade an ID token for session cookies (the account must exist).",
            "parameters": [_AUTH_HEADER],
            "requestBody": _body("LoginRequest"),
            "responses": {
                "200": _ok("LoginResponse", "Signed in; Set-Cookie: access, session."),
                "400": _error("Missing header, malformed JSON or fields."),
                "401": _error("Invalid, expired, wrongly signed or untrusted ID token."),
                "404": _error("No account is linked to the token's identity."),
                "413": _error("Body too large."),
            },
        }
    },
    "/api/v1/auth/cognito/signup": {
        "post": {
            "summary": "Create the account for an ID token's identity, then sign in.",
            "parameters": [_AUTH_HEADER],
            "requestBody": _body("SignupRequest"),
            "responses": {
                "200": _ok("LoginResponse", "Created and signed in (newAccount true)."),
                "400": _error("Missing header, malformed JSON, invalid username."),
                "401": _error("Invalid ID token."),
                "409": _error("Username taken, or the identity has an account."),
                "413": _error("Body too large."),
            },
        }
    },
    "/api/v1/auth/session": {
        "get": {
            "summary": "The signed-in user (access cookie).",
            "responses": {
                "200": _ok("SessionResponse"),
                "401": _error("No valid session."),
            },
        }
    },
    "/api/v1/auth/refresh": {
        "post": {
            "summary": "A new access cookie from the session cookie.",
            "parameters": [_CSRF_HEADER],
            "responses": {
                "200": _ok("SessionResponse", "Set-Cookie: access."),
                "401": _error("No live session."),
                "403": _error("Missing or wrong CSRF token."),
            },
        }
    },
    "/api/v1/auth/logout": {
        "post": {
            "summary": "End the session and clear both cookies.",
            "parameters": [_CSRF_HEADER],
            "responses": {
                "204": {"description": "Signed out."},
                "401": _error("No session."),
                "403": _error("Missing or wrong CSRF token."),
            },
        }
    },
    "/api/v1/users/me": {
        "patch": {
            "summary": "Change the signed-in user's username, profile, emblem or avatar.",
            "parameters": [_CSRF_HEADER],
            "requestBody": _body("UserUpdate"),
            "responses": {
                "200": _ok("UserInfo"),
                "400": _error("Malformed JSON or an invalid field."),
                "401": _error("No valid session."),
                "403": _error("Missing or wrong CSRF token."),
                "409": _error("Username taken."),
                "413": _error("Body too large."),
            },
        }
    },
    "/api/v1/openapi.json": {
        "get": {
            "summary": "This document.",
            "responses": {"200": {"description": "The OpenAPI document."}},
        }
    },
    "/api/v1/users/{user_id}": {
        "get": {
            "summary": "A user's public UserInfo.",
            "parameters": [
                {
                    "name": "user_id",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "string"},
                }
            ],
            "responses": {"200": _ok("UserInfo"), "404": _error("No such user.")},
        }
    },
}

_SESSION_SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "required": ["error", "message"],
        "properties": {"error": {"type": "string"}, "message": {"type": "string"}},
    },
    "UserInfo": {
        "type": "object",
        "required": ["id", "username", "avatar", "emblem"],
        "properties": {
            "id": {"type": "string", "format": "uuid"},
            "username": {"type": "string"},
            "avatar": _NULLABLE_STRING,
            "emblem": _NULLABLE_STRING,
            "profile": _NULLABLE_STRING,
        },
    },
    "LoginRequest": {
        "type": "object",
        "required": ["idToken"],
        "properties": {"idToken": {"type": "string", "minLength": 1}},
    },
    "SignupRequest": {
        "type": "object",
        "required": ["idToken", "username"],
        "properties": {
            "idToken": {"type": "string", "minLength": 1},
            "username": {
                "type": "string",
                "pattern": "^[A-Za-z0-9][A-Za-z0-9_.+-]{2,31}$",
            },
            "profile": {"type": ["string", "null"], "maxLength": 1000},
        },
    },
    "LoginResponse": {
        "type": "object",
        "required": ["newAccount", "userInfo", "isAdmin", "csrf", "expires"],
        "properties": {
            "newAccount": {"type": "boolean"},
            "userInfo": {"$ref": "#/components/schemas/UserInfo"},
            "isAdmin": {"type": "boolean"},
            "csrf": {"type": "string"},
            "expires": {"type": "integer", "description": "Access expiry, Unix time."},
        },
    },
    "SessionResponse": {
        "type": "object",
        "required": ["userInfo", "isAdmin", "expires"],
        "properties": {
            "userInfo": {"$ref": "#/components/schemas/UserInfo"},
            "isAdmin": {"type": "boolean"},
            "csrf": {"type": "string"},
            "expires": {"type": "integer"},
        },
    },
    "UserUpdate": {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "username": {
                "type": "string",
                "pattern": "^[A-Za-z0-9][A-Za-z0-9_.+-]{2,31}$",
            },
            "profile": {"type": ["string", "null"], "maxLength": 1000},
            "emblem": {"type": ["string", "null"], "format": "uuid"},
            "avatar": {"type": ["string", "null"], "maxLength": 512},
        },
    },
}


# The mint API (seed 002: idmint.web.mint) ---------------------------------------------------

_MINT = "/mint/api/v1/auth"
_JSON = "application/json"
_FORM = "application/x-www-form-urlencoded"
_MINT_ERROR_CODES = [
    # RFC 6749 §5.2
    "invalid_request",
    "invalid_client",
    "invalid_grant",
    "unauthorized_client",
    "unsupported_grant_type",
    # RFC 6750 §3.1 and RFC 7009 §2.2.1
    "invalid_token",
    "unsupported_token_type",
    # RFC 6749 §4.1.2.1 and RFC 8628 §3.5, for what seed 002 leaves out
    "access_denied",
    "server_error",
    "temporarily_unavailable",
    "slow_down",
    # routing: no such path under /mint/
    "not_found",
]
_NO_STORE_HEADERS: dict[str, Any] = {
    "Cache-Control": {
        "description": "RFC 6749 §5.1: responses of the mint API are never cached.",
        "required": True,
        "schema": {"type": "string", "enum": ["no-store"]},
    },
    "Pragma": {
        "description": "RFC 6749 §5.1, for HTTP/1.0 caches.",
        "required": True,
        "schema": {"type": "string", "enum": ["no-cache"]},
    },
}
_CHALLENGE_HEADER: dict[str, Any] = {
    "description": (
        "RFC 6750 §3 / RFC 7235: the scheme that would have worked, e.g. "
        '`Application realm="mint", error="invalid_client"` or '
        '`UserToken realm="mint", error="invalid_token"`.'
    ),
    "required": True,
    "schema": {"type": "string", "minLength": 1},
}
_RETRY_AFTER_HEADER: dict[str, Any] = {
    "description": "RFC 9110 §10.2.3: whole seconds until the next attempt may be checked.",
    "required": True,
    "schema": {"type": "string", "pattern": "^[1-9][0-9]*$"},
}


def _mint_answer(schema: str, description: str, **headers: dict[str, Any]) -> dict[str, Any]:
    return {
        "description": description,
        "headers": _NO_STORE_HEADERS | headers,
        "content": {_JSON: {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
    }


def _mint_error(description: str) -> dict[str, Any]:
    return _mint_answer("MintError", description)


def _mint_unauthenticated(description: str) -> dict[str, Any]:
    return _mint_answer("MintError", description, **{"WWW-Authenticate": _CHALLENGE_HEADER})


def _mint_body(schema: str, *, required: bool = True) -> dict[str, Any]:
    """Seed 002 posts JSON; RFC 6749 §4.3.2 and §2.3.1 post forms: both are accepted, with the
    same fields (in a form every value is a string, and a field may not be repeated)."""
    return {
        "required": required,
        "content": {
            _JSON: {"schema": {"$ref": f"#/components/schemas/{schema}"}},
            _FORM: {"schema": {"$ref": f"#/components/schemas/{schema}Form"}},
        },
    }


def _text(max_length: int, description: str, *, min_length: int = 1) -> dict[str, Any]:
    return {
        "type": "string",
        "minLength": min_length,
        "maxLength": max_length,
        "description": description,
    }


def _optional_text(description: str, *, form: bool) -> dict[str, Any]:
    """A field the server reads only when present; in JSON ``null`` is the same as absent."""
    kinds: Any = "string" if form else ["string", "null"]
    return {"type": kinds, "maxLength": 2048, "description": description}


def _client_fields(form: bool) -> dict[str, Any]:
    return {
        "client_id": _optional_text(
            "RFC 6749 §2.3.1 (client_secret_post) with client_secret; alone, a public client "
            "(RFC 6749 §2.2). Absent: the Authorization header's application, else the "
            "server's default application.",
            form=form,
        ),
        "client_secret": _optional_text(
            "RFC 6749 §2.3.1: the application secret, in the body instead of the "
            "Authorization header.",
            form=form,
        ),
    }


def _user_fields(form: bool) -> dict[str, Any]:
    return {
        "username": _text(128, "The user's username, typically the email address."),
        "password": _text(256, "The user's password."),
        **_client_fields(form),
    }


def _signup_fields(form: bool) -> dict[str, Any]:
    return {
        "firstname": _text(256, "The user's first name."),
        "lastname": _text(256, "The user's last name."),
        "username": _text(128, "The new username, typically the email address."),
        "password": _text(
            256,
            "More than 5 characters (seed 002), and the user pool's password policy.",
            min_length=6,
        ),
        **_client_fields(form),
    }


def _request_schemas(form: bool) -> dict[str, Any]:
    suffix = "Form" if form else ""
    password_grant = {
        "type": "object",
        "required": ["grant_type", "username", "password"],
        "properties": {"grant_type": {"const": "password"}, **_user_fields(form)},
        "examples": [
            {
                "grant_type": "password",
                "username": "kc@goact.com.au",
                "password": "Corr3ct-horse!",
            }
        ],
    }
    signup_grant = {
        "type": "object",
        "required": ["grant_type", "firstname", "lastname", "username", "password"],
        "properties": {"grant_type": {"const": "signup"}, **_signup_fields(form)},
    }
    register_grant: dict[str, Any] = {"const": "signup"}
    if not form:
        register_grant = {"enum": ["signup", None]}
    all_sessions: dict[str, Any] = {
        "type": "string",
        "pattern": "^([Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee])$",
    }
    if not form:
        all_sessions = {"anyOf": [{"type": "boolean"}, all_sessions]}
    all_sessions["description"] = (
        "End every sign-in of the token's user (mint tokens and Cognito refresh tokens)."
    )
    schemas: dict[str, Any] = {
        f"MintPasswordGrant{suffix}": password_grant,
        f"MintSignupGrant{suffix}": signup_grant,
        f"MintAuthorize{suffix}": {
            "oneOf": [
                {"$ref": f"#/components/schemas/MintPasswordGrant{suffix}"},
                {"$ref": f"#/components/schemas/MintSignupGrant{suffix}"},
            ]
        },
        f"MintRegister{suffix}": {
            "type": "object",
            "required": ["firstname", "lastname", "username", "password"],
            "properties": {"grant_type": register_grant, **_signup_fields(form)},
            "examples": [
                {
                    "grant_type": "signup",
                    "firstname": "Kate",
                    "lastname": "Smith",
                    "username": "kc@goact.com.au",
                    "password": "Corr3ct-horse!",
                }
            ],
        },
        f"MintRevoke{suffix}": {
            "type": "object",
            "properties": {
                "token": _optional_text(
                    "RFC 7009 §2.1: the user token to end; default: the caller's UserToken.",
                    form=form,
                ),
                "token_type_hint": _optional_text(
                    "RFC 7009 §2.1; accepted and not needed.", form=form
                ),
                "all": all_sessions,
                **_client_fields(form),
            },
        },
    }
    if form:
        # Other parameters are ignored, but like every form parameter each is one string: a
        # repeated parameter is refused (RFC 6749 §3.2).
        for body in schemas.values():
            if body.get("type") == "object":
                body["additionalProperties"] = {"type": "string"}
    return schemas


_EXPIRES_IN = {
    "type": "integer",
    "minimum": 1,
    "description": (
        "Optional: in how many seconds the token expires. If missing, the token is not set to "
        "expire."
    ),
}
_USER_ID = {"type": "integer", "minimum": 1, "description": "Id of the associated user."}

_MINT_SCHEMAS: dict[str, Any] = {
    "MintError": {
        "type": "object",
        "description": (
            "Seed 002's error: `response` is the message (the seed's own where it documents "
            "one), `error` the RFC 6749 §5.2 / RFC 6750 §3.1 code, `error_description` the "
            "same message for standard OAuth2 clients."
        ),
        "required": ["response", "error", "error_description"],
        "additionalProperties": False,
        "properties": {
            "response": {"type": "string", "minLength": 1},
            "error": {"type": "string", "enum": _MINT_ERROR_CODES},
            "error_description": {"type": "string", "minLength": 1},
        },
    },
    "MintToken": {
        "type": "object",
        "description": "Seed 002's token response (RFC 6749 §5.1 with token_type user).",
        "required": ["user", "access_token", "token_type"],
        "additionalProperties": False,
        "properties": {
            "user": _USER_ID,
            "access_token": {
                "type": "string",
                "minLength": 1,
                "description": "Send it as `Authorization: UserToken <access_token>`.",
            },
            "token_type": {"const": "user"},
            "expires_in": _EXPIRES_IN,
        },
        "examples": [
            {
                "user": 1231,
                "access_token": "2YotnFZFEjr1zCsicMWpAA",
                "token_type": "user",
                "expires_in": 3600,
            }
        ],
    },
    "MintTokenInfo": {
        "type": "object",
        "required": ["user", "token_type"],
        "additionalProperties": False,
        "properties": {
            "user": _USER_ID,
            "token_type": {"const": "user"},
            "expires_in": _EXPIRES_IN | {"description": "Seconds left; missing: never expires."},
        },
    },
    "MintRevoked": {"type": "object", "maxProperties": 0},
    **_request_schemas(form=False),
    **_request_schemas(form=True),
}

_MINT_SECURITY_SCHEMES: dict[str, Any] = {
    "Application": {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": (
            "Seed 002's application token: `Authorization: Application "
            "<application id>:<application secret>`."
        ),
    },
    "ClientBasic": {
        "type": "http",
        "scheme": "basic",
        "description": (
            "RFC 6749 §2.3.1 client_secret_basic: the application id and secret as HTTP Basic "
            "credentials (`Authorization: Basic base64(<id>:<secret>)`)."
        ),
    },
    "UserToken": {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": "Seed 002's user token: `Authorization: UserToken <user token>`.",
    },
    "Bearer": {
        "type": "http",
        "scheme": "bearer",
        "description": "RFC 6750 §2.1: the same user token as `Authorization: Bearer <token>`.",
    },
}
_APPLICATION: list[dict[str, list[str]]] = [{"Application": []}, {"ClientBasic": []}]
_USER: list[dict[str, list[str]]] = [{"UserToken": []}, {"Bearer": []}]

_MINT_PATHS: dict[str, Any] = {
    f"{_MINT}/authorize": {
        "post": {
            "tags": ["mint"],
            "summary": "Exchange a username and password for a user token (or sign up).",
            "description": (
                "Seed 002's mobile flow, the OAuth2 resource owner password credentials grant "
                "(RFC 6749 §4.3). `grant_type=password` needs no application credentials: the "
                "application is taken from the Authorization header (Application or Basic), "
                "`client_id` and `client_secret` in the body, `client_id` alone (a public "
                "client), else the server's default application. `grant_type=signup` registers "
                "a user as `register` does and needs application credentials.\n\n"
                "Deprecated by RFC 9700 (OAuth 2.0 Security Best Current Practice, §2.4: the "
                "password grant MUST NOT be used): it exists for clients written for seed 002. "
                "New clients should use the authorization code flow with PKCE (`/oauth2/*`)."
            ),
            "security": [{}, *_APPLICATION],
            "requestBody": _mint_body("MintAuthorize"),
            "responses": {
                "200": _mint_answer("MintToken", "The user token."),
                "400": _mint_error(
                    "Unknown user (seed 002: `The requested resource was not found on "
                    "server`); a malformed, oversized or repeated-parameter body; a missing or "
                    "non-string field; an unsupported grant_type; the password grant not "
                    "enabled for the application (unauthorized_client); a refused password."
                ),
                "401": _mint_unauthenticated(
                    "Wrong, unknown or disabled application credentials, a malformed "
                    "Authorization header, or none where signup needs them."
                ),
                "403": _mint_error(
                    "Signup: `The username has already existed`. Password: the user is "
                    "disabled, unconfirmed, or must reset or change their password."
                ),
                "404": _mint_error("Wrong password: `The password does not match, suggest reset?`"),
                "429": _mint_answer(
                    "MintError",
                    "Too many failed passwords: the user is locked out for a while.",
                    **{"Retry-After": _RETRY_AFTER_HEADER},
                ),
            },
        }
    },
    f"{_MINT}/register": {
        "post": {
            "tags": ["mint"],
            "summary": "Register a user of the application's pool and sign them in.",
            "description": (
                "Seed 002's registration (`grant_type` signup, or none). Needs application "
                "credentials: the Application or Basic Authorization header, or `client_id` and "
                "`client_secret` in the body."
            ),
            "security": _APPLICATION,
            "requestBody": _mint_body("MintRegister"),
            "responses": {
                "200": _mint_answer("MintToken", "Registered (confirmed) and signed in."),
                "400": _mint_error(
                    "A malformed, oversized or repeated-parameter body; a missing or invalid "
                    "field; a password of 5 characters or fewer or against the pool's policy."
                ),
                "401": _mint_unauthenticated(
                    "Missing, wrong or disabled application credentials, or a malformed "
                    "Authorization header."
                ),
                "403": _mint_error(
                    "`The username has already existed`, or the pool allows no sign-up."
                ),
            },
        }
    },
    f"{_MINT}/token_info": {
        "get": {
            "tags": ["mint"],
            "summary": "The user and remaining lifetime of the user token sent.",
            "security": _USER,
            "responses": {
                "200": _mint_answer("MintTokenInfo", "The token's user and lifetime."),
                "401": _mint_unauthenticated(
                    "No user token, a malformed Authorization header, or a token never issued."
                ),
                "403": _mint_error(
                    "The token has expired or been cancelled (revoked, signed out, its user "
                    "disabled or deleted, its application disabled): sign in again."
                ),
            },
        }
    },
    f"{_MINT}/revoke": {
        "post": {
            "tags": ["mint"],
            "summary": "End a user token, or every sign-in of its user (RFC 7009).",
            "description": (
                "Authenticated by the user token (it may end itself and, while valid, its "
                "user's other tokens) or by the application (it may end only its own tokens). "
                "An unknown token, or one the caller may not end, gets the same 200 (RFC 7009 "
                "§2.2)."
            ),
            "security": [*_USER, *_APPLICATION],
            "requestBody": _mint_body("MintRevoke", required=False),
            "responses": {
                "200": _mint_answer("MintRevoked", "Done, or nothing to do."),
                "400": _mint_error(
                    "A malformed body, `all` not true or false, or no `token` from an application."
                ),
                "401": _mint_unauthenticated(
                    "No credentials, wrong application credentials, a malformed Authorization "
                    "header, or a user token never issued."
                ),
                "403": _mint_error("all=true with an expired or cancelled user token."),
            },
        }
    },
    "/mint/api/v1/openapi.json": {
        "get": {
            "tags": ["mint"],
            "summary": "This document.",
            "responses": {"200": {"description": "The OpenAPI document."}},
        }
    },
}

# The managed-users API (seed 000: idmint.web.partner) -----------------------------------------

_PARTNER_SECURITY: list[dict[str, list[str]]] = [{"PartnerIdToken": []}]
_USER_ID_PARAM = {
    "name": "userId",
    "in": "path",
    "required": True,
    "description": "A managed user's id (a UUID); another partner's is 404.",
    "schema": {"type": "string"},
}


def _partner_errors(*extra: tuple[str, str]) -> dict[str, Any]:
    errors = {
        "400": _error("Malformed request (`invalid_request`)."),
        "401": _error(
            "Missing, invalid, expired or revoked IdToken, an access token, a non-partner's "
            "token, or a disabled partner (`invalid_token`)."
        ),
    }
    return errors | {status: _error(text) for status, text in extra}


_PARTNER_PATHS: dict[str, Any] = {
    "/api/v1/managed-users": {
        "post": {
            "tags": ["managed users"],
            "summary": "Create an anonymous managed user.",
            "security": _PARTNER_SECURITY,
            "requestBody": {
                "required": False,
                "content": {_JSON: {"schema": {"$ref": "#/components/schemas/ManagedUserCreate"}}},
            },
            "responses": {
                "201": _ok("ManagedUser", "Created."),
                **_partner_errors(
                    ("403", "The partner's quota is reached (`quota_exceeded`)."),
                    ("409", "The externalId is taken (`external_id_taken`)."),
                    ("413", "The body is too large (`body_too_large`)."),
                ),
            },
        },
        "get": {
            "tags": ["managed users"],
            "summary": "List the partner's managed users, oldest id first.",
            "security": _PARTNER_SECURITY,
            "parameters": [
                {
                    "name": "limit",
                    "in": "query",
                    "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 50},
                },
                {"name": "cursor", "in": "query", "schema": {"type": "string"}},
                {"name": "externalId", "in": "query", "schema": {"type": "string"}},
            ],
            "responses": {"200": _ok("ManagedUserPage"), **_partner_errors()},
        },
    },
    "/api/v1/managed-users/{userId}": {
        "get": {
            "tags": ["managed users"],
            "summary": "One of the partner's managed users.",
            "security": _PARTNER_SECURITY,
            "parameters": [_USER_ID_PARAM],
            "responses": {
                "200": _ok("ManagedUser"),
                **_partner_errors(("404", "No such managed user of this partner (`not_found`).")),
            },
        },
        "delete": {
            "tags": ["managed users"],
            "summary": "Delete a managed user; its tokens stop working.",
            "security": _PARTNER_SECURITY,
            "parameters": [_USER_ID_PARAM],
            "responses": {
                "204": {"description": "Deleted."},
                **_partner_errors(("404", "No such managed user of this partner (`not_found`).")),
            },
        },
    },
    "/api/v1/managed-users/{userId}/tokens": {
        "post": {
            "tags": ["managed users"],
            "summary": "Cognito-shaped tokens for the managed user, issued to the partner's "
            "client (refresh with InitiateAuth REFRESH_TOKEN_AUTH).",
            "security": _PARTNER_SECURITY,
            "parameters": [_USER_ID_PARAM],
            "responses": {
                "200": _ok("ManagedUserTokens"),
                **_partner_errors(("404", "No such managed user of this partner (`not_found`).")),
            },
        },
    },
}

_PARTNER_SCHEMAS: dict[str, Any] = {
    "ManagedUserCreate": {
        "type": "object",
        "description": "Only externalId: any other field is 400 `personal_data_not_allowed`.",
        "additionalProperties": False,
        "properties": {
            "externalId": {"type": ["string", "null"], "minLength": 1, "maxLength": 128},
        },
    },
    "ManagedUser": {
        "type": "object",
        "required": ["userId", "externalId", "createdAt"],
        "properties": {
            "userId": {"type": "string", "format": "uuid"},
            "externalId": {"type": ["string", "null"]},
            "createdAt": {"type": "string", "format": "date-time"},
        },
    },
    "ManagedUserPage": {
        "type": "object",
        "required": ["users", "nextCursor"],
        "properties": {
            "users": {"type": "array", "items": {"$ref": "#/components/schemas/ManagedUser"}},
            "nextCursor": {"type": ["string", "null"]},
        },
    },
    "ManagedUserTokens": {
        "type": "object",
        "required": ["AuthenticationResult"],
        "properties": {
            "AuthenticationResult": {
                "type": "object",
                "required": ["IdToken", "AccessToken", "RefreshToken", "ExpiresIn", "TokenType"],
                "properties": {
                    "IdToken": {"type": "string"},
                    "AccessToken": {"type": "string"},
                    "RefreshToken": {"type": "string"},
                    "ExpiresIn": {"type": "integer"},
                    "TokenType": {"type": "string", "enum": ["Bearer"]},
                },
            }
        },
    },
}

_PARTNER_SECURITY_SCHEMES: dict[str, Any] = {
    "PartnerIdToken": {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": "The Partner API Account's IdToken from InitiateAuth USER_PASSWORD_AUTH, "
        "bare (as seed 000 sends it) or as `Bearer <IdToken>`.",
    },
}

# The document ---------------------------------------------------------------------------------

OPENAPI: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "idmint",
        "version": "1",
        "description": (
            "Three of idmint's HTTP front-ends.\n\n"
            "Web sessions (`/api/v1/*`, seed 001): trade a Cognito ID token for session "
            "cookies plus a CSRF token, and the session surface around it. Cookies: access "
            "(self-contained, short-lived) and session (opaque, server-side); both HttpOnly, "
            "Secure, SameSite=Lax, Path=/.\n\n"
            "Mint (`/mint/api/v1/auth/*`, seed 002): the OAuth2 password grant (RFC 6749 "
            "§4.3) with application tokens (`Authorization: Application <id>:<secret>`) and "
            "user tokens (`Authorization: UserToken <token>`), token information and "
            "revocation (RFC 7009). Bodies are JSON or application/x-www-form-urlencoded; "
            'errors are `{"response": message, "error": code, "error_description": message}`. '
            "RFC 9700 deprecates the "
            "password grant (§2.4: MUST NOT be used); it is served for clients written for "
            "seed 002.\n\n"
            "Managed users (`/api/v1/managed-users`, seed 000): a partner, authenticated by "
            "its Partner API Account's IdToken, creates anonymous users (no personal data; "
            "only an opaque externalId) and gets Cognito tokens for them. Errors are "
            '`{"error": code, "message": text}`.'
        ),
    },
    "tags": [
        {"name": "mint", "description": "Seed 002: application and user tokens."},
        {"name": "managed users", "description": "Seed 000: a partner's anonymous users."},
    ],
    "paths": _SESSION_PATHS | _MINT_PATHS | _PARTNER_PATHS,
    "components": {
        "schemas": _SESSION_SCHEMAS | _MINT_SCHEMAS | _PARTNER_SCHEMAS,
        "securitySchemes": _MINT_SECURITY_SCHEMES | _PARTNER_SECURITY_SCHEMES,
    },
}

SESSION_OPENAPI = OPENAPI
"""The name ``idmint.web.session`` and its tests import: the same, whole document."""
