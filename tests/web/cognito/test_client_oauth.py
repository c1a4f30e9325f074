"""App clients' OAuth 2.0 settings through boto3 (Cognito CreateUserPoolClient,
DescribeUserPoolClient, UpdateUserPoolClient, ListUserPoolClients): CallbackURLs, LogoutURLs,
DefaultRedirectURI, AllowedOAuthFlows, AllowedOAuthScopes, AllowedOAuthFlowsUserPoolClient and
SupportedIdentityProviders are stored, validated as the Cognito API reference documents, and
rendered as ``UserPoolClientType`` does."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from botocore.exceptions import ClientError
from sqlalchemy import select, update

from idmint.store.schema import app_clients
from tests.conftest import LiveServer, Pool, error

OAUTH_KEYS = (
    "CallbackURLs",
    "LogoutURLs",
    "DefaultRedirectURI",
    "AllowedOAuthFlows",
    "AllowedOAuthScopes",
    "SupportedIdentityProviders",
)

WEB_APP: dict[str, Any] = {
    "CallbackURLs": ["https://app.example.com/callback", "http://localhost:3000/cb", "myapp://cb"],
    "LogoutURLs": ["https://app.example.com/signed-out"],
    "DefaultRedirectURI": "https://app.example.com/callback",
    "AllowedOAuthFlows": ["implicit", "code"],
    "AllowedOAuthScopes": ["profile", "openid", "email"],
    "AllowedOAuthFlowsUserPoolClient": True,
    "SupportedIdentityProviders": ["COGNITO"],
}


def oauth_of(client: dict[str, Any]) -> dict[str, Any]:
    return {k: client[k] for k in (*OAUTH_KEYS, "AllowedOAuthFlowsUserPoolClient") if k in client}


def describe(cognito: Any, pool: Pool, client_id: str) -> dict[str, Any]:
    out: dict[str, Any] = cognito.describe_user_pool_client(UserPoolId=pool.id, ClientId=client_id)[
        "UserPoolClient"
    ]
    return out


def client_ids(cognito: Any, pool: Pool) -> list[str]:
    listed = cognito.list_user_pool_clients(UserPoolId=pool.id, MaxResults=60)
    return [c["ClientId"] for c in listed["UserPoolClients"]]


# Round trips ---------------------------------------------------------------------------------


def test_defaults_are_cognitos(cognito: Any, pool: Pool) -> None:
    created = cognito.create_user_pool_client(UserPoolId=pool.id, ClientName="plain")[
        "UserPoolClient"
    ]
    for client in (created, describe(cognito, pool, created["ClientId"])):
        assert client["AllowedOAuthFlowsUserPoolClient"] is False
        assert not set(OAUTH_KEYS) & set(client)


def test_create_describe_list_round_trip(cognito: Any, pool: Pool) -> None:
    created = cognito.create_user_pool_client(UserPoolId=pool.id, ClientName="web", **WEB_APP)[
        "UserPoolClient"
    ]
    expected = {
        **WEB_APP,
        "AllowedOAuthFlows": ["code", "implicit"],
        "AllowedOAuthScopes": ["email", "openid", "profile"],
    }
    assert oauth_of(created) == expected
    assert oauth_of(describe(cognito, pool, created["ClientId"])) == expected
    listed = cognito.list_user_pool_clients(UserPoolId=pool.id, MaxResults=60)["UserPoolClients"]
    # UserPoolClientDescription carries only the id, pool id and name, as in Cognito
    assert {"ClientId": created["ClientId"], "UserPoolId": pool.id, "ClientName": "web"} in listed
    # nothing leaks into the opaque extras: each key appears once, typed
    assert created["AllowedOAuthFlowsUserPoolClient"] is True


def test_lists_are_rendered_only_when_set(cognito: Any, pool: Pool) -> None:
    created = cognito.create_user_pool_client(
        UserPoolId=pool.id, ClientName="logout-only", LogoutURLs=["myapp://bye"]
    )["UserPoolClient"]
    assert oauth_of(created) == {
        "LogoutURLs": ["myapp://bye"],
        "AllowedOAuthFlowsUserPoolClient": False,
    }


def test_repeated_values_are_kept_once(cognito: Any, pool: Pool) -> None:
    created = cognito.create_user_pool_client(
        UserPoolId=pool.id,
        ClientName="dupes",
        CallbackURLs=["myapp://cb", "myapp://cb", "https://a.example/cb"],
        AllowedOAuthFlows=["code", "code"],
        AllowedOAuthScopes=["openid", "openid"],
        AllowedOAuthFlowsUserPoolClient=True,
    )["UserPoolClient"]
    assert created["CallbackURLs"] == ["myapp://cb", "https://a.example/cb"]
    assert created["AllowedOAuthFlows"] == ["code"]
    assert created["AllowedOAuthScopes"] == ["openid"]


@pytest.mark.parametrize(
    "url",
    [
        "https://app.example.com/cb?x=1&y=2",
        "https://app.example.com:8443/",
        "http://localhost/cb",
        "http://localhost:8080/cb",
        "HTTP://LOCALHOST:8080/cb",
        "myapp://cb",
        "com.example.app:/oauth2redirect",
        "exp+my-app://callback/path",
    ],
)
def test_accepted_redirect_uris(cognito: Any, pool: Pool, url: str) -> None:
    created = cognito.create_user_pool_client(
        UserPoolId=pool.id,
        ClientName="ok",
        CallbackURLs=[url],
        LogoutURLs=[url],
        DefaultRedirectURI=url,
        AllowedOAuthFlows=["code"],
        AllowedOAuthScopes=["openid"],
        AllowedOAuthFlowsUserPoolClient=True,
    )["UserPoolClient"]
    assert created["CallbackURLs"] == [url] and created["DefaultRedirectURI"] == url


def test_a_hundred_urls_are_accepted(cognito: Any, pool: Pool) -> None:
    urls = [f"https://app.example.com/cb/{i}" for i in range(100)]
    created = cognito.create_user_pool_client(
        UserPoolId=pool.id, ClientName="many", CallbackURLs=urls, LogoutURLs=urls
    )["UserPoolClient"]
    assert created["CallbackURLs"] == urls and created["LogoutURLs"] == urls


def test_client_credentials_with_a_generated_secret(cognito: Any, pool: Pool) -> None:
    created = cognito.create_user_pool_client(
        UserPoolId=pool.id,
        ClientName="service",
        GenerateSecret=True,
        AllowedOAuthFlows=["client_credentials"],
        AllowedOAuthScopes=["aws.cognito.signin.user.admin"],
        AllowedOAuthFlowsUserPoolClient=True,
    )["UserPoolClient"]
    assert created["AllowedOAuthFlows"] == ["client_credentials"]
    assert "ClientSecret" in created


def test_update_replaces_and_omitted_settings_return_to_defaults(cognito: Any, pool: Pool) -> None:
    created = cognito.create_user_pool_client(UserPoolId=pool.id, ClientName="web", **WEB_APP)[
        "UserPoolClient"
    ]
    client_id = created["ClientId"]

    changed = {
        "CallbackURLs": ["https://other.example.com/cb"],
        "AllowedOAuthFlows": ["code"],
        "AllowedOAuthScopes": ["openid", "phone", "aws.cognito.signin.user.admin"],
        "AllowedOAuthFlowsUserPoolClient": True,
    }
    updated = cognito.update_user_pool_client(
        UserPoolId=pool.id, ClientId=client_id, ClientName="web", **changed
    )["UserPoolClient"]
    expected = {
        **changed,
        "AllowedOAuthScopes": ["aws.cognito.signin.user.admin", "openid", "phone"],
    }
    assert oauth_of(updated) == expected
    assert oauth_of(describe(cognito, pool, client_id)) == expected

    # UpdateUserPoolClient replaces: what is not sent returns to its default
    cleared = cognito.update_user_pool_client(UserPoolId=pool.id, ClientId=client_id)[
        "UserPoolClient"
    ]
    assert oauth_of(cleared) == {"AllowedOAuthFlowsUserPoolClient": False}
    assert oauth_of(describe(cognito, pool, client_id)) == {
        "AllowedOAuthFlowsUserPoolClient": False
    }


def test_update_to_client_credentials_uses_the_existing_secret(cognito: Any, pool: Pool) -> None:
    created = cognito.create_user_pool_client(
        UserPoolId=pool.id, ClientName="service", GenerateSecret=True
    )["UserPoolClient"]
    updated = cognito.update_user_pool_client(
        UserPoolId=pool.id,
        ClientId=created["ClientId"],
        AllowedOAuthFlows=["client_credentials"],
        AllowedOAuthScopes=["openid"],
        AllowedOAuthFlowsUserPoolClient=True,
    )["UserPoolClient"]
    assert updated["AllowedOAuthFlows"] == ["client_credentials"]
    assert updated["ClientSecret"] == created["ClientSecret"]


def test_unknown_members_stay_in_extra(cognito: Any, pool: Pool) -> None:
    created = cognito.create_user_pool_client(
        UserPoolId=pool.id,
        ClientName="analytics",
        AnalyticsConfiguration={"ApplicationId": "0123456789abcdef0123456789abcdef"},
        CallbackURLs=["myapp://cb"],
    )["UserPoolClient"]
    described = describe(cognito, pool, created["ClientId"])
    assert described["AnalyticsConfiguration"] == {
        "ApplicationId": "0123456789abcdef0123456789abcdef"
    }
    assert described["CallbackURLs"] == ["myapp://cb"]


# Refusals ------------------------------------------------------------------------------------

BASE: dict[str, Any] = {
    "CallbackURLs": ["https://app.example.com/cb"],
    "AllowedOAuthFlows": ["code"],
    "AllowedOAuthScopes": ["openid"],
    "AllowedOAuthFlowsUserPoolClient": True,
}


def _with(**changes: Any) -> dict[str, Any]:
    return {k: v for k, v in (BASE | changes).items() if v is not None}


REFUSED: list[tuple[str, dict[str, Any], str]] = [
    (
        "http-not-localhost",
        _with(CallbackURLs=["http://app.example.com/cb"]),
        "CallbackURL must use HTTPS; HTTP is allowed only for http://localhost: "
        "http://app.example.com/cb",
    ),
    (
        "http-loopback-ip",
        _with(CallbackURLs=["http://127.0.0.1:8080/cb"]),
        "HTTP is allowed only for http://localhost",
    ),
    (
        "http-localhost-lookalike",
        _with(CallbackURLs=["http://localhost.example.com/cb"]),
        "HTTP is allowed only for http://localhost",
    ),
    (
        "fragment",
        _with(CallbackURLs=["https://app.example.com/cb#top"]),
        "CallbackURL must not include a fragment component: https://app.example.com/cb#top",
    ),
    (
        "empty-fragment",
        _with(CallbackURLs=["https://app.example.com/cb#"]),
        "must not include a fragment component",
    ),
    ("relative", _with(CallbackURLs=["/cb"]), "CallbackURL must be an absolute URI: /cb"),
    (
        "no-scheme",
        _with(CallbackURLs=["app.example.com/cb"]),
        "CallbackURL must be an absolute URI",
    ),
    ("no-host", _with(CallbackURLs=["https:///cb"]), "CallbackURL must be an absolute URI"),
    (
        "bad-port",
        _with(CallbackURLs=["https://app.example.com:99999/cb"]),
        "CallbackURL must be an absolute URI",
    ),
    (
        "javascript",
        _with(CallbackURLs=["javascript:alert(1)"]),
        "CallbackURL must not use the javascript scheme",
    ),
    (
        "logout-http",
        _with(LogoutURLs=["http://app.example.com/bye"]),
        "LogoutURL must use HTTPS",
    ),
    (
        "logout-fragment",
        _with(LogoutURLs=["myapp://bye#x"]),
        "LogoutURL must not include a fragment component",
    ),
    (
        "default-redirect-not-a-callback",
        _with(DefaultRedirectURI="https://app.example.com/elsewhere"),
        "DefaultRedirectURI must be one of the CallbackURLs.",
    ),
    (
        "default-redirect-without-callbacks",
        _with(CallbackURLs=None, AllowedOAuthFlows=["implicit"], DefaultRedirectURI="myapp://cb"),
        "DefaultRedirectURI must be one of the CallbackURLs.",
    ),
    (
        "client-credentials-with-code",
        _with(AllowedOAuthFlows=["client_credentials", "code"], GenerateSecret=True),
        "client_credentials flow can not be selected along with code flow or implicit flow.",
    ),
    (
        "client-credentials-with-implicit",
        _with(AllowedOAuthFlows=["implicit", "client_credentials"], GenerateSecret=True),
        "client_credentials flow can not be selected along with code flow or implicit flow.",
    ),
    (
        "client-credentials-without-secret",
        _with(AllowedOAuthFlows=["client_credentials"], CallbackURLs=None),
        "client_credentials flow can not be selected if client does not have a client secret.",
    ),
    (
        "code-without-callbacks",
        _with(CallbackURLs=None),
        "CallbackUrls can not be empty when code flow or implicit flow is selected",
    ),
    (
        "implicit-without-callbacks",
        _with(CallbackURLs=None, AllowedOAuthFlows=["implicit"]),
        "CallbackUrls can not be empty when code flow or implicit flow is selected",
    ),
    (
        "unknown-scope",
        _with(AllowedOAuthScopes=["openid", "offline_access"]),
        "Invalid scope requested: offline_access.",
    ),
    (
        "custom-scope",
        _with(AllowedOAuthScopes=["openid", "https://api.example.com/read"]),
        "Custom scopes of resource servers are not supported by this server.",
    ),
    (
        "email-without-openid",
        _with(AllowedOAuthScopes=["email"]),
        "The email scope requires the openid scope.",
    ),
    (
        "phone-without-openid",
        _with(AllowedOAuthScopes=["phone", "aws.cognito.signin.user.admin"]),
        "The phone scope requires the openid scope.",
    ),
    (
        "profile-without-openid",
        _with(AllowedOAuthScopes=["profile"]),
        "The profile scope requires the openid scope.",
    ),
    (
        "allowed-without-flows",
        _with(AllowedOAuthFlows=None),
        "AllowedOAuthFlows and AllowedOAuthScopes are required when "
        "AllowedOAuthFlowsUserPoolClient is true.",
    ),
    (
        "allowed-without-scopes",
        _with(AllowedOAuthScopes=None),
        "AllowedOAuthFlows and AllowedOAuthScopes are required when "
        "AllowedOAuthFlowsUserPoolClient is true.",
    ),
    (
        "allowed-with-empty-lists",
        _with(AllowedOAuthFlows=[], AllowedOAuthScopes=[], CallbackURLs=None),
        "AllowedOAuthFlows and AllowedOAuthScopes are required",
    ),
    (
        "other-provider",
        _with(SupportedIdentityProviders=["COGNITO", "Google"]),
        "The provider Google does not exist for User Pool {pool}.",
    ),
]


@pytest.mark.parametrize(
    ("args", "message"), [(a, m) for _, a, m in REFUSED], ids=[i for i, _, _ in REFUSED]
)
def test_create_refused(cognito: Any, pool: Pool, args: dict[str, Any], message: str) -> None:
    before = client_ids(cognito, pool)
    with pytest.raises(ClientError) as exc:
        cognito.create_user_pool_client(UserPoolId=pool.id, ClientName="bad", **args)
    code, text = error(exc)
    assert code == "InvalidParameterException"
    assert message.format(pool=pool.id) in text
    assert client_ids(cognito, pool) == before


@pytest.mark.parametrize(
    ("args", "message"), [(a, m) for _, a, m in REFUSED], ids=[i for i, _, _ in REFUSED]
)
def test_update_refused_and_nothing_changes(
    cognito: Any, pool: Pool, args: dict[str, Any], message: str
) -> None:
    # an existing OAuth client (without a secret unless the case needs one to pass that rule)
    created = cognito.create_user_pool_client(
        UserPoolId=pool.id,
        ClientName="web",
        GenerateSecret=bool(args.get("GenerateSecret")),
        **WEB_APP,
    )["UserPoolClient"]
    before = describe(cognito, pool, created["ClientId"])
    update_args = {k: v for k, v in args.items() if k != "GenerateSecret"}
    with pytest.raises(ClientError) as exc:
        cognito.update_user_pool_client(
            UserPoolId=pool.id, ClientId=created["ClientId"], **update_args
        )
    code, text = error(exc)
    assert code == "InvalidParameterException"
    assert message.format(pool=pool.id) in text
    assert describe(cognito, pool, created["ClientId"]) == before


def test_update_to_client_credentials_without_a_secret_is_refused(cognito: Any, pool: Pool) -> None:
    created = cognito.create_user_pool_client(UserPoolId=pool.id, ClientName="public")[
        "UserPoolClient"
    ]
    before = describe(cognito, pool, created["ClientId"])
    with pytest.raises(ClientError) as exc:
        cognito.update_user_pool_client(
            UserPoolId=pool.id,
            ClientId=created["ClientId"],
            AllowedOAuthFlows=["client_credentials"],
            AllowedOAuthScopes=["openid"],
            AllowedOAuthFlowsUserPoolClient=True,
        )
    assert error(exc) == (
        "InvalidParameterException",
        "client_credentials flow can not be selected if client does not have a client secret.",
    )
    assert describe(cognito, pool, created["ClientId"]) == before


def test_provider_message_names_the_pool(cognito: Any, pool: Pool) -> None:
    with pytest.raises(ClientError) as exc:
        cognito.create_user_pool_client(
            UserPoolId=pool.id, ClientName="fed", SupportedIdentityProviders=["Facebook"]
        )
    assert error(exc) == (
        "InvalidParameterException",
        f"The provider Facebook does not exist for User Pool {pool.id}.",
    )


# The service model's shape constraints (RedirectUrlType 1..1024 characters, at most 100 URLs,
# OAuthFlowType's enum) are checked before any work, as AWS does, with ValidationException;
# the core checks them again for callers that are not the Cognito front-end
# (tests/core/test_client_oauth.py).
@pytest.mark.parametrize(
    "args",
    [
        {"CallbackURLs": ["https://app.example.com/" + "a" * 1001]},
        {"LogoutURLs": [f"https://app.example.com/{i}" for i in range(101)]},
        {"AllowedOAuthFlows": ["password"]},
        {"DefaultRedirectURI": "https://app.example.com/" + "a" * 1001},
    ],
    ids=["url-too-long", "too-many-urls", "unknown-flow", "default-too-long"],
)
def test_shape_constraints_are_validation_errors(
    cognito: Any, pool: Pool, args: dict[str, Any]
) -> None:
    before = client_ids(cognito, pool)
    with pytest.raises(ClientError) as exc:
        cognito.create_user_pool_client(UserPoolId=pool.id, ClientName="bad", **args)
    assert error(exc)[0] == "ValidationException"
    assert client_ids(cognito, pool) == before


# Clients stored before these settings were typed -----------------------------------------------


def test_client_stored_with_settings_in_extra_reads_as_typed(
    cognito: Any, live: LiveServer, pool: Pool
) -> None:
    created = cognito.create_user_pool_client(UserPoolId=pool.id, ClientName="old")[
        "UserPoolClient"
    ]
    client_id = created["ClientId"]

    async def make_legacy() -> None:
        table = app_clients
        async with live.store.engine.begin() as conn:
            row = (await conn.execute(select(table.c.config).where(table.c.id == client_id))).one()
            config = orjson.loads(row.config)
            del config["oauth"]
            config["extra"] = {
                **WEB_APP,
                "AnalyticsConfiguration": {"ApplicationId": "0123456789abcdef"},
            }
            await conn.execute(
                update(table)
                .where(table.c.id == client_id)
                .values(config=orjson.dumps(config).decode())
            )

    live.run(make_legacy())
    described = describe(cognito, pool, client_id)
    assert oauth_of(described) == {
        **WEB_APP,
        "AllowedOAuthFlows": ["code", "implicit"],
        "AllowedOAuthScopes": ["email", "openid", "profile"],
    }
    assert described["AnalyticsConfiguration"] == {"ApplicationId": "0123456789abcdef"}

    # and UpdateUserPoolClient treats them as the settings they are
    updated = cognito.update_user_pool_client(
        UserPoolId=pool.id, ClientId=client_id, CallbackURLs=["myapp://cb"]
    )["UserPoolClient"]
    assert oauth_of(updated) == {
        "CallbackURLs": ["myapp://cb"],
        "AllowedOAuthFlowsUserPoolClient": False,
    }
    assert "AnalyticsConfiguration" not in updated
