"""What every Cognito action module shares: the ``@action`` registry and its environment."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from idmint.core.service import Service

Request = dict[str, Any]
Response = dict[str, Any]


@dataclass(frozen=True)
class Env:
    service: Service
    account_id: str
    public_url: str = ""
    """The URL clients reach this server at (``Settings.effective_public_url``), for URLs in
    responses."""


Action = Callable[[Env, Request], Awaitable[Response]]
ACTIONS: dict[str, Action] = {}


def action(fn: Action) -> Action:
    name = "".join(part.capitalize() for part in fn.__name__.split("_"))
    ACTIONS[name] = fn
    return fn
