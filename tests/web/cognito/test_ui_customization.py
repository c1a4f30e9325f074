"""SetUICustomization and GetUICustomization through boto3, and the logo they publish
(``ImageUrl``, ``GET /hosted/logo/...``) and the look the hosted pages get from them."""

from __future__ import annotations

from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx
import pytest
from botocore.exceptions import ClientError

from idmint.core.branding import Look
from tests.conftest import LiveServer, Pool, error, make_pool

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 17 + b"pool-logo"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 16 + b"client-logo"
POOL_CSS = ".background-customizable { background-color: #0b5cab; }"
CLIENT_CSS = "/* ours */ .submitButton-customizable{color:#fff;FONT-WEIGHT:bold}"
CLIENT_CSS_CLEAN = ".submitButton-customizable {\n  color: #fff;\n  font-weight: bold;\n}\n"


def fetch(live: LiveServer, image_url: str) -> httpx.Response:
    """GET an ImageUrl (absolute, or a path when the server does not know its public URL)."""
    return httpx.get(urljoin(live.url, image_url), timeout=10)


def look(live: LiveServer, pool_id: str, client_id: str | None) -> Look:
    service = live.app.state.service
    user_pool = live.run(live.store.get_pool(pool_id))
    result: Look = live.run(service.branding.look(user_pool, client_id))
    return result


def second_client(cognito: Any, pool: Pool) -> str:
    client = cognito.create_user_pool_client(UserPoolId=pool.id, ClientName="other")
    return str(client["UserPoolClient"]["ClientId"])


def test_nothing_set_is_an_empty_shape(live: LiveServer, cognito: Any, pool: Pool) -> None:
    """ "If nothing is present, then an empty shape is returned." """
    assert cognito.get_ui_customization(UserPoolId=pool.id)["UICustomization"] == {}
    got = cognito.get_ui_customization(UserPoolId=pool.id, ClientId=pool.client_id)
    assert got["UICustomization"] == {}
    assert look(live, pool.id, pool.client_id) == Look(name="test-pool")


def test_set_and_get_the_pools_default(live: LiveServer, cognito: Any, pool: Pool) -> None:
    before = live.clock()
    set_ = cognito.set_ui_customization(
        UserPoolId=pool.id, ClientId="ALL", CSS=POOL_CSS, ImageFile=PNG
    )["UICustomization"]
    assert set_["UserPoolId"] == pool.id and set_["ClientId"] == "ALL"
    assert set_["CSS"] == ".background-customizable {\n  background-color: #0b5cab;\n}\n"
    assert set_["CSSVersion"].isdigit() and len(set_["CSSVersion"]) == 14
    assert set_["CreationDate"].timestamp() == pytest.approx(before)
    assert set_["LastModifiedDate"] == set_["CreationDate"]
    path = urlsplit(set_["ImageUrl"]).path
    assert path == f"/hosted/logo/{pool.id}/ALL"
    if urlsplit(set_["ImageUrl"]).scheme:
        assert set_["ImageUrl"].startswith(live.url + "/hosted/logo/")
    # ClientId omitted is the pool's default too, for Get as for Set.
    assert cognito.get_ui_customization(UserPoolId=pool.id)["UICustomization"] == set_
    assert cognito.get_ui_customization(UserPoolId=pool.id, ClientId="ALL")["UICustomization"] == (
        set_
    )

    response = fetch(live, set_["ImageUrl"])
    assert response.status_code == 200
    assert response.content == PNG
    assert response.headers["content-type"] == "image/png"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "public, max-age=300"
    assert response.headers["content-security-policy"] == "default-src 'none'"


