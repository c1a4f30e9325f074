"""Authentication actions: InitiateAuth, AdminInitiateAuth, refresh, sign-out, revocation."""

from __future__ import annotations

from idmint.core.model import AuthFlow, Challenge, Tokens
from idmint.web.cognito import render
from idmint.web.cognito.actions._base import Env, Request, Response, action
from idmint.web.cognito.errors import CognitoError

# Authentication ------------------------------------------------------------------------

_REFRESH = "refresh"
# AuthFlow values each action accepts -> the core flow (InitiateAuth / AdminInitiateAuth docs).
PUBLIC_FLOWS: dict[str, AuthFlow | str] = {
    "USER_PASSWORD_AUTH": AuthFlow.USER_PASSWORD,
    "USER_SRP_AUTH": AuthFlow.USER_SRP,
    "REFRESH_TOKEN_AUTH": _REFRESH,
    "REFRESH_TOKEN": _REFRESH,
}
ADMIN_FLOWS: dict[str, AuthFlow | str] = {
    "USER_SRP_AUTH": AuthFlow.USER_SRP,
    "ADMIN_USER_PASSWORD_AUTH": AuthFlow.ADMIN_USER_PASSWORD,
    "ADMIN_NO_SRP_AUTH": AuthFlow.ADMIN_USER_PASSWORD,
    "REFRESH_TOKEN_AUTH": _REFRESH,
    "REFRESH_TOKEN": _REFRESH,
}
NOT_YET = frozenset({"CUSTOM_AUTH", "USER_AUTH"})


def _param(params: dict[str, str], name: str) -> str:
    value = params.get(name)
    if not value:
        raise CognitoError("InvalidParameterException", f"Missing required parameter {name}")
    return value


def _auth_response(result: Tokens | Challenge) -> Response:
    if isinstance(result, Challenge):
        out: Response = {"ChallengeName": result.name}
        if result.session is not None:
            out["Session"] = result.session
        out["ChallengeParameters"] = dict(result.parameters)
        return out
    return {"AuthenticationResult": render.authentication_result(result), "ChallengeParameters": {}}


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
    result: Tokens | Challenge
    if flow == _REFRESH:
        result = await auth.refresh(
            req["ClientId"],
            _param(params, "REFRESH_TOKEN"),
            secret_hash=params.get("SECRET_HASH"),
            pool_id=pool_id,
        )
    elif flow is AuthFlow.USER_SRP:
        result = await auth.start_srp(
            req["ClientId"],
            _param(params, "USERNAME"),
            _param(params, "SRP_A"),
            secret_hash=params.get("SECRET_HASH"),
            pool_id=pool_id,
        )
    else:
        assert isinstance(flow, AuthFlow)
        result = await auth.sign_in_with_password(
            req["ClientId"],
            _param(params, "USERNAME"),
            _param(params, "PASSWORD"),
            flow=flow,
            secret_hash=params.get("SECRET_HASH"),
            pool_id=pool_id,
        )
    return _auth_response(result)


@action
async def initiate_auth(env: Env, req: Request) -> Response:
    return await _initiate(env, req, PUBLIC_FLOWS, None)


@action
async def admin_initiate_auth(env: Env, req: Request) -> Response:
    return await _initiate(env, req, ADMIN_FLOWS, req["UserPoolId"])


async def _respond(env: Env, req: Request, pool_id: str | None) -> Response:
    result = await env.service.auth.respond_to_challenge(
        req["ClientId"],
        req["ChallengeName"],
        req.get("Session"),
        req.get("ChallengeResponses") or {},
        pool_id=pool_id,
    )
    return _auth_response(result)


@action
async def respond_to_auth_challenge(env: Env, req: Request) -> Response:
    return await _respond(env, req, None)


@action
async def admin_respond_to_auth_challenge(env: Env, req: Request) -> Response:
    return await _respond(env, req, req["UserPoolId"])


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
