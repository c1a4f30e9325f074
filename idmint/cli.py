"""The ``idmint`` command line: serve, migrate, admin-key, keys, outbox, accounts, apps.
Delegates only."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import click

from idmint import __version__

T = TypeVar("T")


def _database_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    fn = click.option(
        "--database-url",
        envvar="IDMINT_DATABASE_URL",
        default=None,
        help="sqlite:///path.db or postgresql://user@host/db (overrides --data-dir).",
    )(fn)
    fn = click.option(
        "--data-dir",
        envvar="IDMINT_DATA_DIR",
        type=click.Path(path_type=Path),
        default=None,
        help="Directory of the embedded SQLite database [./idmint-data].",
    )(fn)
    return fn


def _settings(**overrides: Any) -> Any:
    from idmint.settings import Settings

    return Settings(**{k: v for k, v in overrides.items() if v is not None})


def _with_store(settings: Any, work: Callable[[Any], Awaitable[T]]) -> T:
    from idmint.app import open_store

    async def run() -> T:
        store = await open_store(settings)
        try:
            return await work(store)
        finally:
            await store.close()

    with _clear_errors():
        return asyncio.run(run())


@contextlib.contextmanager
def _clear_errors() -> Iterator[None]:
    """Configuration and connection problems as one-line errors, not tracebacks."""
    from idmint.core.errors import IdmintError
    from idmint.delivery import DeliveryConfigError
    from idmint.store.database import DatabaseUnavailable, DatabaseUrlError

    try:
        yield
    except (DatabaseUrlError, DatabaseUnavailable, DeliveryConfigError) as exc:
        raise click.ClickException(str(exc)) from None
    except IdmintError as exc:  # a refused request (taken username, unknown account, ...)
        raise click.ClickException(exc.message) from None


def _configure_logging(level: str) -> None:
    logging.basicConfig(
        level=level.upper(),
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("alembic").setLevel(logging.WARNING)


@click.group()
@click.version_option(__version__, prog_name="idmint")
def main() -> None:
    """idmint: a self-hosted identity server speaking Amazon Cognito's protocol."""


@main.command()
@click.option("--host", envvar="IDMINT_HOST", default=None, help="Listen address [127.0.0.1].")
@click.option("--port", envvar="IDMINT_PORT", type=int, default=None, help="Listen port [8790].")
@_database_options
@click.option(
    "--public-url",
    envvar="IDMINT_PUBLIC_URL",
    default=None,
    help="URL clients reach this server at; issuers are <public-url>/<poolId>.",
)
@click.option("--region", envvar="IDMINT_REGION", default=None, help="Region prefix of pool ids.")
@click.option(
    "--issuer-style",
    type=click.Choice(["idmint", "aws"]),
    default=None,
    help="Token iss: <public-url>/<poolId> (idmint) or Cognito's AWS URL (aws).",
)
@click.option(
    "--insecure-accept-any-admin-signature",
    is_flag=True,
    default=None,
    help="DEVELOPMENT ONLY: admin actions accept any SigV4 signature.",
)
@click.option(
    "--smtp-url",
    default=None,
    help="Send email via smtp://[user:pass@]host[:port] (STARTTLS), smtps:// (TLS) or "
    "smtp+insecure:// (local relay) [none: the development outbox].",
)
@click.option("--mail-from", default=None, help="From of emails, e.g. 'Example <no@example.com>'.")
@click.option(
    "--workers",
    envvar="IDMINT_WORKERS",
    type=click.IntRange(1, 64),
    default=None,
    help="Server processes sharing the port; one per core uses them all [1].",
)
@click.option("--log-level", default=None, help="debug, info, warning, error [info].")
def serve(**options: Any) -> None:
    """Run the server (migrating the database first)."""
    from idmint import serving
    from idmint.app import create_app
    from idmint.delivery import check_settings as check_delivery_settings
    from idmint.store.database import async_url, redact

    settings = _settings(**options)
    _configure_logging(settings.log_level)
    with _clear_errors():
        async_url(settings.effective_database_url)
        check_delivery_settings(settings)
    app = create_app(settings)
    logging.getLogger("idmint").info(
        "idmint %s on http://%s:%s, database %s, %d worker process(es)",
        __version__,
        settings.host,
        settings.port,
        redact(settings.effective_database_url),
        settings.workers,
    )
    with _clear_errors():
        serving.run(settings, app)


