"""Account lifecycle actions: confirmation, invitations, passwords, attributes, and users'
own account (Amazon Cognito API reference, API_<Action>.html)."""

from __future__ import annotations

from idmint.core.model import CodeDelivery
from idmint.web.cognito import render
from idmint.web.cognito.actions._base import Env, Request, Response, action

# Confirmation and invitation -------------------------------------------------------------


@action
async def confirm_sign_up(env: Env, req: Request) -> Response:
    await env.service.users.confirm_sign_up(
        req["ClientId"],
        req["Username"],
        req["ConfirmationCode"],
        req.get("SecretHash"),
        force_alias_creation=bool(req.get("ForceAliasCreation", False)),
    )
    return {}


@action
async def resend_confirmation_code(env: Env, req: Request) -> Response:
    delivery = await env.service.users.resend_confirmation_code(
        req["ClientId"], req["Username"], req.get("SecretHash")
    )
    return {"CodeDeliveryDetails": render.code_delivery(delivery)}


@action
async def admin_create_user(env: Env, req: Request) -> Response:
    user = await env.service.users.admin_create_user(
        req["UserPoolId"],
        req["Username"],
        render.attribute_map(req.get("UserAttributes")),
        temporary=req.get("TemporaryPassword"),
        message_action=req.get("MessageAction"),
        mediums=[m for m in req.get("DesiredDeliveryMediums") or [] if m is not None],
        force_alias_creation=bool(req.get("ForceAliasCreation", False)),
    )
    return {"User": render.user(user)}


# Enabling and deleting -------------------------------------------------------------------


@action
async def admin_disable_user(env: Env, req: Request) -> Response:
    await env.service.users.admin_set_enabled(req["UserPoolId"], req["Username"], False)
    return {}


@action
async def admin_enable_user(env: Env, req: Request) -> Response:
    await env.service.users.admin_set_enabled(req["UserPoolId"], req["Username"], True)
    return {}


@action
async def delete_user(env: Env, req: Request) -> Response:
    await env.service.users.delete_user(req["AccessToken"])
    return {}


# Passwords -------------------------------------------------------------------------------


@action
async def forgot_password(env: Env, req: Request) -> Response:
    delivery = await env.service.recovery.forgot_password(
        req["ClientId"], req["Username"], req.get("SecretHash")
    )
    return {"CodeDeliveryDetails": render.code_delivery(delivery)}


@action
async def confirm_forgot_password(env: Env, req: Request) -> Response:
    await env.service.recovery.confirm_forgot_password(
        req["ClientId"],
        req["Username"],
        req["ConfirmationCode"],
        req["Password"],
        req.get("SecretHash"),
    )
    return {}


@action
async def change_password(env: Env, req: Request) -> Response:
    await env.service.recovery.change_password(
        req["AccessToken"], req.get("PreviousPassword") or "", req["ProposedPassword"]
    )
    return {}


@action
async def admin_reset_user_password(env: Env, req: Request) -> Response:
    await env.service.recovery.admin_reset_user_password(req["UserPoolId"], req["Username"])
    return {}


# Attributes ------------------------------------------------------------------------------


def _deliveries(deliveries: list[CodeDelivery]) -> Response:
    if not deliveries:
        return {}
    return {"CodeDeliveryDetailsList": [render.code_delivery(d) for d in deliveries]}


@action
async def update_user_attributes(env: Env, req: Request) -> Response:
    deliveries = await env.service.profile.update_user_attributes(
        req["AccessToken"], render.attribute_map(req["UserAttributes"])
    )
    return _deliveries(deliveries)


@action
async def admin_update_user_attributes(env: Env, req: Request) -> Response:
    await env.service.profile.admin_update_user_attributes(
        req["UserPoolId"], req["Username"], render.attribute_map(req["UserAttributes"])
    )
    return {}


@action
async def delete_user_attributes(env: Env, req: Request) -> Response:
    names = [n for n in req["UserAttributeNames"] if n is not None]
    await env.service.profile.delete_user_attributes(req["AccessToken"], names)
    return {}


@action
async def admin_delete_user_attributes(env: Env, req: Request) -> Response:
    names = [n for n in req["UserAttributeNames"] if n is not None]
    await env.service.profile.admin_delete_user_attributes(
        req["UserPoolId"], req["Username"], names
    )
    return {}


@action
async def get_user_attribute_verification_code(env: Env, req: Request) -> Response:
    delivery = await env.service.profile.get_verification_code(
        req["AccessToken"], req["AttributeName"]
    )
    return {"CodeDeliveryDetails": render.code_delivery(delivery)}


@action
async def verify_user_attribute(env: Env, req: Request) -> Response:
    await env.service.profile.verify_attribute(
        req["AccessToken"], req["AttributeName"], req["Code"]
    )
    return {}
