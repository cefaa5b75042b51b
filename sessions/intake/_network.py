"""Which address phones can reach this machine on, and what to say when a port is taken.

Phones in the room scan a QR code, so the join address must be one they can
route to: this machine's address on the local network, not 127.0.0.1.
"""

from __future__ import annotations

import errno
import ipaddress
import os
import re
import socket

__all__ = ["find_lan_address", "port_available", "url_host", "bind_error_message", "LOOPBACK", "ANY_ADDRESS"]

LOOPBACK = "127.0.0.1"
ANY_ADDRESS = ("0.0.0.0", "::")

# A connected UDP socket makes the kernel pick the interface and source address
# it would route through; connect() on UDP sends nothing. These addresses are
# never answered on a normal network, so no traffic can result even by mistake.
_PROBE_TARGETS = (("10.255.255.255", 1), ("192.0.2.1", 1))


def find_lan_address() -> str:
    """This machine's address on the local network, or 127.0.0.1 when it has none."""
    for target in _PROBE_TARGETS:
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
                probe.connect(target)
                address = probe.getsockname()[0]
        except OSError:
            continue
        if address and address != "0.0.0.0" and not ipaddress.ip_address(address).is_loopback:
            return address
    return LOOPBACK


def port_available(host: str, port: int) -> bool:
    """Whether a listening socket could bind `host:port` right now."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_STREAM) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((host, port))
    except OSError:
        return False
    return True


def url_host(host: str) -> str:
    """A host as it is written inside a URL (IPv6 addresses go in brackets)."""
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


_ERRNO_IN_TEXT = re.compile(r"\[errno (\d+)\]", re.IGNORECASE)
# asyncio drops every socket whose bind fails with EADDRNOTAVAIL, then raises this without an errno.
_NO_ADDRESS_BOUND = "could not bind on any address"


def _errno_of(error: BaseException) -> int | None:
    """The cause's errno on every Python: 3.13 wraps several failed binds in one OSError without one."""
    seen: set[int] = set()
    pending: list[BaseException | None] = [error]
    while pending:
        current = pending.pop(0)
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, OSError) and current.errno:
            return current.errno
        pending.extend([current.__cause__, current.__context__, *getattr(current, "exceptions", ())])
    match = _ERRNO_IN_TEXT.search(str(error))
    if match:
        return int(match.group(1))
    return errno.EADDRNOTAVAIL if _NO_ADDRESS_BOUND in str(error).lower() else None


def bind_error_message(error: OSError, host: str, port: int) -> str:
    """A sentence a facilitator can act on, for a failure to listen."""
    where = f"{host}:{port}" if host else f"port {port}"
    code = _errno_of(error)
    if code == errno.EADDRINUSE:
        return (
            f"Port {port} is already in use on this computer (perhaps another Involve is running). "
            "Close the other program, or choose another port: set INVOLVE_PORT or --port."
        )
    if code in (errno.EACCES, errno.EPERM):
        return (
            f"This computer does not allow listening on port {port} without administrator rights. "
            "Choose a port above 1024: set INVOLVE_PORT or --port."
        )
    if code in (errno.EADDRNOTAVAIL, errno.EINVAL):
        return (
            f"The address {host} is not one of this computer's addresses, so phones cannot reach {where}. "
            "Leave INVOLVE_HOST (or --host) empty to use this computer's network address."
        )
    if isinstance(error, socket.gaierror):
        return f"The address {host!r} cannot be looked up. Check INVOLVE_HOST or --host."
    reason = os.strerror(code) if code else (error.strerror or str(error) or type(error).__name__)
    return f"Could not start the phone page on {where}: {reason}. Set INVOLVE_HOST / INVOLVE_PORT (or --host / --port)."