@main.command()
@_database_options
def migrate(**options: Any) -> None:
    """Apply database migrations and exit."""
    from idmint.store import migrate as migrations

    settings = _settings(**options)

    async def run(store: Any) -> str | None:
        return await migrations.current_revision(store.engine)

    revision = _with_store(settings, run)
    click.echo(f"database at revision {revision}")


@main.group("admin-key")
def admin_key() -> None:
    """Credentials for Cognito's admin actions (AWS SigV4)."""


@admin_key.command("create")
@_database_options
@click.option("--json", "as_json", is_flag=True, help="Print {AccessKeyId, SecretAccessKey}.")
def admin_key_create(as_json: bool, **options: Any) -> None:
    """Create an admin key; the secret is printed once."""
    from idmint.core.operators import create_admin_key

    key = _with_store(_settings(**options), lambda store: create_admin_key(store, time.time))
    if as_json:
        click.echo(
            json.dumps({"AccessKeyId": key.access_key_id, "SecretAccessKey": key.secret_access_key})
        )
    else:
        click.echo(
            f"AccessKeyId:     {key.access_key_id}\nSecretAccessKey: {key.secret_access_key}"
        )
        click.echo("Store the secret now: it is not shown again.", err=True)


@admin_key.command("list")
@_database_options
def admin_key_list(**options: Any) -> None:
    """List admin key ids (never secrets)."""
    keys = _with_store(_settings(**options), lambda store: store.list_admin_keys())
    for key in keys:
        click.echo(f"{key.access_key_id}\t{'enabled' if key.enabled else 'disabled'}")


@main.group()
def keys() -> None:
    """Token signing keys."""


@keys.command("rotate")
@_database_options
def keys_rotate(**options: Any) -> None:
    """Make a new signing key active; old ones stay in the JWKS until their tokens expire."""
    from idmint.core.operators import rotate_signing_key

    key = _with_store(_settings(**options), lambda store: rotate_signing_key(store, time.time))
    click.echo(f"new active signing key {key.kid}")


@keys.command("list")
@_database_options
def keys_list(**options: Any) -> None:
    """List signing keys: kid, created, retired."""
    for key in _with_store(_settings(**options), lambda store: store.list_signing_keys()):
        state = "active" if key.retired_at is None else f"retired {time.ctime(key.retired_at)}"
        click.echo(f"{key.kid}\t{time.ctime(key.created_at)}\t{state}")


@main.group()
def accounts() -> None:
    """Web-session accounts (seed 001), made before their first login."""


def _account_json(account: Any) -> dict[str, Any]:
    from idmint.web.session import user_info

    return {
        **user_info(account),
        "isAdmin": account.is_admin,
        "issuer": account.issuer,
        "subject": account.subject,
    }


@accounts.command("create")
@_database_options
@click.option("--issuer", required=True, help="The ID tokens' iss (e.g. <public-url>/<poolId>).")
@click.option("--subject", required=True, help="The ID tokens' sub (the user's Cognito sub).")
@click.option("--username", required=True, help="Unique; 3-32 of letters, digits, _ . + -.")
@click.option("--profile", default=None, help="Public profile text.")
@click.option("--admin", "is_admin", is_flag=True, help="Give the account admin access.")
@click.option("--json", "as_json", is_flag=True, help="Print the account as JSON.")
def accounts_create(
    issuer: str,
    subject: str,
    username: str,
    profile: str | None,
    is_admin: bool,
    as_json: bool,
    **options: Any,
) -> None:
    """Create the account an identity's ID tokens will log in to."""
    from idmint.core.accounts import create_account

    account = _with_store(
        _settings(**options),
        lambda store: create_account(
            store, time.time, issuer, subject, username, profile=profile, is_admin=is_admin
        ),
    )
    click.echo(json.dumps(_account_json(account)) if as_json else account.id)


