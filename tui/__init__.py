"""The Involve app, its command line and its configuration."""

from ._config import THEMES, Config, ConfigError, load_config

__all__ = ["Config", "ConfigError", "THEMES", "load_config"]
