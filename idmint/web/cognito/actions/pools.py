"""User pool and app client actions (CreateUserPool, ..., DeleteUserPoolClient)."""

from __future__ import annotations

from idmint.web.cognito import render
from idmint.web.cognito.actions._base import Env, Request, Response, action

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
async def update_user_pool(env: Env, req: Request) -> Response:
    current, _ = await env.service.pools.describe_pool(req["UserPoolId"])
    fields = {k: v for k, v in req.items() if k != "UserPoolId"}
    await env.service.pools.update_pool(
        current.id, render.pool_settings({"PoolName": current.name, **fields})
    )
    return {}


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