@accounts.command("list")
@_database_options
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
def accounts_list(as_json: bool, **options: Any) -> None:
    """List accounts: id, username, admin, issuer, subject."""

    async def every(store: Any) -> list[Any]:
        found: list[Any] = []
        after = None
        while page := await store.list_accounts(500, after):
            found += page
            after = page[-1].id
        return found

    listed = _with_store(_settings(**options), every)
    if as_json:
        click.echo(json.dumps([_account_json(a) for a in listed], indent=2))
        return
    for a in listed:
        click.echo(
            f"{a.id}\t{a.username}\t{'admin' if a.is_admin else '-'}\t{a.issuer}\t{a.subject}"
        )


@accounts.command("set-admin")
@_database_options
@click.argument("account")
@click.option("--off", is_flag=True, help="Take admin access away instead.")
def accounts_set_admin(account: str, off: bool, **options: Any) -> None:
    """Give (or with --off take) admin access; ACCOUNT is an id or a username. Takes effect at
    the account's next login or refresh."""
    from idmint.core.accounts import set_admin

    updated = _with_store(
        _settings(**options), lambda store: set_admin(store, time.time, account, not off)
    )
    click.echo(f"{updated.username} is {'now' if updated.is_admin else 'no longer'} an admin")


@main.group("apps")
def apps() -> None:
    """Applications of the mint API (seed 002): OAuth2 password grant and registration."""


def _app_json(app: Any, secret: str | None = None) -> dict[str, Any]:
    found: dict[str, Any] = {
        "id": app.id,
        "pool": app.pool_id,
        "name": app.name,
        "enabled": app.enabled,
        "tokenSeconds": app.token_seconds,
        "passwordGrant": app.password_grant,
        "default": app.is_default,
    }
    if secret is not None:
        found["secret"] = secret
    return found


def _app_line(app: Any) -> str:
    lifetime = "never-expires" if app.token_seconds is None else f"{app.token_seconds}s"
    flags = [
        "enabled" if app.enabled else "disabled",
        lifetime,
        "password-grant" if app.password_grant else "no-password-grant",
    ] + (["default"] if app.is_default else [])
    return f"{app.id}\t{app.pool_id}\t{app.name}\t{','.join(flags)}"


def _show_secret(app: Any, secret: str, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(_app_json(app, secret)))
        return
    click.echo(f"application id: {app.id}")
    click.echo(f"secret:         {secret}")
    click.echo("The secret is shown only now; idmint keeps only its hash.", err=True)


def _lifetime_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    fn = click.option(
        "--non-expiring",
        is_flag=True,
        help="Issue user tokens that never expire (seed 002 then omits expires_in).",
    )(fn)
    fn = click.option(
        "--token-seconds",
        type=click.IntRange(60, 10 * 365 * 86400),
        default=None,
        help="Lifetime of the user tokens issued [3600].",
    )(fn)
    return fn


def _lifetime(token_seconds: int | None, non_expiring: bool) -> Any:
    from idmint.core.mint import UNSET

    if non_expiring and token_seconds is not None:
        raise click.UsageError("Give --token-seconds or --non-expiring, not both.")
    return None if non_expiring else (UNSET if token_seconds is None else token_seconds)


def _mint_apps(store: Any) -> Any:
    from idmint.core.mint import MintApps

    return MintApps(store, time.time)


@apps.command("create")
@_database_options
@click.option("--pool", "pool_id", required=True, help="The user pool whose users sign in.")
@click.option("--name", required=True, help="A name for the application.")
@_lifetime_options
@click.option(
    "--no-password-grant",
    is_flag=True,
    help="Refuse the password grant (deprecated by RFC 9700); registration still works.",
)
@click.option(
    "--default",
    "is_default",
    is_flag=True,
    help="Use it for password grants that send no application credentials.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the application as JSON.")
