"""The command line, run as a user runs it: `idmint serve`, `migrate`, `admin-key`, `keys`.

Includes the restart test: everything acknowledged before a stop is still valid after a start on
the same data directory (users, clients, keys, refresh tokens, admin keys)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import boto3
import httpx
import jwt
import pytest

from idmint.store import migrate
from tests.conftest import PASSWORD, free_port, make_pool, make_user, sign_in

IDMINT = [sys.executable, "-m", "idmint"]


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*IDMINT, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


@contextmanager
def serving(cwd: Path, *args: str, port: int | None = None) -> Iterator[str]:
    """Run `idmint serve` until the block ends; ready once it logs that it is listening."""
    port = port or free_port()
    proc = subprocess.Popen(
        [*IDMINT, "serve", "--port", str(port), *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert proc.stdout is not None
    log = (cwd / f"serve-{port}.log").open("w")
    for line in proc.stdout:  # blocks until the server listens, or exits
        log.write(line)
        if "Uvicorn running on" in line:
            break
    else:
        log.close()
        raise AssertionError((cwd / f"serve-{port}.log").read_text())
    drain = threading.Thread(target=lambda: log.writelines(proc.stdout), daemon=True)  # type: ignore[arg-type]
    drain.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)
        drain.join(30)
        log.close()


def client(url: str, key: dict[str, str]) -> Any:
    return boto3.client(
        "cognito-idp",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id=key["AccessKeyId"],
        aws_secret_access_key=key["SecretAccessKey"],
    )


def test_admin_key_create_json(tmp_path: Path) -> None:
    result = run("admin-key", "create", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    key = json.loads(result.stdout)
    assert set(key) == {"AccessKeyId", "SecretAccessKey"}
    assert (tmp_path / "idmint-data" / "idmint.db").exists()  # the default data directory
    listed = run("admin-key", "list", cwd=tmp_path).stdout
    assert key["AccessKeyId"] in listed and key["SecretAccessKey"] not in listed


def test_migrate(tmp_path: Path) -> None:
    result = run("migrate", "--data-dir", str(tmp_path / "d"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"revision {migrate.head_revision()}" in result.stdout
    assert run("migrate", "--data-dir", str(tmp_path / "d"), cwd=tmp_path).returncode == 0


def test_bad_database_url_is_a_clear_error(tmp_path: Path) -> None:
    result = run("migrate", "--database-url", "mysql://x@localhost/db", cwd=tmp_path)
    assert result.returncode != 0
    assert "unsupported database" in result.stderr
    assert "Traceback" not in result.stderr


def test_restart_keeps_everything(tmp_path: Path) -> None:
    key = json.loads(run("admin-key", "create", "--json", cwd=tmp_path).stdout)
    port = free_port()  # the same address both times: the issuer URL includes it
    with serving(tmp_path, port=port) as url:
        cognito = client(url, key)
        pool = make_pool(cognito, secret=False)
        make_user(cognito, pool)
        tokens = sign_in(cognito, pool)
        jwks_before = httpx.get(f"{url}/{pool.id}/.well-known/jwks.json").json()
    with serving(tmp_path, port=port) as url:
        cognito = client(url, key)  # the admin key survived
        assert cognito.describe_user_pool_client(UserPoolId=pool.id, ClientId=pool.client_id)
        assert httpx.get(f"{url}/{pool.id}/.well-known/jwks.json").json() == jwks_before
        assert cognito.get_user(AccessToken=tokens["AccessToken"])["Username"] == "alice"
        refreshed = cognito.initiate_auth(
            ClientId=pool.client_id,
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]},
        )
        assert refreshed["AuthenticationResult"]["AccessToken"]
        assert sign_in(cognito, pool, password=PASSWORD)["IdToken"]


def test_keys_rotate(tmp_path: Path) -> None:
    key = json.loads(run("admin-key", "create", "--json", cwd=tmp_path).stdout)
    port = free_port()
    with serving(tmp_path, port=port) as url:
        cognito = client(url, key)
        pool = make_pool(cognito)
        make_user(cognito, pool)
        old = sign_in(cognito, pool)
    rotated = run("keys", "rotate", cwd=tmp_path)
    assert rotated.returncode == 0, rotated.stderr
    with serving(tmp_path, port=port) as url:
        cognito = client(url, key)
        new = sign_in(cognito, pool)
        kids = [
            k["kid"] for k in httpx.get(f"{url}/{pool.id}/.well-known/jwks.json").json()["keys"]
        ]
        assert jwt.get_unverified_header(new["IdToken"])["kid"] == kids[0]
        assert jwt.get_unverified_header(old["IdToken"])["kid"] == kids[1]
        assert cognito.get_user(AccessToken=old["AccessToken"])["Username"] == "alice"
    listing = run("keys", "list", cwd=tmp_path).stdout.splitlines()
    assert len(listing) == 2 and sum("active" in line for line in listing) == 1


def test_insecure_flag_warns_loudly(tmp_path: Path) -> None:
    with serving(tmp_path, "--insecure-accept-any-admin-signature") as url:
        cognito = boto3.client(
            "cognito-idp",
            endpoint_url=url,
            region_name="us-east-1",
            aws_access_key_id="AKIAANYTHING",
            aws_secret_access_key="anything",
        )
        assert cognito.create_user_pool(PoolName="dev")["UserPool"]["Id"]
    log = next(tmp_path.glob("serve-*.log")).read_text()
    assert "INSECURE" in log


@pytest.mark.postgres
def test_serve_on_postgresql(tmp_path: Path) -> None:
    url = os.environ.get("IDMINT_TEST_DATABASE_URL")
    if not url:
        pytest.skip("IDMINT_TEST_DATABASE_URL is not set")
    key = json.loads(
        run("admin-key", "create", "--json", "--database-url", url, cwd=tmp_path).stdout
    )
    with serving(tmp_path, "--database-url", url) as server:
        cognito = client(server, key)
        pool = make_pool(cognito)
        make_user(cognito, pool, "pg-user")
        assert sign_in(cognito, pool, "pg-user")["AccessToken"]
        cognito.delete_user_pool(UserPoolId=pool.id)
    assert not (tmp_path / "idmint-data").exists()


def put_in_outbox(data_dir: Path, *messages: Any) -> None:
    """Store outbox messages (``Message``, created_at) as the server's outbox transport does."""
    import asyncio

    from idmint.app import open_store
    from idmint.settings import Settings

    async def put() -> None:
        store = await open_store(Settings(data_dir=data_dir))
        try:
            for message, created_at in messages:
                await store.add_outbox_message(message, created_at)
        finally:
            await store.close()

    asyncio.run(put())


