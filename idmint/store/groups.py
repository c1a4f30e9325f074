"""User pool groups and their members (``Store`` group methods).

Group names are listed in code-point order on every backend (``COLLATE "C"`` on PostgreSQL,
SQLite's default BINARY), so a page token means the same on both and matches Python's ``<``.
Memberships go with their group and with their user (explicit deletes here, foreign-key
cascades for users and pools).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from idmint.core.errors import GroupExists
from idmint.core.model import Group, User
from idmint.store import codec
from idmint.store.base import SqlBase
from idmint.store.schema import group_members, groups, users


def _group(row: Any) -> Group:
    return Group(
        pool_id=row["pool_id"],
        name=row["name"],
        description=row["description"],
        role_arn=row["role_arn"],
        precedence=row["precedence"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


class GroupQueries(SqlBase):
    def _name_order(self, column: ColumnElement[str]) -> ColumnElement[str]:
        """``column`` compared by code point (SQLite's default; PostgreSQL's ``"C"``)."""
        return column.collate("C") if self.engine.dialect.name == "postgresql" else column

    def _insert_new(self, table: Any) -> Any:
        """``INSERT ... ON CONFLICT DO NOTHING``: rowcount 0 when the key already exists."""
        if self.engine.dialect.name == "postgresql":
            return postgresql.insert(table).on_conflict_do_nothing()
        return sqlite.insert(table).on_conflict_do_nothing()

    async def create_group(self, group: Group) -> None:
        inserted = await self._write(
            self._insert_new(groups).values(
                pool_id=group.pool_id,
                name=group.name,
                description=group.description,
                role_arn=group.role_arn,
                precedence=group.precedence,
                created_at=group.created_at,
                updated_at=group.updated_at,
            )
        )
        if not inserted:
            raise GroupExists()

    async def get_group(self, pool_id: str, name: str) -> Group | None:
        row = await self._one(
            select(groups).where(groups.c.pool_id == pool_id, groups.c.name == name)
        )
        return _group(row) if row else None

    async def list_groups(self, pool_id: str, limit: int, after: str | None) -> list[Group]:
        name = self._name_order(groups.c.name)
        query = select(groups).where(groups.c.pool_id == pool_id).order_by(name).limit(limit)
        if after is not None:
            query = query.where(name > after)
        return [_group(r) for r in await self._all(query)]

    async def update_group(self, group: Group) -> None:
        await self._write(
            update(groups)
            .where(groups.c.pool_id == group.pool_id, groups.c.name == group.name)
            .values(
                description=group.description,
                role_arn=group.role_arn,
                precedence=group.precedence,
                updated_at=group.updated_at,
            )
        )

    async def delete_group(self, pool_id: str, name: str) -> bool:
        return bool(
            await self._write(
                delete(group_members).where(
                    group_members.c.pool_id == pool_id, group_members.c.group_name == name
                ),
                delete(groups).where(groups.c.pool_id == pool_id, groups.c.name == name),
            )
        )

    async def add_group_member(self, pool_id: str, name: str, sub: str) -> None:
        await self._write(
            self._insert_new(group_members).values(pool_id=pool_id, group_name=name, user_sub=sub)
        )

    async def remove_group_member(self, pool_id: str, name: str, sub: str) -> None:
        await self._write(
            delete(group_members).where(
                group_members.c.pool_id == pool_id,
                group_members.c.group_name == name,
                group_members.c.user_sub == sub,
            )
        )

    async def list_user_groups(
        self, pool_id: str, sub: str, limit: int | None = None, after: str | None = None
    ) -> list[Group]:
        name = self._name_order(groups.c.name)
        query = (
            select(groups)
            .join(
                group_members,
                (group_members.c.pool_id == groups.c.pool_id)
                & (group_members.c.group_name == groups.c.name),
            )
            .where(group_members.c.pool_id == pool_id, group_members.c.user_sub == sub)
            .order_by(name)
        )
        if limit is not None:
            query = query.limit(limit)
        if after is not None:
            query = query.where(name > after)
        return [_group(r) for r in await self._all(query)]

    async def list_group_members(
        self, pool_id: str, name: str, limit: int, after: str | None
    ) -> list[User]:
        query = (
            select(users)
            .join(group_members, group_members.c.user_sub == users.c.sub)
            .where(
                group_members.c.pool_id == pool_id,
                group_members.c.group_name == name,
                users.c.pool_id == pool_id,
            )
            .order_by(users.c.sub)
            .limit(limit)
        )
        if after is not None:
            query = query.where(users.c.sub > after)
        return [codec.user_from_row(r) for r in await self._all(query)]
