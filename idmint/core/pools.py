"""User pool and app client administration (Cognito CreateUserPool, DescribeUserPool,
ListUserPools, DeleteUserPool, CreateUserPoolClient, DescribeUserPoolClient,
ListUserPoolClients, UpdateUserPoolClient, DeleteUserPoolClient)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from idmint.core.attributes import ALIAS_ATTRIBUTES, STANDARD_NAMES, USERNAME_ATTRIBUTES, VERIFIABLE
from idmint.core.context import Context
from idmint.core.errors import Conflict, InvalidParameter
from idmint.core.ids import new_client_id, new_client_secret, new_pool_id
from idmint.core.model import (
    AppClient,
    AttributeSchema,
    AuthFlow,
    JSONValue,
    PasswordPolicy,
    UserPool,
    Validity,
)

# Cognito's bounds for token validity (CreateUserPoolClient, TokenValidityUnits).
_ID_ACCESS_RANGE = (5 * 60, 86400)
_REFRESH_RANGE = (3600, 3650 * 86400)


@dataclass(frozen=True, slots=True)
class PoolSpec:
    name: str
    password_policy: PasswordPolicy = field(default_factory=PasswordPolicy)
    username_attributes: tuple[str, ...] = ()
    alias_attributes: tuple[str, ...] = ()
    auto_verified_attributes: tuple[str, ...] = ()
    case_sensitive: bool = False
    schema: tuple[AttributeSchema, ...] = ()
    deletion_protection: bool = False
    extra: Mapping[str, JSONValue] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ClientSpec:
    name: str
    generate_secret: bool = False
    explicit_auth_flows: frozenset[AuthFlow] | None = None
    access_token_validity: Validity = Validity(60, "minutes")
    id_token_validity: Validity = Validity(60, "minutes")
    refresh_token_validity: Validity = Validity(30, "days")
    prevent_user_existence_errors: bool = True
    enable_token_revocation: bool = True
    read_attributes: tuple[str, ...] | None = None
    write_attributes: tuple[str, ...] | None = None
    extra: Mapping[str, JSONValue] = field(default_factory=dict)


def _check_pool(spec: PoolSpec) -> tuple[AttributeSchema, ...]:
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


def _check_client(pool: UserPool, spec: ClientSpec) -> None:
    _check_validity("Access token", spec.access_token_validity, _ID_ACCESS_RANGE)
    _check_validity("ID token", spec.id_token_validity, _ID_ACCESS_RANGE)
    _check_validity("Refresh token", spec.refresh_token_validity, _REFRESH_RANGE)
    known = {a.name for a in pool.schema} | STANDARD_NAMES
    for attrs in (spec.read_attributes or (), spec.write_attributes or ()):
        for name in attrs:
            if name not in known:
                raise InvalidParameter(f"Invalid read or write attribute: {name}")


def _page(items: Sequence[object], limit: int, key: str) -> str | None:
    return key if len(items) == limit else None


class PoolAdmin:
    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx

    async def create_pool(self, spec: PoolSpec) -> UserPool:
        schema = _check_pool(spec)
        now = self._ctx.clock()
        pool = UserPool(
            id=new_pool_id(self._ctx.region),
            name=spec.name,
            created_at=now,
            updated_at=now,
            password_policy=spec.password_policy,
            username_attributes=spec.username_attributes,
            alias_attributes=spec.alias_attributes,
            auto_verified_attributes=spec.auto_verified_attributes,
            case_sensitive=spec.case_sensitive,
            schema=schema,
            deletion_protection=spec.deletion_protection,
            extra=dict(spec.extra),
        )
        await self._ctx.store.create_pool(pool)
        return pool

    async def describe_pool(self, pool_id: str) -> tuple[UserPool, int]:
        pool = await self._ctx.pool(pool_id)
        return pool, await self._ctx.store.count_users(pool_id)

    async def list_pools(self, limit: int, after: str | None) -> tuple[list[UserPool], str | None]:
        pools = await self._ctx.store.list_pools(limit, self._ctx.page_token(after))
        return pools, (_page(pools, limit, pools[-1].id) if pools else None)

    async def delete_pool(self, pool_id: str) -> None:
        pool = await self._ctx.pool(pool_id)
        if pool.deletion_protection:
            raise Conflict(
                "The user pool cannot be deleted because deletion protection is "
                "activated. Deletion protection must be inactivated first."
            )
        await self._ctx.store.delete_pool(pool_id)

    async def create_client(self, pool_id: str, spec: ClientSpec) -> AppClient:
        pool = await self._ctx.pool(pool_id)
        _check_client(pool, spec)
        now = self._ctx.clock()
        client = self._client(
            spec,
            id=new_client_id(),
            pool_id=pool_id,
            created_at=now,
            secret=new_client_secret() if spec.generate_secret else None,
        )
        await self._ctx.store.create_client(client)
        return client

    def _client(
        self, spec: ClientSpec, *, id: str, pool_id: str, created_at: float, secret: str | None
    ) -> AppClient:
        return AppClient(
            id=id,
            pool_id=pool_id,
            name=spec.name,
            created_at=created_at,
            updated_at=self._ctx.clock(),
            secret=secret,
            explicit_auth_flows=spec.explicit_auth_flows,
            access_token_validity=spec.access_token_validity,
            id_token_validity=spec.id_token_validity,
            refresh_token_validity=spec.refresh_token_validity,
            prevent_user_existence_errors=spec.prevent_user_existence_errors,
            enable_token_revocation=spec.enable_token_revocation,
            read_attributes=spec.read_attributes,
            write_attributes=spec.write_attributes,
            extra=dict(spec.extra),
        )

    async def describe_client(self, pool_id: str, client_id: str) -> AppClient:
        await self._ctx.pool(pool_id)
        return await self._ctx.client(client_id, pool_id)

    async def list_clients(
        self, pool_id: str, limit: int, after: str | None
    ) -> tuple[list[AppClient], str | None]:
        await self._ctx.pool(pool_id)
        clients = await self._ctx.store.list_clients(pool_id, limit, self._ctx.page_token(after))
        return clients, (_page(clients, limit, clients[-1].id) if clients else None)

    async def update_client(self, pool_id: str, client_id: str, spec: ClientSpec) -> AppClient:
        """Replace the client's settings: as in Cognito, omitted settings return to defaults."""
        pool = await self._ctx.pool(pool_id)
        current = await self._ctx.client(client_id, pool_id)
        _check_client(pool, spec)
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
