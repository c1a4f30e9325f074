"""The look of the hosted pages: the pool's name, and its logo and CSS as set with Cognito
SetUICustomization (for the pool, ``ClientId`` ``ALL``, or for one app client).

Amazon Cognito API reference, SetUICustomization and GetUICustomization
(``UICustomizationType``); Amazon Cognito Developer Guide, "Customizing hosted UI (classic)
branding" for the rules: the logo is a PNG or JPEG of at most 100 KB; the CSS may style only
Cognito's ``*-customizable`` classes, each with the properties the guide lists for it, and no
at-rule (``@import``, ``@supports``, ``@page``, ``@media``) or script. A client's own
customization replaces the pool's (``ALL``) as a whole: it does not fall back field by field.

The CSS is parsed, checked against those lists and stored re-serialised, so what the hosted
pages embed in a ``<style>`` element can hold no ``<``, ``>``, quote, backslash, ``url(``,
``expression`` or at-rule, whatever was sent.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

from idmint.core.context import Context
from idmint.core.errors import InvalidParameter
from idmint.core.model import UiCustomization, UserPool

ALL_CLIENTS = "ALL"
"""The ``ClientId`` of a pool's default customization (Cognito SetUICustomization)."""

MAX_IMAGE_BYTES = 100 * 1024
"""Cognito: "Your logo file can be no larger than 100 KB in size"."""

_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_JPEG_MAGIC = b"\xff\xd8\xff"


@dataclass(frozen=True, slots=True)
class Look:
    """What a hosted page shows of its pool and client."""

    name: str
    """The pool's name (``PoolName``), as the page's heading and title."""
    css: str | None = None
    """Sanitised CSS for Cognito's ``*-customizable`` classes, to embed in a ``<style>``."""
    logo_url: str | None = None
    """Path of the logo image on this server, if one was set."""


def logo_path(customization: UiCustomization) -> str:
    """Where this server serves ``customization``'s logo: ``/hosted/logo/<pool>/<client|ALL>``,
    with ``?v=<last modified>`` so a new logo is fetched at once despite caching."""
    pool = quote(customization.pool_id, safe="")
    client = quote(customization.client_id, safe="")
    return f"/hosted/logo/{pool}/{client}?v={int(customization.updated_at)}"


class Branding:
    """SetUICustomization, GetUICustomization, and what the hosted pages show."""

    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx

    async def look(self, pool: UserPool, client_id: str | None) -> Look:
        """The look of ``pool``'s pages for ``client_id`` (the client's own customization,
        else the pool's)."""
        found = await self._effective(pool.id, client_id)
        if found is None:
            return Look(name=pool.name)
        return Look(
            name=pool.name,
            css=found.css,
            logo_url=logo_path(found) if found.image is not None else None,
        )

    async def set_ui_customization(
        self, pool_id: str, client_id: str | None, css: str | None, image: bytes | None
    ) -> UiCustomization:
        """Cognito SetUICustomization: replace the logo and CSS of the pool (``client_id``
        None or ``ALL``) or of one of its app clients. CSS and logo are set together: what is
        not given is cleared. Everything is checked before anything is written.

        Cognito also requires the pool to have a domain; idmint serves every pool's pages on
        its own host, so there is always one."""
        key = await self._owner(pool_id, client_id)
        clean_css = sanitize_css(css) if css is not None else None
        image_type = image_content_type(image) if image else None
        now = self._ctx.clock()
        current = await self._ctx.store.get_ui_customization(pool_id, key)
        customization = UiCustomization(
            pool_id=pool_id,
            client_id=key,
            css=clean_css,
            image=image if image else None,
            image_type=image_type,
            created_at=current.created_at if current else now,
            updated_at=now,
        )
        await self._ctx.store.put_ui_customization(customization)
        return customization

    async def get_ui_customization(
        self, pool_id: str, client_id: str | None
    ) -> UiCustomization | None:
        """Cognito GetUICustomization: the client's own customization if it has one, else the
        pool's (``ALL``), else None (Cognito's "empty shape")."""
        key = await self._owner(pool_id, client_id)
        return await self._effective(pool_id, key)

    async def logo(self, pool_id: str, client_id: str) -> tuple[bytes, str] | None:
        """The logo image and its content type of exactly (pool, client or ``ALL``), as
        :func:`logo_path` names it; None when there is none."""
        if not (_POOL_ID.fullmatch(pool_id) and _CLIENT_ID.fullmatch(client_id)):
            return None
        found = await self._ctx.store.get_ui_customization(pool_id, client_id)
        if found is None or found.image is None or found.image_type is None:
            return None
        return found.image, found.image_type

    async def _owner(self, pool_id: str, client_id: str | None) -> str:
        """The customization key of a request: ``ALL`` or the id of a client of the pool
        (``ResourceNotFound`` for an unknown pool, or a client not in it)."""
        pool = await self._ctx.pool(pool_id)
        if client_id is None or client_id == ALL_CLIENTS:
            return ALL_CLIENTS
        return (await self._ctx.client(client_id, pool.id)).id

    async def _effective(self, pool_id: str, client_id: str | None) -> UiCustomization | None:
        store = self._ctx.store
        if client_id and client_id != ALL_CLIENTS and _CLIENT_ID.fullmatch(client_id):
            own = await store.get_ui_customization(pool_id, client_id)
            if own is not None:
                return own
        return await store.get_ui_customization(pool_id, ALL_CLIENTS)


