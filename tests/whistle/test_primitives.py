"""Receipt codes, proof-of-work tokens and rate limits on their own."""

from __future__ import annotations

import math
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from server.whistle.errors import ChallengeFailed
from server.whistle.limits import RateLimit
from server.whistle.pow import Challenges, leading_zero_bits, solve, work
from server.whistle.receipts import ALPHABET, CODE_BITS, digest, new_code, normalise, receipt_key
from tests.web.conftest import FakeClock

POW_JS = Path(__file__).resolve().parents[2] / "server" / "web" / "static" / "whistle" / "pow.js"


def test_receipt_codes_are_long_random_and_grouped() -> None:
    codes = {new_code() for _ in range(2000)}
    assert len(codes) == 2000
    assert CODE_BITS >= 128 and len(ALPHABET) == 32
    for code in list(codes)[:50]:
        groups = code.split("-")
        assert len(groups) == 8 and all(len(g) == 4 for g in groups)
        assert set(code.replace("-", "")) <= set(ALPHABET)
    # Every position takes many values: no fixed prefix or structure.
    for position in range(32):
        seen = {c.replace("-", "")[position] for c in codes}
        assert len(seen) > 25, position
    assert math.log2(len(ALPHABET)) * 32 == CODE_BITS


def test_typed_codes_are_forgiving_but_strict() -> None:
    code = new_code()
    plain = code.replace("-", "")
    assert normalise(code.lower()) == plain
    assert normalise(" ".join(code.split("-"))) == plain
    assert normalise(plain.replace("0", "O").replace("1", "l")) == plain
    assert normalise(plain[:-1]) is None and normalise(plain + "0") is None and normalise("U" * 32) is None


def test_digests_need_the_server_key() -> None:
    code = new_code()
    one, other = receipt_key("a" * 40), receipt_key("b" * 40)
    assert digest(one, code) == digest(one, code.lower())
    assert digest(one, code) != digest(other, code)
    assert len(digest(one, code) or "") == 64 and code.replace("-", "") not in (digest(one, code) or "")
    assert digest(one, "nonsense") is None


def test_leading_zero_bits() -> None:
    assert leading_zero_bits(b"\x00\x00\x01") == 23
    assert leading_zero_bits(b"\x80") == 0
    assert leading_zero_bits(b"\x0f\xff") == 4
    assert leading_zero_bits(b"\x00\x00") == 16


def test_challenges() -> None:
    clock = FakeClock(datetime(2026, 12, 4, tzinfo=UTC))
    challenges = Challenges(b"k" * 32, clock, bits=10, wait=timedelta(seconds=30))
    token = challenges.issue()
    nonce = solve(token, 10)
    assert work(token, nonce) >= 10
    assert challenges.check(token, nonce) is True
    with pytest.raises(ChallengeFailed, match="challenge_used"):
        challenges.check(token, nonce)
    # Lowering the difficulty in the token breaks its signature.
    fresh = challenges.issue()
    parts = fresh.split(".")
    cheap = ".".join([*parts[:3], "0", parts[4]])
    with pytest.raises(ChallengeFailed, match=r"error\.challenge$"):
        challenges.check(cheap, "0")
    other_server = Challenges(b"x" * 32, clock, bits=10)
    with pytest.raises(ChallengeFailed):
        other_server.check(fresh, solve(fresh, 10))
    with pytest.raises(ChallengeFailed, match="challenge_wait"):
        challenges.check(fresh, "")
    clock.advance(seconds=30)
    assert challenges.check(fresh, "") is False
    late = challenges.issue()
    clock.advance(hours=1, seconds=1)
    with pytest.raises(ChallengeFailed, match="challenge_expired"):
        challenges.check(late, solve(late, 10))
    for junk in ("", "v1", "v2.1.2.3.4", "v1.x.2.3.4", "a" * 500):
        with pytest.raises(ChallengeFailed):
            challenges.check(junk, "1")


def test_used_tokens_are_forgotten_once_expired() -> None:
    clock = FakeClock(datetime(2026, 12, 4, tzinfo=UTC))
    challenges = Challenges(b"k" * 32, clock, bits=1)
    for _ in range(20):
        token = challenges.issue()
        challenges.check(token, solve(token, 1))
    assert len(challenges._used) == 20  # noqa: SLF001
    clock.advance(hours=2)
    token = challenges.issue()
    challenges.check(token, solve(token, 1))
    assert len(challenges._used) == 1  # noqa: SLF001


def test_rate_limit_slides() -> None:
    clock = FakeClock(datetime(2026, 12, 4, tzinfo=UTC))
    limit = RateLimit(clock, limit=2, window=timedelta(minutes=10))
    assert limit.allow("a") and limit.allow("a")
    assert not limit.allow("a")
    assert limit.allow("b")
    assert limit.retry_after("a") == timedelta(minutes=10)
    clock.advance(minutes=10)
    assert limit.retry_after("a") is None and limit.allow("a")


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_the_browser_solver_finds_nonces_the_server_accepts() -> None:
    clock = FakeClock(datetime(2026, 12, 4, tzinfo=UTC))
    challenges = Challenges(b"k" * 32, clock, bits=12)
    token = challenges.issue()
    harness = f"""
    const forms = [];
    const fields = {{ pow_token: {{ value: {token!r} }},
                      pow_nonce: {{ value: "", getAttribute: () => "12" }} }};
    const form = {{ querySelector: (q) => q.includes("pow_token") ? fields.pow_token
        : q.includes("pow_nonce") ? fields.pow_nonce : null, addEventListener: () => {{}} }};
    global.document = {{ querySelectorAll: () => [form] }};
    global.setTimeout = (f) => {{ forms.push(f); }};
    {POW_JS.read_text()}
    while (forms.length) {{ forms.shift()(); }}
    console.log(fields.pow_nonce.value);
    """
    result = subprocess.run(["node", "-e", harness], capture_output=True, text=True, timeout=60, check=True)
    nonce = result.stdout.strip()
    assert nonce == solve(token, 12)
    assert challenges.check(token, nonce) is True
