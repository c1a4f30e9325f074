"""Validate Cognito request bodies the way the AWS service does, before any work.

The rules come from ``model.json`` beside this file, generated from botocore's
cognito-idp model by ``scripts/gen_cognito_model.py``. Checking happens in two stages,
as in AWS's JSON 1.1 protocol:

1. Deserialisation. A value of the wrong JSON type is a ``SerializationException``,
   raised at the first one met (in document order) with the wording AWS's
   Jackson-based deserialiser uses, e.g. ``NUMBER_VALUE can not be converted to a
   String``. ``null`` is the same as an absent member, ``null`` elements of a list or
   map are dropped (AWS accepts them) and unknown members are ignored.
2. Constraints (required, length, range, pattern, enum). Every violation is collected
   and reported at once as ``"<n> validation error(s) detected: <e1>; <e2>"`` with
   AWS's per-member wording, e.g. ``Value 'ab' at 'username' failed to satisfy
   constraint: Member must have length greater than or equal to 3``.

Reporting order is document order: a structure's members as they appear in the body,
then, when its closing brace is reached, the required members it lacks (in model
order). AWS's own order follows a Java hash map, so no order matches it exactly.
At most ``MAX_REPORTED_ERRORS`` violations are reported, as AWS does.

Member paths are lowerCamelCase member names joined with ``.``; a list element is
``<list>.<n>.member`` (1-based) and a map entry's value ``<map>.<key>.member``. A
list or map of scalars reports its elements' violations once, on the container:
``Member must satisfy constraint: [...]``, ``Map keys must satisfy constraint: [...]``
and ``Map value must satisfy constraint: [...]``, listing all of the element shape's
constraints. Values of sensitive shapes (and of anything inside one) are never echoed:
``Value at 'password' failed to ...``.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib import resources
from types import MappingProxyType
from typing import Any, ClassVar, Final

__all__ = [
    "CONSTRAINT_ERROR_TYPE",
    "MAX_REPORTED_ERRORS",
    "MODEL",
    "OPERATIONS",
    "SERIALIZATION_ERROR_TYPE",
    "Operation",
    "RequestRejected",
    "validate",
]

#: ``__type`` of a constraint violation.
CONSTRAINT_ERROR_TYPE: Final = "ValidationException"
#: ``__type`` of a value of the wrong JSON type.
SERIALIZATION_ERROR_TYPE: Final = "SerializationException"
#: AWS stops collecting constraint violations at ten.
MAX_REPORTED_ERRORS: Final = 10


class RequestRejected(Exception):
    """An input the service refuses before any work: type_name is the AWS __type
    ("ValidationException" or "SerializationException"), message AWS's wording; HTTP 400.

    ``message`` is empty when AWS sends no message at all (a body that is valid JSON
    but not an object, e.g. ``null`` or ``"x"``): leave the key out of the response then.
    """

    status_code: ClassVar[int] = 400
    type_name: str
    message: str

    def __init__(self, type_name: str, message: str) -> None:
        super().__init__(f"{type_name}: {message}" if message else type_name)
        self.type_name = type_name
        self.message = message


@dataclass(frozen=True, slots=True)
class Operation:
    name: str
    public: bool  # no SigV4 needed
    input_shape: str | None
    errors: tuple[str, ...] = ()  # error shapes the model lists for the operation


def _load_model() -> dict[str, Any]:
    text = resources.files(__package__).joinpath("model.json").read_text(encoding="utf-8")
    model: dict[str, Any] = json.loads(text)
    return model


#: The generated model (``botocore_version``, ``operations``, ``shapes``, ...). Read-only.
MODEL: Final[Mapping[str, Any]] = MappingProxyType(_load_model())
_SHAPES: Final[Mapping[str, Mapping[str, Any]]] = MODEL["shapes"]

#: Every Cognito operation of the model, by name.
OPERATIONS: Final[Mapping[str, Operation]] = MappingProxyType(
    {
        name: Operation(
            name=name,
            public=bool(op["public"]),
            input_shape=op["input"],
            errors=tuple(op["errors"]),
        )
        for name, op in MODEL["operations"].items()
    }
)

# --------------------------------------------------------------------------------------
# Java regular expressions
# --------------------------------------------------------------------------------------
# The model's patterns are java.util.regex patterns matched against the whole value
# (Matcher.matches). Python's re lacks \p{..}; everything else they use means the same
# once re.ASCII makes \w, \s, \d ASCII-only as in Java. \p{X} / \P{X} are expanded into
# explicit code point ranges built from unicodedata, and Java's "." (no line
# terminators unless (?s)) is spelled out.

_JAVA_DOT: Final = "[^\\n\\r\\u0085\\u2028\\u2029]"
_UNSUPPORTED_ESCAPES: Final = frozenset("hHvVRXkQEGzZ")
_category_runs: list[tuple[int, int, str]] = []
_category_bodies: dict[tuple[str, bool], str] = {}


def _runs() -> list[tuple[int, int, str]]:
    """(first, last, two-letter category) runs covering every code point."""
    if not _category_runs:
        category = unicodedata.category
        runs: list[tuple[int, int, str]] = []
        start, current = 0, category("\x00")
        for cp in range(1, 0x110000):
            cat = category(chr(cp))
            if cat != current:
                runs.append((start, cp - 1, current))
                start, current = cp, cat
        runs.append((start, 0x10FFFF, current))
        _category_runs[:] = runs
    return _category_runs


def _category_body(name: str, negate: bool) -> str:
    """A character class body (no brackets) for \\p{name}, or \\P{name} if negate."""
    key = (name, negate)
    body = _category_bodies.get(key)
    if body is not None:
        return body
    if not re.fullmatch(r"[A-Z][a-z]?", name):
        raise ValueError(f"unsupported Unicode property \\p{{{name}}}")
    ranges: list[tuple[int, int]] = []
    for first, last, cat in _runs():
        if cat.startswith(name) != negate:
            if ranges and ranges[-1][1] == first - 1:
                ranges[-1] = (ranges[-1][0], last)
            else:
                ranges.append((first, last))
    if not ranges:
        raise ValueError(f"unknown Unicode category \\p{{{name}}}")
    body = "".join(f"\\U{lo:08x}" if lo == hi else f"\\U{lo:08x}-\\U{hi:08x}" for lo, hi in ranges)
    _category_bodies[key] = body
    return body


def translate_java_regex(pattern: str) -> str:
    """The Python ``re`` spelling (with ``re.ASCII``) of a Java regex from the model."""
    out: list[str] = []
    dotall = pattern.startswith("(?s)")
    in_class = False
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "\\":
            if i + 1 >= n:
                raise ValueError(f"trailing backslash in {pattern!r}")
            e = pattern[i + 1]
            if e in "pP":
                if i + 2 < n and pattern[i + 2] == "{":
                    end = pattern.index("}", i + 3)
                    name, i = pattern[i + 3 : end], end + 1
                else:
                    name, i = pattern[i + 2 : i + 3], i + 3
                if in_class:
                    out.append(_category_body(name, negate=e == "P"))
                else:
                    out.append(f"[{_category_body(name, negate=e == 'P')}]")
                continue
            if e in _UNSUPPORTED_ESCAPES:
                raise ValueError(f"unsupported escape \\{e} in {pattern!r}")
            out.append(pattern[i : i + 2])
            i += 2
            continue
        if in_class:
            if c == "[" or pattern.startswith("&&", i):
                raise ValueError(f"unsupported nested/intersected class in {pattern!r}")
            if c == "]":
                in_class = False
            out.append(c)
        elif c == "[":
            in_class = True
            out.append(c)
            if pattern.startswith("^", i + 1):
                out.append("^")
                i += 1
        elif c == "." and not dotall:
            out.append(_JAVA_DOT)
        else:
            out.append(c)
        i += 1
    if in_class:
        raise ValueError(f"unterminated character class in {pattern!r}")
    return "".join(out)


class _JavaPattern:
    """A model pattern, translated and compiled on first use."""

    __slots__ = ("_compiled", "source")

    def __init__(self, source: str) -> None:
        self.source = source
        self._compiled: re.Pattern[str] | None = None

    def compiled(self) -> re.Pattern[str]:
        compiled = self._compiled
        if compiled is None:
            compiled = _compile_java(self.source)
            self._compiled = compiled
        return compiled

    def matches(self, value: str) -> bool:
        compiled = self._compiled or self.compiled()
        return compiled.fullmatch(value) is not None


_compiled_patterns: dict[str, re.Pattern[str]] = {}


def _compile_java(source: str) -> re.Pattern[str]:
    compiled = _compiled_patterns.get(source)
    if compiled is None:
        compiled = re.compile(translate_java_regex(source), re.ASCII)
        _compiled_patterns[source] = compiled
    return compiled


# --------------------------------------------------------------------------------------
# Messages
# --------------------------------------------------------------------------------------

_START_STRUCTURE: Final = "Start of structure or map found where not expected."
_START_LIST: Final = "Start of list found where not expected"
_EXPECTED_STRUCTURE: Final = "Expected null"
_EXPECTED_LIST: Final = "Expected list or null"
_EXPECTED_MAP: Final = "Expected map or null"
_NOT_NULL: Final = "Member must not be null"

# Shape type -> the Java type named in "<TOKEN> can not be converted to <target>".
_TARGETS: Final[Mapping[str, str]] = {
    "string": "a String",
    "integer": "an Integer",
    "long": "a Long",
    "boolean": "a Boolean",
    "double": "a Double",
    "float": "a Float",
    "blob": "a Blob",
    "timestamp": "a Date",
}


def _token(value: object) -> str:
    if value is True:
        return "TRUE_VALUE"
    if value is False:
        return "FALSE_VALUE"
    if isinstance(value, int | float):
        return "NUMBER_VALUE"
    if isinstance(value, str):
        return "STRING_VALUE"
    return "VALUE_NULL"  # not reached: nulls never get this far


def _serialization(message: str) -> RequestRejected:
    return RequestRejected(SERIALIZATION_ERROR_TYPE, message)


def _scalar_mismatch(value: object, target: str) -> RequestRejected:
    if isinstance(value, dict):
        return _serialization(_START_STRUCTURE)
    if isinstance(value, list):
        return _serialization(_START_LIST)
    return _serialization(f"{_token(value)} can not be converted to {target}")


def _violation(shown: str | None, path: str, constraint: str) -> str:
    """One violation; shown is the rendered value, or None to leave it out."""
    if shown is None:
        return f"Value at '{path}' failed to satisfy constraint: {constraint}"
    return f"Value '{shown}' at '{path}' failed to satisfy constraint: {constraint}"


def _lower_first(name: str) -> str:
    return name[:1].lower() + name[1:]


def _number_text(value: object) -> str:
    return str(value)


# --------------------------------------------------------------------------------------
# Checkers
# --------------------------------------------------------------------------------------
# A checker takes (value, path, errors): it raises RequestRejected for a type mismatch
# and appends constraint violations to errors. value is never None. Checkers are built
# once per (shape, inside-a-sensitive-shape) on first use and cached.

Checker = Callable[[Any, str, list[str]], None]


@dataclass(frozen=True, slots=True)
class _Scalar:
    """What a scalar shape needs, for itself or as an element of a list or map.

    parse raises on a type mismatch and returns what failing and render take (the
    value itself; for a blob, its decoded length). failing is None when the shape has
    no constraint that can fail; constraints lists all of them in AWS's bracket order.
    """

    parse: Callable[[Any], Any]
    failing: Callable[[Any], list[str]] | None
    constraints: tuple[str, ...]
    render: Callable[[Any], str]
    sensitive: bool


def _length_constraints(shape: Mapping[str, Any]) -> tuple[int | None, int | None, list[str]]:
    lo: int | None = shape.get("min")
    hi: int | None = shape.get("max")
    described: list[str] = []
    if hi is not None:
        described.append(f"Member must have length less than or equal to {hi}")
    if lo is not None:
        described.append(f"Member must have length greater than or equal to {lo}")
    return lo, hi, described


def _string_spec(shape: Mapping[str, Any], sensitive: bool) -> _Scalar:
    lo, hi, described = _length_constraints(shape)
    too_short = f"Member must have length greater than or equal to {lo}"
    too_long = f"Member must have length less than or equal to {hi}"
    source: str | None = shape.get("pattern")
    pattern = _JavaPattern(source) if source is not None else None
    pattern_text = f"Member must satisfy regular expression pattern: {source}"
    if source is not None:
        described.append(pattern_text)
    values: list[str] | None = shape.get("enum")
    allowed = frozenset(values) if values else None
    enum_text = f"Member must satisfy enum value set: [{', '.join(values or ())}]"
    if allowed is not None:
        described.append(enum_text)
    lo_check = lo if lo else None  # min 0 can never fail

    def parse(value: Any) -> Any:
        if not isinstance(value, str):
            raise _scalar_mismatch(value, "a String")
        return value

    def failing(value: str) -> list[str]:
        found: list[str] = []
        if lo_check is not None or hi is not None:
            length = len(value)
            if lo_check is not None and length < lo_check:
                found.append(too_short)
            if hi is not None and length > hi:
                found.append(too_long)
        if pattern is not None and not pattern.matches(value):
            found.append(pattern_text)
        if allowed is not None and value not in allowed:
            found.append(enum_text)
        return found

    can_fail = lo_check is not None or hi is not None or pattern is not None or allowed
    return _Scalar(parse, failing if can_fail else None, tuple(described), str, sensitive)


def _number_spec(shape: Mapping[str, Any], sensitive: bool) -> _Scalar:
    kind: str = shape["type"]
    target = _TARGETS[kind]
    lo = shape.get("min")
    hi = shape.get("max")
    described: list[str] = []
    if hi is not None:
        described.append(f"Member must have value less than or equal to {_number_text(hi)}")
    if lo is not None:
        described.append(f"Member must have value greater than or equal to {_number_text(lo)}")
    too_small = f"Member must have value greater than or equal to {_number_text(lo)}"
    too_big = f"Member must have value less than or equal to {_number_text(hi)}"
    integral = kind in ("integer", "long")
    bits = 2**31 if kind == "integer" else 2**63

    def parse(value: Any) -> Any:
        # bool is an int in Python but not a number in JSON. A fraction is refused for
        # integer shapes (AWS would truncate it), so handlers always get an int.
        if isinstance(value, bool) or not isinstance(value, int if integral else int | float):
            raise _scalar_mismatch(value, target)
        if integral and not -bits <= value < bits:
            # Beyond Java's int/long, as AWS's deserializer refuses it (and a database column
            # would); never a 500.
            raise _scalar_mismatch(value, target)
        return value

    def failing(value: int | float) -> list[str]:
        found: list[str] = []
        if lo is not None and value < lo:
            found.append(too_small)
        if hi is not None and value > hi:
            found.append(too_big)
        return found

    can_fail = lo is not None or hi is not None
    return _Scalar(parse, failing if can_fail else None, tuple(described), str, sensitive)


def _boolean_spec(sensitive: bool) -> _Scalar:
    def parse(value: Any) -> Any:
        if not isinstance(value, bool):
            raise _scalar_mismatch(value, "a Boolean")
        return value

    def render(value: bool) -> str:
        return "true" if value else "false"

    return _Scalar(parse, None, (), render, sensitive)


def _timestamp_spec(sensitive: bool) -> _Scalar:
    # The JSON protocol sends timestamps as epoch seconds.
    def parse(value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _scalar_mismatch(value, "a Date")
        return value

    return _Scalar(parse, None, (), str, sensitive)


_BASE64: Final = re.compile(r"[A-Za-z0-9+/]*={0,2}")
_BASE64_BAD: Final = re.compile(r"[^A-Za-z0-9+/=]|=[^=]")


def _blob_spec(shape: Mapping[str, Any], sensitive: bool) -> _Scalar:
    lo, hi, described = _length_constraints(shape)
    too_short = f"Member must have length greater than or equal to {lo}"
    too_long = f"Member must have length less than or equal to {hi}"
    lo_check = lo if lo else None

    def parse(value: Any) -> Any:
        if not isinstance(value, str):
            raise _scalar_mismatch(value, "a Blob")
        size = len(value)
        if size % 4:
            raise _serialization(
                f"'{value}' can not be converted to a Blob: Base64 encoded length is "
                f"expected a multiple of 4 bytes but found: {size}"
            )
        if _BASE64.fullmatch(value) is None:
            found = _BASE64_BAD.search(value)
            bad = found.group()[0] if found else "="
            raise _serialization(
                f"'{value}' can not be converted to a Blob: Invalid Base64 character: '{bad}'"
            )
        return size // 4 * 3 - (len(value) - len(value.rstrip("=")))

    def failing(size: int) -> list[str]:
        found: list[str] = []
        if lo_check is not None and size < lo_check:
            found.append(too_short)
        if hi is not None and size > hi:
            found.append(too_long)
        return found

    def render(size: int) -> str:
        return f"java.nio.HeapByteBuffer[pos=0 lim={size} cap={size}]"

    can_fail = lo_check is not None or hi is not None
    return _Scalar(parse, failing if can_fail else None, tuple(described), render, sensitive)


_SCALAR_TYPES: Final = frozenset(
    {"string", "integer", "long", "boolean", "double", "float", "timestamp", "blob"}
)
_scalars: dict[tuple[str, bool], _Scalar] = {}
_checkers: dict[tuple[str, bool], Checker] = {}


def _scalar(name: str, inherited_sensitive: bool) -> _Scalar:
    key = (name, inherited_sensitive)
    spec = _scalars.get(key)
    if spec is None:
        shape = _SHAPES[name]
        sensitive = inherited_sensitive or bool(shape.get("sensitive"))
        kind = shape["type"]
        if kind == "string":
            spec = _string_spec(shape, sensitive)
        elif kind in ("integer", "long", "double", "float"):
            spec = _number_spec(shape, sensitive)
        elif kind == "boolean":
            spec = _boolean_spec(sensitive)
        elif kind == "timestamp":
            spec = _timestamp_spec(sensitive)
        elif kind == "blob":
            spec = _blob_spec(shape, sensitive)
        else:
            raise ValueError(f"{name} is not a scalar shape")
        _scalars[key] = spec
    return spec


def _checker(name: str, inherited_sensitive: bool) -> Checker:
    key = (name, inherited_sensitive)
    found = _checkers.get(key)
    if found is not None:
        return found
    shape = _SHAPES[name]
    sensitive = inherited_sensitive or bool(shape.get("sensitive"))
    kind = shape["type"]
    checker: Checker
    if kind in _SCALAR_TYPES:
        checker = _scalar_checker(_scalar(name, inherited_sensitive))
    elif kind == "document":
        checker = _accept_anything
    else:
        # Register a forwarder first so that recursive shapes terminate.
        cell: list[Checker] = []

        def forward(value: Any, path: str, errors: list[str]) -> None:
            cell[0](value, path, errors)

        _checkers[key] = forward
        if kind == "structure":
            checker = _structure_checker(shape, sensitive)
        elif kind == "list":
            checker = _list_checker(shape, sensitive)
        elif kind == "map":
            checker = _map_checker(shape, sensitive)
        else:
            raise ValueError(f"shape {name} has unsupported type {kind!r}")
        cell.append(checker)
    _checkers[key] = checker
    return checker


def _accept_anything(value: Any, path: str, errors: list[str]) -> None:
    return None


def _scalar_checker(spec: _Scalar) -> Checker:
    parse, failing, render, sensitive = spec.parse, spec.failing, spec.render, spec.sensitive
    if failing is None:

        def check_type(value: Any, path: str, errors: list[str]) -> None:
            parse(value)

        return check_type

    def check(value: Any, path: str, errors: list[str]) -> None:
        parsed = parse(value)
        problems = failing(parsed)
        if problems:
            shown = None if sensitive else render(parsed)
            errors.extend(_violation(shown, path, problem) for problem in problems)

    return check


def _structure_checker(shape: Mapping[str, Any], sensitive: bool) -> Checker:
    members: dict[str, tuple[str, Checker]] = {
        name: (_lower_first(name), _checker(target, sensitive))
        for name, target in shape["members"].items()
    }
    required = tuple((name, _lower_first(name)) for name in shape.get("required", ()))

    def check(value: Any, path: str, errors: list[str]) -> None:
        if not isinstance(value, dict):
            raise _serialization(_START_LIST if isinstance(value, list) else _EXPECTED_STRUCTURE)
        prefix = f"{path}." if path else ""
        for key, item in value.items():
            member = members.get(key)
            if member is not None and item is not None:
                member[1](item, prefix + member[0], errors)
        for name, lower in required:
            if value.get(name) is None:
                errors.append(
                    f"Value null at '{prefix}{lower}' failed to satisfy constraint: {_NOT_NULL}"
                )

    return check


def _render_sequence(items: list[Any], spec: _Scalar) -> str:
    return "[" + ", ".join(spec.render(spec.parse(item)) for item in items) + "]"


def _render_mapping(items: list[tuple[str, Any]], spec: _Scalar) -> str:
    return "{" + ", ".join(f"{k}={spec.render(spec.parse(v))}" for k, v in items) + "}"


def _element(name: str, sensitive: bool) -> tuple[_Scalar | None, Checker | None]:
    """An element shape as a scalar spec, or else as a checker."""
    if _SHAPES[name]["type"] in _SCALAR_TYPES:
        return _scalar(name, sensitive), None
    return None, _checker(name, sensitive)


def _list_checker(shape: Mapping[str, Any], sensitive: bool) -> Checker:
    lo, hi, _ = _length_constraints(shape)
    lo_check = lo if lo else None
    spec, nested = _element(shape["member"], sensitive)
    # The list's value is shown only when it holds scalars none of which is sensitive.
    showable = spec is not None and not spec.sensitive and not sensitive
    elements_text = (
        f"Member must satisfy constraint: [{', '.join(spec.constraints)}]" if spec else ""
    )

    def check(value: Any, path: str, errors: list[str]) -> None:
        if not isinstance(value, list):
            raise _serialization(_START_STRUCTURE if isinstance(value, dict) else _EXPECTED_LIST)
        items = [item for item in value if item is not None] if None in value else value
        if lo_check is not None or hi is not None:
            size = len(items)
            if lo_check is not None and size < lo_check:
                errors.append(
                    _violation(
                        _render_sequence(items, spec) if showable and spec else None,
                        path,
                        f"Member must have length greater than or equal to {lo}",
                    )
                )
            if hi is not None and size > hi:
                errors.append(
                    _violation(
                        _render_sequence(items, spec) if showable and spec else None,
                        path,
                        f"Member must have length less than or equal to {hi}",
                    )
                )
        if spec is not None:
            parse, failing = spec.parse, spec.failing
            bad = False
            for item in items:
                parsed = parse(item)
                if failing is not None and not bad and failing(parsed):
                    bad = True
            if bad:
                errors.append(
                    _violation(
                        _render_sequence(items, spec) if showable else None, path, elements_text
                    )
                )
        elif nested is not None:
            for index, item in enumerate(items, 1):
                nested(item, f"{path}.{index}.member", errors)

    return check


def _map_checker(shape: Mapping[str, Any], sensitive: bool) -> Checker:
    lo, hi, _ = _length_constraints(shape)
    lo_check = lo if lo else None
    key_spec = _scalar(shape["key"], sensitive)
    key_failing = key_spec.failing
    keys_text = f"Map keys must satisfy constraint: [{', '.join(key_spec.constraints)}]"
    spec, nested = _element(shape["value"], sensitive)
    values_text = (
        f"Map value must satisfy constraint: [{', '.join(spec.constraints)}]" if spec else ""
    )
    showable = spec is not None and not spec.sensitive and not key_spec.sensitive and not sensitive

    def shown(items: list[tuple[str, Any]]) -> str | None:
        return _render_mapping(items, spec) if showable and spec is not None else None

    def check(value: Any, path: str, errors: list[str]) -> None:
        if not isinstance(value, dict):
            raise _serialization(_START_LIST if isinstance(value, list) else _EXPECTED_MAP)
        items = [(key, item) for key, item in value.items() if item is not None]
        if lo_check is not None or hi is not None:
            size = len(items)
            if lo_check is not None and size < lo_check:
                errors.append(
                    _violation(
                        shown(items), path, f"Member must have length greater than or equal to {lo}"
                    )
                )
            if hi is not None and size > hi:
                errors.append(
                    _violation(
                        shown(items), path, f"Member must have length less than or equal to {hi}"
                    )
                )
        keys_bad = False
        if key_failing is not None:
            keys_bad = any(key_failing(key) for key, _ in items)
        if spec is not None:
            parse, failing = spec.parse, spec.failing
            values_bad = False
            for _, item in items:
                parsed = parse(item)
                if failing is not None and not values_bad and failing(parsed):
                    values_bad = True
            if keys_bad:
                errors.append(_violation(shown(items), path, keys_text))
            if values_bad:
                errors.append(_violation(shown(items), path, values_text))
        else:
            if keys_bad:
                errors.append(_violation(None, path, keys_text))
            if nested is not None:
                for key, item in items:
                    nested(item, f"{path}.{key}.member", errors)

    return check


# --------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------

_input_checkers: dict[str, Checker] = {}


def validate(operation: str, body: object) -> None:
    """Raise RequestRejected if `body` (already JSON-decoded) is not a valid input for `operation`.

    Raises KeyError for an operation the model does not have.
    """
    op = OPERATIONS[operation]
    if not isinstance(body, dict):
        # A JSON array fails like any misplaced list; other non-objects get no message.
        raise _serialization(_START_LIST if isinstance(body, list) else "")
    if op.input_shape is None:
        return
    checker = _input_checkers.get(operation)
    if checker is None:
        checker = _checker(op.input_shape, False)
        _input_checkers[operation] = checker
    errors: list[str] = []
    checker(body, "", errors)
    if errors:
        reported = errors[:MAX_REPORTED_ERRORS]
        count = len(reported)
        raise RequestRejected(
            CONSTRAINT_ERROR_TYPE,
            f"{count} validation error{'s' if count > 1 else ''} detected: " + "; ".join(reported),
        )
