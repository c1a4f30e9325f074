"""DESIGN.md rule 1: the core does no I/O and knows no wire format; only store/ speaks SQL.

Imports are read with ``ast`` (nothing is imported), including ``from x import y``, relative
imports, imports nested in functions or ``if TYPE_CHECKING:`` and ``importlib.import_module``
or ``__import__`` calls with a literal name.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

import idmint

PACKAGE_DIR = Path(idmint.__file__).resolve().parent
CORE_DIR = PACKAGE_DIR / "core"
STORE_DIR = PACKAGE_DIR / "store"

# Frameworks, HTTP, SQL and AWS libraries, and the outer layers of idmint itself.
CORE_FORBIDDEN_LIBRARIES = frozenset(
    {
        "starlette",
        "fastapi",
        "uvicorn",
        "httpx",
        "sqlalchemy",
        "alembic",
        "asyncpg",
        "aiosqlite",
        "boto3",
        "botocore",
        "jinja2",
    }
)
CORE_FORBIDDEN_PACKAGES = ("idmint.web", "idmint.store", "idmint.app", "idmint.cli")
SQL_LIBRARIES = frozenset({"sqlalchemy", "alembic", "asyncpg", "aiosqlite"})


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _resolve(module: str, is_package: bool, level: int, target: str | None) -> str:
    """The absolute name of ``from <level dots><target> import ...`` inside ``module``."""
    base = module.split(".") if is_package else module.split(".")[:-1]
    if level > 1:
        base = base[: len(base) - (level - 1)]
    return ".".join([*base, target] if target else base)


def imports_of(source: str, module: str, is_package: bool = False) -> set[str]:
    """Every module name ``source`` (the code of ``module``) may import.

    For ``from a import b`` both ``a`` and ``a.b`` are listed, since ``b`` may be a submodule.
    """
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = (
                _resolve(module, is_package, node.level, node.module)
                if node.level
                else node.module or ""
            )
            if base:
                found.add(base)
            found.update(
                f"{base}.{alias.name}".lstrip(".") for alias in node.names if alias.name != "*"
            )
        elif isinstance(node, ast.Call) and node.args:
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            first = node.args[0]
            if (
                name in {"import_module", "__import__"}
                and isinstance(first, ast.Constant)
                and isinstance(first.value, str)
            ):
                found.add(first.value)
    return found


def modules_under(directory: Path) -> Iterator[tuple[str, set[str]]]:
    for path in sorted(directory.rglob("*.py")):
        name = module_name(path)
        yield name, imports_of(path.read_text(encoding="utf-8"), name, path.name == "__init__.py")


def _is_within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def forbidden_in_core(name: str) -> bool:
    return name.split(".")[0] in CORE_FORBIDDEN_LIBRARIES or any(
        _is_within(name, package) for package in CORE_FORBIDDEN_PACKAGES
    )


# The checker itself -------------------------------------------------------------------------


def test_import_collector_sees_every_form() -> None:
    source = """
import starlette.requests
import os, sqlalchemy as sa
from jinja2 import Template
from . import model
from .errors import IdmintError
from ..web.cognito import errors
from .. import store
from ... import outside
from typing import TYPE_CHECKING
if TYPE_CHECKING:
    from httpx import Client
def later():
    import boto3
    importlib.import_module("idmint.app")
    __import__("uvicorn")
"""
    found = imports_of(source, "idmint.core.service")
    assert {
        "starlette.requests",
        "os",
        "sqlalchemy",
        "jinja2",
        "jinja2.Template",
        "idmint.core",
        "idmint.core.model",
        "idmint.core.errors",
        "idmint.core.errors.IdmintError",
        "idmint.web.cognito",
        "idmint.web.cognito.errors",
        "idmint",
        "idmint.store",
        "outside",
        "httpx",
        "boto3",
        "idmint.app",
        "uvicorn",
    } <= found
    forbidden = {name for name in found if forbidden_in_core(name)}
    assert {
        "starlette.requests",
        "sqlalchemy",
        "jinja2",
        "idmint.web.cognito",
        "idmint.store",
        "httpx",
        "boto3",
        "idmint.app",
        "uvicorn",
    } <= forbidden
    assert not forbidden & {"os", "idmint.core.model", "idmint.core.errors", "idmint"}


def test_relative_imports_resolve_from_a_package_init() -> None:
    assert imports_of("from . import errors", "idmint.core", is_package=True) >= {
        "idmint.core",
        "idmint.core.errors",
    }
    assert "idmint.web" in imports_of("from .. import web", "idmint.core", is_package=True)


def test_forbidden_names_are_matched_by_package_not_prefix() -> None:
    assert forbidden_in_core("idmint.web")
    assert forbidden_in_core("idmint.cli")
    assert not forbidden_in_core("idmint.webhooks")
    assert not forbidden_in_core("idmint.core.store_ports")
    assert not forbidden_in_core("httpxlike")


def test_the_core_is_not_empty() -> None:
    names = dict(modules_under(CORE_DIR))
    assert {"idmint.core", "idmint.core.errors", "idmint.core.service"} <= set(names)
    assert any("idmint.core.errors" in found for found in names.values())


# The rules ------------------------------------------------------------------------------------


def test_core_imports_no_framework_sql_aws_or_outer_layer() -> None:
    offences = {
        module: sorted(name for name in found if forbidden_in_core(name))
        for module, found in modules_under(CORE_DIR)
    }
    assert {module: names for module, names in offences.items() if names} == {}


def _outside_store() -> list[Path]:
    """Every top-level module and subpackage of idmint except store/."""
    return sorted(
        path
        for path in PACKAGE_DIR.iterdir()
        if path != STORE_DIR
        and path.name != "__pycache__"
        and not path.name.startswith(".")
        and (path.suffix == ".py" or (path / "__init__.py").exists())
    )


@pytest.mark.parametrize("part", _outside_store(), ids=lambda path: path.stem)
def test_only_store_imports_sql_libraries(part: Path) -> None:
    found = (
        modules_under(part)
        if part.is_dir()
        else [(module_name(part), imports_of(part.read_text(encoding="utf-8"), module_name(part)))]
    )
    offences = {
        module: sorted(name for name in names if name.split(".")[0] in SQL_LIBRARIES)
        for module, names in found
    }
    assert {module: names for module, names in offences.items() if names} == {}


def test_web_and_core_are_checked_for_sql() -> None:
    assert {"web", "core", "app", "cli"} <= {path.stem for path in _outside_store()}
