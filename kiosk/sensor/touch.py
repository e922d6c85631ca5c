"""The R307 TOUCH output (pin 5, active low): lets an idle kiosk sleep until a finger arrives."""

from __future__ import annotations

from gpiozero import DigitalInputDevice
from gpiozero.pins import Factory


class TouchPin:
    """A finger-detect input on a GPIO pin, read through an injected gpiozero pin factory.

    Waiting is done on gpiozero's edge events, so no CPU is spent while nobody touches the glass.
    """

    def __init__(self, pin: int, pin_factory: Factory | None = None) -> None:
        # The module pulls TOUCH low while a finger is on the glass; pull_up makes low "active".
        self._device = DigitalInputDevice(pin, pull_up=True, pin_factory=pin_factory)

    @property
    def touched(self) -> bool:
        """True while a finger is on the glass."""
        return bool(self._device.is_active)

    def wait_for_touch(self, timeout: float) -> bool:
        """Block until the falling edge (or return at once if touched); False on timeout."""
        return bool(self._device.wait_for_active(timeout=max(timeout, 0.0)))

    def wait_for_release(self, timeout: float) -> bool:
        """Block until the finger leaves the glass; False on timeout."""
        return bool(self._device.wait_for_inactive(timeout=max(timeout, 0.0)))

    def close(self) -> None:
        """Release the pin; idempotent."""
        self._device.close()
