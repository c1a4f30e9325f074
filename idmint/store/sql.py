"""``SqlStore``: the core's ``Store`` port on SQLAlchemy Core (SQLite and PostgreSQL).

The only module that speaks SQL. Reads use plain connections; writes open a transaction on the
writer engine (``BEGIN IMMEDIATE`` on SQLite). Unique-constraint violations become core errors.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    JSON,
    case,
    cast,
    delete,
    func,
    insert,
    literal,
    select,
    text,
    union_all,
    update,
)
from sqlalchemy.exc import IntegrityError

from idmint.core.errors import AliasExists, UsernameExists
from idmint.core.model import (
    AdminKey,
    AppClient,
    RefreshSession,
    SigningKey,
    User,
    UserFilter,
    UserPool,
)
from idmint.store import codec
from idmint.store.accounts import AccountQueries
from idmint.store.attempts import AttemptQueries
from idmint.store.base import SqlBase
from idmint.store.branding import BrandingQueries
from idmint.store.codes import ChallengeQueries, CodeQueries
from idmint.store.groups import GroupQueries
from idmint.store.mint import MintQueries
from idmint.store.oauth import OAuthQueries
from idmint.store.outbox import OutboxQueries
from idmint.store.partners import PartnerQueries
from idmint.store.schema import (
    admin_keys,
    app_clients,
    hosted_sessions,
    mint_tokens,
    refresh_sessions,
    server_secrets,
    sign_in_attempts,
    signing_keys,
    ui_customizations,
    user_aliases,
    user_pools,
    users,
    verification_codes,
)

_USERNAME_CONSTRAINTS = (
    "uq_users_pool_username",
    "users.pool_id, users.username_key",
    "users_pkey",
    "users.sub",
)


class SqlStore(
    AccountQueries,
    AttemptQueries,
    BrandingQueries,
    CodeQueries,
    ChallengeQueries,
    GroupQueries,
    OutboxQueries,
    MintQueries,
    OAuthQueries,
    PartnerQueries,
    SqlBase,
):
    # Signing and admin keys -------------------------------------------------------------

    async def list_signing_keys(self) -> list[SigningKey]:
        rows = await self._all(select(signing_keys).order_by(signing_keys.c.created_at))
        return [
            SigningKey(
                kid=r["kid"],
                private_pem=bytes(r["private_pem"]),
                created_at=r["created_at"],
                retired_at=r["retired_at"],
            )
            for r in rows
        ]

    async def add_signing_key(self, key: SigningKey, *, retire_others_at: float | None) -> None:
        statements: list[Any] = []
        if retire_others_at is not None:
            statements.append(
                update(signing_keys)
                .where(signing_keys.c.retired_at.is_(None))
                .values(retired_at=retire_others_at)
            )
        statements.append(
            insert(signing_keys).values(
                kid=key.kid,
                private_pem=key.private_pem,
                created_at=key.created_at,
                retired_at=key.retired_at,
            )
        )
        await self._write(*statements)

    async def add_admin_key(self, key: AdminKey) -> None:
        await self._write(
            insert(admin_keys).values(
                access_key_id=key.access_key_id,
                secret_access_key=key.secret_access_key,
                created_at=key.created_at,
                enabled=key.enabled,
            )
        )

    async def get_admin_key(self, access_key_id: str) -> AdminKey | None:
        row = await self._one(select(admin_keys).where(admin_keys.c.access_key_id == access_key_id))
        return AdminKey(**row) if row else None

    async def list_admin_keys(self) -> list[AdminKey]:
        return [
            AdminKey(**r)
            for r in await self._all(select(admin_keys).order_by(admin_keys.c.created_at))
        ]

    async def server_secret(self, name: str, candidate: bytes, now: float) -> bytes:
        query = select(server_secrets.c.value).where(server_secrets.c.name == name)
        row = await self._one(query)
        if row is None:
            with contextlib.suppress(IntegrityError):  # another node stored its candidate first
                await self._write(
                    insert(server_secrets).values(name=name, value=candidate, created_at=now)
                )
            row = await self._one(query)
        return bytes(row["value"])

    # User pools -------------------------------------------------------------------------

    async def create_pool(self, pool: UserPool) -> None:
        await self._write(insert(user_pools).values(**codec.pool_row(pool)))

    async def get_pool(self, pool_id: str) -> UserPool | None:
        row = await self._one(select(user_pools).where(user_pools.c.id == pool_id))
        return codec.pool_from_row(row) if row else None

    async def list_pools(self, limit: int, after: str | None) -> list[UserPool]:
        query = select(user_pools).order_by(user_pools.c.id).limit(limit)
        if after is not None:
            query = query.where(user_pools.c.id > after)
        return [codec.pool_from_row(r) for r in await self._all(query)]

    async def update_pool(self, pool: UserPool) -> None:
        row = codec.pool_row(pool)
        await self._write(update(user_pools).where(user_pools.c.id == pool.id).values(**row))

    async def delete_pool(self, pool_id: str) -> bool:
        # Children first: SQLite cascades only with foreign_keys=ON, and sessions have no
        # direct pool foreign key.
        return bool(
            await self._write(
                delete(refresh_sessions).where(refresh_sessions.c.pool_id == pool_id),
                delete(verification_codes).where(
                    verification_codes.c.user_sub.in_(
                        select(users.c.sub).where(users.c.pool_id == pool_id)
                    )
                ),
                delete(sign_in_attempts).where(sign_in_attempts.c.pool_id == pool_id),
                delete(user_pools).where(user_pools.c.id == pool_id),
            )
        )

    async def count_users(self, pool_id: str) -> int:
        row = await self._one(
            select(func.count()).select_from(users).where(users.c.pool_id == pool_id)
        )
        return int(row[next(iter(row.keys()))])

    # App clients ------------------------------------------------------------------------

    async def create_client(self, client: AppClient) -> None:
        await self._write(insert(app_clients).values(**codec.client_row(client)))

    async def get_client(self, client_id: str) -> AppClient | None:
        row = await self._one(select(app_clients).where(app_clients.c.id == client_id))
        return codec.client_from_row(row) if row else None

    async def list_clients(self, pool_id: str, limit: int, after: str | None) -> list[AppClient]:
        query = (
            select(app_clients)
            .where(app_clients.c.pool_id == pool_id)
            .order_by(app_clients.c.id)
            .limit(limit)
        )
        if after is not None:
            query = query.where(app_clients.c.id > after)
        return [codec.client_from_row(r) for r in await self._all(query)]

    async def update_client(self, client: AppClient) -> None:
        row = codec.client_row(client)
        await self._write(update(app_clients).where(app_clients.c.id == client.id).values(**row))

    async def delete_client(self, client_id: str) -> bool:
        return bool(
            await self._write(
                delete(refresh_sessions).where(refresh_sessions.c.client_id == client_id),
                delete(ui_customizations).where(ui_customizations.c.client_id == client_id),
                delete(app_clients).where(app_clients.c.id == client_id),
            )
        )

    # Users ------------------------------------------------------------------------------

    async def create_user(self, user: User, username_key: str, alias_keys: Sequence[str]) -> None:
        try:
            async with self._writer.begin() as conn:
                await conn.execute(insert(users).values(**codec.user_row(user, username_key)))
                for key in alias_keys:
                    await conn.execute(
                        insert(user_aliases).values(
                            pool_id=user.pool_id, alias_key=key, user_sub=user.sub
                        )
                    )
        except IntegrityError as exc:
            # Which unique constraint failed, in SQLite's and PostgreSQL's wording; anything else
            # (a foreign key, say) is not the caller's conflict and propagates.
            detail = str(exc.orig)
            if "user_aliases" in detail:
                raise AliasExists() from exc
            if any(name in detail for name in _USERNAME_CONSTRAINTS):
                raise UsernameExists() from exc
            raise

    async def find_user(self, pool_id: str, username_key: str, alias_key: str) -> User | None:
        # One round trip whether the name is a username, an alias or unknown, so the time of a
        # look-up does not tell which (DESIGN rule 4); a username wins over an alias.
        by_name = select(users, literal(0).label("rank")).where(
            users.c.pool_id == pool_id, users.c.username_key == username_key
        )
        by_alias = (
            select(users, literal(1).label("rank"))
            .join(user_aliases, user_aliases.c.user_sub == users.c.sub)
            .where(user_aliases.c.pool_id == pool_id, user_aliases.c.alias_key == alias_key)
        )
        query = union_all(by_name, by_alias).order_by(text("rank")).limit(1)
        async with self.engine.connect() as conn:
            row = (await conn.execute(query)).mappings().first()
        return codec.user_from_row(dict(row)) if row else None

    async def get_user(self, pool_id: str, sub: str) -> User | None:
        row = await self._one(select(users).where(users.c.pool_id == pool_id, users.c.sub == sub))
        return codec.user_from_row(row) if row else None

    async def update_user(self, user: User, alias_keys: Sequence[str] | None = None) -> None:
        statements: list[Any] = [
            update(users)
            .where(users.c.sub == user.sub)
            .values(
                status=user.status.value,
                enabled=user.enabled,
                attributes=codec.dumps(dict(user.attributes)),
                password_hash=user.password_hash,
                password_set_at=user.password_set_at,
                srp_salt=user.srp_salt,
                srp_verifier=user.srp_verifier,
                updated_at=user.updated_at,
            )
        ]
        if alias_keys is not None:
            statements.append(
                delete(user_aliases).where(
                    user_aliases.c.pool_id == user.pool_id, user_aliases.c.user_sub == user.sub
                )
            )
            statements.extend(
                insert(user_aliases).values(pool_id=user.pool_id, alias_key=key, user_sub=user.sub)
                for key in dict.fromkeys(alias_keys)
            )
        try:
            await self._write(*statements)
        except IntegrityError as exc:
            if "user_aliases" in str(exc.orig):
                raise AliasExists() from exc
            raise

    async def delete_user(self, pool_id: str, sub: str) -> bool:
        return bool(
            await self._write(
                delete(refresh_sessions).where(
                    refresh_sessions.c.pool_id == pool_id, refresh_sessions.c.user_sub == sub
                ),
                delete(user_aliases).where(
                    user_aliases.c.pool_id == pool_id, user_aliases.c.user_sub == sub
                ),
                delete(verification_codes).where(verification_codes.c.user_sub == sub),
                delete(sign_in_attempts).where(
                    sign_in_attempts.c.pool_id == pool_id, sign_in_attempts.c.subject == sub
                ),
                delete(users).where(users.c.pool_id == pool_id, users.c.sub == sub),
            )
        )

    async def list_users(
        self, pool_id: str, limit: int, after: str | None, where: UserFilter | None = None
    ) -> list[User]:
        query = select(users).where(users.c.pool_id == pool_id).order_by(users.c.sub).limit(limit)
        if after is not None:
            query = query.where(users.c.sub > after)
        if where is not None:
            # Cognito ListUsers Filter. The pseudo-attributes are columns; the others are read
            # from the JSON text (a user without the attribute has NULL there: never a match).
            column: Any = {
                "username": users.c.username_key,
                "sub": users.c.sub,
                "cognito:user_status": users.c.status,
                "status": case((users.c.enabled, "Enabled"), else_="Disabled"),
            }.get(where.attribute)
            if column is None and self.engine.dialect.name == "postgresql":
                column = cast(users.c.attributes, JSON)[where.attribute].as_string()
            elif column is None:
                column = func.json_extract(users.c.attributes, f'$."{where.attribute}"')
            if where.prefix:  # compare the leading characters: no LIKE, so no % or _ to escape
                column = func.substr(column, 1, len(where.value))
            query = query.where(column == where.value)
        return [codec.user_from_row(r) for r in await self._all(query)]

    # Refresh sessions -------------------------------------------------------------------

    async def create_session(self, session: RefreshSession) -> None:
        await self._write(insert(refresh_sessions).values(**codec.session_row(session)))

    async def get_session_by_token_hash(self, token_hash: bytes) -> RefreshSession | None:
        row = await self._one(
            select(refresh_sessions).where(refresh_sessions.c.token_hash == token_hash)
        )
        return codec.session_from_row(row) if row else None

    async def get_session_and_user(self, session_id: str) -> tuple[RefreshSession, User] | None:
        found = await self._row_and_user(refresh_sessions, refresh_sessions.c.id == session_id)
        return None if found is None else (codec.session_from_row(found[0]), found[1])

    async def revoke_session(self, session_id: str, now: float) -> None:
        await self._write(
            update(refresh_sessions)
            .where(refresh_sessions.c.id == session_id, refresh_sessions.c.revoked_at.is_(None))
            .values(revoked_at=now)
        )

    async def revoke_user_sessions(self, pool_id: str, sub: str, now: float) -> int:
        """End every sign-in of the user: hosted-page sessions, mint user tokens and refresh
        sessions; the count is that of the refresh sessions."""
        return await self._write(
            update(hosted_sessions)
            .where(
                hosted_sessions.c.user_sub == sub,
                hosted_sessions.c.pool_id == pool_id,
                hosted_sessions.c.revoked_at.is_(None),
            )
            .values(revoked_at=now),
            update(mint_tokens)
            .where(
                mint_tokens.c.user_sub == sub,
                mint_tokens.c.pool_id == pool_id,
                mint_tokens.c.revoked_at.is_(None),
            )
            .values(revoked_at=now),
            update(refresh_sessions)
            .where(
                refresh_sessions.c.user_sub == sub,
                refresh_sessions.c.pool_id == pool_id,
                refresh_sessions.c.revoked_at.is_(None),
            )
            .values(revoked_at=now),
        )