def test_client_override_and_fallback(live: LiveServer, cognito: Any, pool: Pool) -> None:
    cognito.set_ui_customization(UserPoolId=pool.id, CSS=POOL_CSS, ImageFile=PNG)
    own = cognito.set_ui_customization(
        UserPoolId=pool.id, ClientId=pool.client_id, CSS=CLIENT_CSS, ImageFile=JPEG
    )["UICustomization"]
    assert own["ClientId"] == pool.client_id
    assert own["CSS"] == CLIENT_CSS_CLEAN
    got = cognito.get_ui_customization(UserPoolId=pool.id, ClientId=pool.client_id)
    assert got["UICustomization"] == own
    logo = fetch(live, own["ImageUrl"])
    assert (logo.status_code, logo.content) == (200, JPEG)
    assert logo.headers["content-type"] == "image/jpeg"

    # A client without settings of its own gets the pool's.
    other = second_client(cognito, pool)
    fallback = cognito.get_ui_customization(UserPoolId=pool.id, ClientId=other)
    assert fallback["UICustomization"]["ClientId"] == "ALL"
    assert fallback["UICustomization"]["CSS"].startswith(".background-customizable {")
    assert fetch(live, fallback["UICustomization"]["ImageUrl"]).content == PNG

    # What the hosted pages show.
    assert look(live, pool.id, pool.client_id) == Look(
        name="test-pool",
        css=CLIENT_CSS_CLEAN,
        logo_url=urlsplit(own["ImageUrl"])._replace(scheme="", netloc="").geturl(),
    )
    pool_look = look(live, pool.id, other)
    assert pool_look.css == fallback["UICustomization"]["CSS"]
    assert pool_look.logo_url is not None
    assert pool_look.logo_url.startswith(f"/hosted/logo/{pool.id}/ALL?v=")
    assert look(live, pool.id, None) == pool_look
    assert look(live, pool.id, "no-such-client") == pool_look


def test_a_client_setting_replaces_the_pools_as_a_whole(
    live: LiveServer, cognito: Any, pool: Pool
) -> None:
    """Cognito: a client with settings "will no longer return to the ALL configuration"; CSS
    and logo are set together, so a Set without an image clears the image."""
    cognito.set_ui_customization(UserPoolId=pool.id, CSS=POOL_CSS, ImageFile=PNG)
    own = cognito.set_ui_customization(UserPoolId=pool.id, ClientId=pool.client_id, CSS=CLIENT_CSS)[
        "UICustomization"
    ]
    assert "ImageUrl" not in own
    assert look(live, pool.id, pool.client_id) == Look("test-pool", CLIENT_CSS_CLEAN, None)
    assert fetch(live, f"/hosted/logo/{pool.id}/{pool.client_id}").status_code == 404

    only_logo = cognito.set_ui_customization(
        UserPoolId=pool.id, ClientId=pool.client_id, ImageFile=JPEG
    )["UICustomization"]
    assert "CSS" not in only_logo
    assert only_logo["CreationDate"] == own["CreationDate"]
    assert fetch(live, only_logo["ImageUrl"]).content == JPEG


def test_replacing_keeps_the_creation_date(live: LiveServer, cognito: Any, pool: Pool) -> None:
    first = cognito.set_ui_customization(UserPoolId=pool.id, CSS=POOL_CSS)["UICustomization"]
    live.clock.advance(5)
    second = cognito.set_ui_customization(UserPoolId=pool.id, ImageFile=PNG)["UICustomization"]
    assert second["CreationDate"] == first["CreationDate"]
    assert (second["LastModifiedDate"] - first["LastModifiedDate"]).total_seconds() == 5
    assert second["CSSVersion"] > first["CSSVersion"]


def test_logo_404s(live: LiveServer, cognito: Any, pool: Pool) -> None:
    cognito.set_ui_customization(UserPoolId=pool.id, CSS=POOL_CSS)
    for path in (
        f"/hosted/logo/{pool.id}/ALL",  # CSS only
        f"/hosted/logo/{pool.id}/{pool.client_id}",
        "/hosted/logo/us-east-1_nopool000/ALL",
        "/hosted/logo/%00/ALL",
        f"/hosted/logo/{pool.id}/%00",
        f"/hosted/logo/{pool.id}/{'a' * 300}",
    ):
        response = fetch(live, path)
        assert response.status_code == 404, path
        assert response.headers["x-content-type-options"] == "nosniff"


# Refused requests ----------------------------------------------------------------------------


