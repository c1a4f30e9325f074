"""Every core error has an answer in the managed-users API (DESIGN rule 3)."""

from __future__ import annotations

from idmint.core.errors import ALL_ERRORS
from idmint.web.partner import ERRORS


def test_every_core_error_has_a_row() -> None:
    missing = [cls.__name__ for cls in ALL_ERRORS if cls not in ERRORS]
    assert not missing, missing
    assert all(status >= 400 and code for status, code in ERRORS.values())
