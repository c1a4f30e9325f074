"""Partners and their managed users (``Store`` partner methods; seed 000)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError

from idmint.core.errors import Conflict
from idmint.core.model import Partner, User
from idmint.store import codec
from idmint.store.base import SqlBase
from idmint.store.schema import partners, users


def _partner(row: Any) -> Partner:
    return Partner(
        id=row["id"],
        name=row["name"],
        pool_id=row["pool_id"],
        client_id=row["client_id"],
        user_sub=row["user_sub"],
        username=row["username"],
        enabled=bool(row["enabled"]),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        max_managed_users=row["max_managed_users"],
    )


class PartnerQueries(SqlBase):
    async def create_partner(self, partner: Partner) -> None:
        await self._write(insert(partners).values(**asdict(partner)))

    async def update_partner(self, partner: Partner) -> None:
        values = asdict(partner)
        del values["id"]
        await self._write(update(partners).where(partners.c.id == partner.id).values(**values))

    async def get_partner(self, partner_id: str) -> Partner | None:
        row = await self._one(select(partners).where(partners.c.id == partner_id))
        return _partner(row) if row else None

    async def get_partner_by_user(self, sub: str) -> Partner | None:
        row = await self._one(select(partners).where(partners.c.user_sub == sub))
        return _partner(row) if row else None

    async def list_partners(self, pool_id: str | None) -> list[Partner]:
        query = select(partners).order_by(partners.c.created_at, partners.c.id)
        if pool_id is not None:
            query = query.where(partners.c.pool_id == pool_id)
        return [_partner(r) for r in await self._all(query)]

    async def create_managed_user(self, user: User, username_key: str, limit: int | None) -> bool:
        """Insert a partner's managed user unless it already has ``limit``; False if it has.
        The count and the insert share one write transaction, and on PostgreSQL the partner's
        row is locked first, so concurrent creates cannot pass the limit together (SQLite
        writes one transaction at a time)."""
        assert user.partner_id is not None
        try:
            async with self._writer.begin() as conn:
                if limit is not None:
                    await conn.execute(
                        select(partners.c.id)
                        .where(partners.c.id == user.partner_id)
                        .with_for_update()
                    )
                    count = (
                        await conn.execute(
                            select(func.count())
                            .select_from(users)
                            .where(users.c.partner_id == user.partner_id)
                        )
                    ).scalar_one()
                    if count >= limit:
                        return False
                await conn.execute(insert(users).values(**codec.user_row(user, username_key)))
        except IntegrityError as exc:
            detail = str(exc.orig)  # PostgreSQL names the index, SQLite the columns
            if "uq_users_partner_external" in detail or "users.external_id" in detail:
                raise Conflict("This externalId is already used by another managed user.") from exc
            raise
        return True

    async def list_managed_users(
        self, partner_id: str, limit: int, after: str | None, external_id: str | None = None
    ) -> list[User]:
        """A partner's managed users in ``sub`` order, after ``after``; or the one with
        ``external_id``."""
        query = select(users).where(users.c.partner_id == partner_id)
        if external_id is not None:
            query = query.where(users.c.external_id == external_id)
        if after is not None:
            query = query.where(users.c.sub > after)
        query = query.order_by(users.c.sub).limit(limit)
        return [codec.user_from_row(r) for r in await self._all(query)]
