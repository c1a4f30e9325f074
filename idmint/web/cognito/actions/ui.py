"""Hosted UI (classic) branding actions: SetUICustomization and GetUICustomization.

Amazon Cognito API reference, API_SetUICustomization.html and API_GetUICustomization.html;
the response member is ``UICustomizationType``. Both are admin actions (SigV4), which the
endpoint checks for every operation the model does not mark public.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Callable

from idmint.core.branding import logo_path
from idmint.core.model import UiCustomization
from idmint.web.cognito.actions._base import ACTIONS, Action, Env, Request, Response


def _registered(name: str) -> Callable[[Action], Action]:
    """``@action`` derives ``SetUiCustomization`` from the function name; Cognito spells the
    acronym ``UI``, so these register under their exact names."""

    def register(fn: Action) -> Action:
        ACTIONS[name] = fn
        return fn

    return register


@_registered("SetUICustomization")
async def set_ui_customization(env: Env, req: Request) -> Response:
    image = req.get("ImageFile")
    customization = await env.service.branding.set_ui_customization(
        req["UserPoolId"],
        req.get("ClientId"),
        req.get("CSS"),
        # The model's validation has checked it is Base64 (botocore encodes the bytes).
        base64.b64decode(image) if image else None,
    )
    return {"UICustomization": _render(env, customization)}


@_registered("GetUICustomization")
async def get_ui_customization(env: Env, req: Request) -> Response:
    customization = await env.service.branding.get_ui_customization(
        req["UserPoolId"], req.get("ClientId")
    )
    # "If nothing is present, then an empty shape is returned."
    return {"UICustomization": _render(env, customization) if customization else {}}


def _render(env: Env, c: UiCustomization) -> Response:
    out: Response = {"UserPoolId": c.pool_id, "ClientId": c.client_id}
    if c.image is not None:
        out["ImageUrl"] = env.public_url.rstrip("/") + logo_path(c)
    if c.css is not None:
        out["CSS"] = c.css
    # Cognito's CSSVersion is the UTC time of the change, e.g. "20250115191928".
    out["CSSVersion"] = time.strftime("%Y%m%d%H%M%S", time.gmtime(c.updated_at))
    out["LastModifiedDate"] = c.updated_at
    out["CreationDate"] = c.created_at
    return out
