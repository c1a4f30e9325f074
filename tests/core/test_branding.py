"""The hosted-UI branding rules of idmint.core.branding (Cognito SetUICustomization; Developer
Guide "Customizing hosted UI (classic) branding"): the CSS sanitiser and the logo check. The use
cases themselves are driven through boto3 in tests/web/cognito/test_ui_customization.py."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from idmint.core.branding import (
    ALLOWED_PROPERTIES,
    MAX_IMAGE_BYTES,
    image_content_type,
    sanitize_css,
)
from idmint.core.errors import InvalidParameter

# Cognito's own template, as GetUICustomization returns it (AWS CLI reference,
# get-ui-customization example): whatever a user starts from must be accepted.
COGNITO_TEMPLATE = """
.logo-customizable { max-width: 80%; max-height: 30%; }
.banner-customizable { padding: 25px 0px 25px 0px; background-color: lightgray; }
.label-customizable { font-weight: 400; }
.textDescription-customizable {
  padding-top: 100px; padding-bottom: 10px; display: block; font-size: 12px;
}
.idpDescription-customizable {
  padding-top: 10px; padding-bottom: 10px; display: block; font-size: 16px;
}
.legalText-customizable { color: #747474; font-size: 11px; }
.submitButton-customizable {
  font-size: 14px; font-weight: bold; margin: 20px 0px 10px 0px; height: 50px; width: 100%;
  color: #fff; background-color: #337ab7;
}
.submitButton-customizable:hover { color: #fff; background-color: #286090; }
.errorMessage-customizable {
  padding: 5px; font-size: 12px; width: 100%; background: #F5F5F5; border: 2px solid #D64958;
  color: #D64958;
}
.inputField-customizable {
  width: 100%; height: 34px; color: #555; background-color: #fff; border: 1px solid #ccc;
}
.inputField-customizable:focus { border-color: #66afe9; outline: 0; }
.idpButton-customizable {
  height: 40px; width: 100%; width: 100%; text-align: center; margin-bottom: 15px; color: #fff;
  background-color: #5bc0de; border-color: #46b8da;
}
.idpButton-customizable:hover { color: #fff; background-color: #31b0d5; }
.socialButton-customizable {
  border-radius: 2px; height: 60px; margin-bottom: 15px; padding: 1px; text-align: left;
  width: 100%;
}
.redirect-customizable { text-align: center; }
.passwordCheck-notValid-customizable { color: #DF3312; }
.passwordCheck-valid-customizable { color: #19BF00; }
.background-customizable { background-color: #fff; }
"""

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 17
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 16


def refused(css: str) -> str:
    with pytest.raises(InvalidParameter) as caught:
        sanitize_css(css)
    return caught.value.message


# Accepted ------------------------------------------------------------------------------------


def test_the_documented_classes_are_exactly_cognitos() -> None:
    assert set(ALLOWED_PROPERTIES) == {
        ".background-customizable",
        ".banner-customizable",
        ".errorMessage-customizable",
        ".idpButton-customizable",
        ".idpButton-customizable:hover",
        ".idpDescription-customizable",
        ".inputField-customizable",
        ".inputField-customizable:focus",
        ".label-customizable",
        ".legalText-customizable",
        ".logo-customizable",
        ".passwordCheck-valid-customizable",
        ".passwordCheck-notValid-customizable",
        ".redirect-customizable",
        ".socialButton-customizable",
        ".submitButton-customizable",
        ".submitButton-customizable:hover",
        ".textDescription-customizable",
    }


def test_cognitos_template_is_accepted_and_reserialised() -> None:
    clean = sanitize_css(COGNITO_TEMPLATE)
    assert clean is not None
    assert clean.count("{") == 18
    assert ".banner-customizable {\n  padding: 25px 0px 25px 0px;\n" in clean
    assert "  border: 2px solid #D64958;\n" in clean
    assert sanitize_css(clean) == clean  # a fixed point: Get then Set changes nothing


def test_one_rule_is_serialised_one_declaration_a_line() -> None:
    css = "/* brand */ .label-customizable{COLOR:  red ;font-weight:700}"
    assert sanitize_css(css) == ".label-customizable {\n  color: red;\n  font-weight: 700;\n}\n"


@pytest.mark.parametrize(
    ("css", "declaration"),
    [
        (".background-customizable { background-color: #0b5cab }", "background-color: #0b5cab"),
        (".background-customizable { background-color: #0b5cab80 }", "background-color: #0b5cab80"),
        (
            ".background-customizable { background-color: rgb(11,  92, 171) }",
            "background-color: rgb(11, 92, 171)",
        ),
        (
            ".background-customizable { background-color: hsla(210, 88%, 36%, .5) }",
            "background-color: hsla(210, 88%, 36%, .5)",
        ),
        (".background-customizable { background-color: transparent }", "transparent"),
        (".label-customizable { color: inherit }", "color: inherit"),
        (".label-customizable { color: red !important }", "color: red !important"),
        (".label-customizable { color: red!IMPORTANT }", "color: red !important"),
        (".inputField-customizable { border: none }", "border: none"),
        (".inputField-customizable { border: 1px dashed rgb(0,0,0) }", "border: 1px dashed"),
        (".inputField-customizable { height: 2.5em }", "height: 2.5em"),
        (".logo-customizable { max-width: none }", "max-width: none"),
        (".submitButton-customizable { margin: 0 auto 1rem -2px }", "margin: 0 auto 1rem -2px"),
        (".submitButton-customizable { font-weight: BOLD }", "font-weight: bold"),
        (".textDescription-customizable { display: inline }", "display: inline"),
        (".textDescription-customizable { font-size: small }", "font-size: small"),
        (".idpButton-customizable { text-align: right }", "text-align: right"),
        (".errorMessage-customizable { box-sizing: border-box }", "box-sizing: border-box"),
    ],
)
def test_accepted_values(css: str, declaration: str) -> None:
    clean = sanitize_css(css)
    assert clean is not None and declaration in clean


def test_a_selector_list_of_allowed_classes_is_kept() -> None:
    clean = sanitize_css(
        ".submitButton-customizable:hover,\n.idpButton-customizable:hover{color:#fff}"
    )
    assert clean == (
        ".submitButton-customizable:hover, .idpButton-customizable:hover {\n  color: #fff;\n}\n"
    )


@pytest.mark.parametrize("css", ["", "   \n", "/* nothing */", "/* a */ /* b */\n"])
def test_nothing_to_style_is_none(css: str) -> None:
    assert sanitize_css(css) is None


def test_an_empty_rule_is_kept() -> None:
    assert sanitize_css(".label-customizable {}") == ".label-customizable {\n}\n"


# Refused -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("css", "message"),
    [
        # Classes Cognito does not offer, or allowed ones in a wider selector.
        (".login { color: red }", "selector '.login' is not allowed"),
        ("body { color: red }", "selector 'body' is not allowed"),
        ("* { color: red }", "selector '*' is not allowed"),
        (".label-customizable:hover { color: red }", "'.label-customizable:hover' is not allowed"),
        (".Label-customizable { color: red }", "'.Label-customizable' is not allowed"),
        ("div .label-customizable { color: red }", "'div .label-customizable' is not allowed"),
        (".label-customizable, p { color: red }", "selector 'p' is not allowed"),
        ("{ color: red }", "selector '(empty)' is not allowed"),
        # Properties Cognito does not list for the class.
        (".label-customizable { font-size: 3px }", "property 'font-size' is not allowed in"),
        (".banner-customizable { position: fixed }", "property 'position' is not allowed"),
        (
            ".background-customizable { background-image: none }",
            "'background-image' is not allowed in .background-customizable",
        ),
        (".label-customizable { content: none }", "property 'content' is not allowed"),
        (
            ".label-customizable, .legalText-customizable { font-weight: 700 }",
            "'font-weight' is not allowed in .legalText-customizable",
        ),
        # Values outside the documented sets or outside CSS's value grammar.
        (".label-customizable { font-weight: 450 }", "value '450' of 'font-weight'"),
        (".textDescription-customizable { display: flex }", "value 'flex' of 'display'"),
        (".idpButton-customizable { text-align: justify }", "value 'justify' of 'text-align'"),
        (".label-customizable { color: }", "value '' of 'color'"),
        (".label-customizable { color: red blue }", "value 'red blue' of 'color'"),
        (".label-customizable { color: var(--x) }", "value 'var(--x)' of 'color'"),
        (".label-customizable { color: rgb(0,0,0 }", "value 'rgb(0,0,0' of 'color'"),
        (".label-customizable { color: red, blue }", "value 'red, blue' of 'color'"),
        (".label-customizable { color: &#x72;ed }", "value '&#x72' of 'color'"),
        (".inputField-customizable { width: calc(100% - 1px) }", "of 'width'"),
        (".inputField-customizable { width: 1px 2px 3px 4px 5px }", "of 'width'"),
        (".inputField-customizable { border: 1px solid red red }", "of 'border'"),
        (".inputField-customizable { height: red }", "value 'red' of 'height'"),
        (".label-customizable { color red }", "expected 'property: value'"),
        (".label-customizable { :red }", "expected 'property: value'"),
        (".label-customizable { co/lor: red }", "expected 'property: value'"),
        # Anything that loads, runs or escapes.
        (".banner-customizable { background-color: url(x.png) }", "url() is not allowed"),
        (".banner-customizable { background-color: URL (x) }", "url() is not allowed"),
        (".label-customizable { color: expression(alert(1)) }", "expression() is not allowed"),
        (".label-customizable { color: javascript }", "javascript is not allowed"),
        (".label-customizable { -moz-binding: none }", "-moz-binding is not allowed"),
        ('@import "https://evil.example/x.css";', "at-rules such as @import"),
        ("@media screen { .label-customizable { color: red } }", "at-rules such as @media"),
        ("@supports (color: red) {}", "at-rules such as @supports"),
        ("@page { margin: 0 }", "at-rules such as @page"),
        ("@font-face { font-family: x }", "at-rules such as @font-face"),
        ("@charset;", "at-rules such as @charset"),
        (".label-customizable { color: red }</style><script>alert(1)</script>", "'<' and '>'"),
        (".label-customizable > .x { color: red }", "'<' and '>'"),
        (".label-customizable { color: \\72 ed }", "backslash escapes are not allowed"),
        (".label-customizable { color: 'red' }", "quoted strings are not allowed"),
        ('.label-customizable { color: "red" }', "quoted strings are not allowed"),
        (".label-customizable { color: red\x00 }", "control characters are not allowed"),
        # Structure: braces, semicolons and comments that do not pair up.
        (".label-customizable { color: red", "expected '.class-customizable {"),
        (".label-customizable { color: red } }", "near '}'"),
        (".label-customizable { { color: red } }", "expected '.class-customizable {"),
        (".label-customizable { color: red };", "near ';'"),
        ("color: red;", "near 'color: red;'"),
        (".label-customizable { color: red } /* open", "unterminated comment"),
        (".label-customizable { color: red } stray", "near 'stray'"),
    ],
)
def test_refused(css: str, message: str) -> None:
    got = refused(css)
    assert got.startswith("Invalid CSS: ")
    assert message in got, got


def test_a_comment_separates_like_whitespace() -> None:
    """Comments are dropped as CSS reads them, as a separator: one cannot join two halves of a
    forbidden word or of a property name."""
    assert "'u rl(x)' of 'background-color'" in refused(
        ".banner-customizable{background-color:u/**/rl(x)}"
    )
    assert "expected 'property: value'" in refused(".label-customizable{co/* */lor: red}")
    assert sanitize_css(".label-customizable{color:/* x */red}") == (
        ".label-customizable {\n  color: red;\n}\n"
    )


_SAFE = re.compile(r"[^<>\\'\"@;{}]*")


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    st.lists(
        st.sampled_from(
            [
                *ALLOWED_PROPERTIES,
                "{",
                "}",
                ";",
                ":",
                " ",
                ",",
                "color",
                "border",
                "width",
                "red",
                "1px",
                "solid",
                "url(",
                ")",
                "(",
                "<",
                "/*",
                "*/",
                "\\",
                "'",
                "@media",
                "expression",
                "rgb(1,2,3)",
                "!important",
            ]
        ),
        max_size=30,
    ).map("".join)
    | st.text(max_size=200)
)
def test_anything_accepted_is_safe_in_a_style_element(css: str) -> None:
    """Whatever comes in, the result is refused, or rules of allowed classes whose values can
    not load anything, leave the ``<style>`` element or be read differently the second time."""
    try:
        clean = sanitize_css(css)
    except InvalidParameter:
        return
    if clean is None:
        return
    assert sanitize_css(clean) == clean
    for rule in clean.split("}\n"):
        if not rule:
            continue
        head, _, body = rule.partition(" {\n")
        assert all(s in ALLOWED_PROPERTIES for s in head.split(", ")), head
        for line in body.splitlines():
            assert line.startswith("  ") and line.endswith(";")
            assert _SAFE.fullmatch(line[:-1]), line
            assert "url(" not in line.lower() and "expression" not in line.lower()


# The logo ------------------------------------------------------------------------------------


def test_png_and_jpeg_are_told_by_their_signature() -> None:
    assert image_content_type(PNG) == "image/png"
    assert image_content_type(JPEG) == "image/jpeg"


def test_100_kb_is_the_limit() -> None:
    assert MAX_IMAGE_BYTES == 102_400
    assert image_content_type(PNG + b"\x00" * (MAX_IMAGE_BYTES - len(PNG))) == "image/png"
    with pytest.raises(InvalidParameter, match="no larger than 100 KB"):
        image_content_type(PNG + b"\x00" * (MAX_IMAGE_BYTES - len(PNG) + 1))


@pytest.mark.parametrize(
    "image",
    [
        b"GIF89a\x01\x00\x01\x00\x00\x00\x00",
        b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
        b"RIFF\x00\x00\x00\x00WEBPVP8 ",
        b"BM\x00\x00",
        b"<html><body>a PNG, honestly</body></html>\x89PNG\r\n\x1a\n",
        b"\x89PNG",  # a truncated signature
        b"\xff\xd8",
        b"image/png",
    ],
)
def test_anything_else_is_refused(image: bytes) -> None:
    with pytest.raises(InvalidParameter, match="must be a PNG or JPEG file"):
        image_content_type(image)
