"""What every 16x2-screen indicator shares: the current event, its lines and the idle clock."""

from __future__ import annotations

import threading
from abc import abstractmethod
from dataclasses import replace
from datetime import datetime

from kiosk.display.catalog import Screen, check_language, render
from kiosk.display.events import Event, Idle
from kiosk.display.indicator import Indicator


def _minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


class ScreenIndicator(Indicator):
    """Base for indicators that draw the catalog's 16x2 screen.

    Subclasses implement ``_draw(screen)``. ``show`` renders the event in the indicator's language
    and draws it; ``tick`` redraws only when an idle screen's minute has changed, so calling it on
    every loop costs nothing.
    """

    def __init__(self, lang: str = "id") -> None:
        self.lang = check_language(lang)
        self._lock = threading.RLock()
        self._event: Event | None = None
        self._screen: Screen | None = None

    @property
    def event(self) -> Event | None:
        """The event on screen, with the idle clock as last drawn."""
        return self._event

    @property
    def screen(self) -> Screen | None:
        """The two lines the indicator means to show (whether or not its device is there)."""
        return self._screen

    def show(self, event: Event) -> None:
        with self._lock:
            if isinstance(event, Idle):
                event = replace(event, now=_minute(event.now))
            self._event = event
            self._screen = render(event, self.lang)
            self._draw(self._screen)

    def tick(self, now: datetime) -> None:
        with self._lock:
            event = self._event
            if isinstance(event, Idle) and _minute(now) != event.now:
                self.show(replace(event, now=now))
            else:
                self._idle_tick()

    def _idle_tick(self) -> None:
        """Hook for work that ``tick`` does when the screen does not change (e.g. retries)."""

    @abstractmethod
    def _draw(self, screen: Screen) -> None:
        """Put ``screen`` on the device."""
