"""A room code in letters three rows high, for when the screen has no room for a QR code.

A 5x5 pixel font for the room-code alphabet, drawn with half blocks (two
pixels to a cell, so the pixels stay square): about two and a half times the
height of ordinary text, and readable from the back of a room.
"""

from __future__ import annotations

from textual.content import Content

__all__ = ["GLYPHS", "big_code", "big_code_lines"]

_FONT = """
A .###. #...# ##### #...# #...#
B ####. #...# ####. #...# ####.
C .#### #.... #.... #.... .####
D ####. #...# #...# #...# ####.
E ##### #.... ####. #.... #####
F ##### #.... ####. #.... #....
G .#### #.... #..## #...# .####
H #...# #...# ##### #...# #...#
J ..### ...#. ...#. #..#. .##..
K #...# #..#. ###.. #..#. #...#
M #...# ##.## #.#.# #...# #...#
N #...# ##..# #.#.# #..## #...#
P ####. #...# ####. #.... #....
Q .###. #...# #.#.# #..#. .##.#
R ####. #...# ####. #..#. #...#
S .#### #.... .###. ....# ####.
T ##### ..#.. ..#.. ..#.. ..#..
U #...# #...# #...# #...# .###.
V #...# #...# #...# .#.#. ..#..
W #...# #...# #.#.# ##.## #...#
X #...# .#.#. ..#.. .#.#. #...#
Y #...# .#.#. ..#.. ..#.. ..#..
Z ##### ...#. ..#.. .#... #####
2 .###. #...# ..##. .#... #####
3 ####. ....# .###. ....# ####.
4 #..#. #..#. ##### ...#. ...#.
5 ##### #.... ####. ....# ####.
6 .###. #.... ####. #...# .###.
7 ##### ....# ...#. ..#.. ..#..
8 .###. #...# .###. #...# .###.
9 .###. #...# .#### ....# .###.
"""

GLYPHS: dict[str, tuple[str, ...]] = {line[0]: tuple(line[2:].split()) for line in _FONT.strip().splitlines()}
"""Each character of the room-code alphabet as five rows of five pixels ('#' is ink)."""

_HALVES = {(False, False): " ", (True, False): "▀", (False, True): "▄", (True, True): "█"}


def big_code_lines(code: str) -> list[str] | None:
    """The code as three lines of half blocks, a blank column between letters; None if a character has no glyph."""
    if not code or any(char not in GLYPHS for char in code):
        return None
    rows = [" ".join(GLYPHS[char][y] for char in code) for y in range(5)] + [" " * (6 * len(code) - 1)]
    return ["".join(_HALVES[(top == "#", bottom == "#")] for top, bottom in zip(rows[y], rows[y + 1])) for y in range(0, 6, 2)]


def big_code(code: str) -> Content:
    """The code large, or spaced out in ordinary letters when the font lacks one of them."""
    lines = big_code_lines(code)
    return Content("\n".join(lines)) if lines else Content(" ".join(code))
