"""How many bytes a record holds: a dataset's images, a model's weights, a trash item's contents.

Counted from the blobs really stored; an image whose blob is gone counts nothing.
"""

from __future__ import annotations

from collections.abc import Iterable

from ulmock.domain.blobs import BlobStore
from ulmock.domain.entities import DatasetImage, TrashItem


def images_bytes(blobs: BlobStore, images: Iterable[DatasetImage]) -> int:
    stored = blobs.blobs
    return sum(stored[i.blob_id].size for i in images if i.blob_id in stored)


def trashed_bytes(blobs: BlobStore, item: TrashItem) -> int:
    """The weights and images of a trashed record and of what went to the trash with it."""
    total = 0
    for entity in (item.entity, *item.children):
        file = getattr(entity, "file", None)
        total += file.size if file else 0
        total += images_bytes(blobs, getattr(entity, "images", []))
    return total
