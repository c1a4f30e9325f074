"""The use cases, assembled: what every front-end calls."""

from __future__ import annotations

from idmint.core.authorization import Authorization
from idmint.core.branding import Branding
from idmint.core.context import Context
from idmint.core.flows import Auth
from idmint.core.groups import Groups
from idmint.core.hosted import HostedSessions
from idmint.core.mint import Mint
from idmint.core.partners import Partners
from idmint.core.pools import PoolAdmin
from idmint.core.profile import Profile
from idmint.core.recovery import Recovery
from idmint.core.users import Users


class Service:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.pools = PoolAdmin(ctx)
        self.auth = Auth(ctx)
        self.users = Users(ctx, self.auth)
        self.recovery = Recovery(ctx, self.auth)
        self.profile = Profile(ctx, self.auth)
        self.groups = Groups(ctx)
        self.mint = Mint(ctx, self.auth, self.users)
        self.partners = Partners(ctx, self.auth, self.pools, self.users)
        self.authorization = Authorization(ctx, self.auth)
        self.hosted = HostedSessions(ctx)
        self.branding = Branding(ctx)
