"""SRP sign-in (USER_SRP_AUTH) driven by the real client libraries against a live idmint.

pycognito (``AWSSRP`` and the ``Cognito`` class) runs in this process over boto3;
amazon-cognito-identity-js, the library under Amplify's older releases and many browser and React
Native apps, runs in Node (``srp_client.cjs``) with its own fetch-based client.

Cognito API reference: InitiateAuth with AuthFlow USER_SRP_AUTH (AuthParameters USERNAME, SRP_A,
SECRET_HASH) answers the PASSWORD_VERIFIER challenge (SALT, SRP_B, SECRET_BLOCK, USER_ID_FOR_SRP,
USERNAME); RespondToAuthChallenge PASSWORD_VERIFIER (PASSWORD_CLAIM_SIGNATURE,
PASSWORD_CLAIM_SECRET_BLOCK, TIMESTAMP) answers tokens or NEW_PASSWORD_REQUIRED. Developer Guide,
"Managing user existence error responses": with PreventUserExistenceErrors ENABLED an unknown user
gets a simulated first step and the same NotAuthorizedException as a wrong password at
RespondToAuthChallenge. With UsernameAttributes the USER_ID_FOR_SRP is the internal username, not
the email the user typed, and both clients sign the claim with it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from pycognito import Cognito
from pycognito.aws_srp import AWSSRP
from pycognito.exceptions import ForceChangePasswordException

from tests.conftest import PASSWORD, LiveServer, Pool, error, make_pool, make_user

REPO = Path(__file__).resolve().parents[3]
SCRIPT = Path(__file__).with_name("srp_client.cjs")
NODE_CACHE = REPO / ".cache" / "node"  # git-ignored; kept between runs
JS_PACKAGE = "amazon-cognito-identity-js"
JS_VERSION = "6.3.21"
NPM_TIMEOUT = 300
NODE_TIMEOUT = 60

SRP_FLOWS = ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
INCORRECT = ("NotAuthorizedException", "Incorrect username or password.")
TEMPORARY = "Temp-passw0rd!"
NEW_PASSWORD = "N3w-password!"
EMAIL_USER = "dave@example.com"


# Pools and users ---------------------------------------------------------------------------


def srp_pool(
    cognito: Any, *, secret: bool = False, pool_args: dict[str, Any] | None = None
) -> Pool:
    """A pool whose one app client allows only SRP sign-in and refresh (users exist: ENABLED)."""
    return make_pool(
        cognito,
        secret=secret,
        pool_args=pool_args,
        client_args={"ExplicitAuthFlows": SRP_FLOWS},
    )


@pytest.fixture
def pool(cognito: Any) -> Pool:
    return srp_pool(cognito)


def invite(cognito: Any, pool: Pool, username: str = "carol") -> None:
    """AdminCreateUser with a temporary password and no message: FORCE_CHANGE_PASSWORD."""
    cognito.admin_create_user(
        UserPoolId=pool.id,
        Username=username,
        TemporaryPassword=TEMPORARY,
        MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "email", "Value": f"{username}@example.com"}],
    )


def admin_user(cognito: Any, pool: Pool, username: str = "alice") -> None:
    """A confirmed user made by admin actions only (SignUp would need a SECRET_HASH)."""
    invite(cognito, pool, username)
    cognito.admin_set_user_password(
        UserPoolId=pool.id, Username=username, Password=PASSWORD, Permanent=True
    )


def username_of(cognito: Any, access_token: str) -> str:
    """GetUser with the access token: proves the token is one the server accepts."""
    return str(cognito.get_user(AccessToken=access_token)["Username"])


# pycognito ---------------------------------------------------------------------------------


def srp(cognito: Any, pool: Pool, username: str, password: str) -> AWSSRP:
    return AWSSRP(
        username=username,
        password=password,
        pool_id=pool.id,
        client_id=pool.client_id,
        client=cognito,
        client_secret=pool.client_secret,
    )


def refused(cognito: Any, pool: Pool, username: str, password: str) -> tuple[str, str]:
    """The error of an SRP sign-in that must fail at the password proof, as Cognito's does."""
    with pytest.raises(ClientError) as exc:
        srp(cognito, pool, username, password).authenticate_user()
    assert exc.value.operation_name == "RespondToAuthChallenge", error(exc)
    return error(exc)


def test_pycognito_right_password(cognito: Any, pool: Pool) -> None:
    make_user(cognito, pool)
    result = srp(cognito, pool, "alice", PASSWORD).authenticate_user()
    tokens = result["AuthenticationResult"]
    assert set(tokens) >= {"AccessToken", "IdToken", "RefreshToken", "ExpiresIn", "TokenType"}
    assert username_of(cognito, tokens["AccessToken"]) == "alice"
    refreshed = cognito.initiate_auth(
        ClientId=pool.client_id,
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]},
    )["AuthenticationResult"]
    assert username_of(cognito, refreshed["AccessToken"]) == "alice"


def test_pycognito_wrong_password(cognito: Any, pool: Pool) -> None:
    make_user(cognito, pool)
    assert refused(cognito, pool, "alice", "Wr0ng-password!") == INCORRECT


