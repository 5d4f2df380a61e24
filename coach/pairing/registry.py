"""Who may use the LAN listener: one-time pairing codes, the lock-out after wrong ones, and device tokens.

A person on this computer asks for a code (the overlay's pairing sheet); the device that enters it gets a token, sent
back as a cookie, that lets it in until it is revoked or `coach serve` stops (tokens live in memory only, so a
restart unpairs everything). There is one code at a time: asking for a new one retires the old one.

A 6-digit code, 5 guesses before a minute's lock-out and 5 minutes of life allow at most 25 guesses per code: a
1 in 40,000 chance for someone on the network who guesses blindly. The lock-out is global, not per client address,
because an attacker can change address. Time comes from `clock` (monotonic seconds), so tests need no sleeping.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

CODE_DIGITS = 6
CODE_LIFETIME_S = 300.0
MAX_WRONG_CODES = 5
LOCKOUT_S = 60.0
TOKEN_BYTES = 32  # 256 bits from `secrets`: not guessable, so tokens need no lock-out of their own
MAX_NAME_CHARS = 40


class PairingRefused(Exception):
    """A code that does not pair; `status` is the HTTP status the pairing page answers with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class OneTimeCode:
    code: str
    expires_at_s: float
    allow_history: bool  # chosen on this computer when the code was made, never by the device that enters it


@dataclass
class Device:
    """A paired device as the overlay lists it."""

    device_id: str
    name: str
    allow_history: bool
    paired_at_s: float
    token_sha256: str = field(repr=False)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Pairing:
    """Codes and tokens of one `coach serve` run. Thread-safe: the guard and the API call it from the event loop,
    tests from their own thread."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._code: OneTimeCode | None = None
        self._wrong = 0
        self._locked_until_s = 0.0
        self._devices: dict[str, Device] = {}  # by token digest
        self._watchers: dict[str, list[Callable[[], None]]] = {}  # device id -> called once when it is revoked

    def now_s(self) -> float:
        """The pairing clock (what `OneTimeCode.expires_at_s` is measured on)."""
        return self._clock()

    def new_code(self, allow_history: bool = False) -> OneTimeCode:
        """A fresh code for the pairing sheet; the previous one stops working."""
        code = "".join(secrets.choice("0123456789") for _ in range(CODE_DIGITS))
        with self._lock:
            self._code = OneTimeCode(code, self._clock() + CODE_LIFETIME_S, allow_history)
            return self._code

    def current_code(self) -> OneTimeCode | None:
        """The code that would pair now (None once it is used or expired)."""
        with self._lock:
            if self._code is not None and self._clock() >= self._code.expires_at_s:
                self._code = None
            return self._code

    def locked_s(self) -> float:
        """Seconds left of the lock-out (0 when codes are accepted)."""
        with self._lock:
            return max(0.0, self._locked_until_s - self._clock())

    def redeem(self, code: str, name: str) -> tuple[Device, str]:
        """Pair the device that entered `code`: (its entry, its token). Raises PairingRefused."""
        with self._lock:
            now_s = self._clock()
            if now_s < self._locked_until_s:
                raise PairingRefused(429, f"Too many wrong codes: pairing is locked for "
                                          f"{self._locked_until_s - now_s:.0f} more seconds.")
            current = self._code if self._code is not None and now_s < self._code.expires_at_s else None
            typed = "".join(code.split())  # "123 456", as the sheet shows it, is the same code
            if current is None or not hmac.compare_digest(typed.encode(), current.code.encode()):
                self._wrong += 1
                if self._wrong >= MAX_WRONG_CODES:
                    self._wrong = 0
                    self._locked_until_s = now_s + LOCKOUT_S
                raise PairingRefused(403, "That code is wrong, used or expired; make a new one on the computer.")
            self._code = None  # single use
            self._wrong = 0
            token = secrets.token_urlsafe(TOKEN_BYTES)
            device = Device(secrets.token_hex(4), (name.strip() or "A device")[:MAX_NAME_CHARS],
                            current.allow_history, now_s, _digest(token))
            self._devices[device.token_sha256] = device
            return device, token

    def device(self, token: str | None) -> Device | None:
        """The paired device this token belongs to, or None (no token, a wrong one, or revoked)."""
        if not token:
            return None
        with self._lock:
            return self._devices.get(_digest(token))

    def devices(self) -> list[Device]:
        with self._lock:
            return sorted(self._devices.values(), key=lambda d: d.paired_at_s)

    def revoke(self, device_id: str) -> bool:
        """Unpair a device: its token stops working at once and its open connections are told (see `watch`)."""
        with self._lock:
            digest = next((k for k, d in self._devices.items() if d.device_id == device_id), None)
            if digest is None:
                return False
            del self._devices[digest]
            watchers = self._watchers.pop(device_id, [])
        for callback in watchers:
            callback()
        return True

    def watch(self, device_id: str, on_revoke: Callable[[], None]) -> Callable[[], None]:
        """Call `on_revoke` once when the device is revoked (at once if it already is); returns an unwatch."""
        with self._lock:
            known = any(d.device_id == device_id for d in self._devices.values())
            if known:
                self._watchers.setdefault(device_id, []).append(on_revoke)
        if not known:
            on_revoke()

        def unwatch() -> None:
            with self._lock:
                callbacks = self._watchers.get(device_id, [])
                if on_revoke in callbacks:
                    callbacks.remove(on_revoke)

        return unwatch
