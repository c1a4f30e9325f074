"""User pool groups: CreateGroup, GetGroup, ListGroups, UpdateGroup, DeleteGroup,
AdminAddUserToGroup, AdminRemoveUserFromGroup, AdminListGroupsForUser and ListUsersInGroup
(Amazon Cognito API reference, same-named actions), and the order of a user's groups in the
``cognito:groups`` token claim.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable, Sequence
from dataclasses import replace

from idmint.core.context import Context
from idmint.core.errors import InvalidParameter, ResourceNotFound
from idmint.core.model import Group, User, UserPool

GROUP_NOT_FOUND = "Group not found."
MAX_PRECEDENCE = 2**31 - 1
"""``Precedence`` is a Java ``Integer`` in Cognito's model (PrecedenceType: minimum 0)."""
_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,1024}", re.ASCII)


def claim_order(groups: Iterable[Group]) -> list[Group]:
    """A user's groups in token-claim order: by ``Precedence``, lowest (highest priority) first,
    groups without a precedence last, ties by name (CreateGroup ``Precedence``)."""
    return sorted(groups, key=lambda g: (g.precedence is None, g.precedence or 0, g.name))


def _check_precedence(precedence: int | None) -> None:
    if precedence is not None and precedence > MAX_PRECEDENCE:
        raise InvalidParameter(f"Precedence must be at most {MAX_PRECEDENCE}.")


def _encode(name: str) -> str:
    return base64.urlsafe_b64encode(name.encode("utf-8")).decode("ascii").rstrip("=")


def group_page_token(groups: Sequence[Group], limit: int) -> str | None:
    """The token for the page after ``groups``: the last name, base64url without padding (group
    names may hold any printable character, ids in other tokens only ``[\\w-]``)."""
    return _encode(groups[-1].name) if groups and len(groups) == limit else None


def group_after(token: str | None) -> str | None:
    """The group name a page token made by ``group_page_token`` stands for.

    ``InvalidParameter`` unless the token is exactly what ``group_page_token`` makes for some
    name, so a forged or damaged token changes nothing and reaches no query.
    """
    if token is None:
        return None
    invalid = InvalidParameter("Invalid pagination token.")
    if not _TOKEN.fullmatch(token):
        raise invalid
    try:  # binascii.Error and UnicodeDecodeError are ValueErrors
        name = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode("utf-8")
    except ValueError:
        raise invalid from None
    if "\x00" in name or _encode(name) != token:
        raise invalid
    return name


class Groups:
    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx

    async def _group(self, pool: UserPool, name: str) -> Group:
        group = await self._ctx.store.get_group(pool.id, name)
        if group is None:
            raise ResourceNotFound(GROUP_NOT_FOUND)
        return group

    async def create_group(
        self,
        pool_id: str,
        name: str,
        *,
        description: str | None = None,
        role_arn: str | None = None,
        precedence: int | None = None,
    ) -> Group:
        """Cognito CreateGroup: ``GroupExists`` if the pool has a group by that name."""
        _check_precedence(precedence)
        pool = await self._ctx.pool(pool_id)
        now = self._ctx.clock()
        group = Group(
            pool_id=pool.id,
            name=name,
            created_at=now,
            updated_at=now,
            description=description,
            role_arn=role_arn,
            precedence=precedence,
        )
        await self._ctx.store.create_group(group)
        return group

    async def get_group(self, pool_id: str, name: str) -> Group:
        """Cognito GetGroup."""
        pool = await self._ctx.pool(pool_id)
        return await self._group(pool, name)

    async def list_groups(
        self, pool_id: str, limit: int, after: str | None
    ) -> tuple[list[Group], str | None]:
        """Cognito ListGroups: one page of the pool's groups by name, and the next page's token."""
        pool = await self._ctx.pool(pool_id)
        found = await self._ctx.store.list_groups(pool.id, limit, group_after(after))
        return found, group_page_token(found, limit)

    async def update_group(
        self,
        pool_id: str,
        name: str,
        *,
        description: str | None = None,
        role_arn: str | None = None,
        precedence: int | None = None,
    ) -> Group:
        """Cognito UpdateGroup: set the properties given (None: keep the current value)."""
        _check_precedence(precedence)
        pool = await self._ctx.pool(pool_id)
        group = await self._group(pool, name)
        group = replace(
            group,
            description=group.description if description is None else description,
            role_arn=group.role_arn if role_arn is None else role_arn,
            precedence=group.precedence if precedence is None else precedence,
            updated_at=self._ctx.clock(),
        )
        await self._ctx.store.update_group(group)
        return group

    async def delete_group(self, pool_id: str, name: str) -> None:
        """Cognito DeleteGroup: the group and its memberships (members' later tokens lose it)."""
        pool = await self._ctx.pool(pool_id)
        if not await self._ctx.store.delete_group(pool.id, name):
            raise ResourceNotFound(GROUP_NOT_FOUND)

    async def admin_add_user_to_group(self, pool_id: str, username: str, name: str) -> None:
        """Cognito AdminAddUserToGroup: idempotent for a user already in the group."""
        pool = await self._ctx.pool(pool_id)
        group = await self._group(pool, name)
        user = await self._ctx.user(pool, username)
        await self._ctx.store.add_group_member(pool.id, group.name, user.sub)

    async def admin_remove_user_from_group(self, pool_id: str, username: str, name: str) -> None:
        """Cognito AdminRemoveUserFromGroup: a user not in the group is not an error."""
        pool = await self._ctx.pool(pool_id)
        group = await self._group(pool, name)
        user = await self._ctx.user(pool, username)
        await self._ctx.store.remove_group_member(pool.id, group.name, user.sub)

    async def admin_list_groups_for_user(
        self, pool_id: str, username: str, limit: int, after: str | None
    ) -> tuple[list[Group], str | None]:
        """Cognito AdminListGroupsForUser: one page of the user's groups by name."""
        pool = await self._ctx.pool(pool_id)
        user = await self._ctx.user(pool, username)
        found = await self._ctx.store.list_user_groups(pool.id, user.sub, limit, group_after(after))
        return found, group_page_token(found, limit)

    async def list_users_in_group(
        self, pool_id: str, name: str, limit: int, after: str | None
    ) -> tuple[list[User], str | None]:
        """Cognito ListUsersInGroup: one page of the group's members (by ``sub``)."""
        pool = await self._ctx.pool(pool_id)
        group = await self._group(pool, name)
        start = self._ctx.page_token(after)
        members = await self._ctx.store.list_group_members(pool.id, group.name, limit, start)
        return members, self._ctx.next_page_token([u.sub for u in members], limit)
