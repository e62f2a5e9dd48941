"""Money on the live face: the domain keeps micro-USD, the contract shows US cents."""

from __future__ import annotations

MICRO_PER_CENT = 10_000


def cents(micro_usd: int) -> int:
    """Whole cents, rounded toward zero (a balance never shows more than it holds)."""
    return int(micro_usd / MICRO_PER_CENT)
