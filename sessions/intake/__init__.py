"""Participant intake: the web page phones open from the QR code, and the facilitator's console.

`IntakeServer` serves one live session to phones on the local network;
`find_lan_address` is the address it shows when none is configured.
"""

from ._console import CONSOLE_COOKIE, CONSOLE_ROUTES
from ._guard import IntakeLimits
from ._network import bind_error_message, find_lan_address, port_available
from ._server import DEVICE_COOKIE, DEVICE_HEADER, SAVED_COOKIE, IntakeError, IntakeServer

__all__ = [
    "IntakeServer",
    "IntakeError",
    "IntakeLimits",
    "find_lan_address",
    "port_available",
    "bind_error_message",
    "DEVICE_COOKIE",
    "DEVICE_HEADER",
    "SAVED_COOKIE",
    "CONSOLE_COOKIE",
    "CONSOLE_ROUTES",
]
