"""A development stand-in for the LCD: the same 16x2 screen drawn in a terminal with rich."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.live import Live
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
        in_place: redraw the one screen in place (``rich.live.Live``) instead of printing a new
            frame per change; by default when the console is a terminal. Needs ``open()``.

    Example::

        with ConsoleIndicator(lang="en") as screen:
            screen.show(Reading())
    """

    def __init__(
        self, lang: str = "id", console: Console | None = None, in_place: bool | None = None
    ) -> None:
        super().__init__(lang)
        self.console = console if console is not None else Console(stderr=True)
        self.in_place = self.console.is_terminal if in_place is None else in_place
        self._live: Live | None = None

    def open(self) -> None:
        """Start the in-place display if ``in_place``. Idempotent."""
        with self._lock:
            if self.in_place and self._live is None:
                self._live = Live(console=self.console, auto_refresh=False, transient=False)
                self._live.start()
                if self._screen is not None:
                    self._draw(self._screen)

    def _draw(self, screen: Screen) -> None:
        text = Text(frame(screen), style="bold bright_white on blue")
        if self._live is not None:
            self._live.update(text, refresh=True)
        else:
            self.console.print(text)

    def close(self) -> None:
        """Stop the in-place display, leaving the last screen on the terminal. Idempotent."""
        with self._lock:
            live, self._live = self._live, None
            if live is not None:
                live.stop()
