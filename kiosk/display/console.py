"""A development stand-in for the LCD: the same 16x2 screen drawn in a terminal with rich."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.text import Text

from kiosk.display.catalog import Screen
from kiosk.display.screen import ScreenIndicator
from kiosk.display.text import COLS


def frame(lines: Sequence[str], backlight: bool = True) -> str:
    """``lines`` in a box-drawing frame, each padded or cut to 16 columns.

    >>> print(frame(("Tidak dikenali", "Coba lagi")))
    ┌────────────────┐
    │Tidak dikenali  │
    │Coba lagi       │
    └────────────────┘
    """
    top, bottom, side = ("┌" + "─" * COLS + "┐", "└" + "─" * COLS + "┘", "│")
    if not backlight:
        top, bottom, side = ("+" + "-" * COLS + "+", "+" + "-" * COLS + "+", "|")
    body = [f"{side}{line[:COLS].ljust(COLS)}{side}" for line in lines]
    return "\n".join([top, *body, bottom])


class ConsoleIndicator(ScreenIndicator):
    """Draws every screen to a terminal, framed like the LCD; the idle clock once a minute.

    Parameters:
        lang: "id" (default) or "en".
        console: where to draw; a stderr ``rich.console.Console`` by default.
    """

    def __init__(self, lang: str = "id", console: Console | None = None) -> None:
        super().__init__(lang)
        self.console = console if console is not None else Console(stderr=True)

    def _draw(self, screen: Screen) -> None:
        self.console.print(Text(frame(screen), style="bold bright_white on blue"))

    def close(self) -> None:
        """Nothing to release."""
