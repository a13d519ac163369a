"""Production ids: OpenAI's shape, fresh every time, every base62 character equally likely."""

from __future__ import annotations

import re
import string
from collections import Counter

import pytest

from openrealtime.server import RandomIds

BASE62 = string.ascii_letters + string.digits


@pytest.mark.parametrize("length", [0, 1, 2, 16, 21, 64])
def test_an_id_is_the_prefix_and_length_base62_characters(length: int) -> None:
    ids = RandomIds()
    for _ in range(200):
        assert re.fullmatch(rf"event_[0-9A-Za-z]{{{length}}}", ids.new("event_", length))


def test_ids_do_not_repeat() -> None:
    ids = RandomIds()
    assert len({ids.new("item_") for _ in range(20_000)}) == 20_000


def test_every_character_is_equally_likely() -> None:
    # 620,000 characters: about 10,000 of each, give or take 100. Mapping bytes onto
    # the alphabet without dropping the uneven tail would make 8 characters 25 % likelier.
    ids = RandomIds()
    counts = Counter("".join(ids.new("", 62) for _ in range(10_000)))
    assert set(counts) == set(BASE62)
    assert max(counts.values()) / min(counts.values()) < 1.12
