"""A byte-exact R307 fingerprint module emulator (in-process on a pty, or ``python -m simulator.r307``)."""

from simulator.r307.device import R307Device, Timing
from simulator.r307.emulator import R307Emulator
from simulator.r307.fingers import template_for

__all__ = ["R307Device", "R307Emulator", "Timing", "template_for"]