# Identifiers as Cognito's model constrains them (UserPoolIdType, ClientIdType): anything
# else names nothing, and never reaches the store (PostgreSQL refuses NUL in text).
_POOL_ID = re.compile(r"[\w-]{1,55}", re.ASCII)
_CLIENT_ID = re.compile(r"[\w+]{1,128}", re.ASCII)


# The logo --------------------------------------------------------------------------------


def image_content_type(image: bytes) -> str:
    """``image/png`` or ``image/jpeg``, judged by the file's own signature (never a claimed
    type); ``InvalidParameter`` for anything else or for more than 100 KB."""
    if len(image) > MAX_IMAGE_BYTES:
        raise InvalidParameter(
            f"The logo image is {len(image)} bytes; it can be no larger than 100 KB "
            f"({MAX_IMAGE_BYTES} bytes)."
        )
    if image.startswith(_PNG_MAGIC):
        return "image/png"
    if image.startswith(_JPEG_MAGIC):
        return "image/jpeg"
    raise InvalidParameter("The logo image must be a PNG or JPEG file.")


# The CSS ---------------------------------------------------------------------------------

# Value kinds: what a property's value may be made of.
_COLOR = "color"
_LENGTHS = "lengths"
_BORDER = "border"

_BORDER_STYLES = frozenset(
    {"none", "hidden", "dotted", "dashed", "solid", "double", "groove", "ridge", "inset", "outset"}
)
_SIZE_KEYWORDS = frozenset(
    {
        "auto",
        "none",
        "fit-content",
        "min-content",
        "max-content",
        "xx-small",
        "x-small",
        "small",
        "medium",
        "large",
        "x-large",
        "xx-large",
        "smaller",
        "larger",
        "thin",
        "thick",
    }
)
_GLOBAL_KEYWORDS = frozenset({"inherit", "initial", "unset", "revert"})

# Properties with a closed set of values in the developer guide (``italic`` is listed there as
# a font-weight of the submit button; browsers ignore it, so it is accepted as harmless).
_KEYWORDS: dict[str, frozenset[str]] = {
    "display": frozenset({"block", "inline"}),
    "text-align": frozenset({"left", "right", "center"}),
    "box-sizing": frozenset({"content-box", "border-box"}),
    "font-weight": frozenset(
        {"normal", "bold", "bolder", "lighter", "italic", *(str(n) for n in range(100, 1000, 100))}
    ),
}

_KINDS: dict[str, str] = {
    "color": _COLOR,
    "background-color": _COLOR,
    "background": _COLOR,
    "border-color": _COLOR,
    "border": _BORDER,
    "outline": _BORDER,
    **{
        name: _LENGTHS
        for name in (
            "width",
            "height",
            "max-width",
            "max-height",
            "padding",
            "padding-top",
            "padding-bottom",
            "margin",
            "margin-bottom",
            "font-size",
            "border-radius",
        )
    },
}

