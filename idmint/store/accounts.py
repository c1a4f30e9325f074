"""Web accounts and their sessions (``Store`` account methods; seed 001)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from idmint.core.errors import Conflict, UsernameExists
from idmint.core.model import Account, WebSession
from idmint.store.base import SqlBase
from idmint.store.schema import accounts, web_sessions


def _account(row: Any) -> Account:
    return Account(
        id=row["id"],
        issuer=row["issuer"],
        subject=row["subject"],
        username=row["username"],
        avatar=row["avatar"],
        emblem=row["emblem"],
        profile=row["profile"],
        is_admin=bool(row["is_admin"]),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def _session(row: Any) -> WebSession:
    return WebSession(
        id=row["id"],
        token_hash=bytes(row["token_hash"]),
        account_id=row["account_id"],
        origin_jti=row["origin_jti"],
        created_at=row["created_at"],
        last_seen_at=row["last_seen_at"],
        expires_at=row["expires_at"],
        revoked_at=row["revoked_at"],
    )


def _conflict(exc: IntegrityError) -> Exception:
    detail = str(exc.orig)
    if "username_key" in detail:
        return UsernameExists("That username is taken.")
    if "uq_accounts_identity" in detail or "accounts.issuer" in detail:
        return Conflict("An account is already linked to this identity.")
    return exc


class AccountQueries(SqlBase):
    async def create_account(self, account: Account, username_key: str) -> None:
        try:
            await self._write(insert(accounts).values(**asdict(account), username_key=username_key))
        except IntegrityError as exc:
            raise _conflict(exc) from exc

    async def update_account(self, account: Account, username_key: str) -> None:
        values = asdict(account)
        del values["id"]
        try:
            await self._write(
                update(accounts)
                .where(accounts.c.id == account.id)
                .values(**values, username_key=username_key)
            )
        except IntegrityError as exc:
            raise _conflict(exc) from exc

    async def get_account(self, account_id: str) -> Account | None:
        row = await self._one(select(accounts).where(accounts.c.id == account_id))
        return _account(row) if row else None

    async def find_account(self, issuer: str, subject: str) -> Account | None:
        row = await self._one(
            select(accounts).where(accounts.c.issuer == issuer, accounts.c.subject == subject)
        )
        return _account(row) if row else None

    async def find_account_by_username(self, username_key: str) -> Account | None:
        row = await self._one(select(accounts).where(accounts.c.username_key == username_key))
        return _account(row) if row else None

    async def list_accounts(self, limit: int, after: str | None) -> list[Account]:
        query = select(accounts).order_by(accounts.c.id).limit(limit)
        if after is not None:
            query = query.where(accounts.c.id > after)
        return [_account(r) for r in await self._all(query)]

    async def create_web_session(self, session: WebSession) -> None:
        await self._write(insert(web_sessions).values(**asdict(session)))

    async def get_web_session(self, session_id: str) -> WebSession | None:
        row = await self._one(select(web_sessions).where(web_sessions.c.id == session_id))
        return _session(row) if row else None

    async def get_web_session_by_hash(self, token_hash: bytes) -> WebSession | None:
        row = await self._one(select(web_sessions).where(web_sessions.c.token_hash == token_hash))
        return _session(row) if row else None

    async def touch_web_session(self, session_id: str, now: float) -> None:
        await self._write(
            update(web_sessions).where(web_sessions.c.id == session_id).values(last_seen_at=now)
        )

    async def revoke_web_session(self, session_id: str, now: float) -> None:
        await self._write(
            update(web_sessions)
            .where(web_sessions.c.id == session_id, web_sessions.c.revoked_at.is_(None))
            .values(revoked_at=now)
        )
