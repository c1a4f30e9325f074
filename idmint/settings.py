"""Typed settings: from ``IDMINT_*`` environment variables, overridden by command-line flags."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_PORT = 8790
log = logging.getLogger("idmint")


class ExternalIssuer(BaseModel):
    """One trusted external issuer of ID tokens (``session_issuers``)."""

    issuer: str
    client_ids: list[str] = Field(min_length=1)
    jwks_url: str | None = None

    @property
    def effective_jwks_url(self) -> str:
        return self.jwks_url or f"{self.issuer.rstrip('/')}/.well-known/jwks.json"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="IDMINT_", extra="ignore")

    host: str = "127.0.0.1"
    """Address to listen on. Keep 127.0.0.1 unless a TLS-terminating proxy sits in front."""

    port: int = DEFAULT_PORT
    """TCP port to listen on."""

    data_dir: Path = Path("idmint-data")
    """Directory for the embedded SQLite database (``idmint.db``) when no database URL is set."""

    database_url: str | None = None
    """``sqlite:///path/file.db`` or ``postgresql://user:pass@host:5432/db``; overrides data_dir."""

    public_url: str | None = None
    """The URL clients use to reach this server; token issuers are ``<public_url>/<poolId>``.
    Defaults to ``http://<host>:<port>``."""

    region: str = "us-east-1"
    """Region prefix of new user pool ids (``<region>_<9 alphanumerics>``)."""

    account_id: str = "000000000000"
    """The 12-digit account id shown in user pool ARNs."""

    issuer_style: Literal["idmint", "aws"] = "idmint"
    """``idmint``: ``iss`` is ``<public_url>/<poolId>``. ``aws``: ``iss`` is
    ``https://cognito-idp.<region>.amazonaws.com/<poolId>``, for code that hard-codes Cognito's."""

    insecure_accept_any_admin_signature: bool = False
    """DEVELOPMENT ONLY: accept admin actions with any or no SigV4 signature."""

    argon2_memory_kib: int = Field(default=19 * 1024, ge=8)
    """argon2id memory cost in KiB (OWASP: 19 MiB)."""

    argon2_time_cost: int = Field(default=2, ge=1)
    """argon2id iterations (OWASP: 2)."""

    argon2_parallelism: int = Field(default=1, ge=1)
    """argon2id lanes (OWASP: 1)."""

    workers: int = Field(default=1, ge=1, le=64)
    """Server processes sharing the listening socket (``serve --workers``); use one per core.
    With more than one, migrations and the first signing key are done once, before they start."""

    hash_workers: int | None = Field(default=None, ge=1)
    """Threads hashing passwords at once in each process; defaults to the CPUs divided among the
    ``workers`` processes (at least one), so a node never hashes more than one per core."""

    hash_queue: int | None = Field(default=None, ge=0)
    """Password hashes that may wait for a hashing thread in each process, past which sign-ins
    are refused at once (TooManyRequestsException / 429 / 503 with Retry-After); defaults to
    eight per hashing thread (at 30 ms a hash, a wait of at most about
    a quarter of a second)."""

    max_body_bytes: int = 256 * 1024
    """Largest request body accepted."""

    smtp_url: SecretStr | None = None
    """Send email through SMTP: ``smtp://[user:pass@]host[:port]`` (STARTTLS required, port 587),
    ``smtps://...`` (implicit TLS, 465) or ``smtp+insecure://host[:port]`` (plaintext, 25: a local
    relay only). User and password are percent-decoded. Unset: the development outbox."""

    mail_from: str | None = None
    """The From of every email, e.g. ``Example <no-reply@example.com>``; required with smtp_url."""

    smtp_ca_file: Path | None = None
    """PEM file of CA certificates trusted for the SMTP server, besides the system CAs."""

    smtp_timeout: float = Field(default=10.0, gt=0)
    """Seconds to wait for the SMTP server to connect or answer each command."""

    session_issuers: list[ExternalIssuer] = Field(default_factory=list)
    """External OIDC issuers whose ID tokens may open web sessions (seed 001), as JSON:
    ``[{"issuer": "https://cognito-idp.<region>.amazonaws.com/<poolId>", "client_ids": ["..."],
    "jwks_url": "(default: <issuer>/.well-known/jwks.json)"}]``."""

    session_trust_own_pools: bool = True
    """Whether ID tokens from this server's own user pools (any of their app clients) may open
    web sessions."""

    session_access_minutes: int = Field(default=15, ge=1, le=60)
    """Lifetime of the self-contained ``access`` cookie; also the longest a session outlives a
    GlobalSignOut or a disabled user."""

    session_idle_hours: float = Field(default=24, gt=0)
    """A session unused (no refresh) this long ends."""

    session_max_days: float = Field(default=30, gt=0)
    """A session ends this long after login, used or not."""

    insecure_localhost_cookies: bool = False
    """DEVELOPMENT ONLY: drop the ``Secure`` cookie attribute for requests to localhost or
    127.0.0.1 over plain HTTP (browsers would not send Secure cookies there)."""

    log_level: str = "info"

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'idmint.db').as_posix()}"

    @property
    def effective_public_url(self) -> str:
        if self.public_url:
            return self.public_url.rstrip("/")
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def issuer(self, pool_id: str) -> str:
        """The ``iss`` of tokens from ``pool_id`` (Cognito: ``.../<poolId>``)."""
        if self.issuer_style == "aws":
            region = pool_id.split("_", 1)[0]
            return f"https://cognito-idp.{region}.amazonaws.com/{pool_id}"
        return f"{self.effective_public_url}/{pool_id}"

    @property
    def smtp_url_redacted(self) -> str | None:
        """``smtp_url`` with its password replaced by ``***``, for logs and messages."""
        if self.smtp_url is None or not self.smtp_url.get_secret_value().strip():
            return None
        try:
            parts = urlsplit(self.smtp_url.get_secret_value().strip())
            port = parts.port
        except ValueError:
            return "<malformed SMTP URL>"
        if parts.path not in ("", "/") or parts.query or parts.fragment or not parts.hostname:
            return "<malformed SMTP URL>"  # an unescaped / ? # in a password ends the netloc
        host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
        user = "" if parts.username is None else f"{parts.username}:***@"
        return f"{parts.scheme}://{user}{host}{'' if port is None else f':{port}'}"

    def warn_about_development_settings(self) -> None:
        if self.insecure_accept_any_admin_signature:
            log.warning("!" * 78)
            log.warning(
                "INSECURE: admin actions accept ANY signature "
                "(--insecure-accept-any-admin-signature). Never use this in production."
            )
            log.warning("!" * 78)
