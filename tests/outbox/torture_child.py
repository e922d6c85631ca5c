"""The process the crash-torture test kills: appends forever, printing each seq once it is durable.

Usage: python torture_child.py DIRECTORY append|ack

Lines on stdout (each flushed before the next step):
``A <seq>``   append() returned this seq (the kiosk would now say "recorded");
``K <seq,...>`` about to acknowledge these seqs (ack mode only; retention 0 deletes them).
"""

from __future__ import annotations

import random
import sys

from kiosk.sync.outbox import Outbox


def main(directory: str, mode: str) -> int:
    rng = random.Random()
    with Outbox(directory, segment_size=16, retention_days=0 if mode == "ack" else 30) as outbox:
        n = 0
        while True:
            n += 1
            seq = outbox.append(
                {"employee": f"E{n % 50:03d}", "page": n % 50, "score": 99, "at": "2026-12-04T07:30:00+07:00"}
            )
            print(f"A {seq}", flush=True)
            if mode == "ack" and rng.random() < 0.1:
                seqs = [punch["seq"] for punch in outbox.pending(rng.choice([5, 40, 1000]))]
                print("K " + ",".join(map(str, seqs)), flush=True)
                outbox.mark_acked(seqs)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