def test_outbox(tmp_path: Path) -> None:
    from idmint.core.model import Channel, Message

    assert run("outbox", cwd=tmp_path).stdout == ""  # creates the database; nothing yet
    put_in_outbox(
        tmp_path / "idmint-data",
        (Message(Channel.EMAIL, "alice@example.com", "Code: 120394\nBye", "Ton code é"), 1.7e9),
        (Message(Channel.SMS, "+15555550100", "Your code is 554433"), 1.7e9 + 60),
    )
    listing = run("outbox", "--json", cwd=tmp_path)
    assert listing.returncode == 0, listing.stderr
    newest, oldest = json.loads(listing.stdout)
    assert (newest["channel"], newest["to"], newest["body"]) == (
        "SMS",
        "+15555550100",
        "Your code is 554433",
    )
    assert (oldest["subject"], oldest["created_at"]) == ("Ton code é", "2023-11-14T22:13:20Z")
    only = json.loads(run("outbox", "--json", "--to", "ALICE@example.com", cwd=tmp_path).stdout)
    assert [m["body"] for m in only] == ["Code: 120394\nBye"]
    assert len(json.loads(run("outbox", "--json", "--limit", "1", cwd=tmp_path).stdout)) == 1
    human = run("outbox", "--to", "alice@example.com", cwd=tmp_path).stdout
    assert "2023-11-14T22:13:20Z  EMAIL  alice@example.com  Ton code é" in human
    assert "    Code: 120394\n    Bye" in human
    assert run("outbox", "--limit", "0", cwd=tmp_path).returncode != 0


