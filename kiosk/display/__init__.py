"""What the employee sees and hears: the 16x2 LCD, the LEDs and the buzzer.

The kiosk app calls an ``Indicator`` with events (``kiosk.display.events``); the message catalog
(``kiosk.display.catalog``) turns them into 16x2 screens in Bahasa Indonesia or English.

Example::

    from kiosk.display import CompositeIndicator, LcdIndicator, LedBuzzer
    from kiosk.display.events import Recorded

    indicator = CompositeIndicator([LcdIndicator(address=0x27, port=1), LedBuzzer()])
    indicator.open()
    indicator.show(Recorded(name="Siti Aminah", at=now, late_minutes=5))
"""

from kiosk.display.console import ConsoleIndicator
from kiosk.display.indicator import CompositeIndicator, Indicator
from kiosk.display.lcd import LcdIndicator
from kiosk.display.leds import LedBuzzer

__all__ = ["CompositeIndicator", "ConsoleIndicator", "Indicator", "LcdIndicator", "LedBuzzer"]
