"""User pool and app client administration (Cognito CreateUserPool, DescribeUserPool,
ListUserPools, UpdateUserPool, DeleteUserPool, CreateUserPoolClient, DescribeUserPoolClient,
ListUserPoolClients, UpdateUserPoolClient, DeleteUserPoolClient)."""

from __future__ import annotations

from dataclasses import replace

from idmint.core.attributes import ALIAS_ATTRIBUTES, STANDARD_NAMES, USERNAME_ATTRIBUTES, VERIFIABLE
from idmint.core.client_oauth import check_oauth
from idmint.core.context import Context
from idmint.core.errors import Conflict, InvalidParameter
from idmint.core.ids import new_client_id, new_client_secret, new_pool_id
from idmint.core.model import (
    AppClient,
    AttributeSchema,
    ClientSettings,
    PoolSettings,
    UserPool,
    Validity,
    settings_of,
)

# Cognito's bounds for token validity (CreateUserPoolClient, TokenValidityUnits).
_ID_ACCESS_RANGE = (5 * 60, 86400)
_REFRESH_RANGE = (3600, 3650 * 86400)


def _check_pool(spec: PoolSettings) -> tuple[AttributeSchema, ...]:
    if spec.username_attributes and spec.alias_attributes:
        raise InvalidParameter(
            "Only one of the aliasAttributes or usernameAttributes can be set in a User Pool."
        )
    if not set(spec.username_attributes) <= USERNAME_ATTRIBUTES:
        raise InvalidParameter("UsernameAttributes may contain only email and phone_number.")
    if not set(spec.alias_attributes) <= ALIAS_ATTRIBUTES:
        raise InvalidParameter(
            "AliasAttributes may contain only email, phone_number and preferred_username."
        )
    if not set(spec.auto_verified_attributes) <= VERIFIABLE:
        raise InvalidParameter("AutoVerifiedAttributes may contain only email and phone_number.")
    policy = spec.password_policy
    if not 6 <= policy.minimum_length <= 99:
        raise InvalidParameter("Password policy minimum length must be between 6 and 99.")
    schema: list[AttributeSchema] = []
    seen: set[str] = set()
    for attr in spec.schema:
        name = attr.name
        if name not in STANDARD_NAMES:
            if attr.required:
                raise InvalidParameter("Required custom attributes are not supported currently.")
            name = name if name.startswith("custom:") else f"custom:{name}"
        if name in seen:
            raise InvalidParameter(f"Duplicate attribute in schema: {name}")
        seen.add(name)
        schema.append(replace(attr, name=name))
    return tuple(schema)


def _check_validity(name: str, value: Validity, bounds: tuple[int, int]) -> None:
    low, high = bounds
    if not low <= value.seconds <= high:
        raise InvalidParameter(
            f"{name} validity must be between {low // 60} minutes and {high // 86400} days; "
            f"got {value.amount} {value.unit}."
        )


def _check_client(pool: UserPool, spec: ClientSettings, *, has_secret: bool) -> None:
    """Cognito CreateUserPoolClient / UpdateUserPoolClient's rules; ``has_secret``: whether
    the client has or is being given a secret (GenerateSecret)."""
    _check_validity("Access token", spec.access_token_validity, _ID_ACCESS_RANGE)
    _check_validity("ID token", spec.id_token_validity, _ID_ACCESS_RANGE)
    _check_validity("Refresh token", spec.refresh_token_validity, _REFRESH_RANGE)
    known = {a.name for a in pool.schema} | STANDARD_NAMES
    for attrs in (spec.read_attributes or (), spec.write_attributes or ()):
        for name in attrs:
            if name not in known:
                raise InvalidParameter(f"Invalid read or write attribute: {name}")
    check_oauth(spec.oauth, pool_id=pool.id, has_secret=has_secret)


