"""`${faker.company}` placeholders in a scenario's strings, replaced by seeded fake text.

The same seed gives the same text, and each value is seeded by its position in the file,
so adding a field elsewhere does not change this one.
"""

from __future__ import annotations

import random
import re
from typing import Any

from faker import Faker

from ulmock.scenarios.source import key_path

__all__ = ["FAKER_PROVIDERS", "expand_faker"]

_FAKER = re.compile(r"\$\{faker\.(\w+)\}")
# Providers a scenario may call: text that reads well, nothing that varies by locale setup.
FAKER_PROVIDERS = frozenset(
    {
        "name",
        "first_name",
        "last_name",
        "company",
        "catch_phrase",
        "bs",
        "city",
        "country",
        "sentence",
        "user_name",
        "job",
        "street_name",
        "color_name",
    }
)


def expand_faker(value: Any, fake: Faker, seed: int, loc: tuple[Any, ...] = ()) -> Any:
    """`value` (a parsed YAML tree) with every known placeholder replaced."""
    if isinstance(value, dict):
        return {k: expand_faker(v, fake, seed, (*loc, k)) for k, v in value.items()}
    if isinstance(value, list):
        return [expand_faker(v, fake, seed, (*loc, i)) for i, v in enumerate(value)]
    if isinstance(value, str) and "${faker." in value:
        fake.seed_instance(random.Random(f"{seed}:{key_path(loc)}").getrandbits(32))

        def one(match: re.Match[str]) -> str:
            provider = match.group(1)
            if provider not in FAKER_PROVIDERS:
                raise ValueError(provider)
            return str(getattr(fake, provider)())

        try:
            return _FAKER.sub(one, value)
        except ValueError:
            return value  # left as written; validation or the reader will see it
    return value
