"""`python -m simulator.r307` / `hadir-sim r307`: an emulated R307 on a pty, driven from stdin."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any, TextIO

from kiosk.cli import run
from simulator.r307.device import QUALITIES
from simulator.r307.emulator import R307Emulator

DESCRIPTION = "Emulate an R307 fingerprint module on a pseudo-terminal, byte for byte."
EPILOG = f"""\
The emulator links PATH to its pty, prints "ready PATH" on stdout, then reads one control line
at a time on stdin and answers "ok ..." (or "error: ...") on stdout:

  place NAME [QUALITY]  put finger NAME on the glass; the same NAME always gives the same
                        template, different names never match; QUALITY is one of
                        {", ".join(QUALITIES)} (default good)
  lift                  take the finger off the glass
  noise N               put N random bytes on the line towards the host
  mute / unmute         stop / resume answering (a dead or disconnected module)
  unplug / replug       remove / recreate the pty (a USB adapter pulled out and back in)
  status                print the library size and whether a finger is placed
  quit                  stop (end of input does the same)

Example:  python -m simulator.r307 --link /tmp/ttyR307 --realistic-timing
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--link", required=True, metavar="PATH", help="symlink to create for the pty device")
    parser.add_argument("--password", type=lambda s: int(s, 0), default=0, help="module password (default 0)")
    parser.add_argument(
        "--address", type=lambda s: int(s, 0), default=0xFFFFFFFF, help="module address (default 0xFFFFFFFF)"
    )
    parser.add_argument(
        "--packet-size",
        type=int,
        choices=(32, 64, 128, 256),
        default=128,
        help="data packet size (default 128)",
    )
    parser.add_argument(
        "--realistic-timing",
        action="store_true",
        help="take as long as a real module (wire, capture, search)",
    )


def serve(args: argparse.Namespace, stdin: TextIO | None = None, stdout: TextIO | None = None) -> int:
    """Run the emulator until ``quit`` or end of input."""
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    emulator = R307Emulator(
        link=args.link,
        password=args.password,
        address=args.address,
        packet_size=args.packet_size,
        realistic_timing=args.realistic_timing,
    )
    with emulator:
        print(f"ready {emulator.port}", file=stdout, flush=True)
        for line in stdin:
            words = line.split()
            if not words:
                continue
            if words[0] == "quit":
                print("ok quit", file=stdout, flush=True)
                break
            print(control(emulator, words), file=stdout, flush=True)
    return 0


def control(emulator: R307Emulator, words: list[str]) -> str:
    """Apply one control line; returns the answer line."""
    command, rest = words[0], words[1:]
    try:
        if command == "place" and 1 <= len(rest) <= 2:
            emulator.place(*rest)
        elif command == "lift" and not rest:
            emulator.lift()
        elif command == "noise" and len(rest) == 1:
            count = int(rest[0])
            if count < 0:
                raise ValueError("N must not be negative")
            emulator.noise(count)
        elif command in ("mute", "unmute", "unplug", "replug") and not rest:
            getattr(emulator, command)()
        elif command == "status" and not rest:
            device = emulator.device
            finger = device.finger.name if device.finger else "-"
            return f"ok status templates={len(device.library)} finger={finger} plugged={emulator.plugged}"
        else:
            return f"error: unknown or malformed control line {' '.join(words)!r} (see --help)"
    except ValueError as exc:
        return f"error: {exc}"
    return f"ok {command}"


def register(subparsers: Any) -> None:
    """Add the ``r307`` sub-command to ``hadir-sim``."""
    parser = subparsers.add_parser(
        "r307",
        help="emulate an R307 fingerprint module on a pty",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_arguments(parser)
    parser.set_defaults(func=serve)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m simulator.r307",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks and debug logs")
    add_arguments(parser)
    parser.set_defaults(func=serve)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    return run(build_parser(), argv)
