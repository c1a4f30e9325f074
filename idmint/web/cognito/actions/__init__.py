"""One function per Cognito action: request dict in, one service call, response dict out.

Amazon Cognito Identity Provider API reference (API_<Action>.html) for every field. Requests
have already passed the model's validation (``validation.py``), so required members exist and
have the right types here. Each module registers its actions in ``ACTIONS`` on import.
"""

from idmint.web.cognito.actions import accounts, auth, groups, pools, ui, users
from idmint.web.cognito.actions._base import ACTIONS, Env

__all__ = ["ACTIONS", "Env", "accounts", "auth", "groups", "pools", "ui", "users"]
