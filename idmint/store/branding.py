"""The hosted pages' customization (Cognito SetUICustomization; ``Store`` methods)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from sqlalchemy import delete, insert, select

from idmint.core.model import UiCustomization
from idmint.store.base import SqlBase
from idmint.store.schema import ui_customizations

_UI = ui_customizations


def _customization(row: Any) -> UiCustomization:
    image = row["image"]
    return UiCustomization(
        pool_id=row["pool_id"],
        client_id=row["client_id"],
        css=row["css"],
        image=bytes(image) if image is not None else None,
        image_type=row["image_type"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


class BrandingQueries(SqlBase):
    async def get_ui_customization(self, pool_id: str, client_id: str) -> UiCustomization | None:
        row = await self._one(
            select(_UI).where(_UI.c.pool_id == pool_id, _UI.c.client_id == client_id)
        )
        return _customization(row) if row else None

    async def put_ui_customization(self, customization: UiCustomization) -> None:
        """Replace the customization of (pool, client) in one transaction."""
        c = customization
        await self._write(
            delete(_UI).where(_UI.c.pool_id == c.pool_id, _UI.c.client_id == c.client_id),
            insert(_UI).values(**asdict(c)),
        )
