"""Admin authentication shared by every admin surface (Cognito admin actions, ``/admin/*``):
AWS Signature Version 4 made with an idmint admin key (``idmint admin-key create``)."""

from __future__ import annotations

from starlette.requests import Request

from idmint.core.ports import Store
from idmint.web.cognito import sigv4


async def authenticate_admin(request: Request, body: bytes, store: Store, now: float) -> None:
    """Check the request's SigV4 signature against the admin key it names; ``SigV4Error`` (with
    AWS's error type and wording) for anything missing, malformed, unknown, disabled or wrong."""
    signed = sigv4.SignedRequest(
        method=request.method,
        path=request.scope.get("raw_path", b"/").decode("latin-1").split("?", 1)[0],
        query=request.scope.get("query_string", b"").decode("latin-1"),
        headers=[(k.decode("latin-1"), v.decode("latin-1")) for k, v in request.scope["headers"]],
        body=body,
    )
    credential = sigv4.parse(signed)
    key = await store.get_admin_key(credential.access_key_id)
    if key is None or not key.enabled:
        raise sigv4.SigV4Error(
            "UnrecognizedClientException",
            "The security token included in the request is invalid.",
        )
    sigv4.verify(signed, credential, key.secret_access_key, now=now)