ALLOWED_PROPERTIES: dict[str, frozenset[str]] = {
    f".{selector}": frozenset(names)
    for selector, names in {
        "background-customizable": ("background-color",),
        "banner-customizable": ("padding", "background-color"),
        "errorMessage-customizable": (
            "margin",
            "padding",
            "font-size",
            "width",
            "background",
            "border",
            "color",
            "box-sizing",
        ),
        "idpButton-customizable": (
            "height",
            "width",
            "text-align",
            "margin-bottom",
            "color",
            "background-color",
            "border-color",
        ),
        "idpButton-customizable:hover": ("color", "background-color"),
        "idpDescription-customizable": (
            "padding-top",
            "padding-bottom",
            "display",
            "font-size",
            "color",
        ),
        "inputField-customizable": ("width", "height", "color", "background-color", "border"),
        "inputField-customizable:focus": ("border-color", "outline"),
        "label-customizable": ("font-weight", "color"),
        "legalText-customizable": ("color", "font-size"),
        "logo-customizable": ("max-width", "max-height", "background-color"),
        "passwordCheck-valid-customizable": ("color",),
        "passwordCheck-notValid-customizable": ("color",),
        # Not in the guide's property lists; these are the properties Cognito's own CSS
        # template (what GetUICustomization returns by default) gives these classes.
        "redirect-customizable": ("text-align",),
        "socialButton-customizable": (
            "height",
            "text-align",
            "width",
            "margin-bottom",
            "border-radius",
            "padding",
        ),
        "submitButton-customizable": (
            "font-size",
            "font-weight",
            "margin",
            "width",
            "height",
            "color",
            "background-color",
        ),
        "submitButton-customizable:hover": ("color", "background-color"),
        "textDescription-customizable": (
            "padding-top",
            "padding-bottom",
            "display",
            "font-size",
            "color",
        ),
    }.items()
}
"""Cognito's ``*-customizable`` selectors and the properties each may set (Developer Guide,
"Customizing hosted UI (classic) branding")."""

_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
_RULE = re.compile(r"\s*([^{}]*)\{([^{}]*)\}\s*")
_PROPERTY = re.compile(r"-?[a-zA-Z][a-zA-Z-]*")
_IMPORTANT = re.compile(r"!\s*important\s*\Z", re.IGNORECASE)
_TOKEN = re.compile(r"(?P<func>[a-zA-Z-]+\([^()]*\))|(?P<word>[^\s(),/]+)|(?P<sep>\S)")
_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)"
_LENGTH = re.compile(rf"{_NUMBER}(?:px|em|rem|%|vh|vw|vmin|vmax|pt|pc|cm|mm|in|ex|ch)?")
_HEX_COLOR = re.compile(r"#(?:[0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})")
_COLOR_NAME = re.compile(r"[a-zA-Z]+")
_COLOR_FUNCTION = re.compile(
    r"(?:rgba?|hsla?)\((?:[0-9.,%/+\s-]|deg|turn|rad|none)*\)", re.IGNORECASE
)
# Refused with a message of their own: what could load a resource, run script or leave the
# <style> element (CSS escapes could spell any of them, so the backslash goes too).
_FORBIDDEN: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"@[\w-]*"), "at-rules such as {0} are not allowed"),
    (re.compile(r"url\s*\(", re.IGNORECASE), "url() is not allowed"),
    (re.compile(r"expression", re.IGNORECASE), "expression() is not allowed"),
    (re.compile(r"javascript|vbscript|behavior|-moz-binding", re.IGNORECASE), "{0} is not allowed"),
    (re.compile(r"[<>]"), "'<' and '>' are not allowed"),
    (re.compile(r"\\"), "backslash escapes are not allowed"),
    (re.compile(r"[\"']"), "quoted strings are not allowed"),
    (re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]"), "control characters are not allowed"),
)


def _refuse(reason: str) -> InvalidParameter:
    return InvalidParameter(f"Invalid CSS: {reason}.")


