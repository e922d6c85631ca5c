"""The Hadir kiosk: the program on the Raspberry Pi at the office entrance.

Sub-packages: :mod:`kiosk.sensor` (R307 fingerprint module), :mod:`kiosk.display` (16x2 LCD, LEDs,
buzzer) and :mod:`kiosk.sync` (the offline outbox, the wire protocol and the MQTT client).
"""

__version__ = "0.1.0"
