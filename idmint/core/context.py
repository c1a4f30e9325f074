"""What every use case shares: the store, hasher, keys, clock, issuer, and common look-ups."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from idmint.core import srp
from idmint.core.attributes import alias_keys
from idmint.core.errors import (
    InvalidParameter,
    ResourceNotFound,
    SecretHashMismatch,
    UserNotFound,
)
from idmint.core.model import AppClient, User, UserPool
from idmint.core.passwords import PasswordHasher, check_policy
from idmint.core.ports import Clock, MessageSender, Store
from idmint.core.signing import KeyManager

_ID = re.compile(r"[\w-]{1,128}", re.ASCII)


def secret_hash(client_secret: str, username: str, client_id: str) -> str:
    """Base64(HMAC-SHA256(client secret, username + client id)): Cognito's SECRET_HASH."""
    digest = hmac.new(
        client_secret.encode(), (username + client_id).encode(), hashlib.sha256
    ).digest()
    return base64.b64encode(digest).decode("ascii")


@dataclass
class Context:
    store: Store
    sender: MessageSender
    hasher: PasswordHasher
    keys: KeyManager
    clock: Clock
    issuer: Callable[[str], str]
    """Maps a pool id to the ``iss`` of its tokens."""
    secret: bytes
    """A random server-wide secret shared by every node (``Store.server_secret``): the key of
    values that must be stable and unguessable, such as simulated answers for unknown users."""
    region: str = "us-east-1"

    def derive(self, label: str, *parts: str) -> bytes:
        """HMAC-SHA256 of ``parts`` under the server secret, separated by ``label``."""
        data = "\x00".join((label, *parts)).encode("utf-8")
        return hmac.new(self.secret, data, hashlib.sha256).digest()

    async def pool(self, pool_id: str) -> UserPool:
        pool = await self.store.get_pool(pool_id)
        if pool is None:
            raise ResourceNotFound(f"User pool {pool_id} does not exist.")
        return pool

    async def client(self, client_id: str, pool_id: str | None = None) -> AppClient:
        # No stored id holds a NUL, and PostgreSQL text refuses one.
        client = None if "\x00" in client_id else await self.store.get_client(client_id)
        if client is None or (pool_id is not None and client.pool_id != pool_id):
            raise ResourceNotFound(f"User pool client {client_id} does not exist.")
        return client

    @staticmethod
    def username_key(pool: UserPool, username: str) -> str:
        return username if pool.case_sensitive else username.lower()

    async def find_user(self, pool: UserPool, username: str) -> User | None:
        """Look a user up by username or by a sign-in alias (email, phone, ...)."""
        if "\x00" in username:  # no stored name has one, and PostgreSQL text refuses it
            return None
        return await self.store.find_user(
            pool.id, self.username_key(pool, username), username.lower()
        )

    async def public_user(
        self, client_id: str, username: str, secret_hash: str | None, *, hide: bool = False
    ) -> tuple[AppClient, UserPool, User | None]:
        """Client, pool and user of an unauthenticated request naming a user. An unknown user
        is None when the client hides user existence (PreventUserExistenceErrors ENABLED) or
        the caller does (``hide``: the hosted pages), so the caller can answer as for a known
        one; otherwise ``UserNotFound``."""
        client = await self.client(client_id)
        self.check_secret_hash(client, secret_hash, username)
        pool = await self.pool(client.pool_id)
        user = await self.find_user(pool, username)
        if user is None and not (hide or client.prevent_user_existence_errors):
            raise UserNotFound("Username/client id combination not found.")
        return client, pool, user

    async def user(self, pool: UserPool, username: str) -> User:
        user = await self.find_user(pool, username)
        if user is None:
            raise UserNotFound()
        return user

    async def credentials(self, pool: UserPool, username: str, password: str) -> dict[str, Any]:
        """The ``User`` fields that set a new password, after checking the pool's policy: the
        argon2id hash, the SRP salt and verifier (for ``username``, the internal username
        Cognito clients call USER_ID_FOR_SRP) and when it was set. Both computed off the loop,
        by one job."""
        check_policy(pool.password_policy, password)
        salt = srp.new_salt()
        password_hash, verifier = await self.hasher.hash_with(
            password, srp.verifier, pool.id, username, password, salt
        )
        return {
            "password_hash": password_hash,
            "srp_salt": salt,
            "srp_verifier": srp.to_bytes(verifier),
            "password_set_at": self.clock(),
        }

    async def save_user(self, pool: UserPool, user: User) -> None:
        """Save a user whose attributes may have changed, with its sign-in aliases recomputed
        (``AliasExists`` if another user already signs in with one of them)."""
        await self.store.update_user(user, alias_keys(pool, user.attributes))

    @staticmethod
    def page_token(token: str | None) -> str | None:
        """A list's pagination token: the last id of the previous page (ids are ``[\\w-]+``)."""
        if token is not None and not _ID.fullmatch(token):
            raise InvalidParameter("Invalid pagination token.")
        return token

    @staticmethod
    def next_page_token(ids: Sequence[str], limit: int) -> str | None:
        """The token for the page after ``ids``: its last id, if the page was full."""
        return ids[-1] if ids and len(ids) == limit else None

    @staticmethod
    def check_client_secret(client: AppClient, given: str | None) -> None:
        """Require the client secret itself (GetTokensFromRefreshToken, RevokeToken)."""
        if client.secret is None:
            return
        if not given:
            raise SecretHashMismatch(
                f"Client {client.id} is configured with secret but SECRET_HASH was not received"
            )
        if not hmac.compare_digest(client.secret.encode(), given.encode()):
            raise SecretHashMismatch(f"Unable to verify secret hash for client {client.id}")

    @staticmethod
    def check_secret_hash(client: AppClient, given: str | None, *usernames: str) -> None:
        """Require SECRET_HASH for clients with a secret; accept it for any of ``usernames``."""
        if client.secret is None:
            return
        if not given:
            raise SecretHashMismatch(
                f"Client {client.id} is configured with secret but SECRET_HASH was not received"
            )
        ok = False
        for name in usernames:
            ok |= hmac.compare_digest(
                secret_hash(client.secret, name, client.id).encode(), given.encode()
            )
        if not ok:
            raise SecretHashMismatch(f"Unable to verify secret hash for client {client.id}")