def sanitize_css(css: str) -> str | None:
    """The CSS of a SetUICustomization request, checked and re-serialised: one rule per
    selector list, one ``property: value;`` per line, comments dropped. None when nothing is
    left (empty, or only comments). ``InvalidParameter`` naming the first class, property or
    value Cognito would not accept."""
    if "/*" in _COMMENT.sub("", css):
        raise _refuse("unterminated comment")
    text = _COMMENT.sub(" ", css)
    for pattern, reason in _FORBIDDEN:
        found = pattern.search(text)
        if found:
            raise _refuse(reason.format(found.group()))
    rules: list[str] = []
    position = 0
    while position < len(text):
        if not text[position:].strip():
            break
        match = _RULE.match(text, position)
        if match is None:
            near = text[position:].strip()[:40]
            raise _refuse(f"expected '.class-customizable {{ property: value; }}' near {near!r}")
        rules.append(_rule(match.group(1), match.group(2)))
        position = match.end()
    return "\n".join(rules) + "\n" if rules else None


def _rule(selector_text: str, block: str) -> str:
    selectors = [s.strip() for s in selector_text.split(",")]
    for selector in selectors:
        if selector not in ALLOWED_PROPERTIES:
            shown = selector or "(empty)"
            raise _refuse(
                f"selector {shown!r} is not allowed; use one of Cognito's classes: "
                + ", ".join(ALLOWED_PROPERTIES)
            )
    declarations = [_declaration(selectors, part) for part in block.split(";") if part.strip()]
    body = "".join(f"  {d};\n" for d in declarations)
    return f"{', '.join(selectors)} {{\n{body}}}"


def _declaration(selectors: list[str], text: str) -> str:
    name, colon, raw = text.partition(":")
    name = name.strip().lower()
    if not colon or not _PROPERTY.fullmatch(name):
        raise _refuse(f"expected 'property: value' in {selectors[0]}, found {text.strip()!r}")
    for selector in selectors:
        if name not in ALLOWED_PROPERTIES[selector]:
            raise _refuse(
                f"property {name!r} is not allowed in {selector} (allowed: "
                + ", ".join(sorted(ALLOWED_PROPERTIES[selector]))
                + ")"
            )
    value = raw.strip()
    important = _IMPORTANT.search(value)
    if important:
        value = value[: important.start()].strip()
    clean = _value(selectors[0], name, value)
    return f"{name}: {clean}{' !important' if important else ''}"


def _value(selector: str, name: str, value: str) -> str:
    def bad(why: str = "") -> InvalidParameter:
        return _refuse(f"value {value!r} of {name!r} in {selector} is not valid{why}")

    if not value:
        raise bad()
    tokens: list[str] = []
    for match in _TOKEN.finditer(value):
        if match.group("sep"):
            raise bad()
        tokens.append(match.group())
    if len(tokens) == 1 and tokens[0].lower() in _GLOBAL_KEYWORDS:
        return tokens[0].lower()
    if name in _KEYWORDS:
        allowed = _KEYWORDS[name]
        if len(tokens) != 1 or tokens[0].lower() not in allowed:
            raise bad(f" (one of: {', '.join(sorted(allowed))})")
        return tokens[0].lower()
    kind = _KINDS[name]
    check: Callable[[str], bool]
    if kind == _COLOR:
        limit, check = 1, _is_color
    elif kind == _LENGTHS:
        limit, check = 4, _is_length
    else:
        limit, check = 3, lambda t: _is_length(t) or t.lower() in _BORDER_STYLES or _is_color(t)
    if len(tokens) > limit or not all(check(t) for t in tokens):
        raise bad()
    return " ".join(re.sub(r"\s+", " ", t) for t in tokens)


def _is_color(token: str) -> bool:
    return bool(
        _HEX_COLOR.fullmatch(token)
        or _COLOR_NAME.fullmatch(token)
        or _COLOR_FUNCTION.fullmatch(token)
    )


def _is_length(token: str) -> bool:
    return bool(_LENGTH.fullmatch(token)) or token.lower() in _SIZE_KEYWORDS
