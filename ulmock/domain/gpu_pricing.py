"""What a GPU costs and how fast it trains: the price list, relative speed, epoch length."""

from __future__ import annotations

from ulmock.domain.catalogue import GPUS, MICRO

REFERENCE_PRICE = 0.24  # the cheapest GPU runs at speed 1
# Seconds per training image at 640 px on the reference GPU, and per epoch for validation.
SECONDS_PER_IMAGE = 0.6
EPOCH_OVERHEAD = 4.0
# Prices the catalogue does not publish, for speed and billing alike.
UNPUBLISHED_PRICE = {"rtx-pro-4000": 0.55, "rtx-pro-5000": 0.95}


def gpu_price(gpu_type: str) -> float:
    price = GPUS[gpu_type].usd_per_hour
    return price if price is not None else UNPUBLISHED_PRICE.get(gpu_type, 1.0)


def gpu_speed(gpu_type: str) -> float:
    """Throughput relative to the cheapest GPU: grows with price, less than linearly."""
    speed: float = (gpu_price(gpu_type) / REFERENCE_PRICE) ** 0.7
    return speed


def epoch_seconds(image_count: int, image_size: int, gpu_type: str) -> float:
    work = image_count * SECONDS_PER_IMAGE * (image_size / 640) ** 2
    return round(EPOCH_OVERHEAD + work / gpu_speed(gpu_type), 3)


def gpu_cost(seconds: float, gpu_type: str) -> int:
    """Micro-USD for `seconds` of the GPU."""
    return round(seconds * gpu_price(gpu_type) * MICRO / 3600)


def estimate(image_count: int, epochs: int, image_size: int, gpu_type: str) -> tuple[float, int]:
    """Seconds per epoch, and micro-USD for the whole run."""
    seconds = epoch_seconds(image_count, image_size, gpu_type)
    return seconds, gpu_cost(seconds, gpu_type) * epochs
