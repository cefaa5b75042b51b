"""The Involve app, its command line and its configuration.

The names below load on first use, so `involve --help` reads its arguments
before any settings, storage or drawing library is imported.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._config import THEMES, Config, ConfigError, load_config

__all__ = ["Config", "ConfigError", "THEMES", "load_config"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from . import _config

        return getattr(_config, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
