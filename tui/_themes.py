"""Themes for projected screens.

Projectors wash out colour and soften contrast, so both themes use pure
black and white with one bright accent pair; every state the colours mark is
also spelt out in words or glyphs.
"""

from __future__ import annotations

from textual.app import App
from textual.theme import Theme

__all__ = ["PROJECTOR", "PROJECTOR_LIGHT", "PROJECTION_THEMES", "register_themes"]

PROJECTOR = Theme(
    name="projector",
    primary="#FFD400",
    secondary="#00E5FF",
    accent="#00E5FF",
    warning="#FFB000",
    error="#FF6B6B",
    success="#6BFF8F",
    foreground="#FFFFFF",
    background="#050505",
    surface="#111111",
    panel="#1C1C1C",
    boost="#2A2A2A",
    dark=True,
    text_alpha=1.0,
    variables={
        "footer-key-foreground": "#FFD400",
        "footer-description-foreground": "#FFFFFF",
        "block-cursor-background": "#FFD400",
        "block-cursor-foreground": "#000000",
        "block-cursor-text-style": "bold",
        "input-selection-background": "#00E5FF 40%",
        "border": "#FFD400",
        "border-blurred": "#8A8A8A",
    },
)

PROJECTOR_LIGHT = Theme(
    name="projector-light",
    primary="#0033A0",
    secondary="#7A0052",
    accent="#7A0052",
    warning="#8A4B00",
    error="#B00020",
    success="#00661F",
    foreground="#000000",
    background="#FFFFFF",
    surface="#F2F2F2",
    panel="#E4E4E4",
    boost="#D6D6D6",
    dark=False,
    text_alpha=1.0,
    variables={
        "footer-key-foreground": "#0033A0",
        "footer-description-foreground": "#000000",
        "block-cursor-background": "#0033A0",
        "block-cursor-foreground": "#FFFFFF",
        "block-cursor-text-style": "bold",
        "input-selection-background": "#0033A0 30%",
        "border": "#0033A0",
        "border-blurred": "#6A6A6A",
    },
)

PROJECTION_THEMES: tuple[Theme, ...] = (PROJECTOR, PROJECTOR_LIGHT)


def register_themes(app: App) -> None:
    for theme in PROJECTION_THEMES:
        app.register_theme(theme)
