"""Kept for imports written before scenarios moved to YAML: use `ulmock.scenarios`."""

from ulmock.domain.platform import Platform
from ulmock.scenarios import build_emulator, fixed_key, load_scenario

__all__ = ["build_emulator", "build_minimal", "fixed_key"]


def build_minimal(platform: Platform) -> None:
    load_scenario("minimal")(platform)
