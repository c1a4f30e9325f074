"""`idmint partners` (issue 7), run as an operator runs it against a served data directory: the
Partner API Account's password is shown once and never listed; the credentials sign in through
the served Cognito API exactly as seed 000's curl example does and drive the managed-users API;
disable and enable take effect on the running server."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from tests.conftest import make_pool
from tests.test_cli import client, run, serving
from tests.web.partner.conftest import API, seed_sign_in

FIELDS = {"id", "name", "pool", "clientId", "username", "password", "maxManagedUsers", "enabled"}


def _id_token(http: httpx.Client, partner: dict[str, str]) -> str:
    signed = seed_sign_in(http, partner["clientId"], partner["username"], partner["password"])
    assert signed.status_code == 200, signed.text
    result = signed.json()["AuthenticationResult"]
    assert result["ExpiresIn"] == 86400 and result["TokenType"] == "Bearer"
    return str(result["IdToken"])


def test_partners_commands_drive_the_served_api(tmp_path: Path) -> None:
    key = json.loads(run("admin-key", "create", "--json", cwd=tmp_path).stdout)
    with serving(tmp_path) as url, httpx.Client(base_url=url, timeout=30) as http:
        cognito = client(url, key)
        pool = make_pool(cognito)
        empty_pool = make_pool(cognito)
        made = run(
            "partners", "create", "--pool", pool.id, "--name", "acme",
            "--max-managed-users", "1", "--json", cwd=tmp_path,
        )  # fmt: skip
        assert made.returncode == 0, made.stderr
        acme = json.loads(made.stdout)
        assert set(acme) == FIELDS
        assert (acme["name"], acme["pool"], acme["maxManagedUsers"]) == ("acme", pool.id, 1)
        assert acme["enabled"] is True and acme["username"] == f"partner-{acme['id']}"
        assert isinstance(acme["password"], str) and len(acme["password"]) >= 12
        other = run(
            "partners", "create", "--pool", pool.id, "--name", "globex", "--json", cwd=tmp_path
        )
        assert other.returncode == 0, other.stderr
        globex = json.loads(other.stdout)
        assert globex["maxManagedUsers"] is None and globex["clientId"] != acme["clientId"]

        token = _id_token(http, acme)
        auth = {"Authorization": f"Bearer {token}"}
        created = http.post(API, json={"externalId": "cli-1"}, headers=auth)
        assert created.status_code == 201, created.text
        user = created.json()
        full = http.post(API, json={}, headers=auth)
        assert full.status_code == 403 and full.json()["error"] == "quota_exceeded"
        issued = http.post(f"{API}/{user['userId']}/tokens", headers={"Authorization": token})
        assert issued.status_code == 200, issued.text

        listed = run("partners", "list", "--json", cwd=tmp_path)
        assert listed.returncode == 0, listed.stderr
        partners = {p["id"]: p for p in json.loads(listed.stdout)}
        assert set(partners) == {acme["id"], globex["id"]}
        assert partners[acme["id"]]["name"] == "acme"
        assert partners[acme["id"]]["clientId"] == acme["clientId"]
        assert all("password" not in p for p in partners.values())
        human = run("partners", "list", cwd=tmp_path)
        assert human.returncode == 0 and acme["id"] in human.stdout and "globex" in human.stdout
        by_pool = run("partners", "list", "--pool", pool.id, "--json", cwd=tmp_path)
        assert {p["id"] for p in json.loads(by_pool.stdout)} == {acme["id"], globex["id"]}
        none = run("partners", "list", "--pool", empty_pool.id, "--json", cwd=tmp_path)
        assert none.returncode == 0 and json.loads(none.stdout) == []
        for output in (listed, human, by_pool):
            assert acme["password"] not in output.stdout + output.stderr
            assert globex["password"] not in output.stdout + output.stderr

        disabled = run("partners", "disable", acme["id"], cwd=tmp_path)
        assert disabled.returncode == 0, disabled.stderr
        refused = http.get(API, headers=auth)
        assert refused.status_code == 401 and refused.json()["error"] == "invalid_token"
        states = {
            p["id"]: p["enabled"]
            for p in json.loads(run("partners", "list", "--json", cwd=tmp_path).stdout)
        }
        assert states == {acme["id"]: False, globex["id"]: True}
        globex_auth = {"Authorization": f"Bearer {_id_token(http, globex)}"}
        assert http.get(API, headers=globex_auth).status_code == 200

        enabled = run("partners", "enable", acme["id"], cwd=tmp_path)
        assert enabled.returncode == 0, enabled.stderr
        auth = {"Authorization": f"Bearer {_id_token(http, acme)}"}
        again = http.get(API, headers=auth)
        assert again.status_code == 200 and again.json()["users"] == [user]

    stored = b"".join(p.read_bytes() for p in (tmp_path / "idmint-data").iterdir() if p.is_file())
    assert acme["password"].encode() not in stored
    assert globex["password"].encode() not in stored


def test_partners_errors_are_clean(tmp_path: Path) -> None:
    missing = run("partners", "create", "--pool", "us-east-1_nope", "--name", "x", cwd=tmp_path)
    assert missing.returncode != 0
    unknown = run("partners", "disable", "nosuchpartner", cwd=tmp_path)
    assert unknown.returncode != 0
    unknown_enable = run("partners", "enable", "nosuchpartner", cwd=tmp_path)
    assert unknown_enable.returncode != 0
    bad_quota = run(
        "partners", "create", "--pool", "us-east-1_nope", "--name", "x",
        "--max-managed-users", "lots", cwd=tmp_path,
    )  # fmt: skip
    assert bad_quota.returncode != 0
    negative = run(
        "partners", "create", "--pool", "us-east-1_nope", "--name", "x",
        "--max-managed-users", "-1", cwd=tmp_path,
    )  # fmt: skip
    assert negative.returncode != 0
    for result in (missing, unknown, unknown_enable, bad_quota, negative):
        assert result.stderr.strip(), result
        assert "Traceback" not in result.stderr + result.stdout
    listed = run("partners", "list", "--json", cwd=tmp_path)
    assert listed.returncode == 0 and json.loads(listed.stdout) == []