def state(cognito: Any, pool: Pool) -> tuple[dict[str, Any], dict[str, Any]]:
    return (
        cognito.get_ui_customization(UserPoolId=pool.id)["UICustomization"],
        cognito.get_ui_customization(UserPoolId=pool.id, ClientId=pool.client_id)[
            "UICustomization"
        ],
    )


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        ({"CSS": ".login { color: red }"}, "InvalidParameterException", "'.login'"),
        (
            {"CSS": ".label-customizable { position: fixed }"},
            "InvalidParameterException",
            "property 'position' is not allowed in .label-customizable",
        ),
        (
            {"CSS": ".banner-customizable { background-color: url(//evil.example/x) }"},
            "InvalidParameterException",
            "url() is not allowed",
        ),
        (
            {"CSS": ".label-customizable{color:red}</style><script>alert(1)</script>"},
            "InvalidParameterException",
            "'<' and '>'",
        ),
        ({"CSS": "@import 'x.css';"}, "InvalidParameterException", "@import"),
        (
            {"CSS": POOL_CSS, "ImageFile": b"GIF89a\x01\x00\x01\x00"},
            "InvalidParameterException",
            "PNG or JPEG",
        ),
        (
            {"ImageFile": b"<svg xmlns='http://www.w3.org/2000/svg'/>"},
            "InvalidParameterException",
            "PNG or JPEG",
        ),
        (
            {"ImageFile": PNG + b"\x00" * (100 * 1024)},
            "InvalidParameterException",
            "no larger than 100 KB",
        ),
        (
            # Beyond the model's ImageFileType (131072 bytes): refused before any work.
            {"ImageFile": PNG + b"\x00" * (128 * 1024)},
            "ValidationException",
            "imageFile",
        ),
    ],
)
@pytest.mark.parametrize("target", ["pool", "client"])
def test_refused_input_changes_nothing(
    cognito: Any, pool: Pool, args: dict[str, Any], code: str, message: str, target: str
) -> None:
    cognito.set_ui_customization(UserPoolId=pool.id, CSS=POOL_CSS, ImageFile=PNG)
    cognito.set_ui_customization(
        UserPoolId=pool.id, ClientId=pool.client_id, CSS=CLIENT_CSS, ImageFile=JPEG
    )
    before = state(cognito, pool)
    client = {"ClientId": pool.client_id} if target == "client" else {}
    with pytest.raises(ClientError) as caught:
        cognito.set_ui_customization(UserPoolId=pool.id, **client, **args)
    got_code, got_message = error(caught)
    assert got_code == code
    assert message in got_message
    assert state(cognito, pool) == before


def test_unknown_pool_or_foreign_client_is_not_found(cognito: Any, pool: Pool) -> None:
    elsewhere = make_pool(cognito)
    cases: list[tuple[dict[str, str], str]] = [
        ({"UserPoolId": "us-east-1_nopool000"}, "User pool us-east-1_nopool000 does not exist."),
        (
            {"UserPoolId": "us-east-1_nopool000", "ClientId": pool.client_id},
            "User pool us-east-1_nopool000 does not exist.",
        ),
        (
            {"UserPoolId": pool.id, "ClientId": elsewhere.client_id},
            f"User pool client {elsewhere.client_id} does not exist.",
        ),
        (
            {"UserPoolId": pool.id, "ClientId": "nosuchclient"},
            "User pool client nosuchclient does not exist.",
        ),
    ]
    for args, message in cases:
        with pytest.raises(ClientError) as caught:
            cognito.set_ui_customization(**args, CSS=POOL_CSS, ImageFile=PNG)
        assert error(caught) == ("ResourceNotFoundException", message)
        with pytest.raises(ClientError) as caught:
            cognito.get_ui_customization(**args)
        assert error(caught) == ("ResourceNotFoundException", message)
    # The foreign client's own pool was not touched either.
    assert cognito.get_ui_customization(UserPoolId=elsewhere.id)["UICustomization"] == {}
    assert cognito.get_ui_customization(UserPoolId=pool.id)["UICustomization"] == {}


def test_deleting_the_pool_deletes_its_customization(
    live: LiveServer, cognito: Any, pool: Pool
) -> None:
    image_url = cognito.set_ui_customization(UserPoolId=pool.id, ImageFile=PNG)["UICustomization"][
        "ImageUrl"
    ]
    cognito.delete_user_pool(UserPoolId=pool.id)
    assert fetch(live, image_url).status_code == 404
    with pytest.raises(ClientError) as caught:
        cognito.get_ui_customization(UserPoolId=pool.id)
    assert error(caught)[0] == "ResourceNotFoundException"


def test_admin_signature_is_required(live: LiveServer, pool: Pool) -> None:
    wrong = live.client(secret_key="not-the-secret-of-this-key")
    for call in (
        lambda: wrong.get_ui_customization(UserPoolId=pool.id),
        lambda: wrong.set_ui_customization(UserPoolId=pool.id, CSS=POOL_CSS),
    ):
        with pytest.raises(ClientError) as caught:
            call()
        assert error(caught)[0] == "InvalidSignatureException"
    assert live.client().get_ui_customization(UserPoolId=pool.id)["UICustomization"] == {}
