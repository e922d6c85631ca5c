"""Virtual fingers: deterministic templates per name, matched by content."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from simulator.r307 import fingers


def test_same_name_same_template() -> None:
    assert fingers.template_for("alice") == fingers.template_for("alice")
    assert len(fingers.template_for("alice")) == 512
    assert fingers.key_from_image(fingers.image_for("alice")) == fingers.key_for("alice")
    assert len(fingers.image_for("alice")) == 36864


@given(st.text(min_size=1, max_size=40), st.text(min_size=1, max_size=40))
def test_different_names_never_match(a: str, b: str) -> None:
    ta, tb = fingers.template_for(a), fingers.template_for(b)
    if a == b:
        assert fingers.matches(ta, tb, 5) == fingers.MAX_SCORE
    else:
        assert fingers.matches(ta, tb, 1) == 0


def test_matching_is_by_content() -> None:
    copy = bytes(bytearray(fingers.template_for("alice")))
    assert fingers.score(copy, fingers.template_for("alice")) == fingers.MAX_SCORE
    damaged = bytearray(copy)
    damaged[2:480] = bytes(478)  # a template sharing only 32 feature bytes
    assert fingers.matches(bytes(damaged), copy, 3) == 0
    assert fingers.score(b"short", copy) == 0
