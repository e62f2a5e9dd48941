"""Believable training metrics, drawn from the world's seed and the training's id.

The same run always gives the same curves: losses fall, mAP rises and saturates, and the
learning rates follow Ultralytics' warm-up and linear decay.
"""

from __future__ import annotations

import functools
import math
import random
from typing import Any

METRIC_NAMES = (
    "train/box_loss",
    "train/cls_loss",
    "train/dfl_loss",
    "metrics/precision(B)",
    "metrics/recall(B)",
    "metrics/mAP50(B)",
    "metrics/mAP50-95(B)",
    "val/box_loss",
    "val/cls_loss",
    "val/dfl_loss",
    "lr/pg0",
    "lr/pg1",
    "lr/pg2",
)


@functools.lru_cache(maxsize=4096)
def _ceiling(seed: Any, training_id: str) -> float:
    """The mAP50 a run converges to (seeding a Random from a string is the costly part)."""
    return 0.55 + 0.35 * random.Random(f"{seed}:{training_id}").random()


def epoch_metrics(seed: Any, training_id: str, epoch: int, epochs: int) -> dict[str, float]:
    """Ultralytics-named metrics after `epoch` (1-based): losses fall, mAP rises and saturates."""
    ceiling = _ceiling(seed, training_id)
    tau = max(1.5, min(40.0, epochs / 4))
    rng = random.Random(f"{seed}:{training_id}:{epoch}")

    def noise(scale: float) -> float:
        return 1 + rng.uniform(-scale, scale)

    p = 1 - math.exp(-epoch / tau)
    decay = math.exp(-epoch / tau)
    map50 = ceiling * p * noise(0.02)
    lr0, lrf, warmup = 0.01, 0.01, 3
    lr = lr0 * ((1 - (epoch - 1) / epochs) * (1 - lrf) + lrf)
    if epoch <= warmup:
        bias = 0.1 - (0.1 - lr) * epoch / warmup
        weights = lr * epoch / warmup
    else:
        bias = weights = lr
    return {
        "train/box_loss": round((0.9 + 0.8 * decay) * noise(0.03), 5),
        "train/cls_loss": round((0.6 + 2.2 * decay) * noise(0.03), 5),
        "train/dfl_loss": round((0.95 + 0.5 * decay) * noise(0.02), 5),
        "metrics/precision(B)": round(min(0.99, (0.2 + (ceiling + 0.1 - 0.2) * p) * noise(0.03)), 5),
        "metrics/recall(B)": round(min(0.99, (0.15 + (ceiling - 0.05 - 0.15) * p) * noise(0.03)), 5),
        "metrics/mAP50(B)": round(min(0.99, map50), 5),
        "metrics/mAP50-95(B)": round(min(0.99, map50 * (0.62 + 0.06 * p)), 5),
        "val/box_loss": round((1.1 + 0.7 * decay) * noise(0.03), 5),
        "val/cls_loss": round((0.8 + 2.0 * decay) * noise(0.04), 5),
        "val/dfl_loss": round((1.05 + 0.45 * decay) * noise(0.02), 5),
        "lr/pg0": round(bias, 7),
        "lr/pg1": round(weights, 7),
        "lr/pg2": round(weights, 7),
    }
