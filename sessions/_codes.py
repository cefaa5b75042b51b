"""Short codes people type by hand: the room code and the console's pairing code.

One alphabet without look-alikes (no 0/O, 1/I/L), so a code read off a screen
or a phone is typed right the first time.
"""

from __future__ import annotations

import secrets

__all__ = ["ROOM_CODE_ALPHABET", "new_code", "normalise_code"]

ROOM_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def new_code(length: int = 6) -> str:
    """A random code from the room-code alphabet."""
    return "".join(secrets.choice(ROOM_CODE_ALPHABET) for _ in range(length))


def normalise_code(typed: str, limit: int = 32) -> str:
    """What someone typed, as a code: spaces, dashes and small letters forgiven."""
    return "".join(typed.split()).replace("-", "").upper()[:limit]
