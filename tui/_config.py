"""Settings, read once at start-up into one frozen object.

Values come from the environment, then from a `.env` file in the working
directory (python-dotenv), then from defaults. Nothing else in the app reads
the environment.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from dotenv import dotenv_values
from platformdirs import user_data_path

from sessions import clean_line, clean_text

THEMES = ("projector", "projector-light", "textual-dark", "textual-light")
ROOM_VIEWS = ("auto", "on", "off")
"""When the projector hides the keys: once a console is paired (auto), from the start (on), or only when asked (off)."""


class ConfigError(ValueError):
    """A setting with a value the app cannot use; the message names it."""


@dataclass(frozen=True)
class Config:
    data_dir: Path
    export_dir: Path
    intake_host: str = ""
    """Empty means: find this machine's LAN address."""
    intake_port: int = 8765
    theme: str = "projector"
    hold_comments: bool = True
    show_results: bool = False
    """Whether results show before the facilitator reveals them."""
    public_url: str = ""
    """Overrides the join address shown in the QR code (for a proxy or fixed name)."""
    safeguarding_reminder: str = ""
    """The line beside a flagged comment; empty keeps the shipped wording."""
    support_text: str = ""
    """The phone page's "Need support now?" text; empty keeps the template's or the shipped one."""
    room_view: str = "auto"
    """One of ROOM_VIEWS: when the projected screen hides the key footer and the facilitator's hints."""

    @property
    def sessions_dir(self) -> Path:
        return self.data_dir / "sessions"

    @property
    def templates_dir(self) -> Path:
        return self.data_dir / "templates"

    def with_overrides(self, **changes: object) -> Config:
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


def _flag(name: str, value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name} must be true or false, not {value!r}")


def load_config(environ: Mapping[str, str] | None = None, dotenv_path: Path | None = None) -> Config:
    """Build the one Config for this run."""
    env: dict[str, str] = {}
    path = dotenv_path if dotenv_path is not None else Path.cwd() / ".env"
    if path.is_file():
        env.update({k: v for k, v in dotenv_values(path).items() if v is not None})
    env.update(os.environ if environ is None else environ)

    data_dir = Path(env["INVOLVE_DATA_DIR"]).expanduser() if env.get("INVOLVE_DATA_DIR") else user_data_path("involve")
    export_dir = Path(env["INVOLVE_EXPORT_DIR"]).expanduser() if env.get("INVOLVE_EXPORT_DIR") else data_dir / "exports"
    port_text = env.get("INVOLVE_PORT", "8765")
    try:
        port = int(port_text)
    except ValueError:
        raise ConfigError(f"INVOLVE_PORT must be a port number, not {port_text!r}") from None
    if not 0 <= port <= 65535:
        raise ConfigError(f"INVOLVE_PORT must be between 0 and 65535, not {port}")
    theme = env.get("INVOLVE_THEME", "projector")
    if theme not in THEMES:
        raise ConfigError(f"INVOLVE_THEME must be one of {', '.join(THEMES)}, not {theme!r}")
    room_view = env.get("INVOLVE_ROOM_VIEW", "auto").strip().lower() or "auto"
    if room_view not in ROOM_VIEWS:
        raise ConfigError(f"INVOLVE_ROOM_VIEW must be one of {', '.join(ROOM_VIEWS)}, not {room_view!r}")
    return Config(
        data_dir=data_dir,
        export_dir=export_dir,
        intake_host=env.get("INVOLVE_HOST", "").strip(),
        intake_port=port,
        theme=theme,
        hold_comments=_flag("INVOLVE_HOLD_COMMENTS", env.get("INVOLVE_HOLD_COMMENTS", "true")),
        show_results=_flag("INVOLVE_SHOW_RESULTS", env.get("INVOLVE_SHOW_RESULTS", "false")),
        public_url=env.get("INVOLVE_PUBLIC_URL", "").strip(),
        safeguarding_reminder=clean_line(env.get("INVOLVE_SAFEGUARDING_REMINDER", ""), 300),
        support_text=clean_text(env.get("INVOLVE_SUPPORT_TEXT", "").replace("\\n", "\n"), 1000),
        room_view=room_view,
    )
