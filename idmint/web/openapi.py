"""The OpenAPI 3.1 document of the web-session API (``GET /api/v1/openapi.json``), so clients
can be generated and the API fuzzed (e.g. schemathesis). A test checks that it names every
route ``idmint.web.session`` serves."""

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

SESSION_OPENAPI: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "idmint web sessions",
        "version": "1",
        "description": (
            "Trade a Cognito ID token for session cookies plus a CSRF token (seed 001), and the "
            "session surface around it. Cookies: access (self-contained, short-lived) and "
            "session (opaque, server-side); both HttpOnly, Secure, SameSite=Lax, Path=/."
        ),
    },
    "paths": {
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
    },
    "components": {
        "schemas": {
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
    },
}