def test_pycognito_unknown_user_looks_like_a_wrong_password(cognito: Any, pool: Pool) -> None:
    assert refused(cognito, pool, "nobody", PASSWORD) == INCORRECT


def test_pycognito_new_password_required(cognito: Any, pool: Pool) -> None:
    invite(cognito, pool)
    client = srp(cognito, pool, "carol", TEMPORARY)
    with pytest.raises(ForceChangePasswordException):
        client.authenticate_user()
    tokens = client.set_new_password_challenge(NEW_PASSWORD)["AuthenticationResult"]
    assert username_of(cognito, tokens["AccessToken"]) == "carol"
    user = cognito.admin_get_user(UserPoolId=pool.id, Username="carol")
    assert user["UserStatus"] == "CONFIRMED"
    again = srp(cognito, pool, "carol", NEW_PASSWORD).authenticate_user()
    assert username_of(cognito, again["AuthenticationResult"]["AccessToken"]) == "carol"
    assert refused(cognito, pool, "carol", TEMPORARY) == INCORRECT


def test_pycognito_client_with_secret(cognito: Any) -> None:
    pool = srp_pool(cognito, secret=True)
    assert pool.client_secret
    admin_user(cognito, pool)
    result = srp(cognito, pool, "alice", PASSWORD).authenticate_user()
    assert username_of(cognito, result["AuthenticationResult"]["AccessToken"]) == "alice"
    assert refused(cognito, pool, "alice", "Wr0ng-password!") == INCORRECT
    no_secret = Pool(pool.id, pool.client_id)
    with pytest.raises(ClientError) as exc:
        srp(cognito, no_secret, "alice", PASSWORD).authenticate_user()
    assert exc.value.operation_name == "InitiateAuth"
    assert error(exc) == (
        "NotAuthorizedException",
        f"Client {pool.client_id} is configured with secret but SECRET_HASH was not received",
    )


def test_pycognito_email_username(cognito: Any) -> None:
    pool = srp_pool(cognito, pool_args={"UsernameAttributes": ["email"]})
    sub = make_user(cognito, pool, EMAIL_USER, email=EMAIL_USER)
    result = srp(cognito, pool, EMAIL_USER, PASSWORD).authenticate_user()
    assert username_of(cognito, result["AuthenticationResult"]["AccessToken"]) == sub
    assert refused(cognito, pool, EMAIL_USER, "Wr0ng-password!") == INCORRECT


def pycognito_user(live: LiveServer, pool: Pool, username: str) -> Cognito:
    """pycognito's high-level class, pointed at the live server through its boto3 arguments;
    it verifies tokens against ``<endpoint>/<poolId>/.well-known/jwks.json`` and that issuer."""
    return Cognito(
        pool.id,
        pool.client_id,
        username=username,
        client_secret=pool.client_secret,
        access_key=live.admin_key.access_key_id,
        secret_key=live.admin_key.secret_access_key,
        botocore_config=Config(retries={"max_attempts": 1}, connect_timeout=5, read_timeout=30),
        boto3_client_kwargs={"endpoint_url": live.url},
    )


def test_pycognito_cognito_class(live: LiveServer, cognito: Any, pool: Pool) -> None:
    make_user(cognito, pool)
    user = pycognito_user(live, pool, "alice")
    user.authenticate(password=PASSWORD)
    assert user.access_claims is not None and user.access_claims["username"] == "alice"
    assert user.id_claims is not None and user.id_claims["aud"] == pool.client_id
    profile = user.get_user()
    assert profile.email == "alice@example.com"
    with pytest.raises(ClientError) as exc:
        pycognito_user(live, pool, "alice").authenticate(password="Wr0ng-password!")
    assert error(exc) == INCORRECT


def test_pycognito_cognito_class_new_password(live: LiveServer, cognito: Any, pool: Pool) -> None:
    invite(cognito, pool)
    user = pycognito_user(live, pool, "carol")
    with pytest.raises(ForceChangePasswordException):
        user.authenticate(password=TEMPORARY)
    user.new_password_challenge(TEMPORARY, NEW_PASSWORD)
    assert username_of(cognito, user.access_token) == "carol"


# amazon-cognito-identity-js in Node ------------------------------------------------------------


@dataclass(frozen=True)
class NodeClient:
    """Runs ``srp_client.cjs`` with the installed package on NODE_PATH."""

    node: str
    modules: Path

    def sign_in(
        self,
        live: LiveServer,
        pool: Pool,
        username: str,
        password: str,
        new_password: str | None = None,
    ) -> dict[str, Any]:
        request = {
            "endpoint": f"{live.url}/",
            "poolId": pool.id,
            "clientId": pool.client_id,
            "username": username,
            "password": password,
        }
        if new_password is not None:
            request["newPassword"] = new_password
        proc = subprocess.run(
            [self.node, str(SCRIPT)],
            input=json.dumps(request),
            capture_output=True,
            text=True,
            timeout=NODE_TIMEOUT,
            env={**os.environ, "NODE_PATH": str(self.modules)},
            check=False,
        )
        assert proc.returncode == 0, f"srp_client.cjs failed ({proc.returncode}):\n{proc.stderr}"
        result: dict[str, Any] = json.loads(proc.stdout)
        return result


