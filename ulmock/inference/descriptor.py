"""An image descriptor for similarity: what the pixels look like, as one unit vector.

Three parts, each L2-normalised, then weighted and joined:

- colour: a 8x3x3 histogram of hue, saturation and value (72 bins);
- gradients: a 9-orientation histogram of gradient directions in each cell of a 4x4 grid,
  weighted by magnitude (144 bins), the layout of edges;
- layout: the picture shrunk to 8x8 grey levels, mean removed (64 values).

The cosine of two descriptors (their dot product) is near 1 for the same photo
re-encoded, resized, slightly cropped or brightened, and clearly lower for different
photos. Deterministic: the same bytes always give the same vector.
"""

from __future__ import annotations

import hashlib
import io

import numpy as np
from PIL import Image

SIZE = 64
WEIGHTS = (0.4, 0.4, 0.2)  # colour, gradients, layout
DIMENSIONS = 72 + 144 + 64


def _unit(v: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(v))
    return v / norm if norm > 0 else v


CACHE_MAX = 4096
# By content hash (not the bytes: a cache keyed by them would keep every image alive).
_cache: dict[str, tuple[float, ...]] = {}


def describe(data: bytes) -> list[float]:
    """The descriptor of an encoded image (anything Pillow reads). Raises ValueError if unreadable."""
    digest = hashlib.sha256(data).hexdigest()
    found = _cache.get(digest)
    if found is None:
        if len(_cache) >= CACHE_MAX:
            _cache.pop(next(iter(_cache)))
        found = _cache[digest] = _describe(data)
    return list(found)


def _describe(data: bytes) -> tuple[float, ...]:
    try:
        with Image.open(io.BytesIO(data)) as im:
            rgb = im.convert("RGB").resize((SIZE, SIZE), Image.Resampling.BILINEAR)
    except Exception as exc:  # Pillow raises many types for bad images
        raise ValueError(f"not a readable image: {exc}") from None
    hsv = np.asarray(rgb.convert("HSV"), dtype=np.float32) / 255.0
    h = np.minimum((hsv[..., 0] * 8).astype(int), 7)
    s = np.minimum((hsv[..., 1] * 3).astype(int), 2)
    v = np.minimum((hsv[..., 2] * 3).astype(int), 2)
    colour = np.bincount((h * 9 + s * 3 + v).ravel(), minlength=72).astype(np.float32)

    grey = np.asarray(rgb.convert("L"), dtype=np.float32) / 255.0
    gx = np.zeros_like(grey)
    gy = np.zeros_like(grey)
    gx[:, 1:-1] = grey[:, 2:] - grey[:, :-2]
    gy[1:-1, :] = grey[2:, :] - grey[:-2, :]
    magnitude = np.hypot(gx, gy)
    orientation = np.minimum(((np.arctan2(gy, gx) % np.pi) / np.pi * 9).astype(int), 8)
    cell = SIZE // 4
    gradients = np.zeros((4, 4, 9), dtype=np.float32)
    for row in range(4):
        for col in range(4):
            block = (slice(row * cell, (row + 1) * cell), slice(col * cell, (col + 1) * cell))
            gradients[row, col] = np.bincount(orientation[block].ravel(), weights=magnitude[block].ravel(), minlength=9)

    small = np.asarray(rgb.convert("L").resize((8, 8), Image.Resampling.BOX), dtype=np.float32)
    layout = small.ravel() - small.mean()

    parts = [_unit(np.sqrt(colour)), _unit(gradients.ravel()), _unit(layout)]
    joined = np.concatenate([w * p for w, p in zip(WEIGHTS, parts, strict=True)])
    return tuple(float(x) for x in _unit(joined))


def similarity(a: list[float], b: list[float]) -> float:
    """Cosine similarity of two descriptors, in [-1, 1]."""
    return float(np.dot(np.asarray(a), np.asarray(b)))
