"""OAuth 2.0 authorization codes and hosted-page sessions (``Store`` methods)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from sqlalchemy import delete, insert, select, update

from idmint.core.model import AuthorizationCode, HostedSession, User
from idmint.store.base import SqlBase
from idmint.store.schema import authorization_codes, hosted_sessions

_CODES = authorization_codes
_KEEP_EXPIRED = 86400.0


def _code(row: Any) -> AuthorizationCode:
    return AuthorizationCode(
        code_hash=bytes(row["code_hash"]),
        pool_id=row["pool_id"],
        client_id=row["client_id"],
        user_sub=row["user_sub"],
        redirect_uri=row["redirect_uri"],
        scope=row["scope"],
        nonce=row["nonce"],
        code_challenge=row["code_challenge"],
        auth_time=row["auth_time"],
        created_at=row["created_at"],
        expires_at=row["expires_at"],
        used_at=row["used_at"],
        session_id=row["session_id"],
    )


def _hosted(row: Any) -> HostedSession:
    return HostedSession(
        id=row["id"],
        pool_id=row["pool_id"],
        user_sub=row["user_sub"],
        token_hash=bytes(row["token_hash"]),
        auth_time=row["auth_time"],
        created_at=row["created_at"],
        expires_at=row["expires_at"],
        revoked_at=row["revoked_at"],
    )


class OAuthQueries(SqlBase):
    async def create_authorization_code(self, code: AuthorizationCode) -> None:
        """Insert a code, and forget codes that expired a day ago or more (a replay that
        late finds nothing to revoke, and the table stays small)."""
        await self._write(
            delete(_CODES).where(_CODES.c.expires_at < code.created_at - _KEEP_EXPIRED),
            insert(_CODES).values(**asdict(code)),
        )

    async def get_authorization_code(self, code_hash: bytes) -> AuthorizationCode | None:
        row = await self._one(select(_CODES).where(_CODES.c.code_hash == code_hash))
        return _code(row) if row is not None else None

    async def redeem_authorization_code(
        self, code_hash: bytes, now: float
    ) -> tuple[AuthorizationCode, bool] | None:
        """Compare-and-set ``used_at`` (first use) or ``replayed_at`` (any later use) in one
        write transaction, so two concurrent exchanges cannot both be first."""
        async with self._writer.begin() as conn:
            first = (
                await conn.execute(
                    update(_CODES)
                    .where(_CODES.c.code_hash == code_hash, _CODES.c.used_at.is_(None))
                    .values(used_at=now)
                )
            ).rowcount == 1
            if not first:
                await conn.execute(
                    update(_CODES).where(_CODES.c.code_hash == code_hash).values(replayed_at=now)
                )
            row = (
                (await conn.execute(select(_CODES).where(_CODES.c.code_hash == code_hash)))
                .mappings()
                .first()
            )
        return (_code(row), first) if row is not None else None

    async def attach_code_session(self, code_hash: bytes, session_id: str) -> bool:
        count = await self._write(
            update(_CODES)
            .where(_CODES.c.code_hash == code_hash, _CODES.c.replayed_at.is_(None))
            .values(session_id=session_id)
        )
        return count == 1

    async def create_hosted_session(self, session: HostedSession) -> None:
        """Insert a session, and forget sessions that ended a day ago or more."""
        await self._write(
            delete(hosted_sessions).where(
                hosted_sessions.c.expires_at < session.created_at - _KEEP_EXPIRED
            ),
            insert(hosted_sessions).values(**asdict(session)),
        )

    async def get_hosted_session(self, token_hash: bytes) -> tuple[HostedSession, User] | None:
        found = await self._row_and_user(
            hosted_sessions, hosted_sessions.c.token_hash == token_hash
        )
        return None if found is None else (_hosted(found[0]), found[1])

    async def revoke_hosted_session(self, session_id: str, now: float) -> None:
        await self._write(
            update(hosted_sessions)
            .where(hosted_sessions.c.id == session_id, hosted_sessions.c.revoked_at.is_(None))
            .values(revoked_at=now)
        )
