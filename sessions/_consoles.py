"""Pairing the facilitator's console: a phone or an unprojected browser, never the projector.

The browser that opens the console address gets a short code and a secret it
keeps in a cookie. The facilitator types the code into the projected app, which
pairs it; the browser then swaps its secret, once, for a console token. The
code never needs to be on the projector, and a code alone opens nothing.

All of it lives in memory and only hashes of secrets and tokens are kept: a
restart signs every console out, and nothing about consoles reaches the
session record or any export.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

from ._codes import ROOM_CODE_ALPHABET, normalise_code

__all__ = ["ConsolePairing", "PairingRefused", "PendingPairing", "CODE_LENGTH"]

CODE_LENGTH = 6
CODE_LIFETIME = 5 * 60.0
"""Seconds a pairing code can be typed in, and then seconds its browser has to collect the pairing."""
TOKEN_LIFETIME = 12 * 3600.0
"""Seconds a console stays signed in: a long workshop day."""
PENDING_PER_ADDRESS = 3
PENDING_MAX = 200


class PairingRefused(Exception):
    """No new pairing code now: too many are waiting from one address, or overall."""


@dataclass(frozen=True)
class PendingPairing:
    """A code for the facilitator to type into the app, and the secret its browser keeps."""

    code: str
    secret: str
    expires_at: float
    """On the pairing's clock (`ConsolePairing.clock`)."""


@dataclass
class _Pending:
    secret_hash: str
    address_key: str
    expires_at: float
    paired: bool = False


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8", "replace")).hexdigest()


class ConsolePairing:
    """Pending codes, one-time links and console tokens of one live session."""

    def __init__(
        self,
        emit: Callable[[], None],
        *,
        clock: Callable[[], float] = time.monotonic,
        code_lifetime: float = CODE_LIFETIME,
        token_lifetime: float = TOKEN_LIFETIME,
        pending_per_address: int = PENDING_PER_ADDRESS,
        pending_max: int = PENDING_MAX,
    ) -> None:
        self._emit = emit
        self.clock = clock
        """Seconds, monotonic; tests set their own to move time on."""
        self.code_lifetime = code_lifetime
        self.token_lifetime = token_lifetime
        self.pending_per_address = pending_per_address
        self.pending_max = pending_max
        # The code is derived from the secret with a key that never leaves memory, so a
        # refreshed page can show its code again without the code itself being kept.
        self._key = secrets.token_bytes(32)
        self._pending: dict[str, _Pending] = {}  # code hash -> pending pairing
        self._by_secret: dict[str, str] = {}  # secret hash -> code hash
        self._links: set[str] = set()  # hashes of unused one-time links
        self._tokens: dict[str, float] = {}  # token hash -> expiry

    # -- codes ---------------------------------------------------------------------

    def _code_of(self, secret: str) -> str:
        digest = hmac.new(self._key, secret.encode("utf-8", "replace"), hashlib.sha256).digest()
        return "".join(ROOM_CODE_ALPHABET[byte % len(ROOM_CODE_ALPHABET)] for byte in digest[:CODE_LENGTH])

    def _forget_expired(self) -> None:
        now = self.clock()
        for code_hash in [h for h, p in self._pending.items() if p.expires_at <= now]:
            self._by_secret.pop(self._pending.pop(code_hash).secret_hash, None)
        was_paired = bool(self._tokens)
        for token_hash in [h for h, expires in self._tokens.items() if expires <= now]:
            del self._tokens[token_hash]
        if was_paired and not self._tokens:
            self._emit()

    def start(self, address_key: str) -> PendingPairing:
        """A new code for a browser at this address; PairingRefused when too many wait."""
        self._forget_expired()
        waiting_here = sum(1 for p in self._pending.values() if p.address_key == address_key)
        if waiting_here >= self.pending_per_address or len(self._pending) >= self.pending_max:
            raise PairingRefused("Too many pairing codes are waiting. Wait a few minutes, or use a code already shown.")
        while True:
            secret = secrets.token_urlsafe(24)
            code = self._code_of(secret)
            if _hash(code) not in self._pending:
                break
        expires_at = self.clock() + self.code_lifetime
        self._pending[_hash(code)] = _Pending(_hash(secret), address_key, expires_at)
        self._by_secret[_hash(secret)] = _hash(code)
        self._emit()
        return PendingPairing(code, secret, expires_at)

    def waiting(self, secret: str | None) -> PendingPairing | None:
        """The pairing a browser's secret belongs to, still open (paired or not); None when gone."""
        if not secret:
            return None
        self._forget_expired()
        code_hash = self._by_secret.get(_hash(secret))
        pending = self._pending.get(code_hash) if code_hash else None
        if pending is None:
            return None
        return PendingPairing(self._code_of(secret), secret, pending.expires_at)

    def is_ready(self, secret: str | None) -> bool:
        """Has the app taken this browser's code, so its secret can be claimed now?"""
        if not secret:
            return False
        self._forget_expired()
        code_hash = self._by_secret.get(_hash(secret))
        pending = self._pending.get(code_hash) if code_hash else None
        return bool(pending and pending.paired)

    def pair(self, code: str) -> bool:
        """The facilitator typed a code into the app: True when it was waiting, once only."""
        self._forget_expired()
        typed = normalise_code(code)
        if len(typed) != CODE_LENGTH:
            return False
        pending = self._pending.get(_hash(typed))
        if pending is None or pending.paired:
            return False
        pending.paired = True
        # The browser now has a fresh few minutes to collect its token.
        pending.expires_at = self.clock() + self.code_lifetime
        self._emit()
        return True

    def claim(self, secret: str | None) -> str | None:
        """Swap a paired browser's secret for a console token, exactly once."""
        if not secret:
            return None
        self._forget_expired()
        code_hash = self._by_secret.get(_hash(secret))
        if not code_hash:
            return None
        pending = self._pending.get(code_hash)
        if pending is None or not pending.paired:
            return None
        del self._pending[code_hash]
        del self._by_secret[pending.secret_hash]
        return self._new_token()

    # -- one-time links (headless mode) --------------------------------------------

    def one_time_link(self) -> str:
        """A link token that signs in the first browser to open it; for a facilitator's own terminal."""
        link = secrets.token_urlsafe(24)
        self._links.add(_hash(link))
        return link

    def open_link(self, link: str | None) -> str | None:
        """The console token for the first opening of a one-time link; None ever after."""
        if not link:
            return None
        link_hash = _hash(link[:200])
        if link_hash not in self._links:
            return None
        self._links.discard(link_hash)
        return self._new_token()

    # -- tokens --------------------------------------------------------------------

    def _new_token(self) -> str:
        self._forget_expired()
        token = secrets.token_urlsafe(32)
        self._tokens[_hash(token)] = self.clock() + self.token_lifetime
        self._emit()
        return token

    def is_console(self, token: str | None) -> bool:
        if not token:
            return False
        self._forget_expired()
        return _hash(token[:200]) in self._tokens

    @property
    def paired(self) -> bool:
        """Is any console signed in now?"""
        self._forget_expired()
        return bool(self._tokens)

    @property
    def count(self) -> int:
        """How many consoles are signed in."""
        self._forget_expired()
        return len(self._tokens)

    def sign_out(self, token: str | None) -> None:
        """One console signs itself out (a shared laptop, a lent phone)."""
        if token and self._tokens.pop(_hash(token[:200]), None) is not None:
            self._emit()

    def sign_out_all(self) -> None:
        """Every console signed out; waiting codes and unused links stop working too."""
        self._tokens.clear()
        self._pending.clear()
        self._by_secret.clear()
        self._links.clear()
        self._emit()
