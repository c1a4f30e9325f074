from typing import Any

from tests.conftest import Pool, make_user, sign_in


def test_sign_up_sign_in_get_user(cognito: Any, pool: Pool) -> None:
    sub = make_user(cognito, pool)
    tokens = sign_in(cognito, pool)
    user = cognito.get_user(AccessToken=tokens["AccessToken"])
    assert user["Username"] == "alice"
    assert {"Name": "sub", "Value": sub} in user["UserAttributes"]