def test_serve_smtp_settings_are_checked_without_showing_the_password(tmp_path: Path) -> None:
    for args, complaint in [
        (["--smtp-url", "smtp://mailer:Top-Secret-1@mail.example.com"], "mail_from"),
        (["--smtp-url", "smtpx://mailer:Top-Secret-1@mail.example.com"], "smtp_url"),
        (["--smtp-url", "smtp://mailer:Top/Secret-1@mail.example.com", "--mail-from", "a@b.c"], ""),
    ]:
        result = subprocess.run(
            [*IDMINT, "serve", "--port", str(free_port()), *args],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.returncode != 0
        assert complaint in result.stderr and "Traceback" not in result.stderr
        assert "Secret-1" not in result.stdout + result.stderr


def test_serve_with_smtp_logs_the_url_redacted(tmp_path: Path) -> None:
    url = "smtp+insecure://relay:Relay-Secret-7@127.0.0.1:2525"
    with serving(tmp_path, "--smtp-url", url, "--mail-from", "Example <no-reply@example.com>"):
        pass
    log = next(tmp_path.glob("serve-*.log")).read_text()
    assert "smtp+insecure://relay:***@127.0.0.1:2525" in log
    assert "SMS messages go to the development outbox" in log and "without TLS" in log
    assert "Relay-Secret-7" not in log


def test_accounts_create_list_and_set_admin(tmp_path: Path) -> None:
    """`idmint accounts`: web-session accounts made out of band (seed 001)."""
    made = run(
        "accounts", "create", "--issuer", "http://idp/us-east-1_Abc", "--subject", "s-1",
        "--username", "Tcoles+test01", "--profile", "Hi!", "--json", cwd=tmp_path,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    account = json.loads(made.stdout)
    assert account["username"] == "Tcoles+test01" and account["isAdmin"] is False
    taken = run(
        "accounts", "create", "--issuer", "http://idp/us-east-1_Abc", "--subject", "s-2",
        "--username", "tcoles+TEST01", cwd=tmp_path,
    )  # fmt: skip
    assert taken.returncode != 0 and "That username is taken." in taken.stderr
    bad = run(
        "accounts", "create", "--issuer", "i", "--subject", "s-3", "--username", "a b",
        cwd=tmp_path,
    )  # fmt: skip
    assert bad.returncode != 0 and "Usernames are 3 to 32 characters" in bad.stderr
    assert "Traceback" not in taken.stderr + bad.stderr
    promoted = run("accounts", "set-admin", "tcoles+test01", cwd=tmp_path)
    assert promoted.returncode == 0 and "now an admin" in promoted.stdout
    listed = json.loads(run("accounts", "list", "--json", cwd=tmp_path).stdout)
    assert [(a["id"], a["isAdmin"]) for a in listed] == [(account["id"], True)]
    demoted = run("accounts", "set-admin", account["id"], "--off", cwd=tmp_path)
    assert demoted.returncode == 0 and "no longer an admin" in demoted.stdout
    missing = run("accounts", "set-admin", "nobody", cwd=tmp_path)
    assert missing.returncode != 0 and "No account nobody." in missing.stderr


def test_apps_commands_drive_the_mint_api_across_a_restart(tmp_path: Path) -> None:
    """`idmint apps`: an application's secret is shown once and stored only as a hash; its
    settings govern the mint API (seed 002); tokens survive a restart."""
    key = json.loads(run("admin-key", "create", "--json", cwd=tmp_path).stdout)
    port = free_port()
    auth = "/mint/api/v1/auth"
    person = {"firstname": "Kate", "lastname": "Smith", "username": "kc@goact.com.au"}
    with serving(tmp_path, port=port) as url:
        pool = make_pool(client(url, key), pool_args={"UsernameAttributes": ["email"]})
        made = run("apps", "create", "--pool", pool.id, "--name", "mobile", "--json", cwd=tmp_path)
        assert made.returncode == 0, made.stderr
        app = json.loads(made.stdout)
        assert app["tokenSeconds"] == 3600 and app["passwordGrant"] and not app["default"]
        header = {"Authorization": f"Application {app['id']}:{app['secret']}"}
        registered = httpx.post(
            f"{url}{auth}/register", json=person | {"password": PASSWORD}, headers=header
        )
        assert registered.status_code == 200, registered.text
        token = registered.json()["access_token"]
        grant = {"grant_type": "password", "username": "kc@goact.com.au", "password": PASSWORD}
        assert httpx.post(f"{url}{auth}/authorize", json=grant).status_code == 401  # no default
        updated = run(
            "apps", "update", app["id"], "--default", "--token-seconds", "600", cwd=tmp_path
        )
        assert updated.returncode == 0 and "default" in updated.stdout
        assert httpx.post(f"{url}{auth}/authorize", json=grant).json()["expires_in"] == 600
    data = (tmp_path / "idmint-data" / "idmint.db").read_bytes()
    assert app["secret"].encode() not in data and token.encode() not in data
    with serving(tmp_path, port=port) as url:
        info = httpx.get(f"{url}{auth}/token_info", headers={"Authorization": f"UserToken {token}"})
        assert info.status_code == 200 and info.json()["user"] == registered.json()["user"]
        listed = run("apps", "list", "--json", cwd=tmp_path)
        assert [a["id"] for a in json.loads(listed.stdout)] == [app["id"]]
        assert app["secret"] not in listed.stdout
        rotated = json.loads(run("apps", "rotate-secret", app["id"], "--json", cwd=tmp_path).stdout)
        other = person | {"username": "bo@goact.com.au", "password": PASSWORD}
        assert httpx.post(f"{url}{auth}/register", json=other, headers=header).status_code == 401
        header = {"Authorization": f"Application {app['id']}:{rotated['secret']}"}
        assert httpx.post(f"{url}{auth}/register", json=other, headers=header).status_code == 200
        assert run("apps", "disable", app["id"], cwd=tmp_path).returncode == 0
        info = httpx.get(f"{url}{auth}/token_info", headers={"Authorization": f"UserToken {token}"})
        assert info.status_code == 403
        assert run("apps", "enable", app["id"], cwd=tmp_path).returncode == 0
        assert run("apps", "update", app["id"], "--no-password-grant", cwd=tmp_path).returncode == 0
        refused = httpx.post(f"{url}{auth}/authorize", json=grant)
        assert refused.status_code == 400 and refused.json()["error"] == "unauthorized_client"
    missing = run("apps", "create", "--pool", "us-east-1_nope", "--name", "x", cwd=tmp_path)
    assert missing.returncode != 0 and "does not exist" in missing.stderr
    both = run(
        "apps", "update", app["id"], "--token-seconds", "600", "--non-expiring", cwd=tmp_path
    )
    assert both.returncode != 0 and "not both" in both.stderr
    unknown = run("apps", "disable", "nosuchapp", cwd=tmp_path)
    assert unknown.returncode != 0 and "nosuchapp does not exist" in unknown.stderr
    assert "Traceback" not in missing.stderr + both.stderr + unknown.stderr
