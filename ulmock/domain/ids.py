"""Identifiers and secrets, drawn from one seeded generator so a seed replays a world."""

from __future__ import annotations

import random
import re
import string

_ALPHABET = string.ascii_lowercase + string.digits
_N = float(len(_ALPHABET))
API_KEY_PATTERN = re.compile(r"^ul_[0-9a-f]{40}$")


class IdFactory:
    def __init__(self, seed: int | None = 0):
        self._rng = random.Random(seed)

    def new(self, kind: str, length: int = 16) -> str:
        # What `choices(_ALPHABET, k=length)` draws, spelled out: the same ids for a seed,
        # without its per-call set-up (ids are a third of building a small world).
        draw = self._rng.random
        return f"{kind}_" + "".join([_ALPHABET[int(draw() * _N)] for _ in range(length)])

    def api_key(self) -> str:
        return "ul_" + "".join(self._rng.choices("0123456789abcdef", k=40))

    def webhook_secret(self) -> str:
        return "".join(self._rng.choices(string.ascii_letters + string.digits, k=32))

    def state(self) -> tuple[int, tuple[int, ...], float | None]:
        return self._rng.getstate()

    def restore(self, state: tuple[int, tuple[int, ...], float | None]) -> None:
        self._rng.setstate(state)


def slugify(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return slug or "untitled"