class PoolAdmin:
    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx

    async def create_pool(self, spec: PoolSettings) -> UserPool:
        schema = _check_pool(spec)
        now = self._ctx.clock()
        pool = UserPool(
            **settings_of(replace(spec, schema=schema), PoolSettings),
            id=new_pool_id(self._ctx.region),
            created_at=now,
            updated_at=now,
        )
        await self._ctx.store.create_pool(pool)
        return pool

    async def describe_pool(self, pool_id: str) -> tuple[UserPool, int]:
        pool = await self._ctx.pool(pool_id)
        return pool, await self._ctx.store.count_users(pool_id)

    async def list_pools(self, limit: int, after: str | None) -> tuple[list[UserPool], str | None]:
        pools = await self._ctx.store.list_pools(limit, self._ctx.page_token(after))
        return pools, self._ctx.next_page_token([p.id for p in pools], limit)

    async def update_pool(self, pool_id: str, spec: PoolSettings) -> UserPool:
        """Cognito UpdateUserPool: every setting not given returns to its default, as in
        Cognito, except those fixed at creation (Schema, UsernameAttributes, AliasAttributes,
        UsernameConfiguration), which are kept."""
        current = await self._ctx.pool(pool_id)
        spec = replace(
            spec,
            schema=current.schema,
            username_attributes=current.username_attributes,
            alias_attributes=current.alias_attributes,
            case_sensitive=current.case_sensitive,
        )
        _check_pool(spec)
        pool = replace(current, **settings_of(spec, PoolSettings), updated_at=self._ctx.clock())
        await self._ctx.store.update_pool(pool)
        return pool

    async def delete_pool(self, pool_id: str) -> None:
        pool = await self._ctx.pool(pool_id)
        if pool.deletion_protection:
            raise Conflict(
                "The user pool cannot be deleted because deletion protection is "
                "activated. Deletion protection must be inactivated first."
            )
        await self._ctx.store.delete_pool(pool_id)

    async def create_client(
        self, pool_id: str, spec: ClientSettings, *, generate_secret: bool = False
    ) -> AppClient:
        pool = await self._ctx.pool(pool_id)
        _check_client(pool, spec, has_secret=generate_secret)
        now = self._ctx.clock()
        secret = new_client_secret() if generate_secret else None
        client = self._client(
            spec, id=new_client_id(), pool_id=pool_id, created_at=now, secret=secret
        )
        await self._ctx.store.create_client(client)
        return client

    def _client(
        self, spec: ClientSettings, *, id: str, pool_id: str, created_at: float, secret: str | None
    ) -> AppClient:
        return AppClient(
            **settings_of(spec, ClientSettings),
            id=id,
            pool_id=pool_id,
            created_at=created_at,
            updated_at=self._ctx.clock(),
            secret=secret,
        )

    async def describe_client(self, pool_id: str, client_id: str) -> AppClient:
        await self._ctx.pool(pool_id)
        return await self._ctx.client(client_id, pool_id)

    async def list_clients(
        self, pool_id: str, limit: int, after: str | None
    ) -> tuple[list[AppClient], str | None]:
        await self._ctx.pool(pool_id)
        clients = await self._ctx.store.list_clients(pool_id, limit, self._ctx.page_token(after))
        return clients, self._ctx.next_page_token([c.id for c in clients], limit)

    async def update_client(self, pool_id: str, client_id: str, spec: ClientSettings) -> AppClient:
        """Replace the client's settings: as in Cognito, omitted settings return to defaults."""
        pool = await self._ctx.pool(pool_id)
        current = await self._ctx.client(client_id, pool_id)
        _check_client(pool, spec, has_secret=current.secret is not None)
        client = self._client(
            spec,
            id=current.id,
            pool_id=pool_id,
            created_at=current.created_at,
            secret=current.secret,
        )
        await self._ctx.store.update_client(client)
        return client

    async def delete_client(self, pool_id: str, client_id: str) -> None:
        await self._ctx.pool(pool_id)
        await self._ctx.client(client_id, pool_id)
        await self._ctx.store.delete_client(client_id)
