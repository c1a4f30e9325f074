"""The key manager: loads the key ring from the store, creates the first key, rotates.

Nodes sharing a database converge without coordination: each reloads the ring every
``reload_seconds`` and at once (rate-limited) when it meets a ``kid`` it does not know.
"""

from __future__ import annotations

import asyncio

from idmint.core.keys import KeyRing, generate_signing_key
from idmint.core.model import SigningKey
from idmint.core.ports import Clock, Store


class KeyManager:
    def __init__(self, store: Store, clock: Clock, *, reload_seconds: float = 60.0) -> None:
        self._store = store
        self._clock = clock
        self._reload_seconds = reload_seconds
        self._ring: KeyRing | None = None
        self._loaded_at = 0.0
        self._lock = asyncio.Lock()

    async def start(self) -> KeyRing:
        """Load the ring, generating and persisting the first key on an empty database."""
        if not await self._store.list_signing_keys():
            key = await asyncio.to_thread(generate_signing_key, self._clock())
            await self._store.add_signing_key(key, retire_others_at=None)
        return await self._reload()

    async def _reload(self) -> KeyRing:
        async with self._lock:
            keys = await self._store.list_signing_keys()
            self._ring = KeyRing(keys)
            self._loaded_at = self._clock()
            return self._ring

    async def ring(self) -> KeyRing:
        if self._ring is None or self._clock() - self._loaded_at > self._reload_seconds:
            return await self._reload()
        return self._ring

    async def ring_for(self, kid: object) -> KeyRing:
        """The ring, reloaded first if ``kid`` is unknown (at most once a second)."""
        ring = await self.ring()
        if isinstance(kid, str) and kid not in ring.kids and self._clock() - self._loaded_at > 1.0:
            ring = await self._reload()
        return ring

    async def rotate(self) -> SigningKey:
        """Make a new active key; the previous ones stay published until their tokens expire."""
        now = self._clock()
        key = await asyncio.to_thread(generate_signing_key, now)
        await self._store.add_signing_key(key, retire_others_at=now)
        await self._reload()
        return key
