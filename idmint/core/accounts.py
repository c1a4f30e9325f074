"""Web accounts (seed 001 ``UserInfo``), made out of band before their first login: by the
signup endpoint or by an operator (``idmint accounts create``). Usernames are unique without
regard to case; see ``idmint.core.profiles`` for their rules."""

from __future__ import annotations

import uuid
from dataclasses import replace

from idmint.core.errors import ResourceNotFound
from idmint.core.ids import new_uuid
from idmint.core.model import Account
from idmint.core.ports import Clock, Store
from idmint.core.profiles import check_profile, check_username, username_key


async def create_account(
    store: Store,
    clock: Clock,
    issuer: str,
    subject: str,
    username: object,
    *,
    profile: object = None,
    is_admin: bool = False,
) -> Account:
    """A new account for an identity (``UsernameExists``: taken; ``Conflict``: the identity
    has one already)."""
    name = check_username(username)
    now = clock()
    account = Account(
        id=new_uuid(),
        issuer=issuer,
        subject=subject,
        username=name,
        profile=check_profile(profile),
        is_admin=is_admin,
        created_at=now,
        updated_at=now,
    )
    await store.create_account(account, username_key(name))
    return account


async def find_account(store: Store, id_or_username: str) -> Account:
    account = await store.find_account_by_username(username_key(id_or_username))
    if account is None:
        try:
            account = await store.get_account(str(uuid.UUID(id_or_username)))
        except ValueError:
            account = None
    if account is None:
        raise ResourceNotFound(f"No account {id_or_username}.")
    return account


async def set_admin(store: Store, clock: Clock, id_or_username: str, is_admin: bool) -> Account:
    account = await find_account(store, id_or_username)
    updated = replace(account, is_admin=is_admin, updated_at=clock())
    await store.update_account(updated, username_key(updated.username))
    return updated
