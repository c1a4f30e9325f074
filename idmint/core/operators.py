"""Operator use cases behind the command line: admin keys and signing-key rotation."""

from __future__ import annotations

from idmint.core.ids import new_access_key_id, new_secret_access_key
from idmint.core.model import AdminKey, SigningKey
from idmint.core.ports import Clock, Store
from idmint.core.signing import KeyManager


async def create_admin_key(store: Store, clock: Clock) -> AdminKey:
    """A new SigV4 credential for Cognito's admin actions (shown once by the CLI)."""
    key = AdminKey(
        access_key_id=new_access_key_id(),
        secret_access_key=new_secret_access_key(),
        created_at=clock(),
    )
    await store.add_admin_key(key)
    return key


async def rotate_signing_key(store: Store, clock: Clock) -> SigningKey:
    keys = KeyManager(store, clock)
    await keys.start()
    return await keys.rotate()