def apps_create(
    pool_id: str,
    name: str,
    token_seconds: int | None,
    non_expiring: bool,
    no_password_grant: bool,
    is_default: bool,
    as_json: bool,
    **options: Any,
) -> None:
    """Create an application; prints its id and its secret (shown once)."""
    from idmint.core.mint import UNSET

    lifetime = _lifetime(token_seconds, non_expiring)
    app, secret = _with_store(
        _settings(**options),
        lambda store: _mint_apps(store).create_app(
            pool_id,
            name,
            token_seconds=3600 if lifetime is UNSET else lifetime,
            password_grant=not no_password_grant,
            default=is_default,
        ),
    )
    _show_secret(app, secret, as_json)


@apps.command("list")
@_database_options
@click.option("--pool", "pool_id", default=None, help="Only this pool's applications.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
def apps_list(pool_id: str | None, as_json: bool, **options: Any) -> None:
    """List applications: id, pool, name, settings (never secrets)."""
    listed = _with_store(_settings(**options), lambda store: _mint_apps(store).list_apps(pool_id))
    if as_json:
        click.echo(json.dumps([_app_json(a) for a in listed], indent=2))
        return
    for app in listed:
        click.echo(_app_line(app))


@apps.command("update")
@_database_options
@click.argument("app_id")
@_lifetime_options
@click.option(
    "--password-grant/--no-password-grant",
    default=None,
    help="Allow or refuse the password grant.",
)
@click.option(
    "--default/--no-default",
    "is_default",
    default=None,
    help="Make it (or stop it being) the application of credential-less password grants.",
)
def apps_update(
    app_id: str,
    token_seconds: int | None,
    non_expiring: bool,
    password_grant: bool | None,
    is_default: bool | None,
    **options: Any,
) -> None:
    """Change an application's settings; new tokens follow them."""
    lifetime = _lifetime(token_seconds, non_expiring)
    app = _with_store(
        _settings(**options),
        lambda store: _mint_apps(store).update_app(
            app_id, token_seconds=lifetime, password_grant=password_grant, default=is_default
        ),
    )
    click.echo(_app_line(app))


def _set_enabled(app_id: str, enabled: bool, options: dict[str, Any]) -> None:
    app = _with_store(
        _settings(**options), lambda store: _mint_apps(store).update_app(app_id, enabled=enabled)
    )
    click.echo(_app_line(app))


@apps.command("disable")
@_database_options
@click.argument("app_id")
def apps_disable(app_id: str, **options: Any) -> None:
    """Disable an application: its credentials and its users' tokens stop working."""
    _set_enabled(app_id, False, options)


@apps.command("enable")
@_database_options
@click.argument("app_id")
def apps_enable(app_id: str, **options: Any) -> None:
    """Enable a disabled application again."""
    _set_enabled(app_id, True, options)


@apps.command("rotate-secret")
@_database_options
@click.argument("app_id")
@click.option("--json", "as_json", is_flag=True, help="Print the application as JSON.")
def apps_rotate_secret(app_id: str, as_json: bool, **options: Any) -> None:
    """Give an application a new secret (shown once); the old one stops working at once."""
    app, secret = _with_store(
        _settings(**options), lambda store: _mint_apps(store).rotate_secret(app_id)
    )
    _show_secret(app, secret, as_json)


@main.group("partners")
def partners() -> None:
    """Partners (seed 000): Partner API Accounts that create anonymous managed users."""


def _partner_json(partner: Any, password: str | None = None) -> dict[str, Any]:
    found: dict[str, Any] = {
        "id": partner.id,
        "name": partner.name,
        "pool": partner.pool_id,
        "clientId": partner.client_id,
        "username": partner.username,
        "maxManagedUsers": partner.max_managed_users,
        "enabled": partner.enabled,
    }
    if password is not None:
        found["password"] = password
    return found


def _partner_line(partner: Any) -> str:
    quota = "unlimited" if partner.max_managed_users is None else str(partner.max_managed_users)
    state = "enabled" if partner.enabled else "disabled"
    return (
        f"{partner.id}\t{partner.pool_id}\t{partner.name}\t{partner.client_id}\t"
        f"{partner.username}\tmax={quota}\t{state}"
    )


def _with_service(settings: Any, work: Callable[[Any], Awaitable[T]]) -> T:
    """Run ``work`` with the server's use cases on the configured database."""
    from idmint.app import build_context
    from idmint.core.service import Service

    # The sender's start-up advice (outbox, SMTP) is for ``serve``, not one-off commands.
    logging.getLogger("idmint.delivery").setLevel(logging.ERROR)

    async def run(store: Any) -> T:
        ctx, close = await build_context(settings, store, time.time)
        try:
            return await work(Service(ctx))
        finally:
            close()

    return _with_store(settings, run)


@partners.command("create")
@_database_options
@click.option("--pool", "pool_id", required=True, help="The user pool of the partner's users.")
@click.option("--name", required=True, help="The partner's name.")
@click.option(
    "--max-managed-users",
    type=click.IntRange(min=0),
    default=None,
    help="Most managed users the partner may have [unlimited].",
)
@click.option("--json", "as_json", is_flag=True, help="Print the partner as JSON.")
def partners_create(
    pool_id: str, name: str, max_managed_users: int | None, as_json: bool, **options: Any
) -> None:
    """Create a partner: its app client and its Partner API Account, whose password is shown
    only now."""
    partner, password = _with_service(
        _settings(**options),
        lambda service: service.partners.create(pool_id, name, max_managed_users=max_managed_users),
    )
    if as_json:
        click.echo(json.dumps(_partner_json(partner, password)))
        return
    click.echo(f"partner id: {partner.id}")
    click.echo(f"client id:  {partner.client_id}")
    click.echo(f"username:   {partner.username}")
    click.echo(f"password:   {password}")
    click.echo("The password is shown only now; idmint keeps only its hash.", err=True)


@partners.command("list")
@_database_options
@click.option("--pool", "pool_id", default=None, help="Only this pool's partners.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
def partners_list(pool_id: str | None, as_json: bool, **options: Any) -> None:
    """List partners (never passwords)."""
    listed = _with_store(_settings(**options), lambda store: store.list_partners(pool_id))
    if as_json:
        click.echo(json.dumps([_partner_json(p) for p in listed], indent=2))
        return
    for partner in listed:
        click.echo(_partner_line(partner))


def _set_partner_enabled(partner_id: str, enabled: bool, options: dict[str, Any]) -> None:
    partner = _with_service(
        _settings(**options), lambda service: service.partners.set_enabled(partner_id, enabled)
    )
    click.echo(_partner_line(partner))


@partners.command("disable")
@_database_options
@click.argument("partner_id")
def partners_disable(partner_id: str, **options: Any) -> None:
    """Disable a partner: its IdTokens no longer open the managed-users API."""
    _set_partner_enabled(partner_id, False, options)


@partners.command("enable")
@_database_options
@click.argument("partner_id")
def partners_enable(partner_id: str, **options: Any) -> None:
    """Enable a disabled partner again."""
    _set_partner_enabled(partner_id, True, options)


@main.command("outbox")
@_database_options
@click.option("--to", default=None, help="Only messages to this address or phone number.")
@click.option(
    "--limit", type=click.IntRange(min=1), default=20, show_default=True, help="Most to show."
)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
def outbox_command(to: str | None, limit: int, as_json: bool, **options: Any) -> None:
    """Messages kept by the development outbox, newest first."""
    from idmint.delivery.outbox import iso_time, outbox_json

    messages = _with_store(_settings(**options), lambda store: store.list_outbox(to, limit))
    if as_json:
        click.echo(json.dumps([outbox_json(m) for m in messages], indent=2, ensure_ascii=False))
        return
    for item in messages:
        message = item.message
        click.echo(
            f"{iso_time(item.created_at)}  {message.channel.value}  {message.to}"
            + (f"  {message.subject}" if message.subject else "")
        )
        for line in message.body.splitlines() or [""]:
            click.echo(f"    {line}")
        click.echo()


if __name__ == "__main__":  # pragma: no cover
    main()
