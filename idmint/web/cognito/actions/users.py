"""User actions: SignUp, AdminGetUser, ListUsers, ...."""

from __future__ import annotations

from idmint.web.cognito import render
from idmint.web.cognito.actions._base import Env, Request, Response, action

# Users ---------------------------------------------------------------------------------


@action
async def sign_up(env: Env, req: Request) -> Response:
    user, delivery = await env.service.users.sign_up(
        req["ClientId"],
        req["Username"],
        req["Password"],
        render.attribute_map(req.get("UserAttributes")),
        req.get("SecretHash"),
    )
    out: Response = {"UserConfirmed": False, "UserSub": user.sub}
    if delivery is not None:
        out["CodeDeliveryDetails"] = render.code_delivery(delivery)
    return out


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
    """Cognito ListUsers: Filter, Limit (at most 60, the default; the model checks the range,
    and 0 means the default), PaginationToken, AttributesToGet."""
    wanted = req.get("AttributesToGet")
    users, token = await env.service.users.list_users(
        req["UserPoolId"],
        req.get("Limit") or 60,
        req.get("PaginationToken"),
        req.get("Filter"),
        wanted,
    )
    out: Response = {"Users": [render.listed_user(u, wanted) for u in users]}
    if token:
        out["PaginationToken"] = token
    return out


@action
async def get_user(env: Env, req: Request) -> Response:
    user = await env.service.auth.get_user(req["AccessToken"])
    return {"Username": user.username, "UserAttributes": render.attributes(user)}
