"""Group actions: CreateGroup, GetGroup, ListGroups, UpdateGroup, DeleteGroup,
AdminAddUserToGroup, AdminRemoveUserFromGroup, AdminListGroupsForUser, ListUsersInGroup."""

from __future__ import annotations

from typing import Any

from idmint.web.cognito import render
from idmint.web.cognito.actions._base import Env, Request, Response, action

# ``Limit`` of the group lists (QueryLimitType, 0-60): absent or 0 means the most, 60.
_MAX_LIMIT = 60


def _limit(req: Request) -> int:
    return int(req.get("Limit") or _MAX_LIMIT)


def _page(out: Response, token: str | None) -> Response:
    if token:
        out["NextToken"] = token
    return out


def _properties(req: Request) -> dict[str, Any]:
    """CreateGroup's and UpdateGroup's optional group properties."""
    return {
        "description": req.get("Description"),
        "role_arn": req.get("RoleArn"),
        "precedence": req.get("Precedence"),
    }


@action
async def create_group(env: Env, req: Request) -> Response:
    group = await env.service.groups.create_group(
        req["UserPoolId"], req["GroupName"], **_properties(req)
    )
    return {"Group": render.group(group)}


@action
async def get_group(env: Env, req: Request) -> Response:
    group = await env.service.groups.get_group(req["UserPoolId"], req["GroupName"])
    return {"Group": render.group(group)}


@action
async def list_groups(env: Env, req: Request) -> Response:
    groups, token = await env.service.groups.list_groups(
        req["UserPoolId"], _limit(req), req.get("NextToken")
    )
    return _page({"Groups": [render.group(g) for g in groups]}, token)


@action
async def update_group(env: Env, req: Request) -> Response:
    group = await env.service.groups.update_group(
        req["UserPoolId"], req["GroupName"], **_properties(req)
    )
    return {"Group": render.group(group)}


@action
async def delete_group(env: Env, req: Request) -> Response:
    await env.service.groups.delete_group(req["UserPoolId"], req["GroupName"])
    return {}


@action
async def admin_add_user_to_group(env: Env, req: Request) -> Response:
    await env.service.groups.admin_add_user_to_group(
        req["UserPoolId"], req["Username"], req["GroupName"]
    )
    return {}


@action
async def admin_remove_user_from_group(env: Env, req: Request) -> Response:
    await env.service.groups.admin_remove_user_from_group(
        req["UserPoolId"], req["Username"], req["GroupName"]
    )
    return {}


@action
async def admin_list_groups_for_user(env: Env, req: Request) -> Response:
    groups, token = await env.service.groups.admin_list_groups_for_user(
        req["UserPoolId"], req["Username"], _limit(req), req.get("NextToken")
    )
    return _page({"Groups": [render.group(g) for g in groups]}, token)


@action
async def list_users_in_group(env: Env, req: Request) -> Response:
    users, token = await env.service.groups.list_users_in_group(
        req["UserPoolId"], req["GroupName"], _limit(req), req.get("NextToken")
    )
    return _page({"Users": [render.user(u) for u in users]}, token)
