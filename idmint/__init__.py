"""idmint: a self-hosted identity server that speaks Amazon Cognito's protocol."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["Settings", "__version__", "create_app"]


def __getattr__(name: str) -> object:
    # Lazy, so `python -m idmint --help` does not import the web stack.
    if name == "create_app":
        from idmint.app import create_app

        return create_app
    if name == "Settings":
        from idmint.settings import Settings

        return Settings
    raise AttributeError(name)
