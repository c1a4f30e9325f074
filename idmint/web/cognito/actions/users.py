"""User actions: SignUp, AdminGetUser, ListUsers, ...."""

from __future__ import annotations

from idmint.web.cognito import render
from idmint.web.cognito.actions._base import Env, Request, Response, action
from idmint.web.cognito.errors import CognitoError

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