def _installed(prefix: Path) -> bool:
    manifest = prefix / "node_modules" / JS_PACKAGE / "package.json"
    try:
        return bool(json.loads(manifest.read_text())["version"] == JS_VERSION)
    except (OSError, ValueError, KeyError):
        return False


def install_js_package(npm: str) -> Path:
    """``npm install`` the pinned package into the cache once; a half-finished install (or one
    racing another test run) is built aside and only then moved into place."""
    prefix = NODE_CACHE / f"{JS_PACKAGE}-{JS_VERSION}"
    if _installed(prefix):
        return prefix / "node_modules"
    NODE_CACHE.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".install-", dir=NODE_CACHE))
    try:
        command = [npm, "install", "--prefix", str(staging), "--no-audit", "--no-fund"]
        command += ["--ignore-scripts", f"{JS_PACKAGE}@{JS_VERSION}"]
        proc = subprocess.run(
            command,
            cwd=NODE_CACHE,
            capture_output=True,
            text=True,
            timeout=NPM_TIMEOUT,
            check=False,
        )
        if proc.returncode != 0 or not _installed(staging):
            pytest.fail(f"{' '.join(command)} failed ({proc.returncode}):\n{proc.stderr[-4000:]}")
        if not _installed(prefix):
            shutil.rmtree(prefix, ignore_errors=True)
            try:
                staging.rename(prefix)
            except OSError:
                if not _installed(prefix):  # another run did not win the race either
                    raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return prefix / "node_modules"


@pytest.fixture(scope="session")
def cognito_js() -> NodeClient:
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip(f"Node.js and npm are needed to run {JS_PACKAGE}; they are not on PATH")
    return NodeClient(node, install_js_package(npm))


def test_js_right_password(
    cognito_js: NodeClient, live: LiveServer, cognito: Any, pool: Pool
) -> None:
    make_user(cognito, pool)
    result = cognito_js.sign_in(live, pool, "alice", PASSWORD)
    assert "error" not in result, result
    assert result["username"] == "alice" and result["challenges"] == []
    assert username_of(cognito, result["tokens"]["AccessToken"]) == "alice"
    refreshed = cognito.initiate_auth(
        ClientId=pool.client_id,
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": result["tokens"]["RefreshToken"]},
    )["AuthenticationResult"]
    assert username_of(cognito, refreshed["AccessToken"]) == "alice"


def test_js_wrong_password(
    cognito_js: NodeClient, live: LiveServer, cognito: Any, pool: Pool
) -> None:
    make_user(cognito, pool)
    result = cognito_js.sign_in(live, pool, "alice", "Wr0ng-password!")
    assert (result.get("error"), result.get("message")) == INCORRECT, result


def test_js_unknown_user(
    cognito_js: NodeClient, live: LiveServer, cognito: Any, pool: Pool
) -> None:
    result = cognito_js.sign_in(live, pool, "nobody", PASSWORD)
    assert (result.get("error"), result.get("message")) == INCORRECT, result


def test_js_new_password_required(
    cognito_js: NodeClient, live: LiveServer, cognito: Any, pool: Pool
) -> None:
    invite(cognito, pool)
    pending = cognito_js.sign_in(live, pool, "carol", TEMPORARY)
    assert pending.get("challenge") == "NEW_PASSWORD_REQUIRED", pending
    assert pending["userAttributes"]["email"] == "carol@example.com"
    assert pending["requiredAttributes"] == []
    done = cognito_js.sign_in(live, pool, "carol", TEMPORARY, new_password=NEW_PASSWORD)
    assert "error" not in done, done
    assert [c["name"] for c in done["challenges"]] == ["NEW_PASSWORD_REQUIRED"]
    assert username_of(cognito, done["tokens"]["AccessToken"]) == "carol"
    again = cognito_js.sign_in(live, pool, "carol", NEW_PASSWORD)
    assert "tokens" in again and again["challenges"] == [], again
    old = cognito_js.sign_in(live, pool, "carol", TEMPORARY)
    assert (old.get("error"), old.get("message")) == INCORRECT, old


def test_js_email_username(cognito_js: NodeClient, live: LiveServer, cognito: Any) -> None:
    pool = srp_pool(cognito, pool_args={"UsernameAttributes": ["email"]})
    sub = make_user(cognito, pool, EMAIL_USER, email=EMAIL_USER)
    result = cognito_js.sign_in(live, pool, EMAIL_USER, PASSWORD)
    assert "error" not in result, result
    # The library adopts USER_ID_FOR_SRP as its username: the internal one, not the email.
    assert result["username"] == sub
    assert username_of(cognito, result["tokens"]["AccessToken"]) == sub
    wrong = cognito_js.sign_in(live, pool, EMAIL_USER, "Wr0ng-password!")
    assert (wrong.get("error"), wrong.get("message")) == INCORRECT, wrong
