"""Letterboxing: fit an image into the network's input without distorting it, and back.

Follows Ultralytics' arithmetic (scale to fit, grey 114 borders split evenly, the odd
pixel going to the bottom/right) so boxes map back to the same pixels theirs would.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from PIL import Image

__all__ = ["PAD_VALUE", "Letterbox", "letterbox"]

PAD_VALUE = 114


@dataclass(frozen=True)
class Letterbox:
    """How an original image was placed on the network's canvas."""

    scale: float
    left: int
    top: int
    width: int  # original image, after EXIF orientation
    height: int

    def to_original(self, boxes: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        """Map `N×4` xyxy boxes from canvas pixels to original pixels, clipped to the image."""
        offset = np.array([self.left, self.top, self.left, self.top], dtype=np.float32)
        mapped = (boxes - offset) / np.float32(self.scale)
        limits = np.array([self.width, self.height, self.width, self.height], dtype=np.float32)
        clipped: npt.NDArray[np.float32] = np.clip(mapped, 0, limits).astype(np.float32)
        return clipped


def letterbox(image: npt.NDArray[np.uint8], size: tuple[int, int]) -> tuple[npt.NDArray[np.float32], Letterbox]:
    """Place `H×W×3` RGB on a `size` (height, width) canvas; returns NCHW float32 in 0..1."""
    height, width = image.shape[:2]
    canvas_h, canvas_w = size
    scale = min(canvas_h / height, canvas_w / width)
    new_w, new_h = max(1, round(width * scale)), max(1, round(height * scale))
    # The 0.1 nudges send the odd padding pixel to the bottom/right, as Ultralytics does.
    pad_w, pad_h = (canvas_w - new_w) / 2, (canvas_h - new_h) / 2
    left, top = round(pad_w - 0.1), round(pad_h - 0.1)

    resized = image if (new_w, new_h) == (width, height) else _resize(image, new_w, new_h)
    canvas = np.full((canvas_h, canvas_w, 3), PAD_VALUE, dtype=np.uint8)
    canvas[top : top + new_h, left : left + new_w] = resized
    tensor = canvas.transpose(2, 0, 1)[None].astype(np.float32) * np.float32(1 / 255)
    return np.ascontiguousarray(tensor), Letterbox(scale, left, top, width, height)


def _resize(image: npt.NDArray[np.uint8], width: int, height: int) -> npt.NDArray[np.uint8]:
    resized = Image.fromarray(image).resize((width, height), Image.Resampling.BILINEAR)
    return np.asarray(resized, dtype=np.uint8)
