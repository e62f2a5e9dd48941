"""Image decoding: what uploads are accepted, how they are normalised, what is refused."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from ulmock.inference import ImageError, decode_image


def encode(image: Image.Image, fmt: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def gradient(width: int = 40, height: int = 30) -> Image.Image:
    x = np.linspace(0, 255, width, dtype=np.uint8)
    rgb = np.stack(
        [
            np.tile(x, (height, 1)),
            np.full((height, width), 100, np.uint8),
            np.tile(x[::-1], (height, 1)),
        ],
        axis=2,
    )
    return Image.fromarray(rgb, "RGB")


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "BMP"])
def test_supported_formats_decode_to_rgb_uint8(fmt: str) -> None:
    pixels = decode_image(encode(gradient(), fmt))
    assert pixels.shape == (30, 40, 3) and pixels.dtype == np.uint8
    assert pixels.flags["C_CONTIGUOUS"]
    # Lossless formats round-trip exactly; lossy ones stay close.
    assert np.abs(pixels.astype(int) - np.asarray(gradient()).astype(int)).max() <= (0 if fmt in ("PNG", "BMP") else 12)


def test_grayscale_is_expanded_to_three_equal_channels() -> None:
    pixels = decode_image(encode(gradient().convert("L"), "PNG"))
    assert pixels.shape == (30, 40, 3)
    assert (pixels[..., 0] == pixels[..., 1]).all() and (pixels[..., 1] == pixels[..., 2]).all()


def test_sixteen_bit_grayscale_is_scaled_not_clipped() -> None:
    wide = Image.fromarray(np.full((4, 4), 65535 // 2, dtype=np.uint16))
    assert decode_image(encode(wide, "PNG"))[0, 0].tolist() == [127, 127, 127]


def test_rgba_drops_alpha_like_opencv() -> None:
    rgba = np.zeros((8, 8, 4), np.uint8)
    rgba[..., :3] = (10, 20, 30)
    rgba[..., 3] = 0  # fully transparent: the colour underneath is what the network sees
    assert decode_image(encode(Image.fromarray(rgba, "RGBA"), "PNG"))[0, 0].tolist() == [10, 20, 30]


def test_palette_images_use_their_palette_colours() -> None:
    palette = gradient().quantize(colors=8)
    pixels = decode_image(encode(palette, "PNG"))
    assert pixels.shape == (30, 40, 3)
    assert pixels[0, 0].tolist() == list(palette.convert("RGB").getpixel((0, 0)))


def test_exif_orientation_is_applied() -> None:
    # Stored landscape 40×30 with "rotate 90° clockwise to display" (orientation 6).
    stored = gradient()
    exif = Image.Exif()
    exif[0x0112] = 6
    pixels = decode_image(encode(stored, "JPEG", exif=exif.tobytes(), quality=95))
    assert pixels.shape == (40, 30, 3)  # displayed portrait
    upright = np.asarray(stored.transpose(Image.Transpose.ROTATE_270))
    assert np.abs(pixels.astype(int) - upright.astype(int)).mean() < 3


@pytest.mark.filterwarnings("ignore:Corrupt EXIF data")
def test_corrupt_exif_keeps_the_stored_orientation() -> None:
    # An orientation entry cut short: the picture is still fine, so it is accepted.
    exif = b"Exif\x00\x00MM\x00*\x00\x00\x00\x08\x00\x05\x01\x12\x00\x03\xff\xff"
    assert decode_image(encode(gradient(), "JPEG", exif=exif)).shape == (30, 40, 3)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"%PDF-1.7 definitely not a picture", "not a JPEG, PNG, WebP or BMP"),
        (encode(gradient(), "GIF"), "not a JPEG, PNG, WebP or BMP"),
    ],
    ids=["empty", "pdf", "gif"],
)
def test_non_images_are_refused(data: bytes, message: str) -> None:
    with pytest.raises(ImageError, match=message) as caught:
        decode_image(data)
    assert caught.value.field == "file"


def test_truncated_jpeg_is_refused() -> None:
    whole = encode(gradient(400, 300), "JPEG", quality=90)
    with pytest.raises(ImageError, match="truncated or corrupt"):
        decode_image(whole[: len(whole) // 2])


def test_too_many_bytes_is_refused_before_decoding() -> None:
    with pytest.raises(ImageError, match="at most 1000 are accepted"):
        decode_image(encode(gradient(), "BMP"), max_bytes=1000)


def test_decompression_bomb_is_refused_from_the_header() -> None:
    # 8000×6000 blank pixels compress to a few kilobytes.
    bomb = encode(Image.new("1", (8000, 6000)), "PNG")
    assert len(bomb) < 20_000
    with pytest.raises(ImageError, match="8000×6000 pixels; at most 40000000"):
        decode_image(bomb)


def test_the_field_name_can_be_chosen() -> None:
    with pytest.raises(ImageError) as caught:
        decode_image(b"nope", field="image")
    assert caught.value.field == "image"
