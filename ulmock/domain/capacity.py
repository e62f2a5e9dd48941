"""Cloud GPU capacity: how easy each catalogue GPU is to get right now.

Believable and reproducible: drawn from the world's seed and the hour on the
emulator's clock, so it changes through the day but the same world at the same time
always reads the same. Cheap, plentiful cards are usually easy to get; the large
data-centre GPUs are scarcer. A GPU without a published price has no reading.
"""

from __future__ import annotations

import random
from typing import Any, Literal

from ulmock.domain.catalogue import GPUS

Stock = Literal["High", "Medium", "Low"]
LEVELS: tuple[Stock, ...] = ("High", "Medium", "Low")
HOUR = 3600.0


def scarcity(gpu_type: str) -> float:
    """0 (always plentiful) .. 1 (always scarce): grows with the GPU's memory."""
    return min(1.0, GPUS[gpu_type].memory_gb / 200)


def gpu_stock(seed: Any, now: float) -> dict[str, Stock | None]:
    """Each GPU's stock level in the hour containing `now`."""
    hour = int(now // HOUR)
    stock: dict[str, Stock | None] = {}
    for gpu in GPUS.values():
        if gpu.usd_per_hour is None:
            stock[gpu.id] = None
            continue
        draw = random.Random(f"{seed}:gpu-stock:{gpu.id}:{hour}").random()
        level = draw * 0.7 + scarcity(gpu.id) * 0.6  # 0 .. 1.3
        stock[gpu.id] = LEVELS[0] if level < 0.45 else LEVELS[1] if level < 0.8 else LEVELS[2]
    return stock
