"""A page rendered once and filled in per person: the phone page's cache.

Three thousand phones loading the same activity would otherwise run the same
template three thousand times for pages that differ only in a name, a notice
and which radio buttons are checked. `PageParts` renders the template once
with a marker where each of those goes, keeps the text between the markers,
and fills the gaps per request: escaped text for a named slot, " checked" for
an answer the person has given, " selected" for the option they had chosen
in a form the server gave back to them.

The marker carries a random token made per process, so no text in a session
(titles, prompts, names) can forge one.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from typing import Any

from markupsafe import Markup, escape

__all__ = ["PageParts", "SlotMarkers"]

_SEPARATOR = "\x1f"


class SlotMarkers:
    """What a template calls where per-person text goes, while it is rendered for the cache."""

    def __init__(self) -> None:
        self.marker = f"\x00{secrets.token_hex(8)}\x00"

    def slot(self, name: str) -> Markup:
        """Text filled in per request (escaped then): the person's name, a notice, their draft."""
        return Markup(f"{self.marker}={name}{self.marker}")

    def checked(self, item: str, value: Any) -> Markup:
        """` checked` when this person's answer to `item` is `value`."""
        return Markup(f"{self.marker}?{item}{_SEPARATOR}{value}{self.marker}")

    def selected(self, name: str, value: Any) -> Markup:
        """` selected` when the text filled in for slot `name` is `value`: a choice given back after a refusal."""
        return Markup(f"{self.marker}!{name}{_SEPARATOR}{value}{self.marker}")

    def globals(self) -> dict[str, Callable[..., Markup]]:
        return {"slot": self.slot, "checked": self.checked, "selected": self.selected}


class PageParts:
    """The text of a page between its slots, and what fills each slot."""

    __slots__ = ("_static", "_slots")

    def __init__(self, html: str, markers: SlotMarkers) -> None:
        pieces = html.split(markers.marker)
        if len(pieces) % 2 == 0:
            raise ValueError("a slot marker was cut in two")
        self._static = pieces[0::2]
        slots: list[tuple[str, str, str]] = []
        for spec in pieces[1::2]:
            if spec[:1] in ("?", "!"):
                item, _, value = spec[1:].partition(_SEPARATOR)
                slots.append((spec[0], item, value))
            else:
                slots.append(("=", spec[1:], ""))
        self._slots = tuple(slots)

    @property
    def slot_names(self) -> set[str]:
        return {name for kind, name, _ in self._slots if kind == "="}

    def fill(self, text: Mapping[str, str], answers: Mapping[str, Any]) -> str:
        static = self._static
        out = [static[0]]
        for n, (kind, name, value) in enumerate(self._slots, start=1):
            if kind == "=":
                out.append(str(escape(text[name])))
            elif kind == "!":
                if text.get(name, "") == value:
                    out.append(" selected")
            elif name in answers and str(answers[name]) == value:
                out.append(" checked")
            out.append(static[n])
        return "".join(out)
