"""Short codes printed on signboards (牌板): typeable under a cap lamp, no look-alike characters."""

from __future__ import annotations

import secrets

#: No 0/O, 1/I/L: a miner reading a dirty board must not confuse them.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
POST_CODE_LENGTH = 5


def new_post_code() -> str:
    """A random post code (31^5 ≈ 28.6 million codes); the caller retries on the rare collision."""
    return "".join(secrets.choice(ALPHABET) for _ in range(POST_CODE_LENGTH))


def normalise_post_code(text: str) -> str | None:
    """The canonical code a user meant (any case, stray spaces or dashes), or None if it cannot be one."""
    code = "".join(ch for ch in text.upper() if ch not in " -")
    if len(code) != POST_CODE_LENGTH or any(ch not in ALPHABET for ch in code):
        return None
    return code
