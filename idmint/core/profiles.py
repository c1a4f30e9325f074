"""The fields of a web account a user edits (seed 001 ``UserInfo``), and their rules."""

from __future__ import annotations

import re

from idmint.core.errors import InvalidParameter

USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.+-]{2,31}")
USERNAME_RULE = (
    "Usernames are 3 to 32 characters: letters, digits and _ . + -, starting with a letter or "
    "digit."
)
MAX_PROFILE = 1000
GUID = re.compile(r"[0-9A-Fa-f]{8}-(?:[0-9A-Fa-f]{4}-){3}[0-9A-Fa-f]{12}")
AVATAR = re.compile(r"[A-Za-z0-9][A-Za-z0-9_./:+-]{0,511}")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def username_key(username: str) -> str:
    return username.lower()


def check_username(username: object) -> str:
    if not isinstance(username, str) or not USERNAME.fullmatch(username):
        raise InvalidParameter(USERNAME_RULE)
    return username


def check_profile(profile: object) -> str | None:
    if profile is None:
        return None
    if not isinstance(profile, str) or len(profile) > MAX_PROFILE or _CONTROL.search(profile):
        raise InvalidParameter(
            f"profile must be text of at most {MAX_PROFILE} characters, or null."
        )
    return profile


def check_emblem(emblem: object) -> str | None:
    if emblem is None:
        return None
    if not isinstance(emblem, str) or not GUID.fullmatch(emblem):
        raise InvalidParameter("emblem must be a GUID with dashes, or null.")
    return emblem.lower()


def check_avatar(avatar: object) -> str | None:
    if avatar is None:
        return None
    if (
        not isinstance(avatar, str)
        or not AVATAR.fullmatch(avatar)
        or ".." in avatar
        or "//" in avatar
    ):
        raise InvalidParameter(
            "avatar must be a media path (letters, digits and _ . / : + -, at most 512), or null."
        )
    return avatar
