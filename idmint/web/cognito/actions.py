"""One function per Cognito action: request dict in, one service call, response dict out.

Amazon Cognito Identity Provider API reference (API_<Action>.html) for every field. Requests
have already passed the model's validation (``validation.py``), so required members exist and
have the right types here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from idmint.core.model import AuthFlow, Tokens
from idmint.core.service import Service
from idmint.web.cognito import render
from idmint.web.cognito.errors import CognitoError

Request = dict[str, Any]
Response = dict[str, Any]


@dataclass(frozen=True)
class Env:
    service: Service
    account_id: str


Action = Callable[[Env, Request], Awaitable[Response]]
ACTIONS: dict[str, Action] = {}


def action(fn: Action) -> Action:
    name = "".join(part.capitalize() for part in fn.__name__.split("_"))
    ACTIONS[name] = fn
    return fn


# User pools ----------------------------------------------------------------------------


@action
async def create_user_pool(env: Env, req: Request) -> Response:
    pool = await env.service.pools.create_pool(render.pool_settings(req))
    return {"UserPool": render.pool_description(pool, 0, env.account_id)}


@action
async def describe_user_pool(env: Env, req: Request) -> Response:
    pool, users = await env.service.pools.describe_pool(req["UserPoolId"])
    return {"UserPool": render.pool_description(pool, users, env.account_id)}


@action
async def list_user_pools(env: Env, req: Request) -> Response:
    pools, next_token = await env.service.pools.list_pools(req["MaxResults"], req.get("NextToken"))
    out: Response = {"UserPools": [render.pool_summary(p) for p in pools]}
    if next_token:
        out["NextToken"] = next_token
    return out


@action
async def delete_user_pool(env: Env, req: Request) -> Response:
    await env.service.pools.delete_pool(req["UserPoolId"])
    return {}


# App clients ---------------------------------------------------------------------------


@action
async def create_user_pool_client(env: Env, req: Request) -> Response:
    client = await env.service.pools.create_client(
        req["UserPoolId"],
        render.client_settings(req),
        generate_secret=bool(req.get("GenerateSecret", False)),
    )
    return {"UserPoolClient": render.client_description(client)}


@action
async def describe_user_pool_client(env: Env, req: Request) -> Response:
    client = await env.service.pools.describe_client(req["UserPoolId"], req["ClientId"])
    return {"UserPoolClient": render.client_description(client)}


@action
async def list_user_pool_clients(env: Env, req: Request) -> Response:
    clients, next_token = await env.service.pools.list_clients(
        req["UserPoolId"], req.get("MaxResults", 60), req.get("NextToken")
    )
    out: Response = {"UserPoolClients": [render.client_summary(c) for c in clients]}
    if next_token:
        out["NextToken"] = next_token
    return out


@action
async def update_user_pool_client(env: Env, req: Request) -> Response:
    pools = env.service.pools
    current = await pools.describe_client(req["UserPoolId"], req["ClientId"])
    spec = render.client_settings({"ClientName": current.name, **req})
    client = await pools.update_client(req["UserPoolId"], req["ClientId"], spec)
    return {"UserPoolClient": render.client_description(client)}


@action
async def delete_user_pool_client(env: Env, req: Request) -> Response:
    await env.service.pools.delete_client(req["UserPoolId"], req["ClientId"])
    return {}


# Users ---------------------------------------------------------------------------------


@action
async def sign_up(env: Env, req: Request) -> Response:
    user = await env.service.users.sign_up(
        req["ClientId"],
        req["Username"],
        req["Password"],
        render.attribute_map(req.get("UserAttributes")),
        req.get("SecretHash"),
    )
    return {"UserConfirmed": False, "UserSub": user.sub}


@action
async def admin_confirm_sign_up(env: Env, req: Request) -> Response:
    await env.service.users.admin_confirm_sign_up(req["UserPoolId"], req["Username"])
    return {}


@action
async def admin_get_user(env: Env, req: Request) -> Response:
    user = await env.service.users.admin_get_user(req["UserPoolId"], req["Username"])
    out = render.user(user)
    out["UserAttributes"] = out.pop("Attributes")
    return out


@action
async def admin_delete_user(env: Env, req: Request) -> Response:
    await env.service.users.admin_delete_user(req["UserPoolId"], req["Username"])
    return {}


@action
async def admin_set_user_password(env: Env, req: Request) -> Response:
    await env.service.users.admin_set_user_password(
        req["UserPoolId"], req["Username"], req["Password"], bool(req.get("Permanent", False))
    )
    return {}


@action
async def list_users(env: Env, req: Request) -> Response:
    if req.get("Filter"):
        raise CognitoError("InvalidParameterException", "ListUsers Filter is not supported yet.")
    users, token = await env.service.users.list_users(
        req["UserPoolId"], req.get("Limit", 60), req.get("PaginationToken")
    )
    out: Response = {"Users": [render.user(u) for u in users]}
    if token:
        out["PaginationToken"] = token
    return out


@action
async def get_user(env: Env, req: Request) -> Response:
    user = await env.service.auth.get_user(req["AccessToken"])
    return {"Username": user.username, "UserAttributes": render.attributes(user)}


# Authentication ------------------------------------------------------------------------

_REFRESH = "refresh"
# AuthFlow values each action accepts -> the core flow (InitiateAuth / AdminInitiateAuth docs).
PUBLIC_FLOWS: dict[str, AuthFlow | str] = {
    "USER_PASSWORD_AUTH": AuthFlow.USER_PASSWORD,
    "REFRESH_TOKEN_AUTH": _REFRESH,
    "REFRESH_TOKEN": _REFRESH,
}
ADMIN_FLOWS: dict[str, AuthFlow | str] = {
    "ADMIN_USER_PASSWORD_AUTH": AuthFlow.ADMIN_USER_PASSWORD,
    "ADMIN_NO_SRP_AUTH": AuthFlow.ADMIN_USER_PASSWORD,
    "REFRESH_TOKEN_AUTH": _REFRESH,
    "REFRESH_TOKEN": _REFRESH,
}
NOT_YET = frozenset({"USER_SRP_AUTH", "CUSTOM_AUTH", "USER_AUTH"})


def _param(params: dict[str, str], name: str) -> str:
    value = params.get(name)
    if not value:
        raise CognitoError("InvalidParameterException", f"Missing required parameter {name}")
    return value


def _auth_response(tokens: Tokens) -> Response:
    return {"AuthenticationResult": render.authentication_result(tokens), "ChallengeParameters": {}}


async def _initiate(
    env: Env, req: Request, flows: dict[str, AuthFlow | str], pool_id: str | None
) -> Response:
    name = req["AuthFlow"]
    flow = flows.get(name)
    if flow is None:
        message = (
            f"{name} is not supported by this server yet."
            if name in NOT_YET
            else "Initiate Auth method not supported."
        )
        raise CognitoError("InvalidParameterException", message)
    params: dict[str, str] = req.get("AuthParameters") or {}
    auth = env.service.auth
    if flow == _REFRESH:
        tokens = await auth.refresh(
            req["ClientId"],
            _param(params, "REFRESH_TOKEN"),
            secret_hash=params.get("SECRET_HASH"),
            pool_id=pool_id,
        )
    else:
        assert isinstance(flow, AuthFlow)
        tokens = await auth.sign_in_with_password(
            req["ClientId"],
            _param(params, "USERNAME"),
            _param(params, "PASSWORD"),
            flow=flow,
            secret_hash=params.get("SECRET_HASH"),
            pool_id=pool_id,
        )
    return _auth_response(tokens)


@action
async def initiate_auth(env: Env, req: Request) -> Response:
    return await _initiate(env, req, PUBLIC_FLOWS, None)


@action
async def admin_initiate_auth(env: Env, req: Request) -> Response:
    return await _initiate(env, req, ADMIN_FLOWS, req["UserPoolId"])


@action
async def get_tokens_from_refresh_token(env: Env, req: Request) -> Response:
    tokens = await env.service.auth.refresh(
        req["ClientId"], req["RefreshToken"], client_secret=req.get("ClientSecret")
    )
    return {"AuthenticationResult": render.authentication_result(tokens)}


@action
async def global_sign_out(env: Env, req: Request) -> Response:
    await env.service.auth.global_sign_out(req["AccessToken"])
    return {}


@action
async def admin_user_global_sign_out(env: Env, req: Request) -> Response:
    await env.service.auth.admin_global_sign_out(req["UserPoolId"], req["Username"])
    return {}


@action
async def revoke_token(env: Env, req: Request) -> Response:
    await env.service.auth.revoke(req["Token"], req["ClientId"], req.get("ClientSecret"))
    return {}
