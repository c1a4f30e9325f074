"""The ListUsers ``Filter`` language (Amazon Cognito API reference, ListUsers, request parameter
``Filter``; developer guide, "Managing and searching for user accounts").

A filter is ``AttributeName Filter-Type "AttributeValue"``: ``=`` for an exact match, ``^=`` for
a prefix ("starts with") match, one attribute at a time, for example ``family_name = "Reddy"``
or ``given_name ^= "Jon"``. Inside the quoted value ``\\"`` stands for a quotation mark and
``\\\\`` for a backslash. Blanks around the name, the operator and the value are optional, and
the name may itself be quoted (AWS's own example: ``"email"^="testuser"``). An empty filter
string means no filter.

Only these attributes are searchable: ``username``, ``email``, ``phone_number``, ``name``,
``given_name``, ``family_name``, ``preferred_username``, ``cognito:user_status`` (called Status in
the console; case-insensitive), ``status`` (called Enabled in the console: ``Enabled`` or
``Disabled``, case-sensitive) and ``sub``. Custom attributes are not searchable.

Anything else is refused with Cognito's wording: ``Error while parsing filter.`` for a string
that is not of this form, ``Invalid search attribute: <name>`` for an attribute that cannot be
searched. Pure: no I/O.
"""

from __future__ import annotations

from typing import Final

from idmint.core.errors import InvalidParameter
from idmint.core.model import UserFilter

USERNAME: Final = "username"
USER_STATUS: Final = "cognito:user_status"
ENABLED: Final = "status"
SEARCHABLE: Final = frozenset(
    {
        USERNAME,
        "email",
        "phone_number",
        "name",
        "given_name",
        "family_name",
        "preferred_username",
        USER_STATUS,
        ENABLED,
        "sub",
    }
)

PARSE_ERROR: Final = "Error while parsing filter."
_BLANKS: Final = " \t\r\n"
# Characters that end an unquoted attribute name.
_NAME_STOP: Final = frozenset(_BLANKS + '="^\\')


def _parse_error() -> InvalidParameter:
    return InvalidParameter(PARSE_ERROR)


class _Scanner:
    """A cursor over the filter text; every method raises the parse error on a mismatch."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def at_end(self) -> bool:
        return self.pos >= len(self.text)

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def skip_blanks(self) -> None:
        while self.peek() and self.peek() in _BLANKS:
            self.pos += 1

    def expect(self, literal: str) -> None:
        if not self.text.startswith(literal, self.pos):
            raise _parse_error()
        self.pos += len(literal)

    def name(self) -> str:
        """An attribute name, bare (``email``) or quoted without escapes (``"email"``)."""
        if self.peek() == '"':
            end = self.text.find('"', self.pos + 1)
            name = self.text[self.pos + 1 : end] if end != -1 else ""
            if not name or "\\" in name or any(c in _BLANKS for c in name):
                raise _parse_error()
            self.pos = end + 1
            return name
        start = self.pos
        while self.peek() and self.peek() not in _NAME_STOP:
            self.pos += 1
        if self.pos == start:
            raise _parse_error()
        return self.text[start : self.pos]

    def operator(self) -> bool:
        """``=`` or ``^=``; True for the prefix match."""
        if self.peek() == "^":
            self.expect("^=")
            return True
        self.expect("=")
        return False

    def value(self) -> str:
        """A double-quoted value in which only ``\\"`` and ``\\\\`` are escapes."""
        self.expect('"')
        out: list[str] = []
        while True:
            char = self.peek()
            if not char:
                raise _parse_error()  # unterminated
            self.pos += 1
            if char == '"':
                return "".join(out)
            if char == "\\":
                escaped = self.peek()
                if escaped not in ('"', "\\"):
                    raise _parse_error()
                out.append(escaped)
                self.pos += 1
            else:
                out.append(char)


def parse_filter(text: str | None) -> UserFilter | None:
    """Parse a ListUsers ``Filter``; None when there is none (absent or the empty string).

    ``cognito:user_status`` matches case-insensitively, so its value comes back upper-cased
    (the form of Cognito's ``UserStatusType``); ``status`` keeps its value (``Enabled`` or
    ``Disabled``, matched case-sensitively). A ``username`` value is returned as given: the pool
    decides whether usernames fold case (see ``Context.username_key``).
    """
    if not text:
        return None
    scan = _Scanner(text)
    scan.skip_blanks()
    name = scan.name()
    scan.skip_blanks()
    prefix = scan.operator()
    scan.skip_blanks()
    value = scan.value()
    scan.skip_blanks()
    if not scan.at_end():
        raise _parse_error()
    if name not in SEARCHABLE:
        raise InvalidParameter(f"Invalid search attribute: {name}")
    if name == USER_STATUS and value.isascii():
        value = value.upper()  # the statuses are ASCII: no Unicode folding surprises
    return UserFilter(attribute=name, value=value, prefix=prefix)
