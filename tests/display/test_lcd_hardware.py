"""The same screens on a real LCD, when one is wired: HADIR_TEST_LCD_BUS=1 [HADIR_TEST_LCD_ADDRESS=0x27].

The PCF8574 backpack cannot read the HD44780 back, so this checks that every write is acknowledged
and leaves the screens up long enough to look at them (HADIR_TEST_LCD_PAUSE seconds, default 0).
"""

from __future__ import annotations

import os
import threading

import pytest

from kiosk.display.lcd import LcdIndicator, find_lcd
from simulator.screens import SAMPLES

BUS = os.environ.get("HADIR_TEST_LCD_BUS")

pytestmark = [
    pytest.mark.hardware,
    pytest.mark.skipif(BUS is None, reason="set HADIR_TEST_LCD_BUS to run against a real LCD"),
]


@pytest.mark.parametrize("lang", ["id", "en"])
def test_every_screen_on_a_real_lcd(lang: str) -> None:
    assert BUS is not None
    port = int(BUS)
    address = int(os.environ.get("HADIR_TEST_LCD_ADDRESS", "0x27"), 0)
    assert find_lcd(port, (address,)) == address, f"nothing answers at 0x{address:02x} on i2c-{port}"
    pause = threading.Event()
    with LcdIndicator(address=address, port=port, lang=lang) as indicator:
        for _, event in SAMPLES:
            indicator.show(event)
            assert indicator.available
            pause.wait(float(os.environ.get("HADIR_TEST_LCD_PAUSE", "0")))
