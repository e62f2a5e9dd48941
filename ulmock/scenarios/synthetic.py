"""Deterministic synthetic detection images: coloured shapes on textured backgrounds.

Each class is a shape in a colour of its own, so a detector can really learn them; the
labels are exact because ulmock drew the boxes. Same parameters, same bytes.
"""

from __future__ import annotations

import functools
import io
import random
from dataclasses import dataclass

from PIL import Image, ImageDraw

_SHAPES = ("ellipse", "rectangle", "triangle")
_PALETTE = ((230, 60, 60), (60, 170, 80), (60, 90, 230), (240, 190, 40), (170, 70, 200), (40, 190, 200))


@dataclass(frozen=True)
class SyntheticImage:
    file: str
    data: bytes
    width: int
    height: int
    split: str
    boxes: tuple[tuple[int, float, float, float, float], ...]


@functools.lru_cache(maxsize=16)
def generate(
    count: int, classes: tuple[str, ...], size: int, seed: int, val_fraction: float
) -> tuple[SyntheticImage, ...]:
    rng = random.Random(seed)
    images = []
    for n in range(count):
        background = tuple(rng.randint(90, 200) for _ in range(3))
        im = Image.new("RGB", (size, size), background)
        draw = ImageDraw.Draw(im)
        for _ in range(rng.randint(8, 20)):  # texture, so backgrounds are not trivial
            x, y = rng.randint(0, size), rng.randint(0, size)
            shade = tuple(min(255, c + rng.randint(-30, 30)) for c in background)
            draw.line(
                (x, y, x + rng.randint(-size // 4, size // 4), y + rng.randint(-size // 4, size // 4)),
                fill=shade,
                width=2,
            )
        boxes = []
        for _ in range(rng.randint(1, 3)):
            cls = rng.randrange(len(classes))
            w, h = rng.randint(size // 8, size // 3), rng.randint(size // 8, size // 3)
            x0, y0 = rng.randint(0, size - w), rng.randint(0, size - h)
            box = (x0, y0, x0 + w, y0 + h)
            colour = _PALETTE[cls % len(_PALETTE)]
            shape = _SHAPES[cls % len(_SHAPES)]
            if shape == "ellipse":
                draw.ellipse(box, fill=colour)
            elif shape == "rectangle":
                draw.rectangle(box, fill=colour)
            else:
                draw.polygon([(x0 + w / 2, y0), (x0, y0 + h), (x0 + w, y0 + h)], fill=colour)
            boxes.append((cls, (x0 + w / 2) / size, (y0 + h / 2) / size, w / size, h / size))
        buf = io.BytesIO()
        im.save(buf, "JPEG", quality=90)
        split = "val" if rng.random() < val_fraction else "train"
        images.append(
            SyntheticImage(
                f"synthetic_{n:04d}.jpg",
                buf.getvalue(),
                size,
                size,
                split,
                tuple((c, round(x, 6), round(y, 6), round(w, 6), round(h, 6)) for c, x, y, w, h in boxes),
            )
        )
    # Ultralytics needs both splits populated.
    if images and all(i.split == "train" for i in images) and val_fraction > 0:
        last = images[-1]
        images[-1] = SyntheticImage(last.file, last.data, last.width, last.height, "val", last.boxes)
    return tuple(images)
