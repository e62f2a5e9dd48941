"""Uploaded bytes to an upright RGB pixel array, refusing anything unsafe or unusable.

Size limits are checked before pixels are decoded: the byte count first, then the
dimensions from the header, so a small file that claims a huge canvas (a
decompression bomb) costs nothing.
"""

from __future__ import annotations

import io

import numpy as np
import numpy.typing as npt
from PIL import Image, ImageOps, UnidentifiedImageError

from ulmock.inference.errors import ImageError

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_PIXELS",
    "SUPPORTED_FORMATS",
    "decode_image",
]

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
DEFAULT_MAX_PIXELS = 40_000_000
# Pillow's JPEG opener also covers MPO, the multi-frame JPEG many phone cameras write.
SUPPORTED_FORMATS = ("JPEG", "PNG", "WEBP", "BMP")
# 16-bit grayscale PNGs open in these modes.
_HIGH_BIT_DEPTH = ("I;16", "I;16B", "I;16L", "I;16N", "I")


def decode_image(
    data: bytes,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    field: str = "file",
) -> npt.NDArray[np.uint8]:
    """Decode JPEG/PNG/WebP/BMP bytes to a C-contiguous `H×W×3` uint8 RGB array.

    EXIF orientation is applied, so the array is the picture as a viewer shows it and
    boxes drawn on it land where a person expects. Alpha is dropped, as OpenCV (and so
    Ultralytics) does; palette and grayscale images are expanded to RGB.
    """
    if not data:
        raise ImageError("the image is empty", field)
    if len(data) > max_bytes:
        raise ImageError(f"the image is {len(data)} bytes; at most {max_bytes} are accepted", field)
    image = _open(data, field)
    width, height = image.size
    if width * height > max_pixels:
        raise ImageError(f"the image is {width}×{height} pixels; at most {max_pixels} pixels are accepted", field)
    try:
        image.load()
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
        raise ImageError(f"the image data is truncated or corrupt ({error})", field) from error
    return _to_rgb(_upright(image))


def _upright(image: Image.Image) -> Image.Image:
    """Apply EXIF orientation; malformed EXIF leaves the pixels as stored, since a
    viewer would show them so too, and the picture itself is fine."""
    try:
        return ImageOps.exif_transpose(image)
    except Exception:  # noqa: BLE001  (EXIF parsing raises struct, key and value errors)
        return image


def _open(data: bytes, field: str) -> Image.Image:
    try:
        return Image.open(io.BytesIO(data), formats=SUPPORTED_FORMATS)
    except Image.DecompressionBombError as error:
        raise ImageError("the image has too many pixels", field) from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise ImageError("the file is not a JPEG, PNG, WebP or BMP image", field) from error


def _to_rgb(image: Image.Image) -> npt.NDArray[np.uint8]:
    if image.mode in _HIGH_BIT_DEPTH:
        # Pillow's own conversion clips 16-bit values at 255; scale to 8 bits instead.
        wide = np.asarray(image, dtype=np.float64)
        peak = 65535.0 if wide.size and wide.max() > 255 else 255.0
        gray = np.clip(np.rint(wide * (255.0 / peak)), 0, 255).astype(np.uint8)
        return np.ascontiguousarray(np.repeat(gray[:, :, None], 3, axis=2))
    if image.mode != "RGB":
        image = image.convert("RGB")
    return np.ascontiguousarray(np.asarray(image, dtype=np.uint8))
