"""Mint applications, users' integer ids and user tokens (``Store`` mint methods; seed 002)."""

from __future__ import annotations

import contextlib
from dataclasses import asdict
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from idmint.core.model import MintApp, MintToken
from idmint.store.base import SqlBase
from idmint.store.schema import mint_apps, mint_tokens, mint_user_ids, users


def _app(row: Any) -> MintApp:
    return MintApp(
        id=row["id"],
        pool_id=row["pool_id"],
        name=row["name"],
        secret_hash=bytes(row["secret_hash"]),
        enabled=bool(row["enabled"]),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        token_seconds=row["token_seconds"],
        password_grant=bool(row["password_grant"]),
        is_default=bool(row["is_default"]),
    )


def _token(row: Any) -> MintToken:
    return MintToken(
        token_hash=bytes(row["token_hash"]),
        app_id=row["app_id"],
        pool_id=row["pool_id"],
        user_sub=row["user_sub"],
        user_id=row["user_id"],
        created_at=row["created_at"],
        expires_at=row["expires_at"],
        revoked_at=row["revoked_at"],
    )


class MintQueries(SqlBase):
    async def create_mint_app(self, app: MintApp) -> None:
        statements: list[Any] = []
        if app.is_default:
            statements.append(update(mint_apps).values(is_default=False))
        await self._write(*statements, insert(mint_apps).values(**asdict(app)))

    async def update_mint_app(self, app: MintApp) -> None:
        """Save ``app``; when it becomes the default, no other application stays one."""
        values = asdict(app)
        del values["id"]
        statements: list[Any] = []
        if app.is_default:
            statements.append(
                update(mint_apps).where(mint_apps.c.id != app.id).values(is_default=False)
            )
        await self._write(
            *statements, update(mint_apps).where(mint_apps.c.id == app.id).values(**values)
        )

    async def get_mint_app(self, app_id: str) -> MintApp | None:
        row = await self._one(select(mint_apps).where(mint_apps.c.id == app_id))
        return _app(row) if row else None

    async def get_default_mint_app(self) -> MintApp | None:
        row = await self._one(select(mint_apps).where(mint_apps.c.is_default.is_(True)))
        return _app(row) if row else None

    async def list_mint_apps(self, pool_id: str | None) -> list[MintApp]:
        query = select(mint_apps).order_by(mint_apps.c.created_at, mint_apps.c.id)
        if pool_id is not None:
            query = query.where(mint_apps.c.pool_id == pool_id)
        return [_app(r) for r in await self._all(query)]

    async def mint_user_id(self, sub: str) -> int:
        """The user's stable integer id, given on first use and never handed out again."""
        query = select(mint_user_ids.c.id).where(mint_user_ids.c.user_sub == sub)
        row = await self._one(query)
        if row is None:
            with contextlib.suppress(IntegrityError):  # another request gave it first
                await self._write(insert(mint_user_ids).values(user_sub=sub))
            row = await self._one(query)
        return int(row["id"])

    async def create_mint_token(self, token: MintToken) -> None:
        await self._write(insert(mint_tokens).values(**asdict(token)))

    async def get_mint_token(self, token_hash: bytes) -> tuple[MintToken, bool, bool] | None:
        """The token, whether its application is enabled, and whether its user still exists
        and is enabled: one query, since every request of a signed-in user makes it."""
        t, a, u = mint_tokens, mint_apps, users
        query = (
            select(t, a.c.enabled.label("app_enabled"), u.c.enabled.label("user_enabled"))
            .join(a, a.c.id == t.c.app_id)
            .outerjoin(u, u.c.sub == t.c.user_sub)
            .where(t.c.token_hash == token_hash)
        )
        row = await self._one(query)
        if row is None:
            return None
        return _token(row), bool(row["app_enabled"]), bool(row["user_enabled"])

    async def revoke_mint_token(self, token_hash: bytes, now: float) -> None:
        await self._write(
            update(mint_tokens)
            .where(mint_tokens.c.token_hash == token_hash, mint_tokens.c.revoked_at.is_(None))
            .values(revoked_at=now)
        )
